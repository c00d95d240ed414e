"""Draw the demo's interviews: checklist payloads as an officer's client would send them.

Deterministic for (n, window, offices, seed): one `random.Random(seed)` draws everything, in
one order. Each case carries its hidden truth (what the person really was doing), from which
the writer draws the supervisor's decision and the later outcome.
"""

from __future__ import annotations

import datetime as dt
import random
from collections.abc import Iterator
from dataclasses import dataclass
from functools import cache

from ews import wilayah

from . import plan
from .plan import Window

SOUND = {  # purpose: (weight, destinations)
    "umrah_hajj": (30, ("SA",)), "tourism": (28, ("MY", "SG", "TH", "JP", "KR", "TR", "SA")),
    "family_visit": (10, ("MY", "SA", "SG", "HK")), "procedural_work": (10, ("MY", "TW", "HK",
                                                                             "KR", "SG")),
    "study": (6, ("MY", "EG", "JP", "TR")), "business": (5, ("MY", "SG", "CN")),
    "medical": (4, ("MY", "SG")), "internship": (3, ("JP", "KR", "TW")),
    "other": (4, ("MY", "SG", "AE")), "marriage": (2, ("KR", "MY", "TW", "JP")),
}
# Sound workers go through an agency licensed all through the demo's window: the sample list
# has BP2MI suspend PT Mitra Buruh Contoh from 2026-10-01, and a worker placed by it then is
# not sound (PMI14 fires).
LICENSED = ("PT Contoh Sarana Kerja",)
NONE_OF = {"costs_paid_by_non_family": False, "recruitment_debt": False,
           "family_cash_advance": False, "romance_or_marriage_promise": False,
           "third_party_speaks": False, "scripted_answers": False, "instructed_to_lie": False,
           "documents_held_by_other": False, "threats_observed": False,
           "violence_observed": False, "distress_observed": False,
           "apparent_age_inconsistent": False, "civil_documents_mismatch": False,
           "civil_record_changed_recently": False, "applied_outside_domicile": False,
           "prior_deferral_reported": False, "earlier_lost_passports": 0,
           "prior_deportation": False, "prior_overstay": False,
           "long_visit_stays_abroad": False, "financial_pressure": False,
           "unaware_of_legal_route": False}
SKIPPABLE = tuple(k for k in NONE_OF if k != "earlier_lost_passports") + (
    "purpose_explained", "destination_address_known", "return_ticket", "visa_status")
# Weak signals (answer, value) that leak through a cover story, and that a small share of
# sound applicants give too: at most two of the first (non-procedural track, <= 20 points)
# and one of the second (trafficking track, <= 12 points), so never supervisor review.
WEAK = ((("purpose_explained", "partly"), ("host_or_guarantor", "unverified"),
         ("civil_record_changed_recently", True), ("applied_outside_domicile", True),
         ("long_visit_stays_abroad", True)),
        (("destination_address_known", "partly"), ("accompanied_by", "unrelated_adult"),
         ("scripted_answers", True), ("costs_paid_by_non_family", True)))
SOUND_WEAK_SHARE = 0.05  # of sound applicants who give one weak signal


@dataclass(frozen=True)
class Case:
    """One drawn interview: the payload, its hidden truth, and pre-drawn randomness."""

    payload: dict
    truth: str          # sound | false_alarm | nonprocedural | trafficking | scam | network
    network: str | None
    u_decision: float
    u_outcome: float
    u_label: float
    delay_hours: float


@cache
def _kecamatan_codes(regency: str) -> tuple[str, ...]:
    return tuple(sorted(c.replace(".", "") for c in wilayah.children(regency)))


@cache
def _desa_codes(kecamatan: str) -> tuple[str, ...]:
    """Return the kecamatan's desa codes (10 digits), in the order of their names."""
    return tuple(code for code, _ in wilayah.desa_of(kecamatan))


def _kecamatan(rng: random.Random, regency: str) -> str:
    return rng.choice(_kecamatan_codes(regency))


def _desa(rng: random.Random, kecamatan: str, hot: bool) -> str | None:
    codes = _desa_codes(kecamatan)
    if not codes:
        return None
    return codes[0] if hot else rng.choice(codes)


def _weighted(rng: random.Random, weights: dict):
    return rng.choices(list(weights), weights=list(weights.values()))[0]


def _when(rng: random.Random, window: Window, months: list, weights: list) -> dt.datetime:
    start = rng.choices(months, weights=weights)[0]
    days = (plan.month_end(start) - start).days
    while True:
        day = start + dt.timedelta(days=rng.randrange(days))
        if day.weekday() < 5:
            break
    hour = _weighted(rng, plan.HOURS)
    return dt.datetime(day.year, day.month, day.day, hour, rng.randrange(60), rng.randrange(60),
                       tzinfo=plan.WIB)


def nik(rng: random.Random, kecamatan: str, born: dt.date, female: bool, serial: int) -> str:
    """Return a structurally valid NIK for a kecamatan, birth date and sex."""
    day = born.day + (40 if female else 0)
    return f"{kecamatan}{day:02d}{born.month:02d}{born.year % 100:02d}{serial % 9999 + 1:04d}"


def _identity(rng: random.Random, i: int, seed: int, office_code: str, kecamatan: str,
              hot_desa: bool,
              when: dt.datetime, female_share: float = 0.5) -> dict:
    female = rng.random() < female_share
    age = rng.choices((19, 24, 30, 40, 50, 62), weights=(12, 18, 25, 20, 15, 10))[0]
    born = dt.date(when.year - age - rng.randrange(5), rng.randint(1, 12), rng.randint(1, 28))
    regency = wilayah.regency_of(kecamatan)
    return {"application_id": f"{office_code}-DEMO{seed}-{i:07d}", "office_code": office_code,
            "application_type": rng.choices(("new", "replacement", "lost"), (70, 27, 3))[0],
            "interviewed_at": when.isoformat(), "nik": nik(rng, kecamatan, born, female, i),
            "full_name": "Pemohon Demo", "date_of_birth": born.isoformat(),
            "sex": "female" if female else "male",
            "domicile_regency": wilayah.name(regency) or "",
            "domicile_district": wilayah.name(kecamatan) or "",
            "domicile_desa": _desa(rng, wilayah.dotted(kecamatan), hot_desa),
            "phone": f"+628{rng.randrange(10**9, 10**10)}"}


def _sound(rng: random.Random, purpose: str | None = None) -> dict:
    purpose = purpose or _weighted(rng, {k: w for k, (w, _) in SOUND.items()})
    p = dict(NONE_OF, purpose=purpose, destination_country=rng.choice(SOUND[purpose][1]),
             purpose_explained="yes", destination_address_known="yes",
             return_ticket=rng.choices(("return_booked", "not_booked"), (40, 60))[0],
             visa_status="not_yet", accompanied_by=rng.choice(("alone", "immediate_family")),
             states_work_abroad=purpose == "procedural_work", job_offer_channel="none")
    if purpose in ("umrah_hajj", "family_visit", "medical", "study", "business", "internship",
                   "other"):
        p["host_or_guarantor"] = "verified"
    if purpose == "umrah_hajj":
        p |= {"umrah_documents": "valid", "accompanied_by": "group_leader"}
    if purpose == "family_visit":
        p["family_guarantee"] = "complete"
    if purpose in ("umrah_hajj", "procedural_work", "internship", "study", "medical",
                   "business"):
        p["supporting_document"] = "verified"
    if purpose == "procedural_work":
        p |= {"job_offer_channel": "licensed_agency", "recruiter_type": "licensed_agency",
              "agency_name": rng.choice(LICENSED), "job_sector": rng.choice(
                  ("manufacturing", "caregiver", "plantation", "hospitality")),
              "disnaker_recommendation": "verified", "job_order": "present",
              "placement_agreement": "present", "job_unclear": False, "job_changed": False,
              "offer_unrealistic": False}
    return _sound_v21(rng, p)


def _sound_v21(rng: random.Random, p: dict) -> dict:
    """Add the checklist v2.1 answers of sound travel (drawn after the v2 ones)."""
    purpose = p["purpose"]
    if p["return_ticket"] != "not_booked":
        p["ticket_paid_by"] = "self_or_family"
    if purpose in ("tourism", "other", "procedural_work"):
        p |= {"departure_point": "airport", "intended_place_differs": False}
    if purpose == "umrah_hajj" and rng.random() < 0.1:  # the group leader keeps the papers
        p |= {"documents_held_by_other": True, "documents_holder": "pilgrimage_group_leader"}
    if purpose == "marriage":
        p |= {"marriage_arranged_by": rng.choice(("own_acquaintance", "family", "online")),
              "met_partner_in_person": True, "matchmaker_paid_family": False,
              "host_or_guarantor": "verified"}
    if purpose == "procedural_work":
        p |= {"placement_fee_paid": False,
              "accompanied_by": rng.choice(("alone", "immediate_family", "p3mi_field_officer")),
              "job_offer_channel": rng.choice(("licensed_agency", "licensed_agency",
                                               "official_portal"))}
    return p


def _false_alarm(rng: random.Random) -> dict:
    p = _sound(rng)
    p |= {"purpose_explained": "partly", "scripted_answers": True, "host_or_guarantor":
          "unverified", "destination_address_known": "partly"}
    if "supporting_document" in p:
        p["supporting_document"] = "doubtful"
    if rng.random() < 0.5:
        p["civil_documents_mismatch"] = True
    return p


def _nonprocedural(rng: random.Random, recruiter: str | None, agency: str | None) -> dict:
    p = dict(NONE_OF, purpose=rng.choice(("tourism", "umrah_hajj", "family_visit")),
             destination_country=rng.choice(("MY", "MY", "SA", "AE", "BN")),
             purpose_explained="partly", destination_address_known=rng.choice(("partly", "no")),
             return_ticket="not_booked", visa_status="not_yet", host_or_guarantor="none",
             states_work_abroad=rng.random() < 0.4,
             job_offer_channel=rng.choice(("individual_recruiter", "friend_or_family")),
             recruiter_type="individual", job_sector=rng.choice(
                 ("domestic", "plantation", "construction", "caregiver")),
             job_unclear=rng.random() < 0.5, job_changed=False,
             offer_unrealistic=rng.random() < 0.3, costs_paid_by_non_family=True,
             recruitment_debt=rng.random() < 0.4, family_cash_advance=rng.random() < 0.3,
             accompanied_by=rng.choice(("broker_or_sponsor", "unrelated_adult", "alone")),
             scripted_answers=rng.random() < 0.5, unaware_of_legal_route=True,
             financial_pressure=rng.random() < 0.6,
             recruiter_phone=recruiter or f"+628{rng.randrange(10**9, 10**10)}")
    if agency:
        p |= {"recruiter_type": "licensed_agency", "agency_name": agency}
    if p["purpose"] == "umrah_hajj":
        p |= {"umrah_documents": rng.choice(("incomplete", "invalid")),
              "supporting_document": "doubtful"}
    if p["purpose"] == "family_visit":
        p["family_guarantee"] = "incomplete"
    if p["states_work_abroad"]:
        p |= {"disnaker_recommendation": "missing", "job_order": "missing",
              "placement_agreement": "missing"}
    # checklist v2.1: sea and land exits to Malaysia, placement fees in zero-cost jobs
    p |= {"placement_fee_paid": rng.random() < 0.4, "intended_place_differs": False,
          "departure_point": rng.choice(("nunukan", "batam", "tanjung_pinang", "entikong",
                                         "airport", "airport")
                                        if p["destination_country"] == "MY" else ("airport",))}
    return p


def _scam(rng: random.Random) -> dict:
    p = dict(NONE_OF, purpose="tourism",
                destination_country=rng.choice(("KH", "KH", "MM", "LA", "PH")),
                transit_country=rng.choice(("TH", "MY", None)), purpose_explained="partly",
                destination_address_known="no", return_ticket="one_way_booked",
                visa_status="not_yet", host_or_guarantor="none", states_work_abroad=False,
                job_offer_channel=rng.choice(("social_media", "chat_app")),
                recruiter_type="unknown", job_sector="online_admin", job_unclear=True,
                job_changed=rng.random() < 0.3, offer_unrealistic=True,
                costs_paid_by_non_family=True, recruitment_debt=rng.random() < 0.3,
                scripted_answers=rng.random() < 0.6, instructed_to_lie=rng.random() < 0.3,
                documents_held_by_other=rng.random() < 0.2, accompanied_by="alone",
                recruiter_phone=f"+628{rng.randrange(10**9, 10**10)}")
    # checklist v2.1: the recruiter paid the ticket; some declare Thailand for Myawaddy
    p |= {"ticket_paid_by": "sponsor_or_recruiter", "departure_point": "airport",
          "placement_fee_paid": False, "intended_place_differs": False}
    if p["documents_held_by_other"]:
        p["documents_holder"] = "sponsor_or_recruiter"
    if rng.random() < 0.2:
        p |= {"destination_country": "TH", "transit_country": None,
              "intended_place_differs": True, "intended_country": "MM"}
    return p


def _trafficking(rng: random.Random) -> dict:
    p = _nonprocedural(rng, None, None)
    p |= {"documents_held_by_other": True, "third_party_speaks": True,
          "distress_observed": rng.random() < 0.6, "job_changed": True,
          "accompanied_by": "broker_or_sponsor", "recruitment_debt": True,
          "documents_holder": "sponsor_or_recruiter"}
    if rng.random() < 0.15:  # marriage brokerage: a matchmaker's bride for China
        p = dict(NONE_OF, distress_observed=p["distress_observed"],
                 financial_pressure=p["financial_pressure"]) | {
            "purpose": "marriage", "destination_country": "CN", "purpose_explained": "partly",
            "destination_address_known": "no", "return_ticket": "one_way_booked",
            "visa_status": "not_yet", "host_or_guarantor": "unverified",
            "marriage_arranged_by": "matchmaker", "met_partner_in_person": False,
            "matchmaker_paid_family": True, "costs_paid_by_non_family": True,
            "ticket_paid_by": "matchmaker", "accompanied_by": "matchmaker",
            "third_party_speaks": True, "documents_held_by_other": rng.random() < 0.5,
            "recruitment_debt": False, "job_offer_channel": "none",
            "states_work_abroad": False}
        if p["documents_held_by_other"]:
            p["documents_holder"] = "other"
    return p


def _weak(rng: random.Random, p: dict, track: int) -> dict:
    name, value = rng.choice(WEAK[track])
    return p | {name: value}


def _cover(rng: random.Random, true: dict) -> dict:
    """Return the cover story of a coached applicant: sound answers for the declared purpose
    and the true destination, with a few weak signals leaking (below supervisor review)."""
    purpose = true["purpose"] if true["purpose"] in SOUND else "tourism"
    p = _sound(rng, purpose) | {"destination_country": true["destination_country"],
                                "financial_pressure": rng.random() < 0.5}
    for _ in range(rng.choice((0, 1, 1, 2))):
        p = _weak(rng, p, 0)
    if rng.random() < 0.4:
        p = _weak(rng, p, 1)
    return p


def _disguise(rng: random.Random, truth: str, p: dict) -> tuple[str, dict]:
    """Return the truth and the answers as given (plan.CONCEAL, plan.HIDDEN_SHARE): a cover
    story for the coached share of a risky truth and for the hidden risky among the sound,
    one weak signal for a few sound applicants, otherwise `p` itself."""
    if rng.random() < plan.CONCEAL.get(truth, 0.0):
        return truth, _cover(rng, p)
    if truth != "sound":
        return truth, p
    if rng.random() < plan.HIDDEN_SHARE:
        if rng.random() < plan.TRAFFICKING_SHARE / (plan.RISKY_SHARE + plan.TRAFFICKING_SHARE):
            return "trafficking", _cover(rng, _trafficking(rng))
        return "nonprocedural", _cover(rng, _nonprocedural(rng, None, None))
    if rng.random() < SOUND_WEAK_SHARE:
        return truth, _weak(rng, p, rng.randrange(2))
    return truth, p


def _skip(rng: random.Random, p: dict, hour: int) -> dict:
    share = plan.SKIP_BY_HOUR.get(hour, 0.02)
    for name in SKIPPABLE:
        if name in p and rng.random() < share:
            del p[name]
    return p


def generate(n: int, window: Window, offices: tuple[str, ...], seed: int) -> Iterator[Case]:
    """Yield `n` cases in interview order (deterministic for the arguments)."""
    rng = random.Random(seed)
    months = window.month_starts()
    weights = [plan.SEASON[m.month] for m in months]
    wave = window.wave_month()
    hot_regency = wilayah.regency_of(plan.HOTSPOT_KECAMATAN)
    network_sizes = [max(minimum, round(share * n)) for _, share, minimum, *_ in plan.NETWORKS]
    network_of = [None] * n
    slots = rng.sample(range(n), min(n, sum(network_sizes)))
    start = 0
    for (name, *_), size in zip(plan.NETWORKS, network_sizes, strict=True):
        for i in slots[start:start + size]:
            network_of[i] = name
        start += size
    whens = sorted(_when(rng, window, months, weights) for _ in range(n))
    for i, when in enumerate(whens):
        office = offices[i % len(offices)] if network_of[i] else rng.choice(offices)
        catchment = plan.CATCHMENTS.get(office, plan.DEFAULT_CATCHMENT)
        kec = _kecamatan(rng, _weighted(rng, catchment))
        hot_desa, female_share, recruiter = False, 0.5, None
        u = rng.random()
        in_wave = wave <= when.date() < plan.month_end(wave)
        if network_of[i]:
            truth = "network"
            _, _, _, phones, agencies, home, home_share = next(
                x for x in plan.NETWORKS if x[0] == network_of[i])
            kec = home if rng.random() < home_share else kec
            recruiter = rng.choice(phones)
            agency = rng.choice(agencies) if agencies and rng.random() < 0.6 else None
            payload = _nonprocedural(rng, recruiter, agency)
            female_share = 0.7
        elif u < (plan.SCAM_WAVE_SHARE if in_wave else plan.SCAM_SHARE):
            truth, payload = "scam", _scam(rng)
        elif (u := rng.random()) < plan.RISKY_SHARE + plan.TRAFFICKING_SHARE:
            truth = "trafficking" if u < plan.TRAFFICKING_SHARE else "nonprocedural"
            payload = _trafficking(rng) if truth == "trafficking" else _nonprocedural(
                rng, None, None)
            if rng.random() < plan.HOTSPOT_RISKY_SHARE:
                kec, hot_desa = plan.HOTSPOT_KECAMATAN, rng.random() < plan.HOTSPOT_DESA_SHARE
            female_share = 0.65
        elif u < plan.RISKY_SHARE + plan.TRAFFICKING_SHARE + plan.FALSE_ALARM_SHARE:
            truth, payload = "false_alarm", _false_alarm(rng)
        else:
            truth, payload = "sound", _sound(rng)
        if truth in ("network", "scam") and wilayah.regency_of(kec) == hot_regency \
                and rng.random() < 0.3:
            kec = plan.HOTSPOT_KECAMATAN
        if truth not in ("sound", "false_alarm") and kec == plan.HOTSPOT_KECAMATAN:
            hot_desa = hot_desa or rng.random() < plan.HOTSPOT_DESA_SHARE
        # drawn apart, so concealment leaves every other draw of the seed as it was
        truth, payload = _disguise(random.Random(f"conceal:{seed}:{i}"), truth, payload)
        ident = _identity(rng, i, seed, office, kec, hot_desa, when, female_share)
        if recruiter and rng.random() < 0.3:
            ident["phone"] = recruiter  # the sponsor's number given as the contact phone
        payload = _skip(rng, ident | payload, when.hour)
        payload = {k: v for k, v in payload.items() if v is not None}
        yield Case(payload, truth, network_of[i], rng.random(), rng.random(), rng.random(),
                   rng.uniform(0.5, 72))
