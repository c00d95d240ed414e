"""Issue 24, points 1 and 2, on a tablet: answers survive, nothing is stored by accident.

Answers come back after a reload, Back/Forward, a closed tab, an expired session and a
dropped network, saying "Jawaban dipulihkan"; the draft on the server is unreadable and gone
once the interview is stored; Enter never stores; only the review's `data-store` button does.
"""

from __future__ import annotations

import re

import pytest
from sqlalchemy import func, select

from ews.store.models import Assessment, InterviewDraft

from .a11y import english_on_page, small_targets
from .conftest import PASSWORD
from .helpers import SIZES, sign_in

pytestmark = pytest.mark.browser
TABLET = SIZES["800x1280"]
TYPED = {"application_id": "PMK-2026-024001", "nik": "3528014512900003",
         "full_name": "Siti Draf", "destination_country": "MY"}
PICKED = {"purpose": "tourism", "application_type": "new"}


def _open(page, base: str) -> None:
    page.goto(f"{base}/interviews/new")
    if page.is_visible("[data-restored]"):  # an earlier test's draft
        with page.expect_navigation():
            page.click("[data-discard] button")


def _enter(page, typed=TYPED, picked=PICKED) -> None:
    for name, value in typed.items():
        page.fill(f'[name="{name}"]', value)
    for name, value in picked.items():
        page.check(f'input[name="{name}"][value="{value}"]')


def _assert_answers(page, where: str, typed=TYPED, picked=PICKED) -> None:
    for name, value in typed.items():
        assert page.input_value(f'[name="{name}"]') == value, f"{name} lost after {where}"
    for name, value in picked.items():
        assert page.is_checked(f'input[name="{name}"][value="{value}"]'), \
            f"{name} lost after {where}"


def _saved(page) -> None:
    page.wait_for_selector('[data-draft-state="saved"]')


def _restored_notice(page) -> str:
    notice = page.locator("[data-restored]")
    assert notice.is_visible()
    return notice.inner_text()


def _count(live_server) -> int:
    with live_server.session() as db:
        return db.scalar(select(func.count()).select_from(Assessment))


def _drafts(live_server) -> list[InterviewDraft]:
    with live_server.session() as db:
        return list(db.scalars(select(InterviewDraft)))


def test_reload_and_back_forward_bring_the_answers_back(browser, live_server):
    page = sign_in(browser, live_server.url, "officer1", TABLET)
    _open(page, live_server.url)
    _enter(page)
    _saved(page)
    page.reload()
    _assert_answers(page, "reload")
    assert "Jawaban dipulihkan" in _restored_notice(page)
    assert small_targets(page) == [] and english_on_page(page) == []
    # typed and reloaded at once, before the draft timer: kept all the same
    page.fill('[name="full_name"]', "Siti Draf Kedua")
    page.reload()
    assert page.input_value('[name="full_name"]') == "Siti Draf Kedua"
    _saved(page)  # what came back from this browser is handed to the server ...
    assert page.evaluate("localStorage.getItem('ews.unsent')") is None  # ... and dropped here
    page.fill('[name="full_name"]', "Siti Draf")
    page.goto(f"{live_server.url}/")
    page.go_back()
    _assert_answers(page, "Back")
    page.go_forward()
    page.go_back()
    _assert_answers(page, "Back/Forward")
    page.context.close()


def test_a_closed_tab_and_an_expired_session_lose_nothing(browser, live_server):
    page = sign_in(browser, live_server.url, "officer1", TABLET)
    _open(page, live_server.url)
    _enter(page)
    _saved(page)
    context = page.context
    page.close()  # the tab is closed; another one opens the form
    page = context.new_page()
    page.goto(f"{live_server.url}/interviews/new")
    _assert_answers(page, "closing the tab")
    assert "Jawaban dipulihkan" in _restored_notice(page)
    # The session ends on the server side while the officer types on.
    context.clear_cookies()
    page.fill('[name="full_name"]', "Siti Sesudah Sesi")
    page.wait_for_selector('[data-draft-state="unsaved"]')
    page.reload()  # the sign-in page, then back to the form
    assert "/login" in page.url
    page.fill('[name="username"]', "officer1")
    page.fill('[name="password"]', PASSWORD)
    with page.expect_navigation():
        page.click(".login-form [data-submit]")
    assert page.url.endswith("/interviews/new")
    _assert_answers(page, "signing in again", TYPED | {"full_name": "Siti Sesudah Sesi"})
    assert "Jawaban dipulihkan" in _restored_notice(page)
    _saved(page)
    context.close()


def test_without_network_the_form_works_and_sending_waits(browser, live_server):
    page = sign_in(browser, live_server.url, "officer1", TABLET)
    _open(page, live_server.url)
    before = _count(live_server)
    page.context.set_offline(True)
    page.fill('[name="application_id"]', "PMK-2026-024002")
    page.check('input[name="purpose"][value="umrah_hajj"]')
    assert page.is_visible("#q-umrah_documents")  # the form keeps working
    page.check('input[name="purpose"][value="tourism"]')
    assert page.is_hidden("#q-umrah_documents")
    page.fill('[name="destination_country"]', "SG")
    page.wait_for_selector("[data-offline]:not([hidden])")
    assert "Jaringan terputus" in page.inner_text("[data-offline]")
    page.click("[data-submit]")
    page.wait_for_selector("[data-netfail]:not([hidden])")
    assert page.locator("[data-store]").count() == 0
    page.context.set_offline(False)
    page.wait_for_selector("[data-store]")  # sent by itself once the network is back
    assert _count(live_server) == before
    page.click("[data-store]")
    page.wait_for_url(re.compile(r"/assessments/"))
    assert _count(live_server) == before + 1
    assert page.evaluate("localStorage.getItem('ews.unsent')") is None
    page.context.close()


def test_enter_in_every_field_stores_nothing(browser, live_server):
    page = sign_in(browser, live_server.url, "officer1", TABLET)
    _open(page, live_server.url)
    _enter(page, TYPED | {"application_id": "PMK-2026-024003"})
    before = _count(live_server)
    fields = page.locator("form[data-interview-form] input[type=text]:visible, "
                          "form[data-interview-form] input[type=number]:visible")
    names = [f.get_attribute("name") for f in fields.all()]
    assert {"application_id", "nik", "full_name", "destination_country"} <= set(names)
    for name in names:
        page.focus(f'[name="{name}"]')
        page.keyboard.press("Enter")
    page.wait_for_timeout(500)
    assert page.url.endswith("/interviews/new")
    assert page.locator("[data-store]").count() == 0  # not even the review step
    assert page.input_value('[name="application_id"]') == "PMK-2026-024003"
    assert _count(live_server) == before
    page.context.close()


def test_only_the_store_button_stores_and_the_draft_goes(browser, live_server):
    page = sign_in(browser, live_server.url, "officer1", TABLET)
    _open(page, live_server.url)
    app_id = "PMK-2026-024004"
    _enter(page, TYPED | {"application_id": app_id})
    page.check('input[name="job_offer_channel"][value="social_media"]')
    _saved(page)
    # the draft in the database: nothing of the applicant is readable
    (row,) = [d for d in _drafts(live_server) if d.user_id == 1]
    stored = f"{row.draft_key} {row.token}"
    for clear in (app_id, "024004", TYPED["nik"], "Siti", "tourism"):
        assert clear not in stored
    before = _count(live_server)
    page.click("[data-submit]")
    page.wait_for_selector("[data-store]")
    assert "Periksa jawaban" in page.inner_text("h1")
    assert page.locator("[data-unanswered-section]").count() >= 1
    assert page.locator("[data-driving] [data-indicator]").count() >= 1  # the social-media offer
    assert _count(live_server) == before
    assert small_targets(page) == [] and english_on_page(page) == []
    page.click("[data-edit]")  # back to the form: the answers are there
    page.wait_for_selector("[data-interview-form]")
    _assert_answers(page, "changing answers", TYPED | {"application_id": app_id})
    page.click("[data-submit]")
    page.wait_for_selector("[data-store]")
    assert page.locator("main button[type=submit]").count() == 1  # one button stores
    page.click("[data-store]")
    page.wait_for_url(re.compile(r"/assessments/"))
    assert _count(live_server) == before + 1
    assert [d for d in _drafts(live_server) if d.user_id == 1] == []
    assert page.evaluate("localStorage.length") == 0
    _open(page, live_server.url)
    assert page.input_value('[name="application_id"]') == ""  # a new interview starts empty
    page.context.close()


def test_signing_out_leaves_no_answers_in_the_browser(browser, live_server):
    page = sign_in(browser, live_server.url, "officer1", TABLET)
    _open(page, live_server.url)
    page.context.set_offline(True)
    _enter(page, TYPED | {"application_id": "PMK-2026-024005"})
    page.wait_for_function("localStorage.getItem('ews.unsent') !== null")
    page.context.set_offline(False)
    page.route("**/interviews/draft", lambda route: route.abort())  # keep it local
    page.fill('[name="full_name"]', "Siti Keluar")
    with page.expect_navigation():
        page.click("[data-logout] button")
    assert "/login" in page.url
    assert page.evaluate("localStorage.length") == 0
    page.context.close()
