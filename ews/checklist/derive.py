"""Fields the service derives from the answers, point-in-time (at the interview)."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Mapping

from . import nik as nik_rules
from .fields import OFFER_CHANNELS, RECRUITERS

AGE_BANDS = ((18, "under_18"), (25, "18_24"), (35, "25_34"), (45, "35_44"), (55, "45_54"))
_WORK_PURPOSES = ("procedural_work", "seafarer")
_LEGAL_FORM = re.compile(r"^(pt|cv)\.?\s+|[^\w\s]")


def age_on(dob: dt.date, day: dt.date) -> int:
    """Return completed years of age on `day`."""
    return day.year - dob.year - ((day.month, day.day) < (dob.month, dob.day))


def agency_key(name: str) -> str:
    """Return the comparable form of an agency name: no legal form, case or punctuation."""
    return " ".join(_LEGAL_FORM.sub(" ", name.casefold().strip()).split())


def work_in_view(record: dict) -> bool | None:
    """Return whether work abroad is in view, said or not (None when nothing was asked)."""
    get = record.get
    if (get("states_work_abroad") or get("purpose") in _WORK_PURPOSES
            or get("job_offer_channel") in OFFER_CHANNELS or get("recruiter_type") in RECRUITERS
            or get("job_sector") is not None or get("family_cash_advance")):
        return True
    if get("states_work_abroad") is None and get("job_offer_channel") is None:
        return None
    return False


def derive(record: dict, agencies: Mapping, manning: Mapping | None = None) -> dict:
    """Add the derived fields to a validated record and return it."""
    day = record["interviewed_at"].date()
    dob = record.get("date_of_birth")
    nik = record.get("nik")
    if dob is None and nik is not None:  # only to know a minor: never stored, never a rule
        dob = nik_rules.birth_date(nik, day)
    if dob is None:
        record["is_minor"] = record["age_band"] = None
    else:
        age = age_on(dob, day)
        record["is_minor"] = age < 18
        record["age_band"] = next((band for limit, band in AGE_BANDS if age < limit),
                                  "55_plus")
    record["origin_kecamatan"] = nik_rules.kecamatan_code(nik) if nik else None
    record["work_in_view"] = work_in_view(record)
    return with_agencies(record, agencies, manning)


def licence_on(entry, day: dt.date) -> str:
    """Return an agency's licence on `day` from its list entry (None: not on the list).

    An entry is (valid until, status, status from), or a bare valid-until date.
    """
    if entry is None:
        return "unverified"
    until, status, since = entry if isinstance(entry, tuple) else (entry, "active", None)
    if status != "active" and (since is None or since <= day):
        return "suspended"
    return "licensed" if until >= day else "expired"


def with_agencies(record: dict, agencies: Mapping, manning: Mapping | None = None) -> dict:
    """Set `agency_licence` and `manning_agency_licence` from the rule set's P3MI and
    manning-agency lists, as on the interview day."""
    day = record["interviewed_at"].date()
    name = record.get("agency_name")
    record["agency_licence"] = licence_on(agencies.get(agency_key(name)), day) if name else None
    # A manning agency placing crew that needs a work visa may hold a P3MI licence instead.
    name = record.get("manning_agency_name")
    key = agency_key(name) if name else None
    record["manning_agency_licence"] = licence_on(
        (manning or {}).get(key) or agencies.get(key), day) if name else None
    return record
