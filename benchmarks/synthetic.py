"""Realistic synthetic checklists for benchmarks: mostly sound travel, a few risk profiles.

Shares follow DOMAIN.md loosely (umrah and tourism dominate at a Madura office; online-scam
recruitment and undocumented work are rare). Values are drawn independently per field
except inside the risk profiles, where signals come together as they do in real cases.
"""

from __future__ import annotations

import random

from ews.checklist import INPUT_FIELDS

PURPOSES = {"tourism": 30, "umrah_hajj": 30, "family_visit": 10, "procedural_work": 8,
            "study": 6, "business": 5, "medical": 4, "internship": 3, "other": 4}
DESTINATIONS = {"umrah_hajj": ["SA"], "procedural_work": ["MY", "TW", "HK", "KR", "JP", "SG"],
                "tourism": ["MY", "SG", "TH", "JP", "KR", "KH", "SA", "TR"],
                "family_visit": ["MY", "SA", "SG", "HK"], "study": ["MY", "EG", "JP", "TR"],
                "internship": ["JP", "KR", "TW"]}


def _sound(rng: random.Random, i: int) -> dict:
    purpose = rng.choices(list(PURPOSES), weights=PURPOSES.values())[0]
    dest = rng.choice(DESTINATIONS.get(purpose, ["MY", "SG", "TH", "CN", "AE"]))
    work = purpose in ("procedural_work", "internship")
    year = rng.randint(1960, 2008)
    p = {
        "application_id": f"SYN-{i:08d}", "office_code": rng.choice(["PMK", "SMP", "SBY"]),
        "application_type": rng.choices(["new", "replacement", "lost", "damaged"],
                                        [70, 25, 4, 1])[0],
        "nik": f"35{rng.randrange(10**14):014d}", "full_name": "Nama Contoh",
        "date_of_birth": f"{year}-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d}",
        "sex": rng.choice(["male", "female"]), "domicile_regency": "Pamekasan",
        "phone": f"+628{rng.randrange(10**9):09d}",
        "purpose": purpose, "destination_country": dest,
        "purpose_explained": rng.choices(["yes", "partly", "no"], [95, 4, 1])[0],
        "destination_address_known": rng.choices(["yes", "partly", "no"], [94, 5, 1])[0],
        "return_ticket": rng.choices(["yes", "not_booked", "no"], [85, 13, 2])[0],
        "host_or_guarantor": rng.choices(["verified", "unverified", "none"], [60, 10, 30])[0],
        "visa_matches_activity": rng.choices(["yes", "unknown", "no"], [90, 9, 1])[0],
        "states_work_abroad": work and purpose == "procedural_work",
        "job_offer_channel": ("licensed_agency" if work else "none"),
        "costs_paid_by_non_family": rng.random() < 0.02,
        "romance_or_marriage_promise": rng.random() < 0.003,
        "accompanied_by": rng.choices(["alone", "immediate_family", "unclear"], [50, 49, 1])[0],
        "threats_observed": False, "violence_observed": False,
        "lost_passport_count": rng.choices([0, 1, 2], [95, 4, 1])[0],
    }
    if purpose == "umrah_hajj":
        p["umrah_documents"] = rng.choices(["valid", "incomplete"], [97, 3])[0]
        p["supporting_document_verified"] = "yes"
    if purpose == "family_visit":
        p["family_guarantee"] = rng.choices(["complete", "incomplete"], [90, 10])[0]
    if purpose == "procedural_work":
        p |= {"pmi_documents": rng.choices(["complete", "incomplete"], [95, 5])[0],
              "recruiter_type": "licensed_agency", "supporting_document": "verified"}
    for f in INPUT_FIELDS:  # the remaining yes/no observations: mostly "no", a few "yes"
        if f.kind == "bool" and f.name not in p:
            p[f.name] = rng.random() < 0.003
    for name in list(p):  # some questions left unanswered (not assessed)
        if name not in ("application_id", "office_code", "purpose", "destination_country",
                        "umrah_documents", "family_guarantee", "pmi_documents") \
                and rng.random() < 0.03:
            del p[name]
    return p


def _scam(p: dict, rng: random.Random) -> dict:
    return p | {"purpose": "tourism", "destination_country": rng.choice(["KH", "MM", "LA"]),
                "job_offer_channel": rng.choice(["social_media", "chat_app"]),
                "offer_unrealistic": True, "job_changed": rng.random() < 0.7,
                "costs_paid_by_non_family": True, "recruiter_type": "individual",
                "scripted_answers": rng.random() < 0.5, "return_ticket": "one_way_booked",
                "destination_address_known": "no"}


def _undocumented_work(p: dict, rng: random.Random) -> dict:
    return p | {"purpose": rng.choice(["tourism", "umrah_hajj", "family_visit"]),
                "destination_country": rng.choice(["MY", "SA"]), "states_work_abroad": True,
                "pmi_documents": rng.choice(["none", "incomplete"]), "umrah_documents": "valid",
                "family_guarantee": "complete", "job_offer_channel": "individual_recruiter",
                "recruiter_type": "individual", "financial_pressure": rng.random() < 0.5}


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
