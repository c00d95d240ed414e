"""Read stored assessments for a backtest: read-only, streamed in chunks, no personal data."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterator

from sqlalchemy import Text, func, select, type_coerce
from sqlalchemy.orm import Session

from .models import Assessment, Outcome

try:  # about 4x faster than json for the stored answers; optional
    from orjson import loads
except ImportError:  # pragma: no cover - the stdlib does the same, slower
    loads = json.loads


def latest_outcomes(session: Session, since=None, until=None, office=None,
                    ids: tuple[str | None, str | None] = (None, None)) -> dict[str, str]:
    """Return {assessment id: its latest outcome} for the window (one query; outcomes are
    a small share of the assessments)."""
    stmt = (select(Outcome.assessment_id, Outcome.outcome)
            .join(Assessment, Assessment.id == Outcome.assessment_id)
            .where(*_window(since, until, office, ids)).order_by(Outcome.id))
    return dict(session.connection().execute(stmt).all())  # by id: the last one wins


def _json(value):
    return loads(value) if isinstance(value, str | bytes) else value


def count_rows(session: Session, *, since: dt.datetime | None = None,
               until: dt.datetime | None = None, office: str | None = None) -> int:
    """Return how many stored assessments fall in the window."""
    stmt = select(func.count()).select_from(Assessment).where(*_window(since, until, office))
    return session.scalar(stmt)


def _window(since, until, office, ids=(None, None)) -> list:
    conds = [Assessment.superseded_by.is_(None)]  # the latest version of each interview
    if ids[0] is not None:
        conds.append(Assessment.id >= ids[0])
    if ids[1] is not None:
        conds.append(Assessment.id < ids[1])
    if since is not None:
        conds.append(Assessment.created_at >= since)
    if until is not None:
        conds.append(Assessment.created_at < until)
    if office is not None:
        conds.append(Assessment.office_code == office)
    return conds


def stored_chunks(session: Session, *, since: dt.datetime | None = None,
                  until: dt.datetime | None = None, office: str | None = None,
                  chunk: int = 50_000,
                  ids: tuple[str | None, str | None] = (None, None)) -> Iterator[list]:
    """Yield lists of StoredRow, oldest first, at most `chunk` rows each (streamed).

    `ids` limits the rows to an id range [low, high) (ids are random UUIDs: ranges of
    their first hex digit split the rows evenly, for parallel parts).
    """
    from ews.lifecycle.backtest import StoredRow

    table = Assessment.__table__
    created = table.c.created_at
    if session.get_bind().dialect.name == "sqlite":  # text: parsed per chunk, not per row
        created = type_coerce(created, Text)
    stmt = (select(table.c.id, table.c.office_code, created,
                   type_coerce(table.c.answers, Text), type_coerce(table.c.features, Text),
                   table.c.checklist_version)
            .where(*_window(since, until, office, ids))
            .order_by(table.c.created_at, table.c.id)
            .execution_options(stream_results=True, yield_per=chunk))
    labels = latest_outcomes(session, since, until, office, ids)
    result = session.connection().execute(stmt)
    for part in result.partitions(chunk):
        yield [StoredRow(rid, office_code, created, _json(answers), _json(features),
                         labels.get(rid), version)
               for rid, office_code, created, answers, features, version in part]
