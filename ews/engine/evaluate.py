"""Evaluate a compiled rule set: which indicators hit, which ILO dimensions are positive,
which escalations fire - for one record, or for a whole frame at once."""

from __future__ import annotations

from dataclasses import dataclass
from operator import attrgetter

import numpy as np

from .conditions import DIMENSIONS, Columns
from .loader import Escalation, Indicator, RuleSet


@dataclass(frozen=True)
class Hits:
    """What fired for one record."""

    indicators: tuple[Indicator, ...]
    dimensions: frozenset
    escalations: tuple[Escalation, ...]


def positive_dimensions(indicators, combinations) -> frozenset:
    """Return the dimensions whose hit indicators satisfy a combination (ILO step 1)."""
    counts: dict[str, dict[str, int]] = {}
    for ind in indicators:
        if ind.dimension:
            per = counts.setdefault(ind.dimension, {})
            per[ind.severity] = per.get(ind.severity, 0) + 1
    return frozenset(dim for dim, per in counts.items()
                     if any(all(per.get(s, 0) >= n for s, n in combo.items())
                            for combo in combinations))


_order = attrgetter("order")


def evaluate(record: dict, ruleset: RuleSet) -> Hits:
    """Evaluate one record (a validated checklist plus derived features)."""
    none = frozenset()
    found = [i for i, test in ruleset.indicator_tests if test(record, none)]
    get = record.get
    for name, table in ruleset.equals_index:
        more = table.get(get(name))
        if more:
            found += more
    hit = tuple(sorted(found, key=_order))
    dims = positive_dimensions(hit, ruleset.combinations) if hit else none
    fired = tuple(e for e, test in ruleset.escalation_tests if test(record, dims))
    return Hits(hit, dims, fired)


@dataclass(frozen=True)
class FrameHits:
    """What fired for every row of a frame: boolean matrices, rows x items."""

    indicators: np.ndarray
    dimensions: dict
    escalations: np.ndarray
    columns: Columns


def frame_dimensions(hits: np.ndarray, ruleset: RuleSet) -> dict:
    """Return {dimension: rows where it is positive} from an indicator hit matrix."""
    n = len(hits)
    dims = {}
    for dim in DIMENSIONS:
        counts = {s: hits[:, [k for k, i in enumerate(ruleset.indicators)
                              if i.dimension == dim and i.severity == s]].sum(axis=1)
                  for s in ("strong", "medium", "weak")}
        dims[dim] = np.logical_or.reduce(
            [np.logical_and.reduce([counts[s] >= m for s, m in combo.items()])
             for combo in ruleset.combinations] + [np.zeros(n, dtype=bool)])
    return dims


def frame_escalations(cols: Columns, dims: dict, ruleset: RuleSet,
                      reuse: np.ndarray | None = None) -> np.ndarray:
    """Return the escalation hit matrix; `reuse` saves escalations that read no dimension."""
    esc = np.zeros((cols.n, len(ruleset.escalations)), dtype=bool)
    for k, e in enumerate(ruleset.escalations):
        esc[:, k] = (reuse[:, k] if reuse is not None and not e.test.dimensions
                     else e.test.frame(cols, dims))
    return esc


def evaluate_frame(frame, ruleset: RuleSet, cols: Columns | None = None) -> FrameHits:
    """Evaluate every row of a DataFrame whose columns are checklist fields (vectorised).

    `cols`: the frame's encoded columns when several rule sets read the same frame.
    """
    cols = Columns(frame) if cols is None else cols
    empty: dict = {}
    hits = np.zeros((len(frame), len(ruleset.indicators)), dtype=bool)
    for k, ind in enumerate(ruleset.indicators):
        hits[:, k] = ind.test.frame(cols, empty)
    dims = frame_dimensions(hits, ruleset)
    return FrameHits(hits, dims, frame_escalations(cols, dims, ruleset), cols)
