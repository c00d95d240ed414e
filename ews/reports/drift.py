"""Drift on the outcomes report: population stability, month over month, of the score
distribution and of indicator hit rates (`ews.learn.drift` computes the PSI).

Read from the stored log by SQL aggregation (score counts per month, indicator hits per
month from the result's reasons), so it costs what a grouped report costs. No Flask.
"""

from __future__ import annotations

from dataclasses import replace

import pandas as pd
from sqlalchemy.engine import Connection

from ews.learn.drift import drift_from_counts

from .model import Column, Params, Report, Table
from .query import _bind, _where, key_sql

READING = ("PSI, each month against the one before: < 0.1 stable, 0.1-0.25 moderate "
           "(look at what changed), > 0.25 large (re-evaluate the rule set and any model "
           "before trusting them).")
COLUMNS = (Column("month", "Month", "key"), Column("n", "Applicants"),
           Column("score_psi", "Score distribution PSI", "ratio", ("n",)),
           Column("score_reading", "Reading", "text", ("n",)),
           Column("indicator", "Indicator that moved most", "text", ("n",)),
           Column("hits_psi", "Its hit-rate PSI", "ratio", ("n",)),
           Column("hits_reading", "Reading", "text", ("n",)))


def _counts(conn: Connection, params: Params) -> tuple[pd.DataFrame, pd.DataFrame]:
    month = key_sql(conn, "month")
    base = (" FROM assessments a{join} WHERE a.superseded_by IS NULL AND a.created_at >= "
            f":start AND a.created_at < :end{_where(params)}")
    scores = pd.DataFrame(conn.execute(_bind(
        f"SELECT {month} AS month, a.score AS score, COUNT(*) AS n"
        + base.format(join="") + " GROUP BY 1, 2", params)).mappings().all(),
        columns=["month", "score", "n"])
    if conn.dialect.name == "postgresql":
        join = (" CROSS JOIN LATERAL json_array_elements(CAST(a.result AS json) -> 'reasons')"
                " AS r(value)")
        indicator = "r.value ->> 'indicator'"
    else:
        join, indicator = ", json_each(a.result, '$.reasons') r", \
            "json_extract(r.value, '$.indicator')"
    hits = pd.DataFrame(conn.execute(_bind(
        f"SELECT {month} AS month, {indicator} AS indicator, COUNT(*) AS hits"
        + base.format(join=join) + " GROUP BY 1, 2", params)).mappings().all(),
        columns=["month", "indicator", "hits"])
    return scores, hits


def drift(conn: Connection, params: Params) -> tuple[Table, tuple[str, ...]]:
    """Return the drift table and its notes for the period (reads the log)."""
    return drift_from(*_counts(conn, params))


def drift_from(score_counts: pd.DataFrame, hit_counts: pd.DataFrame
               ) -> tuple[Table, tuple[str, ...]]:
    """Return the drift table (one row per month after the first) and its notes, from counts.

    `score_counts`: month, score, n; `hit_counts`: month, indicator, hits.
    """
    table = drift_from_counts(score_counts, hit_counts)
    rows = tuple((r["month"], int(r["rows"]), float(r["score_psi"]), r["reading"],
                  r["indicator"], float(r["hits_psi_max"]), r["hits_reading"])
                 for _, r in table.iterrows())
    notes = [READING]
    for month, _, score_psi, score_reading, indicator, hits_psi, hits_reading in rows:
        if score_reading != "stable":
            notes.append(f"{month}: the score distribution moved ({score_reading}, PSI "
                         f"{score_psi:.2f}).")
        if hits_reading != "stable":
            notes.append(f"{month}: the hit rate of {indicator} moved ({hits_reading}, PSI "
                         f"{hits_psi:.2f}).")
    if not rows:
        notes.append("Drift needs at least two calendar months in the period.")
    return Table("drift", "Drift month over month (population stability index)", COLUMNS,
                 rows), tuple(notes)


def with_drift(report: Report, table: Table, notes: tuple[str, ...]) -> Report:
    """Return the report with the drift table and notes appended."""
    return replace(report, tables=report.tables + (table,), notes=report.notes + notes)
