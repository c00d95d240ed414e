"""The report facts (one narrow row per assessment) say what the stored JSON says: for
submitted, follow-up and v1 assessments, after the migration's backfill, and after retention;
reports count v1 and v2 rows alike. A submission stores no fact row; a report derives the
missing ones first (catch-up), so it counts every committed assessment."""

from __future__ import annotations

import datetime as dt
import json

import pytest
from sqlalchemy import select, text

from ews.checklist import stored_record
from ews.reports import Params, run
from ews.store import facts, make_engine
from ews.store.db import as_utc
from ews.store.migrate import upgrade
from ews.store.models import Assessment, AssessmentFact
from tests.conftest import maintenance, seed_supervisor
from tests.reviewer_cases import CASES_V1

from .checklists import sound_umrah

ANSWERS = ("sex", "age_band", "destination_country", "purpose", "job_sector",
           "transit_country", "job_offer_channel", "recruiter_type", "agency_licence")
COLUMNS = ("office_code", "score", "rung", "action", "band", "officer_id", "origin_kecamatan",
           "nik_hash", "phone_hash", "recruiter_phone_hash", "checklist_version")


def _doc(value) -> dict:
    return json.loads(value) if isinstance(value, str) else dict(value or {})


def assert_facts_match(conn) -> int:
    """Assert that every assessment has one fact row equal to its JSON; return the count."""
    rows = conn.execute(select(Assessment.__table__)).mappings().all()
    facts = {f["assessment_id"]: f
             for f in conn.execute(select(AssessmentFact.__table__)).mappings()}
    assert set(facts) == {r["id"] for r in rows}
    for r in rows:
        f, result = facts[r["id"]], _doc(r["result"])
        record = stored_record(_doc(r["answers"]), _doc(r["features"]), r["checklist_version"])
        assert {k: f[k] for k in ANSWERS} == {k: record[k] for k in ANSWERS}, r["id"]
        assert {k: f[k] for k in COLUMNS} == {k: r[k] for k in COLUMNS}, r["id"]
        assert f["domicile_village"] == (record["domicile_village"] or None)
        assert f["agency_name"] == (record["agency_name"] or None)
        assert f["phone_shared_30d"] == record["phone_shared_30d"]
        assert bool(f["flagged"]) is bool(r["decision_required"])
        assert bool(f["latest"]) is (r["superseded_by"] is None)
        assert f["completeness"] == pytest.approx(result.get("completeness", 1.0))
        fired = sorted({x["indicator"] for x in result.get("reasons", ())})
        assert (f["indicators"].split(",") if f["indicators"] else []) == fired
        created, interviewed = as_utc(r["created_at"]), as_utc(r["interviewed_at"])
        assert as_utc(f["created_at"]) == created
        assert as_utc(f["interviewed_at"]) == interviewed
        wib = dt.timezone(dt.timedelta(hours=7))  # the offices of these tests are on WIB
        at, sent = interviewed.astimezone(wib), created.astimezone(wib)
        assert (f["day"], f["month"], f["hour"]) == (
            f"{at:%Y-%m-%d}", f"{at:%Y-%m}", at.hour), r["id"]
        assert (f["submitted_day"], f["submitted_month"], f["submitted_hour"]) == (
            f"{sent:%Y-%m-%d}", f"{sent:%Y-%m}", sent.hour), r["id"]
    return len(rows)


def post(client, account, body):
    resp = client.post("/api/v1/assessments", json=body, headers=account.headers)
    assert resp.status_code == 201, resp.get_json()
    return resp.get_json()["id"]


def test_submitted_follow_up_and_v1_assessments_have_matching_facts(client, accounts, db,
                                                                    payload, engine):
    officer = accounts["officer"]
    post(client, officer, payload("PMK-1", risky=True, domicile_village="Bettet",
                                  agency_name="PT Maju Jaya"))
    first = post(client, officer, sound_umrah(application_id="PMK-2", purpose="study",
                                              umrah_documents=None, destination_country="JP",
                                              supporting_document="missing"))
    newer = post(client, officer, sound_umrah(application_id="PMK-2", purpose="study",
                                              umrah_documents=None, destination_country="JP",
                                              supporting_document="verified", follow_up=True))
    v1 = post(client, officer, dict(CASES_V1["C5-control-no-escalation"]["answers_v1"],
                                    checklist_version=1))
    with engine.connect() as conn:  # the submissions stored no fact row...
        assert conn.scalar(text("SELECT COUNT(*) FROM assessment_facts")) == 0
    today = dt.date.today()
    with engine.connect() as conn:  # ...the report derives them; the superseded one not counted
        report = run("overview", conn, Params(today - dt.timedelta(days=1),
                                              today + dt.timedelta(days=2), by="submitted"))
    assert report.table("summary").records()[0]["n"] == 3
    assert facts.catch_up(engine) == 0  # nothing left to derive
    with engine.connect() as conn:
        assert assert_facts_match(conn) == 4
        latest = dict(conn.execute(text("SELECT assessment_id, latest FROM assessment_facts"))
                      .all())
        version = conn.execute(text("SELECT checklist_version, destination_country FROM "
                                    "assessment_facts WHERE assessment_id = :i"),
                               {"i": v1}).one()
    assert (bool(latest[first]), bool(latest[newer])) == (False, True)
    assert version.checklist_version == 1 and version.destination_country  # mapped to v2


def test_catch_up_derives_in_slices_and_repairs_latest(client, accounts, db, payload, engine):
    officer = accounts["officer"]
    ids = [post(client, officer, payload(f"PMK-{i}", risky=i % 2 == 0)) for i in range(5)]
    assert facts.catch_up(engine, batch=2) == 5  # three slices, each its own transaction
    with engine.connect() as conn:
        assert assert_facts_match(conn) == 5
    with engine.begin() as conn, maintenance(conn):  # a fact stamped a day ahead...
        conn.execute(text("UPDATE assessment_facts SET created_at = :at WHERE assessment_id "
                          "= :i"), {"at": dt.datetime.now(dt.UTC).replace(tzinfo=None)
                                    + dt.timedelta(days=1), "i": ids[0]})
    later = post(client, officer, payload("PMK-9"))
    assert facts.catch_up(engine, batch=2) == 1  # ...hides nothing stored since
    with engine.begin() as conn, maintenance(conn):
        conn.execute(text("UPDATE assessment_facts SET created_at = (SELECT created_at FROM "
                          "assessments WHERE id = :i) WHERE assessment_id = :i"), {"i": ids[0]})
    # A follow-up that superseded an assessment while its fact was being derived (a race on
    # PostgreSQL) leaves a fact marked latest: the next catch-up repairs it.
    post(client, officer, payload("PMK-9", risky=True, follow_up=True))
    with engine.begin() as conn, maintenance(conn):
        conn.execute(text("UPDATE assessment_facts SET latest = :t WHERE assessment_id = :i"),
                     {"t": True, "i": later})
    assert facts.catch_up(engine) == 1
    with engine.connect() as conn:
        assert assert_facts_match(conn) == 7
        assert conn.scalar(text("SELECT COUNT(*) FROM assessment_facts")) == 7


V2_ANSWERS = {"destination_country": "KH", "purpose": "tourism", "sex": "female",
              "domicile_village": "Bajang", "agency_name": "", "job_sector": None}


def test_the_migration_backfills_existing_rows(fresh_url):
    upgrade(fresh_url, "intel_products")
    engine = make_engine(fresh_url)
    insert = text(
        "INSERT INTO assessments (id, office_code, application_id, answers_hash, answers, "
        "features, result, score, band, rung, action, decision_required, status, "
        "ruleset_sha256, officer_id, interviewed_at, created_at, checklist_version, version, "
        "superseded_by, origin_kecamatan, nik_hash, phone_hash) VALUES (:id, 'PMK', :id, "
        "'h', :answers, :features, :result, 50, 'high', 2, 'supervisor_review', :flag, "
        "'open', 'h', 1, '2026-01-01', :created, :version, 1, :sup, '352809', 'n', NULL)")
    v1 = CASES_V1["C1-split-tracks"]["answers_v1"]
    with engine.begin() as conn:
        seed_supervisor(conn)
        conn.execute(text("INSERT INTO rulesets (id, sha256, ruleset_id, version, "
                          "description, text, status, created_at) VALUES "
                          "(1, 'h', 'r', '1', '', '', 'live', '2026-01-01')"))
        common = {"features": json.dumps({"age_band": "25_34", "phone_shared_30d": 3}),
                  "created": "2026-03-31 23:30:00"}
        conn.execute(insert, common | {
            "id": "v2-old", "answers": json.dumps(V2_ANSWERS), "version": 2, "sup": "v2-new",
            "flag": True, "result": json.dumps({"completeness": 0.75, "reasons": [
                {"indicator": "SCAM"}, {"indicator": "AGE"}, {"indicator": "SCAM"}]})})
        conn.execute(insert, common | {
            "id": "v2-new", "answers": json.dumps(V2_ANSWERS), "version": 2, "sup": None,
            "flag": False, "result": json.dumps({"completeness": 1.0, "reasons": []})})
        conn.execute(insert, common | {
            "id": "v1", "answers": json.dumps({k: v for k, v in v1.items()
                                               if k not in ("nik", "full_name", "phone",
                                                            "date_of_birth")}),
            "version": 1, "sup": None, "flag": False, "result": "{}"})
    engine.dispose()
    upgrade(fresh_url)
    engine = make_engine(fresh_url)
    with engine.connect() as conn:
        assert assert_facts_match(conn) == 3
        got = {r.assessment_id: r for r in conn.execute(text(
            "SELECT * FROM assessment_facts ORDER BY assessment_id"))}
    engine.dispose()
    old = got["v2-old"]
    # Interviewed 2026-01-01 00:00 UTC, submitted 2026-03-31 23:30 UTC: 07:00 and the next
    # morning's 06:30 in Pamekasan (WIB).
    assert (old.indicators, old.completeness, old.month, old.hour, old.day) == (
        "AGE,SCAM", 0.75, "2026-01", 7, "2026-01-01")
    assert (old.submitted_month, old.submitted_hour, old.submitted_day) == (
        "2026-04", 6, "2026-04-01")
    assert (old.destination_country, old.domicile_village, old.agency_name) == (
        "KH", "Bajang", None)
    assert (bool(old.latest), bool(got["v2-new"].latest), old.phone_shared_30d) == (
        False, True, 3)
    assert got["v1"].completeness == 1.0 and got["v1"].checklist_version == 1
