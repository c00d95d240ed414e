"""Model figures that say what they rest on: weighted per-track figures, perfect-figure and
training-overlap warnings, and the card's lines about them (docs/learning.md)."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd

from ews.engine import REVIEW_RUNG, RuleSet
from ews.weighting import cells_of, track_figures

CONDITIONAL = ("Probabilities and precision are conditional on an outcome being recorded: "
               "they describe the interviews that were followed up, not all applicants. "
               "The weighted figures correct for who was followed up (docs/learning.md).")


def weighted_alerts(frame: pd.DataFrame, live: RuleSet, alerts: dict[str, np.ndarray]
                    ) -> tuple[dict, list[str]]:
    """Return per-track weighted precision and recall of each named alert mask, and notes.

    Returns ({name: {track: {"precision": {...}, "recall": {...}}}}, warnings): figures as
    `{estimate, low, high, labels}`; strata are the stored rungs of `frame`.
    """
    from .propose import stored_rungs

    stored = stored_rungs(frame, live)
    out, notes = {}, []
    for name, alert in alerts.items():
        cells = cells_of(stored=stored, outcomes=frame["outcome"],
                         rungs=np.where(alert, REVIEW_RUNG, 0),
                         origins=frame.get("label_origin"),
                         probabilities=frame.get("sample_probability"))
        tracks, notes = track_figures(cells)
        out[name] = {t: {"precision": vars(f.rungs[REVIEW_RUNG - 1].precision),
                         "recall": vars(f.rungs[REVIEW_RUNG - 1].recall)}
                     for t, f in tracks.items()}
    for name, tracks in out.items():
        for track, figs in tracks.items():
            thin = [k for k, f in figs.items() if f["labels"] < 30]
            if thin:
                notes.append(f"{name} {track}: {' and '.join(thin)} rest on fewer than 30 "
                             "labels")
    return out, list(dict.fromkeys(notes))


def perfect_figures(ev) -> list[str]:
    """Return a warning for every figure of an evaluation that is exactly 0 or 1 where it
    should not be: PR-AUC, precision or recall of 1.00."""
    out = []
    for name, value in (("model PR-AUC", ev.pr_auc), ("rule set PR-AUC", ev.rules_pr_auc),
                        ("model precision", ev.model.precision),
                        ("model recall", ev.model.recall),
                        ("rule set precision", ev.rules.precision),
                        ("rule set recall", ev.rules.recall)):
        if not math.isnan(value) and value >= 0.9995:
            out.append(f"{name} is {value:.2f}: a perfect figure on {ev.labelled} labels "
                       "means the labels follow the rules' own choices (only flagged cases "
                       "get an outcome), not that nothing is missed")
    return out


def training_overlap(frame: pd.DataFrame, window: dict) -> int:
    """Return how many rows of `frame` fall in the model's training period (inclusive)."""
    if not window.get("train_from") or not window.get("train_to"):
        return 0
    days = pd.to_datetime(frame["interviewed_at"], utc=True).dt.strftime("%Y-%m-%d")
    return int(((days >= window["train_from"]) & (days <= window["train_to"])).sum())


def _share(part: int, whole: int) -> str:
    return f"{part / whole:.0%}" if whole else "-"


def card_lines(ev: dict) -> list[str]:
    """Return the card's lines on what the figures rest on (manifest evaluation dict)."""
    model = ev.get("model") or {}
    alerts = model.get("alerts") or 0
    lines = ["## What these figures rest on", "", CONDITIONAL, ""]
    if "confirmed" in model:
        lines += [f"Of the {alerts} applicants in the top {model['budget']:.1%} by the model, "
                  f"{model['confirmed']} ({_share(model['confirmed'], alerts)}) were confirmed "
                  f"and {model['with_outcome']} ({_share(model['with_outcome'], alerts)}) had "
                  "any outcome recorded.", ""]
    tracks = ev.get("tracks") or {}
    if tracks:
        lines += ["| Alerts | Track | Weighted precision | Weighted recall |",
                  "|---|---|---|---|"]
        for name, per in tracks.items():
            for track, f in per.items():
                lines.append(f"| {name} | {track} | {_fig(f['precision'])} | "
                             f"{_fig(f['recall'])} |")
        lines.append("")
    lines += [f"- {w}" for w in ev.get("warnings") or []]
    return lines + [""]


def _fig(f: dict) -> str:
    if f.get("estimate") is None:
        return "- (0 labels)"
    return f"{f['estimate']:.2f} ({f['low']:.2f}-{f['high']:.2f}; {f['labels']} labels)"
