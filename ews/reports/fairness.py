"""`fairness`: flag rate and false-positive rate by sex, age band and regency of origin.

`fairness_from` is a pure function of a frame (the learning layer reuses it for a model's
flags): fairlearn's MetricFrame gives per-group rates, their ratio to the overall rate, and
exact (Clopper-Pearson) 95% intervals from the group's counts - no resampling, no row cap,
and 0 of n gets a real upper bound. A disparity warning needs a ratio outside 0.8-1.25, an
interval that excludes the overall rate, and at least 11 people and 11 events in the group:
no warning ever speaks of a cell the suppressed table hides. These are audit variables:
reported so that disparate impact is visible, never an input of a rule. Regency is the
NIK's (from `origin_kecamatan`) everywhere, in this report and on a model's card.
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
from sqlalchemy.engine import Connection

from ews import wilayah
from ews.weighting import clopper_pearson

from .model import K_MIN, Chart, Column, Params, Report, Table
from .query import _LATEST, NEGATIVE, POSITIVE, _bind, _in, _where
from .sdc import Margin, Quote

SENSITIVE = ("sex", "age_band", "regency")
RATIO_RANGE = (0.8, 1.25)
ALL_CLEAR = ("No group of 11 or more people and 11 or more events is outside 0.8-1.25 of the "
             "overall rate with a 95% interval that excludes it.")


def fairness(conn: Connection, params: Params) -> Report:
    """Return the fairness report of the period (reads the log, counted in SQL)."""
    label = (f"CASE WHEN o.outcome IN {_in(POSITIVE)} THEN 1 "
             f"WHEN o.outcome IN {_in(NEGATIVE)} THEN 0 END")
    sql = (f"SELECT a.sex AS sex, a.age_band AS age_band, "
           f"a.origin_kecamatan AS origin_kecamatan, a.flagged AS flagged, {label} AS label, "
           f"COUNT(*) AS weight{_LATEST}{_where(params)} GROUP BY 1, 2, 3, 4, 5")
    frame = pd.DataFrame(conn.execute(_bind(sql, params)).all(),
                         columns=["sex", "age_band", "origin_kecamatan", "flagged", "label",
                                  "weight"])
    frame["label"] = frame["label"].astype(float)
    return fairness_from(frame, params)


def labels(outcome: pd.Series) -> pd.Series:
    """Return 1 for a positive outcome, 0 for legitimate travel, NaN when unlabelled."""
    out = pd.Series(np.nan, index=outcome.index)
    out[outcome.isin(POSITIVE)] = 1.0
    out[outcome.isin(NEGATIVE)] = 0.0
    return out


def _regency(code) -> str:
    if not isinstance(code, str) or not code:
        return "(unknown)"
    return wilayah.name(wilayah.regency_of(code)) or code[:4]


def _compact(frame: pd.DataFrame, sensitive: tuple[str, ...]) -> pd.DataFrame:
    """Return the frame as weights per (sensitive groups, flagged, label)."""
    if "regency" in sensitive and "regency" not in frame:
        frame = frame.assign(regency=frame["origin_kecamatan"].map(_regency))
    y_label = frame["label"].astype(float) if "label" in frame else labels(frame["outcome"])
    out = pd.DataFrame({c: frame[c].astype(object).where(frame[c].notna(), "(unknown)")
                        .astype(str) for c in sensitive})
    out = out.assign(flagged=frame["flagged"].astype(bool).astype(int).to_numpy(),
                     label=y_label.to_numpy(),
                     weight=frame["weight"].to_numpy(dtype=float) if "weight" in frame
                     else 1.0)
    keys = list(sensitive) + ["flagged", "label"]
    return out.groupby(keys, dropna=False, as_index=False, sort=False)["weight"].sum()


def fairness_from(frame: pd.DataFrame, params: Params | None = None, *,
                  sensitive: tuple[str, ...] = SENSITIVE) -> Report:
    """Return flag rate and false-positive rate by group, with ratios and warnings.

    Parameters
    ----------
    frame : one row per assessment: `flagged` (bool), `outcome` (label text or None) or
        `label` (1, 0, NaN), and the sensitive columns (`sex`, `age_band`, and `regency` or
        `origin_kecamatan`). NaN in a sensitive column is its own group "(unknown)". An
        optional `weight` column makes a row stand for that many assessments (the report
        reads counts grouped in SQL).

    Returns
    -------
    Report with a `summary` table (overall rates) and one table per sensitive column.
    """
    w = _compact(frame, sensitive)
    weight, y_pred, y_label = w["weight"], w["flagged"], w["label"]
    tables, notes, margins = [], [], []
    n_all, flagged_all = int(weight.sum()), int((weight * y_pred).sum())
    overall_flag = flagged_all / n_all if n_all else math.nan
    neg_rows = y_label == 0
    negatives = int(weight[neg_rows].sum())
    fp = int(weight[neg_rows & (y_pred == 1)].sum())
    overall_fpr = fp / negatives if negatives else math.nan
    tables.append(Table("summary", "Overall", (
        Column("n", "Applicants"), Column("flagged", "Flagged"),
        Column("flag_rate", "Flag rate", "rate", ("flagged", "n")),
        Column("negatives", "Legitimate travel confirmed"),
        Column("false_positives", "Flagged, later legitimate"),
        Column("fpr", "False-positive rate", "rate", ("false_positives", "negatives"))),
        ((n_all, flagged_all, overall_flag, negatives, fp, overall_fpr),)))
    labelled = y_label.notna()
    for col in sensitive:
        groups = w[col]
        flag = _metric("selection_rate", y_pred, y_pred, groups, weight) if n_all else {}
        fpr = _metric("false_positive_rate", y_label[labelled].astype(int), y_pred[labelled],
                      groups[labelled], weight[labelled]) if labelled.any() else {}
        sums = pd.DataFrame({"g": groups, "n": weight, "flagged": weight * y_pred,
                             "neg": weight * neg_rows,
                             "fp": weight * (neg_rows & (y_pred == 1))}).groupby("g").sum()
        rows_ = []
        for g, r in sums.sort_index().iterrows():
            n, flagged, g_neg, g_fp = int(r["n"]), int(r["flagged"]), int(r["neg"]), int(r["fp"])
            rate_ = flag.get(g, math.nan)
            ci = clopper_pearson(flagged, n)
            ratio = rate_ / overall_flag if overall_flag else math.nan
            f_rate = fpr.get(g, math.nan)
            f_ci = clopper_pearson(g_fp, g_neg)
            f_ratio = f_rate / overall_fpr if overall_fpr else math.nan
            rows_.append((g, n, flagged, rate_, ci, ratio, g_neg, g_fp, f_rate, f_ci, f_ratio))
            for name, value, size, events, interval, overall, cells in (
                    ("flag rate", ratio, n, flagged, ci, overall_flag, ("n", "flagged")),
                    ("false-positive rate", f_ratio, g_neg, g_fp, f_ci, overall_fpr,
                     ("negatives", "false_positives"))):
                if disparity(value, size, events, interval, overall):
                    notes.append(f"{col} = {g}: {name} is {value:.2f} times the overall rate "
                                 f"(outside {RATIO_RANGE[0]}-{RATIO_RANGE[1]}).")
                    margins.append(Quote(notes[-1], f"by_{col}", cells, len(rows_) - 1))
        margins.append(Margin("summary", f"by_{col}",
                              ("n", "flagged", "negatives", "false_positives")))
        tables.append(Table(f"by_{col}", f"By {col.replace('_', ' ')}", (
            Column(col, col.replace("_", " ").capitalize(), "key"), Column("n", "Applicants"),
            Column("flagged", "Flagged"),
            Column("flag_rate", "Flag rate", "rate", ("flagged", "n")),
            Column("flag_interval", "95% interval (exact)", "interval", ("flagged", "n")),
            Column("flag_ratio", "Ratio to overall", "ratio", ("flagged", "n")),
            Column("negatives", "Legitimate travel confirmed"),
            Column("false_positives", "Flagged, later legitimate"),
            Column("fpr", "False-positive rate", "rate", ("false_positives", "negatives")),
            Column("fpr_interval", "95% interval (exact)", "interval",
                   ("false_positives", "negatives")),
            Column("fpr_ratio", "Ratio to overall", "ratio", ("false_positives", "negatives"))),
            tuple(rows_)))
    if not n_all:
        notes.append("No interviews in this period.")
    elif not notes:
        notes.append(ALL_CLEAR)
    charts = tuple(Chart(f"Flag rate by {c.replace('_', ' ')}", f"by_{c}", c, ("flag_rate",))
                   for c in sensitive[:2])
    return Report("fairness", "Fairness (audit variables)", params, tuple(tables), charts,
                  tuple(notes), margins=tuple(margins))


def disparity(ratio: float, size: int, events: int, interval: tuple, overall: float) -> bool:
    """Return whether a group's rate is a disparity worth a warning.

    Only where the ratio leaves 0.8-1.25, the 95% interval excludes the overall rate
    (parity), and the group holds at least K_MIN people and K_MIN events - so a warning
    never reveals a count the suppressed table shows as "<11".
    """
    low, high = interval
    return (size >= K_MIN and events >= K_MIN and ratio == ratio
            and not RATIO_RANGE[0] <= ratio <= RATIO_RANGE[1]
            and not low <= overall <= high)


def _metric(name: str, y_true, y_pred, groups, weight) -> dict:
    """Return {group: rate} of fairlearn's metric `name` (selection_rate or
    false_positive_rate), rows weighted (a row stands for `weight` assessments)."""
    from fairlearn import metrics  # imported here: every CLI command would pay for sklearn

    full = metrics.MetricFrame(metrics=getattr(metrics, name), y_true=y_true, y_pred=y_pred,
                               sensitive_features=groups,
                               sample_params={"sample_weight": weight.to_numpy(dtype=float)})
    return {g: float(v) for g, v in full.by_group.items()}
