"""The active model's probability in a real browser: the supervisor's review page shows it
as advice with the card's caveats (accessible, Indonesian without English leaks); the
officer's result page shows nothing of it."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import select

from ews import TEST_ENV
from ews.config import load_config
from ews.demo.frame import demo_frame
from ews.demo.plan import Window
from ews.engine import load_ruleset, ruleset_files
from ews.interviews.advice import forget_loaded
from ews.learn import labels, time_split
from ews.learn.artefacts import save
from ews.learn.classifier import ChecklistClassifier
from ews.learn.evaluate import evaluate
from ews.lifecycle import models
from ews.lifecycle.service import activate_ruleset, register_ruleset
from ews.store.models import User
from ews.store.users import create_token
from tests.checklists import sound_umrah
from tests.conftest import ONLINE_SCAM
from tests.evidence import evidence_for

from .a11y import axe_violations, english_on_page
from .conftest import RULES
from .helpers import TABLET, shoot, sign_in

pytestmark = pytest.mark.browser
KEY = load_config(TEST_ENV)["MODEL_KEY"]  # the key the live server checks signatures with

JAN_TO_JUN = Window(6, dt.date(2026, 7, 1))  # the demo's months January-June 2026


@pytest.fixture(scope="module")
def flagged(live_server, browser, tmp_path_factory) -> str:
    """Activate a trained model in advisory mode, submit a flagged interview; its id."""
    train, test = time_split(demo_frame(3000, seed=5, risk=10, window=JAN_TO_JUN))
    y = labels(train["outcome"])
    known = y.notna().to_numpy()
    model = ChecklistClassifier("logistic").fit(train[known], y[known])
    folder = tmp_path_factory.mktemp("models")
    save(model, folder=folder, version="m-browser", trainer="analyst1",
         window={"test_from": "2026-05-01", "test_to": "2026-06-30"},
         evaluation=evaluate(model, test, load_ruleset(RULES)),
         now=dt.datetime(2026, 7, 1, tzinfo=dt.UTC), key=KEY)
    with live_server.session() as db:
        users = {u.username: u for u in db.scalars(select(User))}
        row = models.submit(db, folder / "m-browser.manifest.json", users["analyst1"], key=KEY)
        models.approve(db, "m-browser", users["admin1"], key=KEY,
                       evidence=evidence_for(db, row.sha256, "model"))
        models.activate(db, "m-browser", users["admin1"], key=KEY)
        text, agencies = ruleset_files(RULES)
        text = text.replace(b"model: {mode: off}", b"model: {mode: advisory, threshold: 0.3, "
                            b"action: supervisor_review}").replace(
            b"\n  version: ", b"\n  version: advisory-", 1)
        activate_ruleset(db, register_ruleset(db, text, None, agencies=agencies), None)
        _, token = create_token(db, users["officer1"], "browser")
        db.commit()
    forget_loaded()
    answers = {k: v for k, v in (sound_umrah(application_id="PMK-2026-014001")
                                 | ONLINE_SCAM).items() if v is not None}
    context = browser.new_context()
    resp = context.request.post(f"{live_server.url}/api/v1/assessments", data=answers,
                                headers={"Authorization": f"Bearer {token}"})
    assert resp.status == 201, resp.text()
    assessment_id = resp.json()["id"]
    context.close()
    return assessment_id


def test_officer_sees_no_model_supervisor_sees_advice_with_caveats(browser, live_server,
                                                                    flagged, screenshots):
    officer = sign_in(browser, live_server.url, "officer1")
    officer.goto(f"{live_server.url}/assessments/{flagged}")
    assert officer.is_visible("[data-action]")
    assert officer.locator("[data-model-advice]").count() == 0
    assert "m-browser" not in officer.content()
    officer.context.close()

    supervisor = sign_in(browser, live_server.url, "supervisor1", TABLET, bypass_csp=True)
    supervisor.goto(f"{live_server.url}/review/{flagged}")
    advice = supervisor.locator("[data-model-advice]")
    assert advice.is_visible()
    assert advice.locator("[data-model-probability]").inner_text().endswith("%")
    text = advice.inner_text()
    assert "Probabilitas ini adalah saran, bukan keputusan" in text
    assert "dirujuk ke layanan perlindungan" in text
    assert "Hanya saran: model tidak mengubah tindakan" in text
    assert advice.locator("[data-model-card]").is_visible()
    advice.scroll_into_view_if_needed()
    shoot(supervisor, screenshots, "review-model-advice")
    assert axe_violations(supervisor) == []
    assert english_on_page(supervisor) == []
    supervisor.context.close()
