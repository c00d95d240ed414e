"""Case history: decided cases found again by number, date, rung, decision, outcome, officer."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import update

from ews.store.models import Assessment
from tests.test_review_flow import submit  # noqa: F401  (fixture)
from tests.test_web_pages import login


def decide(client, acct, assessment_id: str, decision: str = "deferred") -> None:
    resp = client.post(f"/api/v1/assessments/{assessment_id}/decision", headers=acct.headers,
                       json={"decision": decision, "reason": "alasan"})
    assert resp.status_code == 201, resp.get_json()


def outcome(client, acct, assessment_id: str) -> None:
    resp = client.post(f"/api/v1/assessments/{assessment_id}/outcome", headers=acct.headers,
                       json={"outcome": "no_information"})
    assert resp.status_code == 201, resp.get_json()


def decided_days_ago(db, assessment_id: str, days: int) -> None:
    when = dt.datetime.now(dt.UTC) - dt.timedelta(days=days)
    db.execute(update(Assessment).where(Assessment.id == assessment_id)
               .values(decided_at=when))
    db.commit()


def cases(client, acct, **query) -> dict:
    resp = client.get("/api/v1/cases", headers=acct.headers, query_string=query)
    assert resp.status_code == 200, resp.get_json()
    return resp.get_json()


def ids(page: dict) -> list[str]:
    return [c["application_id"] for c in page["items"]]


@pytest.fixture
def decided(client, db, accounts, submit):  # noqa: F811
    """Four decided cases at PMK, one at SBY, one open item; returns their ids by name."""
    sup, off = accounts["supervisor"], accounts["officer"]
    out = {"old": submit("PMK-OLD-1"), "recent": submit("PMK-NEW-2"),
           "with_outcome": submit("PMK-OUT-3"), "sound": submit("PMK-SND-4", risky=False),
           "open": submit("PMK-OPEN-5"), "sby": submit("SBY-1", account="officer_sby")}
    decide(client, sup, out["old"], "deferred")
    decide(client, sup, out["recent"], "redirected")
    decide(client, sup, out["with_outcome"], "referred")
    decide(client, off, out["sound"], "issued")
    decide(client, accounts["supervisor_sby"], out["sby"], "deferred")
    outcome(client, sup, out["with_outcome"])
    decided_days_ago(db, out["old"], 45)
    decided_days_ago(db, out["with_outcome"], 60)
    return out


def test_supervisor_sees_the_decided_cases_of_the_office(client, accounts, decided):
    page = cases(client, accounts["supervisor"])
    assert page["total"] == 4
    # newest decision first; open items and other offices are not listed
    assert ids(page) == ["PMK-SND-4", "PMK-NEW-2", "PMK-OLD-1", "PMK-OUT-3"]
    by_app = {c["application_id"]: c for c in page["items"]}
    assert by_app["PMK-OUT-3"]["outcome"] == "no_information"
    assert by_app["PMK-OLD-1"]["outcome"] is None
    assert by_app["PMK-SND-4"]["decided_by"] == accounts["officer"].username
    assert by_app["PMK-NEW-2"]["officer"] == accounts["officer"].username


def test_filters(client, accounts, decided):
    sup = accounts["supervisor"]
    assert ids(cases(client, sup, application_id="old")) == ["PMK-OLD-1"]
    assert ids(cases(client, sup, application_id="%")) == []  # a literal, not a wildcard
    assert ids(cases(client, sup, decision="redirected")) == ["PMK-NEW-2"]
    assert set(ids(cases(client, sup, outcome="recorded"))) == {"PMK-OUT-3"}
    assert "PMK-OUT-3" not in ids(cases(client, sup, outcome="missing"))
    assert ids(cases(client, sup, rung=0)) == ["PMK-SND-4"]
    assert cases(client, sup, officer="nobody")["total"] == 0
    assert cases(client, sup, officer=accounts["officer"].username)["total"] == 4
    # waiting for an outcome: decided more than 30 days ago, no outcome; oldest first
    assert ids(cases(client, sup, waiting_days=30)) == ["PMK-OLD-1"]
    today = dt.date.today()
    recent = cases(client, sup, decided_from=(today - dt.timedelta(days=1)).strftime("%d/%m/%Y"))
    assert set(ids(recent)) == {"PMK-NEW-2", "PMK-SND-4"}
    older = cases(client, sup, decided_to=(today - dt.timedelta(days=40)).isoformat())
    assert set(ids(older)) == {"PMK-OLD-1", "PMK-OUT-3"}
    paged = cases(client, sup, per_page=3, page=2)
    assert paged["total"] == 4 and len(paged["items"]) == 1


def test_analyst_sees_every_office_and_others_are_refused(client, accounts, decided):
    assert cases(client, accounts["analyst"])["total"] == 5
    assert ids(cases(client, accounts["analyst"], office_code="SBY")) == ["SBY-1"]
    for role in ("officer", "admin"):
        resp = client.get("/api/v1/cases", headers=accounts[role].headers)
        assert resp.status_code == 403, role
    resp = client.get("/api/v1/cases", headers=accounts["supervisor"].headers,
                      query_string={"office_code": "SBY"})
    assert resp.status_code == 403
    bad = client.get("/api/v1/cases", headers=accounts["supervisor"].headers,
                     query_string={"decided_from": "31/02/2026", "decision": "maybe"})
    assert bad.status_code == 422
    assert {"decided_from", "decision"} <= set(bad.get_json()["errors"]), bad.get_json()


def test_the_page_finds_a_case_and_links_to_its_outcome_form(client, accounts, decided):
    login(client, accounts["supervisor"])
    html = client.get("/review/cases?application_id=pmk-old").get_data(as_text=True)
    assert "PMK-OLD-1" in html and "PMK-NEW-2" not in html
    assert f'/review/{decided["old"]}#outcome' in html
    detail = client.get(f'/review/{decided["old"]}').get_data(as_text=True)
    assert 'id="outcome"' in detail and 'name="outcome"' in detail
    waiting = client.get("/review/cases?waiting_days=30").get_data(as_text=True)
    assert "PMK-OLD-1" in waiting and "PMK-OUT-3" not in waiting
    bad = client.get("/review/cases?decided_from=99/99/2026")
    assert bad.status_code == 422
    assert "Tanggal tidak valid (HH/BB/TTTT)." in bad.get_data(as_text=True)


def test_officers_cannot_open_the_case_history(client, accounts):
    login(client, accounts["officer"])
    assert client.get("/review/cases").status_code == 403
