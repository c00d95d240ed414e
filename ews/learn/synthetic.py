"""A small synthetic interview history with planted signal, built in memory (no database).

For the planted-indicator acceptance tests and benchmarks of the learning code (the
notebooks use `ews demo` data): the outcome depends strongly on `scripted_answers`,
moderately on `job_changed` and `offer_unrealistic`, and not at all on
`civil_documents_mismatch` (which the default rule set weighs). Financial pressure and the
umrah purpose are made to correlate with the label, so that a model which used them would
show it. Not a demo of the service: `ews demo` builds stored histories.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from ews.checklist import FIELDS
from ews.engine.conditions import typed_frame

PURPOSES = ("tourism", "umrah_hajj", "family_visit", "procedural_work", "business")
PURPOSE_P = (0.55, 0.15, 0.12, 0.12, 0.06)
DESTINATIONS = {"tourism": ("MY", "SG", "TH", "KH", "JP"), "umrah_hajj": ("SA",),
                "family_visit": ("MY", "HK", "TW"), "procedural_work": ("MY", "TW", "HK", "KR"),
                "business": ("SG", "MY", "JP")}
REGENCIES = ("Pamekasan", "Sumenep", "Indramayu", "Cianjur", "Lombok Timur")
BANDS = ("18_24", "25_34", "35_44", "45_54", "55_plus")
SIGNAL = {"scripted_answers": 3.0, "job_changed": 1.6, "offer_unrealistic": 0.8,
          "civil_documents_mismatch": 0.0, "financial_pressure": 0.6}
RATES = {"scripted_answers": 0.05, "job_changed": 0.04, "offer_unrealistic": 0.05,
         "civil_documents_mismatch": 0.08, "financial_pressure": 0.2,
         "third_party_speaks": 0.03, "prior_overstay": 0.03, "applied_outside_domicile": 0.1}
FALSE_ONLY = ("states_work_abroad", "costs_paid_by_non_family", "recruitment_debt",
              "family_cash_advance", "romance_or_marriage_promise", "instructed_to_lie",
              "documents_held_by_other", "threats_observed", "violence_observed",
              "distress_observed", "apparent_age_inconsistent", "civil_record_changed_recently",
              "prior_deferral_reported", "prior_deportation", "long_visit_stays_abroad",
              "unaware_of_legal_route")


def planted_columns(n: int, *, months: int = 6, start: str = "2026-01-01", seed: int = 0,
                    base_logit: float = -4.0, labelled_positive: float = 0.7,
                    labelled_negative: float = 0.3) -> dict[str, np.ndarray]:
    """Return the columns of `n` synthetic interviews over `months` months (see module doc)."""
    rng = np.random.default_rng(seed)
    cols: dict[str, np.ndarray] = {}
    purpose = rng.choice(PURPOSES, n, p=PURPOSE_P)
    cols["purpose"] = purpose.astype(object)
    dest = np.empty(n, dtype=object)
    for p, options in DESTINATIONS.items():
        mask = purpose == p
        dest[mask] = rng.choice(options, mask.sum())
    cols["destination_country"] = dest
    for name in FALSE_ONLY:
        cols[name] = np.zeros(n, dtype=bool)
    for name, rate in RATES.items():
        cols[name] = rng.random(n) < rate
    work = purpose == "procedural_work"
    cols["states_work_abroad"] = work.copy()
    cols["work_in_view"] = work.copy()
    for name, value in (("application_type", "new"), ("purpose_explained", "yes"),
                        ("destination_address_known", "yes"), ("return_ticket", "return_booked"),
                        ("visa_status", "not_yet"), ("job_offer_channel", "none"),
                        ("accompanied_by", "alone")):
        cols[name] = np.full(n, value, dtype=object)
    cols["job_offer_channel"][work] = "licensed_agency"

    def only(mask, value):
        out = np.full(n, None, dtype=object)
        out[mask] = value
        return out

    cols["umrah_documents"] = only(purpose == "umrah_hajj", "valid")
    cols["family_guarantee"] = only(purpose == "family_visit", "complete")
    cols["host_or_guarantor"] = only(np.isin(purpose, ("umrah_hajj", "family_visit",
                                                       "business")), "verified")
    cols["supporting_document"] = only(np.isin(purpose, ("umrah_hajj", "procedural_work",
                                                         "business")), "verified")
    for name, value in (("recruiter_type", "licensed_agency"),
                        ("disnaker_recommendation", "verified"), ("job_order", "present"),
                        ("placement_agreement", "present"), ("job_sector", "manufacturing"),
                        ("agency_licence", "licensed")):
        cols[name] = only(work, value)
    for name in ("job_unclear",):
        cols[name] = np.where(work, False, None).astype(object)
    cols["job_changed"] = np.where(work | cols["job_changed"], cols["job_changed"], None)
    cols["offer_unrealistic"] = np.where(work | cols["offer_unrealistic"],
                                         cols["offer_unrealistic"], None)
    cols["lost_passport_count"] = np.zeros(n, dtype=int)
    cols["is_minor"] = np.zeros(n, dtype=bool)
    cols["prior_supervisor_decision"] = np.zeros(n, dtype=bool)
    cols["last_decided_by_supervisor"] = np.zeros(n, dtype=bool)
    cols["repeat_applications_30d"] = np.zeros(n, dtype=int)
    cols["phone_shared_30d"] = np.ones(n, dtype=int)
    cols["sex"] = rng.choice(np.array(["female", "male"], dtype=object), n)
    cols["age_band"] = rng.choice(np.array(BANDS, dtype=object), n)
    cols["domicile_regency"] = rng.choice(np.array(REGENCIES, dtype=object), n)
    logit = base_logit + sum(w * (cols[k] == True) for k, w in SIGNAL.items())  # noqa: E712
    logit = logit + 0.8 * (purpose == "umrah_hajj")
    positive = rng.random(n) < 1 / (1 + np.exp(-logit))
    told = rng.random(n)
    outcome = np.full(n, None, dtype=object)
    kinds = np.array(["confirmed_trafficking", "confirmed_nonprocedural",
                      "intercepted_at_border"], dtype=object)
    pos_lab = positive & (told < labelled_positive)
    outcome[pos_lab] = rng.choice(kinds, pos_lab.sum())
    outcome[~positive & (told < labelled_negative)] = "legitimate_travel_confirmed"
    outcome[~positive & (told >= labelled_negative) & (told < labelled_negative + 0.1)] = \
        "no_information"
    cols["outcome"] = outcome
    first = pd.Timestamp(start, tz="UTC")
    span = (first + pd.DateOffset(months=months) - first).total_seconds()
    offsets = np.sort(rng.random(n)) * span
    cols["interviewed_at"] = (first + pd.to_timedelta(offsets.round(), unit="s")).to_numpy()
    cols["office_code"] = np.full(n, "PMK", dtype=object)
    cols["application_id"] = np.array([f"SYN-{i:07d}" for i in range(n)], dtype=object)
    return cols


def planted_frame(n: int = 4000, **kwargs) -> pd.DataFrame:
    """Return `planted_columns` as a typed frame (what `assessments_frame` returns)."""
    cols = planted_columns(n, **kwargs)
    for name in FIELDS:  # every field, like a stored record: not asked is None
        cols.setdefault(name, np.full(n, None, dtype=object))
    plain = pd.DataFrame(cols)
    frame = pd.concat([typed_frame(plain.iloc[i:i + 50_000].to_dict("records"))
                       for i in range(0, max(n, 1), 50_000)], ignore_index=True)
    frame["interviewed_at"] = pd.to_datetime(frame["interviewed_at"], utc=True)
    return frame
