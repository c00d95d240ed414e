"""`ews backtest` over a real database: read-only, clear messages, outcomes joined."""

from __future__ import annotations

import json
import shutil

import pytest
import yaml
from click.testing import CliRunner
from sqlalchemy import func, select, text

from ews.cli import main
from ews.engine import load_ruleset
from ews.engine.loader import RuleLoader
from ews.lifecycle.backtest import stored_record
from ews.scoring import score
from ews.store.models import Assessment, AuditHead, Outcome
from tests.conftest import DEFAULT_RULES

TABLES = ("assessments", "outcomes", "rulesets", "audit_events", "shadow_results",
          "lifecycle_evidence")


@pytest.fixture
def cli(database_url, app):
    env = {"EWS_ENV": "production", "EWS_DATABASE_URL": database_url,
           "EWS_SECRET_KEY": "s" * 32, "EWS_PII_KEY": "p" * 32}
    return lambda *args: CliRunner().invoke(main, list(args), env=env)


@pytest.fixture
def stored(client, accounts, payload, db):
    """Four assessments at PMK (two risky, one where a third party speaks), one at SBY;
    outcomes on two of them."""
    ids = []
    for i, (office, extra) in enumerate([("PMK", {}), ("PMK", {"risky": True}),
                                         ("PMK", {"third_party_speaks": True}),
                                         ("PMK", {"risky": True}), ("SBY", {})]):
        who = accounts["officer" if office == "PMK" else "officer_sby"]
        resp = client.post("/api/v1/assessments", headers=who.headers,
                           json=payload(f"BT-{i}", office, nik=f"35280112019{i + 1:05d}", **extra))
        assert resp.status_code == 201, resp.get_json()
        ids.append(resp.get_json()["id"])
    sup = accounts["supervisor"].id
    db.add_all([Outcome(assessment_id=ids[1], outcome="no_information", recorded_by=sup),
                Outcome(assessment_id=ids[1], outcome="confirmed_trafficking", recorded_by=sup),
                Outcome(assessment_id=ids[0], outcome="legitimate_travel_confirmed",
                        recorded_by=sup)])
    db.commit()
    return ids


def counts(engine) -> dict:
    with engine.connect() as conn:
        out = {t: conn.execute(text(f"SELECT COUNT(*) FROM {t}")).scalar() for t in TABLES}
        out["head"] = tuple(conn.execute(select(AuditHead.seq, AuditHead.hash)).one())
    return out


def test_identical_candidate_replays_everything_and_writes_only_its_summary(cli, stored,
                                                                           engine):
    before = counts(engine)
    out = cli("backtest", str(DEFAULT_RULES), "--format", "json")
    assert out.exit_code == 0, out.output
    res = json.loads(out.stdout)
    assert res["rows"] == 5 and res["changed"] == 0 and res["skipped"] == {}
    assert res["labelled"] == 2  # the latest outcome counts: confirmed, not no_information
    assert sum(q["confirmed"] for q in res["quality_baseline"]) == 1
    assert res["flips_by_outcome"] == []
    recall = res["tracks"]["trafficking"]["recall"]
    assert set(recall) == {"estimate", "low", "high", "labels"} and recall["labels"] == 1
    after = counts(engine)
    # the summary an approval may name, and its audit event; nothing else changes
    assert after.pop("lifecycle_evidence") == before.pop("lifecycle_evidence") + 1
    assert after.pop("audit_events") == before.pop("audit_events") + 1
    assert after.pop("head")[0] == before.pop("head")[0] + 1
    assert after == before
    assert "evidence #" in out.stderr


def test_office_and_window_filters(cli, stored, db):
    out = cli("backtest", str(DEFAULT_RULES), "--office", "sby", "--format", "json")
    assert json.loads(out.stdout)["rows"] == 1
    day = db.scalar(select(func.min(Assessment.created_at)))
    out = cli("backtest", str(DEFAULT_RULES), "--from", f"{day:%Y-%m-%d}", "--to",
              f"{day:%Y-%m-%d}")
    assert out.exit_code == 0 and "Rows replayed: 5" in out.output


def test_doubled_points_match_scoring_one_record_at_a_time(cli, stored, tmp_path, db):
    doc = yaml.load(DEFAULT_RULES.read_text(encoding="utf-8"), Loader=RuleLoader)  # noqa: S506
    doc["ruleset"]["version"] = "2026.11.0-x2"
    for ind in doc["indicators"]:
        if not ind.get("protective"):
            ind["points"] = min(100, ind["points"] * 2)
    path = tmp_path / "x2.yaml"
    path.write_text(yaml.safe_dump(doc, sort_keys=False), encoding="utf-8")
    for name in ("p3mi_licensed.csv", "manning_agencies.csv"):  # the lists it names
        shutil.copy(DEFAULT_RULES.parent / name, tmp_path)
    out = cli("backtest", str(path), "--format", "json")
    assert out.exit_code == 0, out.output
    res = json.loads(out.stdout)
    candidate = load_ruleset(path)
    expected = [[0] * 5 for _ in range(5)]
    for row in db.scalars(select(Assessment)):
        record = stored_record(row.answers, row.features, row.checklist_version)
        after = score(record, candidate)  # agency_licence as stored, like the backtest
        expected[row.rung][after["recommended_action"]["rung"]] += 1
    assert res["flips"] == expected and res["changed"] == 1
    assert [(f["office_code"], f["before"], f["after"], f["examples"])
            for f in res["office_flips"]] == [("PMK", "proceed", "in_depth_interview",
                                               [stored[2]])]


def test_empty_window_and_unknown_version_say_so(cli, stored):
    out = cli("backtest", str(DEFAULT_RULES), "--from", "2001-01-01", "--to", "2001-01-31")
    assert out.exit_code == 1
    assert "no stored assessments from 2001-01-01 before 2001-02-01" in out.output
    out = cli("backtest", str(DEFAULT_RULES), "--against", "nope@9")
    assert out.exit_code == 1 and "no rule-set version 'nope@9'" in out.output
    out = cli("backtest", str(DEFAULT_RULES), "--office", "XX")
    assert out.exit_code == 1 and "at office XX" in out.output


def test_parallel_parts_give_the_same_figures(stored, db):
    from ews.engine import load_ruleset
    from ews.lifecycle.run import run_backtest

    candidate = load_ruleset(DEFAULT_RULES)
    one = run_backtest(db, candidate, workers=1)
    three = run_backtest(db, candidate, workers=3)
    assert one == three and one.rows == 5


def test_backtest_api(client, stored, accounts):
    live = client.get("/api/v1/rulesets/active", headers=accounts["analyst"].headers).get_json()
    url = f"/api/v1/rulesets/{live['id']}/backtest"
    resp = client.post(url, json={}, headers=accounts["analyst"].headers)
    assert resp.status_code == 200, resp.get_json()
    body = resp.get_json()
    assert body["rows"] == 5 and body["changed"] == 0 and body["actions"]["proceed"][0] >= 1
    resp = client.post(url, json={"since": "2001-01-01T00:00:00Z",
                                  "until": "2001-02-01T00:00:00Z"},
                       headers=accounts["analyst"].headers)
    assert resp.status_code == 422 and "no stored assessments" in resp.get_json()["detail"]
    resp = client.post(url, json={"against": "nope@1"}, headers=accounts["analyst"].headers)
    assert resp.status_code == 404 and "no rule-set version 'nope@1'" in \
        resp.get_json()["detail"]
    resp = client.post(url, json={}, headers=accounts["officer"].headers)
    assert resp.status_code == 403


@pytest.mark.parametrize("parts", [2, 3, 7])
def test_time_parts_cover_every_row_once_in_order(stored, db, parts):
    from ews.store.replay import split_times, stored_chunks

    whole = [i for c in stored_chunks(db, chunk=2) for i in c.ids]
    ranges = split_times(db, parts)
    assert len(ranges) <= parts and ranges[0][0] is None and ranges[-1][1] is None
    assert all(a[1] == b[0] for a, b in zip(ranges, ranges[1:], strict=False))
    pieces = [i for part in ranges for c in stored_chunks(db, chunk=2, part=part)
              for i in c.ids]
    assert pieces == whole and sorted(whole) == sorted(stored)  # oldest first, each once
