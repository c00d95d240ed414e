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
from fairlearn.metrics import MetricFrame, false_positive_rate, selection_rate
from sqlalchemy.engine import Connection

from ews import wilayah

from .model import K_MIN, Chart, Column, Params, Report, Table
from .query import NEGATIVE, POSITIVE, rows

SENSITIVE = ("sex", "age_band", "regency")
RATIO_RANGE = (0.8, 1.25)
BOOT_ROWS = 50_000  # bootstrap from at most this many rows (a random sample beyond)


def fairness(conn: Connection, params: Params, *, n_boot: int = 200) -> Report:
    """Return the fairness report of the period (reads the log)."""
    frame = rows(conn, params, ("sex", "age_band", "origin_kecamatan"))
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


def fairness_from(frame: pd.DataFrame, params: Params | None = None, *, n_boot: int = 200,
                  random_state: int = 0, sensitive: tuple[str, ...] = SENSITIVE) -> Report:
    """Return flag rate and false-positive rate by group, with ratios and warnings.

    Parameters
    ----------
    frame : one row per assessment: `flagged` (bool), `outcome` (label text or None) or
        `label` (1, 0, NaN), and the sensitive columns (`sex`, `age_band`, and `regency` or
        `origin_kecamatan`). NaN in a sensitive column is its own group "(unknown)".

    Returns
    -------
    Report with a `summary` table (overall rates) and one table per sensitive column.
    """
    frame = frame.copy()
    if "regency" in sensitive and "regency" not in frame:
        frame["regency"] = frame["origin_kecamatan"].map(_regency)
    y_label = frame["label"] if "label" in frame else labels(frame["outcome"])
    y_pred = frame["flagged"].astype(int)
    tables, notes = [], []
    labelled = y_label.notna()
    overall_flag = float(y_pred.mean()) if len(frame) else math.nan
    negatives = int((y_label == 0).sum())
    fp = int(((y_label == 0) & (y_pred == 1)).sum())
    tables.append(Table("summary", "Overall", (
        Column("n", "Applicants"), Column("flagged", "Flagged"),
        Column("flag_rate", "Flag rate", "rate", ("flagged", "n")),
        Column("negatives", "Legitimate travel confirmed"),
        Column("false_positives", "Flagged, later legitimate"),
        Column("fpr", "False-positive rate", "rate", ("false_positives", "negatives"))),
        ((len(frame), int(y_pred.sum()), overall_flag, negatives, fp,
          fp / negatives if negatives else math.nan),)))
    rng = np.random.RandomState(random_state)
    boot = frame if len(frame) <= BOOT_ROWS else frame.sample(BOOT_ROWS, random_state=rng)
    for col in sensitive:
        groups = frame[col].fillna("(unknown)").astype(str)
        flag = _metric(selection_rate, y_pred, y_pred, groups, boot.index, n_boot, random_state)
        neg = labelled
        fpr = _metric(false_positive_rate, y_label[neg].astype(int), y_pred[neg],
                      groups[neg], boot.index.intersection(frame.index[neg]), n_boot,
                      random_state) if neg.any() else {}
        rows_ = []
        for g in sorted(groups.unique()):
            in_g = groups == g
            n, flagged = int(in_g.sum()), int(y_pred[in_g].sum())
            g_neg = int((in_g & (y_label == 0)).sum())
            g_fp = int((in_g & (y_label == 0) & (y_pred == 1)).sum())
            rate_, ci = flag.get(g, (math.nan, (math.nan, math.nan)))
            ratio = rate_ / overall_flag if overall_flag else math.nan
            f_rate, f_ci = fpr.get(g, (math.nan, (math.nan, math.nan)))
            overall_fpr = fp / negatives if negatives else math.nan
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
    if not notes:
        notes.append("Every group with at least 11 people is within 0.8-1.25 of the overall "
                     "rate.")
    charts = tuple(Chart(f"Flag rate by {c.replace('_', ' ')}", f"by_{c}", c, ("flag_rate",))
                   for c in sensitive[:2])
    return Report("fairness", "Fairness (audit variables)", params, tuple(tables), charts,
                  tuple(notes))


def _metric(fn, y_true, y_pred, groups, boot_index, n_boot: int, seed: int) -> dict:
    """Return {group: (rate on all rows, (low, high) bootstrap 95% interval)}.

    Point estimates come from fairlearn's MetricFrame. The interval is the percentile
    bootstrap MetricFrame computes with `n_boot` (rows resampled with replacement, the metric
    per group, the 2.5% and 97.5% quantiles), done here with numpy in one pass for all
    resamples: MetricFrame's own loop builds a frame per resample, too slow at office scale.
    """
    full = MetricFrame(metrics=fn, y_true=y_true, y_pred=y_pred, sensitive_features=groups)
    out = {g: (float(v), (math.nan, math.nan)) for g, v in full.by_group.items()}
    idx = boot_index.intersection(y_true.index)
    if not n_boot or len(idx) < 2:
        return out
    codes, names = pd.factorize(groups[idx])
    yt, yp = y_true[idx].to_numpy(dtype=float), y_pred[idx].to_numpy(dtype=float)
    # selection_rate: mean of y_pred; false_positive_rate: mean of y_pred among y_true == 0
    num = yp if fn is selection_rate else yp * (yt == 0)
    den = np.ones_like(yp) if fn is selection_rate else (yt == 0).astype(float)
    rng = np.random.default_rng(seed)
    draws = rng.integers(0, len(idx), size=(n_boot, len(idx)))
    k = len(names)
    offset = (np.arange(n_boot)[:, None] * k + codes[draws]).ravel()
    nums = np.bincount(offset, weights=num[draws].ravel(), minlength=n_boot * k)
    dens = np.bincount(offset, weights=den[draws].ravel(), minlength=n_boot * k)
    with np.errstate(invalid="ignore", divide="ignore"):
        rates = (nums / dens).reshape(n_boot, k)
    for j, g in enumerate(names):
        col = rates[:, j][~np.isnan(rates[:, j])]
        if g in out and len(col):
            out[g] = (out[g][0], (float(np.quantile(col, 0.025)),
                                  float(np.quantile(col, 0.975))))
    return out
