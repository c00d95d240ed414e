"""Stored assessments as a frame for analysis: v2 records plus the latest outcome.

The one place the learning code reads the database; everything downstream is a pure
function of the frame this returns.
"""

from __future__ import annotations

import datetime as dt
import math

import pandas as pd
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from ews.checklist import stored_record
from ews.engine.conditions import typed_frame
from ews.store.models import Assessment, FollowupSample, Outcome

META = ("assessment_id", "office_code", "interviewed_at", "stored_score", "stored_rung",
        "outcome", "label_origin", "sample_probability")
CHUNK = 20_000


def _statement(since: dt.datetime | None, until: dt.datetime | None):
    latest = (select(Outcome.assessment_id, func.max(Outcome.id).label("oid"))
              .group_by(Outcome.assessment_id).subquery())
    stmt = (select(Assessment.id, Assessment.office_code, Assessment.interviewed_at,
                   Assessment.answers, Assessment.features, Assessment.checklist_version,
                   Assessment.score, Assessment.rung, Outcome.outcome, Outcome.origin,
                   FollowupSample.probability)
            .outerjoin(latest, latest.c.assessment_id == Assessment.id)
            .outerjoin(Outcome, Outcome.id == latest.c.oid)
            .outerjoin(FollowupSample, FollowupSample.assessment_id == Assessment.id)
            .where(Assessment.superseded_by.is_(None)))
    if since is not None:
        stmt = stmt.where(Assessment.interviewed_at >= since)
    if until is not None:
        stmt = stmt.where(Assessment.interviewed_at < until)
    return stmt  # no ORDER BY: sorting 1M wide rows in SQL costs more than in pandas


def count_assessments(session: Session, since: dt.datetime | None = None,
                      until: dt.datetime | None = None) -> int:
    """Return how many current assessments were interviewed in [since, until)."""
    stmt = select(func.count()).select_from(Assessment).where(
        Assessment.superseded_by.is_(None))
    if since is not None:
        stmt = stmt.where(Assessment.interviewed_at >= since)
    if until is not None:
        stmt = stmt.where(Assessment.interviewed_at < until)
    return session.scalar(stmt)


def assessments_frame(session: Session, since: dt.datetime | None = None,
                      until: dt.datetime | None = None, *, chunk: int = CHUNK,
                      progress: bool = False) -> pd.DataFrame:
    """Return current assessments interviewed in [since, until) as a typed frame.

    Columns: every checklist field (v2; v1 rows mapped by `stored_record`), the derived
    features as stored at the interview, and `META`: assessment id, office, interview time
    (UTC), the stored score and rung, the latest outcome (None when none was recorded), how
    that label arose (`label_origin`: followup, sample, external; None without an outcome)
    and `sample_probability`, the probability with which the interview was drawn for the
    random follow-up sample (NaN when it was not drawn).
    Rows are read `chunk` at a time (streamed), oldest interview first. No personal data:
    the store keeps none in clear.
    """
    total = count_assessments(session, since, until) if progress else None
    bar = None
    if progress:
        from tqdm import tqdm

        bar = tqdm(total=total, unit="rows", desc="loading assessments")
    parts, batch = [], []
    rows = session.execute(_statement(since, until).execution_options(yield_per=chunk))
    for row in rows:
        record = stored_record(row.answers, row.features, row.checklist_version)
        record.update(assessment_id=row.id, office_code=row.office_code,
                      interviewed_at=row.interviewed_at, stored_score=row.score,
                      stored_rung=row.rung, outcome=row.outcome, label_origin=row.origin,
                      sample_probability=math.nan if row.probability is None
                      else row.probability)
        batch.append(record)
        if len(batch) >= chunk:
            parts.append(typed_frame(batch))
            if bar is not None:
                bar.update(len(batch))
            batch = []
    if batch or not parts:
        parts.append(typed_frame(batch) if batch else pd.DataFrame(columns=list(META)))
        if bar is not None:
            bar.update(len(batch))
    if bar is not None:
        bar.close()
    frame = pd.concat(parts, ignore_index=True) if len(parts) > 1 else parts[0]
    if len(frame):
        frame["interviewed_at"] = pd.to_datetime(frame["interviewed_at"], utc=True)
        frame = frame.sort_values(["interviewed_at", "assessment_id"], kind="stable",
                                  ignore_index=True)
    return frame
