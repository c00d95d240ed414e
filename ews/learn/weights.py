"""Indicator statistics over labelled outcomes and suggested points.

Suggested points come from a sparse, sign-constrained logistic model over the indicator
hits: minimise the log-loss plus `l1 * sum(w)` subject to `w >= 0` (L-BFGS-B with bounds).
With non-negative weights the L1 penalty is linear, so the problem stays smooth and is solved
exactly - unlike clipping the negative coefficients of an unconstrained fit afterwards, which
leaves the other weights fitted for a model that no longer exists. Rows are first collapsed
to their distinct hit patterns (with counts), so a million rows cost what a few thousand do.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
from scipy.optimize import minimize
from scipy.special import expit

from ews.engine import RuleSet, evaluate_frame
from ews.weighting import OUTCOMES, TRACK_OUTCOMES

from .labels import LabelError

MIN_POSITIVES = 30
MIN_SUPPORT = 5
HIT_CHUNK = 200_000  # rows evaluated at a time by hit_frame (rows are independent)
Z95 = 1.959964


def hit_frame(frame: pd.DataFrame, ruleset: RuleSet) -> pd.DataFrame:
    """Return one bool column per indicator (rule-set order): did it fire on the row?

    The same hits `score_frame(..., details=True)` lists per row, as a matrix; same index.
    """
    if len(frame) <= HIT_CHUNK:
        hits = evaluate_frame(frame, ruleset).indicators
    else:  # the conditions' intermediate columns of a national period would be gigabytes
        hits = np.concatenate([evaluate_frame(frame.iloc[at:at + HIT_CHUNK], ruleset).indicators
                               for at in range(0, len(frame), HIT_CHUNK)])
    return pd.DataFrame(hits, index=frame.index, columns=[i.id for i in ruleset.indicators])


def wilson(k: np.ndarray, n: np.ndarray, z: float = Z95) -> tuple[np.ndarray, np.ndarray]:
    """Return the Wilson score interval of k successes in n trials (NaN where n is 0)."""
    k, n = np.asarray(k, float), np.asarray(n, float)
    with np.errstate(invalid="ignore", divide="ignore"):
        p = k / n
        centre = (p + z * z / (2 * n)) / (1 + z * z / n)
        half = z * np.sqrt(p * (1 - p) / n + z * z / (4 * n * n)) / (1 + z * z / n)
    return centre - half, centre + half


def require_positives(y: pd.Series, minimum: int = MIN_POSITIVES) -> None:
    """Raise LabelError unless `y` holds at least `minimum` positives (and some negatives)."""
    labelled = y.dropna()
    if labelled.empty:
        raise LabelError("the window has no labelled outcomes (only no_information or none); "
                         "record outcomes first")
    positives = int(labelled.sum())
    if positives < minimum:
        raise LabelError(f"only {positives} labelled positive outcomes in the window; at "
                         f"least {minimum} are needed to suggest anything")
    if positives == len(labelled):
        raise LabelError("the window has no negative outcomes (legitimate_travel_confirmed)")


def indicator_stats(hits: pd.DataFrame, y: pd.Series) -> pd.DataFrame:
    """Return per indicator: support, positives, confirmed share and lift with 95% intervals.

    Parameters
    ----------
    hits : bool frame, one column per indicator (see `hit_frame`).
    y : labels aligned with `hits` (1.0, 0.0, NaN for unlabelled).

    Returns
    -------
    DataFrame indexed by indicator: `fired` (all rows), `support` (labelled rows hit),
    `positives`, `share` (confirmed share among support) with `share_low`/`share_high`
    (Wilson), `lift` = share / base rate of the labelled rows, with `lift_low`/`lift_high`
    (the Wilson bounds over the base rate). Unlabelled rows count only in `fired`.
    """
    mask = y.notna().to_numpy()
    labelled = hits.to_numpy(dtype=bool)[mask]
    yl = y.to_numpy(float)[mask]
    support = labelled.sum(axis=0)
    positives = labelled[yl == 1].sum(axis=0)
    base = yl.mean() if len(yl) else np.nan
    low, high = wilson(positives, support)
    with np.errstate(invalid="ignore", divide="ignore"):
        share = positives / support
    out = pd.DataFrame({"fired": hits.to_numpy(dtype=bool).sum(axis=0), "support": support,
                        "positives": positives, "share": share, "share_low": low,
                        "share_high": high}, index=hits.columns)
    out["lift"] = out["share"] / base
    out["lift_low"] = out["share_low"] / base
    out["lift_high"] = out["share_high"] / base
    return out


def _patterns(x: np.ndarray, y: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Collapse rows to distinct patterns: (patterns, row count, positive count)."""
    packed = np.packbits(x, axis=1)
    _, first, inverse = np.unique(packed, axis=0, return_index=True, return_inverse=True)
    inverse = inverse.ravel()
    counts = np.bincount(inverse)
    pos = np.bincount(inverse, weights=y)
    return x[first].astype(float), counts.astype(float), pos


def nonnegative_logistic(x: np.ndarray, y: np.ndarray, l1: float = 1.0
                         ) -> tuple[np.ndarray, float]:
    """Fit P(y=1) = expit(b + x @ w) with w >= 0 and an L1 penalty `l1 * sum(w)`.

    Returns (w, b). `l1` is in units of log-likelihood per unit of weight (rows are summed).
    """
    pats, n, pos = _patterns(np.asarray(x, dtype=bool), np.asarray(y, dtype=float))
    return fit_patterns(pats, n, pos, l1)


def fit_patterns(pats: np.ndarray, n: np.ndarray, pos: np.ndarray, l1: float = 1.0
                 ) -> tuple[np.ndarray, float]:
    """Fit the sign-constrained model on distinct patterns with row and positive counts."""
    k = pats.shape[1]

    def loss(theta):
        w, b = theta[:k], theta[k]
        z = b + pats @ w
        # sum over patterns of n*log(1+e^z) - pos*z, stable
        ll = np.sum(n * np.logaddexp(0, z) - pos * z) + l1 * w.sum()
        g_z = n * expit(z) - pos
        return ll, np.concatenate([pats.T @ g_z + l1, [g_z.sum()]])

    prior = np.clip(pos.sum() / max(n.sum(), 1e-12), 1e-6, 1 - 1e-6)
    theta0 = np.concatenate([np.zeros(k), [np.log(prior / (1 - prior))]])
    res = minimize(loss, theta0, jac=True, method="L-BFGS-B",
                   bounds=[(0, None)] * k + [(None, None)])
    return res.x[:k], float(res.x[k])


@dataclass(frozen=True)
class Suggestion:
    """Suggested points per indicator with the statistics that justify them."""

    table: pd.DataFrame  # indexed by indicator: track, protective, old, weight, suggested, note
    intercept: dict[str, float]  # by track fitted ("all": one fit)
    scale: dict[str, float]  # points per unit of log-odds, by track
    labelled: int
    positives: int


def track_labels(y: pd.Series, outcomes: pd.Series, track: str) -> pd.Series:
    """Return the labels of one track's fit: its own confirmations positive, legitimate travel
    negative, the other track's confirmations left out (neither a hit nor a miss here)."""
    own = {OUTCOMES[c] for c in TRACK_OUTCOMES[track]}
    other = (y == 1).to_numpy() & ~pd.Series(outcomes).isin(own).to_numpy()
    return y.mask(other)


def fit_groups(y: pd.Series, outcomes: pd.Series | None, tracks: np.ndarray,
               usable: np.ndarray) -> list[tuple[str, np.ndarray, pd.Series]]:
    """Return (name, indicators, labels) of each fit: one per track when the outcomes are
    given (each track learns from its own confirmations), else one over all indicators."""
    if outcomes is None:
        return [("all", usable, y)]
    return [(name, usable & (tracks == name), track_labels(y, outcomes, name))
            for name in dict.fromkeys(tracks) if name in TRACK_OUTCOMES]


def suggest_points(hits: pd.DataFrame, y: pd.Series, ruleset: RuleSet, *, l1: float = 1.0,
                   min_support: int = MIN_SUPPORT, min_positives: int = MIN_POSITIVES,
                   outcomes: pd.Series | None = None) -> Suggestion:
    """Suggest points for every indicator from labelled rows (unlabelled rows are left out).

    With `outcomes` (the outcome ids behind `y`) each track is fitted on its own labels
    (`track_labels`); otherwise one fit covers every indicator. Weights are scaled per track
    so that its strongest learned indicator gets the track's highest points in the live set
    (the bands of a track read its own point scale), rounded to whole points, at most 100.
    Protective indicators keep 0 points (they never add scrutiny); indicators with fewer
    than `min_support` labelled hits, or of a track without both kinds of labels, keep their
    points. Raises LabelError below `min_positives` labelled positives.
    """
    require_positives(y, min_positives)
    stats = indicator_stats(hits, y)
    inds = ruleset.indicators
    mask = y.notna().to_numpy()
    track = np.array([i.track for i in inds])
    usable = np.array([not i.protective and stats.loc[i.id, "support"] >= min_support
                       for i in inds])
    x_all = hits.to_numpy(dtype=bool)
    weights = np.zeros(len(inds))
    intercepts = {}
    for name, cols, yg in fit_groups(y, outcomes, track, usable):
        known = yg.notna().to_numpy()
        yk = yg.to_numpy(float)[known]
        if not cols.any() or yk.min(initial=1) == yk.max(initial=0):
            usable &= ~cols  # nothing to learn from: the track keeps its points
            continue
        w_fit, intercepts[name] = nonnegative_logistic(x_all[known][:, cols], yk, l1=l1)
        weights[cols] = w_fit
    old = np.array([i.points for i in inds])
    scale = np.zeros(len(inds))
    for name in set(track):  # each track keeps its own point scale (its bands read it)
        own = track == name
        top = old[own & ~np.array([i.protective for i in inds])].max(initial=0)
        scale[own] = top / weights[own].max() if weights[own].max() > 0 else 0.0
    suggested = np.where(usable, np.minimum(100, np.round(weights * scale)), old).astype(int)
    notes = ["protective: stays 0" if i.protective else "" if u else
             f"support {int(stats.loc[i.id, 'support'])} < {min_support}: kept"
             if stats.loc[i.id, "support"] < min_support else
             "its track has labels of one kind only: kept"
             for i, u in zip(inds, usable, strict=True)]
    table = pd.DataFrame({"track": [i.track for i in inds],
                          "protective": [i.protective for i in inds], "old": old,
                          "weight": weights, "suggested": suggested, "note": notes,
                          "fitted": usable, "scale": scale},
                         index=hits.columns).join(stats)
    scales = {name: float(scale[track == name].max()) for name in ruleset.tracks}
    return Suggestion(table, intercepts, scales, int(mask.sum()), int(y[mask].sum()))
