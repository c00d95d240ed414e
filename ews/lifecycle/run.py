"""Run a backtest against the database: resolve the baseline, stream the rows, never write."""

from __future__ import annotations

import datetime as dt

from sqlalchemy.orm import Session

from ews.engine import RuleSet
from ews.store.replay import count_rows, stored_chunks
from ews.store.rulesets import compiled, find_version

from .backtest import BacktestResult, backtest
from .states import LifecycleError

CHUNK = 50_000


class UnknownVersion(LifecycleError):
    """The baseline named does not exist."""

    status = 404


class EmptyWindow(LifecycleError):
    """No stored assessment falls in the window asked for."""

    status = 422


def run_backtest(session: Session, candidate: RuleSet, *, against: str = "live",
                 since: dt.datetime | None = None, until: dt.datetime | None = None,
                 office: str | None = None, min_support: int = 30,
                 chunk: int = CHUNK) -> BacktestResult:
    """Backtest `candidate` against the version `against` over stored assessments."""
    row = find_version(session, against)
    if row is None:
        raise UnknownVersion(f"no rule-set version {against!r} to compare with (give 'live', "
                             "a version id, ID@VERSION or a version)")
    baseline = compiled(row)
    if not count_rows(session, since=since, until=until, office=office):
        raise EmptyWindow("no stored assessments" + describe_window(since, until, office) +
                          ": nothing to replay; widen the window or drop the office")
    chunks = stored_chunks(session, since=since, until=until, office=office, chunk=chunk)
    try:
        return backtest(candidate=candidate, baseline=baseline, chunks=chunks,
                        min_support=min_support)
    finally:
        session.rollback()  # read only: end the read transaction, nothing to keep


def describe_window(since, until, office) -> str:
    """Return ' from X to Y at office Z' for messages (empty parts left out)."""
    parts = []
    if since is not None:
        parts.append(f" from {since:%Y-%m-%d}")
    if until is not None:
        parts.append(f" before {until:%Y-%m-%d}")
    if office is not None:
        parts.append(f" at office {office}")
    return "".join(parts)
