"""Checklist schema v1: validation, conditional requirements, derived fields, completeness."""

import pytest
from marshmallow import ValidationError

from ews.checklist import FIELDS, RULE_FIELDS, completeness, validate_checklist

from .checklists import sound_umrah


def errors_of(payload, lang="en") -> dict:
    with pytest.raises(ValidationError) as info:
        validate_checklist(payload, lang)
    return info.value.messages


@pytest.mark.parametrize("field, value, message", [
    ("application_id", "", "May not be empty."),
    ("application_id", "x" * 65, "Length must be 1-64 characters."),
    ("office_code", "P", "Length must be 2-16 characters."),
    ("application_type", "stolen", "Must be one of: new, replacement, lost, damaged."),
    ("interviewed_at", "yesterday", "Not a valid datetime (ISO 8601)."),
    ("nik", "35280112019000", "Must be exactly 16 digits."),
    ("nik", "35280112019000AB", "Must be exactly 16 digits."),
    ("full_name", "x" * 121, "Length must be 1-120 characters."),
    ("date_of_birth", "12/01/1990", "Not a valid date (YYYY-MM-DD)."),
    ("date_of_birth", "2999-01-01", "May not be in the future."),
    ("sex", "x", "Must be one of: male, female."),
    ("phone", "call me", "Not a valid phone number."),
    ("purpose", "holiday", "Must be one of: tourism, umrah_hajj, family_visit, medical, study, "
                           "business, procedural_work, internship, other."),
    ("purpose", None, "May not be empty."),
    ("destination_country", "XX", "Not an ISO 3166-1 alpha-2 country code."),
    ("destination_country", "Saudi", "Not an ISO 3166-1 alpha-2 country code."),
    ("purpose_explained", "maybe", "Must be one of: yes, partly, no."),
    ("return_ticket", True, "Invalid value type."),
    ("admits_work_intent", "perhaps", "Must be true or false."),
    ("lost_passport_count", 21, "Must be between 0 and 20."),
    ("lost_passport_count", -1, "Must be between 0 and 20."),
    ("lost_passport_count", "two", "Must be a whole number."),
    ("coercion_signs", "shouting", "Must be one of: none, threats, violence."),
    ("officer_notes", "x" * 2001, "Length must be 0-2000 characters."),
    ("is_minor", True, "Unknown field."),
    ("religion", "islam", "Unknown field."),
])
def test_bad_value_is_refused_naming_the_field(field, value, message):
    assert errors_of(sound_umrah(**{field: value})) == {field: [message]}


@pytest.mark.parametrize("field, value", [("nik", "1234567890"), ("phone", "not-a-phone-123x")])
def test_rejected_personal_data_is_never_echoed(field, value):
    assert value not in str(errors_of(sound_umrah(**{field: value})))


def test_messages_in_indonesian():
    errs = errors_of(sound_umrah(nik="123", umrah_documents=None, bogus=1), "id")
    assert errs == {"nik": ["Harus tepat 16 angka."], "bogus": ["Isian tidak dikenal."],
                    "umrah_documents": ["Wajib diisi bila Tujuan perjalanan: Umrah/haji."]}


@pytest.mark.parametrize("overrides, field", [
    ({"umrah_documents": None}, "umrah_documents"),
    ({"umrah_documents": "not_applicable"}, "umrah_documents"),
    ({"purpose": "family_visit", "umrah_documents": None}, "family_guarantee"),
    ({"purpose": "procedural_work", "umrah_documents": None}, "pmi_documents"),
    ({"admits_work_intent": True}, "pmi_documents"),
    ({"admits_work_intent": True, "pmi_documents": "not_applicable"}, "pmi_documents"),
])
def test_conditional_requirements_name_the_field(overrides, field):
    assert field in errors_of(sound_umrah(**overrides))


@pytest.mark.parametrize("overrides", [
    {"purpose": "tourism", "umrah_documents": None},
    {"purpose": "family_visit", "umrah_documents": None, "family_guarantee": "complete"},
    {"admits_work_intent": True, "pmi_documents": "complete"},
])
def test_conditional_requirements_satisfied(overrides):
    validate_checklist(sound_umrah(**overrides))


def test_absent_answers_are_not_assessed_and_strings_normalised():
    record = validate_checklist({"application_id": " A-1 ", "office_code": "PMK",
                                 "purpose": "tourism", "destination_country": "my",
                                 "sex": "", "admits_work_intent": "false"})
    assert record["application_id"] == "A-1"
    assert record["destination_country"] == "MY"
    assert record["sex"] is None and record["return_ticket"] is None
    assert record["admits_work_intent"] is False
    assert set(record) == set(FIELDS)


@pytest.mark.parametrize("dob, minor, band", [
    ("2008-11-21", True, "under_18"), ("2008-11-20", False, "18_24"),
    ("1990-01-12", False, "35_44"), ("1960-05-05", False, "55_plus"), (None, None, None),
])
def test_derived_minor_and_age_band_at_interview_time(dob, minor, band):
    record = validate_checklist(sound_umrah(date_of_birth=dob,
                                            interviewed_at="2026-11-20T09:00:00+07:00"))
    assert (record["is_minor"], record["age_band"]) == (minor, band)


def test_completeness_counts_applicable_rule_fields_only():
    full = validate_checklist(sound_umrah())
    assert completeness(full) == 1.0
    sparse = validate_checklist({"application_id": "A", "office_code": "PMK",
                                 "purpose": "tourism", "destination_country": "MY"})
    applicable = [f for f in RULE_FIELDS if not FIELDS[f].derived and FIELDS[f].applies(sparse)]
    assert completeness(sparse) == round(2 / len(applicable), 3)
    # Work questions become applicable once work is admitted, so completeness drops.
    work = validate_checklist(sound_umrah(admits_work_intent=True, pmi_documents="complete"))
    assert completeness(work) < 1.0
