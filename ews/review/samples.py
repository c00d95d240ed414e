"""The follow-up sample ("sampel tindak lanjut"): interviews below review drawn for follow-up.

Supervisors follow up their flagged cases; the sample is what tells how the rules do on the
rest. This lists the drawn interviews of the user's reach (supervisor: own office; analyst:
every office), those still without an outcome first, oldest draw first, so that a supervisor
can record what became of each. An outcome recorded for one of them is labelled `sample`.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import exists, func, select
from sqlalchemy.orm import Session, aliased

from ews.auth.scope import Principal, can, office_scope
from ews.store.db import as_utc
from ews.store.models import Assessment, FollowupSample, Outcome

from .service import Forbidden

PER_PAGE = 25


@dataclass(frozen=True)
class SampleItem:
    """One interview of the follow-up sample as the list shows it."""

    id: str
    application_id: str
    office_code: str
    rung: int
    action: str
    score: int
    created_at: dt.datetime
    selected_at: dt.datetime
    probability: float
    outcome: str | None
    outcome_at: dt.datetime | None


def is_sampled(session: Session, assessment_id: str) -> bool:
    """Return True when the assessment was drawn for the follow-up sample."""
    return session.get(FollowupSample, assessment_id) is not None


def follow_up_samples(session: Session, user: Principal, *, waiting: bool = True,
                      page: int = 1, per_page: int = PER_PAGE) -> tuple[list[SampleItem], int]:
    """Return one page of sampled interviews in the user's reach and the total count.

    With `waiting` only those without an outcome yet, oldest draw first; otherwise all of
    them, newest draw first.
    """
    if not can(user, "outcome.record"):
        raise Forbidden("not_allowed", "only supervisors and analysts see the follow-up sample")
    last = (select(func.max(Outcome.id)).where(Outcome.assessment_id == Assessment.id)
            .correlate(Assessment).scalar_subquery())
    conds = []
    scope = office_scope(user)
    if scope is not None:
        conds.append(FollowupSample.office_code.in_(scope))
    if waiting:
        any_outcome = aliased(Outcome)  # not the joined latest outcome: its own FROM
        conds.append(~exists().where(any_outcome.assessment_id == FollowupSample.assessment_id)
                     .correlate(FollowupSample))
    stmt = (select(Assessment, FollowupSample.selected_at, FollowupSample.probability,
                   Outcome.outcome, Outcome.recorded_at)
            .join(Assessment, Assessment.id == FollowupSample.assessment_id)
            .outerjoin(Outcome, Outcome.id == last).where(*conds))
    total = session.scalar(select(func.count()).select_from(FollowupSample).where(*conds))
    order = FollowupSample.selected_at.asc() if waiting else FollowupSample.selected_at.desc()
    rows = session.execute(stmt.order_by(order, FollowupSample.assessment_id)
                           .offset((page - 1) * per_page).limit(per_page)).all()
    return [SampleItem(id=a.id, application_id=a.application_id, office_code=a.office_code,
                       rung=a.rung, action=a.action, score=a.score,
                       created_at=as_utc(a.created_at), selected_at=as_utc(selected),
                       probability=p, outcome=outcome, outcome_at=as_utc(at))
            for a, selected, p, outcome, at in rows], total
