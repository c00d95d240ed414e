"""Realistic synthetic checklist-v2 payloads for benchmarks: mostly sound travel, a few risks.

Shares follow the domain notes loosely (umrah and tourism dominate at a Madura office; online
scam recruitment and undocumented work are rare). Sections are answered as officers do with
the "none of these" taps, a few questions left not asked; inside the risk profiles the
signals come together as they do in real cases.
"""

from __future__ import annotations

import random

from ews.checklist import INPUT_FIELDS

PURPOSES = {"tourism": 30, "umrah_hajj": 30, "family_visit": 10, "procedural_work": 8,
            "study": 5, "business": 5, "medical": 4, "internship": 2, "working_holiday": 1,
            "seafarer": 1, "other": 4}
DESTINATIONS = {"umrah_hajj": ["SA"], "procedural_work": ["MY", "TW", "HK", "KR", "JP", "SG"],
                "tourism": ["MY", "SG", "TH", "JP", "KR", "KH", "SA", "TR", "VN"],
                "family_visit": ["MY", "SA", "SG", "HK"], "study": ["MY", "EG", "JP", "TR"],
                "internship": ["JP", "KR", "TW", "DE"], "working_holiday": ["AU"],
                "seafarer": ["TW", "KR", "PE"]}
KECAMATAN = ["352801", "352802", "352803", "352701", "352702", "352901", "352601"]
BOOLS = [f.name for f in INPUT_FIELDS if f.kind == "bool" and f.role == "rule"]
DOCUMENT_PURPOSES = ("procedural_work", "study", "internship", "working_holiday", "seafarer",
                     "medical", "business")


def nik(rng: random.Random) -> str:
    """Return a structurally valid NIK from a Madura kecamatan."""
    day = rng.randint(1, 28) + rng.choice([0, 40])
    return (f"{rng.choice(KECAMATAN)}{day:02d}{rng.randint(1, 12):02d}"
            f"{rng.randint(60, 99):02d}{rng.randint(1, 9999):04d}")


def _sound(rng: random.Random, i: int) -> dict:
    purpose = rng.choices(list(PURPOSES), weights=PURPOSES.values())[0]
    dest = rng.choice(DESTINATIONS.get(purpose, ["MY", "SG", "TH", "CN", "AE"]))
    year = rng.randint(1960, 2006)
    p = {
        "application_id": f"SYN-{i:08d}", "office_code": rng.choice(["PMK", "SMP", "SBY"]),
        "application_type": rng.choices(["new", "replacement", "lost", "damaged"],
                                        [70, 25, 4, 1])[0],
        "nik": nik(rng), "full_name": "Nama Contoh",
        "date_of_birth": f"{year}-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d}",
        "sex": rng.choice(["male", "female"]), "domicile_regency": "Pamekasan",
        "phone": f"+628{rng.randrange(10**9):09d}",
        "purpose": purpose, "destination_country": dest,
        "purpose_explained": rng.choices(["yes", "partly", "no"], [95, 4, 1])[0],
        "destination_address_known": rng.choices(["yes", "partly", "no"], [94, 5, 1])[0],
        "return_ticket": rng.choices(["return_booked", "not_booked", "one_way_booked"],
                                     [60, 38, 2])[0],
        "visa_status": rng.choices(["not_yet", "matches", "does_not_match"], [90, 9, 1])[0],
        "job_offer_channel": "none",
        "accompanied_by": rng.choices(["alone", "immediate_family", "group_leader", "unclear"],
                                      [45, 40, 14, 1])[0],
    }
    p |= {name: rng.random() < 0.003 for name in BOOLS}  # the section taps, a few "yes"
    p["lost_passport_count"] = rng.choices([0, 1, 2], [95, 4, 1])[0]
    if purpose != "tourism":
        p["host_or_guarantor"] = rng.choices(["verified", "unverified", "none"], [70, 10, 20])[0]
    if purpose == "umrah_hajj":
        p["umrah_documents"] = rng.choices(["valid", "incomplete"], [97, 3])[0]
        p["supporting_document"] = "verified"
    if purpose == "family_visit":
        p["family_guarantee"] = rng.choices(["complete", "incomplete"], [90, 10])[0]
    if purpose in DOCUMENT_PURPOSES:
        p["supporting_document"] = rng.choices(["verified", "doubtful", "missing"], [95, 3, 2])[0]
    if purpose in ("procedural_work", "seafarer", "working_holiday", "internship", "study"):
        p["states_work_abroad"] = purpose != "study" or rng.random() < 0.3
    if purpose == "procedural_work":
        p |= {"job_offer_channel": "licensed_agency", "recruiter_type": "licensed_agency",
              "agency_name": rng.choice(["PT Contoh Sarana Kerja", "PT Mitra Buruh Contoh",
                                         "PT Lain Sekali"]),
              "job_sector": rng.choice(["domestic", "caregiver", "manufacturing", "plantation"]),
              "disnaker_recommendation": rng.choices(["verified", "doubtful"], [97, 3])[0],
              "job_order": "present", "placement_agreement": "present"}
    if purpose == "seafarer":
        p |= {"job_sector": "fishing_crew", "recruiter_type": "licensed_agency",
              "seafarer_documents": rng.choices(["complete", "incomplete"], [90, 10])[0]}
    for name in list(p):  # some questions left not asked
        if name not in ("application_id", "office_code", "purpose", "destination_country",
                        "umrah_documents", "family_guarantee") and rng.random() < 0.03:
            del p[name]
    return p


def _scam(p: dict, rng: random.Random) -> dict:
    return p | {"purpose": "tourism", "destination_country": rng.choice(["KH", "MM", "LA", "VN"]),
                "job_offer_channel": rng.choice(["social_media", "chat_app"]),
                "job_sector": "online_admin", "offer_unrealistic": True,
                "job_changed": rng.random() < 0.7, "costs_paid_by_non_family": True,
                "recruiter_type": "individual", "scripted_answers": rng.random() < 0.5,
                "return_ticket": "one_way_booked", "destination_address_known": "no"}


def _undocumented_work(p: dict, rng: random.Random) -> dict:
    return p | {"purpose": rng.choice(["tourism", "umrah_hajj", "family_visit"]),
                "destination_country": rng.choice(["MY", "SA"]), "states_work_abroad": True,
                "disnaker_recommendation": rng.choice(["missing", "doubtful"]),
                "umrah_documents": "valid", "family_guarantee": "complete",
                "job_offer_channel": "individual_recruiter", "recruiter_type": "individual",
                "job_sector": "domestic", "financial_pressure": rng.random() < 0.5}


def checklists(n: int, seed: int = 2026) -> list[dict]:
    """Return n API-shaped checklist payloads (about 1% scam, 2% undocumented work)."""
    rng = random.Random(seed)
    out = []
    for i in range(n):
        p = _sound(rng, i)
        roll = rng.random()
        if roll < 0.01:
            p = _scam(p, rng)
        elif roll < 0.03:
            p = _undocumented_work(p, rng)
        out.append(p)
    return out
