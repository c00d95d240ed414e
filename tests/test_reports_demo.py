"""`ews demo --seed 7` plants patterns; each report finds what was planted, whether the demo
was written one by one or in bulk (`--bulk`, PostgreSQL)."""

from __future__ import annotations

import contextlib
import datetime as dt

import pytest
from click.testing import CliRunner
from sqlalchemy import func, inspect, select
from sqlalchemy.orm import Session

from ews import audit
from ews.cli import main
from ews.demo import plan
from ews.reports import Params, run
from ews.store import make_engine
from ews.store.models import Assessment, AuditEvent
from tests.conftest import PG_URL, pg_schema

N = 3000
N_BULK = 20_000  # the bulk writer draws networks by their share: 40 members of the largest
WINDOW = Params(dt.date(2025, 11, 1), dt.date(2026, 11, 1))


@pytest.fixture(scope="module", params=[
    "one by one", pytest.param("bulk", marks=[pytest.mark.db, pytest.mark.skipif(
        not PG_URL, reason="the bulk writer needs PostgreSQL (COPY)")])])
def demo_db(request, tmp_path_factory):
    """Return (engine, env, interviews) on a fresh database after `ews init` and `ews demo
    --seed 7`: written one by one on SQLite, and with `--bulk 2` on PostgreSQL."""
    with contextlib.ExitStack() as stack:
        if request.param == "bulk":
            url, n, extra = stack.enter_context(pg_schema("ews_bulk")), N_BULK, ["--bulk", "2"]
        else:
            path = tmp_path_factory.mktemp("demo") / "ews.sqlite3"
            url, n, extra = f"sqlite:///{path}", N, []
        env = {"EWS_DATABASE_URL": url, "EWS_ENV": "development",
               "EWS_SECRET_KEY": "demo-test", "EWS_PII_KEY": "demo-test-key"}
        runner = CliRunner()
        got = runner.invoke(main, ["init"], env=env)
        assert got.exit_code == 0, got.output
        got = runner.invoke(main, ["demo", "--assessments", str(n), "--seed", "7",
                                   "--offices", "PMK,SBY,MLG", "--end", "2026-11", *extra],
                            env=env)
        assert got.exit_code == 0, got.output
        assert "scam wave 2026-07" in got.output
        engine = make_engine(url)
        yield engine, env, n
        engine.dispose()


def test_demo_writes_through_the_scorer_with_an_intact_audit_chain(demo_db):
    engine, env, n = demo_db
    with Session(engine) as s:
        assert s.scalar(select(func.count()).select_from(Assessment)) == n
        count, broken = audit.verify(s)
        assert broken is None
        created = s.scalar(select(func.count()).select_from(AuditEvent)
                           .where(AuditEvent.kind == "assessment.created"))
        assert created == n
        row = s.scalars(select(Assessment).where(Assessment.decision_required.is_(True))
                        ).first()
        assert row.result["reasons"] and row.status == "decided"
        assert row.nik_hash and "nik" not in row.answers and "phone" not in row.answers
    got = CliRunner().invoke(main, ["audit", "verify"], env=env)
    assert got.exit_code == 0 and "chain intact" in got.output


def test_demo_is_deterministic_for_a_seed():
    from ews.demo import Window, generate

    first = [c.payload for c in generate(200, Window(12), ("PMK", "SBY"), 7)]
    again = [c.payload for c in generate(200, Window(12), ("PMK", "SBY"), 7)]
    other = [c.payload for c in generate(200, Window(12), ("PMK", "SBY"), 8)]
    assert first == again and first != other


def test_the_same_seed_twice_is_refused(demo_db):
    _, env, n = demo_db
    bulk = ["--bulk", "2"] if n == N_BULK else []
    got = CliRunner().invoke(main, ["demo", "--assessments", str(n), "--seed", "7",
                                    "--offices", "PMK,SBY,MLG", "--end", "2026-11", *bulk],
                             env=env)
    assert got.exit_code != 0 and "already" in got.output


def _report(engine, name):
    with engine.connect() as conn:
        return run(name, conn, WINDOW, pii_key="demo-test-key")


def test_the_planted_network_is_the_largest_group_across_offices(demo_db):
    table = _report(demo_db[0], "networks").table("summary").records()
    largest = table[0]
    assert largest["people"] >= 30 and largest["people"] > table[1]["people"]
    assert largest["offices"] == "MLG, PMK, SBY"
    assert largest["recruiter_phones"] == 2 and largest["agencies"] == 1


def test_the_hotspot_kecamatan_ranks_first(demo_db):
    areas = _report(demo_db[0], "areas")
    first = areas.table("summary").records()[0]
    assert first["kecamatan"] == plan.HOTSPOT_KECAMATAN and first["kecamatan_name"] == "Pakong"
    candidates = areas.table("desa_binaan").records()
    assert candidates[0]["kecamatan_name"] == "Pakong"


def test_the_scam_wave_shows_in_its_month_apart_from_thailand_tourism(demo_db):
    rows = _report(demo_db[0], "destinations").table("scam_by_month").records()
    compounds = {r["month"]: r["KH"] + r["MM"] + r["LA"] + r["PH"] for r in rows}
    assert max(compounds, key=compounds.get) == "2026-07" and compounds["2026-07"] >= 10
    wave = compounds.pop("2026-07")
    assert max(compounds.values()) * 10 < wave  # other months: a few (plan.SCAM_SHARE)
    tourism = {r["month"]: r["TH"] for r in rows}  # Thailand: tourists every month
    assert min(tourism.values()) > 0 and max(tourism, key=tourism.get) != "2026-07"


def test_overview_shows_the_seasonal_peak_and_rates(demo_db):
    overview = _report(demo_db[0], "overview")
    months = overview.table("by_month").records()
    assert max(months, key=lambda r: r["n"])["month"] == "2026-04"
    summary = overview.table("summary").records()[0]
    assert summary["n"] == demo_db[2] and 0 < summary["deferral_rate"] < 0.05


def test_outcomes_and_fairness_and_officers_have_figures(demo_db):
    outcomes = _report(demo_db[0], "outcomes").table("by_rung").records()
    assert sum(r["labelled"] for r in outcomes) > 0
    assert outcomes[3]["precision"] > 0.8  # defer_and_redirect is mostly confirmed
    fairness = _report(demo_db[0], "fairness")
    assert {r["sex"] for r in fairness.table("by_sex").records()} == {"female", "male"}
    hours = _report(demo_db[0], "officers").table("by_hour").records()
    by_hour = {r["hour"]: r["not_asked_rate"] for r in hours if r["n"] > 100}
    assert by_hour[15] > 3 * by_hour[9]  # the planted fatigue signal


def test_demo_rows_have_report_facts_equal_to_their_json(demo_db):
    from tests.test_report_facts import assert_facts_match

    engine, _, n = demo_db
    with engine.connect() as conn:
        assert assert_facts_match(conn) == n


def test_every_index_is_in_place_after_the_demo(demo_db):
    """The bulk writer builds the secondary indexes of an empty database after its COPY: the
    reports and the submission path's history lookups find them all there afterwards."""
    from ews.demo.national import BULK_TABLES
    from ews.store.models import Base

    engine, _, _ = demo_db
    found = inspect(engine)
    for table in BULK_TABLES:
        declared = {ix.name for ix in Base.metadata.tables[table].indexes}
        assert declared <= {ix["name"] for ix in found.get_indexes(table)}, table
