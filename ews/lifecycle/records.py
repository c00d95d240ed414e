"""Stored rows as a backtest reads them: the record of one row, the typed frame of many."""

from __future__ import annotations

import datetime as dt
from collections.abc import Hashable, Sequence
from typing import NamedTuple

import numpy as np
import pandas as pd

from ews.checklist import CURRENT_VERSION, FIELDS, VERSIONS
from ews.checklist import stored_record as checklist_record
from ews.checklist.schema import ALWAYS, GROUPS
from ews.engine import RuleSet
from ews.engine.conditions import vocabulary

CHECKLIST_VERSIONS = VERSIONS  # v1 rows go through the checklist's v1 -> v2 mapping


class SkipRow(ValueError):
    """A stored row that cannot be replayed; the message is the reason counted."""


class StoredRow(NamedTuple):
    """One stored assessment as the backtest needs it (no personal data)."""

    id: str
    office_code: str
    created_at: dt.datetime | str
    answers: dict
    features: dict
    outcome: str | None
    checklist_version: int = CURRENT_VERSION
    label_origin: str | None = None  # followup, sample or external (None: no outcome)
    sample_probability: float = float("nan")  # drawn for the follow-up sample at this p


def stored_record(answers, features, checklist_version: int = CURRENT_VERSION) -> dict:
    """Turn a stored answers dict and its stored derived features into a scorable record.

    The one place a backtest turns a stored row into a record: the checklist's own mapping
    (`ews.checklist.stored_record`, v1 answers mapped to v2), after checking the row.
    """
    if not isinstance(answers, dict) or not isinstance(features, dict):
        raise SkipRow("answers or features are not a JSON object")
    if checklist_version not in CHECKLIST_VERSIONS:
        raise SkipRow(f"checklist_version {checklist_version!r} is not known to this backtest")
    return checklist_record(answers, features, checklist_version)


def rule_fields(*rulesets: RuleSet) -> tuple[str, ...]:
    """Return the checklist fields these rule sets read: their conditions' fields, and the
    fields of the completeness share when one of them has a `min_completeness` gate."""
    used: set[str] = set()
    for rs in rulesets:
        for item in rs.indicators + rs.escalations:
            used |= item.test.fields
        if rs.min_completeness is not None:
            used |= COMPLETENESS_FIELDS
    return tuple(sorted(used))


COMPLETENESS_FIELDS = frozenset(ALWAYS).union(
    *(names for _, _, names in GROUPS),
    *((name for name, _ in conds) for when, unless, _ in GROUPS for conds in (when, unless)
      if conds))


def record_frame(records: list[dict], fields: Sequence[str]) -> pd.DataFrame:
    """Return a typed frame of `fields` (categorical codes, nullable bools, float numbers).

    Only the fields the rule sets read are built; absent answers are missing values, and an
    enum value outside the field's vocabulary is missing too, as it is for `typed_frame`.
    """
    frame = pd.DataFrame.from_records(records, columns=list(fields), nrows=len(records))
    for name in fields:
        kind, col = FIELDS[name].kind, frame[name]
        if kind in ("enum", "country"):
            index = _CODES.get(name)
            if index is None:
                index = _CODES[name] = pd.Index(vocabulary(name))
            try:
                codes = index.get_indexer(col).astype(np.int16)  # -1: missing or unknown
            except TypeError:  # a list or object where a word belongs: unknown too
                col = pd.Series([v if isinstance(v, Hashable) else None for v in col],
                                dtype=object)
                codes = index.get_indexer(col).astype(np.int16)
            frame[name] = pd.Categorical.from_codes(codes, dtype=pd.CategoricalDtype(index))
        elif kind == "bool":
            frame[name] = pd.arrays.BooleanArray(col.eq(True).to_numpy(dtype=bool),
                                                 col.isna().to_numpy(dtype=bool))
        else:
            frame[name] = pd.to_numeric(col, errors="coerce").astype(float)
    return frame


_CODES: dict[str, pd.Index] = {}
