"""Same-day correction: the officer who stored an interview fixes a typo or a wrong tap.

A correction is the next version of the assessment (`submit` with a `Correction`): scored
again, linked to the version it supersedes, its reason kept beside it and sealed in the
`assessment.corrected` audit event. Only the officer who stored the interview may correct
it, only on the office's local day it was stored, and only while no one else has decided
it: after a supervisor's decision only the supervisor may amend (the decision).
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import select

from ews.checklist import CARRIED
from ews.store import zones
from ews.store.db import Db, as_utc, connection_of, orm
from ews.store.models import Assessment, Decision, Office

REASON_MAX = 500


def office_day(db: Db, office_code: str, at: dt.datetime) -> dt.date:
    """Return the office's local date of instant `at` (its zone, WIB by default)."""
    zone = connection_of(db).scalar(select(Office.timezone).where(Office.code == office_code))
    minutes = zones.ZONES.get(zone or zones.DEFAULT, zones.ZONES[zones.DEFAULT])[0]
    return zones.local(as_utc(at), minutes).date()


def refusal(db: Db, row: Assessment, user_id: int, now: dt.datetime) -> str | None:
    """Return why `user_id` may not correct `row` now (a message key), or None when they may.

    Keys: "not_author" (another officer stored it), "superseded" (a later version exists),
    "not_today" (stored on an earlier local day), "decided_by_other" (someone else decided).
    """
    if row.officer_id != user_id:
        return "not_author"
    if row.superseded_by is not None:
        return "superseded"
    if office_day(db, row.office_code, row.created_at) != office_day(db, row.office_code, now):
        return "not_today"
    with orm(db) as session:
        others = session.scalar(select(Decision.id).where(
            Decision.assessment_id == row.id, Decision.decided_by != user_id).limit(1))
    return "decided_by_other" if others is not None else None


def identity_of(row: Assessment) -> dict:
    """Return the identity a correction keeps from the version it corrects (never retyped).

    The same shape as a front-desk registration's (`applications.identity_of`): keyed hashes
    and what was derived, since name, NIK and date of birth were never stored.
    """
    features = row.features or {}
    return {"nik_hash": row.nik_hash, "phone_hash": row.phone_hash,
            "is_minor": features.get("is_minor"), "age_band": features.get("age_band"),
            "origin_kecamatan": row.origin_kecamatan,
            **{name: (row.answers or {}).get(name) for name in CARRIED}}
