"""The same person's earlier and later assessments, found by the keyed NIK hash.

Entries of the viewer's own office show the application number; entries of other offices
are pseudonymised (a reference derived from the row id, no application number, no officer),
so a supervisor learns *that* and *what* happened elsewhere, and whom to ask, not who.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from ews.store.db import as_utc
from ews.store.models import Assessment, Decision

HISTORY_LIMIT = 50


@dataclass(frozen=True)
class HistoryEntry:
    """One other assessment of the same person."""

    ref: str  # application number (own office) or a pseudonym (other offices)
    own_office: bool
    assessment_id: str | None  # only for the viewer's own office
    office_code: str
    created_at: dt.datetime
    action: str
    rung: int
    status: str
    decisions: tuple[str, ...]


def pseudonym(assessment_id: str) -> str:
    """Return a stable, non-reversible reference for another office's assessment."""
    return "REF-" + hashlib.sha256(assessment_id.encode()).hexdigest()[:10].upper()


def person_history(session: Session, row: Assessment, viewer_office: str) -> list[HistoryEntry]:
    """Return other assessments with the same NIK hash at any office, newest first."""
    if not row.nik_hash:
        return []
    others = session.scalars(
        select(Assessment).where(Assessment.nik_hash == row.nik_hash, Assessment.id != row.id)
        .order_by(Assessment.created_at.desc()).limit(HISTORY_LIMIT)).all()
    decided: dict[str, list[str]] = {}
    if others:
        for d in session.scalars(select(Decision)
                                 .where(Decision.assessment_id.in_([o.id for o in others]))
                                 .order_by(Decision.decided_at, Decision.id)):
            decided.setdefault(d.assessment_id, []).append(d.decision)
    out = []
    for o in others:
        own = o.office_code == viewer_office
        out.append(HistoryEntry(
            ref=o.application_id if own else pseudonym(o.id), own_office=own,
            assessment_id=o.id if own else None, office_code=o.office_code,
            created_at=as_utc(o.created_at), action=o.action, rung=o.rung, status=o.status,
            decisions=tuple(decided.get(o.id, ()))))
    return out
