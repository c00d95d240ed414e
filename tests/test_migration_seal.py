"""Migration `audit_seal` on a database with data: rows of before are sealed and verify."""

from __future__ import annotations

import datetime as dt
import uuid

from sqlalchemy import func, select, text
from sqlalchemy.orm import Session

from ews import audit
from ews.store import make_engine
from ews.store.guards import maintenance
from ews.store.migrate import upgrade
from ews.store.models import AuditEvent

LEGACY = [
    "INSERT INTO offices (code, name, created_at) VALUES ('PMK', 'PMK', :at)",
    "INSERT INTO users (id, username, password_hash, role, office_code, active, "
    "must_change_password, created_at) VALUES (1, 'sup', 'x', 'supervisor', 'PMK', true, false, "
    ":at)",
    "INSERT INTO rulesets (id, sha256, ruleset_id, version, description, text, status, "
    "created_at) VALUES (1, :sha, 'r', '1', '', 'x', 'active', :at)",
    "INSERT INTO assessments (id, office_code, application_id, answers_hash, answers, features, "
    "result, score, band, rung, action, decision_required, status, ruleset_sha256, officer_id, "
    "nik_hash, interviewed_at, created_at) VALUES (:aid, 'PMK', 'APP-1', :sha, "
    "'{\"purpose\": \"tourism\", \"officer_notes\": \"n\"}', '{}', '{\"score\": 9}', 9, 'high', "
    "3, 'defer_and_redirect', true, 'decided', :sha, 1, :sha, :at, :at)",
    "INSERT INTO decisions (id, assessment_id, decision, reason, decided_by, decided_at) "
    "VALUES (1, :aid, 'deferred', 'r', 1, :at)",
    "INSERT INTO outcomes (id, assessment_id, outcome, notes, recorded_by, recorded_at) "
    "VALUES (1, :aid, 'no_information', 'n', 1, :at)",
]


def test_rows_of_before_the_migration_are_sealed_and_verify(fresh_url):
    upgrade(fresh_url, "0001")
    engine = make_engine(fresh_url)
    params = {"at": dt.datetime(2026, 1, 2, 3, 4, 5, 678901, tzinfo=dt.UTC),
              "sha": "a" * 64, "aid": str(uuid.uuid4())}
    with Session(engine) as session:
        for statement in LEGACY:
            session.execute(text(statement), params)
        audit.record(session, "assessment.created", subject=params["aid"])  # old style: no seal
        session.commit()
    upgrade(fresh_url)
    with Session(engine) as session:
        sealed = session.scalar(select(func.count()).where(AuditEvent.kind == "row.sealed"))
        assert sealed == 5  # audit_seal: the three rows; governed_seals: the user, the rule set
        assert audit.verify(session) == (6, None)
        with maintenance(session, "tests: tamper"):
            session.execute(text("UPDATE decisions SET decision = 'issued'"))
        session.commit()
        assert "decisions row 1: decision differ" in str(audit.verify(session)[1])
    engine.dispose()


def test_governing_rows_of_before_the_migration_are_held_to_their_state_at_upgrade(fresh_url):
    upgrade(fresh_url, "0001")
    engine = make_engine(fresh_url)
    params = {"at": dt.datetime(2026, 1, 2, 3, 4, 5, 678901, tzinfo=dt.UTC),
              "sha": "a" * 64, "aid": str(uuid.uuid4())}
    with Session(engine) as session:
        for statement in LEGACY[:3]:
            session.execute(text(statement), params)
        session.commit()
    upgrade(fresh_url)
    with Session(engine) as session:
        assert audit.verify(session)[1] is None
        session.execute(text("UPDATE users SET role = 'admin' WHERE id = 1"))
        session.commit()
        assert str(audit.verify(session)[1]).startswith("users row 1: role differ")
    engine.dispose()
