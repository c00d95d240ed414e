"""Refused lifecycle steps go into the audit chain, in a transaction of their own.

A refusal undoes whatever the step had begun (the caller's transaction is rolled back), then
appends one event saying who tried what on which version and why it was refused, and
commits it: the attempt stays on record even though nothing changed.
"""

from __future__ import annotations

import logging

from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session

from ews import audit

log = logging.getLogger("ews.lifecycle")


def record_refusal(session: Session, kind: str, *, actor: str, action: str,
                   error: Exception, subject: str | None = None, **data: object) -> None:
    """Roll back, then audit `action` refused with `error` (kind e.g. 'ruleset.refused')."""
    session.rollback()
    try:
        audit.record(session, kind, actor=actor, subject=subject,
                     data={"action": action, **data,
                           "refusal": getattr(error, "key", "") or type(error).__name__,
                           "message": str(error)[:500]})
        session.commit()
    except SQLAlchemyError:  # the refusal still stands; only its record failed
        session.rollback()
        log.warning("could not audit a refused %s", action, exc_info=True)
