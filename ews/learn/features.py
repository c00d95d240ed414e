"""Model features: `rule`-role checklist fields and derived fields, minus an exclusion list.

Never inputs (who the applicant is) have role `audit` or `pii` and are refused by name.
Some `rule` fields and values are still kept out of models because they signal poverty,
education or religion rather than recruitment: they live in `Exclusions`, saved with every
model. An excluded value of a field is pooled into a neutral value, so that the model cannot
tell it apart (a dropped one-hot level of a required field would still be identifiable).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass

import numpy as np
import pandas as pd
from sklearn.base import BaseEstimator, TransformerMixin
from sklearn.utils.validation import check_is_fitted

from ews.checklist import FIELDS
from ews.engine.conditions import vocabulary


class FeatureError(ValueError):
    """A feature the trainer must not use; `.fields` names them."""

    def __init__(self, message: str, fields: Iterable[str] = ()) -> None:
        super().__init__(message)
        self.fields = tuple(fields)


@dataclass(frozen=True)
class Exclusions:
    """Fields and values kept out of every model, with the value each value is pooled into.

    `values` holds (field, excluded value, neutral value it is pooled into - None: as if
    not asked). Plain tuples: the estimators' parameters must survive `sklearn.clone`.
    """

    fields: tuple[str, ...] = ()
    values: tuple[tuple[str, str, str | None], ...] = ()

    @property
    def pooled(self) -> dict[str, dict]:
        """Return {field: {excluded value: neutral value}}."""
        out: dict[str, dict] = {}
        for name, value, into in self.values:
            out.setdefault(name, {})[value] = into
        return out

    def as_dict(self) -> dict:
        """Return a JSON-ready form (for manifests and cards)."""
        return {"fields": list(self.fields), "values": [list(v) for v in self.values]}

    @classmethod
    def from_dict(cls, data: Mapping) -> Exclusions:
        """Rebuild from `as_dict` output."""
        return cls(tuple(data.get("fields", ())), tuple(tuple(v) for v in data.get("values", ())))


DEFAULT_EXCLUSIONS = Exclusions(
    fields=("financial_pressure",       # poverty: a protective signal, never scrutiny
            "unaware_of_legal_route"),  # education: inform, never suspect
    values=(
        # religion: umrah/hajj is a purpose like any other; pooled with "other"
        ("purpose", "umrah_hajj", "other"),
        # umrah documents exist only for umrah: their mere presence ("valid") would mark the
        # pilgrim; only a document problem is a signal
        ("umrah_documents", "valid", None),
    ),
)
FORBIDDEN_REASON = {"audit": "an audit variable (fairness reports only)",
                    "pii": "personal data", "admin": "bookkeeping"}


def feature_fields(exclusions: Exclusions = DEFAULT_EXCLUSIONS) -> tuple[str, ...]:
    """Return the model's feature fields: every `rule`-role field not excluded."""
    return tuple(name for name, f in FIELDS.items()
                 if f.role == "rule" and name not in exclusions.fields)


def check_features(names: Iterable[str],
                   exclusions: Exclusions = DEFAULT_EXCLUSIONS) -> tuple[str, ...]:
    """Return `names` when all are allowed features; else raise FeatureError naming each."""
    names = tuple(names)
    problems, bad = [], []
    for name in names:
        f = FIELDS.get(name)
        if f is None:
            problems.append(f"'{name}' is not a checklist field")
        elif f.role != "rule":
            problems.append(f"'{name}' has role '{f.role}' ({FORBIDDEN_REASON[f.role]}); "
                            "only rule fields may be model features")
        elif name in exclusions.fields:
            problems.append(f"'{name}' is on the model's exclusion list")
        else:
            continue
        bad.append(name)
    if problems:
        raise FeatureError("; ".join(problems), bad)
    if not names:
        raise FeatureError("no features given")
    return names


class ChecklistEncoder(TransformerMixin, BaseEstimator):
    """Encode checklist columns as a float32 matrix: one column per answer value.

    Booleans give 1.0 for True; enums and countries one column per value (countries seen at
    least `min_count` times in training); counts are clipped at `max_count`. Not asked
    (NaN/None) encodes as all zeros. Excluded values are pooled first (`exclusions`).
    """

    def __init__(self, features=None, exclusions=DEFAULT_EXCLUSIONS, min_count=20,
                 max_count=5):
        self.features = features
        self.exclusions = exclusions
        self.min_count = min_count
        self.max_count = max_count

    def fit(self, X: pd.DataFrame, y=None) -> ChecklistEncoder:  # noqa: N803 - sklearn
        """Check the columns and learn the value columns."""
        if not isinstance(X, pd.DataFrame):
            raise FeatureError("the encoder needs a DataFrame of named checklist columns")
        names = self.features if self.features is not None else tuple(X.columns)
        self.features_ = check_features(names, self.exclusions)
        self.pooled_ = self.exclusions.pooled
        missing = [n for n in self.features_ if n not in X]
        if missing:
            raise FeatureError(f"columns missing from the frame: {', '.join(missing)}", missing)
        self.columns_ = []  # (field, value or None)
        for name in self.features_:
            kind = FIELDS[name].kind
            if kind in ("bool", "int"):
                self.columns_.append((name, None))
                continue
            values = vocabulary(name)
            col = self._pooled(X[name], name)
            if kind == "country":
                counts = col.value_counts()
                values = tuple(v for v in values if counts.get(v, 0) >= self.min_count)
            pooled = self.pooled_.get(name, {})
            self.columns_.extend((name, v) for v in values if v not in pooled)
        self.feature_names_out_ = np.array(
            [n if v is None else f"{n}={v}" for n, v in self.columns_], dtype=object)
        self.n_features_in_ = len(self.features_)
        return self

    def _pooled(self, col: pd.Series, name: str) -> pd.Series:
        col = col.astype(object)
        col = col.where(col.notna(), None)
        for value, into in self.pooled_.get(name, {}).items():
            col = col.mask(col == value, into)
        return col

    def transform(self, X: pd.DataFrame) -> np.ndarray:  # noqa: N803 - sklearn
        """Return the float32 matrix (rows of X, `feature_names_out_` columns)."""
        check_is_fitted(self, "columns_")
        out = np.zeros((len(X), len(self.columns_)), dtype=np.float32)
        cache = {}
        for j, (name, value) in enumerate(self.columns_):
            kind = FIELDS[name].kind
            if kind == "bool":
                out[:, j] = X[name].astype("boolean").fillna(False).to_numpy(dtype=bool)
            elif kind == "int":
                vals = pd.to_numeric(X[name], errors="coerce").fillna(0).to_numpy(float)
                out[:, j] = np.clip(vals, 0, self.max_count)
            else:
                if name not in cache:
                    cache[name] = self._pooled(X[name], name).to_numpy()
                out[:, j] = cache[name] == value
        return out

    def get_feature_names_out(self, input_features=None) -> np.ndarray:
        """Return the names of the encoded columns ('field' or 'field=value')."""
        check_is_fitted(self, "columns_")
        return self.feature_names_out_

    def encode_one(self, record: Mapping) -> np.ndarray:
        """Encode one record dict quickly (the request path): a 1-D float array."""
        pooled = self.pooled_
        out = np.zeros(len(self.columns_))
        for j, (name, value) in enumerate(self.columns_):
            got = record.get(name)
            if name in pooled and got in pooled[name]:
                got = pooled[name][got]
            if value is None:
                if got is True:
                    out[j] = 1.0
                elif isinstance(got, int) and not isinstance(got, bool):
                    out[j] = min(max(got, 0), self.max_count)
            elif got == value:
                out[j] = 1.0
        return out
