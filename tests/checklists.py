"""Test helpers shared by the core tests: sample checklists and a generator of valid ones."""

from __future__ import annotations

import datetime as dt
from functools import cache

from hypothesis import strategies as st

from ews import wilayah
from ews.checklist import INPUT_FIELDS
from ews.checklist.nik import PROVINCES

COUNTRIES = ["SA", "MY", "KH", "MM", "TH", "PH", "LA", "SG", "HK", "TW", "JP", "KR", "AE", "QA"]


# What the "none of these" tap of each section answers: every yes/no question with no.
NONE_OF_WORK = {"states_work_abroad": False, "costs_paid_by_non_family": False,
                "recruitment_debt": False, "family_cash_advance": False,
                "romance_or_marriage_promise": False}
NONE_OBSERVED = {"third_party_speaks": False, "scripted_answers": False,
                 "instructed_to_lie": False, "documents_held_by_other": False,
                 "threats_observed": False, "violence_observed": False,
                 "distress_observed": False, "apparent_age_inconsistent": False}
NONE_OF_HISTORY = {"civil_documents_mismatch": False, "civil_record_changed_recently": False,
                   "applied_outside_domicile": False, "prior_deferral_reported": False,
                   "earlier_lost_passports": 0, "prior_deportation": False,
                   "prior_overstay": False, "long_visit_stays_abroad": False}
NONE_OF_PROTECTION = {"financial_pressure": False, "unaware_of_legal_route": False}


# One checklist-v1 assessment as stored (answers, derived features): replayed through the
# checklist's v1 mapping by the backtest tests.
STORED_V1 = {"application_id": "V1-1", "office_code": "PMK", "application_type": "new",
             "purpose": "tourism", "destination_country": "KH", "purpose_explained": "yes",
             "destination_address_known": "yes", "return_ticket": "not_booked",
             "host_or_guarantor": "verified", "visa_matches_activity": "yes",
             "admits_work_intent": False, "job_offer_channel": "none",
             "offer_unrealistic": True, "coercion_signs": "none", "lost_passport_count": 0}
STORED_V1_FEATURES = {"is_minor": False, "prior_deferral_on_record": False,
                      "repeat_applications_30d": 1, "phone_shared_30d": 1,
                      "age_band": "35_44"}


def clock() -> dt.datetime:
    """Return the time a test validates at: now, as the edges of the service give it."""
    return dt.datetime.now(dt.UTC)


def sound_umrah(**overrides) -> dict:
    """Return a complete, sound umrah interview."""
    answers = {
        "application_id": "PMK-2026-000101", "office_code": "PMK", "application_type": "new",
        "nik": "3528011201900001", "full_name": "Siti Contoh", "date_of_birth": "1990-01-12",
        "sex": "female", "domicile_regency": "Pamekasan", "phone": "+62 812 0000 0001",
        "purpose": "umrah_hajj", "destination_country": "SA", "purpose_explained": "yes",
        "destination_address_known": "yes", "return_ticket": "return_booked",
        "host_or_guarantor": "verified", "umrah_documents": "valid", "visa_status": "not_yet",
        "supporting_document": "verified", "job_offer_channel": "none",
        "accompanied_by": "immediate_family",
    } | NONE_OF_WORK | NONE_OBSERVED | NONE_OF_HISTORY | NONE_OF_PROTECTION
    return answers | overrides


def _value(f):
    if f.kind == "enum":
        return st.sampled_from(f.values)
    if f.kind == "bool":
        return st.booleans()
    if f.kind == "int":
        return st.integers(f.minimum, min(f.maximum, 5))
    if f.kind == "country":
        return st.sampled_from(COUNTRIES)
    if f.kind == "date":
        return st.dates(dt.date(1950, 1, 1), dt.date(2024, 12, 31)).map(dt.date.isoformat)
    if f.kind == "datetime":
        return st.just("2026-11-20T09:00:00+07:00")
    if f.name == "nik":
        return niks()
    if f.name in ("phone", "recruiter_phone"):
        return st.from_regex(r"\A\+62[0-9]{9}\Z")
    if f.name == "office_code":
        return st.just("PMK")
    return st.text("abcdefghij", min_size=max(1, f.minimum or 1), max_size=12)


@cache
def _kecamatan() -> list[str]:
    """Return the plain codes of every kecamatan in the shipped wilayah table."""
    return sorted(wilayah.plain(code) for code in wilayah.table() if code.count(".") == 2)


def niks():
    """Draw structurally valid NIKs (area code, date part with +40 for women, serial): the
    area is a real kecamatan half the time (it has desa to pick), else any in a province."""
    area = st.sampled_from(_kecamatan()) | st.builds(
        "{:02d}{:02d}{:02d}".format, st.sampled_from(sorted(PROVINCES)), st.integers(1, 99),
        st.integers(1, 99))
    return st.builds("{}{:02d}{:02d}{:02d}{:04d}".format, area,
                     st.integers(1, 28) | st.integers(41, 68), st.integers(1, 12),
                     st.integers(0, 99), st.integers(1, 9999))


def desa_for(nik: str | None):
    """Draw a desa code the checklist accepts beside `nik`: one of the NIK's kecamatan, any
    desa when there is no NIK, or None when the NIK's kecamatan is not in the table."""
    if nik is None:
        return st.sampled_from(_kecamatan()).flatmap(desa_for)
    codes = [code for code, _ in wilayah.desa_of(nik[:6])]
    return st.sampled_from(codes) if codes else st.none()


@st.composite
def checklists(draw) -> dict:
    """Draw a valid checklist payload: every optional field maybe absent (not assessed)."""
    payload = {}
    for f in INPUT_FIELDS:
        if f.required or draw(st.booleans()):
            payload[f.name] = draw(_value(f))
    for f in INPUT_FIELDS:  # satisfy conditional requirements
        if f.required_when_applicable and f.applies(payload) and \
                payload.get(f.name) in (None, "not_applicable"):
            payload[f.name] = draw(st.sampled_from([v for v in f.values
                                                    if v != "not_applicable"]))
    if "domicile_desa" in payload:  # a village of the NIK's kecamatan, as the picker offers
        payload["domicile_desa"] = draw(desa_for(payload.get("nik")))
        if payload["domicile_desa"] is None:
            del payload["domicile_desa"]
    return payload


history = st.fixed_dictionaries({
    "prior_supervisor_decision": st.none() | st.booleans(),
    "last_decided_by_supervisor": st.none() | st.booleans(),
    "repeat_applications_30d": st.none() | st.integers(0, 6),
    "phone_shared_30d": st.none() | st.integers(0, 6),
})
