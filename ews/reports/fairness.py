"""`fairness`: flag rate and false-positive rate by sex, age band and regency of origin.

`fairness_from` is a pure function of a frame (the learning layer reuses it for a model's
flags): fairlearn's MetricFrame gives per-group rates, their ratio to the overall rate, and
bootstrap 95% intervals. A ratio outside 0.8-1.25 gets a plain warning. These are audit
variables: reported so that disparate impact is visible, never an input of a rule.
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
from sqlalchemy.engine import Connection

from ews import wilayah

from .model import K_MIN, Chart, Column, Params, Report, Table
from .query import _LATEST, NEGATIVE, POSITIVE, _bind, _in, _where

SENSITIVE = ("sex", "age_band", "regency")
RATIO_RANGE = (0.8, 1.25)
BOOT_ROWS = 50_000  # a bootstrap resample holds at most this many assessments


def fairness(conn: Connection, params: Params, *, n_boot: int = 200) -> Report:
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
    return fairness_from(frame, params, n_boot=n_boot)


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


def fairness_from(frame: pd.DataFrame, params: Params | None = None, *, n_boot: int = 200,
                  random_state: int = 0, sensitive: tuple[str, ...] = SENSITIVE) -> Report:
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
    tables, notes = [], []
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
        flag = _metric("selection_rate", y_pred, y_pred, groups, weight, n_boot,
                       random_state) if n_all else {}
        fpr = _metric("false_positive_rate", y_label[labelled].astype(int), y_pred[labelled],
                      groups[labelled], weight[labelled], n_boot,
                      random_state) if labelled.any() else {}
        sums = pd.DataFrame({"g": groups, "n": weight, "flagged": weight * y_pred,
                             "neg": weight * neg_rows,
                             "fp": weight * (neg_rows & (y_pred == 1))}).groupby("g").sum()
        rows_ = []
        for g, r in sums.sort_index().iterrows():
            n, flagged, g_neg, g_fp = int(r["n"]), int(r["flagged"]), int(r["neg"]), int(r["fp"])
            rate_, ci = flag.get(g, (math.nan, (math.nan, math.nan)))
            ratio = rate_ / overall_flag if overall_flag else math.nan
            f_rate, f_ci = fpr.get(g, (math.nan, (math.nan, math.nan)))
            f_ratio = f_rate / overall_fpr if overall_fpr else math.nan
            rows_.append((g, n, flagged, rate_, ci, ratio, g_neg, g_fp, f_rate, f_ci, f_ratio))
            for name, value, size in (("flag rate", ratio, n), ("false-positive rate",
                                                                 f_ratio, g_neg)):
                if size >= K_MIN and value == value and not (
                        RATIO_RANGE[0] <= value <= RATIO_RANGE[1]):
                    notes.append(f"{col} = {g}: {name} is {value:.2f} times the overall rate "
                                 f"(outside {RATIO_RANGE[0]}-{RATIO_RANGE[1]}).")
        tables.append(Table(f"by_{col}", f"By {col.replace('_', ' ')}", (
            Column(col, col.replace("_", " ").capitalize(), "key"), Column("n", "Applicants"),
            Column("flagged", "Flagged"),
            Column("flag_rate", "Flag rate", "rate", ("flagged", "n")),
            Column("flag_interval", "95% interval (bootstrap)", "interval", ("flagged", "n")),
            Column("flag_ratio", "Ratio to overall", "ratio", ("flagged", "n")),
            Column("negatives", "Legitimate travel confirmed"),
            Column("false_positives", "Flagged, later legitimate"),
            Column("fpr", "False-positive rate", "rate", ("false_positives", "negatives")),
            Column("fpr_interval", "95% interval (bootstrap)", "interval",
                   ("false_positives", "negatives")),
            Column("fpr_ratio", "Ratio to overall", "ratio", ("false_positives", "negatives"))),
            tuple(rows_)))
    if not n_all:
        notes.append("No interviews in this period.")
    elif not notes:
        notes.append("Every group with at least 11 people is within 0.8-1.25 of the overall "
                     "rate.")
    charts = tuple(Chart(f"Flag rate by {c.replace('_', ' ')}", f"by_{c}", c, ("flag_rate",))
                   for c in sensitive[:2])
    return Report("fairness", "Fairness (audit variables)", params, tuple(tables), charts,
                  tuple(notes))


def _metric(name: str, y_true, y_pred, groups, weight, n_boot: int, seed: int) -> dict:
    """Return {group: (rate on all rows, (low, high) bootstrap 95% interval)} of fairlearn's
    metric `name` (selection_rate or false_positive_rate).

    Rows are weighted (a row stands for `weight` assessments). Point estimates come from
    fairlearn's MetricFrame (sample weights). The interval is the percentile bootstrap
    MetricFrame computes with `n_boot` (assessments resampled with replacement, the metric
    per group, the 2.5% and 97.5% quantiles), done here with numpy in one pass for all
    resamples: a resample of min(assessments, BOOT_ROWS) assessments is a multinomial draw
    of the row weights. MetricFrame's own loop builds a frame per resample, too slow at
    office scale.
    """
    from fairlearn import metrics  # imported here: every CLI command would pay for sklearn

    full = metrics.MetricFrame(metrics=getattr(metrics, name), y_true=y_true, y_pred=y_pred,
                               sensitive_features=groups,
                               sample_params={"sample_weight": weight.to_numpy(dtype=float)})
    out = {g: (float(v), (math.nan, math.nan)) for g, v in full.by_group.items()}
    total = float(weight.sum())
    if not n_boot or total < 2:
        return out
    codes, names = pd.factorize(groups)
    yt, yp = y_true.to_numpy(dtype=float), y_pred.to_numpy(dtype=float)
    # selection_rate: mean of y_pred; false_positive_rate: mean of y_pred among y_true == 0
    num = yp if name == "selection_rate" else yp * (yt == 0)
    den = np.ones_like(yp) if name == "selection_rate" else (yt == 0).astype(float)
    rng = np.random.default_rng(seed)
    draws = rng.multinomial(int(min(total, BOOT_ROWS)),
                            weight.to_numpy(dtype=float) / total, size=n_boot)
    k = len(names)
    offset = (np.arange(n_boot)[:, None] * k + codes[None, :]).ravel()
    nums = np.bincount(offset, weights=(draws * num).ravel(), minlength=n_boot * k)
    dens = np.bincount(offset, weights=(draws * den).ravel(), minlength=n_boot * k)
    with np.errstate(invalid="ignore", divide="ignore"):
        rates = (nums / dens).reshape(n_boot, k)
    for j, g in enumerate(names):
        col = rates[:, j][~np.isnan(rates[:, j])]
        if g in out and len(col):
            out[g] = (out[g][0], (float(np.quantile(col, 0.025)),
                                  float(np.quantile(col, 0.975))))
    return out
