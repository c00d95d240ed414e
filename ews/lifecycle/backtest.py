"""Backtest: replay a candidate and a baseline rule set over stored assessments (pure).

No database and no Flask: the caller hands in chunks of stored rows (bounded memory) and
gets a frozen `BacktestResult`. Both versions go through `score_frame`, the same scoring
code as the request path, and `evaluate_frame` for the per-indicator hit counts.
"""

from __future__ import annotations

import datetime as dt
import math
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from ews.engine import LADDER, REVIEW_RUNG, RuleSet, evaluate_frame
from ews.engine.conditions import Columns
from ews.scoring import score_frame
from ews.weighting import Cells

from .columns import StoredChunk, chunk_frame
from .outcomes import OutcomeFlips, TrackQuality, label_table, outcome_flips, track_quality
from .records import (  # noqa: F401 - re-exported: the stored-row vocabulary of a backtest
    CHECKLIST_VERSIONS,
    SkipRow,
    StoredRow,
    record_frame,
    rule_fields,
    stored_record,
)

POSITIVE = ("confirmed_trafficking", "confirmed_nonprocedural", "intercepted_at_border")
NEGATIVE = ("legitimate_travel_confirmed",)  # no_information is unlabelled, not negative
N = len(LADDER)


@dataclass(frozen=True)
class Interval:
    """A proportion with its Wilson 95% interval; None values when the support is zero."""

    value: float | None
    low: float | None
    high: float | None
    support: int


def wilson(hits: int, n: int, z: float = 1.96) -> Interval:
    """Return hits/n with its Wilson score interval (z=1.96: 95%)."""
    if n == 0:
        return Interval(None, None, None, 0)
    p = hits / n
    denom = 1 + z * z / n
    centre = (p + z * z / (2 * n)) / denom
    half = z * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n)) / denom
    return Interval(round(p, 4), round(max(0.0, centre - half), 4),
                    round(min(1.0, centre + half), 4), n)


@dataclass(frozen=True)
class RungQuality:
    """Labelled rows at one rung, and precision/recall of flagging at this rung or above."""

    rung: int
    action: str
    confirmed: int
    legitimate: int
    unlabelled: int  # an outcome of no_information
    precision: Interval  # confirmed among labelled rows at rung >= this
    recall: Interval  # confirmed at rung >= this among all confirmed


@dataclass(frozen=True)
class IndicatorRate:
    """How often an indicator fires under each version (None: not in that version)."""

    id: str
    baseline_hits: int | None
    candidate_hits: int | None
    baseline_rate: float | None
    candidate_rate: float | None
    change: float | None


@dataclass(frozen=True)
class OfficeFlips:
    """Rows of one office whose rung changes from `before` to `after`, with examples."""

    office_code: str
    before: str
    after: str
    count: int
    examples: tuple[str, ...]


@dataclass(frozen=True)
class Workload:
    """Rows at supervisor review or above in one ISO week and office, under both."""

    week: str
    office_code: str
    baseline: int
    candidate: int


@dataclass(frozen=True)
class VersionRef:
    id: str
    version: str
    sha256: str


@dataclass(frozen=True)
class BacktestResult:
    """Everything a backtest found; counts add up to `rows` (scored rows, skipped apart)."""

    candidate: VersionRef
    baseline: VersionRef
    rows: int
    first_created_at: dt.datetime | None
    last_created_at: dt.datetime | None
    skipped: dict[str, int]
    actions: dict[str, tuple[int, int]]  # action -> (baseline, candidate)
    flips: tuple[tuple[int, ...], ...]  # [before rung][after rung]
    changed: int
    office_flips: tuple[OfficeFlips, ...]
    indicators: tuple[IndicatorRate, ...]
    workload: tuple[Workload, ...]
    labelled: int
    quality_baseline: tuple[RungQuality, ...]
    quality_candidate: tuple[RungQuality, ...]
    min_support: int
    warnings: tuple[str, ...] = field(default_factory=tuple)
    tracks: dict[str, TrackQuality] = field(default_factory=dict)  # weighted, per track
    flips_by_outcome: tuple[OutcomeFlips, ...] = field(default_factory=tuple)


class Tally:
    """Running sums over chunks: everything stays a fixed size, whatever the row count.

    Tallies of disjoint parts of the rows merge (`merge`), so parts can run in parallel;
    a tally pickles without its rule sets.
    """

    def __init__(self, candidate: RuleSet, baseline: RuleSet, examples: int = 3) -> None:
        self.examples = examples
        self.rows, self.skipped = 0, Counter()
        self.first = self.last = None
        self.flips = np.zeros((N, N), dtype=np.int64)
        self.office: dict[tuple, list] = {}
        self.hits = {"b": Counter(), "c": Counter()}
        self.sets = {"b": baseline, "c": candidate}
        self.work: Counter = Counter()
        self.cells = Cells()  # outcomes by stored rung, label origin and both rungs
        self.fields = rule_fields(candidate, baseline)

    def __getstate__(self) -> dict:
        return self.__dict__ | {"sets": None}

    def merge(self, other: Tally) -> Tally:
        """Add the sums of `other` (a tally of other rows, same rule sets) to this one."""
        self.rows += other.rows
        self.skipped.update(other.skipped)
        ends = [t for t in (self.first, other.first) if t is not None]
        self.first = min(ends) if ends else None
        ends = [t for t in (self.last, other.last) if t is not None]
        self.last = max(ends) if ends else None
        self.flips += other.flips
        for key, (count, ids) in sorted(other.office.items()):
            slot = self.office.setdefault(key, [0, []])
            slot[0] += count
            slot[1] = (slot[1] + ids)[:self.examples]
        for k in ("b", "c"):
            self.hits[k].update(other.hits[k])
        self.cells.merge(other.cells)
        self.work.update(other.work)
        return self

    def add(self, chunk: StoredChunk | Sequence[StoredRow]) -> None:
        """Score one chunk of stored rows under both versions and add up what changed."""
        if not isinstance(chunk, StoredChunk):
            chunk = StoredChunk.of_rows(chunk)
        frame, kept, skipped = chunk_frame(chunk, self.fields)
        self.skipped.update(skipped)
        if not kept:
            return
        if len(kept) < len(chunk.ids):
            chunk = chunk.take(kept)
        rungs, cols = {}, Columns(frame)  # both versions read the same encoded columns
        for key, rs in self.sets.items():
            hits = evaluate_frame(frame, rs, cols)
            rungs[key] = score_frame(frame, rs, hits=hits)["rung"].to_numpy()
            counts = hits.indicators.sum(axis=0)
            for ind, count in zip(rs.indicators, counts, strict=True):
                self.hits[key][ind.id] += int(count)
        b, c = rungs["b"], rungs["c"]
        self.rows += len(kept)
        self.flips += np.bincount(b * N + c, minlength=N * N).reshape(N, N)
        for i in np.flatnonzero(b != c):
            slot = self.office.setdefault((chunk.offices[i], int(b[i]), int(c[i])), [0, []])
            slot[0] += 1
            if len(slot[1]) < self.examples:
                slot[1].append(chunk.ids[i])
        self._workload(chunk, b, c)
        stored = np.full(len(b), -1) if chunk.rungs is None else np.asarray(chunk.rungs)
        self.cells.add(stored=stored, outcomes=chunk.outcomes, baseline=b, candidate=c,
                       origins=chunk.label_origin, probabilities=chunk.sample_probability)

    def _workload(self, chunk: StoredChunk, b: np.ndarray, c: np.ndarray) -> None:
        """Add rows at review or above per ISO week and office; note the first and last."""
        created = pd.to_datetime(chunk.created, utc=True, format="ISO8601")
        self.first = min(filter(None, (self.first, created.min())))
        self.last = max(filter(None, (self.last, created.max())))
        days, day_of = np.unique(created.as_unit("ns").asi8 // _DAY,
                                 return_inverse=True)  # few distinct days per chunk
        iso = pd.to_datetime(days, unit="D").isocalendar()
        weeks = [f"{y}-W{w:02d}" for y, w in zip(iso["year"], iso["week"], strict=True)]
        office_of, offices = pd.factorize(np.array(chunk.offices, dtype=object))
        key = day_of.ravel() * len(offices) + office_of.ravel()
        size = len(days) * len(offices)
        seen = np.bincount(key, minlength=size)
        sums = {k: np.bincount(key, weights=r >= REVIEW_RUNG, minlength=size)
                for k, r in (("b", b), ("c", c))}
        for k in np.flatnonzero(seen):
            week, office = weeks[k // len(offices)], offices[k % len(offices)]
            self.work[week, office, "b"] += int(sums["b"][k])
            self.work[week, office, "c"] += int(sums["c"][k])


_DAY = 86_400 * 10**9  # nanoseconds


def _quality(table: np.ndarray) -> tuple[RungQuality, ...]:
    confirmed, legitimate, unlabelled = table
    total_confirmed = int(confirmed.sum())
    out = []
    for rung in range(N):
        tp, fp = int(confirmed[rung:].sum()), int(legitimate[rung:].sum())
        out.append(RungQuality(rung, LADDER[rung], int(confirmed[rung]), int(legitimate[rung]),
                               int(unlabelled[rung]), wilson(tp, tp + fp),
                               wilson(tp, total_confirmed)))
    return tuple(out)


def _ref(rs: RuleSet) -> VersionRef:
    return VersionRef(rs.id, rs.version, rs.sha256)


def backtest(*, candidate: RuleSet, baseline: RuleSet,
             chunks: Iterable[StoredChunk | Sequence[StoredRow]],
             min_support: int = 30, examples: int = 3) -> BacktestResult:
    """Replay `candidate` and `baseline` over stored rows given in chunks.

    Parameters
    ----------
    candidate, baseline : the two compiled rule sets.
    chunks : iterable of StoredChunk (as `stored_chunks` reads them) or of sequences of
        StoredRow; only one chunk is held at a time.
    min_support : below this many rows a precision or recall gets a warning.
    examples : assessment ids kept per (office, before, after) flip.

    Returns
    -------
    BacktestResult; rows that cannot be replayed are counted in `skipped` by reason.
    """
    tally = Tally(candidate, baseline, examples)
    for chunk in chunks:
        tally.add(chunk)
    return summarise(tally, candidate=candidate, baseline=baseline, min_support=min_support)


def summarise(tally: Tally, *, candidate: RuleSet, baseline: RuleSet,
              min_support: int = 30) -> BacktestResult:
    """Turn the sums of a tally (possibly merged from parts) into the result."""
    rates = []
    for ind_id in dict.fromkeys([i.id for i in baseline.indicators] +
                                [i.id for i in candidate.indicators]):
        hb = tally.hits["b"].get(ind_id) if ind_id in tally.hits["b"] else None
        hc = tally.hits["c"].get(ind_id) if ind_id in tally.hits["c"] else None
        rb = hb / tally.rows if hb is not None and tally.rows else None
        rc = hc / tally.rows if hc is not None and tally.rows else None
        rates.append(IndicatorRate(ind_id, hb, hc, _r(rb), _r(rc),
                                   _r(rc - rb) if rb is not None and rc is not None else None))
    mix = {LADDER[r]: (int(tally.flips[r, :].sum()), int(tally.flips[:, r].sum()))
           for r in range(N)}
    office = tuple(OfficeFlips(o, LADDER[b], LADDER[c], n, tuple(ids)) for (o, b, c), (n, ids)
                   in sorted(tally.office.items()))
    weeks = sorted({(w, o) for w, o, _ in tally.work})
    workload = tuple(Workload(w, o, tally.work[w, o, "b"], tally.work[w, o, "c"])
                     for w, o in weeks)
    qb, qc = _quality(label_table(tally.cells, "b")), _quality(label_table(tally.cells, "c"))
    labelled = int(label_table(tally.cells, "b")[:2].sum())
    tracks, notes = track_quality(tally.cells, min_support)
    warnings = tuple(dict.fromkeys(_warnings(tally, qb, qc, min_support) + tuple(notes)))
    return BacktestResult(
        candidate=_ref(candidate), baseline=_ref(baseline), rows=tally.rows,
        first_created_at=_py(tally.first), last_created_at=_py(tally.last),
        skipped=dict(tally.skipped), actions=mix,
        flips=tuple(tuple(int(v) for v in row) for row in tally.flips),
        changed=int(tally.flips.sum() - np.trace(tally.flips)), office_flips=office,
        indicators=tuple(rates), workload=workload, labelled=labelled,
        quality_baseline=qb, quality_candidate=qc, min_support=min_support,
        warnings=warnings, tracks=tracks, flips_by_outcome=outcome_flips(tally.cells))


def _warnings(tally: Tally, qb, qc, min_support: int) -> tuple[str, ...]:
    out = []
    if tally.skipped:
        out.append(f"{sum(tally.skipped.values())} stored rows could not be replayed "
                   "(see skipped)")
    for name, quality in (("baseline", qb), ("candidate", qc)):
        for q in quality[1:]:
            if q.precision.support < min_support:
                out.append(f"{name}: precision at {q.action} or above rests on "
                           f"{q.precision.support} labelled rows (< {min_support})")
    if qb[0].recall.support < min_support:
        out.append(f"recall rests on {qb[0].recall.support} confirmed cases "
                   f"(< {min_support})")
    return tuple(dict.fromkeys(out))


def _r(value: float | None) -> float | None:
    return None if value is None else round(value, 6)


def _py(value) -> dt.datetime | None:
    return None if value is None else value.to_pydatetime()
