"""The Markdown justification of a learned draft (the computation is in `propose`)."""

from __future__ import annotations

import numpy as np
import pandas as pd

from ews.weighting import Figure

from .weights import Suggestion

INDICATOR_HEAD = ("| Indicator | Track | Old | Suggested | Stable (95%) | Fired | Support | "
                  "Positives | Confirmed share (95% CI) | Lift (95% CI) | Note |")


def _estimate(value, low, high) -> str:
    return "-" if np.isnan(value) else f"{value:.2f} ({low:.2f}-{high:.2f})"


def _fig(f: Figure) -> str:
    if f.estimate is None:
        return "- (0 labels)"
    return f"{f.estimate:.2f} ({f.low:.2f}-{f.high:.2f}; {f.labels} labels)"


def _period(frame: pd.DataFrame) -> str:
    stamps = pd.to_datetime(frame["interviewed_at"], utc=True)
    return f"{stamps.min():%Y-%m-%d} to {stamps.max():%Y-%m-%d} ({len(frame):,} interviews)"


def justification(table: pd.DataFrame, suggestion: Suggestion, figures: dict,
                  warnings: list[str], refusals: list[str], *, train: pd.DataFrame,
                  test: pd.DataFrame, budget: float, cut: int | None, version: str) -> str:
    """Return the Markdown that justifies (or refuses) a draft."""
    out = [f"# Suggested weights: draft {version}", ""]
    if refusals:
        out += ["## Refused", "", "The checks refuse this draft; `--force` writes it with "
                "these reasons kept here and at the top of the YAML:", ""]
        out += [f"- {r}" for r in refusals] + [""]
    out += [f"Fitted on {_period(train)}: {suggestion.labelled} labelled rows "
            f"({suggestion.positives} positive); unlabelled rows (no_information, no outcome) "
            "are left out of the fit and count only in 'Fired'.",
            f"Reported on the later months only: {_period(test)}.", "",
            "Nothing is applied: the draft goes to review and backtest.", "",
            f"Alert budget: rung >= supervisor_review for at most {budget:.2%} of applicants "
            "(default: the live set's observed share over the window); suggested supervisor "
            f"threshold: {cut}.", ""]
    if figures:
        live_alerts, draft_alerts, rows = figures["alerts"]
        out += [f"Later months: live set {live_alerts:,} alerts, draft {draft_alerts:,}, "
                f"of {rows:,} interviews.", "",
                "Per track, weighted by how each label arose (docs/learning.md); "
                "naive = every label counted once:", "",
                "| Track | At | Version | Precision | Recall | Naive precision | Naive recall |",
                "|---|---|---|---|---|---|---|"]
        for name in ("live", "draft"):
            for track, t in figures[name].items():
                out.append(f"| {track} | {t.action} | {name} | {_fig(t.precision)} | "
                           f"{_fig(t.recall)} | {_fig(t.naive_precision)} | "
                           f"{_fig(t.naive_recall)} |")
        out.append("")
    if warnings:
        out += ["## Warnings", ""] + [f"- {w}" for w in warnings] + [""]
    scales = ", ".join(f"{track} {v:.1f}" for track, v in suggestion.scale.items())
    out += [f"Scale (points per unit of log-odds, each track its own): {scales}. "
            "'Stable' is the 95% "
            "range of the suggested points over bootstrap refits of the labelled rows.", "",
            INDICATOR_HEAD, "|---|---|---:|---:|---|---:|---:|---:|---|---|---|"]
    for ind, r in table.iterrows():
        out.append(f"| {ind} | {r.track} | {r.old} | {r.suggested} | "
                   f"{r.stable_low}-{r.stable_high} | {r.fired} | {r.support} | {r.positives} "
                   f"| {_estimate(r.share, r.share_low, r.share_high)} | "
                   f"{_estimate(r.lift, r.lift_low, r.lift_high)} | {r.note} |")
    return "\n".join(out) + "\n"
