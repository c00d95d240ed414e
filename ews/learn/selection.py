"""Choose the estimator on the training period, evaluate the choice on the later one.

Choosing on the evaluation period and then reporting that period's figures makes them
optimistic: the comparison uses the last months of the training period instead (a second
time split), and the kept estimator is refitted on the whole training period.
"""

from __future__ import annotations

import pandas as pd

from ews.engine import RuleSet

from .classifier import ChecklistClassifier
from .evaluate import Evaluation, evaluate
from .labels import LabelError, labels, time_split


def _fit(kind: str, frame: pd.DataFrame) -> ChecklistClassifier:
    y = labels(frame["outcome"])
    known = y.notna().to_numpy()
    return ChecklistClassifier(kind).fit(frame[known], y[known])


def choose_and_evaluate(train: pd.DataFrame, test: pd.DataFrame, ruleset: RuleSet,
                        kinds: tuple[str, ...], *, budget: float
                        ) -> tuple[str, ChecklistClassifier, Evaluation, dict[str, float]]:
    """Return (kind kept, model fitted on all of `train`, its evaluation on `test`, the
    validation PR-AUC of each kind). One kind: no comparison, no validation split."""
    comparison: dict[str, float] = {}
    best = kinds[0]
    if len(kinds) > 1:
        try:
            early, late = time_split(train)
        except LabelError as exc:
            raise LabelError(f"comparing estimators needs two periods of training data ({exc});"
                             " pass --estimator to train one") from None
        for kind in kinds:
            comparison[kind] = evaluate(_fit(kind, early), late, ruleset, budget=budget).pr_auc
        best = max(comparison, key=comparison.get)
    model = _fit(best, train)
    return best, model, evaluate(model, test, ruleset, budget=budget), comparison
