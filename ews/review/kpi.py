"""The supervisor's KPI strip: the office's timeliness of follow-up (Renstra IKK 9.1).

open: items awaiting review; overdue: open items past their due time; decided this month:
review items (rung 2+) first decided since the start of the month in the office time zone;
median time to decision: from assessment to first decision, over those same items.
"""

from __future__ import annotations

import datetime as dt
import statistics
from dataclasses import dataclass
from zoneinfo import ZoneInfo

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from ews.store.db import as_utc, utcnow
from ews.store.models import Assessment, status_is


@dataclass(frozen=True)
class KPIs:
    """Review figures of one office."""

    open: int
    overdue: int
    decided_this_month: int
    median_hours_to_decision: float | None


def month_start(now: dt.datetime, tz: ZoneInfo) -> dt.datetime:
    """Return the first instant of `now`'s month in the office time zone, as UTC."""
    local = now.astimezone(tz)
    return local.replace(day=1, hour=0, minute=0, second=0, microsecond=0).astimezone(dt.UTC)


def office_kpis(session: Session, office_code: str, tz: ZoneInfo,
                now: dt.datetime | None = None) -> KPIs:
    """Return the KPI strip figures of an office."""
    now = now or utcnow()
    waiting = (Assessment.office_code == office_code, status_is("awaiting_review"))
    open_n = session.scalar(select(func.count()).select_from(Assessment).where(*waiting))
    overdue = session.scalar(select(func.count()).select_from(Assessment)
                             .where(*waiting, Assessment.due_at < now))
    rows = session.execute(
        select(Assessment.created_at, Assessment.decided_at)
        .where(Assessment.office_code == office_code, Assessment.decision_required.is_(True),
               Assessment.decided_at >= month_start(now, tz))).all()
    hours = [(as_utc(d) - as_utc(c)).total_seconds() / 3600 for c, d in rows]
    median = round(statistics.median(hours), 1) if hours else None
    return KPIs(open=open_n, overdue=overdue, decided_this_month=len(rows),
                median_hours_to_decision=median)
