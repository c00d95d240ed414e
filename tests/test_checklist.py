"""Checklist schema v2 (and v1 through its mapping): validation, conditional requirements,
derived fields, completeness."""


import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from marshmallow import ValidationError

from ews.checklist import FIELDS, INPUT_FIELDS, RULE_FIELDS, completeness, validate_checklist
from ews.checklist.schema import as_of, checklist_schema, loaded

from .checklists import checklists, clock, sound_umrah


def errors_of(payload, lang="en") -> dict:
    with pytest.raises(ValidationError) as info:
        validate_checklist(payload, lang, now=clock())
    return info.value.messages


@pytest.mark.parametrize("field, value, message", [
    ("application_id", "", "May not be empty."),
    ("application_id", "x" * 65, "Letters, digits, dot, slash and hyphen only (at most 64)."),
    ("application_id", "A-1\x00", "Contains control or text-direction characters, which are "
                                   "not allowed."),
    ("application_id", "A-1\u202e", "Contains control or text-direction characters, which "
                                     "are not allowed."),
    ("application_id", "A 1<b>", "Letters, digits, dot, slash and hyphen only (at most 64)."),
    ("office_code", "P", "Office code: 2-16 capital letters or digits."),
    ("office_code", "<b>PMK</b>", "Office code: 2-16 capital letters or digits."),
    ("application_type", "stolen", "Must be one of: new, replacement, lost, damaged."),
    ("interviewed_at", "yesterday", "Not a valid datetime (ISO 8601 with a time zone)."),
    ("interviewed_at", "2026-11-20T09:00:00", "Not a valid datetime (ISO 8601 with a time zone)."),
    ("interviewed_at", "1900-01-01T09:00:00+07:00", "Not a plausible date (before 2015)."),
    ("interviewed_at", "2099-01-01T09:00:00+07:00", "May not be in the future."),
    ("nik", "35280112019000", "A NIK is exactly 16 digits (0-9)."),
    ("nik", "35280112019000AB", "A NIK is exactly 16 digits (0-9)."),
    ("nik", "352801120190\u0660\u0660\u0660\u0661", "A NIK is exactly 16 digits (0-9)."),
    ("nik", "3528011201900001".replace("35", "99", 1),
     "The NIK's area code (first 6 digits) is not a known area."),
    ("nik", "3528001201900001", "The NIK's area code (first 6 digits) is not a known area."),
    ("nik", "3528013201900001", "The NIK's date part (digits 7-12) is not a valid date."),
    ("nik", "3528011213900001", "The NIK's date part (digits 7-12) is not a valid date."),
    ("nik", "3528011201900000", "The NIK's serial (last 4 digits) may not be 0000."),
    ("full_name", "x" * 121, "Length must be 1-120 characters."),
    ("date_of_birth", "12/01/1990", "Not a valid date (YYYY-MM-DD)."),
    ("date_of_birth", "2999-01-01", "May not be in the future."),
    ("date_of_birth", "0001-01-01", "Not a plausible date (before 1900)."),
    ("sex", "x", "Must be one of: male, female."),
    ("phone", "call me", "Not a valid phone number."),
    ("phone", "+62 812 \u0660\u0661\u0662\u0663 0001", "Not a valid phone number."),
    ("purpose", "holiday", "Must be one of: tourism, umrah_hajj, family_visit, medical, study, "
                           "internship, working_holiday, business, procedural_work, seafarer, "
                           "marriage, other."),
    ("purpose", None, "May not be empty."),
    ("destination_country", "XX", "Not a known two-letter country code (ISO 3166-1 alpha-2)."),
    ("destination_country", "Saudi",
     "Not a known two-letter country code (ISO 3166-1 alpha-2)."),
    ("purpose_explained", "maybe", "Must be one of: yes, partly, no."),
    ("return_ticket", True, "Invalid value type."),
    ("states_work_abroad", "perhaps", "Must be true or false."),
    ("states_work_abroad", "false", "Must be true or false."),
    ("states_work_abroad", 0, "Must be true or false."),
    ("lost_passport_count", 21, "Must be between 0 and 20."),
    ("lost_passport_count", -1, "Must be between 0 and 20."),
    ("lost_passport_count", "two", "Must be a whole number."),
    ("lost_passport_count", "3", "Must be a whole number."),
    ("lost_passport_count", 2.5, "Must be a whole number."),
    ("lost_passport_count", True, "Must be a whole number."),
    ("return_ticket", "yes", "Must be one of: return_booked, one_way_booked, not_booked."),
    ("officer_notes", "x" * 2001, "Length must be 0-2000 characters."),
    ("officer_notes", "line\x00", "Contains control or text-direction characters, which are "
                                  "not allowed."),
    ("officer_notes", "abc\u2066def", "Contains control or text-direction characters, which "
                                      "are not allowed."),
    ("full_name", "Siti\nContoh", "Contains control or text-direction characters, which are "
                                  "not allowed."),
    ("is_minor", True, "Unknown field."),
    ("religion", "islam", "Unknown field."),
])
def test_bad_value_is_refused_naming_the_field(field, value, message):
    assert errors_of(sound_umrah(**{field: value})) == {field: [message]}


@pytest.mark.parametrize("field, value", [("nik", "1234567890"), ("phone", "not-a-phone-123x")])
def test_rejected_personal_data_is_never_echoed(field, value):
    assert value not in str(errors_of(sound_umrah(**{field: value})))


def test_messages_in_indonesian_use_labels_not_raw_values():
    errs = errors_of(sound_umrah(nik="123", umrah_documents=None, bogus=1,
                                 return_ticket="yes"), "id")
    assert errs == {"nik": ["NIK harus tepat 16 angka (0-9)."], "bogus": ["Isian tidak dikenal."],
                    "umrah_documents": ["Wajib diisi bila Tujuan perjalanan: Umrah/haji."],
                    "return_ticket": ["Pilihan tidak valid; pilih salah satu: Tiket pergi-pulang "
                                      "sudah dipesan, Hanya tiket sekali jalan yang sudah "
                                      "dipesan, Belum memesan tiket."]}


def test_notes_keep_their_line_breaks():
    record = validate_checklist(sound_umrah(officer_notes="baris satu\nbaris dua"), now=clock())
    assert record["officer_notes"] == "baris satu\nbaris dua"


@pytest.mark.parametrize("version", [0, 3, "2", True, None])
def test_unknown_checklist_version_is_refused(version):
    assert errors_of(sound_umrah(checklist_version=version)) == {
        "checklist_version": ["Unknown checklist version; use 1 or 2."]}


def test_a_v2_field_in_a_v1_payload_is_refused_naming_it():
    v1 = V1_SOUND | {"checklist_version": 1, "visa_status": "matches"}
    assert errors_of(v1) == {"visa_status": ["Unknown field in checklist version 1."]}


V1_SOUND = {
    "application_id": "PMK-2026-000101", "office_code": "PMK", "nik": "3528011201900001",
    "date_of_birth": "1990-01-12", "purpose": "umrah_hajj", "destination_country": "SA",
    "purpose_explained": "yes", "destination_address_known": "yes", "return_ticket": "no",
    "umrah_documents": "valid", "visa_matches_activity": "unknown",
    "supporting_document_verified": "yes", "admits_work_intent": False,
    "pmi_documents": "not_applicable", "job_offer_channel": "none",
    "costs_paid_by_third_party": True, "written_contract": "not_applicable",
    "coercion_signs": "threats", "prior_deportation_or_overstay": True,
    "job_details_unclear": True,
}


def test_v1_answers_map_to_v2_and_unrecordable_facts_become_not_asked():
    record = validate_checklist(V1_SOUND | {"checklist_version": 1}, now=clock())
    assert record["checklist_version"] == 1
    assert record["return_ticket"] == "one_way_booked"
    assert record["visa_status"] is None  # "unknown" was not a v1 answer of substance
    assert record["supporting_document"] == "verified"
    assert record["states_work_abroad"] is False
    assert record["disnaker_recommendation"] is None  # not applicable in v1
    assert record["costs_paid_by_non_family"] is None  # v1 counted family as "others"
    assert (record["threats_observed"], record["violence_observed"]) == (True, False)
    assert (record["prior_overstay"], record["prior_deportation"]) == (True, None)
    assert (record["job_unclear"], record["job_changed"]) == (True, None)
    assert "written_contract" not in record and "admits_work_intent" not in record


@pytest.mark.parametrize("overrides, field", [
    ({"umrah_documents": None}, "umrah_documents"),
    ({"umrah_documents": None}, "umrah_documents"),
    ({"purpose": "family_visit", "umrah_documents": None}, "family_guarantee"),
])
def test_conditional_requirements_name_the_field(overrides, field):
    assert field in errors_of(sound_umrah(**overrides))


@pytest.mark.parametrize("overrides", [
    {"purpose": "tourism", "umrah_documents": None},
    {"purpose": "family_visit", "umrah_documents": None, "family_guarantee": "complete"},
    {"states_work_abroad": True, "disnaker_recommendation": "verified", "job_order": "present",
     "placement_agreement": "present"},
])
def test_conditional_requirements_satisfied(overrides):
    validate_checklist(sound_umrah(**overrides), now=clock())


def test_absent_answers_are_not_assessed_and_strings_normalised():
    record = validate_checklist({"application_id": " A-1 ", "office_code": "PMK",
                                 "purpose": "tourism", "destination_country": "my",
                                 "sex": "", "states_work_abroad": False}, now=clock())
    assert record["application_id"] == "A-1"
    assert record["destination_country"] == "MY"
    assert record["sex"] is None and record["return_ticket"] is None
    assert record["states_work_abroad"] is False
    assert set(record) == set(FIELDS) | {"checklist_version"}


@pytest.mark.parametrize("dob, minor, band", [
    ("2008-11-21", True, "under_18"), ("2008-11-20", False, "18_24"),
    ("1990-01-12", False, "35_44"), ("1960-05-05", False, "55_plus"),
])
def test_derived_minor_and_age_band_at_interview_time(dob, minor, band):
    record = validate_checklist(sound_umrah(date_of_birth=dob,
                                            interviewed_at="2026-11-20T09:00:00+07:00"),
                                now=clock())
    assert (record["is_minor"], record["age_band"]) == (minor, band)


@pytest.mark.parametrize("nik, minor", [
    ("3528014503100112", True),   # a woman born 5 March 2010: day 45 = 5 + 40
    ("3528010503100112", True),   # a man born the same day
    ("3528011201900001", False),  # born 12 January 1990
])
def test_without_a_date_of_birth_the_nik_tells_a_minor(nik, minor):
    record = validate_checklist(sound_umrah(date_of_birth=None, nik=nik,
                                            interviewed_at="2026-11-20T09:00:00+07:00"),
                                now=clock())
    assert record["is_minor"] is minor
    assert record["origin_kecamatan"] == nik[:6]


def test_nothing_known_of_age_leaves_minor_unknown():
    record = validate_checklist(sound_umrah(date_of_birth=None, nik=None), now=clock())
    assert (record["is_minor"], record["age_band"], record["origin_kecamatan"]) == \
        (None, None, None)


@pytest.mark.parametrize("answers, in_view", [
    ({}, False),
    ({"job_offer_channel": "chat_app"}, True),       # an offer under a visit purpose
    ({"recruiter_type": "individual"}, True),
    ({"family_cash_advance": True}, True),
    ({"purpose": "seafarer", "umrah_documents": None}, True),
    ({"states_work_abroad": None, "job_offer_channel": None}, None),
])
def test_work_in_view_without_an_admission(answers, in_view):
    assert validate_checklist(sound_umrah(**answers), now=clock())["work_in_view"] is in_view


@pytest.mark.parametrize("name, on, status", [
    ("PT Contoh Sarana Kerja", "2026-11-20", "licensed"),
    ("pt. contoh  sarana kerja", "2026-11-20", "licensed"),
    ("PT Jasa Penempatan Contoh Madura", "2026-11-20", "expired"),  # licence ended
    ("PT Tidak Ada", "2026-11-20", "unverified"),
])
def test_agency_licence_from_the_rule_sets_list(name, on, status):
    from ews.engine import load_ruleset
    agencies = load_ruleset("rules/tppo_pmi.yaml").agencies
    record = validate_checklist(sound_umrah(states_work_abroad=True, agency_name=name,
                                            interviewed_at=f"{on}T09:00:00+07:00"),
                                agencies=agencies, now=clock())
    assert record["agency_licence"] == status


def test_completeness_counts_applicable_rule_fields_only():
    full = validate_checklist(sound_umrah(), now=clock())
    assert completeness(full) == 1.0
    sparse = validate_checklist({"application_id": "A", "office_code": "PMK",
                                 "purpose": "tourism", "destination_country": "MY"}, now=clock())
    applicable = [f for f in RULE_FIELDS if not FIELDS[f].derived and FIELDS[f].applies(sparse)
                  and FIELDS[f].counts_in_completeness]
    assert completeness(sparse) == round(2 / len(applicable), 3)
    # Work questions become applicable once work is stated, so completeness drops.
    work = validate_checklist(sound_umrah(states_work_abroad=True,
                                          disnaker_recommendation="verified"), now=clock())
    assert completeness(work) < 1.0
    # A direct journey has no transit: an empty transit answer is not a skipped question.
    assert completeness(validate_checklist(sound_umrah(transit_country=None), now=clock())) == 1.0


_ANY = st.one_of(st.none(), st.booleans(), st.integers(-3, 200), st.floats(allow_nan=False),
                 st.text(max_size=8), st.sampled_from(["", "  ", " yes ", "yes", "no", "SA", "sa",
                                                       "2026-11-20T09:00:00+07:00",
                                                       "2026-11-20T09:00:00", "1990-01-12",
                                                       "3528011201900001", "a\u202eb",
                                                       "1234567890123456", "2999-01-01",
                                                       "2001-01-01T00:00:00+00:00",
                                                       "not_applicable"]),
                 st.lists(st.integers(), max_size=2))
# Every field, and more often those the record-level check reads (identity, interview time,
# questions required when others apply).
_CHECKED = ["nik", "date_of_birth", "interviewed_at"] + [
    f.name for f in INPUT_FIELDS if f.required_when_applicable]
_NAMES = st.sampled_from([f.name for f in INPUT_FIELDS] + ["not_a_field"]) | \
    st.sampled_from(_CHECKED)


@settings(max_examples=300, deadline=None)
@given(checklists(), st.lists(st.tuples(_NAMES, _ANY | st.just("<absent>")), max_size=3),
       st.sampled_from(["id", "en"]))
def test_fast_load_is_marshmallows_load(payload, changes, lang):
    """The submission's fast path gives what the schema gives, or hands over to it."""
    for name, value in changes:
        if value == "<absent>":
            payload.pop(name, None)
        else:
            payload[name] = value
    schema = checklist_schema(lang, 2)
    with as_of(clock()):
        fast = loaded(schema, payload)
        try:
            full = schema.load(payload)
        except ValidationError:
            assert fast is None
            return
    assert fast == full
