"""POST/GET /api/v1/assessments and /score: scoring, storage, idempotency, history, views."""

from __future__ import annotations

import json
import threading

import pytest
from sqlalchemy import func, select, text

from ews.store.guards import maintenance
from ews.store.models import Assessment, AuditEvent, Decision

PII_VALUES = ("3528011201900001", "Siti Contoh", "1990-01-12", "812 0000 0001", "81200000001")


def post(client, account, body):
    return client.post("/api/v1/assessments", json=body, headers=account.headers)


def test_sound_umrah_is_stored_and_proceeds(client, accounts, payload, db):
    resp = post(client, accounts["officer"], payload())
    assert resp.status_code == 201
    result = resp.get_json()
    assert result["recommended_action"]["id"] == "proceed"
    assert result["status"] == "open" and result["decision_required"] is False
    for key in ("id", "application_id", "office_code", "score", "band", "tracks", "reasons",
                "escalations", "protective_flags", "completeness", "model", "ruleset",
                "created_at"):
        assert key in result
    row = db.get(Assessment, result["id"])
    assert row.result["score"] == result["score"] and row.action == "proceed"
    assert row.ruleset_sha256 == result["ruleset"]["sha256"]
    event = db.scalar(select(AuditEvent).where(AuditEvent.subject == row.id))
    assert event.kind == "assessment.created"


def test_risky_profile_waits_for_review_with_a_due_time(client, accounts, payload, db):
    resp = post(client, accounts["officer"], payload(risky=True))
    assert resp.status_code == 201
    result = resp.get_json()
    assert result["recommended_action"]["rung"] >= 2
    assert result["status"] == "awaiting_review" and result["decision_required"] is True
    assert {r["indicator"] for r in result["reasons"]}
    row = db.get(Assessment, result["id"])
    assert row.due_at is not None and row.claimed_by is None


def test_no_clear_personal_data_is_stored(client, accounts, payload, engine):
    resp = post(client, accounts["officer"], payload())
    assert resp.status_code == 201
    with engine.connect() as conn:
        dump = json.dumps([list(map(str, r)) for table in ("assessments", "audit_events")
                           for r in conn.execute(text(f"SELECT * FROM {table}"))])
    for value in PII_VALUES:
        assert value not in dump
    with engine.connect() as conn:
        nik_hash, answers = conn.execute(text("SELECT nik_hash, answers FROM assessments")).one()
    assert len(nik_hash) == 64
    answers = json.loads(answers) if isinstance(answers, str) else answers
    assert not {"nik", "full_name", "date_of_birth", "phone"} & set(answers)


def test_same_answers_again_return_the_stored_result(client, accounts, payload, db):
    first = post(client, accounts["officer"], payload())
    # A retry: interview time differs (forms default it to now), answers do not.
    again = post(client, accounts["officer"], payload(interviewed_at="2026-11-20T10:00:00Z"))
    assert (first.status_code, again.status_code) == (201, 200)
    assert again.get_json() == first.get_json()
    assert db.scalar(select(func.count()).select_from(Assessment)) == 1


@pytest.mark.parametrize("change, named", [
    ({"return_ticket": "one_way_booked"}, "return_ticket"),
    ({"full_name": "Someone Else"}, "personal data"),
])
def test_different_answers_conflict_and_name_the_difference(client, accounts, payload, change,
                                                            named):
    assert post(client, accounts["officer"], payload()).status_code == 201
    resp = post(client, accounts["officer"], payload(**change))
    assert resp.status_code == 409
    assert resp.mimetype == "application/problem+json"
    body = resp.get_json()
    assert any(named in c for c in body["conflicts"]) and body["assessment_id"]
    assert "PMK-2026-000101" in body["detail"]
    assert "Someone Else" not in resp.get_data(as_text=True)


def test_same_application_id_at_another_office_is_another_assessment(client, accounts,
                                                                      payload):
    assert post(client, accounts["officer"], payload()).status_code == 201
    other = payload(office_code="SBY")
    assert post(client, accounts["officer_sby"], other).status_code == 201


def test_concurrent_duplicates_make_exactly_one_row(app, accounts, payload, db):
    body, results, barrier = payload(), [], threading.Barrier(8)

    def send():
        client = app.test_client()
        barrier.wait()
        resp = post(client, accounts["officer"], body)
        results.append((resp.status_code, resp.get_json()["id"]))

    threads = [threading.Thread(target=send) for _ in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    codes = sorted(code for code, _ in results)
    assert codes == [200] * 7 + [201]
    assert len({id_ for _, id_ in results}) == 1
    assert db.scalar(select(func.count()).select_from(Assessment)) == 1
    assert db.scalar(select(func.count()).select_from(AuditEvent)
                     .where(AuditEvent.kind == "assessment.created")) == 1


def test_history_features_come_from_the_log(client, accounts, payload, db):
    officer = accounts["officer"]
    first = post(client, officer, payload("A-1")).get_json()
    row = db.get(Assessment, first["id"])
    assert row.features["repeat_applications_30d"] == 0
    assert row.features["prior_supervisor_decision"] is False
    assert row.features["phone_shared_30d"] == 1
    db.add(Decision(assessment_id=row.id, decision="deferred", reason="test",
                    decided_by=accounts["supervisor"].id))
    db.commit()
    # Same person at another office; two other people with the same phone number.
    second = post(client, accounts["officer_sby"], payload("B-1", "SBY")).get_json()
    for i, nik in enumerate(("3528011201900002", "3528011201900003")):
        post(client, officer, payload(f"C-{i}", nik=nik))
    third = post(client, officer, payload("D-1", nik="3528011201900004")).get_json()
    features = db.get(Assessment, second["id"]).features
    assert features["prior_supervisor_decision"] is True
    assert features["repeat_applications_30d"] == 1
    assert db.get(Assessment, third["id"]).features["phone_shared_30d"] == 4


def test_missing_nik_and_phone_mean_history_not_assessed(client, accounts, payload, db):
    body = payload()
    del body["nik"], body["phone"]
    result = post(client, accounts["officer"], body).get_json()
    features = db.get(Assessment, result["id"]).features
    assert features["prior_supervisor_decision"] is None
    assert features["repeat_applications_30d"] is None and features["phone_shared_30d"] is None


def test_score_does_not_store(client, accounts, payload, db):
    resp = client.post("/api/v1/score", json=payload(risky=True),
                       headers=accounts["analyst"].headers)
    assert resp.status_code == 200
    body = resp.get_json()
    assert body["recommended_action"]["rung"] >= 2
    assert (body["id"], body["status"]) == (None, "not_stored") and body["created_at"]
    assert db.scalar(select(func.count()).select_from(Assessment)) == 0


@pytest.mark.parametrize("role, sees_person", [("officer", True), ("supervisor", True),
                                               ("analyst", False), ("admin", False)])
def test_detail_view_shows_person_links_only_to_the_office(client, accounts, payload, role,
                                                           sees_person):
    created = post(client, accounts["officer"], payload()).get_json()
    resp = client.get(f"/api/v1/assessments/{created['id']}", headers=accounts[role].headers)
    assert resp.status_code == 200
    view = resp.get_json()
    assert view["result"] == created
    assert view["officer"] == accounts["officer"].username
    assert (view["person"] is not None) is sees_person
    assert not {"nik", "full_name", "date_of_birth", "phone"} & set(view["answers"])
    for value in PII_VALUES:
        assert value not in resp.get_data(as_text=True)


def test_list_filters_paginates_and_scopes(client, accounts, payload):
    officer = accounts["officer"]
    for i in range(3):
        post(client, officer, payload(f"S-{i}"))
    post(client, officer, payload("R-1", risky=True))
    post(client, accounts["officer_sby"], payload("X-1", "SBY"))

    def listing(account, **query):
        resp = client.get("/api/v1/assessments", query_string=query, headers=account.headers)
        assert resp.status_code == 200
        return resp.get_json()

    assert listing(officer)["total"] == 4
    assert listing(accounts["analyst"])["total"] == 5
    assert listing(accounts["analyst"], office_code="SBY")["total"] == 1
    assert listing(officer, status="awaiting_review")["total"] == 1
    assert listing(officer, action="proceed")["total"] == 3
    assert [i["application_id"] for i in listing(officer, band="critical")["items"]] == ["R-1"]
    assert listing(officer, band="purple")["total"] == 0
    page = listing(officer, per_page=2, page=2)
    assert (page["total"], len(page["items"]), page["page"]) == (4, 2, 2)
    assert listing(officer, since="2999-01-01T00:00:00Z")["total"] == 0


def test_assessment_and_audit_event_commit_together(client, accounts, payload, db):
    """When the audit event cannot be written, the assessment is not stored either."""
    head = db.execute(text("SELECT id, seq, hash FROM audit_head")).one()._asdict()
    with maintenance(db, "tests: break the chain head"):  # past the append-only triggers
        db.execute(text("DELETE FROM audit_head"))
    db.commit()
    resp = post(client, accounts["officer"], payload())
    assert resp.status_code == 500 and resp.mimetype == "application/problem+json"
    assert db.scalar(select(func.count()).select_from(Assessment)) == 0
    # The write lock was released with the rollback: the next write goes through.
    db.execute(text("INSERT INTO audit_head (id, seq, hash) VALUES (:id, :seq, :hash)"), head)
    db.commit()
    assert post(client, accounts["officer"], payload()).status_code == 201


@pytest.mark.parametrize("risky", [False, True])
def test_submission_body_is_exactly_the_result_schema(client, accounts, payload, risky):
    """POST answers without the schema dump (speed): the body must be what the dump gives."""
    from ews.api.schemas import ResultSchema

    for expected in (201, 200):  # created, then the idempotent replay
        resp = post(client, accounts["officer"], payload(risky=risky))
        assert resp.status_code == expected and resp.mimetype == "application/json"
        body = resp.get_json()
        assert ResultSchema().dump(body) == body
        assert ResultSchema().validate(body) == {}
