"""Issue 10 in a real browser: draft -> submit -> backtest -> approve (another analyst)
-> activate (an admin) -> rollback, with the refusals an analyst would meet on the way."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from ews.auth.passwords import hash_password
from ews.checklist import validate_checklist
from ews.engine import load_ruleset
from ews.interviews import submit
from ews.lifecycle.compiled import active_compiled
from ews.store.models import RuleSetRecord, User
from ews.store.users import create_user
from tests.checklists import clock, sound_umrah

from .a11y import english_on_page
from .conftest import PASSWORD, RULES

pytestmark = pytest.mark.browser
DEFAULT = load_ruleset(RULES).version
PEOPLE = (("rl-analyst1", "analyst"), ("rl-analyst2", "analyst"), ("rl-admin1", "admin"))


@pytest.fixture(scope="module")
def world(live_server):
    """Two analysts and an admin, and three stored assessments to backtest over."""
    with live_server.session() as db:
        digest = hash_password(PASSWORD)
        for name, role in PEOPLE:
            create_user(db, name, role, "PST", digest)
        db.commit()
        officer = db.scalar(select(User).where(User.username == "officer1"))
        ruleset = active_compiled(db)
        risks = [{}, {"return_ticket": "not_booked"}, {"offer_unrealistic": True}]
        for n, extra in enumerate(risks):
            record = validate_checklist(sound_umrah(application_id=f"PMK-BT-{n}",
                                                    nik=f"35280112019{n + 1:05d}", **extra),
                                        now=clock())
            submit(db, record, user=officer, ruleset=ruleset, pii_key="browser-pii-key")
    return live_server


def sign_in(browser, base: str, username: str):
    context = browser.new_context(viewport={"width": 1280, "height": 800}, locale="en-GB")
    page = context.new_page()
    page.goto(f"{base}/login")
    page.fill('[name="username"]', username)
    page.fill('[name="password"]', PASSWORD)
    with page.expect_navigation():
        page.click(".login-form [data-submit]")
    assert "/login" not in page.url
    return page


def step(page, action: str, reason: str = "") -> None:
    form = page.locator(f'form[data-step="{action}"]')
    if reason:
        form.locator('[name="reason"]').fill(reason)
    with page.expect_navigation():
        form.locator('button[type="submit"]').click()


def test_draft_review_backtest_activate_rollback(browser, world, screenshots):
    base = world.url
    author = sign_in(browser, base, "rl-analyst1")
    author.goto(f"{base}/rules")
    with author.expect_navigation():
        author.click("[data-new-draft]")
    live_text = author.input_value("#text")
    doubled = live_text.replace(f"version: {DEFAULT}", "version: 9999.1")
    # an invalid save first: the error names its line, nothing is stored
    author.fill("#text", doubled.replace("ruleset:", "rulset:", 1))
    with author.expect_navigation():
        author.click("[data-save]")
    assert author.locator("[data-errors] li").count() >= 1
    assert "unknown key 'rulset'" in author.inner_text("[data-errors]")
    author.fill("#text", doubled.replace("points: 20", "points: 40"))
    with author.expect_navigation():
        author.click("[data-save]")
    assert author.get_attribute("[data-state]", "data-state") == "draft"
    assert author.locator("[data-semantic-diff] tr").count() >= 2
    author.screenshot(path=str(screenshots / "rules-draft.png"), full_page=True)
    draft_url = author.url

    step(author, "submit")
    assert author.get_attribute("[data-state]", "data-state") == "in_review"
    assert "ditinjau" in author.inner_text("[data-flash]")  # the state's name, not its id
    assert english_on_page(author, "[data-flash]") == []
    assert english_on_page(author, "[data-history]") == []
    assert author.locator('form[data-step="approve"]').count() == 0  # not for the author
    with author.expect_navigation():
        author.click("[data-backtest]")
    assert author.text_content("[data-rows]").strip() == "3"
    assert author.locator(".notice-warn li").count() >= 1  # too few outcomes: warned
    assert english_on_page(author) == []
    author.screenshot(path=str(screenshots / "rules-backtest.png"), full_page=True)

    checker = sign_in(browser, base, "rl-analyst2")
    checker.goto(draft_url)
    step(checker, "approve", "backtest shows only the expected flips")
    assert checker.get_attribute("[data-state]", "data-state") == "approved"
    assert checker.locator('form[data-step="activate"]').count() == 0  # admins activate

    admin = sign_in(browser, base, "rl-admin1")
    admin.goto(draft_url)
    step(admin, "activate", "approved and backtested")
    assert admin.get_attribute("[data-state]", "data-state") == "live"

    with world.session() as db:
        default = db.scalar(select(RuleSetRecord).where(RuleSetRecord.version == DEFAULT))
        assert default.status == "retired"
    admin.goto(f"{base}/rules/{default.id}")
    step(admin, "rollback", "too many referrals in the first hour")
    assert admin.get_attribute("[data-state]", "data-state") == "live"
    assert "too many referrals" in admin.inner_text("[data-history]")
    assert "Dipasang oleh sistem" in admin.inner_text("[data-history]")
    admin.goto(f"{base}/rules")
    states = {admin.get_attribute(f"tr[data-version='{v}']", "data-state")
              for v in (DEFAULT, "9999.1")}
    assert states == {"live", "retired"}
    assert admin.get_attribute(f"tr[data-version='{DEFAULT}']", "data-state") == "live"
