"""Assessments in the database: insert, find the latest version, supersede, list.

Storage only persists what it is given: scoring, history features and the status of a new
assessment are decided in `ews.interviews`.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import bindparam, func, insert, select, update
from sqlalchemy.engine import Connection
from sqlalchemy.orm import Session

from . import facts
from .db import Db, as_utc, connection_of, orm
from .direct import Direct
from .models import Assessment, AssessmentCorrection


def find(db: Db, office_code: str, application_id: str) -> Assessment | None:
    """Return the latest version of the assessment of an application at an office, or None."""
    with orm(db) as session:
        return session.scalar(_FIND, {"office_code": office_code,
                                      "application_id": application_id})


_INSERT = Direct(insert(Assessment.__table__))
_FIND = (select(Assessment).where(Assessment.office_code == bindparam("office_code"),
                                  Assessment.application_id == bindparam("application_id"))
         .order_by(Assessment.version.desc()).limit(1))


def insert_assessment(conn: Connection, values: dict) -> None:
    """Insert one assessment row; IntegrityError when its application is stored already.

    Core on the DB-API cursor, not the ORM unit of work: it costs more than the statement
    on the submission's hot path.
    """
    _INSERT.run(conn, values)


def supersede(db: Db, earlier: Assessment, newer_id: str) -> None:
    """Link the earlier version to its successor; an undecided one leaves the queue."""
    status = "superseded" if earlier.status in ("open", "awaiting_review") else earlier.status
    conn = connection_of(db)
    conn.execute(update(Assessment.__table__).where(Assessment.id == earlier.id)
                 .values(superseded_by=newer_id, status=status))
    facts.supersede(conn, earlier.id)


def corrections_of(db: Db, rows: list) -> dict[str, AssessmentCorrection]:
    """Return the same-day correction record of each corrected assessment among `rows`
    (anything with `id` and `supersedes_id`), by assessment id."""
    ids = [r.id for r in rows if r.supersedes_id]
    if not ids:
        return {}
    with orm(db) as session:
        found = session.scalars(select(AssessmentCorrection)
                                .where(AssessmentCorrection.assessment_id.in_(ids))).all()
    return {c.assessment_id: c for c in found}


def result_of(row: Assessment) -> dict:
    """Return the API result of a stored assessment (docs/design.md, Result JSON)."""
    return {"id": row.id, "application_id": row.application_id,
            "office_code": row.office_code, **row.result, "status": row.status,
            "created_at": as_utc(row.created_at).isoformat()}


@dataclass(frozen=True)
class Filters:
    """Query filters of the assessment list."""

    offices: tuple[str, ...] | None = None  # None: every office
    band: str | None = None
    action: str | None = None
    status: str | None = None
    since: dt.datetime | None = None
    until: dt.datetime | None = None


def query(session: Session, flt: Filters, page: int, per_page: int) -> tuple[list, int]:
    """Return one page of assessments (newest first) and the total count."""
    conds = [Assessment.superseded_by.is_(None)]
    if flt.offices is not None:
        conds.append(Assessment.office_code.in_(flt.offices))
    for col, value in ((Assessment.band, flt.band), (Assessment.action, flt.action),
                       (Assessment.status, flt.status)):
        if value is not None:
            conds.append(col == value)
    if flt.since is not None:
        conds.append(Assessment.created_at >= flt.since)
    if flt.until is not None:
        conds.append(Assessment.created_at < flt.until)
    total = session.scalar(select(func.count()).select_from(Assessment).where(*conds))
    rows = session.scalars(select(Assessment).where(*conds)
                           .order_by(Assessment.created_at.desc(), Assessment.id)
                           .offset((page - 1) * per_page).limit(per_page)).all()
    return list(rows), total
