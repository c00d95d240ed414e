"""Is a checker independent of the maker? Not an account the maker created, nor a newer one.

Maker-checker compares people: a rule-set author or a model's trainer who can create
accounts (an admin) could otherwise make a second account and approve their own work. So
an approval is refused when the approving account was created by one of the makers (the
`user.created` audit event names who created it) or was created after the work itself.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

from sqlalchemy import select
from sqlalchemy.orm import Session

from .db import as_utc
from .models import AuditEvent, User


def created_by(session: Session, username: str) -> str | None:
    """Return who created the account `username` (its latest `user.created` event), or None."""
    return session.scalar(select(AuditEvent.actor).where(
        AuditEvent.kind == "user.created", AuditEvent.subject == username)
        .order_by(AuditEvent.seq.desc()).limit(1))


def independence_problem(session: Session, checker_id: int, *, makers: Iterable[str | None],
                         made_at: dt.datetime) -> str | None:
    """Return why the account `checker_id` may not check work made at `made_at`, or None."""
    checker = session.get(User, checker_id)
    if checker is None:
        return "the approving account does not exist"
    if as_utc(checker.created_at) > as_utc(made_at):
        return (f"the account {checker.username!r} was created after the work it would "
                "approve; an older account of another person must approve")
    creator = created_by(session, checker.username)
    if creator is not None and creator in {m for m in makers if m}:
        return (f"the account {checker.username!r} was created by {creator!r}, who made "
                "the work; another person's account must approve")
    return None
