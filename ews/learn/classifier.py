"""The optional classifier: a calibrated scikit-learn pipeline over checklist features.

`ChecklistClassifier` follows the scikit-learn contract: `__init__` stores its arguments,
`fit` validates the columns (rule fields only, exclusions applied) and sets attributes ending
in `_`, `predict_proba` checks it was fitted. Class imbalance: balanced class weights; the
probabilities are then calibrated with a sigmoid (few positives: isotonic would overfit).
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from scipy.special import expit
from sklearn.base import BaseEstimator, ClassifierMixin
from sklearn.calibration import CalibratedClassifierCV
from sklearn.ensemble import HistGradientBoostingClassifier
from sklearn.linear_model import LogisticRegression
from sklearn.pipeline import Pipeline
from sklearn.utils.validation import check_is_fitted
from threadpoolctl import threadpool_limits

from .features import DEFAULT_EXCLUSIONS, ChecklistEncoder, feature_fields
from .labels import LabelError

ESTIMATORS = ("logistic", "hist_gradient_boosting")
MIN_POSITIVES = 30
PREDICT_CHUNK = 100_000  # rows encoded at a time by predict_proba


def _base(kind: str, random_state: int):
    if kind == "logistic":
        return LogisticRegression(class_weight="balanced", C=0.5, max_iter=2000)
    if kind == "hist_gradient_boosting":
        return HistGradientBoostingClassifier(class_weight="balanced", max_iter=150,
                                              learning_rate=0.08, max_leaf_nodes=15,
                                              l2_regularization=1.0, early_stopping=False,
                                              random_state=random_state)
    raise ValueError(f"unknown estimator {kind!r}; one of: {', '.join(ESTIMATORS)}")


class ChecklistClassifier(ClassifierMixin, BaseEstimator):
    """Calibrated probability that an interview leads to a positive outcome.

    Parameters
    ----------
    estimator : "logistic" or "hist_gradient_boosting".
    features : feature fields (default: every rule field not excluded).
    exclusions : `Exclusions` kept with the model (default `DEFAULT_EXCLUSIONS`).
    cv : folds of the sigmoid calibration (each fold's model is kept and averaged).
    min_positives : refuse to fit with fewer positive labels.
    n_threads : OpenMP threads while fitting and predicting (the boosting model spins on a
        busy machine).
    """

    def __init__(self, estimator="logistic", features=None, exclusions=DEFAULT_EXCLUSIONS,
                 cv=3, min_positives=MIN_POSITIVES, random_state=0, n_threads=1):
        self.estimator = estimator
        self.features = features
        self.exclusions = exclusions
        self.cv = cv
        self.min_positives = min_positives
        self.random_state = random_state
        self.n_threads = n_threads

    def fit(self, X: pd.DataFrame, y) -> ChecklistClassifier:  # noqa: N803 - sklearn
        """Fit on labelled rows only (y: 1 positive, 0 negative; no NaN)."""
        y = np.asarray(y, dtype=float)
        if np.isnan(y).any():
            raise LabelError("unlabelled rows (no_information) must be left out, not given "
                             "as negatives")
        positives = int(y.sum())
        if positives < self.min_positives:
            raise LabelError(f"only {positives} labelled positive outcomes; at least "
                             f"{self.min_positives} are needed to train a model")
        if positives == len(y):
            raise LabelError("no negative outcomes (legitimate_travel_confirmed) to learn from")
        features = self.features if self.features is not None else \
            feature_fields(self.exclusions)
        encoder = ChecklistEncoder(features=features, exclusions=self.exclusions)
        model = CalibratedClassifierCV(_base(self.estimator, self.random_state),
                                       method="sigmoid", cv=self.cv)
        with threadpool_limits(limits=self.n_threads, user_api="openmp"):
            self.pipeline_ = Pipeline([("encode", encoder), ("model", model)]).fit(
                X, y.astype(int))
        self.encoder_ = self.pipeline_.named_steps["encode"]
        self.features_ = self.encoder_.features_
        self.classes_ = np.array([0, 1])
        self.n_features_in_ = len(self.features_)
        self.linear_ = self._linear(model) if self.estimator == "logistic" else None
        return self

    @staticmethod
    def _linear(model: CalibratedClassifierCV) -> tuple[np.ndarray, ...]:
        """Return (W, b, a, c): fold weights, intercepts and sigmoid calibration terms."""
        folds = model.calibrated_classifiers_
        w = np.vstack([f.estimator.coef_[0] for f in folds])
        b = np.array([f.estimator.intercept_[0] for f in folds])
        a = np.array([f.calibrators[0].a_ for f in folds])
        c = np.array([f.calibrators[0].b_ for f in folds])
        return w, b, a, c

    def predict_proba(self, X: pd.DataFrame) -> np.ndarray:  # noqa: N803 - sklearn
        """Return calibrated [P(negative), P(positive)] per row."""
        check_is_fitted(self, "pipeline_")
        # the boosting model predicts with OpenMP too: on a busy machine its threads spun
        # (a third more CPU and wall time than one thread, 300,000 rows under load)
        with threadpool_limits(limits=self.n_threads, user_api="openmp"):
            if len(X) <= PREDICT_CHUNK:
                return self.pipeline_.predict_proba(X)
            # a period of a national year: its encoded matrix would be gigabytes; rows are
            # predicted independently, so chunks give the same probabilities
            return np.concatenate([self.pipeline_.predict_proba(X.iloc[at:at + PREDICT_CHUNK])
                                   for at in range(0, len(X), PREDICT_CHUNK)])

    def predict(self, X: pd.DataFrame) -> np.ndarray:  # noqa: N803 - sklearn
        """Return 1 where the calibrated probability is at least 0.5."""
        return (self.predict_proba(X)[:, 1] >= 0.5).astype(int)

    def probability(self, record: dict) -> float:
        """Return P(positive) of one record dict: the request path (no DataFrame)."""
        check_is_fitted(self, "pipeline_")
        if self.linear_ is None:
            frame = pd.DataFrame([{n: record.get(n) for n in self.features_}])
            return float(self.pipeline_.predict_proba(frame)[0, 1])
        w, b, a, c = self.linear_
        z = w @ self.encoder_.encode_one(record) + b
        return float(np.mean(expit(-(a * z + c))))

    def feature_names(self) -> list[str]:
        """Return the encoded feature names ('field' or 'field=value')."""
        check_is_fitted(self, "pipeline_")
        return list(self.encoder_.get_feature_names_out())
