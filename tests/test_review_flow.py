"""Supervisor review: queue order and due times, take, decide, history, outcomes, KPIs."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import event, select, update

from ews.store.guards import maintenance
from ews.store.models import Assessment, AuditEvent, Decision, Outcome
from tests.test_web_pages import count, login


@pytest.fixture
def submit(client, accounts, payload):
    """Return a function that submits an interview through the API and returns its id."""

    def make(app_id: str, risky: bool = True, account: str = "officer", **overrides) -> str:
        acct = accounts[account]
        resp = client.post("/api/v1/assessments", headers=acct.headers,
                           json=payload(app_id, acct.office_code, risky=risky, **overrides))
        assert resp.status_code == 201, resp.get_json()
        return resp.get_json()["id"]

    return make


def set_times(db, assessment_id: str, created: dt.datetime, due: dt.datetime | None) -> None:
    with maintenance(db, "tests: backdate"):  # sealed columns: the triggers refuse otherwise
        db.execute(update(Assessment).where(Assessment.id == assessment_id)
                   .values(created_at=created, due_at=due))
    db.commit()


def queue_ids(client, acct) -> list[str]:
    resp = client.get("/api/v1/review-queue", headers=acct.headers)
    assert resp.status_code == 200
    return [item["id"] for item in resp.get_json()["items"]]


def test_queue_order_due_times_and_overdue(client, db, accounts, submit):
    now = dt.datetime.now(dt.UTC)
    old = submit("OLD-1")
    new = submit("NEW-1")
    minor = submit("MINOR-1", nik="3528011201100002", date_of_birth="2010-01-12",
                   states_work_abroad=True, disnaker_recommendation="missing")
    sound = submit("SOUND-1", risky=False)
    rows = {r.id: r for r in db.scalars(select(Assessment))}
    assert rows[sound].status == "open" and rows[sound].due_at is None
    assert rows[new].due_at is not None  # from the SLA, at submission
    set_times(db, old, now - dt.timedelta(days=5), now - dt.timedelta(days=4))
    top = max((old, new, minor), key=lambda i: rows[i].rung)
    assert rows[top].rung >= rows[old].rung
    ids = queue_ids(client, accounts["supervisor"])
    assert sound not in ids and set(ids) == {old, new, minor}
    db.expire_all()
    ordered = sorted(db.scalars(select(Assessment).where(Assessment.id.in_(ids))),
                     key=lambda r: (-r.rung, r.created_at.replace(tzinfo=None)))
    assert ids == [r.id for r in ordered]
    items = {i["id"]: i for i in client.get("/api/v1/review-queue",
                                             headers=accounts["supervisor"].headers)
             .get_json()["items"]}
    assert items[old]["overdue"] is True and items[new]["overdue"] is False
    login(client, accounts["supervisor"])
    html = client.get("/review").get_data(as_text=True)
    assert html.count("data-overdue") == 1
    assert sorted(ids, key=lambda i: html.index(f'data-item="{i}"')) == ids


def test_take_decide_and_leave_the_queue(client, db, accounts, make_account, submit):
    item = submit("FLAG-1")
    other = make_account("supervisor", "PMK", username="supervisor-two")
    sup = accounts["supervisor"]
    resp = client.post(f"/api/v1/assessments/{item}/claim", headers=sup.headers)
    assert resp.status_code == 200 and resp.get_json()["claimed_by"] == sup.username
    # A second supervisor can neither take nor decide it...
    assert client.post(f"/api/v1/assessments/{item}/claim",
                       headers=other.headers).status_code == 409
    blocked = client.post(f"/api/v1/assessments/{item}/decision", headers=other.headers,
                          json={"decision": "deferred", "reason": "Perlu verifikasi"})
    assert blocked.status_code == 409 and count(db, Decision) == 0
    # ...and the holder decides; a reason is required.
    no_reason = client.post(f"/api/v1/assessments/{item}/decision", headers=sup.headers,
                            json={"decision": "deferred", "reason": " "})
    assert no_reason.status_code == 422 and "reason" in no_reason.get_json()["errors"]
    ok = client.post(f"/api/v1/assessments/{item}/decision", headers=sup.headers,
                     json={"decision": "redirected", "reason": "Arahkan ke Disnaker"})
    assert ok.status_code == 201 and ok.get_json()["status"] == "decided"
    assert item not in queue_ids(client, sup)
    # Decisions are append-only: a change is an amendment that adds a row, the first stays.
    again = client.post(f"/api/v1/assessments/{item}/decision", headers=sup.headers,
                        json={"decision": "issued", "reason": "Dokumen PMI lengkap"})
    assert again.status_code == 409
    client.post(f"/api/v1/assessments/{item}/decision/amend", headers=sup.headers,
                json={"decision": "issued", "reason": "Dokumen PMI lengkap",
                      "amends": ok.get_json()["id"]})
    db.expire_all()
    assert [d.decision for d in db.scalars(select(Decision).order_by(Decision.id))] == [
        "redirected", "issued"]
    kinds = [e.kind for e in db.scalars(select(AuditEvent).order_by(AuditEvent.seq))]
    assert kinds.count("decision.recorded") == 1 and "review.taken" in kinds
    assert kinds.count("decision.amended") == 1


def test_take_over_is_explicit_and_audited(client, db, accounts, make_account, submit):
    item = submit("FLAG-2")
    other = make_account("supervisor", "PMK", username="supervisor-two")
    client.post(f"/api/v1/assessments/{item}/claim", headers=accounts["supervisor"].headers)
    resp = client.post(f"/api/v1/assessments/{item}/claim?force=true", headers=other.headers)
    assert resp.status_code == 200 and resp.get_json()["claimed_by"] == "supervisor-two"
    event = db.scalars(select(AuditEvent).where(AuditEvent.kind == "review.taken")
                       .order_by(AuditEvent.seq.desc())).first()
    assert event.actor == "supervisor-two" and "supervisor-pmk" in event.data


def test_review_pages_take_and_decide(client, db, accounts, submit):
    item = submit("FLAG-3")
    login(client, accounts["supervisor"])
    assert f'data-item="{item}"' in client.get("/review").get_data(as_text=True)
    assert client.post(f"/review/{item}/take").status_code == 303
    page = client.get(f"/review/{item}").get_data(as_text=True)
    assert "Anda sedang menangani berkas ini." in page and 'name="reason"' in page
    missing = client.post(f"/review/{item}/decision", data={"decision": "deferred"})
    assert missing.status_code == 422 and "Wajib diisi." in missing.get_data(as_text=True)
    done = client.post(f"/review/{item}/decision",
                       data={"decision": "deferred", "reason": "Dokumen PMI tidak ada"})
    # the supervisor stays on the case, told that it left the queue, with the amend form
    assert done.status_code == 303 and done.headers["Location"] == f"/review/{item}"
    case = client.get(f"/review/{item}").get_data(as_text=True)
    assert "keluar dari antrean" in case and 'name="amends"' in case
    queue = client.get("/review").get_data(as_text=True)
    assert f'data-item="{item}"' not in queue


def test_history_by_nik_pseudonymises_other_offices(client, db, accounts, submit):
    nik = "3528011201900077"
    elsewhere = submit("SBY-OLD-9", account="officer_sby", nik=nik)
    mine_before = submit("PMK-OLD-1", risky=False, nik=nik)
    item = submit("PMK-NEW-2", nik=nik)
    login(client, accounts["supervisor"])
    page = client.get(f"/review/{item}").get_data(as_text=True)
    history = page[page.index("data-history"):]
    assert "PMK-OLD-1" in history and f"/review/{mine_before}" in history
    assert "SBY-OLD-9" not in page and "SBY" in history and "REF-" in history
    assert elsewhere not in page
    assert nik not in page


def test_outcome_with_htcds_fields(client, db, accounts, submit):
    item = submit("FLAG-4")
    body = {"outcome": "confirmed_nonprocedural", "recruitment_method": "social_media",
            "recruitment_app": "facebook", "method_of_control": "debt_bondage",
            "recruiter_role": "sponsor_or_broker", "destination_city": "Phnom Penh"}
    resp = client.post(f"/api/v1/assessments/{item}/outcome", headers=accounts["analyst"].headers,
                       json=body)
    assert resp.status_code == 201 and resp.get_json()["recruitment_app"] == "facebook"
    bad = client.post(f"/api/v1/assessments/{item}/outcome",
                      headers=accounts["supervisor"].headers | {"Accept-Language": "id"},
                      json={"outcome": "arrested", "recruitment_app": "myspace"})
    assert bad.status_code == 422
    assert set(bad.get_json()["errors"]) == {"outcome", "recruitment_app"}
    assert "Pilihan tidak valid" in bad.get_json()["errors"]["outcome"][0]
    login(client, accounts["supervisor"])
    page = client.post(f"/review/{item}/outcome", data={"outcome": "no_information"})
    assert page.status_code == 303
    detail = client.get(f"/review/{item}").get_data(as_text=True)
    assert 'data-outcome="confirmed_nonprocedural"' in detail and "Facebook" in detail
    assert count(db, Outcome) == 2


def test_kpi_strip(client, db, accounts, submit):
    now = dt.datetime.now(dt.UTC)
    late = submit("K-1")
    decided = submit("K-2")
    submit("K-3")
    set_times(db, late, now - dt.timedelta(days=3), now - dt.timedelta(days=2))
    set_times(db, decided, now - dt.timedelta(hours=3), now + dt.timedelta(hours=20))
    client.post(f"/api/v1/assessments/{decided}/decision",
                headers=accounts["supervisor"].headers,
                json={"decision": "referred", "reason": "Rujuk UPTD PPA"})
    kpis = client.get("/api/v1/review-queue",
                      headers=accounts["supervisor"].headers).get_json()["kpis"]
    assert kpis["open"] == 2 and kpis["overdue"] == 1
    assert kpis["decided_this_month"] == 1
    assert 2.9 <= kpis["median_hours_to_decision"] <= 3.1
    login(client, accounts["supervisor"])
    page = client.get("/review").get_data(as_text=True)
    assert 'data-kpi="overdue" class="kpi-bad"' in page and "3 jam" in page


def test_queue_kpis_and_cases_read_the_partial_status_indexes(app, client, db, engine, accounts,
                                                              submit):
    """Only flagged assessments have entries: the queue, its KPIs and the decided cases find
    them through the partial index of their status, not by scanning the office's rows."""
    submit("PLAN-1")
    item = submit("PLAN-2")
    submit("PLAN-3", risky=False)  # needs no decision: in neither index
    sup = accounts["supervisor"]
    assert client.post(f"/api/v1/assessments/{item}/decision", headers=sup.headers,
                       json={"decision": "deferred", "reason": "Dokumen kerja tidak sesuai "
                             "pengakuan pemohon."}).status_code == 201
    seen = []

    def capture(conn, cursor, statement, parameters, context, executemany):
        if "FROM assessments" in statement and "status = '" in statement:
            seen.append((statement, parameters))

    event.listen(app.extensions["ews_engine"], "before_cursor_execute", capture)
    try:
        assert len(queue_ids(client, sup)) == 1
        assert client.get("/api/v1/cases", headers=sup.headers).status_code == 200
    finally:
        event.remove(app.extensions["ews_engine"], "before_cursor_execute", capture)
    used = {"awaiting_review": "ix_assessments_awaiting", "decided": "ix_assessments_decided"}
    assert {s for s in used if any(f"status = '{s}'" in sql for sql, _ in seen)} == set(used)
    with engine.connect() as conn:
        for sql, params in seen:
            if conn.dialect.name == "sqlite":
                plan = " ".join(str(r[-1]) for r in conn.exec_driver_sql(
                    "EXPLAIN QUERY PLAN " + sql, params))
            else:
                conn.exec_driver_sql("SET enable_seqscan = off")  # a tiny table otherwise
                plan = " ".join(r[0] for r in conn.exec_driver_sql("EXPLAIN " + sql, params))
            for status, index in used.items():
                if f"status = '{status}'" in sql:
                    assert index in plan, (sql, plan)
    unflagged = db.scalar(select(Assessment.status).where(
        Assessment.application_id == "PLAN-3"))
    assert unflagged == "open"


def test_paged_lists_link_to_the_pages_around_with_their_filters(app):
    """The case history and the sample list share one pager: previous and next keep the
    list's filters, and a single page shows no pager at all."""
    from flask import render_template_string

    page = ("{% from 'review/_pager.html' import pager with context %}"
            "{{ pager('review.case_history', page, pages, {'waiting_days': 30}) }}")
    with app.test_request_context("/review/cases"):
        middle = render_template_string(page, page=2, pages=3)
        single = render_template_string(page, page=1, pages=1)
    assert 'rel="prev" href="/review/cases?page=1&amp;waiting_days=30"' in middle
    assert 'rel="next" href="/review/cases?page=3&amp;waiting_days=30"' in middle
    assert "pager" not in single
