"""Stored assessments as v2 records: what backtests, reports and pages read.

An assessment keeps its answers as they were given (v1 or v2 field names) and its derived
features as they were at the interview (point-in-time history). Version 1 rows go through
the same mapping as v1 payloads.
"""

from __future__ import annotations

from .derive import work_in_view
from .fields import FIELDS
from .v1 import features_to_v2, to_v2


def stored_record(answers: dict, features: dict, checklist_version: int) -> dict:
    """Return the v2 record of a stored assessment: answers, then derived features as stored."""
    if checklist_version == 1:
        answers, features = to_v2(answers), features_to_v2(features)
    record = dict.fromkeys(FIELDS) | answers | {k: v for k, v in features.items()
                                                if k in FIELDS}
    if checklist_version == 1:  # v1 did not store it: derive it from the mapped answers
        record["work_in_view"] = work_in_view(record)
    record["checklist_version"] = checklist_version
    return record
