"""Drift on the outcomes report: population stability of the score distribution and of
indicator hit rates, each month against the quarter before it (`psi.py` computes the PSI;
months or references under 200 applicants read "too few").

Read from the report facts by SQL aggregation (score counts per month, counts of each set of
indicators that fired per month, split into hits per indicator here), so it costs what a
grouped report costs. No Flask.
"""

from __future__ import annotations

from dataclasses import replace

import pandas as pd
from sqlalchemy.engine import Connection

from .model import Column, Params, Report, Table
from .psi import TOO_FEW, drift_from_counts, reference_months
from .query import _bind, _where, key_sql
from .sdc import Linear

READING = ("PSI, each month against the quarter before it: < 0.1 stable, 0.1-0.25 moderate "
           "(look at what changed), > 0.25 large (re-evaluate the rule set and any model "
           "before trusting them); under 200 applicants in the month or the quarter: too few.")
COLUMNS = (Column("month", "Month", "key"), Column("n", "Applicants"),
           Column("reference", "Compared with", "text"),
           Column("reference_n", "Applicants then"),
           Column("score_psi", "Score distribution PSI", "ratio", ("n",)),
           Column("score_reading", "Reading", "text", ("n",)),
           Column("indicator", "Indicator that moved most", "text", ("n",)),
           Column("hits_psi", "Its hit-rate PSI", "ratio", ("n",)),
           Column("hits_reading", "Reading", "text", ("n",)))


def _counts(conn: Connection, params: Params) -> tuple[pd.DataFrame, pd.DataFrame]:
    base = f" FROM assessment_facts a WHERE a.latest AND {_where(params)}"
    month = key_sql("month", params.by)
    scores = pd.DataFrame(conn.execute(_bind(
        f"SELECT {month} AS month, a.score AS score, COUNT(*) AS n" + base + " GROUP BY 1, 2",
        params)).all(), columns=["month", "score", "n"])
    # Indicator sets per month (few distinct sets), split into hits per indicator here.
    sets = pd.DataFrame(conn.execute(_bind(
        f"SELECT {month} AS month, a.indicators AS indicators, COUNT(*) AS hits" + base
        + " AND a.indicators IS NOT NULL GROUP BY 1, 2", params)).all(),
        columns=["month", "indicators", "hits"])
    sets["indicator"] = sets["indicators"].str.split(",")
    hits = (sets.explode("indicator").groupby(["month", "indicator"], as_index=False)["hits"]
            .sum() if len(sets) else pd.DataFrame(columns=["month", "indicator", "hits"]))
    return scores, hits[["month", "indicator", "hits"]]


def drift(conn: Connection, params: Params) -> tuple[Table, tuple[str, ...]]:
    """Return the drift table and its notes for the period (reads the log)."""
    return drift_from(*_counts(conn, params))


def drift_from(score_counts: pd.DataFrame, hit_counts: pd.DataFrame
               ) -> tuple[Table, tuple[str, ...]]:
    """Return the drift table (one row per month with a reference quarter) and its notes.

    `score_counts`: month, score, n; `hit_counts`: month, indicator, hits.
    """
    table = drift_from_counts(score_counts, hit_counts)
    rows = tuple((r["month"], int(r["rows"]), r["reference"], int(r["reference_rows"]),
                  float(r["score_psi"]), r["reading"], r["indicator"],
                  float(r["hits_psi_max"]), r["hits_reading"])
                 for _, r in table.iterrows())
    notes = [READING]
    for month, _, _, _, score_psi, score_reading, indicator, hits_psi, hits_reading in rows:
        if score_reading not in ("stable", TOO_FEW):
            notes.append(f"{month}: the score distribution moved ({score_reading}, PSI "
                         f"{score_psi:.2f}).")
        if hits_reading not in ("stable", TOO_FEW):
            notes.append(f"{month}: the hit rate of {indicator} moved ({hits_reading}, PSI "
                         f"{hits_psi:.2f}).")
    if not rows:
        notes.append("Drift needs at least two calendar months in the period.")
    return Table("drift", "Drift against the quarter before (population stability index)",
                 COLUMNS, rows), tuple(notes)


def with_drift(report: Report, table: Table, notes: tuple[str, ...]) -> Report:
    """Return the report with the drift table and notes appended (and its relation: each
    month's reference count is the sum of the months of its quarter shown above it)."""
    row_of = {month: i for i, month in enumerate(table.column("month"))}
    margins = tuple(Linear(((table.name, i, "reference_n", 1), *(
        (table.name, row_of[m], "n", -1) for m in reference_months(month) if m in row_of)),
        partial=True)  # the first months of the period are references, not rows
        for i, month in enumerate(table.column("month")))
    return replace(report, tables=report.tables + (table,), notes=report.notes + notes,
                   margins=report.margins + margins)
