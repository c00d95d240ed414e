"""History features: what the log knew about the applicant at the moment of the interview.

One round trip for all four. Every version of the same application (same office and
application id) is left out: a follow-up interview is the same case, so neither the
supervisor's decision on its earlier version nor that version itself may become evidence
about it (issue #21, point 7).
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import Select, bindparam, exists, func, or_, select

from ews.checklist import HISTORY_FIELDS
from ews.store.db import Db, connection_of
from ews.store.direct import Direct
from ews.store.models import HOLDING_DECISIONS, Assessment, Decision, User

HISTORY_WINDOW = dt.timedelta(days=30)
SUPERVISING_ROLES = ("supervisor", "admin")


def _history_statement(with_nik: bool, with_phone: bool) -> Select:
    """Build the one-round-trip history query (built once per shape, then reused)."""
    nik, phone, since = bindparam("nik_hash"), bindparam("phone_hash"), bindparam("since")
    other_case = ~((Assessment.office_code == bindparam("office_code"))
                   & (Assessment.application_id == bindparam("application_id")))
    columns = []
    if with_nik:
        held = exists().where(Decision.assessment_id == Assessment.id,
                              or_(*(Decision.decision == d for d in HOLDING_DECISIONS)))
        columns.append(exists().where(Assessment.nik_hash == nik, other_case, held)
                       .label("prior_supervisor_decision"))
        columns.append(select(User.role).select_from(Decision)
                       .join(Assessment, Decision.assessment_id == Assessment.id)
                       .join(User, Decision.decided_by == User.id)
                       .where(Assessment.nik_hash == nik, other_case)
                       .order_by(Decision.decided_at.desc(), Decision.id.desc()).limit(1)
                       .scalar_subquery().label("last_decider_role"))
        columns.append(select(func.count()).where(
            Assessment.nik_hash == nik, Assessment.created_at >= since, other_case)
                       .scalar_subquery().label("repeat_applications_30d"))
    if with_phone:
        others = select(func.count(func.distinct(Assessment.nik_hash))).where(
            Assessment.phone_hash == phone, Assessment.created_at >= since,
            Assessment.nik_hash.is_not(None), other_case)
        if with_nik:
            others = others.where(Assessment.nik_hash != nik)
        columns.append(others.scalar_subquery().label("phone_shared_30d"))
    return select(*columns)


_HISTORY = {(n, p): Direct(_history_statement(n, p)) for n in (True, False)
            for p in (True, False) if n or p}


def history_features(db: Db, nik_hash: str | None, phone_hash: str | None, *,
                     now: dt.datetime, office_code: str, application_id: str) -> dict:
    """Return the point-in-time history features from the log (None when not assessable).

    Rows of the application itself (`office_code`, `application_id`: an earlier version of
    a follow-up) are not history.
    """
    out: dict = dict.fromkeys(HISTORY_FIELDS)
    if nik_hash or phone_hash:  # one round trip for all of them
        stmt = _HISTORY[bool(nik_hash), bool(phone_hash)]
        params = {"since": now - HISTORY_WINDOW, "nik_hash": nik_hash, "phone_hash": phone_hash,
                  "office_code": office_code, "application_id": application_id}
        out.update(zip(stmt.keys(), stmt.one(connection_of(db), params), strict=True))
    if nik_hash:
        out["prior_supervisor_decision"] = bool(out["prior_supervisor_decision"])
        out["last_decided_by_supervisor"] = out.pop("last_decider_role") in SUPERVISING_ROLES
    if phone_hash and nik_hash:
        out["phone_shared_30d"] += 1  # distinct NIKs with this phone, the applicant included
    return out
