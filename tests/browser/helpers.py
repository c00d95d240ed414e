"""Shared steps of the browser tests: signing in and the sizes the issues name."""

from __future__ import annotations

from .conftest import PASSWORD

TABLET, DESKTOP = {"width": 768, "height": 1024}, {"width": 1280, "height": 800}
SIZES = {"1024x768": {"width": 1024, "height": 768}, "800x1280": {"width": 800, "height": 1280}}


def sign_in(browser, base: str, username: str, viewport=TABLET, folder=None, lang=None,
            bypass_csp: bool = False):
    """Return a page signed in as `username` (Indonesian by default, or `lang`).

    `bypass_csp` lets a test inject its own script (axe-core) despite the app's CSP.
    """
    context = browser.new_context(viewport=viewport, locale="id-ID", bypass_csp=bypass_csp)
    page = context.new_page()
    page.goto(f"{base}/login")
    if folder is not None:
        shoot(page, folder, "00-login")
    page.fill('[name="username"]', username)
    page.fill('[name="password"]', PASSWORD)
    with page.expect_navigation():
        page.click(".login-form [data-submit]")
    assert "/login" not in page.url
    if lang is not None and lang != "id":
        with page.expect_navigation():
            page.click(f'.lang-switch button[value="{lang}"]')
    return page


def shoot(page, folder, name: str) -> None:
    """Save full-page screenshots of the current page at tablet and desktop sizes."""
    for label, size in (("768x1024", TABLET), ("1280x800", DESKTOP)):
        page.set_viewport_size(size)
        page.screenshot(path=str(folder / f"{name}-{label}.png"), full_page=True)
        width = page.evaluate("document.documentElement.scrollWidth")
        assert width <= size["width"], f"{name} overflows sideways at {label}: {width}px"
    page.set_viewport_size(TABLET)
