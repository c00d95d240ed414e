"""Issue 13 acceptance in a real browser, at 1024x768 and 800x1280.

After the decision (officer sees it, no second form), finding a decided case by its number
and recording its outcome, the role menus (no link leads to a 403), the header, touch
targets and the sticky bar (axe-core and English on every page: test_tablet_walk). The
tests run in file order and share one server.
"""

from __future__ import annotations

import datetime as dt
import os
from pathlib import Path

import pytest
from sqlalchemy import select, update

from ews.store.models import Assessment, Outcome, User
from ews.store.users import create_token
from tests.checklists import sound_umrah
from tests.conftest import ONLINE_SCAM

from .a11y import header_rows, small_targets, weak_borders
from .helpers import SIZES, sign_in

pytestmark = pytest.mark.browser
FLAGGED, SOUND, SECOND = "PMK-2026-013001", "PMK-2026-013002", "PMK-2026-013003"
DOCS_IMG = Path(__file__).resolve().parents[2] / "docs" / "img"
# Per user: the menu entries allowed in order, and those that must be there (pages built
# elsewhere - reports, rule sets, users, audit - appear once the application has them).
MENUS = {"officer1": ["today", "new"], "supervisor1": ["today", "new", "queue", "history"],
         "analyst1": ["reports", "history", "rules"],
         "admin1": ["users", "reports", "rules", "audit"]}
ALWAYS = {"officer1": ["today", "new"], "supervisor1": ["today", "new", "queue", "history"],
          "analyst1": ["history"], "admin1": []}


def doc_shot(page, name: str) -> None:
    """Save a small screenshot for the user guides when EWS_DOC_SCREENSHOTS=1."""
    if os.environ.get("EWS_DOC_SCREENSHOTS") == "1":
        DOCS_IMG.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(DOCS_IMG / f"{name}.png"), type="png")


@pytest.fixture(scope="module")
def ids(live_server, browser) -> dict:
    """Submit a flagged and a sound interview as officer1 (API token); return their ids."""
    with live_server.session() as db:
        user = db.scalar(select(User).where(User.username == "officer1"))
        _, token = create_token(db, user, "browser")
        db.commit()
    context = browser.new_context()
    out = {}
    for app_id, risky in ((FLAGGED, True), (SOUND, False), (SECOND, True)):
        answers = sound_umrah(application_id=app_id, nik="3528011201900013")
        if risky:
            answers = {k: v for k, v in (answers | ONLINE_SCAM).items() if v is not None}
        resp = context.request.post(f"{live_server.url}/api/v1/assessments", data=answers,
                                    headers={"Authorization": f"Bearer {token}"})
        assert resp.status == 201, resp.text()
        out[app_id] = resp.json()["id"]
    context.close()
    return out


@pytest.mark.parametrize("size", SIZES)
def test_officer_sees_the_decision_instead_of_the_banner(browser, live_server, ids, size):
    officer = sign_in(browser, live_server.url, "officer1", SIZES[size])
    url = f"{live_server.url}/assessments/{ids[FLAGGED]}"
    if size == "1024x768":  # the first run decides; the second only looks again
        officer.goto(url)
        assert officer.is_visible("[data-held]")
        assert officer.locator('[name="decision"]').count() == 0
        doc_shot(officer, "officer-result-waiting")
        supervisor = sign_in(browser, live_server.url, "supervisor1", SIZES[size])
        supervisor.goto(f"{live_server.url}/review")
        doc_shot(supervisor, "supervisor-queue")
        supervisor.goto(f"{live_server.url}/review/{ids[FLAGGED]}")
        # the decision form comes right after the action, before the reasons
        order = supervisor.evaluate("""() => ['.action-panel', '#decision', '#reasons',
            '#answers', '#person-history', '#outcome'].map(s =>
            document.querySelector(s).getBoundingClientRect().top)""")
        assert order == sorted(order)
        assert order[1] < 768  # the decision starts on the first screen at 1024x768
        assert supervisor.locator("#reasons details [data-indicator]").count() >= 1
        with supervisor.expect_navigation():
            supervisor.click("[data-take]")
        doc_shot(supervisor, "supervisor-review")
        supervisor.check('input[name="decision"][value="redirected"]')
        supervisor.fill('[name="reason"]', "Tawaran kerja melalui media sosial")
        with supervisor.expect_navigation():
            supervisor.click(".decision-form [data-submit]")
        assert supervisor.evaluate("document.activeElement.dataset.flash") == "success"
        supervisor.context.close()
    officer.goto(url)
    assert officer.locator("[data-held]").count() == 0
    recorded = officer.locator("[data-recorded-decision]")
    assert recorded.get_attribute("data-recorded-decision") == "redirected"
    assert "supervisor1" in recorded.inner_text()
    assert "Tawaran kerja melalui media sosial" in recorded.inner_text()
    assert officer.locator('[name="decision"]').count() == 0  # no second decision form
    if size == "1024x768":
        doc_shot(officer, "officer-result-decided")
    officer.context.close()


@pytest.mark.parametrize("size", SIZES)
def test_supervisor_finds_a_decided_case_and_records_its_outcome(browser, live_server, ids,
                                                                 size):
    page = sign_in(browser, live_server.url, "supervisor1", SIZES[size])
    page.click('[data-nav="history"]')
    page.fill('[name="application_id"]', FLAGGED[-6:].lower())
    with page.expect_navigation():
        page.click('.filters button[type="submit"]')
    rows = page.locator("tr[data-application]")
    assert [r.get_attribute("data-application") for r in rows.all()] == [FLAGGED]
    if size == "1024x768":
        doc_shot(page, "supervisor-case-history")
    with page.expect_navigation():
        rows.first.locator("a").first.click()
    page.click("[data-jump-outcome]")  # from the top of the page
    assert page.evaluate("location.hash") == "#outcome"
    assert page.locator('#outcome input[name="outcome"]').first.is_visible()
    page.check('input[name="outcome"][value="no_information"]')
    page.fill('[name="notes"]', f"catatan {size}")
    with page.expect_navigation():
        page.click("#outcome [data-submit]")
    assert page.locator(f'#outcome [data-outcome="no_information"]:has-text("{size}")').count()
    with live_server.session() as db:
        assert db.scalar(select(Outcome).where(Outcome.notes == f"catatan {size}")) is not None
    page.context.close()


def test_waiting_for_an_outcome(browser, live_server, ids):
    page = sign_in(browser, live_server.url, "officer1", SIZES["1024x768"])
    page.goto(f"{live_server.url}/assessments/{ids[SOUND]}")
    with page.expect_navigation():
        page.click("[data-quick-decision] [data-submit]")  # one tap on rung 0
    assert page.locator('[data-recorded-decision="issued"]').count() == 1
    assert "Tidak ada indikator risiko" in page.inner_text("[data-recorded-decision]")
    page.context.close()
    with live_server.session() as db:
        db.execute(update(Assessment).where(Assessment.id == ids[SOUND]).values(
            decided_at=dt.datetime.now(dt.UTC) - dt.timedelta(days=40)))
        db.commit()
    page = sign_in(browser, live_server.url, "analyst1", SIZES["1024x768"])
    assert page.url.endswith("/reports")  # the analyst's work starts at the reports
    page.goto(f"{live_server.url}/review/cases")
    with page.expect_navigation():
        page.click("[data-waiting]")
    apps = [r.get_attribute("data-application") for r in page.locator("tr[data-application]")
            .all()]
    assert apps == [SOUND]  # the flagged case has its outcome already
    doc_shot(page, "analyst-waiting-for-outcome")
    page.context.close()


@pytest.mark.parametrize("size", SIZES)
@pytest.mark.parametrize("username", MENUS)
def test_role_menus_lead_only_to_usable_pages(browser, live_server, ids, username, size):
    page = sign_in(browser, live_server.url, username, SIZES[size])
    keys = [a.get_attribute("data-nav") for a in page.locator(".mainnav a").all()]
    assert keys == [k for k in MENUS[username] if k in keys]
    assert set(ALWAYS[username]) <= set(keys)
    hrefs = [a.get_attribute("href") for a in page.locator(".mainnav a, .brand").all()]
    for href in hrefs:
        response = page.goto(live_server.url + href)
        assert response.status == 200, (username, href, response.status)
    page.goto(live_server.url + "/")
    if size == "1024x768" and username != "analyst1":
        doc_shot(page, f"home-{username.rstrip('1')}")
    if username in ("analyst1", "admin1"):
        assert page.locator('a[href="/interviews/new"]').count() == 0
    page.context.close()


@pytest.mark.parametrize("size", SIZES)
@pytest.mark.parametrize("lang", ["id", "en"])
def test_header_is_one_row_at_1024_and_targets_are_44px(browser, live_server, ids, lang, size):
    page = sign_in(browser, live_server.url, "supervisor1", SIZES[size], lang=lang)
    for path in ("/", "/interviews/new", "/review", "/review/cases?outcome=missing",
                 f"/review/{ids[FLAGGED]}", f"/assessments/{ids[SOUND]}"):
        page.goto(live_server.url + path)
        if size == "1024x768":
            assert header_rows(page) == 1, (lang, path)
            assert page.evaluate("document.querySelector('.topbar').offsetHeight") <= 64
        width = page.evaluate("document.documentElement.scrollWidth")
        assert width <= SIZES[size]["width"], (path, width)  # no sideways scrolling
        page.evaluate("document.querySelectorAll('details').forEach(d => d.open = true)")
        assert small_targets(page) == [], (lang, path)
        assert weak_borders(page) == [], (lang, path)
        ids_wrapped = page.evaluate("""() => [...document.querySelectorAll('.appno')]
            .filter(e => e.getClientRects().length > 1).map(e => e.textContent)""")
        assert ids_wrapped == [], path
    page.context.close()


def test_after_sending_the_form_focus_is_on_the_result(browser, live_server):
    page = sign_in(browser, live_server.url, "officer1", SIZES["1024x768"])
    page.goto(f"{live_server.url}/interviews/new")
    page.fill('[name="application_id"]', "PMK-2026-013010")
    page.check('input[name="purpose"][value="tourism"]')
    page.fill('[name="destination_country"]', "SG")
    page.click("[data-submit]")
    page.click("[data-store]")
    page.wait_for_url("**/assessments/**")
    page.wait_for_selector("[data-action]")
    focused = page.evaluate("document.activeElement.className")
    assert "action-panel" in focused  # read out: the recommended action
    page.context.close()


def test_decision_errors_are_focused_announced_and_marked(browser, live_server, ids):
    page = sign_in(browser, live_server.url, "supervisor1", SIZES["1024x768"])
    page.goto(f"{live_server.url}/review/{ids[SECOND]}")
    with page.expect_navigation():
        page.click("[data-take]")
    with page.expect_navigation():
        page.click(".decision-form [data-submit]")  # nothing chosen, no reason
    assert page.evaluate("document.activeElement.id") == "decision-errors"
    assert page.get_attribute("#decision-errors", "role") == "alert"
    radios = page.locator('input[name="decision"]')
    assert all(r.get_attribute("aria-invalid") == "true" for r in radios.all())
    assert page.get_attribute("#in-reason", "aria-invalid") == "true"
    assert "Wajib diisi." in page.inner_text("#decision")
    page.context.close()


@pytest.mark.parametrize("size", SIZES)
def test_nothing_focused_hides_under_the_sticky_bar(browser, live_server, size):
    page = sign_in(browser, live_server.url, "officer1", SIZES[size])
    page.goto(f"{live_server.url}/interviews/new")
    if size == "1024x768":
        doc_shot(page, "officer-interview-form")
    hidden = []
    for _ in range(120):
        page.keyboard.press("Tab")
        state = page.evaluate("""() => {
          const el = document.activeElement, bar = document.querySelector('.submit-bar');
          if (!el || el === document.body || bar.contains(el)) return null;
          const target = el.closest('.chip') || el;
          const r = target.getBoundingClientRect(), b = bar.getBoundingClientRect();
          return [el.name || el.textContent.trim().slice(0, 30), r.bottom, b.top, r.top];
        }""")
        if state and (state[1] > state[2] + 1 or state[3] < 0):
            hidden.append(state)
    assert hidden == []
    padding = page.evaluate("getComputedStyle(document.documentElement).scrollPaddingBottom")
    assert padding not in ("auto", "0px")
    page.context.close()
