"""Read stored assessments for a backtest: read-only, streamed in chunks, no personal data."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterator

from sqlalchemy import LargeBinary, Text, cast, func, select, type_coerce
from sqlalchemy.orm import Session

from .models import Assessment, Outcome

try:  # about 4x faster than json for the stored answers; optional
    from orjson import loads
except ImportError:  # pragma: no cover - the stdlib does the same, slower
    loads = json.loads


def latest_outcomes(session: Session, since=None, until=None, office=None,
                    part: tuple = (None, None)) -> dict[str, str]:
    """Return {assessment id: its latest outcome} for the window (one query; outcomes are
    a small share of the assessments)."""
    stmt = (select(Outcome.assessment_id, Outcome.outcome)
            .join(Assessment, Assessment.id == Outcome.assessment_id)
            .where(*_window(since, until, office, part)).order_by(Outcome.id))
    return dict(session.connection().execute(stmt).all())  # by id: the last one wins


def _json(value):
    return loads(value) if isinstance(value, str | bytes) else value


def count_rows(session: Session, *, since: dt.datetime | None = None,
               until: dt.datetime | None = None, office: str | None = None) -> int:
    """Return how many stored assessments fall in the window."""
    stmt = select(func.count()).select_from(Assessment).where(*_window(since, until, office))
    return session.scalar(stmt)


def any_rows(session: Session, *, since: dt.datetime | None = None,
             until: dt.datetime | None = None, office: str | None = None) -> bool:
    """Return whether any stored assessment falls in the window (stops at the first)."""
    stmt = select(Assessment.id).where(*_window(since, until, office)).limit(1)
    return session.scalar(stmt) is not None


def split_times(session: Session, parts: int, *, since: dt.datetime | None = None,
                until: dt.datetime | None = None,
                office: str | None = None) -> list[tuple]:
    """Return `parts` creation-time ranges [low, high) holding about as many rows each.

    Read from the creation-time index alone (superseded rows count too: only the balance
    depends on it). The ranges cover every time; rows created at the same instant fall in
    one range.
    """
    conds = _window(since, until, office)[1:]
    created = Assessment.created_at
    total = session.scalar(select(func.count()).select_from(Assessment).where(*conds))
    cuts = []
    for k in range(1, parts):
        at = session.scalar(select(created).where(*conds).order_by(created)
                            .offset(total * k // parts).limit(1))
        if at is not None and (not cuts or at > cuts[-1]):
            cuts.append(at)
    return list(zip([None, *cuts], [*cuts, None], strict=True))


def _window(since, until, office, part=(None, None)) -> list:
    conds = [Assessment.superseded_by.is_(None)]  # the latest version of each interview
    if part[0] is not None:
        conds.append(Assessment.created_at >= part[0])
    if part[1] is not None:
        conds.append(Assessment.created_at < part[1])
    if since is not None:
        conds.append(Assessment.created_at >= since)
    if until is not None:
        conds.append(Assessment.created_at < until)
    if office is not None:
        conds.append(Assessment.office_code == office)
    return conds


def stored_chunks(session: Session, *, since: dt.datetime | None = None,
                  until: dt.datetime | None = None, office: str | None = None,
                  chunk: int = 50_000, part: tuple = (None, None)) -> Iterator:
    """Yield `ews.lifecycle.columns.StoredChunk`s of at most `chunk` rows, oldest first.

    `part` limits the rows to a creation-time range [low, high) (see `split_times`). On
    SQLite the rows come straight from the driver's cursor, answers and features as JSON
    bytes (the backtest parses them row by row as it codes them); elsewhere through
    SQLAlchemy, parsed here.
    """
    table = Assessment.__table__
    sqlite = session.get_bind().dialect.name == "sqlite"
    if sqlite:  # created_at as text (parsed per chunk); JSON as bytes
        columns = (type_coerce(table.c.created_at, Text), cast(table.c.answers, LargeBinary),
                   cast(table.c.features, LargeBinary))
    else:
        columns = (table.c.created_at, type_coerce(table.c.answers, Text),
                   type_coerce(table.c.features, Text))
    stmt = (select(table.c.id, table.c.office_code, *columns, table.c.checklist_version,
                   table.c.rung)
            .where(*_window(since, until, office, part))
            .order_by(table.c.created_at, table.c.id))
    labels = latest_outcomes(session, since, until, office, part)
    if sqlite:
        result = session.connection().execute(stmt)
        try:  # the driver's cursor: no result-row objects for a million rows
            cursor = result.cursor
            while rows := cursor.fetchmany(chunk):
                yield _chunk(rows, labels, parse=False)
        finally:
            result.close()
        return
    result = session.connection().execute(
        stmt.execution_options(stream_results=True, yield_per=chunk))
    for rows in result.partitions(chunk):
        yield _chunk(rows, labels, parse=True)


def _chunk(rows, labels: dict, parse: bool):
    from ews.lifecycle.columns import StoredChunk  # the backtest's vocabulary (no cycle)

    ids, offices, created, answers, features, versions, rungs = map(list, zip(*rows,
                                                                          strict=True))
    if parse:
        answers, features = list(map(_json, answers)), list(map(_json, features))
    return StoredChunk(ids, offices, created, answers, features, list(map(labels.get, ids)),
                       versions, rungs)
