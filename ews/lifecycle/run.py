"""Run a backtest against the database: resolve the baseline, stream the rows, never write."""

from __future__ import annotations

import datetime as dt

from sqlalchemy.orm import Session

from ews.engine import RuleSet
from ews.lifecycle.compiled import compiled
from ews.store.replay import any_rows, split_times, stored_chunks
from ews.store.rulesets import find_version

from .backtest import BacktestResult, Tally, backtest, summarise
from .states import LifecycleError

CHUNK = 20_000  # rows held at once per process: about 30 MB of stored JSON, then int codes


class UnknownVersion(LifecycleError):
    """The baseline named does not exist."""

    status = 404


class EmptyWindow(LifecycleError):
    """No stored assessment falls in the window asked for."""

    status = 422


def run_backtest(session: Session, candidate: RuleSet, *, against: str = "live",
                 since: dt.datetime | None = None, until: dt.datetime | None = None,
                 office_code: str | None = None, min_support: int = 30,
                 chunk: int = CHUNK, workers: int = 1) -> BacktestResult:
    """Backtest `candidate` against the version `against` over stored assessments.

    With `workers` > 1 the rows are split into creation-time ranges of about equal size,
    replayed by as many processes (each with its own connection); their tallies are merged
    in time order, so the figures and examples equal those of one process.
    """
    row = find_version(session, against)
    if row is None:
        raise UnknownVersion(f"no rule-set version {against!r} to compare with (give 'live', "
                             "a version id, ID@VERSION or a version)", "unknown_version",
                             version=against)
    baseline = compiled(row)
    if not any_rows(session, since=since, until=until, office_code=office_code):
        raise EmptyWindow("no stored assessments" + describe_window(since, until, office_code) +
                          ": nothing to replay; widen the window or drop the office",
                          "empty_window", window=window_dates(since, until, office_code))
    if workers > 1:
        session.rollback()
        parts = split_times(session, workers, since=since, until=until, office_code=office_code)
        session.rollback()
        url = session.get_bind().url.render_as_string(hide_password=False)
        return _parallel(url, candidate, baseline, since, until, office_code, min_support, chunk,
                         parts)
    chunks = stored_chunks(session, since=since, until=until, office_code=office_code, chunk=chunk)
    try:
        return backtest(candidate=candidate, baseline=baseline, chunks=chunks,
                        min_support=min_support)
    finally:
        session.rollback()  # read only: end the read transaction, nothing to keep


_SETS: dict[str, RuleSet] = {}  # the rule sets, inherited by forked workers (no re-parse)


def _part(url: str, texts: dict[str, tuple], since, until, office_code, chunk: int,
          part: tuple) -> Tally:
    import gc

    from ews.engine import parse_ruleset
    from ews.store import make_engine

    # A worker replays one part and exits: nothing it builds forms reference cycles worth
    # collecting, and the collector's passes over each chunk's objects cost about 10%.
    gc.disable()
    candidate, baseline = (
        _SETS[key] if key in _SETS and _SETS[key].sha256 == sha else
        parse_ruleset(text, agencies=agencies)
        for key, (sha, text, agencies) in texts.items())
    engine = make_engine(url)
    try:
        with Session(engine) as session:
            tally = Tally(candidate, baseline)
            for rows in stored_chunks(session, since=since, until=until, office_code=office_code,
                                      chunk=chunk, part=part):
                tally.add(rows)
            return tally
    finally:
        engine.dispose()


def _parallel(url, candidate, baseline, since, until, office_code, min_support, chunk,
              parts) -> BacktestResult:
    from concurrent.futures import ProcessPoolExecutor
    from multiprocessing import get_context

    texts = {key: (rs.sha256, rs.text, rs.agencies_text)
             for key, rs in (("c", candidate), ("b", baseline))}
    _SETS.update(c=candidate, b=baseline)
    try:
        with ProcessPoolExecutor(len(parts), mp_context=get_context("fork")) as pool:
            futures = [pool.submit(_part, url, texts, since, until, office_code, chunk, part)
                       for part in parts]
            tallies = [f.result() for f in futures]
    finally:
        _SETS.clear()
    total = tallies[0]
    for other in tallies[1:]:  # in time order: the examples kept are the oldest
        total.merge(other)
    return summarise(total, candidate=candidate, baseline=baseline, min_support=min_support)


def window_dates(since, until, office_code) -> str:
    """Return 'YYYY-MM-DD - YYYY-MM-DD, OFFICE' (days inclusive; '...' for an open end)."""
    last = until - dt.timedelta(days=1) if until is not None else None
    text = f"{since:%Y-%m-%d}" if since is not None else "..."
    text += f" - {last:%Y-%m-%d}" if last is not None else " - ..."
    return text + (f", {office_code}" if office_code else "")


def describe_window(since, until, office_code) -> str:
    """Return ' from X to Y at office Z' for messages (empty parts left out)."""
    parts = []
    if since is not None:
        parts.append(f" from {since:%Y-%m-%d}")
    if until is not None:
        parts.append(f" before {until:%Y-%m-%d}")
    if office_code is not None:
        parts.append(f" at office {office_code}")
    return "".join(parts)
