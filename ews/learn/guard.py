"""Checks a learned draft must pass before it is written (docs/learning.md, "Refusals").

Each check returns the reasons it refuses, as plain sentences naming indicator, track or
rows; an empty list passes. Pure functions of rule sets, frames and fitted weights.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from ews.engine import REVIEW_RUNG, RuleSet
from ews.scoring import score_frame

MAX_SHARE = 0.5  # of a track's points held by one indicator
MAX_TRACK_CHANGE = 0.05  # of the cases flagged under both sets whose deciding track changes
MAX_WEIGHT = 10.0  # log-odds per indicator (an odds ratio above e^10 ~ 22,000): separation


def _track_points(ruleset: RuleSet) -> dict[str, dict[str, int]]:
    out: dict[str, dict[str, int]] = {name: {} for name in ruleset.tracks}
    for ind in ruleset.indicators:
        if not ind.protective:
            out.setdefault(ind.track, {})[ind.id] = ind.points
    return out


def zeroed_tracks(draft: RuleSet) -> list[str]:
    """Refuse a draft in which every scoring indicator of a track has 0 points."""
    return [f"the draft gives 0 points to every indicator of track {track} "
            f"({len(points)} indicators): that track would never raise a case"
            for track, points in _track_points(draft).items()
            if points and not any(points.values())]


def dominant_indicators(draft: RuleSet, max_share: float = MAX_SHARE) -> list[str]:
    """Refuse a draft in which one indicator holds more than `max_share` of a track's points."""
    out = []
    for track, points in _track_points(draft).items():
        total = sum(points.values())
        for ind, value in points.items():
            if total and value > max_share * total:
                out.append(f"indicator {ind} holds {value} of the {total} points of track "
                           f"{track} (more than {max_share:.0%}): one answer would decide "
                           "the track")
    return out


def deciding_track(scored: pd.DataFrame, tracks) -> np.ndarray:
    """Return the index of the track with the highest score per row (-1 on a tie)."""
    values = np.column_stack([scored[f"score_{t}"].to_numpy() for t in tracks])
    best = values.argmax(axis=1)
    tie = (values == values.max(axis=1, keepdims=True)).sum(axis=1) > 1
    return np.where(tie, -1, best)


def track_changes(frame: pd.DataFrame, live: RuleSet, draft: RuleSet,
                  max_share: float = MAX_TRACK_CHANGE) -> list[str]:
    """Refuse a draft that changes which track decides more than `max_share` of the cases
    flagged (supervisor review or above) under both sets."""
    tracks = list(live.tracks)
    a, b = score_frame(frame, live), score_frame(frame, draft)
    both = (a["rung"].to_numpy() >= REVIEW_RUNG) & (b["rung"].to_numpy() >= REVIEW_RUNG)
    da, db = deciding_track(a, tracks)[both], deciding_track(b, tracks)[both]
    decided = (da >= 0) & (db >= 0)
    changed = int((da[decided] != db[decided]).sum())
    if decided.sum() and changed > max_share * decided.sum():
        return [f"the draft changes which track decides {changed} of the {int(decided.sum())}"
                f" cases flagged under both sets (more than {max_share:.0%})"]
    return []


def separation(hits: pd.DataFrame, y: pd.Series, weights: np.ndarray,
               max_weight: float = MAX_WEIGHT) -> list[str]:
    """Refuse a fit that separates the labelled rows perfectly or whose weights run away."""
    mask = y.notna().to_numpy()
    x = hits.to_numpy(dtype=bool)[mask]
    yl = y.to_numpy(float)[mask] == 1
    z = x @ weights
    out = []
    if yl.any() and (~yl).any() and z[yl].min() > z[~yl].max():
        out.append(f"the fit separates its {int(yl.sum())} positive and {int((~yl).sum())} "
                   "negative labels perfectly: the weights describe the cases that were "
                   "followed up, not the applicants")
    runaway = [c for c, w in zip(hits.columns, weights, strict=True) if w > max_weight]
    if runaway:
        out.append(f"weights without bound (quasi-separation) for {', '.join(runaway)}: "
                   "their labelled hits are all of one kind")
    return out
