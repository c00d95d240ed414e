"""`outcomes` (confirmation per rung and indicator) and `officers` (flag and not-asked rates).

Labels: positive = confirmed_trafficking, confirmed_nonprocedural, intercepted_at_border;
negative = legitimate_travel_confirmed; no_information is unlabelled and only counted.
"""

from __future__ import annotations

import pandas as pd
from sqlalchemy import text
from sqlalchemy.engine import Connection

from ews.engine.ruleset import LADDER

from .drift import drift, with_drift
from .model import Chart, Column, Params, Report, Table
from .query import _LATEST, MEASURES, NEGATIVE, POSITIVE, _bind, _where, grouped
from .sdc import Margin, Sum
from .stats import rate, wilson

PRECISION = (Column("labelled", "Labelled (support)"), Column("positive", "Confirmed"),
             Column("negative", "Legitimate travel"),
             Column("precision", "Confirmation rate", "rate", ("positive", "labelled")),
             Column("interval", "95% interval", "interval", ("positive", "labelled")),
             Column("no_information", "No information"))


def _precision(pos: int, neg: int, unknown: int) -> tuple:
    return (pos + neg, pos, neg, rate(pos, pos + neg), wilson(pos, pos + neg), unknown)


def outcomes(conn: Connection, params: Params) -> Report:
    """Return the outcomes report of the period (reads the log)."""
    sql = (f"SELECT a.rung AS rung, a.indicators AS indicators, o.outcome AS outcome"
           f"{_LATEST}{_where(params)} AND o.id IS NOT NULL")
    frame = pd.DataFrame(conn.execute(_bind(sql, params)).all(),
                         columns=["rung", "indicators", "outcome"])
    frame["indicators"] = [tuple(v.split(",")) if isinstance(v, str) and v else ()
                           for v in frame["indicators"]]
    return with_drift(outcomes_from(frame, params), *drift(conn, params))


def outcomes_from(frame: pd.DataFrame, params: Params) -> Report:
    """Build the report from one row per assessment with an outcome: rung, indicators, outcome."""
    pos = frame["outcome"].isin(POSITIVE)
    neg = frame["outcome"].isin(NEGATIVE)
    unk = frame["outcome"] == "no_information"
    rung_rows = []
    for r, action in enumerate(LADDER):
        m = frame["rung"] == r
        rung_rows.append((r, action, *_precision(int((m & pos).sum()), int((m & neg).sum()),
                                                 int((m & unk).sum()))))
    exploded = frame.explode("indicators").dropna(subset=["indicators"])
    ind_rows = []
    for ind, sub in exploded.groupby("indicators"):
        p, n = int(sub["outcome"].isin(POSITIVE).sum()), int(sub["outcome"].isin(NEGATIVE).sum())
        ind_rows.append((ind, *_precision(p, n, int((sub["outcome"] == "no_information")
                                                    .sum()))))
    ind_rows.sort(key=lambda row: (-row[1], row[0]))
    summary = Table("summary", "Outcomes recorded", (
        Column("outcomes", "Outcomes"), *PRECISION),
        ((len(frame), *_precision(int(pos.sum()), int(neg.sum()), int(unk.sum()))),))
    return Report("outcomes", "Outcomes and confirmation rates", params, (
        summary,
        Table("by_rung", "By recommended action", (Column("rung", "Rung", "key"),
                                                   Column("action", "Action", "key"),
                                                   *PRECISION), tuple(rung_rows)),
        Table("by_indicator", "By indicator that fired", (Column("indicator", "Indicator",
                                                                 "key"), *PRECISION),
              tuple(ind_rows))),
        (Chart("Confirmation rate by rung", "by_rung", "action", ("precision",)),),
        ("Positive: confirmed trafficking, confirmed non-procedural, intercepted at the "
         "border; negative: legitimate travel confirmed; no information is not a label.",),
        margins=(*(Sum(t, "labelled", ("positive", "negative"))
                   for t in ("summary", "by_rung", "by_indicator")),
                 Sum("summary", "outcomes", ("labelled", "no_information"), partial=True),
                 Margin("summary", "by_rung", ("labelled", "positive", "negative",
                                               "no_information"))))


def officers(conn: Connection, params: Params) -> Report:
    """Return flag and not-asked rates by officer and by hour of day (supervisors, admin)."""
    # One scan of the facts, no decision or outcome needed.
    both = grouped(conn, params, ("officer_id", "hour"), not_asked=True, labels=False)
    by_officer = both.groupby("officer_id", as_index=False, dropna=False)[list(MEASURES)].sum()
    names = dict(conn.execute(text("SELECT id, username FROM users")).all())
    by_officer["officer"] = by_officer["officer_id"].map(lambda i: names.get(i, f"#{i}"))
    by_hour = both.groupby("hour", as_index=False)[list(MEASURES)].sum()
    return officers_from(by_officer, by_hour, params)


def officers_from(by_officer: pd.DataFrame, by_hour: pd.DataFrame, params: Params) -> Report:
    """Build the report from counts by `officer` and by local `hour` (with not_asked sums)."""
    def table(name: str, title: str, frame: pd.DataFrame, key: str, label: str) -> Table:
        rows = tuple((_key(r[key]), int(r["n"]), int(r["flagged"]),
                      rate(r["flagged"], r["n"]), rate(r["not_asked"], r["n"]))
                     for _, r in frame.sort_values(key).iterrows())
        return Table(name, title, (Column(key, label, "key"), Column("n", "Interviews"),
                                   Column("flagged", "Flagged"),
                                   Column("flag_rate", "Flag rate", "rate", ("flagged", "n")),
                                   Column("not_asked_rate", "Not-asked rate", "rate", ("n",))),
                     rows)
    return Report("officers", "Officers and hours of the day", params, (
        table("summary", "By officer", by_officer, "officer", "Officer"),
        table("by_hour", "By hour of day (office's local time)", by_hour, "hour", "Hour")),
        (Chart("Not-asked rate by hour of day", "by_hour", "hour", ("not_asked_rate",),
               "line"),),
        ("A rising not-asked rate late in the day is the fatigue signal of the strategic "
         "plan; it is about workload, not about any officer's worth.",),
        margins=(Margin("summary", "by_hour", ("n", "flagged")),))


def _key(value):
    return int(value) if isinstance(value, float) else value
