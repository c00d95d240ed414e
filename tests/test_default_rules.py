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

from .checklists import NONE_OBSERVED, NONE_OF_HISTORY, NONE_OF_PROTECTION, NONE_OF_WORK, clock

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
    rec = validate_checklist(BASE | answers, agencies=AGENCIES, now=clock())
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


@pytest.mark.parametrize(("answers", "history", "action", "indicators", "escalations"),
                         [r[1:] for r in RISKY], ids=[r[0] for r in RISKY])
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
    ("host_or_guarantor", "unverified", "proceed"),
    ("costs_paid_by_non_family", True, "proceed"),
    ("romance_or_marriage_promise", True, "proceed"),
    ("accompanied_by", "unclear", "proceed"),
    ("accompanied_by", "broker_or_sponsor", "proceed"),
    ("third_party_speaks", True, "proceed"),
    ("scripted_answers", True, "proceed"),
    ("apparent_age_inconsistent", True, "proceed"),
    ("civil_documents_mismatch", True, "proceed"),
    ("civil_record_changed_recently", True, "proceed"),
    ("applied_outside_domicile", True, "proceed"),
    ("prior_deferral_reported", True, "proceed"),
    ("prior_deportation", True, "proceed"),
    ("long_visit_stays_abroad", True, "proceed"),
    ("lost_passport_count", 2, "proceed"),
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


@pytest.mark.parametrize("answers", [SOUND[k] for k in SOUND] + [r[1] for r in RISKY],
                         ids=list(SOUND) + [r[0] for r in RISKY])
def test_who_the_applicant_is_never_changes_the_result(ruleset, answers):
    woman = score(record(answers), ruleset)
    other = {"sex": "male", "domicile_regency": "Sumenep", "domicile_district": "Kota",
             "domicile_village": "Lain", "full_name": "Nama Lain", "nik": "3529025901850002",
             "phone": "+62 813 9999 0000", "application_id": "PMK-2026-999999",
             "office_code": "SBY"}
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
    for item in raw["indicators"]:
        assert len(item["source"].strip()) > 10, item["id"]
        assert item["label"]["id"].strip() and item["label"]["en"].strip(), item["id"]
    for item in raw["escalations"]:
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
