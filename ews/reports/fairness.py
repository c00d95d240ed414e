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

from .model import K_MIN, Column, Params, Report, Table
from .query import NEGATIVE, POSITIVE, rows

SENSITIVE = ("sex", "age_band", "regency")
RATIO_RANGE = (0.8, 1.25)
BOOT_ROWS = 20_000  # bootstrap resamples at most this many rows (intervals stay honest)


def fairness(conn: Connection, params: Params, *, n_boot: int = 50) -> Report:
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


def fairness_from(frame: pd.DataFrame, params: Params | None = None, *, n_boot: int = 50,
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
    return Report("fairness", "Fairness (audit variables)", params, tuple(tables), (),
                  tuple(notes))


def _metric(fn, y_true, y_pred, groups, boot_index, n_boot: int, seed: int) -> dict:
    """Return {group: (rate on all rows, (low, high) bootstrap interval)}."""
    full = MetricFrame(metrics=fn, y_true=y_true, y_pred=y_pred, sensitive_features=groups)
    out = {g: (float(v), (math.nan, math.nan)) for g, v in full.by_group.items()}
    idx = boot_index.intersection(y_true.index)
    if n_boot and len(idx) > 1:
        sample = MetricFrame(metrics=fn, y_true=y_true[idx], y_pred=y_pred[idx],
                             sensitive_features=groups[idx], n_boot=n_boot,
                             ci_quantiles=[0.025, 0.975], random_state=seed)
        low, high = sample.by_group_ci
        for g in out:
            if g in low.index:
                out[g] = (out[g][0], (float(low[g]), float(high[g])))
    return out
