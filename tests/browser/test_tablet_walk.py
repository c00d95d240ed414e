"""Issue 24 point 6: every page of every role, on a touch tablet held both ways, both languages.

One walk per language over the pages of the officer, supervisor, analyst (every report, rule
set, backtest and shadow page), admin and front desk, and the sign-in and error pages, each
measured in both orientations of a touch tablet (800x1280 portrait, 1280x800 landscape): every
visible control at least 44x44 CSS px, no sideways scrolling, axe-core (WCAG 2.1 AA) without
violations, no empty table header, and no English word on the Indonesian pages. Each page's
findings are collected and printed before the asserts, so one run reports them all."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import select

from ews.auth.passwords import hash_password
from ews.checklist import validate_checklist
from ews.demo import Window, run
from ews.engine import load_ruleset, ruleset_files
from ews.interviews.submit import submit_at_office
from ews.lifecycle.service import register_ruleset
from ews.reports import REPORTS
from ews.store.models import RuleSetRecord, User
from ews.store.users import create_user
from tests.checklists import clock, sound_umrah
from tests.conftest import ONLINE_SCAM

from .a11y import axe_violations, english_on_page, small_targets
from .conftest import PASSWORD, RULES

pytestmark = pytest.mark.browser
ORIENTATIONS = {"portrait": {"width": 800, "height": 1280},
                "landscape": {"width": 1280, "height": 800}}
PERIOD = "?from=2025-11-01&to=2026-10-31"
# /api/docs is Swagger UI, served unchanged (see test_workflow): axe checks the page around it.
THIRD_PARTY = {"/api/docs": ("#swagger-ui",)}
ERRORS = {"/login": 200, "/no-such-page": 404, "/review/cases?decided_from=99/99/2026": 422}


@pytest.fixture(scope="module")
def pages(live_server) -> dict[str, list[str]]:
    """Fill the server (demo interviews, a front-desk user, a draft rule set); return the
    pages of every user."""
    with live_server.session() as db:
        create_user(db, "intake1", "intake", "PMK", hash_password(PASSWORD))
        db.commit()
        run(db, n=300, window=Window(12, dt.date(2026, 11, 1)), offices=("PMK", "SBY"),
            seed=7, pii_key="browser-pii-key", password=PASSWORD)
        text, agencies = ruleset_files(RULES)
        text = text.replace(f"version: {load_ruleset(RULES).version}".encode(),
                            b"version: 9999.1").replace(b"points: 20", b"points: 40", 1)
        draft = register_ruleset(db, text, None, source="draft", agencies=agencies)
        db.commit()
        live = db.scalar(select(RuleSetRecord.id).where(RuleSetRecord.status == "live"))
        officer = db.scalar(select(User).where(User.username == "officer1"))
        flagged, sound = (_interview(db, officer, n, extra)
                          for n, extra in ((1, ONLINE_SCAM), (2, {})))
        db.commit()
        admin_id = db.scalar(select(User.id).where(User.username == "admin1"))
    reports = {role: [f"/reports/{name}{PERIOD}" for name, spec in REPORTS.items()
                      if role in spec.roles] for role in ("analyst", "supervisor")}
    return {
        "officer1": ["/", "/interviews/new", f"/assessments/{sound.id}",
                     f"/assessments/{flagged.id}", "/password", "/no-such-page"],
        "supervisor1": ["/", "/review", f"/review/{flagged.id}", "/review/cases",
                        "/review/cases?decided_from=99/99/2026", "/review/samples",
                        *(r for r in reports["supervisor"] if r not in reports["analyst"])],
        "analyst1": ["/reports", *reports["analyst"], "/reports/quarterly",
                     "/review/cases?waiting_days=30", "/rules", f"/rules/{live}",
                     f"/rules/{draft.id}", "/rules/new", f"/rules/{draft.id}/backtest",
                     f"/rules/{draft.id}/shadow", "/api/docs"],
        "admin1": ["/admin/users", f"/admin/users/{admin_id}", "/rules"],
        "intake1": ["/"],
    }


def _interview(db, officer: User, n: int, extra: dict):
    """Store an interview of officer1 (a sound umrah with `extra` answers); return it."""
    answers = sound_umrah(application_id=f"PMK-2026-0240{n}", nik=f"352801120190{n:04d}")
    record = validate_checklist({k: v for k, v in (answers | extra).items() if v is not None},
                                now=clock())
    return submit_at_office(db, record, user=officer, pii_key="browser-pii-key").assessment


def _sign_in(browser, base: str, username: str, lang: str):
    """Return a touch tablet's page signed in as `username` ("-": nobody) in `lang`."""
    context = browser.new_context(viewport=ORIENTATIONS["portrait"], has_touch=True,
                                  bypass_csp=True, locale="id-ID")  # to inject axe-core
    page = context.new_page()
    page.goto(f"{base}/login")
    if username != "-":
        page.fill('[name="username"]', username)
        page.fill('[name="password"]', PASSWORD)
        with page.expect_navigation():
            page.click(".login-form [data-submit]")
        assert "/login" not in page.url
    if lang != "id":
        with page.expect_navigation():
            page.click(f'.lang-switch button[value="{lang}"]')
    return page


def _check(page, path: str, lang: str, shots) -> list[str]:
    """Return what is wrong with the page in each orientation (English: once)."""
    if path == "/api/docs":
        page.wait_for_selector(".swagger-ui .info")
    else:
        page.evaluate("document.querySelectorAll('details').forEach(d => d.open = true)")
    found = []
    for orientation, viewport in ORIENTATIONS.items():
        page.set_viewport_size(viewport)
        # A person turns the tablet and then reads: let the page's resize handlers run first
        # (they run before the next animation frame's callbacks).
        page.evaluate("() => new Promise(r => requestAnimationFrame("
                      "() => requestAnimationFrame(r)))")
        if path.endswith("/backtest"):
            page.screenshot(path=str(shots / f"backtest-{lang}-{orientation}.png"),
                            full_page=True)
        found += [f"{orientation}: axe {v}" for v in
                  axe_violations(page, THIRD_PARTY.get(path, ()))]
        if path != "/api/docs":
            found += [f"{orientation}: small {t}" for t in small_targets(page)]
        scroll = page.evaluate("document.documentElement.scrollWidth")
        if scroll > viewport["width"]:
            found.append(f"{orientation}: sideways {scroll}px")
    if path != "/api/docs":  # axe's empty-table-header (a best practice, not a WCAG tag)
        empty = page.evaluate("[...document.querySelectorAll('th')]"
                              ".filter(th => !th.textContent.trim()).length")
        found += [f"{empty} empty table headers"] if empty else []
    if lang == "id" and path != "/api/docs":
        found += [f"english {w}" for w in english_on_page(page)]
    return found


@pytest.mark.parametrize("lang", ["id", "en"])
def test_every_page_fits_a_touch_tablet(browser, live_server, pages, lang, screenshots):
    results: dict[str, list[str]] = {}
    for username, paths in (("-", ["/login"]), *pages.items()):
        page = _sign_in(browser, live_server.url, username, lang)
        for path in paths:
            response = page.goto(live_server.url + path)
            assert response.status == ERRORS.get(path, 200), path
            results[f"{username} {path}"] = _check(page, path, lang, screenshots)
        page.context.close()
    for key, found in results.items():
        print(lang, key, *(found or ["ok"]), sep="\n  " if found else " ")
    assert {k: v for k, v in results.items() if v} == {}
