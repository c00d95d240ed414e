"""Outcome labels and time splits.

Positive: the applicant was confirmed trafficked, confirmed non-procedural, or intercepted
at the border. Negative: legitimate travel confirmed. `no_information` (and no outcome at
all) is unlabelled - never a negative: most trafficked people are never identified, so
"nothing heard" says nothing about an applicant.
"""

from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd

POSITIVE = ("confirmed_trafficking", "confirmed_nonprocedural", "intercepted_at_border")
NEGATIVE = ("legitimate_travel_confirmed",)
UNLABELLED = ("no_information",)


class LabelError(ValueError):
    """The data cannot be labelled or split as asked (empty window, no labels, ...)."""


def label_of(outcome: str | None) -> float:
    """Return 1.0 for a positive outcome, 0.0 for a negative one, NaN when unlabelled."""
    if outcome in POSITIVE:
        return 1.0
    if outcome in NEGATIVE:
        return 0.0
    return float("nan")


def labels(outcomes: pd.Series) -> pd.Series:
    """Return the label of each outcome (1.0, 0.0 or NaN), same index.

    Parameters
    ----------
    outcomes : Series of outcome ids or None (the latest outcome of each assessment).

    Returns
    -------
    Series of float: 1.0 positive, 0.0 negative, NaN unlabelled (`no_information`, none).
    """
    values = outcomes.astype(object)
    out = np.where(values.isin(POSITIVE), 1.0, np.where(values.isin(NEGATIVE), 0.0, np.nan))
    return pd.Series(out, index=outcomes.index, name="label")


def month_of(times: pd.Series) -> pd.Series:
    """Return the calendar month (UTC) of each interview time, as 'YYYY-MM' text."""
    stamps = pd.to_datetime(times, utc=True)
    return stamps.dt.strftime("%Y-%m")


def time_split(frame: pd.DataFrame, at: dt.datetime | str | None = None,
               column: str = "interviewed_at", test_share: float = 0.25
               ) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Split rows by time: train before `at`, test from `at` on - never random rows.

    Without `at`, the split falls at the first month boundary that leaves about
    `test_share` of the rows in the later (test) part. Raises LabelError when either side
    would be empty.
    """
    if frame.empty:
        raise LabelError("the window holds no assessments")
    stamps = pd.to_datetime(frame[column], utc=True)
    if at is None:
        months = month_of(stamps)
        order = sorted(months.unique())
        if len(order) < 2:
            raise LabelError("a time split needs at least two calendar months of data; "
                             f"the window holds only {order[0]}")
        counts = months.value_counts()
        later = 0
        for month in reversed(order[1:]):
            later += counts[month]
            if later >= test_share * len(frame):
                break
        at = pd.Timestamp(month + "-01", tz="UTC")
    cut = pd.Timestamp(at)
    cut = cut.tz_localize("UTC") if cut.tzinfo is None else cut
    early = (stamps < cut).to_numpy()
    if early.all() or not early.any():
        raise LabelError(f"splitting at {cut.date()} leaves one side empty")
    k = int(early.sum())
    if early[:k].all():  # oldest first (as loaded): two slices, no copy of a national year
        return frame.iloc[:k], frame.iloc[k:]
    return frame[early], frame[~early]
