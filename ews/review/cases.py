"""Case history: the decided cases in the user's reach, searchable, and the outcomes missing.

Outcomes arrive weeks after the decision, so supervisors (their office) and analysts (every
office, or one) need to find decided cases again: by application number, decision date,
rung, latest decision, outcome recorded or not, interviewing officer. The "waiting for an
outcome" filter lists cases decided more than N days ago that have no outcome yet, oldest
first, so that none is forgotten.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from zoneinfo import ZoneInfo

from sqlalchemy import Select, exists, func, select
from sqlalchemy.orm import Session, aliased

from ews.auth.scope import Principal, can, office_scope, sees_free_text
from ews.store.assessments import corrections_of
from ews.store.db import as_utc, utcnow
from ews.store.models import Assessment, Decision, Outcome, User, status_is

from .service import Forbidden

OUTCOME_STATES = ("recorded", "missing")
PER_PAGE = 25
DEFAULT_TZ = ZoneInfo("Asia/Jakarta")


@dataclass(frozen=True)
class CaseFilters:
    """What to look for; None means "any"."""

    application_id: str | None = None  # part of the number, case-insensitive
    decided_from: dt.date | None = None  # office-local dates, both inclusive
    decided_to: dt.date | None = None
    rung: int | None = None
    decision: str | None = None  # the latest decision
    outcome: str | None = None  # "recorded" or "missing"
    officer: str | None = None  # username of the interviewing officer
    waiting_days: int | None = None  # decided more than N days ago and no outcome yet
    office_code: str | None = None  # analysts: one office (default: every office)


@dataclass(frozen=True)
class Case:
    """One decided case as the history lists it."""

    id: str
    application_id: str
    office_code: str
    rung: int
    action: str
    score: int
    band: str
    officer: str | None
    created_at: dt.datetime
    decided_at: dt.datetime | None
    decision: str
    decided_by: str | None
    outcome: str | None
    outcome_at: dt.datetime | None
    corrected: bool = False  # a same-day correction by the officer (a new version)
    correction_reason: str | None = None  # its reason, for the office's own users only


def may_browse(user: Principal) -> bool:
    """Return True when `user` may browse decided cases (supervisors and analysts)."""
    return can(user, "outcome.record")


def _offices(user: Principal, flt: CaseFilters) -> tuple[str, ...] | None:
    if not may_browse(user):
        raise Forbidden("not_allowed", "only supervisors and analysts see decided cases")
    scope = office_scope(user)
    if flt.office_code is None:
        return scope
    if scope is not None and flt.office_code not in scope:
        raise Forbidden("other_office", "this office is not yours")
    return (flt.office_code,)


def _local_midnight(day: dt.date, tz: ZoneInfo) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(), tz).astimezone(dt.UTC)


def _statement(offices, flt: CaseFilters, tz: ZoneInfo, now: dt.datetime) -> Select:
    officer, decider = aliased(User), aliased(User)
    latest = (select(func.max(Decision.id)).where(Decision.assessment_id == Assessment.id)
              .correlate(Assessment).scalar_subquery())
    last_outcome = (select(func.max(Outcome.id)).where(Outcome.assessment_id == Assessment.id)
                    .correlate(Assessment).scalar_subquery())
    any_outcome = aliased(Outcome)
    has_outcome = (exists().where(any_outcome.assessment_id == Assessment.id)
                   .correlate(Assessment))
    conds = [status_is("decided")]
    if offices is not None:
        conds.append(Assessment.office_code.in_(offices))
    if flt.application_id:
        conds.append(func.upper(Assessment.application_id).contains(
            flt.application_id.strip().upper(), autoescape=True))
    if flt.decided_from is not None:
        conds.append(Assessment.decided_at >= _local_midnight(flt.decided_from, tz))
    if flt.decided_to is not None:
        conds.append(Assessment.decided_at
                     < _local_midnight(flt.decided_to + dt.timedelta(days=1), tz))
    if flt.rung is not None:
        conds.append(Assessment.rung == flt.rung)
    if flt.decision is not None:
        conds.append(Decision.decision == flt.decision)
    if flt.outcome == "recorded":
        conds.append(has_outcome)
    elif flt.outcome == "missing":
        conds.append(~has_outcome)
    if flt.officer:
        conds.append(officer.username == flt.officer)
    if flt.waiting_days is not None:
        conds += [~has_outcome,
                  Assessment.decided_at < now - dt.timedelta(days=flt.waiting_days)]
    return (select(Assessment, Decision.decision, Decision.decided_by, officer.username,
                   decider.username, Outcome.outcome, Outcome.recorded_at)
            .join(Decision, Decision.id == latest)
            .join(officer, officer.id == Assessment.officer_id)
            .join(decider, decider.id == Decision.decided_by)
            .outerjoin(Outcome, Outcome.id == last_outcome)
            .where(*conds))


def find_cases(session: Session, user: Principal, flt: CaseFilters, page: int = 1,
               per_page: int = PER_PAGE, tz: ZoneInfo = DEFAULT_TZ,
               now: dt.datetime | None = None) -> tuple[list[Case], int]:
    """Return one page of decided cases in the user's reach and the total count.

    Newest decision first; with `waiting_days`, the longest-waiting case first.
    """
    now = now or utcnow()
    stmt = _statement(_offices(user, flt), flt, tz, now)
    total = session.scalar(select(func.count()).select_from(stmt.subquery()))
    order = (Assessment.decided_at.asc() if flt.waiting_days is not None
             else Assessment.decided_at.desc())
    rows = session.execute(stmt.order_by(order, Assessment.id)
                           .offset((page - 1) * per_page).limit(per_page)).all()
    fixed = corrections_of(session, [r[0] for r in rows])

    def reason(a: Assessment) -> str | None:
        c = fixed.get(a.id)
        return c.reason if c and sees_free_text(user, a.office_code, c.corrected_by) else None

    return [Case(id=a.id, application_id=a.application_id, office_code=a.office_code,
                 rung=a.rung, action=a.action, score=a.score, band=a.band, officer=officer,
                 created_at=as_utc(a.created_at), decided_at=as_utc(a.decided_at),
                 decision=decision, decided_by=by, outcome=outcome,
                 outcome_at=as_utc(outcome_at), corrected=a.id in fixed,
                 correction_reason=reason(a))
            for a, decision, _, officer, by, outcome, outcome_at in rows], total


def case_officers(session: Session, user: Principal) -> list[str]:
    """Return the usernames of the officers who interviewed decided cases in the user's reach."""
    offices = _offices(user, CaseFilters())
    stmt = (select(User.username).join(Assessment, Assessment.officer_id == User.id)
            .where(status_is("decided")).distinct().order_by(User.username))
    if offices is not None:
        stmt = stmt.where(Assessment.office_code.in_(offices))
    return list(session.scalars(stmt))
