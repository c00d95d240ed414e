"""`overview`: volume, action mix by month, flag and deferral rates beside the base rates."""

from __future__ import annotations

import pandas as pd
from sqlalchemy.engine import Connection

from ews.engine.ruleset import LADDER

from .model import Chart, Column, Params, Report, Table
from .query import grouped
from .sdc import Margin, Quote, Sum
from .stats import rate

NATIONAL_DEFERRAL_RATE = 0.0005  # ~2,433 of ~4.8 million passports (Jan-Nov 2024)
OFFICE_DEFERRAL_RANGE = (0.003, 0.007)  # office-level rates reported in the press


def overview(conn: Connection, params: Params) -> Report:
    """Return the overview report of the period (reads the log)."""
    return overview_from(grouped(conn, params, ("month", "rung"), not_asked=True), params)


def overview_from(counts: pd.DataFrame, params: Params) -> Report:
    """Build the overview from counts by month and rung (columns of `query.grouped`)."""
    n, flagged, deferred = (int(counts[c].sum()) for c in ("n", "flagged", "deferred"))
    not_asked = float(counts["not_asked"].sum())
    summary = Table("summary", "Summary", (
        Column("n", "Interviews"), Column("flagged", "Flagged for supervisor review"),
        Column("flag_rate", "Flag rate", "rate", ("flagged", "n")),
        Column("deferred", "Deferred or redirected"),
        Column("deferral_rate", "Deferral rate", "rate", ("deferred", "n")),
        Column("national_rate", "National deferral rate (2024)", "rate"),
        Column("completeness", "Mean completeness", "rate", ("n",)),
        Column("not_asked_rate", "Not-asked rate", "rate", ("n",))),
        ((n, flagged, rate(flagged, n), deferred, rate(deferred, n), NATIONAL_DEFERRAL_RATE,
          1 - rate(not_asked, n), rate(not_asked, n)),))
    months = sorted(counts["month"].dropna().unique())
    by = {(m, int(r)): row for m, r, row in zip(counts["month"], counts["rung"],
                                                counts.itertuples(), strict=True)}
    cols = (Column("month", "Month", "key"), Column("n", "Interviews")) + tuple(
        Column(a, a.replace("_", " ").capitalize()) for a in LADDER) + (
        Column("flagged", "Flagged"), Column("flag_rate", "Flag rate", "rate", ("flagged", "n")),
        Column("deferred", "Deferred or redirected"),
        Column("deferral_rate", "Deferral rate", "rate", ("deferred", "n")))
    rows = []
    for m in months:
        mix = [int(by[m, r].n) if (m, r) in by else 0 for r in range(len(LADDER))]
        total = sum(mix)
        fl = sum(int(by[m, r].flagged) for r in range(len(LADDER)) if (m, r) in by)
        de = sum(int(by[m, r].deferred) for r in range(len(LADDER)) if (m, r) in by)
        rows.append((m, total, *mix, fl, rate(fl, total), de, rate(de, total)))
    monthly = Table("by_month", "Action mix by month", cols, tuple(rows))
    low, high = OFFICE_DEFERRAL_RANGE
    note = (f"Deferral rate {rate(deferred, n):.2%} against ~{NATIONAL_DEFERRAL_RATE:.2%} "
            f"nationally and {low:.1%}-{high:.1%} reported for single offices." if n else
            "No interviews in this period.")
    margins = (Sum("by_month", "n", LADDER), Sum("by_month", "flagged", LADDER[2:]),
               Margin("summary", "by_month", ("n", "flagged", "deferred")),
               Quote(note, "summary", ("n", "deferred")))
    return Report("overview", "Overview", params, (summary, monthly),
                  (Chart("Action mix by month", "by_month", "month", LADDER, "stacked"),),
                  (note,), margins=margins)
