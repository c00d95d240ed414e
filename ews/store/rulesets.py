"""Rule sets in the database: versions, their states, the live and the shadow one.

Rows and lookups only: parsing a stored text (`ews.lifecycle.compiled`) and the lifecycle
rules (who may move a version from which state, `ews.lifecycle.service`) live above.
"""

from __future__ import annotations

from sqlalchemy import bindparam, exists, literal_column, select
from sqlalchemy.orm import Session, defer

from ews import audit

from .db import Db, connection_of, orm, utcnow
from .direct import Direct
from .models import Office, RuleSetRecord, RuleSetTransition

SYSTEM = "system"


class MakerCheckerError(PermissionError):
    """Activation by the same person who registered the rule set."""


class DuplicateVersion(ValueError):
    """Another text is stored under the same (ruleset_id, version)."""


def check_version_free(session: Session, ruleset_id: str, version: str,
                       pk: int | None = None) -> None:
    """Raise DuplicateVersion when another stored row has the same id and version."""
    other = session.scalar(select(RuleSetRecord.id).where(
        RuleSetRecord.ruleset_id == ruleset_id, RuleSetRecord.version == version,
        RuleSetRecord.id != (pk or 0)))
    if other is not None:
        raise DuplicateVersion(f"rule set {ruleset_id!r} version {version!r} is stored "
                               "already with another text: give the draft a new version")


def record_step(session: Session, row: RuleSetRecord, action: str, from_status: str | None,
                actor: str, reason: str, evidence_id: int | None = None) -> None:
    """Append one lifecycle step of `row` to its history (the caller also audits it)."""
    session.add(RuleSetTransition(ruleset_pk=row.id, action=action, from_status=from_status,
                                  to_status=row.status, actor=actor, reason=reason,
                                  sha256=row.sha256, at=utcnow(), evidence_id=evidence_id))


def retire_current(session: Session, current: RuleSetRecord | None, actor: str,
                   reason: str) -> None:
    """Retire the live version (before another becomes live: one live row at a time)."""
    if current is None:
        return
    current.status, current.retired_at = "retired", utcnow()
    session.flush()  # the partial unique index allows one live row at a time
    record_step(session, current, "replaced", "live", actor, reason)
    audit.record(session, "ruleset.retired", actor=actor, subject=current.sha256,
                 data={"ruleset_id": current.ruleset_id, "version": current.version,
                       "reason": reason}, governs=(current,))


def active_record(session: Session) -> RuleSetRecord | None:
    """Return the live rule set's row, or None."""
    return session.scalar(_LIVE)


def shadow_record(session: Session) -> RuleSetRecord | None:
    """Return the row of the version in shadow, or None."""
    return session.scalar(select(RuleSetRecord).where(RuleSetRecord.status == "shadow"))


# The state as an SQL literal, not a parameter: with a parameter, SQLite prepares the
# statement again on every run to see whether the partial index on that state applies.
_LIVE_STATE, _SHADOW_STATE = literal_column("'live'"), literal_column("'shadow'")
_LIVE_SHA = select(RuleSetRecord.sha256).where(RuleSetRecord.status == _LIVE_STATE)
_SHADOW_ROW = (select(RuleSetRecord.id, RuleSetRecord.sha256)
               .where(RuleSetRecord.status == _SHADOW_STATE))
# Direct: on the submit path.
_OFFICE_RULES = Direct(select(exists().where(Office.code == bindparam("code")),
                              _LIVE_SHA.scalar_subquery(),
                              _SHADOW_ROW.with_only_columns(RuleSetRecord.id).scalar_subquery(),
                              _SHADOW_ROW.with_only_columns(RuleSetRecord.sha256)
                              .scalar_subquery()))
_LIVE = (select(RuleSetRecord).options(defer(RuleSetRecord.text))
         .where(RuleSetRecord.status == "live"))
_SHADOW = Direct(_SHADOW_ROW)


def live_sha(db: Db) -> str | None:
    """Return the sha256 of the live rule set, or None (one small query)."""
    return connection_of(db).execute(_LIVE_SHA).scalar()


def office_rules(db: Db, office_code: str) -> tuple[bool, str | None, int | None, str | None]:
    """Return (office exists, live sha256, shadow row id, shadow sha256): one round trip."""
    known, sha, shadow_pk, shadow_sha = _OFFICE_RULES.one(connection_of(db),
                                                          {"code": office_code})
    return bool(known), sha, shadow_pk, shadow_sha


def shadow_row(db: Db) -> tuple[int, str] | None:
    """Return (row id, sha256) of the version in shadow, or None (one small query)."""
    return _SHADOW.one(connection_of(db))


def record_by_sha(db: Db, sha: str) -> RuleSetRecord | None:
    """Return the stored row with this sha256, or None."""
    with orm(db) as session:
        return session.scalar(select(RuleSetRecord).where(RuleSetRecord.sha256 == sha))


def list_rulesets(session: Session) -> list[RuleSetRecord]:
    """Return every stored rule set, newest first."""
    return list(session.scalars(select(RuleSetRecord).order_by(RuleSetRecord.id.desc())))


def find_version(session: Session, ref: str) -> RuleSetRecord | None:
    """Return the row named by `ref`: 'live', 'shadow', a row id, a sha256 or 'ID@VERSION'."""
    ref = ref.strip()
    if ref in ("live", "active"):
        return active_record(session)
    if ref == "shadow":
        return shadow_record(session)
    if ref.isdigit() and len(ref) < 10:
        return session.get(RuleSetRecord, int(ref))
    if "@" in ref:
        rid, _, version = ref.partition("@")
        return session.scalar(select(RuleSetRecord).where(RuleSetRecord.ruleset_id == rid,
                                                          RuleSetRecord.version == version))
    rows = list(session.scalars(select(RuleSetRecord).where(RuleSetRecord.version == ref)))
    if len(rows) == 1:
        return rows[0]
    return session.scalar(select(RuleSetRecord).where(RuleSetRecord.sha256 == ref))


def history(session: Session, row: RuleSetRecord) -> list[RuleSetTransition]:
    """Return the lifecycle steps of a version, oldest first."""
    return list(session.scalars(select(RuleSetTransition)
                                .where(RuleSetTransition.ruleset_pk == row.id)
                                .order_by(RuleSetTransition.id)))
