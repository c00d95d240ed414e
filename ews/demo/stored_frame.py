"""Bulk-store a synthetic history frame (tests, notebooks, benchmarks of the learning code).

Rows are scored with the given rule set and inserted with Core statements in chunks, with
their outcomes. `ews demo` builds realistic histories; this only stores a frame as it is.
"""

from __future__ import annotations

import datetime as dt
import uuid

import numpy as np
import pandas as pd
from sqlalchemy import insert
from sqlalchemy.orm import Session

from ews.checklist import FIELDS, PII_FIELDS
from ews.engine import RuleSet
from ews.scoring import score_frame
from ews.store.facts import insert_facts
from ews.store.models import Assessment, Outcome

DERIVED = tuple(n for n, f in FIELDS.items() if f.derived)


def _plain(value):
    if value is None or value is pd.NA or (isinstance(value, float) and np.isnan(value)):
        return None
    if isinstance(value, np.generic):
        return value.item()
    return value


def store_frame(session: Session, frame: pd.DataFrame, ruleset: RuleSet, *, officer_id: int,
                recorder_id: int, chunk: int = 20_000, progress: bool = False) -> int:
    """Insert every row of `frame` as a decided-free assessment (+ its outcome); return rows.

    `frame` holds checklist columns, `interviewed_at`, `office_code`, `application_id` and
    `outcome` (None: no outcome recorded). The rule set must be stored (its sha256 is a
    foreign key), the office and users must exist.
    """
    bar = None
    if progress:
        from tqdm import tqdm

        bar = tqdm(total=len(frame), unit="rows", desc="storing assessments")
    answer_cols = [c for c in frame.columns if c in FIELDS and c not in DERIVED
                   and c not in PII_FIELDS]
    derived_cols = [c for c in frame.columns if c in DERIVED]
    for start in range(0, len(frame), chunk):
        part = frame.iloc[start:start + chunk]
        scored = score_frame(part, ruleset)
        answers = part[answer_cols].astype(object).to_dict("records")
        features = part[derived_cols].astype(object).to_dict("records")
        rows, outcomes = [], []
        for k, (idx, s) in enumerate(scored.iterrows()):
            at = part.at[idx, "interviewed_at"].to_pydatetime()
            ans = {n: _plain(v) for n, v in answers[k].items()}
            ans["interviewed_at"] = at.isoformat()
            rid = str(uuid.uuid4())
            rows.append(dict(
                id=rid, office_code=part.at[idx, "office_code"],
                application_id=part.at[idx, "application_id"], answers_hash=rid,
                answers=ans, features={n: _plain(v) for n, v in features[k].items()},
                result={"score": int(s.score), "band": s.band}, score=int(s.score),
                band=s.band, rung=int(s.rung), action=s.action,
                decision_required=bool(s.decision_required), status="open",
                ruleset_sha256=ruleset.sha256, model_version=None, officer_id=officer_id,
                interviewed_at=at, created_at=at, checklist_version=2, version=1))
            outcome = part.at[idx, "outcome"] if "outcome" in part else None
            if _plain(outcome) is not None:
                outcomes.append(dict(assessment_id=rid, outcome=outcome,
                                     recorded_by=recorder_id,
                                     recorded_at=at + dt.timedelta(days=60)))
        session.execute(insert(Assessment.__table__), rows)
        insert_facts(session.connection(), rows)
        if outcomes:
            session.execute(insert(Outcome.__table__), outcomes)
        session.commit()
        if bar is not None:
            bar.update(len(part))
    if bar is not None:
        bar.close()
    return len(frame)
