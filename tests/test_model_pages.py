"""The active model's probability on the pages: supervisors read it as advice with its card's
caveats on the review page; the officer's result page never shows it."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import select

from ews import TEST_ENV
from ews.config import load_config
from ews.demo.frame import demo_frame
from ews.demo.plan import Window
from ews.engine import ruleset_files
from ews.interviews.advice import forget_loaded
from ews.learn import labels
from ews.learn.artefacts import save
from ews.learn.classifier import ChecklistClassifier
from ews.learn.evaluate import evaluate
from ews.lifecycle import models
from ews.lifecycle.compiled import active_compiled
from ews.lifecycle.service import activate_ruleset, register_ruleset
from ews.store.models import Assessment, User
from tests.conftest import DEFAULT_RULES
from tests.evidence import evidence_for
from tests.test_web_pages import form_data, login
from tests.test_workflow_pages import _scam

CAVEAT_ID = "Probabilitas ini adalah saran, bukan keputusan"
PROTECTION_ID = "dirujuk ke layanan perlindungan"
KEY = load_config(TEST_ENV)["MODEL_KEY"]  # the key the `app` fixture checks signatures with

JAN_TO_JUN = Window(6, dt.date(2026, 7, 1))  # the demo's months January-June 2026


@pytest.fixture(scope="module")
def model_dir(tmp_path_factory):
    """Train a small logistic model on planted data and write its artefacts."""
    from ews.engine import load_ruleset
    from ews.learn import time_split

    train, test = time_split(demo_frame(3000, seed=5, risk=10, window=JAN_TO_JUN))
    y = labels(train["outcome"])
    known = y.notna().to_numpy()
    model = ChecklistClassifier("logistic").fit(train[known], y[known])
    ev = evaluate(model, test, load_ruleset(DEFAULT_RULES))
    folder = tmp_path_factory.mktemp("models")
    save(model, folder=folder, version="m-page", trainer="trainer-pst",
         window={"test_from": "2026-05-01", "test_to": "2026-06-30"}, evaluation=ev,
         now=dt.datetime(2026, 7, 1, tzinfo=dt.UTC), key=KEY)
    return folder


def _activate(db, model_dir, mode: str, accounts) -> None:
    """Activate the model (another admin than the submitter) and a rule set in `mode`."""
    analyst = db.get(User, accounts["analyst"].id)
    admin = db.get(User, accounts["admin"].id)
    row = models.submit(db, model_dir / "m-page.manifest.json", analyst, key=KEY)
    models.approve(db, "m-page", admin, key=KEY, evidence=evidence_for(db, row.sha256, "model"))
    models.activate(db, "m-page", admin, key=KEY)
    text, agencies = ruleset_files(DEFAULT_RULES)
    text = text.replace(b"model: {mode: off}", f"model: {{mode: {mode}, threshold: 0.01, "
                        "action: supervisor_review}".encode()).replace(
        b"\n  version: ", f"\n  version: {mode}-".encode(), 1)
    activate_ruleset(db, register_ruleset(db, text, None, agencies=agencies), None)
    db.commit()
    assert active_compiled(db).model_mode == mode
    forget_loaded()


@pytest.mark.parametrize("mode", ["advisory", "escalate"])
def test_supervisor_reads_the_probability_with_caveats_officer_does_not(
        app, client, db, accounts, model_dir, mode):
    _activate(db, model_dir, mode, accounts)
    login(client, accounts["officer"])
    loc = client.post("/interviews/new", data=form_data(_scam())).headers["Location"]
    officer_page = client.get(loc).get_data(as_text=True)
    db.expire_all()
    row = db.scalar(select(Assessment))
    assert row.model_version == "m-page"
    probability = row.result["model"]["probability"]
    assert "data-model-advice" not in officer_page and CAVEAT_ID not in officer_page
    assert "m-page" not in officer_page  # no model name or number for the officer

    supervisor = app.test_client()
    login(supervisor, accounts["supervisor"])
    page = supervisor.get(f"/review/{row.id}").get_data(as_text=True)
    assert f'data-model-mode="{mode}"' in page
    assert f"{probability * 100:.0f}%</strong>" in page
    assert CAVEAT_ID in page and PROTECTION_ID in page
    assert "Probabilitas rendah tidak berarti pemohon aman" in page
    assert "data-model-card" in page and "2026-05-01" in page  # the card's figures
    assert "bersyarat pada adanya hasil akhir yang tercatat" in page
    assert "memiliki hasil akhir yang tercatat" in page  # confirmed among ALL the top share
    if mode == "escalate":
        assert "Model tidak pernah menurunkan tindakan" in page
    else:
        assert "Hanya saran: model tidak mengubah tindakan" in page

    supervisor.post("/language", data={"lang": "en", "next": "/"})
    english = supervisor.get(f"/review/{row.id}").get_data(as_text=True)
    assert "Model advice (for supervisors)" in english
    assert "This probability is advice, not a decision. You decide" in english
    assert "referred for protection" in english


def test_without_an_active_model_the_review_page_shows_no_advice(app, client, db, accounts):
    login(client, accounts["officer"])
    client.post("/interviews/new", data=form_data(_scam()))
    supervisor = app.test_client()
    login(supervisor, accounts["supervisor"])
    row = db.scalar(select(Assessment))
    assert "data-model-advice" not in supervisor.get(f"/review/{row.id}").get_data(as_text=True)
