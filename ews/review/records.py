"""What the pages show of an item's decisions and outcomes: free text only for its office."""

from __future__ import annotations

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from ews.auth.scope import Principal, sees_free_text
from ews.store.db import as_utc
from ews.store.models import Assessment, Decision, Outcome, User


def _name(session: Session, user_id: int | None) -> str | None:
    user = session.get(User, user_id) if user_id is not None else None
    return user.username if user is not None else None


def decisions_of(session: Session, row: Assessment, viewer: Principal) -> list[dict]:
    """Return the decisions of an assessment, oldest first, with who recorded them.

    `reason` is None (and `text_hidden` True) for viewers of another office: free text stays
    in its office.
    """
    rows = session.scalars(select(Decision).where(Decision.assessment_id == row.id)
                           .order_by(Decision.id)).all()
    out = []
    for d in rows:
        shown = sees_free_text(viewer, row.office_code, d.decided_by)
        out.append({"id": d.id, "decision": d.decision, "reason": d.reason if shown else None,
                    "text_hidden": not shown, "amends": d.amends,
                    "by": _name(session, d.decided_by), "at": as_utc(d.decided_at)})
    return out


def outcomes_of(session: Session, row: Assessment, viewer: Principal) -> list[dict]:
    """Return the outcomes of an assessment, oldest first (notes only for its office)."""
    rows = session.scalars(select(Outcome).where(Outcome.assessment_id == row.id)
                           .order_by(Outcome.recorded_at, Outcome.id)).all()
    out = []
    for o in rows:
        shown = sees_free_text(viewer, row.office_code, o.recorded_by)
        out.append({"id": o.id, "outcome": o.outcome, "recruitment_method": o.recruitment_method,
                    "recruitment_app": o.recruitment_app,
                    "method_of_control": o.method_of_control,
                    "recruiter_role": o.recruiter_role, "destination_city": o.destination_city,
                    "notes": o.notes if shown else None,
                    "text_hidden": not shown and bool(o.notes), "origin": o.origin,
                    "source_name": o.source_name, "event_date": o.event_date,
                    "external_kind": o.external_kind,
                    "by": _name(session, o.recorded_by), "at": as_utc(o.recorded_at)})
    return out


def current_decisions(session: Session, assessment_ids: list[str]) -> dict[str, str]:
    """Return the decision in force (its code) of each decided assessment among the ids."""
    if not assessment_ids:
        return {}
    last = (select(func.max(Decision.id)).where(Decision.assessment_id.in_(assessment_ids))
            .group_by(Decision.assessment_id))
    return dict(session.execute(select(Decision.assessment_id, Decision.decision)
                                .where(Decision.id.in_(last))).all())
