"""Review service: queue, take, decide, outcomes. Used by the pages and the JSON API alike.

Every function takes the acting user and enforces the role and office rules (docs/design.md,
Roles) itself, so that no caller can forget them. Writes are audited in the same
transaction and committed here; races between two supervisors are settled by conditional
UPDATEs, not by check-then-write.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

from sqlalchemy import or_, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from ews import audit
from ews.auth.scope import Principal, can
from ews.store.assessments import corrections_of
from ews.store.db import as_utc, utcnow
from ews.store.models import Assessment, Decision, FollowupSample, Outcome, User, status_is

_ASSESSMENT_ID = re.compile(r"[0-9a-fA-F-]{1,36}")


class ReviewError(Exception):
    """A review action that cannot be done; `key` names the rule for translated messages."""

    status = 400

    def __init__(self, key: str, text: str, **params) -> None:
        super().__init__(text)
        self.key, self.params = key, params


class NotFound(ReviewError):
    """No such assessment in the caller's reach."""

    status = 404


class Forbidden(ReviewError):
    """The caller's role or office does not allow this."""

    status = 403


class Conflict(ReviewError):
    """Another supervisor holds the item, or a concurrent request changed it first."""

    status = 409


def is_assessment_id(value: str) -> bool:
    """Return True when `value` can be an assessment id (a UUID's characters, no NUL)."""
    return bool(_ASSESSMENT_ID.fullmatch(value))


def get_assessment(session: Session, assessment_id: str, user: Principal) -> Assessment:
    """Return an assessment the user may see; NotFound or Forbidden (another office) otherwise."""
    row = session.get(Assessment, assessment_id) if is_assessment_id(assessment_id) else None
    if row is None:
        raise NotFound("not_found", "no such assessment")
    if not can(user, "assessment.read", row.office_code):
        raise Forbidden("other_office", "this assessment belongs to another office")
    return row


def _name(session: Session, user_id: int | None) -> str | None:
    if user_id is None:
        return None
    user = session.get(User, user_id)
    return user.username if user is not None else None


@dataclass(frozen=True)
class QueueItem:
    """An open review item as the queue shows it."""

    id: str
    application_id: str
    office_code: str
    rung: int
    action: str
    score: int
    band: str
    created_at: dt.datetime
    due_at: dt.datetime | None
    overdue: bool
    claimed_by: str | None
    claimed_at: dt.datetime | None
    corrected: bool = False  # a same-day correction by the officer (a new version)


def review_queue(session: Session, user: Principal,
                 now: dt.datetime | None = None) -> list[QueueItem]:
    """Return the open items of the supervisor's office: highest rung first, then oldest."""
    if not can(user, "review.queue", user.office_code):
        raise Forbidden("supervisor_only", "only supervisors see the review queue")
    now = now or utcnow()
    rows = session.scalars(
        select(Assessment).where(Assessment.office_code == user.office_code,
                                 status_is("awaiting_review"))
        .order_by(Assessment.rung.desc(), Assessment.created_at, Assessment.id)).all()
    names: dict[int, str | None] = {}
    corrected = corrections_of(session, rows)
    items = []
    for row in rows:
        if row.claimed_by is not None and row.claimed_by not in names:
            names[row.claimed_by] = _name(session, row.claimed_by)
        due = as_utc(row.due_at)
        items.append(QueueItem(
            id=row.id, application_id=row.application_id, office_code=row.office_code,
            rung=row.rung, action=row.action, score=row.score, band=row.band,
            created_at=as_utc(row.created_at), due_at=due, overdue=due is not None and due < now,
            claimed_by=names.get(row.claimed_by), claimed_at=as_utc(row.claimed_at),
            corrected=row.id in corrected))
    return items


def take(session: Session, assessment_id: str, user: Principal, *, force: bool = False,
         now: dt.datetime | None = None) -> Assessment:
    """Claim an open item for `user`; refuse when another supervisor holds it (unless force)."""
    row = get_assessment(session, assessment_id, user)
    if not can(user, "review.claim", row.office_code):
        raise Forbidden("supervisor_only", "only a supervisor of the office can take an item")
    if row.status != "awaiting_review":
        raise Conflict("not_open", "the item is no longer open")
    now = now or utcnow()
    previous = row.claimed_by
    cond = [Assessment.id == row.id, Assessment.status == "awaiting_review"]
    if not force:
        cond.append(or_(Assessment.claimed_by.is_(None), Assessment.claimed_by == user.id))
    done = session.execute(update(Assessment).where(*cond)
                           .values(claimed_by=user.id, claimed_at=now)).rowcount
    if not done:
        session.rollback()
        session.refresh(row)
        raise Conflict("taken", "another supervisor has taken this item",
                       by=_name(session, row.claimed_by))
    if previous != user.id:
        audit.record(session, "review.taken", actor=user.username, office_code=row.office_code,
                     subject=row.id, data={"from": _name(session, previous)} if previous else {})
    session.commit()
    session.refresh(row)
    return row


def may_decide(user: Principal, row: Assessment) -> bool:
    """Return True when `user` may record a decision on `row` (officer: rung 0-1 only)."""
    return can(user, "decision.record", row.office_code, row.rung)


def current_decision(session: Session, assessment_id: str) -> Decision | None:
    """Return the decision in force (the last of the chain), or None before any."""
    # Each row is amended at most once and ids grow, so the newest row ends the chain.
    return session.scalars(select(Decision).where(Decision.assessment_id == assessment_id)
                           .order_by(Decision.id.desc()).limit(1)).first()


def may_amend(user: Principal, row: Assessment, current: Decision) -> bool:
    """Return True when `user` may amend `current`: its author, the holder, or a supervisor."""
    return may_decide(user, row) and (
        user.id in (current.decided_by, row.claimed_by)
        or can(user, "review.claim", row.office_code))


def _check_may_decide(user: Principal, row: Assessment) -> None:
    if not may_decide(user, row):
        if can(user, "decision.record", row.office_code):
            raise Forbidden("held_for_supervisor", "rung 2 and above is decided by a supervisor")
        raise Forbidden("not_allowed", "your role or office may not decide this item")


def _already_decided(session: Session, row: Assessment) -> Conflict:
    current = current_decision(session, row.id)
    return Conflict("decided", "a decision is already recorded: amend it instead "
                    "(POST .../decision/amend with the id of the decision it changes)",
                    decision_id=current.id if current else None)


def _append(session: Session, entry: Decision) -> None:
    """Insert a decision row; a unique index refusing it means a concurrent writer won."""
    session.add(entry)
    try:
        session.flush()
    except IntegrityError:
        session.rollback()
        raise Conflict("changed", "the item changed meanwhile; reload it") from None


def decide(session: Session, assessment_id: str, user: Principal, decision: str, reason: str,
           now: dt.datetime | None = None) -> Decision:
    """Record the first decision (validated input), close the item and audit it, in one commit.

    A decided item answers Conflict("decided"): a change is an explicit `amend`.
    """
    row = get_assessment(session, assessment_id, user)
    _check_may_decide(user, row)
    if row.status == "decided":
        raise _already_decided(session, row)
    now = now or utcnow()
    # The guard: only the request whose UPDATE still sees the item undecided goes on (a row
    # lock on PostgreSQL, the write lock on SQLite); the unique index backs it up.
    cond = [Assessment.id == row.id, Assessment.status == row.status]
    # Whoever records the first decision holds the item from then on (and may amend it).
    values = {"status": "decided", "decided_at": now, "claimed_by": row.claimed_by or user.id,
              "claimed_at": row.claimed_at or now}
    if row.status == "awaiting_review":
        # The first decision closes the item; it must not be held by someone else.
        cond.append(or_(Assessment.claimed_by.is_(None), Assessment.claimed_by == user.id))
        values |= {"claimed_by": user.id}
    if not session.execute(update(Assessment).where(*cond).values(**values)).rowcount:
        session.rollback()
        session.refresh(row)
        if row.status == "awaiting_review":
            raise Conflict("taken", "another supervisor has taken this item",
                           by=_name(session, row.claimed_by))
        raise _already_decided(session, row)
    entry = Decision(assessment_id=row.id, decision=decision, reason=reason,
                     decided_by=user.id, decided_at=now)
    _append(session, entry)
    # The reason is free text and may name people: the trail keeps the decision, not the text.
    audit.record(session, "decision.recorded", actor=user.username, office_code=row.office_code,
                 subject=row.id, data={"decision": decision, "decision_id": entry.id,
                                       "rung": row.rung, "role": user.role},
                 row=("decisions", audit.columns_of(entry)))
    session.commit()
    return entry


def amend(session: Session, assessment_id: str, user: Principal, amends: int, decision: str,
          reason: str, now: dt.datetime | None = None) -> Decision:
    """Record a change of decision as a new row linked to the one in force, and audit it.

    `amends` must be the decision in force (so a stale page cannot overwrite a newer change);
    the author, the holder of the item or a supervisor of the office may amend.
    """
    row = get_assessment(session, assessment_id, user)
    _check_may_decide(user, row)
    current = current_decision(session, row.id)
    if current is None:
        raise Conflict("not_decided", "there is no decision to amend yet: record one first")
    if not may_amend(user, row, current):
        raise Forbidden("not_holder", "only the author of the decision, the holder of the "
                                      "item or a supervisor may amend it")
    if amends != current.id:
        raise Conflict("amended", "the decision was amended meanwhile; reload it",
                       decision_id=current.id)
    entry = Decision(assessment_id=row.id, decision=decision, reason=reason,
                     decided_by=user.id, decided_at=now or utcnow(), amends=current.id)
    _append(session, entry)
    audit.record(session, "decision.amended", actor=user.username, office_code=row.office_code,
                 subject=row.id, data={"decision": decision, "decision_id": entry.id,
                                       "amends": current.id, "rung": row.rung,
                                       "role": user.role},
                 row=("decisions", audit.columns_of(entry)))
    session.commit()
    return entry


def may_record_outcome(user: Principal, row: Assessment) -> bool:
    """Return True when `user` may record an outcome (supervisor of the office, analyst)."""
    return can(user, "outcome.record", row.office_code)


def record_outcome(session: Session, assessment_id: str, user: Principal, data: dict,
                   now: dt.datetime | None = None) -> Outcome:
    """Append a later outcome label (supervisor of the office, or analyst) and audit it."""
    row = get_assessment(session, assessment_id, user)
    if not may_record_outcome(user, row):
        raise Forbidden("not_allowed", "only supervisors of the office and analysts record "
                        "outcomes")
    # A label of the random follow-up sample stays `sample` whoever records it: estimates
    # weight it by its selection probability, not as a supervisor's chosen follow-up.
    sampled = session.get(FollowupSample, row.id) is not None
    entry = Outcome(assessment_id=row.id, recorded_by=user.id, recorded_at=now or utcnow(),
                    origin="sample" if sampled else "followup", **data)
    session.add(entry)
    session.flush()
    audit.record(session, "outcome.recorded", actor=user.username, office_code=row.office_code,
                 subject=row.id, data={"outcome": entry.outcome, "outcome_id": entry.id,
                                       "origin": entry.origin},
                 row=("outcomes", audit.columns_of(entry)))
    session.commit()
    return entry
