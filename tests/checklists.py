"""Test helpers shared by the core tests: sample checklists and a generator of valid ones."""

from __future__ import annotations

import datetime as dt

from hypothesis import strategies as st

from ews.checklist import INPUT_FIELDS

COUNTRIES = ["SA", "MY", "KH", "MM", "TH", "PH", "LA", "SG", "HK", "TW", "JP", "KR", "AE", "QA"]


def sound_umrah(**overrides) -> dict:
    """Return a complete, sound umrah interview."""
    answers = {
        "application_id": "PMK-2026-000101", "office_code": "PMK", "application_type": "new",
        "nik": "3528011201900001", "full_name": "Siti Contoh", "date_of_birth": "1990-01-12",
        "sex": "female", "domicile_regency": "Pamekasan", "phone": "+62 812 0000 0001",
        "purpose": "umrah_hajj", "destination_country": "SA", "purpose_explained": "yes",
        "destination_address_known": "yes", "return_ticket": "yes",
        "host_or_guarantor": "verified", "umrah_documents": "valid",
        "visa_matches_activity": "yes", "supporting_document_verified": "yes",
        "admits_work_intent": False, "job_offer_channel": "none",
        "costs_paid_by_third_party": False, "romance_or_marriage_promise": False,
        "accompanied_by": "immediate_family", "third_party_speaks": False,
        "scripted_answers": False, "instructed_to_lie": False, "documents_held_by_other": False,
        "coercion_signs": "none", "distress_observed": False, "apparent_age_inconsistent": False,
        "civil_documents_mismatch": False, "civil_record_changed_recently": False,
        "applied_outside_domicile": False, "prior_deferral_reported": False,
        "lost_passport_count": 0, "prior_deportation_or_overstay": False,
        "long_visit_stays_abroad": False, "financial_pressure": False,
        "unaware_of_legal_route": False,
    }
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
        return st.from_regex(r"\A[0-9]{16}\Z")
    if f.name == "phone":
        return st.from_regex(r"\A\+62[0-9]{9}\Z")
    return st.text("abcdefghij", min_size=max(1, f.minimum or 1), max_size=12)


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
    return payload


history = st.fixed_dictionaries({
    "prior_deferral_on_record": st.none() | st.booleans(),
    "repeat_applications_30d": st.none() | st.integers(0, 6),
    "phone_shared_30d": st.none() | st.integers(0, 6),
})
