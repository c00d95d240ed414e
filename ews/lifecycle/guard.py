"""Guarded writes of a rule-set version: a change applies only to the state and text read.

A check made on a row read earlier proves nothing by the time of the write: another request
may have submitted, approved or edited the version in between. So every change to a
version's text or state is one conditional UPDATE whose WHERE names the state and the
sha256 the caller read. The UPDATE takes the write lock (SQLite's writer queue, the row's
lock on PostgreSQL, where the WHERE is evaluated again on the newest row once the lock is
granted), so of two racing writers the second matches no row and is refused (409).

Going live or into shadow also reads the text again under that lock and hashes it: the text
must still be the one the approver approved (their step records its sha256).
"""

from __future__ import annotations

from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session
from sqlalchemy.orm.attributes import set_committed_value

from ews.engine import RuleSetError, parse_ruleset
from ews.store.models import RuleSetRecord, RuleSetTransition

from .states import WrongState

_ROWS = RuleSetRecord.__table__
# The steps that vouch for a text: a reviewer's approval, or the system's install (`ews init`).
_APPROVING = ("approve", "install")


class Changed(WrongState):
    """The version's state or text is no longer what the caller read."""

    status = 409


class NotApprovedText(WrongState):
    """The stored text is not the text that was approved (changed since, or never approved)."""

    status = 409


def guarded_update(session: Session, row: RuleSetRecord, action: str, values: dict, *,
                   status: str, sha256: str) -> None:
    """Write `values` (columns) to `row` only while it is still in `status` with text `sha256`.

    Raises Changed (nothing written) when another change came first.
    """
    try:
        session.flush()  # the caller's other pending changes (a retired live row) go first
        result = session.execute(
            update(_ROWS).where(_ROWS.c.id == row.id, _ROWS.c.status == status,
                                _ROWS.c.sha256 == sha256).values(**values))
    except IntegrityError:  # a unique index (one live, one shadow, the text, the version)
        session.rollback()
        raise Changed(f"{action}: another change to the rule sets happened at the same time; "
                      "reload and try again", "concurrent") from None
    if result.rowcount != 1:
        raise Changed(f"{action}: this version changed since you read it (it was {status} "
                      f"with sha256 {sha256[:12]}); reload it and try again", "changed",
                      action=action)
    for key, value in values.items():
        set_committed_value(row, key, value)


def expected_sha(row: RuleSetRecord, action: str, given: str | None) -> str:
    """Return the sha256 the caller vouches for: `given`, or the one read with the row."""
    if given is None or given == row.sha256:
        return row.sha256
    raise Changed(f"{action}: the text changed since you read it (you read sha256 "
                  f"{given[:12]}, it is now {row.sha256[:12]}); reload it and try again",
                  "changed", action=action)


def approved_sha(session: Session, row: RuleSetRecord) -> str | None:
    """Return the sha256 recorded by the latest approval (or install) of `row`, or None."""
    return session.scalar(select(RuleSetTransition.sha256)
                          .where(RuleSetTransition.ruleset_pk == row.id,
                                 RuleSetTransition.action.in_(_APPROVING))
                          .order_by(RuleSetTransition.id.desc()).limit(1))


def check_approved_text(session: Session, row: RuleSetRecord, action: str) -> None:
    """Refuse `action` unless the stored text hashes to the sha256 its approval recorded.

    Reads the text again (call it after the guarded UPDATE: under the write lock).
    """
    approved = approved_sha(session, row)
    text, agencies, sha = session.execute(
        select(_ROWS.c.text, _ROWS.c.agencies_csv, _ROWS.c.sha256)
        .where(_ROWS.c.id == row.id)).one()
    try:
        actual = parse_ruleset(text, source=f"ruleset #{row.id}", agencies=agencies).sha256
    except RuleSetError:
        actual = None
    if approved is None and _no_history(session, row):
        approved = sha  # stored before histories were kept (migration 0006): its own sha256
    if approved is None:
        raise NotApprovedText(f"{action}: no approval of this version is on record",
                              "not_approved_text", action=action)
    if actual != approved or sha != approved:
        raise NotApprovedText(
            f"{action}: the stored text of this version is not the text that was approved "
            f"(approved sha256 {approved[:12]}, the text now hashes to "
            f"{(actual or 'an invalid rule set')[:12]}); refused", "not_approved_text",
            action=action)


def _no_history(session: Session, row: RuleSetRecord) -> bool:
    return session.scalar(select(RuleSetTransition.id)
                          .where(RuleSetTransition.ruleset_pk == row.id).limit(1)) is None
