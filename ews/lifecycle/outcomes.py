"""A backtest's outcome figures: per-track weighted precision and recall, flips by outcome.

The tally keeps `ews.weighting.Cells` of every replayed row (stored rung, how its label
arose, its outcome, the rung under each version); this module turns them into the result's
`tracks` and `flips_by_outcome` (the JSON contract of docs/rules-lifecycle.md).
"""

from __future__ import annotations

from dataclasses import dataclass, fields

import numpy as np

from ews.engine import LADDER
from ews.weighting import (
    OUTCOMES,
    Cells,
    TrackFigures,
    support_warnings,
    track_figures,
)


@dataclass(frozen=True)
class TrackQuality(TrackFigures):
    """One track's figures under the candidate (the inherited fields) and under the baseline."""

    baseline: TrackFigures


@dataclass(frozen=True)
class OutcomeFlips:
    """Rows whose rung changes from `before` to `after`, by their recorded outcome."""

    before: str
    after: str
    outcome: str  # an outcome id, or "none" when no outcome is recorded
    count: int


def track_quality(cells: Cells, min_support: int) -> tuple[dict[str, TrackQuality], list[str]]:
    """Return {track: TrackQuality} and the warnings of both versions' figures."""
    cand, notes = track_figures(cells, "c")
    base, _ = track_figures(cells, "b")
    out = {name: TrackQuality(**{f.name: getattr(c, f.name) for f in fields(c)},
                              baseline=base[name]) for name, c in cand.items()}
    warnings = (notes + support_warnings("baseline", base, min_support)
                + support_warnings("candidate", cand, min_support))
    for version, tracks in (("baseline", base), ("candidate", cand)):
        for name, t in tracks.items():
            if 1.0 in (t.precision.estimate, t.recall.estimate):
                warnings.append(f"{version} {name}: a perfect figure at {t.action} rests on "
                                f"{min(t.precision.labels, t.recall.labels)} labels: read it "
                                "as too few outcomes, not as a perfect rule set")
    return out, warnings


def outcome_flips(cells: Cells) -> tuple[OutcomeFlips, ...]:
    """Return the rows whose rung changes, by (before, after, outcome), largest first."""
    table = cells.flips_by_outcome()
    names = (*OUTCOMES, "none")
    out = [OutcomeFlips(LADDER[b], LADDER[c], names[k], int(table[k, b, c]))
           for k, b, c in zip(*np.nonzero(table), strict=True) if b != c]
    return tuple(sorted(out, key=lambda f: (-f.count, f.before, f.after, f.outcome)))


def label_table(cells: Cells, which: str) -> np.ndarray:
    """Return (confirmed, legitimate, no_information) counts by rung of one version."""
    count = cells.version(which)[0].sum(axis=(0, 1)).astype(np.int64)  # (outcome, rung)
    return np.stack([count[:3].sum(axis=0), count[3], count[4]])
