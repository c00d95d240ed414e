"""The reviewer's cases: 17 realistic interviews judged by a reviewer with field experience.

`tests/data/reviewer_cases_v1.jsonl` holds them as the reviewer wrote them (v1 answers, the
accepted rung range, and why). `V2` translates each into checklist v2, using the facts v2
can record and v1 could not (a Working Holiday visa, a sector, consent, who paid).
"""

from __future__ import annotations

import json
from pathlib import Path

CASES_V1 = {c["id"]: c for c in map(json.loads, (Path(__file__).parent / "data" /
                                                 "reviewer_cases_v1.jsonl").open())}
# The cases whose facts v1 could record (the list): they must land through the mapping.
V1_MAPPABLE = ("C1-split-tracks", "C2-scam-cover-KH", "C3-SA-procedural-individual-recruiter",
               "C4-age-falsification", "C5-control-no-escalation", "C6-elderly-pilgrim-language",
               "C10-weak-pile-to-protection", "C11-minor-no-dob-with-broker", "C13-TH",
               "C13-AE", "C13-MY", "C13-VN")
IDENTITY = ("application_id", "office_code", "interviewed_at", "application_type", "nik",
            "full_name", "date_of_birth", "sex", "domicile_regency", "domicile_district",
            "domicile_village", "phone")
# A "none of these" tap per section answers every yes/no question of it with no.
NONE_WORK = {"states_work_abroad": False, "costs_paid_by_non_family": False,
             "recruitment_debt": False, "family_cash_advance": False,
             "romance_or_marriage_promise": False}
NONE_OBSERVED = {"third_party_speaks": False, "scripted_answers": False,
                 "instructed_to_lie": False, "documents_held_by_other": False,
                 "threats_observed": False, "violence_observed": False,
                 "distress_observed": False, "apparent_age_inconsistent": False}
NONE_HISTORY = {"civil_documents_mismatch": False, "civil_record_changed_recently": False,
                "applied_outside_domicile": False, "prior_deferral_reported": False,
                "earlier_lost_passports": 0, "prior_deportation": False, "prior_overstay": False,
                "long_visit_stays_abroad": False}
NONE_PROTECTION = {"financial_pressure": False, "unaware_of_legal_route": False}
SOUND = NONE_WORK | NONE_OBSERVED | NONE_HISTORY | NONE_PROTECTION | {"job_offer_channel": "none"}
WORK_CONTEXT_NONE = {"job_unclear": False, "job_changed": False, "offer_unrealistic": False}


def _v2(case_id: str, **answers) -> dict:
    base = {k: v for k, v in CASES_V1[case_id]["answers_v1"].items() if k in IDENTITY}
    return base | SOUND | answers


V2 = {
    "C1-split-tracks": _v2(
        "C1-split-tracks", purpose="tourism", destination_country="MY", purpose_explained="no",
        destination_address_known="no", return_ticket="one_way_booked", visa_status="not_yet",
        accompanied_by="alone", scripted_answers=True, civil_documents_mismatch=True),
    "C2-scam-cover-KH": _v2(
        "C2-scam-cover-KH", purpose="tourism", destination_country="KH",
        purpose_explained="partly", destination_address_known="partly",
        return_ticket="one_way_booked", visa_status="not_yet", accompanied_by="alone",
        costs_paid_by_non_family=True),
    "C3-SA-procedural-individual-recruiter": _v2(
        "C3-SA-procedural-individual-recruiter", purpose="procedural_work",
        destination_country="SA", purpose_explained="yes", destination_address_known="yes",
        return_ticket="not_booked", visa_status="not_yet", host_or_guarantor="verified",
        supporting_document="verified", states_work_abroad=True,
        job_offer_channel="individual_recruiter", recruiter_type="individual",
        job_sector="domestic", disnaker_recommendation="verified", job_order="present",
        placement_agreement="present", accompanied_by="alone", **WORK_CONTEXT_NONE),
    "C4-age-falsification": _v2(
        "C4-age-falsification", purpose="tourism", destination_country="MY",
        purpose_explained="yes", destination_address_known="yes",
        return_ticket="return_booked", visa_status="not_yet", accompanied_by="unclear",
        apparent_age_inconsistent=True, civil_record_changed_recently=True),
    "C5-control-no-escalation": _v2(
        "C5-control-no-escalation", purpose="family_visit", destination_country="MY",
        purpose_explained="yes", destination_address_known="yes",
        return_ticket="return_booked", visa_status="not_yet", family_guarantee="complete",
        host_or_guarantor="unverified", accompanied_by="broker_or_sponsor",
        third_party_speaks=True, documents_held_by_other=True, distress_observed=True),
    "C6-elderly-pilgrim-language": _v2(
        "C6-elderly-pilgrim-language", purpose="umrah_hajj", destination_country="SA",
        purpose_explained="partly", destination_address_known="no",
        return_ticket="return_booked", visa_status="not_yet", umrah_documents="valid",
        supporting_document="verified", host_or_guarantor="verified",
        accompanied_by="group_leader", interpreter_used=True),
    "C7-working-holiday-AU": _v2(
        "C7-working-holiday-AU", purpose="working_holiday", destination_country="AU",
        purpose_explained="yes", destination_address_known="yes",
        return_ticket="return_booked", visa_status="matches", supporting_document="verified",
        host_or_guarantor="verified", accompanied_by="alone", states_work_abroad=True,
        recruiter_type="none", **WORK_CONTEXT_NONE),
    "C7b-WHV-pmi-not-applicable": _v2(
        "C7b-WHV-pmi-not-applicable", purpose="working_holiday", destination_country="AU",
        purpose_explained="yes", destination_address_known="yes",
        return_ticket="return_booked", visa_status="matches", accompanied_by="alone",
        states_work_abroad=True, recruiter_type="none", job_sector="hospitality",
        **WORK_CONTEXT_NONE),
    "C8-student-parttime-JP": _v2(
        "C8-student-parttime-JP", purpose="study", destination_country="JP",
        purpose_explained="yes", destination_address_known="yes",
        return_ticket="return_booked", visa_status="matches", supporting_document="verified",
        host_or_guarantor="verified", accompanied_by="alone", states_work_abroad=True,
        recruiter_type="none", **WORK_CONTEXT_NONE),
    "C9-genuine-CPMI-no-contract-yet": _v2(
        "C9-genuine-CPMI-no-contract-yet", purpose="procedural_work", destination_country="HK",
        purpose_explained="yes", destination_address_known="yes", return_ticket="not_booked",
        visa_status="not_yet", supporting_document="verified", host_or_guarantor="verified",
        states_work_abroad=True, job_offer_channel="licensed_agency",
        recruiter_type="licensed_agency", agency_name="PT Contoh Sarana Kerja",
        job_sector="domestic", disnaker_recommendation="verified", job_order="present",
        placement_agreement="present", costs_paid_by_non_family=True, accompanied_by="alone",
        **WORK_CONTEXT_NONE),
    "C10-weak-pile-to-protection": _v2(
        "C10-weak-pile-to-protection", purpose="tourism", destination_country="TH",
        purpose_explained="yes", destination_address_known="yes",
        return_ticket="return_booked", visa_status="not_yet", accompanied_by="unclear",
        scripted_answers=True, distress_observed=True, apparent_age_inconsistent=True,
        civil_documents_mismatch=True),
    "C11-minor-no-dob-with-broker": _v2(
        "C11-minor-no-dob-with-broker", purpose="tourism", destination_country="MY",
        purpose_explained="yes", destination_address_known="yes",
        return_ticket="return_booked", visa_status="not_yet",
        accompanied_by="broker_or_sponsor", appears_minor=True, parental_consent="none"),
    **{f"C13-{cc}": _v2(
        f"C13-{cc}", purpose="tourism", destination_country=cc, purpose_explained="yes",
        destination_address_known="yes", return_ticket="return_booked",
        visa_status="not_yet", accompanied_by="alone", job_offer_channel="chat_app",
        recruiter_type="unknown", offer_unrealistic=True, job_unclear=False,
        job_changed=False, costs_paid_by_non_family=True, job_sector="online_admin",
        disnaker_recommendation="missing", job_order="missing",
        placement_agreement="missing") for cc in ("TH", "AE", "MY", "VN")},
    "X-internship-DE-ferienjob": _v2(
        "X-internship-DE-ferienjob", purpose="internship", destination_country="DE",
        purpose_explained="yes", destination_address_known="yes",
        return_ticket="return_booked", visa_status="not_yet", host_or_guarantor="verified",
        supporting_document="verified", job_offer_channel="government_program",
        accompanied_by="alone", recruitment_debt=True),
}
