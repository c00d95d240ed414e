"""Population stability, month over month: of the score distribution and indicator hit rates.

Reading (the usual rule of thumb): PSI < 0.1 stable, 0.1-0.25 moderate shift (look), > 0.25
large shift (re-evaluate the rule set or model before trusting it).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

SCORE_EDGES = (0, 10, 20, 30, 40, 50, 60, 75, 90, 101)
EPS = 1e-4


def psi(expected: np.ndarray, actual: np.ndarray) -> float:
    """Return the population stability index of two distributions (shares per bin)."""
    e = np.clip(np.asarray(expected, float), EPS, None)
    a = np.clip(np.asarray(actual, float), EPS, None)
    e, a = e / e.sum(), a / a.sum()
    return float(np.sum((a - e) * np.log(a / e)))


def reading(value: float) -> str:
    """Return 'stable', 'moderate' or 'large' for a PSI value (0.1 / 0.25 limits)."""
    return "stable" if value < 0.1 else "moderate" if value < 0.25 else "large"


def monthly_drift(months: pd.Series, scores: pd.Series, hits: pd.DataFrame | None = None,
                  edges=SCORE_EDGES) -> pd.DataFrame:
    """Return PSI of each month against the month before.

    Parameters
    ----------
    months : 'YYYY-MM' per row (see `month_of`).
    scores : the result score per row (0-100).
    hits : optional bool frame, one column per indicator, same index.

    Returns
    -------
    DataFrame, one row per month after the first: `rows`, `score_psi` and its `reading`,
    and when `hits` is given `hits_psi_max` (the largest indicator PSI, each over the two
    bins hit / not hit) with `indicator` naming it. Empty input gives an empty frame.
    """
    order = sorted(months.unique())
    binned = np.digitize(np.asarray(scores, float), edges[1:-1])
    out = []
    prev = None
    for month in order:
        mask = (months == month).to_numpy()
        dist = np.bincount(binned[mask], minlength=len(edges) - 1) / mask.sum()
        rates = hits.to_numpy(bool)[mask].mean(axis=0) if hits is not None else None
        if prev is not None:
            row = {"month": month, "rows": int(mask.sum()), "score_psi": psi(prev[0], dist)}
            row["reading"] = reading(row["score_psi"])
            if rates is not None:
                each = [psi([1 - p, p], [1 - q, q]) for p, q in zip(prev[1], rates, strict=True)]
                k = int(np.argmax(each)) if each else 0
                row["hits_psi_max"] = each[k] if each else 0.0
                row["indicator"] = hits.columns[k] if each else None
                row["hits_reading"] = reading(row["hits_psi_max"])
            out.append(row)
        prev = (dist, rates)
    return pd.DataFrame(out)
