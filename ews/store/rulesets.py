"""Rule sets in the database: immutable text, one active at a time, maker-checker activation."""

from __future__ import annotations

from sqlalchemy import bindparam, exists, select
from sqlalchemy.orm import Session, defer

from ews import audit
from ews.engine import RuleSet, parse_ruleset

from .db import utcnow
from .models import Office, RuleSetRecord, User


class MakerCheckerError(PermissionError):
    """Activation by the same person who registered the rule set."""


_COMPILED: dict[str, RuleSet] = {}


def compiled(row: RuleSetRecord) -> RuleSet:
    """Return the parsed rule set of a stored row (cached by its sha256).

    Keyed by content hash: a cache of immutable data, so workers never disagree about it;
    the (large) text is read from the database only on a miss.
    """
    ruleset = _COMPILED.get(row.sha256)
    if ruleset is None:
        ruleset = parse_ruleset(row.text, source=f"ruleset {row.sha256[:12]}",
                                agencies=row.agencies_csv)
        if len(_COMPILED) >= 16:
            _COMPILED.clear()
        _COMPILED[row.sha256] = ruleset
    return ruleset


def active_compiled(session: Session) -> RuleSet | None:
    """Return the parsed active rule set, or None; asks the database which one every call.

    One small Core query per call (so an activation by any worker is seen at once); the
    text is read and parsed only when its sha256 is not in this process's cache yet.
    """
    return _by_sha(session, session.connection().execute(_ACTIVE_SHA).scalar())


def active_for_office(session: Session, office_code: str) -> tuple[bool, RuleSet | None]:
    """Return (office exists, active rule set or None) in one round trip (the submit path)."""
    known, sha = session.connection().execute(_OFFICE_AND_ACTIVE_SHA,
                                              {"code": office_code}).one()
    return bool(known), _by_sha(session, sha)


def _by_sha(session: Session, sha: str | None) -> RuleSet | None:
    if sha is None:
        return None
    ruleset = _COMPILED.get(sha)
    if ruleset is None:
        ruleset = compiled(session.scalar(select(RuleSetRecord)
                                          .where(RuleSetRecord.sha256 == sha)))
    return ruleset


def register_ruleset(session: Session, text: str | bytes, created_by: User | None,
                     source: str = "<upload>",
                     agencies: str | bytes | None = None) -> RuleSetRecord:
    """Validate and store a rule set as a draft (or return the stored one with the same bytes).

    `agencies` is the text of the P3MI list CSV the rule set names, stored with it.
    """
    # raises RuleSetError listing every problem
    ruleset = parse_ruleset(text, source=source, agencies=agencies)
    row = session.scalar(select(RuleSetRecord).where(RuleSetRecord.sha256 == ruleset.sha256))
    if row is not None:
        return row
    row = RuleSetRecord(sha256=ruleset.sha256, ruleset_id=ruleset.id, version=ruleset.version,
                        description=ruleset.description or "", text=ruleset.text,
                        agencies_csv=ruleset.agencies_text, status="draft",
                        created_by=created_by.id if created_by else None)
    session.add(row)
    session.flush()
    audit.record(session, "ruleset.registered", actor=_name(created_by), subject=row.sha256,
                 data={"ruleset_id": row.ruleset_id, "version": row.version})
    return row


def activate_ruleset(session: Session, row: RuleSetRecord, by: User | None) -> RuleSetRecord:
    """Make `row` the active rule set; the activator must differ from the creator."""
    if by is not None and row.created_by is not None and row.created_by == by.id:
        raise MakerCheckerError("a rule set must be activated by someone other than its author")
    current = active_record(session)
    if current is not None and current.id == row.id:
        return row
    if current is not None:
        current.status = "retired"
        session.flush()  # the partial unique index allows one active row at a time
    row.status, row.activated_by, row.activated_at = "active", by.id if by else None, utcnow()
    session.flush()
    audit.record(session, "ruleset.activated", actor=_name(by), subject=row.sha256,
                 data={"ruleset_id": row.ruleset_id, "version": row.version,
                       "replaces": current.sha256 if current else None})
    return row


def active_record(session: Session) -> RuleSetRecord | None:
    """Return the active rule set's row, or None."""
    return session.scalar(_ACTIVE)


_ACTIVE_SHA = select(RuleSetRecord.sha256).where(RuleSetRecord.status == "active")
_OFFICE_AND_ACTIVE_SHA = select(exists().where(Office.code == bindparam("code")),
                                _ACTIVE_SHA.scalar_subquery())
_ACTIVE = (select(RuleSetRecord).options(defer(RuleSetRecord.text))
           .where(RuleSetRecord.status == "active"))


def list_rulesets(session: Session) -> list[RuleSetRecord]:
    """Return every stored rule set, newest first."""
    return list(session.scalars(select(RuleSetRecord).order_by(RuleSetRecord.id.desc())))


def _name(user: User | None) -> str:
    return user.username if user else "system"
