"""Issue 20, C1 end to end: a hostile model is active and the rule set asks for advice.

Submissions and `/score` still answer, scored by the rules alone; `/readyz` stays ready and
says the model is unavailable; the log says so once; the review page shows no advice; the
payload never runs. A model signed here is served (its version in `/readyz`).
"""

from __future__ import annotations

import logging

import pytest
from sqlalchemy import select

from ews import TEST_ENV
from ews.config import load_config, model_key
from ews.engine import ruleset_files
from ews.interviews.advice import forget_loaded
from ews.learn.classifier import ChecklistClassifier
from ews.lifecycle.compiled import active_compiled
from ews.lifecycle.service import activate_ruleset, register_ruleset
from ews.store.models import Assessment, ModelRecord
from ews.store.trust import dumps
from tests.conftest import DEFAULT_RULES
from tests.test_web_pages import login

from .model_artefacts import evil_pickle, fitted_model, hostile, trained

KEY = load_config(TEST_ENV)["MODEL_KEY"]  # the key the `app` fixture checks signatures with


@pytest.fixture(scope="module")
def model():
    return fitted_model()


@pytest.fixture
def refusals():
    """Collect the `ews.models` log lines (the app's logger does not propagate to caplog)."""
    lines: list[str] = []
    handler = logging.Handler(logging.INFO)
    handler.emit = lambda record: lines.append(record.getMessage())
    logger = logging.getLogger("ews.models")
    logger.addHandler(handler)
    forget_loaded()
    yield lines
    logger.removeHandler(handler)
    forget_loaded()


def _live(db, manifest: dict, path, submitter: int) -> None:
    """Make the model of `manifest` the active one, as if every step had been passed."""
    db.add(ModelRecord(version=manifest["version"], sha256=manifest["sha256"], path=str(path),
                       estimator="logistic", manifest=manifest, status="active",
                       submitted_by=submitter))
    db.commit()


def _advisory(db) -> None:
    text, agencies = ruleset_files(DEFAULT_RULES)
    text = text.replace(b"model: {mode: off}", b"model: {mode: advisory, threshold: 0.01, "
                        b"action: supervisor_review}").replace(
        b"\n  version: ", b"\n  version: advisory-", 1)
    activate_ruleset(db, register_ruleset(db, text, None, agencies=agencies), None)
    db.commit()
    assert active_compiled(db).model_mode == "advisory"


@pytest.mark.parametrize("kind", ["unsigned pickle", "pickle signed elsewhere",
                                  "model signed elsewhere"])
def test_a_hostile_active_model_leaves_the_rules_scoring(app, client, db, accounts, payload,
                                                         tmp_path, model, refusals, kind):
    marker = tmp_path / "ran"
    other = model_key("another installation's secret")
    if kind == "model signed elsewhere":
        manifest = trained(model, tmp_path, "evil", other)
        path = tmp_path / "evil.skops"
    else:
        manifest = hostile(tmp_path, "evil", evil_pickle(marker),
                           key=other if "signed" in kind else None,
                           **({"format": "skops"} if "signed" in kind else {}))
        path = tmp_path / "evil.joblib"
    _live(db, manifest, path, accounts["analyst"].id)
    _advisory(db)

    first = client.post("/api/v1/assessments", json=payload(risky=True),
                        headers=accounts["officer"].headers)
    assert first.status_code == 201, first.get_data(as_text=True)
    assert first.json["model"] is None
    assert first.json["recommended_action"]["rung"] >= 2  # the rules still flag it
    second = client.post("/api/v1/assessments", json=payload("PMK-2026-000102"),
                         headers=accounts["officer"].headers)
    assert second.status_code == 201 and second.json["model"] is None
    scored = client.post("/api/v1/score", json=payload("PMK-2026-000103", risky=True),
                         headers=accounts["officer"].headers)
    assert scored.status_code == 200 and scored.json["model"] is None
    ready = client.get("/readyz")
    assert ready.status_code == 200 and ready.json["checks"]["model"] == "unavailable"

    refused = [line for line in refusals if "refused" in line]
    assert len(refused) == 1, refusals  # once per load, not per request
    assert refused[0].startswith("model evil refused, scoring with the rules alone")
    assert payload()["nik"] not in refused[0]
    db.expire_all()
    row = db.scalar(select(Assessment).where(Assessment.application_id == "PMK-2026-000101"))
    assert row.model_version is None
    supervisor = app.test_client()
    login(supervisor, accounts["supervisor"])
    page = supervisor.get(f"/review/{row.id}")
    assert page.status_code == 200 and "data-model-advice" not in page.get_data(as_text=True)
    assert not marker.exists()


def test_a_model_signed_here_advises_and_readyz_names_it(client, db, accounts, payload,
                                                        tmp_path, model, refusals):
    assert "model" not in client.get("/readyz").json["checks"]  # mode off: not asked
    _advisory(db)
    assert client.get("/readyz").json["checks"]["model"] == "none"
    manifest = trained(model, tmp_path, "m-good", KEY)
    _live(db, manifest, tmp_path / "m-good.skops", accounts["analyst"].id)
    resp = client.post("/api/v1/assessments", json=payload(risky=True),
                       headers=accounts["officer"].headers)
    assert resp.status_code == 201
    assert resp.json["model"]["version"] == "m-good" and resp.json["model"]["mode"] == "advisory"
    ready = client.get("/readyz")
    assert ready.status_code == 200 and ready.json["checks"]["model"] == "m-good"
    assert refusals == [f"model m-good loaded (sha256 {manifest['sha256'][:12]})"]


def test_a_signed_model_that_fails_while_scoring_leaves_the_rules(client, db, accounts,
                                                                  payload, tmp_path, refusals):
    """An unfitted classifier, signed here: it loads, then raises on its first record."""
    manifest = hostile(tmp_path, "unfit", dumps(ChecklistClassifier()), key=KEY,
                       format="skops")
    _live(db, manifest, tmp_path / "unfit.joblib", accounts["analyst"].id)
    _advisory(db)
    for n in (101, 102):
        resp = client.post("/api/v1/assessments", json=payload(f"PMK-2026-000{n}", risky=True),
                           headers=accounts["officer"].headers)
        assert resp.status_code == 201 and resp.json["model"] is None
    assert client.get("/readyz").json["checks"]["model"] == "unavailable"
    failed = [line for line in refusals if "failed while scoring" in line]
    assert failed == ["model unfit failed while scoring (NotFittedError); scoring with the "
                      "rules alone until another model is active or the service restarts"]
