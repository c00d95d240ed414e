"""Retention (UU 27/2022): redact personal data and free text once the retention period ends.

Rows older than the cutoff keep what reports need (office, dates, answers used as rule and
audit variables, score, rung, action, decisions and outcomes as codes); their personal and
free-text values are replaced by the fixed redacted values of `ews.audit.seal.SPECS`
(NIK/phone/answers hashes removed, the application number replaced by the row's own id,
officer notes, village, decision reasons and outcome notes blanked). Failed-login rows older
than the throttling window, and throttle counts older than the login path keeps them, are
deleted. The report facts of redacted assessments (derived data, not sealed) lose their
hashes and village in the same transaction, and so do front-desk registrations (the
`applications` table): NIK, phone and intake hashes blanked, village removed and the
application number replaced by the row's own id. One `retention.applied` event records the
cutoff and the counts; `ews audit verify` accepts redacted values in rows older than a
recorded cutoff.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping

from sqlalchemy import ColumnElement, Table, delete, func, select, text, update
from sqlalchemy.orm import Session

from ews import audit
from ews.audit.seal import SPECS, personal_value

from . import facts
from .db import utcnow
from .guards import maintenance
from .models import (
    Application,
    Assessment,
    AssessmentCorrection,
    Base,
    Decision,
    LoginAttempt,
    LoginThrottle,
    Outcome,
)

DEFAULT_DAYS = 730
BATCH = 500
THROTTLE_KEEP = dt.timedelta(days=7)  # how long the login throttle's per-window counts are kept

# Rows still holding personal values (the redacted values are "", NULL or the row's id).
_PENDING: dict[str, ColumnElement[bool]] = {
    "assessments": Assessment.answers_hash != "",
    "decisions": Decision.reason != "",
    "assessment_corrections": AssessmentCorrection.reason != "",
    "outcomes": Outcome.notes.is_not(None),
}


def _where(table: Table, name: str, cutoff: dt.datetime) -> list:
    return [table.c[SPECS[name].at] < cutoff, _PENDING[name]]


# A registration still holding its identity (a redacted one has an empty NIK hash).
def _old_registrations(cutoff: dt.datetime) -> list:
    return [Application.registered_at < cutoff, Application.nik_hash != ""]


def _redact_registrations(session: Session, cutoff: dt.datetime) -> int:
    """Blank the hashes, village and application number of registrations before `cutoff`."""
    return session.execute(
        update(Application).where(*_old_registrations(cutoff))
        .values(nik_hash="", phone_hash=None, intake_hash="", domicile_village=None,
                application_id=Application.id)
        .execution_options(synchronize_session=False)).rowcount


def counts(session: Session, cutoff: dt.datetime, login_cutoff: dt.datetime) -> dict[str, int]:
    """Return how many rows retention would redact (per table) or delete (login failures)."""
    out = {}
    for name in SPECS:
        table = Base.metadata.tables[name]
        out[name] = session.scalar(select(func.count()).select_from(table)
                                   .where(*_where(table, name, cutoff)))
    out["registrations"] = session.scalar(select(func.count()).where(
        *_old_registrations(cutoff)))
    out["login_failures"] = session.scalar(select(func.count()).where(
        LoginAttempt.at < login_cutoff))
    out["login_throttle"] = session.scalar(select(func.count()).where(
        LoginThrottle.window_start < _throttle_cutoff()))
    return out


def _throttle_cutoff() -> dt.datetime:
    return utcnow() - THROTTLE_KEEP  # the login path prunes by the same rule


def redactions(name: str, row: Mapping) -> dict:
    """Return the column values that redact one row of table `name`."""
    spec = SPECS[name]
    changes: dict = {}
    for field in spec.personal:
        column, _, key = field.partition(".")
        if not key:
            changes[column] = spec.redacted(field, row)
        elif personal_value(row, field) is not None:
            inner = dict(changes.get(column, row[column]))
            inner[key] = spec.redacted(field, row)
            changes[column] = inner
    return changes


def _redact(session: Session, name: str, cutoff: dt.datetime) -> int:
    table = Base.metadata.tables[name]
    key = table.c[SPECS[name].key]
    done = 0
    while True:  # redacted rows leave the selection: no offset needed
        rows = session.execute(select(table).where(*_where(table, name, cutoff))
                               .order_by(key).limit(BATCH)).mappings().all()
        for row in rows:
            session.execute(update(table).where(key == row[key.name])
                            .values(**redactions(name, row)))
        done += len(rows)
        if len(rows) < BATCH:
            return done


def apply(session: Session, *, cutoff: dt.datetime, login_cutoff: dt.datetime,
          actor: str, days: int) -> dict[str, int]:
    """Redact and delete what is older than the cutoffs, audit it and commit; return counts.

    On SQLite the replaced values are also wiped from the file: freed space is zeroed while
    redacting (secure_delete), and the write-ahead log, which still holds the pages as they
    were, is copied back and emptied after the commit. `wal_cleared` in the counts is 0 when
    a reader kept the log busy (it is overwritten as the service goes on; run again later).
    """
    facts.catch_up(session.get_bind())  # every assessment's facts exist, then are redacted
    sqlite = session.connection().dialect.name == "sqlite"
    if sqlite:
        session.execute(text("PRAGMA secure_delete=ON"))
    with maintenance(session, "retention"):
        done = {name: _redact(session, name, cutoff) for name in SPECS}
        facts.redact(session.connection(), cutoff)  # derived rows follow their assessment
        done["registrations"] = _redact_registrations(session, cutoff)
        done["login_failures"] = session.execute(
            delete(LoginAttempt).where(LoginAttempt.at < login_cutoff)).rowcount
        done["login_throttle"] = session.execute(delete(LoginThrottle).where(
            LoginThrottle.window_start < _throttle_cutoff())).rowcount
    audit.record(session, audit.RETENTION_KIND, actor=actor,
                 data={"cutoff": cutoff.astimezone(dt.UTC).isoformat(), "days": days, **done})
    session.commit()
    if sqlite:
        session.execute(text("PRAGMA secure_delete=OFF"))
        busy = session.execute(text("PRAGMA wal_checkpoint(TRUNCATE)")).first()[0]
        session.commit()
        done["wal_cleared"] = int(not busy)
    return done
