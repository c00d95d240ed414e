"""The Content-Security-Policy in a real browser: pages and Swagger UI run, nothing is blocked."""

from __future__ import annotations

import pytest

from .conftest import PASSWORD

pytestmark = pytest.mark.browser


def _violations(page) -> list[str]:
    found: list[str] = []
    page.on("console", lambda msg: found.append(msg.text)
            if "Content Security Policy" in msg.text else None)
    return found


def test_pages_work_under_the_policy(browser, live_server):
    page = browser.new_page()
    blocked = _violations(page)
    page.goto(f"{live_server.url}/login")
    page.fill('[name="username"]', "officer1")
    page.fill('[name="password"]', PASSWORD)
    page.click("[data-submit]")
    page.goto(f"{live_server.url}/interviews/new")
    # ews.js ran: conditional questions are hidden by it, which inline-free CSP allows.
    assert page.locator("form[data-enhanced]").count() >= 1
    assert blocked == []
    page.close()


def test_swagger_ui_renders_under_its_policy(browser, live_server):
    page = browser.new_page()
    blocked = _violations(page)
    page.goto(f"{live_server.url}/api/docs")
    page.wait_for_selector(".swagger-ui .info .title", timeout=15000)
    assert "EWS" in page.inner_text(".swagger-ui .info .title")
    assert blocked == []
    page.close()
