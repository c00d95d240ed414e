"""Same-day correction of a stored interview by its officer (issue #24.3), and country names.

A correction is version 2 of the assessment, re-scored, with its reason sealed in the audit
trail and shown to the supervisor; another officer, another day or someone else's decision
closes the path. Country names are typed in either language and stored as codes.
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import select

from ews import audit
from ews.store import retention
from ews.store.models import Assessment, AssessmentCorrection, AuditEvent
from ews.web.countries import resolve
from ews.web.form import form_value
from tests.test_review_flow import set_times
from tests.test_web_pages import login

IDENTITY = ("nik", "full_name", "date_of_birth", "phone", "office_code")


def form_of(answers: dict) -> dict[str, str]:
    """Return the correction form's fields for checklist answers (identity is not retyped)."""
    return {k: form_value(v) for k, v in answers.items() if k not in IDENTITY and v is not None}


def stored(client, accounts, payload, app_id: str, **overrides) -> str:
    resp = client.post("/api/v1/assessments", headers=accounts["officer"].headers,
                       json=payload(app_id, **overrides))
    assert resp.status_code == 201, resp.get_json()
    return resp.get_json()["id"]


def test_same_day_correction_is_version_2_with_its_reason(client, db, accounts, payload):
    first = stored(client, accounts, payload, "PMK-COR-1")
    login(client, accounts["officer"])
    result = client.get(f"/assessments/{first}").get_data(as_text=True)
    assert f'href="/assessments/{first}/correct"' in result  # the "Koreksi" link
    assert 'data-correct' in client.get("/").get_data(as_text=True)  # and on the home list
    form = client.get(f"/assessments/{first}/correct").get_data(as_text=True)
    assert 'value="Arab Saudi"' in form and 'name="nik"' not in form  # stored answers, by name

    answers = form_of(payload("PMK-COR-1", risky=True)) | {"destination_country": "Kamboja"}
    missing = client.post(f"/assessments/{first}/correct", data=answers)
    assert missing.status_code == 422 and 'id="err-correction_reason"' in missing.get_data(
        as_text=True)
    reason = "Salah ketuk: tawaran kerja lewat media sosial"
    review = client.post(f"/assessments/{first}/correct",
                         data=answers | {"correction_reason": reason})
    assert review.status_code == 200 and "data-store" in review.get_data(as_text=True)
    assert db.scalar(select(Assessment).where(Assessment.supersedes_id == first)) is None
    done = client.post(f"/assessments/{first}/correct",
                       data=answers | {"correction_reason": reason, "store": "1"})
    assert done.status_code == 303
    second = done.headers["Location"].rsplit("/", 1)[1]
    db.expire_all()
    old, new = db.get(Assessment, first), db.get(Assessment, second)
    assert (new.version, new.supersedes_id, old.superseded_by) == (2, first, second)
    assert new.answers["destination_country"] == "KH" and new.rung > old.rung  # re-scored
    assert new.nik_hash == old.nik_hash  # identity kept, never retyped
    assert db.get(AssessmentCorrection, second).reason == reason
    event = db.scalar(select(AuditEvent).where(AuditEvent.kind == "assessment.corrected"))
    assert event.subject == second and reason not in event.data  # sealed, not written out
    assert audit.verify(db)[1] is None

    page = client.get(f"/assessments/{second}").get_data(as_text=True)
    assert reason in page and "data-version" in page
    assert "data-correct" not in client.get(f"/assessments/{first}").get_data(as_text=True)
    assert client.get(f"/assessments/{first}/correct").status_code == 403  # superseded
    api = client.get(f"/api/v1/assessments/{second}", headers=accounts["officer"].headers)
    assert api.get_json()["version"] == 2 and api.get_json()["supersedes_id"] == first
    home = client.get("/").get_data(as_text=True)
    assert f"/assessments/{second}" in home and f"/assessments/{first}\"" not in home

    client.post("/logout")
    login(client, accounts["supervisor"])
    queue = client.get("/review").get_data(as_text=True)
    row = queue[queue.index(f'data-item="{second}"'):]
    assert "data-corrected" in row[:row.index("</tr>")]
    detail = client.get(f"/review/{second}").get_data(as_text=True)
    assert reason in detail and f"/review/{first}" in detail
    assert 'data-answer="destination_country">Kamboja<' in detail  # names, not codes
    client.post("/language", data={"lang": "en"})
    english = client.get(f"/review/{second}").get_data(as_text=True)
    assert 'data-answer="destination_country">Cambodia<' in english
    client.post("/language", data={"lang": "id"})
    client.post(f"/review/{second}/take")
    client.post(f"/review/{second}/decision", data={"decision": "deferred",
                                                    "reason": "Tunda, periksa dokumen"})
    cases = client.get("/review/cases").get_data(as_text=True)
    assert reason in cases and "data-corrected" in cases


def test_correction_refused_to_others_another_day_and_after_a_decision(
        client, db, accounts, payload, make_account):
    mine = stored(client, accounts, payload, "PMK-COR-2", risky=True)
    other = make_account("officer", "PMK", username="officer_other")
    login(client, other)
    refused = client.get(f"/assessments/{mine}/correct")
    assert refused.status_code == 403 and "Hanya petugas" in refused.get_data(as_text=True)
    client.post("/logout")

    login(client, accounts["supervisor"])
    client.post(f"/review/{mine}/take")
    client.post(f"/review/{mine}/decision", data={"decision": "deferred", "reason": "Tunda"})
    client.post("/logout")
    login(client, accounts["officer"])
    decided = client.get(f"/assessments/{mine}/correct")
    assert decided.status_code == 403 and "supervisor" in decided.get_data(as_text=True)
    assert "data-correct" not in client.get(f"/assessments/{mine}").get_data(as_text=True)

    old = stored(client, accounts, payload, "PMK-COR-3")
    set_times(db, old, dt.datetime.now(dt.UTC) - dt.timedelta(days=1), None)
    late = client.get(f"/assessments/{old}/correct")
    assert late.status_code == 403 and "hari yang sama" in late.get_data(as_text=True)


def test_a_conflicting_number_offers_the_correction(client, db, accounts, payload):
    first = stored(client, accounts, payload, "PMK-COR-4")
    login(client, accounts["officer"])
    answers = form_of(payload("PMK-COR-4")) | {"destination_country": "MY", "store": "1",
                                                "nik": "3528011201900001",
                                                "date_of_birth": "12/01/1990"}
    page = client.post("/interviews/new", data=answers)
    html = page.get_data(as_text=True)
    assert page.status_code == 409 and f'formaction="/assessments/{first}/correct"' in html


def test_country_names_in_either_language_resolve_to_codes():
    assert [resolve(x) for x in ("Arab Saudi", "saudi arabia", "Kamboja", "Cambodia", "kh",
                                 "Türkiye", "Turki", "Atlantis")] == [
        "SA", "SA", "KH", "KH", "KH", "TR", "TR", "Atlantis"]


def test_retention_blanks_the_reason_and_the_trail_still_verifies(client, db, accounts,
                                                                    payload):
    first = stored(client, accounts, payload, "PMK-COR-5")
    login(client, accounts["officer"])
    answers = form_of(payload("PMK-COR-5")) | {"destination_country": "MY"}
    done = client.post(f"/assessments/{first}/correct", data=answers | {
        "correction_reason": "Salah ketik negara tujuan", "store": "1"})
    second = done.headers["Location"].rsplit("/", 1)[1]
    later = dt.datetime.now(dt.UTC) + dt.timedelta(minutes=1)
    retention.apply(db, cutoff=later, login_cutoff=later, actor="test", days=0)
    db.expire_all()
    assert db.get(AssessmentCorrection, second).reason == ""
    assert audit.verify(db)[1] is None
