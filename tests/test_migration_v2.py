"""Checklist v2 migrates forward over v1 data: v1 assessments stay readable and re-scorable,
and `ews init` replaces an active rule set that no longer fits the checklist."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest
from sqlalchemy import text

from ews.checklist import stored_record
from ews.checklist.v1 import FIELDS_V1
from ews.engine import load_ruleset
from ews.scoring import score
from ews.store import make_engine
from ews.store.migrate import upgrade
from tests.conftest import seed_supervisor
from tests.reviewer_cases import CASES_V1

V1_RULES = """
ruleset: {id: old-v1, version: "1"}
actions: [proceed, in_depth_interview, supervisor_review, defer_and_redirect, refer_protection]
tracks:
  trafficking:
    bands: [{below: 40, band: low, action: proceed}, {band: high, action: supervisor_review}]
  nonprocedural:
    bands: [{below: 40, band: low, action: proceed}, {band: high, action: supervisor_review}]
indicators:
  - {id: W, track: nonprocedural, severity: strong, points: 50, source: s,
     when: {field: admits_work_intent, eq: true}, label: {id: a, en: a}}
"""


def _v1_row(case_id: str) -> dict:
    answers = {k: v for k, v in CASES_V1[case_id]["answers_v1"].items()
               if k in FIELDS_V1 and FIELDS_V1[k].role != "pii"}
    return {"id": case_id, "answers": json.dumps(answers),
            "features": json.dumps({"is_minor": False, "age_band": "35_44",
                                    "prior_deferral_on_record": True,
                                    "repeat_applications_30d": 0, "phone_shared_30d": 1})}


def test_v1_assessments_survive_the_upgrade_and_rescore(fresh_url):
    url = fresh_url
    upgrade(url, "0001")
    engine = make_engine(url)
    with engine.begin() as conn:
        seed_supervisor(conn)
        conn.execute(text("INSERT INTO rulesets (id, sha256, ruleset_id, version, "
                          "description, text, status, created_at) VALUES "
                          "(1, 'h', 'old-v1', '1', '', :t, 'active', '2026-01-01')"),
                     {"t": V1_RULES})
        for case_id in ("C1-split-tracks", "C5-control-no-escalation"):
            conn.execute(text(
                "INSERT INTO assessments (id, office_code, application_id, answers_hash, "
                "answers, features, result, score, band, rung, action, decision_required, "
                "status, ruleset_sha256, officer_id, interviewed_at, created_at) VALUES "
                "(:id, 'PMK', :id, 'h', :answers, :features, '{}', 50, 'high', 2, "
                "'supervisor_review', true, 'awaiting_review', 'h', 1, '2026-01-01', "
                "'2026-01-01')"), _v1_row(case_id))
    engine.dispose()
    upgrade(url)
    engine = make_engine(url)
    with engine.connect() as conn:
        rows = conn.execute(text("SELECT id, answers, features, checklist_version, version, "
                                 "superseded_by FROM assessments ORDER BY id")).all()
    engine.dispose()
    ruleset = load_ruleset("rules/tppo_pmi.yaml")
    for row in rows:
        assert (row.checklist_version, row.version, row.superseded_by) == (1, 1, None)
        answers = row.answers if isinstance(row.answers, dict) else json.loads(row.answers)
        features = row.features if isinstance(row.features, dict) else \
            json.loads(row.features)
        record = stored_record(answers, features, row.checklist_version)
        assert record["prior_supervisor_decision"] is True  # renamed v1 feature
        case = CASES_V1[row.id]
        rung = score(record, ruleset)["recommended_action"]["rung"]
        assert case["min_rung"] <= rung <= case["max_rung"]


@pytest.mark.skipif(bool(os.environ.get("EWS_TEST_DATABASE_URL")),
                    reason="ews init runs on its own SQLite file")
def test_init_replaces_an_active_rule_set_that_no_longer_fits(tmp_path):
    url = f"sqlite:///{tmp_path / 'old.sqlite3'}"
    upgrade(url, "0001")
    engine = make_engine(url)
    with engine.begin() as conn:
        conn.execute(text("INSERT INTO rulesets (id, sha256, ruleset_id, version, description, "
                          "text, status, created_at) VALUES (1, 'h', 'old-v1', '1', '', :t, "
                          "'active', '2026-01-01')"), {"t": V1_RULES})
    engine.dispose()
    env = {k: v for k, v in os.environ.items() if not k.startswith("EWS_")} | {
        "EWS_DATABASE_URL": url, "EWS_ENV": "development", "EWS_INSTANCE_PATH": str(tmp_path)}
    done = subprocess.run([sys.executable, "-m", "ews.cli", "init"], env=env,
                          capture_output=True, text=True, cwd=tmp_path.parent)
    assert done.returncode == 0, done.stderr
    assert "no longer validates" in done.stdout and "admits_work_intent" in done.stdout
    engine = make_engine(url)
    with engine.connect() as conn:
        active = conn.execute(text("SELECT ruleset_id FROM rulesets WHERE status = 'live'"))
        assert active.scalar_one() == "tppo-pmi-default"
    engine.dispose()
