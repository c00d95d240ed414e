"""Small statistics and table builders shared by the reports (pure; no database)."""

from __future__ import annotations

import math

import pandas as pd

from .model import Column, Table

Z95 = 1.959963984540054


def wilson(successes: int, n: int, z: float = Z95) -> tuple[float, float]:
    """Return the Wilson score interval (low, high) of a proportion; (nan, nan) when n is 0."""
    if n <= 0:
        return math.nan, math.nan
    p = successes / n
    denom = 1 + z * z / n
    centre = (p + z * z / (2 * n)) / denom
    half = z * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n)) / denom
    return max(0.0, centre - half), min(1.0, centre + half)


def rate(successes: int, n: int) -> float:
    """Return successes / n, or nan when n is 0."""
    return successes / n if n else math.nan


def per1000(successes: int, n: int) -> tuple[float, float, float]:
    """Return (rate, low, high) per 1,000 with the Wilson 95% interval."""
    low, high = wilson(successes, n)
    return rate(successes, n) * 1000, low * 1000, high * 1000


STANDARD = (
    Column("n", "Applicants"), Column("flagged", "Flagged (rung 2+)"),
    Column("flag_rate", "Flag rate", "rate", ("flagged", "n")),
    Column("deferred", "Deferred or redirected"),
    Column("deferral_rate", "Deferral rate", "rate", ("deferred", "n")),
    Column("positive", "Confirmed (positive outcome)"),
)


def counts_table(name: str, title: str, frame: pd.DataFrame,
                 keys: tuple[tuple[str, str], ...], sort: str = "n") -> Table:
    """Return the standard breakdown table (applicants, flags, deferrals, confirmed) by keys."""
    cols = tuple(Column(k, label, "key") for k, label in keys) + STANDARD
    frame = frame.sort_values([sort] + [k for k, _ in keys], ascending=[False]
                              + [True] * len(keys), na_position="last")
    rows = []
    for r in frame.itertuples(index=False):
        d = r._asdict()
        rows.append(tuple(_key(d[k]) for k, _ in keys) + (
            int(d["n"]), int(d["flagged"]), rate(d["flagged"], d["n"]), int(d["deferred"]),
            rate(d["deferred"], d["n"]), int(d["positive"])))
    return Table(name, title, cols, tuple(rows))


def _key(value):
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "(not asked)"
    return value
