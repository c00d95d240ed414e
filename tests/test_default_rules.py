"""The default rule set rules/tppo_pmi.yaml: realistic interviews get the action an officer
and a supervisor would expect, sound travel proceeds, and nothing scores who the person is."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest
import yaml

from ews.checklist import FIELDS, RULE_FIELDS, validate_checklist
from ews.engine import load_ruleset
from ews.scoring import score

from .checklists import (
    NONE_OBSERVED,
    NONE_OF_HISTORY,
    NONE_OF_PROTECTION,
    NONE_OF_WORK,
    STORED_V1,
    clock,
)

RULES = Path(__file__).resolve().parent.parent / "rules" / "tppo_pmi.yaml"
LADDER = ["proceed", "in_depth_interview", "supervisor_review", "defer_and_redirect",
          "refer_protection"]

# Answers common to every profile: identity and audit fields (never rule inputs) and a
# clean interview. Each profile overrides what differs.
BASE = {
    "application_id": "PMK-2026-000001", "office_code": "PMK",
    "interviewed_at": "2026-11-20T09:00:00+07:00", "application_type": "new",
    "nik": "3528011201900001", "full_name": "Contoh Pemohon", "date_of_birth": "1990-01-12",
    "sex": "female", "domicile_regency": "Pamekasan", "domicile_district": "Pademawu",
    "domicile_village": "Contoh", "phone": "+62 812 0000 0001",
    "purpose_explained": "yes", "destination_address_known": "yes",
    "return_ticket": "return_booked", "visa_status": "not_yet", "job_offer_channel": "none",
    "accompanied_by": "alone",
} | NONE_OF_WORK | NONE_OBSERVED | NONE_OF_HISTORY | NONE_OF_PROTECTION
NO_HISTORY = {"prior_supervisor_decision": False, "last_decided_by_supervisor": False,
              "repeat_applications_30d": 0, "phone_shared_30d": 1}
MINOR_DOB = "2010-05-01"  # 16 at the interview
AGENCIES = load_ruleset(RULES).agencies
MANNING = load_ruleset(RULES).manning

PILGRIM = {"purpose": "umrah_hajj", "destination_country": "SA",
           "host_or_guarantor": "verified", "umrah_documents": "valid",
           "supporting_document": "verified", "accompanied_by": "immediate_family"}
TOURIST = {"purpose": "tourism", "destination_country": "JP", "host_or_guarantor": "none"}
WORKER = {"purpose": "procedural_work", "destination_country": "HK",
          "states_work_abroad": True, "disnaker_recommendation": "verified",
          "job_order": "present", "placement_agreement": "present", "job_sector": "domestic",
          "job_offer_channel": "licensed_agency", "recruiter_type": "licensed_agency",
          "agency_name": "PT Contoh Sarana Kerja", "offer_unrealistic": False,
          "job_changed": False, "job_unclear": False, "supporting_document": "verified",
          "host_or_guarantor": "verified", "return_ticket": "not_booked",
          # zero-cost placement: the employer pays through the licensed agency
          "costs_paid_by_non_family": True}
FAMILY = {"purpose": "family_visit", "destination_country": "MY",
          "family_guarantee": "complete", "host_or_guarantor": "verified"}
ONLINE_SCAM = {"purpose": "tourism", "destination_country": "KH", "host_or_guarantor": "none",
               "job_offer_channel": "social_media", "recruiter_type": "unknown",
               "offer_unrealistic": True, "job_changed": True,
               "return_ticket": "one_way_booked", "costs_paid_by_non_family": True,
               "instructed_to_lie": True, "documents_held_by_other": True,
               "scripted_answers": True}


def record(answers: dict, history: dict | None = None) -> dict:
    """Validate a full checklist and add the history features the service derives."""
    rec = validate_checklist(BASE | answers, agencies=AGENCIES, manning=MANNING, now=clock())
    rec.update(NO_HISTORY | (history or {}))
    return rec


def ids(result: dict, key: str = "reasons") -> set[str]:
    return {r["indicator"] if "indicator" in r else r["id"] for r in result[key]}


@pytest.fixture(scope="module")
def ruleset():
    return load_ruleset(RULES)


@pytest.fixture(scope="module")
def raw() -> dict:
    return yaml.safe_load(RULES.read_text(encoding="utf-8"))


SOUND = {
    "pilgrim with valid umrah documents": PILGRIM,
    "minor pilgrim travelling with parents": PILGRIM | {"date_of_birth": MINOR_DOB},
    "self-funded tourist, return ticket, known address": TOURIST,
    "tourist who has not booked a ticket yet (normal before the passport)":
        TOURIST | {"return_ticket": "not_booked"},
    "procedural worker via licensed agency, complete documents": WORKER,
    "family visit with complete guarantee": FAMILY,
}


@pytest.mark.parametrize("answers", SOUND.values(), ids=SOUND.keys())
def test_sound_travel_proceeds_well_inside_the_low_band(ruleset, answers):
    result = score(record(answers), ruleset)
    assert result["recommended_action"]["id"] == "proceed"
    assert result["score"] == 0 and result["band"] == "low"
    assert result["reasons"] == [] and result["escalations"] == []
    assert result["decision_required"] is False


# (profile, answers, history, action, indicators that must be among the reasons,
#  escalations that must fire)
RISKY = [
    ("vague tourist: purpose partly explained, no return ticket, host unverified",
     {"purpose": "tourism", "destination_country": "MY", "purpose_explained": "partly",
      "return_ticket": "one_way_booked", "host_or_guarantor": "unverified"}, None,
     "in_depth_interview", {"TUJ02", "TUJ05", "TUJ07"}, set()),
    ("pilgrim whose umrah documents are incomplete",
     PILGRIM | {"umrah_documents": "incomplete"}, None,
     "in_depth_interview", {"TUJ12"}, set()),
    ("family visit with an incomplete guarantee letter",
     FAMILY | {"family_guarantee": "incomplete"}, None,
     "in_depth_interview", {"TUJ14"}, set()),
    ("applicant who looks afraid, relationship with companion unclear",
     TOURIST | {"distress_observed": True, "accompanied_by": "unclear"}, None,
     "in_depth_interview", {"KOE09", "KOE06"}, set()),
    ("minor travelling alone",
     {"purpose": "tourism", "destination_country": "SG", "host_or_guarantor": "none",
      "date_of_birth": MINOR_DOB}, None,
     "supervisor_review", {"ANAK01"}, {"ESC-MINOR-UNPROTECTED"}),
    ("deceptive recruitment: unclear job and unrealistic pay offered by a friend",
     {"purpose": "tourism", "destination_country": "MY", "host_or_guarantor": "unverified",
      "job_offer_channel": "friend_or_family", "recruiter_type": "unknown",
      "job_changed": True, "offer_unrealistic": True}, None,
     "supervisor_review", {"REK01", "REK02", "PMI03", "PMI08", "PMI10"}, {"ESC-ILO-D1"}),
    ("business visitor whose visa does not match the activity",
     {"purpose": "business", "destination_country": "CN", "host_or_guarantor": "verified",
      "supporting_document": "verified", "visa_status": "does_not_match"}, None,
     "supervisor_review", {"TUJ15"}, set()),
    ("marriage promise, trip paid by a broker who answers for her",
     {"purpose": "tourism", "destination_country": "CN", "host_or_guarantor": "unverified",
      "romance_or_marriage_promise": True, "costs_paid_by_non_family": True,
      "accompanied_by": "broker_or_sponsor", "third_party_speaks": True}, None,
     "supervisor_review", {"REK03", "REK05", "KOE04", "KOE05"}, set()),
    ("office shopping after a deferral, broker's phone",
     {"purpose": "tourism", "destination_country": "MY", "host_or_guarantor": "none",
      "applied_outside_domicile": True},
     {"prior_supervisor_decision": True, "repeat_applications_30d": 2, "phone_shared_30d": 5},
     "supervisor_review", {"RIW05", "RIW06", "RIW07", "DOK04"}, set()),
    ("apparent age and civil documents disagree",
     TOURIST | {"apparent_age_inconsistent": True, "civil_documents_mismatch": True}, None,
     "supervisor_review", {"DOK01", "DOK02"}, {"ESC-AGE-DOCS"}),
    ("tourist who admits work and has no PMI documents",
     {"purpose": "tourism", "destination_country": "MY", "host_or_guarantor": "unverified",
      "states_work_abroad": True, "disnaker_recommendation": "missing",
      "job_offer_channel": "friend_or_family", "recruiter_type": "individual",
      "financial_pressure": True, "unaware_of_legal_route": True},
     None, "defer_and_redirect", {"PMI01", "PMI03", "PMI07", "PMI10"},
     {"ESC-WORK-NO-DOCS", "ESC-INDIVIDUAL-PLACEMENT"}),
    ("pilgrim who means to stay and work as a housemaid in Saudi Arabia",
     PILGRIM | {"states_work_abroad": True, "disnaker_recommendation": "missing",
                "job_offer_channel": "individual_recruiter", "recruiter_type": "individual",
                "job_sector": "domestic"},
     None, "defer_and_redirect", {"PMI01", "PMI03", "PMI04", "PMI07", "PMI09"},
     {"ESC-WORK-NO-DOCS"}),
    ("procedural worker whose PMI documents are incomplete",
     WORKER | {"disnaker_recommendation": "doubtful"}, None,
     "defer_and_redirect", {"PMI02"}, {"ESC-WORK-NO-DOCS"}),
    ("online-scam recruitment to Cambodia on a tourist visa",
     ONLINE_SCAM, None, "refer_protection",
     {"TUJ09", "TUJ10", "TUJ11", "REK01", "REK02", "REK05", "KOE03", "KOE07", "PMI09"},
     {"ESC-ILO-D1", "ESC-COERCION"}),
    ("signs of violence",
     TOURIST | {"violence_observed": True}, None,
     "refer_protection", {"KOE01"}, {"ESC-COERCION"}),
    ("threats while a sponsor holds the documents",
     {"purpose": "family_visit", "destination_country": "MY", "family_guarantee": "complete",
      "host_or_guarantor": "unverified", "threats_observed": True,
      "documents_held_by_other": True, "accompanied_by": "broker_or_sponsor"}, None,
     "refer_protection", {"KOE02", "KOE03", "KOE05"}, {"ESC-ILO-D2", "ESC-COERCION"}),
    ("deceived and indebted, a broker speaks for the applicant",
     {"purpose": "internship", "destination_country": "JP", "host_or_guarantor": "unverified",
      "supporting_document": "verified", "job_offer_channel": "individual_recruiter",
      "recruiter_type": "individual", "job_changed": True,
      "offer_unrealistic": True, "recruitment_debt": True, "third_party_speaks": True,
      "accompanied_by": "broker_or_sponsor"}, None,
     "refer_protection", {"REK01", "REK02", "REK06", "KOE04", "KOE05"},
     {"ESC-ILO-D1", "ESC-ILO-D2", "ESC-ILO-D1-D2"}),
    ("minor recruited for work abroad",
     {"purpose": "tourism", "destination_country": "MY", "host_or_guarantor": "none",
      "date_of_birth": MINOR_DOB, "accompanied_by": "immediate_family",
      "states_work_abroad": True, "disnaker_recommendation": "missing",
      "job_offer_channel": "friend_or_family"}, None,
     "refer_protection", {"ANAK02", "PMI01"},
     {"ESC-MINOR-WORK", "ESC-WORK-NO-DOCS"}),
]


# Checklist v2.1: the situations officers met that v2 could not record or misjudged, as an
# officer meets them (profile, answers, history, action, reasons and escalations that must be
# there). The comment under each says what v2 did.
SEAFARER_BY_CALO = {
    "purpose": "seafarer", "destination_country": "TW", "states_work_abroad": True,
    "job_offer_channel": "individual_recruiter", "recruiter_type": "individual",
    "job_sector": "fishing_crew", "vessel_type": "fishing", "seafarer_documents": "incomplete",
    "return_ticket": "one_way_booked", "ticket_paid_by": "sponsor_or_recruiter",
    "recruitment_debt": True, "job_unclear": False, "job_changed": False,
    "offer_unrealistic": False}
BRIDE = {
    "purpose": "marriage", "destination_country": "CN", "host_or_guarantor": "unverified",
    "marriage_arranged_by": "matchmaker", "met_partner_in_person": False,
    "matchmaker_paid_family": True, "costs_paid_by_non_family": True,
    "return_ticket": "one_way_booked", "ticket_paid_by": "matchmaker",
    "accompanied_by": "matchmaker", "third_party_speaks": True}
V21 = [
    ("J1 seafarer: seaman's book from a quick course, a calo lent money and paid the ticket, "
     "no manning agency",
     # v2: supervisor review, while a land-based worker with the same facts was deferred
     SEAFARER_BY_CALO, None, "defer_and_redirect",
     {"PMI07", "PMI12", "PMI17", "REK06", "REK08"}, {"ESC-SEAFARER-INDIVIDUAL"}),
    ("J1 the same seafarer with no seafarer documents at all",
     SEAFARER_BY_CALO | {"seafarer_documents": "missing"}, None, "defer_and_redirect",
     {"PMI13"}, {"ESC-SEAFARER-INDIVIDUAL", "ESC-SEAFARER-NO-DOCS"}),
    ("J2 housekeeper for Hong Kong through an agency BP2MI suspended last month",
     # v2: 'agency not verified' among the reasons, and proceed
     WORKER | {"agency_name": "PT Mitra Buruh Contoh"}, None, "in_depth_interview",
     {"PMI14"}, set()),
    ("J2 an agency whose licence ran out in January",
     WORKER | {"agency_name": "PT Jasa Penempatan Contoh Madura"}, None, "in_depth_interview",
     {"PMI14"}, set()),
    ("J2 an agency the office's list does not know",
     WORKER | {"agency_name": "PT Karya Belum Terdaftar"}, None, "in_depth_interview",
     {"PMI11"}, set()),
    ("J3 bride for China: the mak comblang paid everything, gave the family money, came along "
     "and answers for her",
     # v2: the money read as a recruiter's cash advance, work reasons on a marriage case
     BRIDE, None, "refer_protection",
     {"NIK01", "NIK02", "NIK03", "NIK04", "REK05", "KOE04", "KOE05"},
     {"ESC-MARRIAGE-BROKER", "ESC-ILO-D2"}),
    ("J3 joining a husband she met while he worked in Pamekasan, she paid her own ticket",
     {"purpose": "marriage", "destination_country": "KR", "host_or_guarantor": "verified",
      "marriage_arranged_by": "own_acquaintance", "met_partner_in_person": True,
      "matchmaker_paid_family": False, "return_ticket": "one_way_booked",
      "ticket_paid_by": "self_or_family"}, None, "proceed", set(), set()),
    ("J4 says her application was deferred at another office; nothing in the log",
     # v2: 12 points, proceed
     FAMILY | {"prior_deferral_reported": True}, None, "in_depth_interview", {"RIW04"}, set()),
    ("J4 the same statement with a one-way ticket and a host nobody could verify",
     FAMILY | {"prior_deferral_reported": True, "return_ticket": "one_way_booked",
               "host_or_guarantor": "unverified"}, None, "supervisor_review",
     {"RIW04", "TUJ05", "TUJ07"}, {"ESC-DEFERRAL-STATED"}),
    ("J5 deported from Malaysia, visiting relatives there again, no ticket booked yet",
     # v2: proceed
     FAMILY | {"prior_deportation": True, "return_ticket": "not_booked"}, None,
     "in_depth_interview", {"RIW01"}, {"ESC-HISTORY-VISIT"}),
    ("J5 overstayed in Saudi Arabia before, umrah again on a one-way ticket",
     PILGRIM | {"prior_overstay": True, "return_ticket": "one_way_booked"}, None,
     "in_depth_interview", {"RIW02", "TUJ05"}, {"ESC-HISTORY-VISIT"}),
    ("J6 umrah letter of doubtful origin and a visa that does not match, no work in view",
     # v2: defer and redirect to Disnaker/BP3MI
     PILGRIM | {"umrah_documents": "invalid", "visa_status": "does_not_match"}, None,
     "supervisor_review", {"TUJ13", "TUJ15"}, {"ESC-UMRAH-DOCS"}),
    ("J7 incomplete Kemenag/PPIU letter, also marked under the supporting letter",
     # v2: the same letter counted twice (TUJ12 and TUJ16)
     PILGRIM | {"umrah_documents": "incomplete", "supporting_document": "doubtful"}, None,
     "in_depth_interview", {"TUJ12"}, set()),
    ("J8 intern for Japan whose organiser's letter does not check out",
     # v2: in-depth interview
     {"purpose": "internship", "destination_country": "JP", "host_or_guarantor": "verified",
      "supporting_document": "doubtful"}, None, "supervisor_review", {"TUJ16"},
     {"ESC-LETTER-DOUBTFUL"}),
    ("J8 online boyfriend in Turkey promised marriage and paid the ticket; host unverified",
     {"purpose": "other", "destination_country": "TR", "host_or_guarantor": "unverified",
      "romance_or_marriage_promise": True, "return_ticket": "one_way_booked",
      "ticket_paid_by": "other"}, None, "supervisor_review", {"REK03", "TUJ07"},
     {"ESC-MARRIAGE-PROMISE"}),
    # --- new answers ---------------------------------------------------------------------
    ("accompanied by the P3MI's field officer, not an unrelated adult",
     WORKER | {"accompanied_by": "p3mi_field_officer"}, None, "proceed", set(), set()),
    ("EPS Korea through the government programme: no P3MI placement agreement",
     {"purpose": "procedural_work", "destination_country": "KR", "states_work_abroad": True,
      "job_offer_channel": "government_program", "recruiter_type": "none",
      "job_sector": "manufacturing", "disnaker_recommendation": "verified",
      "job_order": "present", "placement_agreement": "g_to_g", "job_unclear": False,
      "job_changed": False, "offer_unrealistic": False, "return_ticket": "not_booked"},
     None, "proceed", set(), set()),
    ("self-arranged worker (PMI perseorangan) with a direct offer from a Japanese employer",
     {"purpose": "procedural_work", "destination_country": "JP", "states_work_abroad": True,
      "job_offer_channel": "employer_direct", "recruiter_type": "none",
      "job_sector": "caregiver", "disnaker_recommendation": "verified",
      "job_order": "present", "placement_agreement": "self_arranged", "job_unclear": False,
      "job_changed": False, "offer_unrealistic": False, "return_ticket": "return_booked",
      "ticket_paid_by": "employer_or_agency", "costs_paid_by_non_family": True},
     None, "proceed", set(), set()),
    ("found the job on SIAPkerja, placed by a licensed P3MI",
     WORKER | {"job_offer_channel": "official_portal"}, None, "proceed", set(), set()),
    ("the umrah group's leader keeps the pilgrims' passports",
     PILGRIM | {"documents_held_by_other": True,
                "documents_holder": "pilgrimage_group_leader",
                "accompanied_by": "group_leader"}, None, "proceed", set(), set()),
    ("a sponsor keeps the applicant's passport and ID card",
     TOURIST | {"documents_held_by_other": True, "documents_holder": "sponsor_or_recruiter"},
     None, "in_depth_interview", {"KOE03"}, set()),
    ("first loss: replacing a lost passport, never lost one before",
     TOURIST | {"application_type": "lost", "earlier_lost_passports": 0}, None, "proceed",
     {"DOK06"}, set()),
    ("replacing a lost passport, lost one before as well",
     TOURIST | {"application_type": "lost", "earlier_lost_passports": 1}, None, "proceed",
     {"DOK05", "DOK06"}, set()),
    ("tourist whose ticket a recruiter paid",
     TOURIST | {"return_ticket": "return_booked", "ticket_paid_by": "sponsor_or_recruiter"},
     None, "proceed", {"REK08"}, set()),
    ("declares a holiday in Thailand, means to work in Myawaddy",
     {"purpose": "tourism", "destination_country": "TH", "host_or_guarantor": "none",
      "intended_place_differs": True, "intended_country": "MM"}, None,
     "in_depth_interview", {"TUJ09", "TUJ17", "TUJ18"}, set()),
    ("offered plantation work in Sabah by a cousin, will cross at Nunukan as a tourist",
     {"purpose": "tourism", "destination_country": "MY", "host_or_guarantor": "none",
      "job_offer_channel": "friend_or_family", "job_sector": "plantation",
      "departure_point": "nunukan", "job_unclear": False, "job_changed": False,
      "offer_unrealistic": False}, None, "supervisor_review", {"PMI03", "PMI10", "TUJ19"},
     set()),
    ("housekeeper for Hong Kong who paid the agency a placement fee",
     WORKER | {"placement_fee_paid": True}, None, "in_depth_interview", {"PMI16"}, set()),
    ("housekeeper for a Riyadh syarikah through a P3MI designated for SPSK",
     WORKER | {"destination_country": "SA", "spsk_placement": "verified"}, None, "proceed",
     set(), set()),
    # the moratorium is a list: it moves the result one rung at the most
    ("housekeeper for Saudi Arabia outside SPSK",
     WORKER | {"destination_country": "SA", "spsk_placement": "no"}, None,
     "in_depth_interview", {"PMI04"}, {"ESC-MORATORIUM"}),
    ("housekeeper for Saudi Arabia said to be SPSK, papers not verified",
     WORKER | {"destination_country": "SA", "spsk_placement": "unverified"}, None,
     "supervisor_review", {"PMI04", "PMI15"}, {"ESC-MORATORIUM"}),
    ("housekeeper for Kuwait claiming SPSK (SPSK is Saudi Arabia only)",
     WORKER | {"destination_country": "KW", "spsk_placement": "verified"}, None,
     "in_depth_interview", {"PMI04"}, {"ESC-MORATORIUM"}),
    ("seafarer's manning agency is not on the office's list",
     SEAFARER_BY_CALO | {"recruiter_type": "licensed_agency", "ticket_paid_by": None,
                         "recruitment_debt": False, "seafarer_documents": "complete",
                         "job_offer_channel": "licensed_agency", "vessel_type": "merchant",
                         "manning_agency_name": "PT Awak Kapal Belum Terdaftar"}, None,
     "in_depth_interview", {"PMI18"}, set()),
    ("seafarer's manning agency kept its old SIUPPAK licence past September 2025",
     SEAFARER_BY_CALO | {"recruiter_type": "licensed_agency", "ticket_paid_by": None,
                         "recruitment_debt": False, "seafarer_documents": "complete",
                         "job_offer_channel": "licensed_agency", "vessel_type": "merchant",
                         "manning_agency_name": "PT Contoh Manning Nusantara"}, None,
     "in_depth_interview", {"PMI19"}, set()),
    ("merchant-vessel seafarer through a licensed manning agency, documents complete",
     {"purpose": "seafarer", "destination_country": "SG", "states_work_abroad": True,
      "job_offer_channel": "licensed_agency", "recruiter_type": "licensed_agency",
      "job_sector": "fishing_crew", "vessel_type": "merchant",
      "manning_agency_name": "PT Contoh Awak Kapal Samudra",
      "seafarer_documents": "complete", "job_unclear": False, "job_changed": False,
      "offer_unrealistic": False}, None, "proceed", set(), set()),
]


@pytest.mark.parametrize(("answers", "history", "action", "indicators", "escalations"),
                         [r[1:] for r in RISKY + V21], ids=[r[0] for r in RISKY + V21])
def test_risky_profiles_reach_their_rung_with_plain_reasons(ruleset, answers, history, action,
                                                             indicators, escalations):
    result = score(record(answers, history), ruleset)
    assert result["recommended_action"]["id"] == action
    assert result["recommended_action"]["rung"] == LADDER.index(action)
    assert indicators <= ids(result)
    assert escalations <= ids(result, "escalations")
    assert result["decision_required"] is (LADDER.index(action) >= 2)
    for reason in result["reasons"]:
        assert reason["label"]["id"] and reason["label"]["en"] and reason["source"]


def test_every_rung_is_reached_by_some_profile():
    assert {r[3] for r in RISKY} | {"proceed"} == set(LADDER)


# One answer changed on a sound tourist: a single weak or medium item never goes beyond an
# in-depth interview; a document gap or an observation that the interview itself must clear
# up asks for one; strong items go to a supervisor; violence is a protection case.
SINGLE = [
    ("purpose_explained", "partly", "proceed"),
    ("purpose_explained", "no", "proceed"),
    ("destination_address_known", "partly", "proceed"),
    ("destination_address_known", "no", "proceed"),
    ("return_ticket", "one_way_booked", "proceed"),
    # a reason that asks for a check is never cleared on the spot (min_action)
    ("host_or_guarantor", "unverified", "in_depth_interview"),
    ("costs_paid_by_non_family", True, "proceed"),
    ("romance_or_marriage_promise", True, "proceed"),
    ("accompanied_by", "unclear", "proceed"),
    ("accompanied_by", "broker_or_sponsor", "proceed"),
    ("third_party_speaks", True, "proceed"),
    ("scripted_answers", True, "proceed"),
    ("apparent_age_inconsistent", True, "in_depth_interview"),
    ("civil_documents_mismatch", True, "proceed"),
    ("civil_record_changed_recently", True, "proceed"),
    ("applied_outside_domicile", True, "proceed"),
    ("prior_deferral_reported", True, "in_depth_interview"),
    ("prior_deportation", True, "proceed"),
    ("long_visit_stays_abroad", True, "proceed"),
    ("lost_passport_count", 2, "proceed"),  # a checklist v2.0 answer
    ("earlier_lost_passports", 2, "proceed"),
    ("application_type", "lost", "proceed"),
    ("financial_pressure", True, "proceed"),
    ("unaware_of_legal_route", True, "proceed"),
    ("prior_supervisor_decision", True, "proceed"),
    ("repeat_applications_30d", 3, "proceed"),
    ("phone_shared_30d", 4, "proceed"),
    ("documents_held_by_other", True, "in_depth_interview"),
    ("threats_observed", True, "in_depth_interview"),
    ("distress_observed", True, "in_depth_interview"),
    ("visa_status", "does_not_match", "supervisor_review"),
    ("instructed_to_lie", True, "supervisor_review"),
    ("violence_observed", True, "refer_protection"),
]


@pytest.mark.parametrize(("field", "value", "action"), SINGLE,
                         ids=[f"{f}={v}" for f, v, _ in SINGLE])
def test_one_answer_on_a_sound_tourist(ruleset, field, value, action):
    if field in NO_HISTORY:
        rec = record(TOURIST, {field: value})
    else:
        rec = record(TOURIST | {field: value})
    result = score(rec, ruleset)
    assert result["recommended_action"]["id"] == action
    assert result["reasons"] or result["protective_flags"], "the answer must be explained"


def test_protective_flags_alone_stay_at_most_in_depth_interview(ruleset):
    answers = TOURIST | {"financial_pressure": True, "unaware_of_legal_route": True}
    result = score(record(answers), ruleset)
    assert result["recommended_action"]["rung"] <= 1
    assert ids(result, "protective_flags") == {"KER01", "KER02"}
    assert not {"KER01", "KER02"} & ids(result)
    assert result["escalations"] == []


def test_protective_flags_never_add_scrutiny(ruleset):
    vague = RISKY[0][1]
    without = score(record(vague), ruleset)
    with_flags = score(record(vague | {"financial_pressure": True,
                                       "unaware_of_legal_route": True}), ruleset)
    assert without["recommended_action"]["id"] == "in_depth_interview"
    assert with_flags["recommended_action"] == without["recommended_action"]
    assert with_flags["score"] == without["score"]


# Umrah itself is never a risk signal: the same answers under umrah (with valid documents)
# and under tourism to the same country give the same score, action and reasons.
SAME_ANSWERS = {
    "sound": {},
    "no return ticket, host unverified": {"return_ticket": "one_way_booked",
                                          "host_or_guarantor": "unverified"},
    "broker pays and speaks": {"costs_paid_by_non_family": True,
                               "accompanied_by": "broker_or_sponsor",
                               "third_party_speaks": True},
    "admits work without documents": {"states_work_abroad": True,
                                      "disnaker_recommendation": "missing",
                                      "job_offer_channel": "individual_recruiter"},
    "history": {"prior_deportation": True, "long_visit_stays_abroad": True},
}


@pytest.mark.parametrize("answers", SAME_ANSWERS.values(), ids=SAME_ANSWERS.keys())
def test_umrah_purpose_is_not_itself_a_signal(ruleset, answers):
    common = {"destination_country": "SA", "host_or_guarantor": "none"} | answers
    tourism = score(record(common | {"purpose": "tourism"}), ruleset)
    umrah = score(record(common | {"purpose": "umrah_hajj", "umrah_documents": "valid",
                                   "supporting_document": "verified"}), ruleset)
    assert umrah["score"] == tourism["score"]
    assert umrah["recommended_action"] == tourism["recommended_action"]
    assert ids(umrah) == ids(tourism)


@pytest.mark.parametrize("answers", [SOUND[k] for k in SOUND] + [r[1] for r in RISKY + V21],
                         ids=list(SOUND) + [r[0] for r in RISKY + V21])
@pytest.mark.parametrize("interpreter", [False, True])
def test_who_the_applicant_is_never_changes_the_result(ruleset, answers, interpreter):
    woman = score(record(answers), ruleset)
    other = {"sex": "male", "domicile_regency": "Sumenep", "domicile_district": "Kota",
             "domicile_village": "Lain", "full_name": "Nama Lain", "nik": "3529025901850002",
             "phone": "+62 813 9999 0000", "application_id": "PMK-2026-999999",
             "office_code": "SBY", "interpreter_used": interpreter}
    if answers.get("date_of_birth") != MINOR_DOB:  # any adult age: 19, 44 or 76 alike
        other["date_of_birth"] = "2007-03-01"
    man = score(record(answers | other), ruleset)
    older = score(record(answers | {"date_of_birth": "1950-07-30"}), ruleset) \
        if answers.get("date_of_birth") != MINOR_DOB else woman
    for key in ("score", "band", "recommended_action", "reasons", "escalations",
                "protective_flags"):
        assert man[key] == woman[key] == older[key]


def _fields(node) -> set[str]:
    """Return every field named anywhere in a condition tree."""
    if isinstance(node, dict):
        found = {node["field"]} if "field" in node else set()
        return found.union(*(_fields(v) for v in node.values()))
    if isinstance(node, list):
        return set().union(*(_fields(v) for v in node))
    return set()


def test_only_rule_fields_are_used(raw):
    used = set()
    for item in raw["indicators"] + raw["escalations"]:
        used |= _fields(item["when"])
    assert used, "conditions must name fields"
    assert {name: FIELDS[name].role for name in used if FIELDS[name].role != "rule"} == {}


# Inputs that reach the rules through the derived `work_in_view` only.
WORK_IN_VIEW_INPUTS = {"states_work_abroad", "family_cash_advance"}


def test_every_rule_field_feeds_an_indicator_or_an_escalation(raw):
    used = set().union(*(_fields(i["when"]) for i in raw["indicators"] + raw["escalations"]))
    assert set(RULE_FIELDS) - used - WORK_IN_VIEW_INPUTS == set()


def test_size_tracks_dimensions_and_unique_ids(raw, ruleset):
    inds = raw["indicators"]
    assert len(inds) >= 30
    assert len({i["id"] for i in inds}) == len(inds) == len(ruleset.indicators)
    assert {i["track"] for i in inds} == {"trafficking", "nonprocedural"}
    assert {i.get("dimension") for i in inds} >= {"deceptive_recruitment",
                                                 "coercive_recruitment",
                                                 "abuse_of_vulnerability"}
    for i in inds:
        is_protective = i.get("protective", False)
        assert is_protective == (i.get("dimension") == "abuse_of_vulnerability"), i["id"]


def test_every_indicator_cites_a_source_and_has_both_labels(raw):
    for item in raw["indicators"] + raw["escalations"]:
        # bilingual: the Indonesian page never shows an English source
        assert len(item["source"]["id"].strip()) > 10, item["id"]
        assert len(item["source"]["en"].strip()) > 10, item["id"]
        assert item["source"]["id"] != item["source"]["en"], item["id"]
        assert item["label"]["id"].strip() and item["label"]["en"].strip(), item["id"]


def test_weak_and_medium_items_stay_below_supervisor_review(raw):
    ladder = [a["id"] for a in raw["actions"]]
    review = ladder.index("supervisor_review")
    for track, spec in raw["tracks"].items():
        threshold = next(prev["below"] for prev, band in zip(spec["bands"], spec["bands"][1:],
                                                                strict=False)
                         if ladder.index(band["action"]) >= review)
        for ind in raw["indicators"]:
            if ind["track"] != track:
                continue
            if ind["severity"] == "strong":
                assert ind["points"] >= threshold, ind["id"]
            else:
                assert ind["points"] < threshold, ind["id"]


def test_online_scam_destinations_follow_the_kemlu_advisory(raw):
    assert raw["lists"]["scam_advisory_destinations"] == ["KH", "MM", "LA", "TH", "PH", "VN"]
    assert "Kemlu" in RULES.read_text(encoding="utf-8")
    assert len(raw["lists"]["middle_east_moratorium"]) == 21  # Kepmenaker 260/2015


def test_backtest_frame_gives_the_same_answers_as_the_request_path(ruleset):
    from ews.scoring import score_frame

    recs = [record(a) for a in SOUND.values()] + [record(a, h) for _, a, h, *_ in RISKY]
    frame = score_frame(pd.DataFrame(recs), ruleset, details=True)
    for rec, (_, row) in zip(recs, frame.iterrows(), strict=True):
        one = score(rec, ruleset)
        assert (row["score"], row["band"], row["action"]) == (
            one["score"], one["band"], one["recommended_action"]["id"])
        assert set(row["indicators"]) == ids(one)
        assert set(row["escalations"]) == ids(one, "escalations")


def test_a_reason_asking_for_a_check_never_leaves_the_result_at_proceed(raw, ruleset):
    # Issue 22, judgement 2: every indicator whose label asks the officer to verify or check
    # reaches at least the in-depth interview on its own (its min_action or its points).
    asks = ("terverifikasi", "verifikasi", "periksa", "diragukan")
    checks = [i for i in raw["indicators"] if any(w in i["label"]["id"] for w in asks)]
    assert {"TUJ07", "PMI11", "PMI14", "PMI15", "PMI18", "PMI19", "RIW04"} <= \
        {i["id"] for i in checks}
    bands = ruleset.tracks
    for item in checks:
        alone = bands[item["track"]][0].below <= item["points"]
        assert item.get("min_action") in LADDER[1:] or alone, item["id"]


def test_a_marriage_case_is_not_read_as_labour_migration(ruleset):
    rec = record(BRIDE)
    assert rec["work_in_view"] is not True
    result = score(rec, ruleset)
    assert not any(r["indicator"].startswith("PMI") for r in result["reasons"])
    assert {r["indicator"] for r in result["reasons"] if r["track"] == "nonprocedural"} \
        == {"TUJ07"}  # only the unverified host
    # the work questions (sector, Disnaker papers) do not apply, so they cost no completeness
    assert result["completeness"] == 1.0


def test_checklist_v2_0_answers_are_accepted_and_the_new_questions_not_asked(ruleset):
    # A v2.0 payload: the old lost-passport count, no v2.1 question.
    old = BASE | TOURIST | {"application_type": "lost", "lost_passport_count": 1}
    del old["earlier_lost_passports"]
    rec = validate_checklist(old, agencies=AGENCIES, now=clock()) | NO_HISTORY
    assert all(rec[name] is None for name in ("earlier_lost_passports", "ticket_paid_by",
                                              "departure_point", "intended_place_differs",
                                              "documents_holder", "placement_fee_paid"))
    result = score(rec, ruleset)
    assert {"DOK05", "DOK06"} <= ids(result)  # read as v2.0 read it
    assert result["completeness"] == 1.0  # the questions it could not be asked cost nothing


@pytest.mark.parametrize("ticket", ["no", "not_booked"])
def test_a_v1_record_of_an_earlier_deportation_visiting_again_gets_the_in_depth_interview(
        ruleset, ticket):
    # Judgement 5 with the old v1 answers: "deported or overstayed", visiting family in
    # Malaysia again with no ticket back (v1 "no" = one way) or none booked yet.
    v1 = STORED_V1 | {"purpose": "family_visit", "destination_country": "MY",
                      "family_guarantee": "complete",
                      "offer_unrealistic": False, "prior_deportation_or_overstay": True,
                      "return_ticket": ticket, "checklist_version": 1,
                      "interviewed_at": "2026-11-20T09:00:00+07:00"}
    result = score(validate_checklist(v1, agencies=AGENCIES, now=clock()) | NO_HISTORY,
                   ruleset)
    assert "ESC-HISTORY-VISIT" in ids(result, "escalations")
    assert result["recommended_action"]["rung"] >= 1
