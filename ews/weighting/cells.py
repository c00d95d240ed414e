"""How each label arose, counted in cells that add up over chunks (pure numpy).

A label's weight depends on its stratum (the live decision stored with the assessment: its
rung), on how it arose (`label_origin`: a supervisor's follow-up, the random follow-up
sample, an external import) and, for the sample, on its selection probability. The cells
count rows by (stored rung, origin, outcome, baseline rung, candidate rung) with the sums of
their base weights (1/probability for sample labels, 1 otherwise) and of the squared base
weights: everything the weighted figures need, of a fixed size whatever the row count, and
mergeable across chunks and processes.

When the frame or chunk carries no `label_origin` column (a database before the random
sample existed), every recorded outcome counts as a follow-up label and nothing as sample.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from ews.engine import LADDER

OUTCOMES = ("confirmed_trafficking", "confirmed_nonprocedural", "intercepted_at_border",
            "legitimate_travel_confirmed", "no_information")
NO_OUTCOME = len(OUTCOMES)  # code of an assessment without any recorded outcome
LABELLED = (0, 1, 2, 3)  # outcome codes that are labels (no_information is not)
NEGATIVE = 3
ORIGINS = ("followup", "sample", "external")
FOLLOWUP, SAMPLE, EXTERNAL = range(3)
N = len(LADDER)
SHAPE = (N, len(ORIGINS), NO_OUTCOME + 1, N, N)

_OUTCOME_CODE = {o: k for k, o in enumerate(OUTCOMES)}
_ORIGIN_CODE = {o: k for k, o in enumerate(ORIGINS)}


def outcome_codes(outcomes: Sequence) -> np.ndarray:
    """Return the code of each outcome id (NO_OUTCOME for None or an unknown id)."""
    return np.fromiter((_OUTCOME_CODE.get(o, NO_OUTCOME) if o else NO_OUTCOME
                        for o in outcomes), np.int64, len(outcomes))


def origin_codes(origins: Sequence | None, n: int) -> np.ndarray:
    """Return the code of each label origin; None (or no column at all) is a follow-up."""
    if origins is None:
        return np.zeros(n, dtype=np.int64)
    return np.fromiter((_ORIGIN_CODE.get(o, FOLLOWUP) if isinstance(o, str) else FOLLOWUP
                        for o in origins), np.int64, n)


def base_weights(origin: np.ndarray, probabilities: Sequence | None) -> np.ndarray:
    """Return 1/probability for sample labels with a probability in (0, 1], else 1."""
    if probabilities is None:
        return np.ones(len(origin))
    p = np.asarray(probabilities, dtype=float)
    usable = (origin == SAMPLE) & (p > 0) & (p <= 1)
    return np.where(usable, 1.0 / np.where(usable, p, 1.0), 1.0)


class Cells:
    """Row counts and base-weight sums by (stored rung, origin, outcome, rung b, rung c)."""

    def __init__(self) -> None:
        self.count = np.zeros(SHAPE)
        self.s1 = np.zeros(SHAPE)
        self.s2 = np.zeros(SHAPE)

    def add(self, *, stored: np.ndarray, outcomes: Sequence, baseline: np.ndarray,
            candidate: np.ndarray, origins: Sequence | None = None,
            probabilities: Sequence | None = None) -> None:
        """Add rows: stored (live) rung, outcome ids, replayed rungs, origins, probabilities.

        A stored rung that is negative (unknown) takes the baseline's rung.
        """
        n = len(baseline)
        stored = np.where(np.asarray(stored) < 0, baseline, stored).astype(np.int64)
        origin = origin_codes(origins, n)
        base = base_weights(origin, probabilities)
        key = np.ravel_multi_index((stored, origin, outcome_codes(outcomes),
                                    np.asarray(baseline, np.int64),
                                    np.asarray(candidate, np.int64)), SHAPE)
        size = self.count.size
        self.count += np.bincount(key, minlength=size).reshape(SHAPE)
        self.s1 += np.bincount(key, weights=base, minlength=size).reshape(SHAPE)
        self.s2 += np.bincount(key, weights=base * base, minlength=size).reshape(SHAPE)

    def merge(self, other: Cells) -> Cells:
        """Add the cells of other rows."""
        self.count += other.count
        self.s1 += other.s1
        self.s2 += other.s2
        return self

    def version(self, which: str) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Return (count, s1, s2) by (stored rung, origin, outcome, rung) of 'b' or 'c'."""
        axis = 4 if which == "b" else 3
        return tuple(a.sum(axis=axis) for a in (self.count, self.s1, self.s2))

    def flips_by_outcome(self) -> np.ndarray:
        """Return counts by (outcome code, baseline rung, candidate rung)."""
        return self.count.sum(axis=(0, 1)).astype(np.int64)


def cells_of(*, stored, outcomes, rungs, origins=None, probabilities=None) -> Cells:
    """Return the cells of one rule set's rungs (both versions the same)."""
    cells = Cells()
    rungs = np.asarray(rungs, dtype=np.int64)
    cells.add(stored=np.asarray(stored), outcomes=list(outcomes), baseline=rungs,
              candidate=rungs, origins=None if origins is None else list(origins),
              probabilities=probabilities)
    return cells
