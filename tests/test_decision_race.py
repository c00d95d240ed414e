"""One decision per item: racing writers get 409, a change is an explicit, audited amendment.

Runs real threads against the test database (SQLite file, or PostgreSQL when
EWS_TEST_DATABASE_URL is set); the database itself refuses a second first decision.
"""

from __future__ import annotations

import threading

import pytest
from sqlalchemy import insert, select
from sqlalchemy.exc import IntegrityError

from ews.store.db import utcnow
from ews.store.models import AuditEvent, Decision
from tests.test_review_flow import submit  # noqa: F401 - fixture
from tests.test_web_pages import login

PROBLEM = "application/problem+json"


def race(app, calls: list) -> list:
    """Run each (account, path, body) in its own thread at the same moment; return responses."""
    barrier = threading.Barrier(len(calls))
    out: list = [None] * len(calls)

    def run(i: int, account, path: str, body: dict) -> None:
        client = app.test_client()
        barrier.wait()
        resp = client.post(path, headers=account.headers, json=body)
        out[i] = (resp.status_code, resp.mimetype, resp.get_json())

    threads = [threading.Thread(target=run, args=(i, *call)) for i, call in enumerate(calls)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    return out


def decisions(db) -> list[tuple]:
    db.expire_all()
    return [(d.decision, d.amends) for d in db.scalars(select(Decision).order_by(Decision.id))]


def test_ten_parallel_decisions_by_two_supervisors(app, db, accounts, make_account,
                                                   submit):  # noqa: F811
    item = submit("RACE-1")
    sups = [accounts["supervisor"], make_account("supervisor", "PMK", username="sup-two")]
    path = f"/api/v1/assessments/{item}/decision"
    out = race(app, [(sups[i % 2], path, {"decision": ("issued", "rejected")[i % 2],
                                          "reason": f"alasan {i}"}) for i in range(10)])
    assert sorted(s for s, _, _ in out) == [201] + [409] * 9, out
    assert all(m == PROBLEM for s, m, _ in out if s == 409)
    assert len(decisions(db)) == 1
    kinds = db.scalars(select(AuditEvent.kind)).all()
    assert kinds.count("decision.recorded") == 1


def test_parallel_officer_decisions_on_an_open_item(app, db, accounts, submit):  # noqa: F811
    item = submit("RACE-2", risky=False)
    path = f"/api/v1/assessments/{item}/decision"
    out = race(app, [(accounts["officer"], path, {"decision": "issued", "reason": "lengkap"})
                     for _ in range(6)])
    assert sorted(s for s, _, _ in out) == [201] + [409] * 5, out
    assert len(decisions(db)) == 1


def test_a_second_decision_is_409_and_names_the_amendment(client, db, accounts,
                                                          submit):  # noqa: F811
    item = submit("AMEND-1")
    sup = accounts["supervisor"]
    first = client.post(f"/api/v1/assessments/{item}/decision", headers=sup.headers,
                        json={"decision": "deferred", "reason": "Perlu verifikasi"})
    assert first.status_code == 201 and first.get_json()["amends"] is None
    again = client.post(f"/api/v1/assessments/{item}/decision", headers=sup.headers,
                        json={"decision": "issued", "reason": "Dokumen lengkap"})
    assert again.status_code == 409 and again.mimetype == PROBLEM
    body = again.get_json()
    assert "amend" in body["detail"] and body["decision_id"] == first.get_json()["id"]
    assert decisions(db) == [("deferred", None)]


def test_amendment_is_a_linked_audited_row(client, db, accounts, submit):  # noqa: F811
    item = submit("AMEND-2")
    sup = accounts["supervisor"]
    first = client.post(f"/api/v1/assessments/{item}/decision", headers=sup.headers,
                        json={"decision": "deferred", "reason": "Perlu verifikasi"}).get_json()
    path = f"/api/v1/assessments/{item}/decision/amend"
    for bad in ({"decision": "issued", "reason": " ", "amends": first["id"]},
                {"decision": "issued", "reason": "x", "amends": str(first["id"])},
                {"decision": "issued", "reason": "x", "amends": first["id"] + 0.5},
                {"decision": "issued", "reason": "x", "amends": True},
                {"decision": "issued", "reason": "x"}):
        resp = client.post(path, headers=sup.headers, json=bad)
        assert resp.status_code == 422, (bad, resp.get_json())
        assert set(resp.get_json()["errors"]) <= {"reason", "amends"}
    ok = client.post(path, headers=sup.headers,
                     json={"decision": "issued", "reason": "Dokumen PMI lengkap",
                           "amends": first["id"]})
    assert ok.status_code == 201, ok.get_json()
    assert ok.get_json()["amends"] == first["id"] and ok.get_json()["decision"] == "issued"
    stale = client.post(path, headers=sup.headers,
                        json={"decision": "rejected", "reason": "x", "amends": first["id"]})
    assert stale.status_code == 409 and stale.mimetype == PROBLEM
    assert decisions(db) == [("deferred", None), ("issued", first["id"])]
    event = db.scalars(select(AuditEvent).where(AuditEvent.kind == "decision.amended")).one()
    assert str(first["id"]) in event.data and "Dokumen" not in event.data


def test_parallel_amendments_one_wins(app, client, db, accounts, make_account,
                                      submit):  # noqa: F811
    item = submit("AMEND-3")
    sups = [accounts["supervisor"], make_account("supervisor", "PMK", username="sup-two")]
    first = client.post(f"/api/v1/assessments/{item}/decision", headers=sups[0].headers,
                        json={"decision": "deferred", "reason": "awal"}).get_json()
    path = f"/api/v1/assessments/{item}/decision/amend"
    out = race(app, [(sups[i % 2], path, {"decision": "issued", "reason": f"ubah {i}",
                                          "amends": first["id"]}) for i in range(8)])
    assert sorted(s for s, _, _ in out) == [201] + [409] * 7, out
    assert decisions(db) == [("deferred", None), ("issued", first["id"])]


def test_who_may_amend(client, db, accounts, make_account, submit):  # noqa: F811
    item = submit("AMEND-4", risky=False)
    other_officer = make_account("officer", "PMK", username="officer-two")
    first = client.post(f"/api/v1/assessments/{item}/decision",
                        headers=accounts["officer"].headers,
                        json={"decision": "issued", "reason": "lengkap"}).get_json()
    body = {"decision": "additional_documents_requested", "reason": "kurang surat",
            "amends": first["id"]}
    path = f"/api/v1/assessments/{item}/decision/amend"
    assert client.post(path, headers=other_officer.headers, json=body).status_code == 403
    assert client.post(path, headers=accounts["supervisor_sby"].headers,
                       json=body).status_code == 403
    assert client.post(path, headers=accounts["analyst"].headers, json=body).status_code == 403
    ok = client.post(path, headers=accounts["supervisor"].headers, json=body)
    assert ok.status_code == 201
    again = dict(body, amends=ok.get_json()["id"], decision="issued")
    assert client.post(path, headers=accounts["officer"].headers, json=again).status_code == 201
    undecided = submit("AMEND-5")
    resp = client.post(f"/api/v1/assessments/{undecided}/decision/amend",
                       headers=accounts["supervisor"].headers, json=body)
    assert resp.status_code == 409


def test_the_database_refuses_a_second_first_decision(db, accounts, submit):  # noqa: F811
    item = submit("AMEND-6")
    row = {"assessment_id": item, "decision": "issued", "reason": "x",
           "decided_by": accounts["supervisor"].id, "decided_at": utcnow()}
    db.execute(insert(Decision).values(**row))
    db.commit()
    with pytest.raises(IntegrityError):
        db.execute(insert(Decision).values(**row))
        db.commit()
    db.rollback()


def test_decision_pages_amend_and_409(client, db, accounts, submit):  # noqa: F811
    item = submit("AMEND-7")
    login(client, accounts["supervisor"])
    done = client.post(f"/review/{item}/decision",
                       data={"decision": "deferred", "reason": "Dokumen PMI tidak ada"})
    assert done.status_code == 303
    page = client.get(f"/review/{item}").get_data(as_text=True)
    first = decisions(db)
    first_id = db.scalar(select(Decision.id))
    assert f'name="amends" value="{first_id}"' in page and 'name="reason"' in page
    twice = client.post(f"/review/{item}/decision",
                        data={"decision": "issued", "reason": "lagi"})
    assert twice.status_code == 409 and "sudah" in twice.get_data(as_text=True)
    amended = client.post(f"/review/{item}/decision",
                          data={"decision": "issued", "reason": "Dokumen lengkap",
                                "amends": str(first_id)})
    assert amended.status_code == 303
    assert decisions(db) == first + [("issued", first_id)]
    stale = client.post(f"/review/{item}/decision",
                        data={"decision": "rejected", "reason": "x", "amends": str(first_id)})
    assert stale.status_code == 409
