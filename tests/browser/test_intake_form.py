"""Checklist v2 in a real browser: an applicant opened from intake, section taps, not asked.

A sound applicant registered at the front desk is interviewed in at most 13 inputs (a section
tap is one input, "Periksa jawaban" and the store button one each) with every applicable
question answered; a second interview that skips questions shows them as not asked on the
result and review pages.
"""

from __future__ import annotations

import re

import pytest
from sqlalchemy import select

from ews.checklist import validate_intake
from ews.store.applications import register
from ews.store.models import Assessment
from tests.checklists import clock

from .test_officer_supervisor import sign_in, submit_and_wait

pytestmark = pytest.mark.browser
MAX_INPUTS = 13
PII_KEY = "browser-pii-key"  # the live server's (tests/browser/conftest.py)
REGISTERED = {"application_id": "PMK-2026-000901", "office_code": "PMK",
              "nik": "3528014512900003", "full_name": "Siti Contoh",
              "date_of_birth": "1990-12-05", "sex": "female", "phone": "0812 0000 0901",
              "domicile_regency": "Pamekasan", "purpose": "tourism", "application_type": "new"}


class Inputs:
    """Every click or typing action on the interview form, counted."""

    def __init__(self, page) -> None:
        self.page, self.count = page, 0

    def fill(self, name: str, value: str) -> None:
        self.page.fill(f'[name="{name}"]', value)
        self.count += 1

    def pick(self, name: str, value: str) -> None:
        self.page.check(f'input[name="{name}"][value="{value}"]')
        self.count += 1

    def none_of(self, section: str) -> None:
        self.page.click(f'[data-none-of="{section}"]')
        self.count += 1

    def submit(self) -> None:
        submit_and_wait(self.page)
        self.count += 2  # the review step's "Periksa jawaban", then the store button


def test_sound_applicant_from_intake_in_at_most_13_inputs(browser, live_server):
    with live_server.session() as db:
        register(db, [validate_intake(REGISTERED, now=clock())], key=PII_KEY, actor="desk",
                 user_id=None)
    page = sign_in(browser, live_server.url, "officer1")
    row = page.locator('[data-waiting] tr[data-intake="PMK-2026-000901"]')
    with page.expect_navigation():
        row.locator("a").click()
    assert page.locator("[data-registered]").is_visible()
    assert page.locator('[name="nik"]').count() == 0  # identity is not retyped
    assert page.locator('[name="purpose"][value="tourism"]').is_checked()
    assert page.locator("#s-minor").is_hidden()  # an adult: the minor section does not apply

    form = Inputs(page)
    form.fill("destination_country", "MY")
    form.pick("purpose_explained", "yes")
    form.pick("destination_address_known", "yes")
    form.pick("return_ticket", "return_booked")
    form.pick("visa_status", "not_yet")
    form.pick("job_offer_channel", "none")
    form.none_of("work")
    # the tap answers visibly: the chips show "no" and can still be changed
    assert page.locator('[name="recruitment_debt"][value="false"]').is_checked()
    assert page.locator('[name="job_unclear"]').first.is_hidden()  # no work in view
    form.pick("accompanied_by", "immediate_family")
    form.none_of("observation")
    form.none_of("history")
    assert page.locator('[name="earlier_lost_passports"]').input_value() == "0"
    form.none_of("protection")
    assert page.url.endswith("/interviews/new") or "intake=" in page.url  # nothing sent yet
    form.submit()
    assert form.count <= MAX_INPUTS, form.count

    assert page.locator("[data-action]").first.get_attribute("data-action") == "proceed"
    assert page.locator("[data-complete]").is_visible()
    assert page.locator("[data-not-asked]").count() == 0
    with live_server.session() as db:
        stored = db.scalar(select(Assessment).where(
            Assessment.application_id == "PMK-2026-000901"))
        assert stored.result["completeness"] == 1.0
        assert stored.nik_hash is not None and stored.origin_kecamatan == "352801"
    page.goto(f"{live_server.url}/")
    assert page.locator('[data-waiting] tr[data-intake="PMK-2026-000901"]').count() == 0
    page.context.close()


def test_questions_skipped_show_as_not_asked_on_result_and_review(browser, live_server):
    page = sign_in(browser, live_server.url, "officer1")
    page.goto(f"{live_server.url}/interviews/new")
    page.fill('[name="application_id"]', "PMK-2026-000902")
    page.check('input[name="purpose"][value="tourism"]')
    page.fill('[name="destination_country"]', "MY")
    page.check('input[name="job_offer_channel"][value="none"]')
    page.click('[data-none-of="work"]')
    page.check('input[name="recruitment_debt"][value="true"]')  # a tap answer changed after
    submit_and_wait(page)
    details = page.locator("[data-not-asked]")
    assert details.is_visible()
    summary = details.locator("summary").inner_text()
    assert re.search(r"\d+ pertanyaan belum ditanyakan", summary)
    details.locator("summary").click()
    assert details.locator('[data-not-asked-field="purpose_explained"]').is_visible()
    assert details.locator('[data-not-asked-field="recruitment_debt"]').count() == 0
    assessment_id = page.url.rsplit("/", 1)[1]
    page.context.close()

    review = sign_in(browser, live_server.url, "supervisor1")
    review.goto(f"{live_server.url}/review/{assessment_id}")
    cell = review.locator('[data-answer="purpose_explained"]')
    # the answers sit in a folded section: read their text, shown or not
    assert cell.text_content().strip() == "belum ditanyakan"
    assert review.locator('[data-answer="recruitment_debt"]').text_content().strip() == "Ya"
    review.context.close()


def test_conditions_follow_derived_minor_status_and_exclusions(browser, live_server):
    page = sign_in(browser, live_server.url, "officer1")
    page.goto(f"{live_server.url}/interviews/new")
    # age unknown: only the "appears to be a minor" question of the minor section shows
    assert page.locator("#q-appears_minor").is_visible()
    assert page.locator("#q-parental_consent").is_hidden()
    page.fill('[name="date_of_birth"]', "2015-03-12")  # a child: consent is asked
    assert page.locator("#q-parental_consent").is_visible()
    assert page.locator("#q-appears_minor").is_hidden()
    page.fill('[name="date_of_birth"]', "1990-03-12")  # an adult: the section does not apply
    assert page.locator("#s-minor").is_hidden()
    page.fill('[name="date_of_birth"]', "")
    page.fill('[name="nik"]', "3528015203150002")  # the NIK's date part: a child
    assert page.locator("#q-parental_consent").is_visible()
    # PMI placement documents: asked when work is stated, not for a Working Holiday
    page.check('input[name="purpose"][value="tourism"]')
    page.check('input[name="states_work_abroad"][value="true"]')
    assert page.locator("#q-disnaker_recommendation").is_visible()
    page.check('input[name="purpose"][value="working_holiday"]')
    assert page.locator("#q-disnaker_recommendation").is_hidden()
    assert page.locator("#q-job_sector").is_visible()
    page.context.close()
