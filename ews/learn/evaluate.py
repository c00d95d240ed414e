"""Evaluation of a classifier on the later period, against the rule set on the same rows.

Metrics are computed on labelled rows; the alert budget is a share of all applicants (the
capacity of supervisors), so the cut is placed on all rows of the period. A
positive-unlabelled sensitivity check recomputes PR-AUC with unlabelled rows counted as
negatives (a pessimistic bound). Fairness uses the reports' `fairness_from` (fairlearn
MetricFrame, bootstrap intervals, the 0.8-1.25 warning), suppressed like an export.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field, replace

import numpy as np
import pandas as pd
from sklearn.calibration import calibration_curve
from sklearn.metrics import average_precision_score

from ews.engine import REVIEW_RUNG, RuleSet
from ews.reports.fairness import fairness_from
from ews.reports.sdc import suppress
from ews.scoring import score_frame

from .honest import perfect_figures, weighted_alerts
from .labels import LabelError, labels

AUDIT_GROUPS = ("sex", "age_band", "regency")


@dataclass(frozen=True)
class AtBudget:
    """Alerts at a fixed capacity: the top `budget` share of applicants by risk."""

    budget: float
    alerts: int
    precision: float  # among the alerted rows with a label (conditional on an outcome)
    recall: float
    confirmed: int = 0  # confirmed among ALL alerted rows
    with_outcome: int = 0  # alerted rows with any outcome recorded (no_information too)


@dataclass(frozen=True)
class Evaluation:
    """How a model and the rule set alone did on the same later-period rows."""

    rows: int
    labelled: int
    positives: int
    pr_auc: float
    rules_pr_auc: float
    model: AtBudget
    rules: AtBudget
    rules_alerts: AtBudget  # the rule set's own rung >= supervisor_review alerts
    calibration: dict  # {"predicted": [...], "observed": [...]}
    fairness: dict = field(default_factory=dict)  # {"tables": {attribute: rows}, "notes"}
    unlabelled: int = 0
    # positive-unlabelled sensitivity: PR-AUC with every unlabelled row counted as negative
    pu_pr_auc: float = float("nan")
    pu_rules_pr_auc: float = float("nan")
    # per track, weighted by how labels arose (ews.weighting): {"model"|"rules": {track: ...}}
    tracks: dict = field(default_factory=dict)
    warnings: list = field(default_factory=list)

    def as_dict(self) -> dict:
        """Return a JSON-ready dict (manifest, card)."""
        return asdict(self)


def _at(alert: np.ndarray, y: np.ndarray, lab: np.ndarray, budget: float,
        known: np.ndarray | None = None) -> AtBudget:
    yl, al = y[lab] == 1, alert[lab]
    precision = float(yl[al].mean()) if al.any() else float("nan")
    recall = float(al[yl].mean()) if yl.any() else float("nan")
    known = lab if known is None else known
    return AtBudget(budget, int(alert.sum()), precision, recall,
                    confirmed=int((alert & (y == 1)).sum()),
                    with_outcome=int((alert & known).sum()))


def top_share(risk: np.ndarray, budget: float) -> np.ndarray:
    """Return a mask of the `budget` share of rows with the highest risk (stable ties)."""
    k = int(np.floor(budget * len(risk)))
    mask = np.zeros(len(risk), dtype=bool)
    if k:
        mask[np.argsort(-risk, kind="stable")[:k]] = True
    return mask


def rule_risk(frame: pd.DataFrame, ruleset: RuleSet) -> tuple[np.ndarray, np.ndarray]:
    """Return the rule set's ranking key (rung, then score) and its rungs, per row."""
    scored = score_frame(frame, ruleset)
    rung = scored["rung"].to_numpy()
    return rung * 1000.0 + scored["score"].to_numpy(), rung


def fairness(frame: pd.DataFrame, alert: np.ndarray, y: np.ndarray,
             groups: tuple[str, ...] = AUDIT_GROUPS) -> dict:
    """Return the reports' fairness tables of the alerts, by sex, age band and regency.

    Audit variables are read here only to report disparities; they are never features.
    Regency is the NIK's (`origin_kecamatan`), as in the fairness report. Groups under 11
    applicants are suppressed, as in any report that leaves the office.
    """
    audit = pd.DataFrame({"flagged": np.asarray(alert, bool), "label": y}, index=frame.index)
    present = []
    for name in groups:
        source = "origin_kecamatan" if name == "regency" else name
        if source in frame:
            audit[source] = frame[source].astype(object).to_numpy()
            present.append(name)
    if not present:
        return {"tables": {}, "notes": []}
    report = suppress(fairness_from(audit.reset_index(drop=True), None,
                                    sensitive=tuple(present)))
    return {"tables": {t.name.removeprefix("by_"): t.records() for t in report.tables
                       if t.name != "summary"},
            "notes": list(report.notes)}


def evaluate(model, frame: pd.DataFrame, ruleset: RuleSet, *, budget: float = 0.05,
             bins: int = 10) -> Evaluation:
    """Evaluate `model` on `frame` (the later period), next to the rule set alone.

    Parameters
    ----------
    model : a fitted `ChecklistClassifier` (anything with `predict_proba`).
    frame : checklist columns plus `outcome`; audit columns for the fairness tables.
    ruleset : the live rule set, scored on the same rows.

    Returns
    -------
    Evaluation. Raises LabelError when the period has no rows, or no positive and negative
    labels.
    """
    if frame.empty:
        raise LabelError("the evaluation period holds no assessments")
    y = labels(frame["outcome"]).to_numpy()
    lab = ~np.isnan(y)
    positives = int(np.nansum(y))
    if not lab.any():
        raise LabelError("the evaluation period has no labelled outcomes (only no_information "
                         "or none); record outcomes first")
    if positives == 0 or positives == lab.sum():
        raise LabelError("the evaluation period needs both positive and negative outcomes; "
                         f"it has {positives} positive of {int(lab.sum())} labelled")
    p = model.predict_proba(frame)[:, 1]
    risk, rung = rule_risk(frame, ruleset)
    alert = top_share(p, budget)
    observed, predicted = calibration_curve(y[lab], p[lab], n_bins=bins, strategy="quantile")
    pu = np.nan_to_num(y, nan=0.0)
    known = frame["outcome"].notna().to_numpy()
    tracks, warnings = weighted_alerts(frame, ruleset, {"model": alert,
                                                        "rules": rung >= REVIEW_RUNG})
    ev = Evaluation(
        rows=len(frame), labelled=int(lab.sum()), positives=positives,
        pr_auc=float(average_precision_score(y[lab], p[lab])),
        rules_pr_auc=float(average_precision_score(y[lab], risk[lab])),
        model=_at(alert, y, lab, budget, known),
        rules=_at(top_share(risk, budget), y, lab, budget, known),
        rules_alerts=_at(rung >= REVIEW_RUNG, y, lab, float((rung >= REVIEW_RUNG).mean()),
                         known),
        calibration={"predicted": [float(v) for v in predicted],
                     "observed": [float(v) for v in observed]},
        fairness=fairness(frame, alert, y), unlabelled=int((~lab).sum()),
        pu_pr_auc=float(average_precision_score(pu, p)),
        pu_rules_pr_auc=float(average_precision_score(pu, risk)), tracks=tracks)
    return replace(ev, warnings=warnings + perfect_figures(ev))
