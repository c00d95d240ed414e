"""Every report page opens in Chromium for an analyst and a supervisor, charts drawn, no errors."""

from __future__ import annotations

import datetime as dt

import pytest

from ews.auth.passwords import hash_password
from ews.demo import Window, run
from ews.reports import REPORTS
from ews.store.users import create_user, user_by_name

from .conftest import PASSWORD
from .test_officer_supervisor import sign_in

pytestmark = pytest.mark.browser
PERIOD = "?from=2025-11-01&to=2026-10-31"


@pytest.fixture(scope="module")
def with_demo(live_server):
    """Add 600 demo interviews at PMK and SBY to the live server (and an analyst if missing)."""
    with live_server.session() as db:
        if user_by_name(db, "analyst1") is None:
            create_user(db, "analyst1", "analyst", "PST", hash_password(PASSWORD))
            db.commit()
        run(db, n=600, window=Window(12, dt.date(2026, 11, 1)), offices=("PMK", "SBY"),
            seed=5, pii_key="browser-pii-key", password=PASSWORD)
    return live_server


@pytest.mark.parametrize("username", ["analyst1", "supervisor1"])
def test_every_report_page_opens(browser, with_demo, username, screenshots):
    page = sign_in(browser, with_demo.url, username)
    errors = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    requests = []
    page.on("request", lambda r: requests.append(r.url))
    page.goto(f"{with_demo.url}/reports")
    links = page.locator("[data-report]").evaluate_all("els => els.map(e => e.dataset.report)")
    expected = [n for n, s in REPORTS.items()
                if ("analyst" if username == "analyst1" else "supervisor") in s.roles]
    assert links == expected
    for name in expected:
        response = page.goto(f"{with_demo.url}/reports/{name}{PERIOD}")
        assert response.status == 200, name
        assert page.locator("table.report-table").count() >= 1
        if name != "ikk":  # every other report draws at least one chart above its table
            assert page.locator("figure.chart svg").count() >= 1, name
        page.screenshot(path=str(screenshots / f"report-{username}-{name}.png"), full_page=True)
    assert not errors
    assert all(u.startswith(with_demo.url) for u in requests)  # nothing fetched from outside
    page.context.close()


def test_supervisor_cannot_read_another_office(browser, with_demo):
    page = sign_in(browser, with_demo.url, "supervisor1")
    response = page.goto(f"{with_demo.url}/reports/overview{PERIOD}&office=SBY")
    assert response.status == 403
    page.context.close()


def test_a_portrait_tablet_reads_labelled_rows_and_types_days(browser, with_demo):
    page = sign_in(browser, with_demo.url, "analyst1", viewport={"width": 600, "height": 960})
    page.goto(f"{with_demo.url}/reports/areas?from=01/11/2025&to=31/10/2026")
    # Each value of the area table shows its header beside it (no column of bare numbers).
    first = page.locator('table[data-table="summary"] tbody tr').first
    labels = first.locator("td").evaluate_all(
        "tds => tds.map(td => getComputedStyle(td, '::before').content)")
    headers = first.locator("td").evaluate_all("tds => tds.map(td => td.dataset.label)")
    assert labels == [f'"{h}: "' for h in headers] and "Pemohon" in headers
    # The header row is out of sight but still read out by a screen reader (1 px, clipped).
    head = page.locator('table[data-table="summary"] thead')
    assert head.count() == 1 and head.bounding_box()["height"] <= 1
    # Days are typed dd/mm/yyyy whatever the browser's language, and filter the report.
    page.fill('[name="from"]', "01/05/2026")
    with page.expect_navigation():
        page.click(".report-filter button[type=submit]")
    assert "from=01%2F05%2F2026" in page.url
    assert "01/05/2026 – 31/10/2026" in page.locator(".page-head").inner_text()
    page.context.close()
