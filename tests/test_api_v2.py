"""The API on checklist v2: versions, v1 payloads, follow-up interviews and a returning
applicant whose last decision was a supervisor's."""

from __future__ import annotations

from sqlalchemy import func, select

from ews.checklist import stored_record
from ews.engine import load_ruleset
from ews.scoring import score
from ews.store.models import Assessment
from tests.reviewer_cases import CASES_V1

from .checklists import sound_umrah


def post(client, account, body):
    return client.post("/api/v1/assessments", json=body, headers=account.headers)


def stored(db) -> int:
    return db.scalar(select(func.count()).select_from(Assessment))


def test_unknown_version_and_a_v2_field_in_v1_are_422_and_nothing_stored(client, accounts, db):
    bad = post(client, accounts["officer"], sound_umrah(checklist_version=3))
    assert bad.status_code == 422
    assert "checklist_version" in bad.get_json()["errors"]
    v1 = dict(CASES_V1["C1-split-tracks"]["answers_v1"], checklist_version=1,
              visa_status="matches")
    mixed = post(client, accounts["officer"], v1)
    assert mixed.status_code == 422
    assert mixed.get_json()["errors"] == {"visa_status": ["Unknown field in checklist version 1."]}
    assert stored(db) == 0


def test_a_v1_payload_is_accepted_stored_as_v1_and_scored_through_the_mapping(client,
                                                                              accounts, db):
    case = CASES_V1["C5-control-no-escalation"]
    resp = post(client, accounts["officer"], dict(case["answers_v1"], checklist_version=1))
    assert resp.status_code == 201, resp.get_json()
    assert resp.get_json()["recommended_action"]["id"] == "refer_protection"
    row = db.get(Assessment, resp.get_json()["id"])
    assert row.checklist_version == 1 and row.answers["admits_work_intent"] is False  # as given
    rescored = score(stored_record(row.answers, row.features, row.checklist_version),
                     load_ruleset("rules/tppo_pmi.yaml"))
    assert rescored["recommended_action"]["id"] == "refer_protection"
    listed = client.get("/api/v1/assessments", headers=accounts["supervisor"].headers)
    assert [a["id"] for a in listed.get_json()["items"]] == [row.id]


def test_a_follow_up_interview_is_a_new_version_not_a_conflict(client, accounts, db):
    first = post(client, accounts["officer"], sound_umrah(supporting_document="missing",
                                                          purpose="study", umrah_documents=None,
                                                          destination_country="JP"))
    assert first.status_code == 201
    again = sound_umrah(purpose="study", umrah_documents=None, destination_country="JP",
                        supporting_document="verified")
    conflict = post(client, accounts["officer"], again)
    assert conflict.status_code == 409  # different answers without saying it is a follow-up
    follow = post(client, accounts["officer"], again | {"follow_up": True})
    assert follow.status_code == 201
    replay = post(client, accounts["officer"], again | {"follow_up": True})
    assert replay.status_code == 200 and replay.get_json()["id"] == follow.get_json()["id"]
    newer = db.get(Assessment, follow.get_json()["id"])
    older = db.get(Assessment, first.get_json()["id"])
    assert (newer.version, newer.supersedes_id) == (2, older.id)
    assert older.superseded_by == newer.id
    for row, shown in ((older, (1, None, newer.id)), (newer, (2, older.id, None))):
        got = client.get(f"/api/v1/assessments/{row.id}", headers=accounts["officer"].headers)
        body = got.get_json()
        assert (body["version"], body["supersedes_id"], body["superseded_by"]) == shown
    assert newer.features["repeat_applications_30d"] == 0  # not a repeat application
    listed = client.get("/api/v1/assessments", headers=accounts["supervisor"].headers)
    assert [a["id"] for a in listed.get_json()["items"]] == [newer.id]


def test_a_person_a_supervisor_referred_returns_with_a_clean_story(client, accounts):
    risky = sound_umrah(application_id="PMK-1", accompanied_by="broker_or_sponsor",
                        third_party_speaks=True, documents_held_by_other=True,
                        distress_observed=True)
    first = post(client, accounts["officer"], risky).get_json()
    assert first["recommended_action"]["id"] == "refer_protection"
    decided = client.post(f"/api/v1/assessments/{first['id']}/decision",
                          json={"decision": "referred", "reason": "Dirujuk ke UPTD PPA"},
                          headers=accounts["supervisor"].headers)
    assert decided.status_code == 201, decided.get_json()
    clean = post(client, accounts["officer"], sound_umrah(application_id="PMK-2")).get_json()
    assert clean["recommended_action"]["rung"] >= 2
    assert "ESC-PRIOR-DECISION" in {e["id"] for e in clean["escalations"]}
    assert "RIW05" in {r["indicator"] for r in clean["reasons"]}
