"""Population stability of the score distribution and indicator hit rates, each month
against a chosen reference: the quarter before it (default) or the same month a year before.

Reading (the usual rule of thumb): PSI < 0.1 stable, 0.1-0.25 moderate shift (look), > 0.25
large shift (re-evaluate the rule set or model before trusting it). A PSI of a month with
fewer than 200 rows, or against a reference with fewer, is noise (12 rows once read 3.04,
"large"): such a month reads "too few" and has no PSI.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

SCORE_EDGES = (0, 10, 20, 30, 40, 50, 60, 75, 90, 101)
EPS = 1e-4
MIN_ROWS = 200
TOO_FEW = "too few"
REFERENCES = ("quarter", "year")  # the three months before; the same month a year before


def _shift(month: str, by: int) -> str:
    year, mon = map(int, month.split("-"))
    k = year * 12 + mon - 1 + by
    return f"{k // 12:04d}-{k % 12 + 1:02d}"


def reference_months(month: str, reference: str = "quarter") -> tuple[str, ...]:
    """Return the months a month is compared with: the quarter before, or a year before."""
    if reference not in REFERENCES:
        raise ValueError(f"reference must be one of {', '.join(REFERENCES)}, not {reference!r}")
    if reference == "year":
        return (_shift(month, -12),)
    return tuple(_shift(month, -k) for k in (3, 2, 1))


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
                  edges=SCORE_EDGES, *, reference: str = "quarter",
                  min_rows: int = MIN_ROWS) -> pd.DataFrame:
    """Return PSI of each month against its reference, from one row per assessment.

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
    return drift_from_counts(score_counts, hit_counts, edges, reference=reference,
                             min_rows=min_rows)


def drift_from_counts(score_counts: pd.DataFrame, hit_counts: pd.DataFrame | None = None,
                      edges=SCORE_EDGES, *, reference: str = "quarter",
                      min_rows: int = MIN_ROWS) -> pd.DataFrame:
    """Return PSI of each month against its reference, from counts (what SQL returns).

    Parameters
    ----------
    score_counts : columns `month` ('YYYY-MM'), `score` (0-100) and `n` (assessments).
    hit_counts : optional columns `month`, `indicator` and `hits` (assessments on which the
        indicator fired); an indicator missing from a month fired on no one.

    Returns
    -------
    DataFrame, one row per month whose reference has rows in the input: `rows`,
    `reference` ('YYYY-MM..YYYY-MM' or 'YYYY-MM'), `reference_rows`, `score_psi` and its
    `reading`, and when `hit_counts` is given `hits_psi_max` (the largest indicator PSI,
    each over the two bins hit / not hit), `indicator` naming it, and `hits_reading`. Where
    the month or its reference holds fewer than `min_rows` rows the PSIs are NaN and the
    readings "too few".
    """
    if score_counts.empty:
        return pd.DataFrame()
    bins = np.digitize(score_counts["score"].astype(float), edges[1:-1])
    dist = (pd.crosstab(score_counts["month"].to_numpy(), bins,
                        values=score_counts["n"].to_numpy(), aggfunc="sum")
            .reindex(columns=range(len(edges) - 1)).fillna(0))
    months = list(dist.index)
    rows = dist.sum(axis=1)
    hits = None
    if hit_counts is not None:
        hits = (hit_counts.pivot_table(index="month", columns="indicator", values="hits",
                                       aggfunc="sum").reindex(index=months).fillna(0)
                if len(hit_counts) else pd.DataFrame(index=months))
    out = []
    for month in months:
        ref = [m for m in reference_months(month, reference) if m in dist.index]
        if not ref:
            continue
        n_ref = int(rows[ref].sum())
        label = ref[0] if len(ref) == 1 else f"{ref[0]}..{ref[-1]}"
        row = {"month": month, "rows": int(rows[month]), "reference": label,
               "reference_rows": n_ref}
        enough = row["rows"] >= min_rows and n_ref >= min_rows
        row["score_psi"] = psi(dist.loc[ref].sum(), dist.loc[month]) if enough else np.nan
        row["reading"] = reading(row["score_psi"]) if enough else TOO_FEW
        if hits is not None:
            p = hits.loc[ref].sum() / n_ref if n_ref else hits.loc[month] * 0
            q = hits.loc[month] / rows[month]
            each = [psi([1 - a, a], [1 - b, b]) for a, b in zip(p, q, strict=True)]
            k = int(np.argmax(each)) if each else 0
            row["hits_psi_max"] = (each[k] if each else 0.0) if enough else np.nan
            row["indicator"] = hits.columns[k] if each and enough else None
            row["hits_reading"] = reading(row["hits_psi_max"]) if enough else TOO_FEW
        out.append(row)
    return pd.DataFrame(out)
