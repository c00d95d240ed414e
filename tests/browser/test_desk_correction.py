"""Issue #24 points 3, 4, 5 and 8 in a real browser, as one day at the office.

The front desk registers an application on its page; the officer opens it, picks the
destination by typing "Arab" (and sees Kamboja offered for "Cambod"), stores it, then
corrects it the same day with a reason; the supervisor sees the correction in the queue,
decides and amends without leaving the case, and finds the reason in the case history.
"""

from __future__ import annotations

import pytest
from sqlalchemy import select

from ews.auth.passwords import hash_password
from ews.store.models import Assessment
from ews.store.users import create_user

from .a11y import axe_violations, small_targets
from .conftest import PASSWORD
from .helpers import sign_in
from .test_officer_supervisor import submit_and_wait

pytestmark = pytest.mark.browser
APP = "PMK-2026-000950"
REASON = "Salah ketuk: tawaran kerja melalui media sosial"


def test_desk_registers_officer_picks_country_by_name_and_corrects_the_same_day(
        browser, live_server):
    base = live_server.url
    with live_server.session() as db:
        create_user(db, "desk1", "intake", "PMK", hash_password(PASSWORD))
        db.commit()

    # 4. the front desk registers in the browser and sees today's registrations
    desk = sign_in(browser, base, "desk1", bypass_csp=True)
    assert desk.url.endswith("/desk")
    desk.fill('[name="application_id"]', APP)
    desk.fill('[name="nik"]', "3528011201900950")
    desk.fill('[name="full_name"]', "Ani Contoh")
    desk.fill('[name="date_of_birth"]', "12/01/1990")
    desk.check('input[name="purpose"][value="tourism"]')
    desk.check('input[name="application_type"][value="new"]')
    desk.press('[name="full_name"]', "Enter")  # Enter never registers
    assert desk.locator(f'tr[data-registration="{APP}"]').count() == 0
    with desk.expect_navigation():
        desk.click("[data-register]")
    assert desk.locator(f'tr[data-registration="{APP}"] [data-correct-registration]').count() == 1
    assert axe_violations(desk) == [] and small_targets(desk) == []
    desk.context.close()

    # 5. countries by name: "Cambod" offers Kamboja, "Arab" picks Arab Saudi (code SA)
    officer = sign_in(browser, base, "officer1", bypass_csp=True)
    with officer.expect_navigation():
        officer.locator(f'[data-waiting] tr[data-intake="{APP}"] a').click()
    dest = officer.locator('[name="destination_country"]')
    dest.press_sequentially("Cambod")
    assert officer.locator('#cl-destination_country [data-code="KH"]').is_visible()
    dest.fill("")
    dest.press_sequentially("Arab")
    first = officer.locator('#cl-destination_country [role="option"]').first
    assert first.get_attribute("data-code") == "SA" and first.bounding_box()["height"] >= 44
    assert axe_violations(officer) == []
    first.click()
    assert dest.input_value() == "Arab Saudi"
    transit = officer.locator('[name="transit_country"]')
    transit.press_sequentially("kambo")  # the keyboard: arrow down, Enter picks
    transit.press("ArrowDown")
    transit.press("Enter")
    assert transit.input_value() == "Kamboja"
    officer.check('input[name="job_offer_channel"][value="none"]')
    submit_and_wait(officer)
    with live_server.session() as db:
        v1 = db.scalar(select(Assessment).where(Assessment.application_id == APP))
    assert (v1.answers["destination_country"], v1.answers["transit_country"]) == ("SA", "KH")

    # 3. same-day correction: from the result page, a reason, the review step, version 2
    with officer.expect_navigation():
        officer.click("[data-correct]")
    assert officer.locator('[name="destination_country"]').input_value() == "Arab Saudi"
    for name, value in (("job_offer_channel", "social_media"), ("recruiter_type", "unknown"),
                        ("offer_unrealistic", "true"), ("job_changed", "true"),
                        ("instructed_to_lie", "true"), ("documents_held_by_other", "true"),
                        ("scripted_answers", "true"), ("accompanied_by", "alone")):
        officer.check(f'input[name="{name}"][value="{value}"]')
    officer.fill('[name="correction_reason"]', REASON)
    submit_and_wait(officer)
    assert officer.locator("[data-version]").inner_text() == "2"
    assert officer.locator("[data-correction-reason]").inner_text() == REASON
    v2_id = officer.url.rsplit("/", 1)[1]
    with live_server.session() as db:
        v2 = db.get(Assessment, v2_id)
        assert (v2.version, v2.supersedes_id) == (2, v1.id) and v2.status == "awaiting_review"
    officer.context.close()

    # the supervisor: the correction in the queue, decide and amend on the case, history
    boss = sign_in(browser, base, "supervisor1")
    boss.goto(f"{base}/review")
    assert boss.locator(f'tr[data-item="{v2_id}"] [data-corrected]').count() == 1
    boss.goto(f"{base}/review/{v2_id}")
    assert boss.locator("[data-correction-reason]").inner_text() == REASON
    with boss.expect_navigation():
        boss.click("[data-take]")
    boss.check('input[name="decision"][value="deferred"]')
    boss.fill('[name="reason"]', "Tunda; periksa tawaran kerjanya")
    with boss.expect_navigation():
        boss.click(".decision-form [data-submit]")
    assert f"/review/{v2_id}" in boss.url and boss.locator("[data-flash]").is_visible()
    boss.click("[data-amend] summary")
    boss.check('[data-amend] input[name="decision"][value="redirected"]')
    boss.fill('[data-amend] [name="reason"]', "Arahkan ke Disnaker")
    with boss.expect_navigation():
        boss.click("[data-amend] [data-submit]")
    assert f"/review/{v2_id}" in boss.url
    assert boss.locator("[data-recorded-decision]").get_attribute(
        "data-recorded-decision") == "redirected"
    boss.goto(f"{base}/review/cases")
    case = boss.locator(f'tr[data-case="{v2_id}"]')
    assert case.locator("[data-correction-reason]").inner_text() == REASON
    boss.goto(f"{base}/")  # the home list says what was decided
    assert boss.locator(f'tr[data-application="{APP}"] [data-decision="redirected"]').count() == 1
    boss.context.close()
