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


def _latest_outcomes():
    latest = (select(func.max(Outcome.id).label("id")).group_by(Outcome.assessment_id)
              .subquery())
    return (select(Outcome.assessment_id, Outcome.outcome)
            .join(latest, latest.c.id == Outcome.id).subquery())


def _json(value):
    return loads(value) if isinstance(value, str | bytes) else value


def count_rows(session: Session, *, since: dt.datetime | None = None,
               until: dt.datetime | None = None, office: str | None = None) -> int:
    """Return how many stored assessments fall in the window."""
    stmt = select(func.count()).select_from(Assessment).where(*_window(since, until, office))
    return session.scalar(stmt)


def _window(since, until, office) -> list:
    conds = []
    if since is not None:
        conds.append(Assessment.created_at >= since)
    if until is not None:
        conds.append(Assessment.created_at < until)
    if office is not None:
        conds.append(Assessment.office_code == office)
    return conds


def stored_chunks(session: Session, *, since: dt.datetime | None = None,
                  until: dt.datetime | None = None, office: str | None = None,
                  chunk: int = 50_000) -> Iterator[list]:
    """Yield lists of StoredRow, oldest first, at most `chunk` rows each (streamed)."""
    from ews.lifecycle.backtest import StoredRow

    outcomes = _latest_outcomes()
    table = Assessment.__table__
    stmt = (select(table.c.id, table.c.office_code, table.c.created_at,
                   type_coerce(table.c.answers, Text), type_coerce(table.c.features, Text),
                   outcomes.c.outcome)
            .outerjoin(outcomes, outcomes.c.assessment_id == table.c.id)
            .where(*_window(since, until, office))
            .order_by(table.c.created_at, table.c.id)
            .execution_options(stream_results=True, yield_per=chunk))
    result = session.connection().execute(stmt)
    for part in result.partitions(chunk):
        yield [StoredRow(rid, office_code, created, _json(answers), _json(features), outcome)
               for rid, office_code, created, answers, features, outcome in part]
