"""Rule sets in the database: versions, their states, the live and the shadow one.

Lookups used by the request path live here; the lifecycle rules (who may move a version
from which state) live in `ews.lifecycle`.
"""

from __future__ import annotations

from sqlalchemy import bindparam, exists, literal_column, select
from sqlalchemy.orm import Session, defer

from ews import audit
from ews.engine import RuleSet, parse_ruleset

from .db import Db, connection_of, orm, utcnow
from .direct import Direct
from .models import Office, RuleSetRecord, RuleSetTransition, User

SYSTEM = "system"


class MakerCheckerError(PermissionError):
    """Activation by the same person who registered the rule set."""


class DuplicateVersion(ValueError):
    """Another text is stored under the same (ruleset_id, version)."""


class TextMismatch(RuntimeError):
    """A stored rule set's text does not hash to its sha256: changed behind the service."""


_COMPILED: dict[str, RuleSet] = {}


def compiled(row: RuleSetRecord) -> RuleSet:
    """Return the parsed rule set of a stored row (cached by its sha256).

    Keyed by content hash: a cache of immutable data, so workers never disagree about it;
    the (large) text is read from the database only on a miss, and hashed again: a text
    that no longer matches its sha256 is refused (TextMismatch), never scored with.
    """
    ruleset = _COMPILED.get(row.sha256)
    if ruleset is None:
        ruleset = parse_ruleset(row.text, source=f"ruleset {row.sha256[:12]}",
                                agencies=row.agencies_csv)
        if ruleset.sha256 != row.sha256:
            raise TextMismatch(f"rule set #{row.id}: the stored text hashes to "
                               f"{ruleset.sha256[:12]}, not to its sha256 {row.sha256[:12]}: "
                               "changed outside the lifecycle; refused")
        if len(_COMPILED) >= 16:
            _COMPILED.clear()
        _COMPILED[row.sha256] = ruleset
    return ruleset


def active_compiled(session: Session) -> RuleSet | None:
    """Return the parsed live rule set, or None; asks the database which one every call.

    One small Core query per call (so an activation by any worker is seen at once); the
    text is read and parsed only when its sha256 is not in this process's cache yet.
    """
    return _by_sha(session, session.connection().execute(_LIVE_SHA).scalar())


def active_for_office(session: Db,
                      office_code: str) -> tuple[bool, RuleSet | None, tuple[int, str] | None]:
    """Return (office exists, live rule set or None, (row id, sha256) of the shadow or None).

    One round trip for the submit path; the shadow is parsed later, where its failure
    cannot fail the live request (`shadow_compiled`).
    """
    known, sha, shadow_pk, shadow_sha = _OFFICE_RULES.one(connection_of(session),
                                                          {"code": office_code})
    shadow = (shadow_pk, shadow_sha) if shadow_pk is not None else None
    return bool(known), _by_sha(session, sha), shadow


# The default of callers that may already know the version in shadow: find it.
LOOK_UP = "look up"


def shadow_compiled(session: Db, found: tuple[int, str] | None | str = LOOK_UP
                    ) -> tuple[int, RuleSet] | None:
    """Return (row id, parsed rule set) of the version in shadow, or None.

    `found` is its (row id, sha256) when already read (`active_for_office`), else it is
    looked up (one small query).
    """
    if found == LOOK_UP:
        found = _SHADOW.one(connection_of(session))
    if found is None:
        return None
    return found[0], _by_sha(session, found[1])


def _by_sha(db: Db, sha: str | None) -> RuleSet | None:
    if sha is None:
        return None
    ruleset = _COMPILED.get(sha)
    if ruleset is None:
        with orm(db) as session:
            ruleset = compiled(session.scalar(select(RuleSetRecord)
                                              .where(RuleSetRecord.sha256 == sha)))
    return ruleset


def register_ruleset(session: Session, text: str | bytes, created_by: User | None,
                     source: str = "<upload>",
                     agencies: str | bytes | None = None) -> RuleSetRecord:
    """Validate and store a rule set as a draft (or return the stored one with the same bytes).

    `agencies` is the text of the P3MI list CSV the rule set names, stored with it. Raises
    RuleSetError (invalid text) or DuplicateVersion (its id and version name another text).
    """
    # raises RuleSetError listing every problem
    ruleset = parse_ruleset(text, source=source, agencies=agencies)
    row = session.scalar(select(RuleSetRecord).where(RuleSetRecord.sha256 == ruleset.sha256))
    if row is not None:
        return row
    check_version_free(session, ruleset)
    row = RuleSetRecord(sha256=ruleset.sha256, ruleset_id=ruleset.id, version=ruleset.version,
                        description=ruleset.description or "", text=ruleset.text,
                        agencies_csv=ruleset.agencies_text, status="draft",
                        created_by=created_by.id if created_by else None)
    session.add(row)
    session.flush()
    actor = created_by.username if created_by else SYSTEM
    record_step(session, row, "draft", None, actor, "")
    audit.record(session, "ruleset.registered", actor=actor, subject=row.sha256,
                 data={"ruleset_id": row.ruleset_id, "version": row.version})
    return row


def check_version_free(session: Session, ruleset: RuleSet, pk: int | None = None) -> None:
    """Raise DuplicateVersion when another stored row has the same id and version."""
    other = session.scalar(select(RuleSetRecord.id).where(
        RuleSetRecord.ruleset_id == ruleset.id, RuleSetRecord.version == ruleset.version,
        RuleSetRecord.id != (pk or 0)))
    if other is not None:
        raise DuplicateVersion(f"rule set {ruleset.id!r} version {ruleset.version!r} is stored "
                               "already with another text: give the draft a new version")


def record_step(session: Session, row: RuleSetRecord, action: str, from_status: str | None,
                actor: str, reason: str, evidence_id: int | None = None) -> None:
    """Append one lifecycle step of `row` to its history (the caller also audits it)."""
    session.add(RuleSetTransition(ruleset_pk=row.id, action=action, from_status=from_status,
                                  to_status=row.status, actor=actor, reason=reason,
                                  sha256=row.sha256, at=utcnow(), evidence_id=evidence_id))


def activate_ruleset(session: Session, row: RuleSetRecord, by: User | None) -> RuleSetRecord:
    """Make `row` live. With `by` None: the system installs it (`ews init`, no review).

    A person goes through the lifecycle instead (approved first, never the author); this
    raises MakerCheckerError when `by` is the author, like the lifecycle does.
    """
    if by is not None:
        from ews.lifecycle import LifecycleError, transition

        try:
            return transition(session, by, row, "activate", reason="")
        except LifecycleError as err:
            if err.status == 403:
                raise MakerCheckerError(str(err)) from None
            raise
    current = active_record(session)
    if current is not None and current.id == row.id:
        return row
    retire_current(session, current, SYSTEM, f"replaced by {row.ruleset_id} {row.version}")
    before = row.status
    row.status, row.activated_by, row.activated_at = "live", None, utcnow()
    session.flush()
    record_step(session, row, "install", before, SYSTEM, "installed by the system")
    audit.record(session, "ruleset.activated", actor=SYSTEM, subject=row.sha256,
                 data={"ruleset_id": row.ruleset_id, "version": row.version,
                       "replaces": current.sha256 if current else None,
                       "reason": "installed by the system"})
    return row


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
                       "reason": reason})


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
