"""`ews demo` labels like the service: the random sample below review, and an external list."""

from __future__ import annotations

import csv
import datetime as dt

from sqlalchemy import func, select

from ews.audit import verify
from ews.demo import Window, run
from ews.demo.external import write_list
from ews.outcomes.imports import import_outcomes
from ews.store.models import Assessment, FollowupSample, Outcome
from ews.store.users import user_by_name

KEY = "test-pii-key"


def test_demo_samples_below_review_and_writes_an_importable_external_list(
        app, db, accounts, password_hash, tmp_path):
    events: list = []
    run(db, n=1500, window=Window(12, dt.date(2026, 11, 1)), offices=("PMK",), seed=5,
        pii_key=KEY, password_hash=password_hash, external=events)
    sampled = db.execute(select(FollowupSample.probability, Assessment.decision_required,
                                Outcome.origin)
                         .join(Assessment, Assessment.id == FollowupSample.assessment_id)
                         .join(Outcome, Outcome.assessment_id == Assessment.id)).all()
    assert sampled and {(p, flagged, origin) for p, flagged, origin in sampled} == {
        (0.02, False, "sample")}
    # outside the sample, only flagged interviews carry a (follow-up) label
    unsampled = db.scalar(select(func.count()).select_from(Outcome).join(
        Assessment, Assessment.id == Outcome.assessment_id).where(
        ~Assessment.decision_required, Outcome.origin != "sample"))
    assert unsampled == 0
    path = tmp_path / "external.csv"
    assert write_list(path, events) == len(events) > 5
    with path.open() as fh:
        rows = list(csv.DictReader(fh))
    assert {r["kind"] for r in rows} <= {"tppo_victim", "repatriated_pmi", "deported",
                                         "departure_denied"}
    analyst = user_by_name(db, accounts["analyst"].username)
    now = dt.datetime(2026, 11, 1, tzinfo=dt.UTC)
    with path.open(newline="") as fh:
        summary = import_outcomes(db, fh, source="demo", user=analyst, pii_key=KEY, now=now)
    assert summary.rows == len(rows) and not summary.errors
    assert summary.matched == summary.rows and summary.unmatched == 0
    assert summary.labels_created + summary.duplicates == summary.matched
    assert db.scalar(select(func.count()).select_from(Outcome).where(
        Outcome.origin == "external")) == summary.labels_created
    with path.open(newline="") as fh:
        again = import_outcomes(db, fh, source="demo", user=analyst, pii_key=KEY, now=now)
    assert again.labels_created == 0
    assert verify(db)[1] is None
