"""Read stored assessments for a backtest: read-only, streamed in chunks, no personal data."""

from __future__ import annotations

import datetime as dt
import json
import math
from collections.abc import Iterator, Sequence
from typing import NamedTuple

from sqlalchemy import LargeBinary, Text, cast, func, select, type_coerce
from sqlalchemy.orm import Session

from .models import Assessment, FollowupSample, Outcome

try:  # about 4x faster than json for the stored answers; optional
    from orjson import loads
except ImportError:  # pragma: no cover - the stdlib does the same, slower
    loads = json.loads



class StoredChunk(NamedTuple):
    """Stored rows of a chunk, one list per column."""

    ids: list
    offices: list
    created: list  # datetimes or ISO text
    answers: list  # parsed, or JSON as bytes (a str is a value, not JSON text)
    features: list
    outcomes: list
    versions: list
    # How each latest label arose (followup, sample, external; None: no outcome), and the
    # probability of the row's draw for the random follow-up sample (NaN: not drawn).
    label_origin: list | None = None
    sample_probability: list | None = None
    rungs: list | None = None  # the stored (live) rung: the stratum of its label

    @classmethod
    def of_rows(cls, rows: Sequence) -> StoredChunk:
        """Return the chunk of a sequence of `StoredRow` (same field order)."""
        if not rows:
            return cls(*([] for _ in cls._fields))
        return cls(*map(list, zip(*rows, strict=True)))

    def take(self, keep: Sequence[int]) -> StoredChunk:
        """Return the rows at positions `keep`."""
        return StoredChunk(*(None if col is None else [col[i] for i in keep]
                             for col in self))


def latest_outcomes(session: Session, since=None, until=None, office_code=None,
                    part: tuple = (None, None)) -> dict[str, str]:
    """Return {assessment id: its latest outcome} for the window (one query; outcomes are
    a small share of the assessments)."""
    return {k: outcome for k, (outcome, _) in
            latest_labels(session, since, until, office_code, part).items()}


def latest_labels(session: Session, since=None, until=None, office_code=None,
                  part: tuple = (None, None)) -> dict[str, tuple[str, str]]:
    """Return {assessment id: (its latest outcome, how that label arose)} for the window."""
    stmt = (select(Outcome.assessment_id, Outcome.outcome, Outcome.origin)
            .join(Assessment, Assessment.id == Outcome.assessment_id)
            .where(*_window(since, until, office_code, part)).order_by(Outcome.id))
    rows = session.connection().execute(stmt).all()
    return {k: (outcome, origin) for k, outcome, origin in rows}  # by id: the last one wins


def sample_probabilities(session: Session, since=None, until=None, office_code=None,
                         part: tuple = (None, None)) -> dict[str, float]:
    """Return {assessment id: its selection probability} of the follow-up sample drawn in
    the window (about 2% of the interviews below review)."""
    stmt = (select(FollowupSample.assessment_id, FollowupSample.probability)
            .join(Assessment, Assessment.id == FollowupSample.assessment_id)
            .where(*_window(since, until, office_code, part)))
    return dict(session.connection().execute(stmt).all())


def _json(value):
    return loads(value) if isinstance(value, str | bytes) else value


def count_rows(session: Session, *, since: dt.datetime | None = None,
               until: dt.datetime | None = None, office_code: str | None = None) -> int:
    """Return how many stored assessments fall in the window."""
    stmt = select(func.count()).select_from(Assessment).where(*_window(since, until, office_code))
    return session.scalar(stmt)


def any_rows(session: Session, *, since: dt.datetime | None = None,
             until: dt.datetime | None = None, office_code: str | None = None) -> bool:
    """Return whether any stored assessment falls in the window (stops at the first)."""
    stmt = select(Assessment.id).where(*_window(since, until, office_code)).limit(1)
    return session.scalar(stmt) is not None


def split_times(session: Session, parts: int, *, since: dt.datetime | None = None,
                until: dt.datetime | None = None,
                office_code: str | None = None) -> list[tuple]:
    """Return `parts` creation-time ranges [low, high) holding about as many rows each.

    Read from the creation-time index alone (superseded rows count too: only the balance
    depends on it). The ranges cover every time; rows created at the same instant fall in
    one range.
    """
    conds = _window(since, until, office_code)[1:]
    created = Assessment.created_at
    total = session.scalar(select(func.count()).select_from(Assessment).where(*conds))
    cuts = []
    for k in range(1, parts):
        at = session.scalar(select(created).where(*conds).order_by(created)
                            .offset(total * k // parts).limit(1))
        if at is not None and (not cuts or at > cuts[-1]):
            cuts.append(at)
    return list(zip([None, *cuts], [*cuts, None], strict=True))


def _window(since, until, office_code, part=(None, None)) -> list:
    conds = [Assessment.superseded_by.is_(None)]  # the latest version of each interview
    if part[0] is not None:
        conds.append(Assessment.created_at >= part[0])
    if part[1] is not None:
        conds.append(Assessment.created_at < part[1])
    if since is not None:
        conds.append(Assessment.created_at >= since)
    if until is not None:
        conds.append(Assessment.created_at < until)
    if office_code is not None:
        conds.append(Assessment.office_code == office_code)
    return conds


def stored_chunks(session: Session, *, since: dt.datetime | None = None,
                  until: dt.datetime | None = None, office_code: str | None = None,
                  chunk: int = 50_000, part: tuple = (None, None)) -> Iterator:
    """Yield `StoredChunk`s of at most `chunk` rows, oldest first.

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
            .where(*_window(since, until, office_code, part))
            .order_by(table.c.created_at, table.c.id))
    labels = latest_labels(session, since, until, office_code, part), \
        sample_probabilities(session, since, until, office_code, part)
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


_NO_LABEL = (None, None)


def _chunk(rows, labels: tuple[dict, dict], parse: bool) -> StoredChunk:
    ids, offices, created, answers, features, versions, rungs = map(list, zip(*rows,
                                                                          strict=True))
    if parse:
        answers, features = list(map(_json, answers)), list(map(_json, features))
    latest, sampled = labels
    outcomes, origins = zip(*(latest.get(i, _NO_LABEL) for i in ids), strict=True)
    return StoredChunk(ids, offices, created, answers, features, list(outcomes), versions,
                       list(origins), [sampled.get(i, math.nan) for i in ids], rungs)
