"""Free text and identifiers of the review API and pages: no NUL, bidi controls, stray lines."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from ews.store.models import Decision, Outcome
from tests.test_review_flow import submit  # noqa: F401 - fixture
from tests.test_web_pages import count, login

BAD_TEXT = ["a\x00b", "tolak\u202egnp", "x\u2066y\u2069", "a\x1bb", "a\u200fb", "a\x85b"]


@pytest.mark.parametrize("text", BAD_TEXT + ["line one\nline two", "a\rb", "a\u2028b"])
def test_reason_is_one_line_of_plain_text(client, db, accounts, submit, text):  # noqa: F811
    item = submit("TEXT-1")
    resp = client.post(f"/api/v1/assessments/{item}/decision",
                       headers=accounts["supervisor"].headers,
                       json={"decision": "deferred", "reason": text})
    assert resp.status_code == 422 and list(resp.get_json()["errors"]) == ["reason"]
    assert count(db, Decision) == 0


@pytest.mark.parametrize("field, text", [("notes", t) for t in BAD_TEXT]
                         + [("destination_city", "Phnom\nPenh"),
                            ("destination_city", "Phnom\u202ePenh")])
def test_outcome_text_is_plain(client, db, accounts, submit, field, text):  # noqa: F811
    item = submit("TEXT-2")
    resp = client.post(f"/api/v1/assessments/{item}/outcome", headers=accounts["analyst"].headers,
                       json={"outcome": "no_information", field: text})
    assert resp.status_code == 422 and list(resp.get_json()["errors"]) == [field]
    assert count(db, Outcome) == 0


def test_notes_may_have_several_lines(client, db, accounts, submit):  # noqa: F811
    item = submit("TEXT-3")
    resp = client.post(f"/api/v1/assessments/{item}/outcome", headers=accounts["analyst"].headers,
                       json={"outcome": "no_information", "notes": "baris satu\r\nbaris dua"})
    assert resp.status_code == 201
    assert db.scalar(select(Outcome.notes)) == "baris satu\nbaris dua"


def test_messages_follow_the_language(client, db, accounts, submit):  # noqa: F811
    item = submit("TEXT-4")
    resp = client.post(f"/api/v1/assessments/{item}/decision",
                       headers=accounts["supervisor"].headers | {"Accept-Language": "id"},
                       json={"decision": "deferred", "reason": "a\u202eb"})
    assert "karakter kontrol" in resp.get_json()["errors"]["reason"][0]


def test_decision_page_refuses_control_characters(client, db, accounts, submit):  # noqa: F811
    item = submit("TEXT-5")
    login(client, accounts["supervisor"])
    page = client.post(f"/review/{item}/decision",
                       data={"decision": "deferred", "reason": "Dokumen\u202e tidak ada"})
    assert page.status_code == 422 and "karakter kontrol" in page.get_data(as_text=True)
    assert count(db, Decision) == 0


@pytest.mark.parametrize("path", ["/api/v1/assessments/%00", "/api/v1/assessments/a%00b/claim",
                                  "/api/v1/assessments/" + "9" * 500 + "/decision"])
def test_odd_assessment_ids_are_404(client, accounts, path):
    method = client.get if path.endswith("%00") else client.post
    resp = method(path, headers=accounts["supervisor"].headers,
                  json={"decision": "issued", "reason": "ok"})
    assert resp.status_code == 404 and resp.mimetype == "application/problem+json"


def test_odd_assessment_id_page_is_404(client, accounts):
    login(client, accounts["supervisor"])
    assert client.get("/review/a%00b").status_code == 404
    assert client.get("/assessments/a%00b").status_code == 404


@pytest.mark.parametrize("path, body, field", [
    ("decision", {"decision": "issued", "reason": 3}, "reason"),
    ("decision", {"decision": True, "reason": "ok"}, "decision"),
    ("outcome", {"outcome": "no_information", "notes": ["a"]}, "notes"),
    ("outcome", {"outcome": 0}, "outcome"),
])
def test_values_of_the_wrong_json_type_are_refused(client, db, accounts, submit,  # noqa: F811
                                                   path, body, field):
    item = submit("TYPE-1")
    who = accounts["analyst" if path == "outcome" else "supervisor"]
    resp = client.post(f"/api/v1/assessments/{item}/{path}", headers=who.headers, json=body)
    assert resp.status_code == 422 and field in resp.get_json()["errors"]


def test_ruleset_text_must_be_a_string(client, accounts):
    resp = client.post("/api/v1/rulesets", headers=accounts["analyst"].headers,
                       json={"text": 3})
    assert resp.status_code == 422 and "text" in resp.get_json()["errors"]
