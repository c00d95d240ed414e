"""The form's way into the one write path of the service.

TEMPORARY ADAPTER: the service helper owns the submission path (active rule set, PII key,
SLA due time, `ews.store.assessments.submit`). As soon as `ews/api` exposes the function its
POST /api/v1/assessments calls, this module calls that instead of assembling the pieces.
"""

from __future__ import annotations

from flask import current_app

from ews.review.sla import SLA
from ews.store import get_session
from ews.store.assessments import Submission, submit
from ews.store.rulesets import active_record, compiled


def submit_interview(record: dict, user) -> Submission:
    """Score and store a validated record once (idempotent on office + application id)."""
    db = get_session()
    row = active_record(db)
    if row is None:
        raise RuntimeError("no active rule set: run `ews init`")
    sla = SLA.from_config(current_app.config)
    return submit(db, record, user=user, ruleset_row=row, ruleset=compiled(row),
                  pii_key=current_app.config["PII_KEY"], due_at=sla.due_at)
