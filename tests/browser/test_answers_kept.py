"""No answer is ever lost: same-page links (sections, skip link, error summary) keep the form.

Chromium fires `popstate` for a same-page `#` link; the page script used to reload on every
`popstate` and so wiped every answer entered.
"""

from __future__ import annotations

import pytest

from .helpers import sign_in

pytestmark = pytest.mark.browser
ANSWERS = {"application_id": "PMK-2026-LINKS1", "nik": "12345", "destination_country": "MY"}
PICKED = {"purpose": "family_visit", "family_guarantee": "complete"}


def _enter(page) -> None:
    for name, value in ANSWERS.items():
        page.fill(f'[name="{name}"]', value)
    for name, value in PICKED.items():
        page.check(f'input[name="{name}"][value="{value}"]')


def _assert_kept(page, where: str) -> None:
    for name, value in ANSWERS.items():
        assert page.input_value(f'[name="{name}"]') == value, f"{name} lost after {where}"
    for name, value in PICKED.items():
        assert page.is_checked(f'input[name="{name}"][value="{value}"]'), \
            f"{name} lost after {where}"


def _follow_every_same_page_link(page) -> int:
    """Follow every visible or focusable `#` link of the page; return how many were followed."""
    page.evaluate("window.__ewsMarker = 'same-document'")
    hrefs = page.eval_on_selector_all(
        'a[href^="#"]', "els => els.filter(e => !e.closest('[hidden]'))"
                        ".map(e => e.getAttribute('href'))")
    for i, href in enumerate(hrefs):
        link = page.locator(f'a[href="{href}"]').first
        box = link.bounding_box()
        if box and box["x"] >= 0:
            link.click()
        else:  # the skip link is off-screen until focused
            link.focus()
            page.keyboard.press("Enter")
        page.wait_for_timeout(50)
        assert page.evaluate("window.__ewsMarker") == "same-document", \
            f"the page reloaded after following {href}"
        _assert_kept(page, f"link {i + 1} ({href})")
    page.go_back()  # back over the fragment entries stays on this document too
    page.wait_for_timeout(50)
    assert page.evaluate("window.__ewsMarker") == "same-document"
    return len(hrefs)


def test_same_page_links_keep_every_answer(browser, live_server):
    page = sign_in(browser, live_server.url, "officer1")
    page.goto(f"{live_server.url}/interviews/new")
    _enter(page)
    followed = _follow_every_same_page_link(page)
    assert followed >= 7  # the skip link and the six section links
    _assert_kept(page, "going back")
    # Send with an invalid NIK: the error summary links must keep the answers too.
    page.click("[data-submit]")
    page.wait_for_selector("#error-summary")
    _assert_kept(page, "the validation error")
    assert page.locator('#error-summary a[href="#q-nik"]').count() == 1
    _follow_every_same_page_link(page)
    _assert_kept(page, "the error-summary links")
    page.context.close()
