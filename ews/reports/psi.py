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
    """Return PSI of each month against the month before, from one row per assessment.

    Parameters
    ----------
    months : 'YYYY-MM' per row (see `month_of`).
    scores : the result score per row (0-100).
    hits : optional bool frame, one column per indicator, same index.

    Returns
    -------
    DataFrame, one row per month after the first (see `drift_from_counts`). Empty input
    gives an empty frame.
    """
    month = pd.Series(np.asarray(months, dtype=object))
    frame = pd.DataFrame({"month": month, "score": np.asarray(scores, float)})
    score_counts = frame.groupby(["month", "score"]).size().rename("n").reset_index()
    hit_counts = None
    if hits is not None:
        sums = pd.DataFrame(hits.to_numpy(bool).astype(int), columns=list(hits.columns)
                            ).groupby(month).sum()
        hit_counts = sums.rename_axis("month").reset_index().melt(
            id_vars="month", var_name="indicator", value_name="hits")
    return drift_from_counts(score_counts, hit_counts, edges)


def drift_from_counts(score_counts: pd.DataFrame, hit_counts: pd.DataFrame | None = None,
                      edges=SCORE_EDGES) -> pd.DataFrame:
    """Return PSI of each month against the month before, from counts (what SQL returns).

    Parameters
    ----------
    score_counts : columns `month` ('YYYY-MM'), `score` (0-100) and `n` (assessments).
    hit_counts : optional columns `month`, `indicator` and `hits` (assessments on which the
        indicator fired); an indicator missing from a month fired on no one.

    Returns
    -------
    DataFrame, one row per month after the first: `rows`, `score_psi` and its `reading`,
    and when `hit_counts` is given `hits_psi_max` (the largest indicator PSI, each over the
    two bins hit / not hit), `indicator` naming it, and `hits_reading`.
    """
    if score_counts.empty:
        return pd.DataFrame()
    bins = np.digitize(score_counts["score"].astype(float), edges[1:-1])
    dist = (pd.crosstab(score_counts["month"].to_numpy(), bins,
                        values=score_counts["n"].to_numpy(), aggfunc="sum")
            .reindex(columns=range(len(edges) - 1)).fillna(0))
    months = list(dist.index)
    rows = dist.sum(axis=1)
    rates = None
    if hit_counts is not None:
        rates = (hit_counts.pivot_table(index="month", columns="indicator", values="hits",
                                        aggfunc="sum")
                 .reindex(index=months).fillna(0).div(rows, axis=0)
                 if len(hit_counts) else pd.DataFrame(index=months))
    out = []
    for prev, month in zip(months, months[1:], strict=False):
        row = {"month": month, "rows": int(rows[month]),
               "score_psi": psi(dist.loc[prev], dist.loc[month])}
        row["reading"] = reading(row["score_psi"])
        if rates is not None:
            each = [psi([1 - p, p], [1 - q, q])
                    for p, q in zip(rates.loc[prev], rates.loc[month], strict=True)]
            k = int(np.argmax(each)) if each else 0
            row["hits_psi_max"] = each[k] if each else 0.0
            row["indicator"] = rates.columns[k] if each else None
            row["hits_reading"] = reading(row["hits_psi_max"])
        out.append(row)
    return pd.DataFrame(out)
