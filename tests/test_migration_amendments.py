"""The amendments migration keeps every stored decision: follow-ups become linked amendments."""

from __future__ import annotations

from sqlalchemy import text

from ews.store import make_engine
from ews.store.migrate import upgrade
from tests.conftest import seed_supervisor


def test_follow_up_decisions_become_a_chain(fresh_url):
    url = fresh_url
    upgrade(url, "0001")
    engine = make_engine(url)
    with engine.begin() as conn:
        seed_supervisor(conn)
        conn.execute(text("INSERT INTO rulesets (id, sha256, ruleset_id, version, "
                          "description, text, status, created_at) VALUES "
                          "(1, 'h', 'r', '1', '', 't', 'active', '2026-01-01')"))
        for aid in ("a1", "a2"):
            conn.execute(text(
                "INSERT INTO assessments (id, office_code, application_id, answers_hash, "
                "answers, features, result, score, band, rung, action, decision_required, "
                "status, ruleset_sha256, officer_id, interviewed_at, created_at) VALUES "
                "(:id, 'PMK', :id, 'h', '{}', '{}', '{}', 50, 'high', 2, "
                "'supervisor_review', true, 'decided', 'h', 1, '2026-01-01', '2026-01-01')"),
                {"id": aid})
        for did, aid, at in ((1, "a1", "2026-01-02"), (2, "a2", "2026-01-02"),
                             (3, "a1", "2026-01-03"), (4, "a1", "2026-01-04")):
            conn.execute(text("INSERT INTO decisions (id, assessment_id, decision, reason, "
                              "decided_by, decided_at) VALUES (:id, :a, 'deferred', 'r', 1, "
                              ":at)"), {"id": did, "a": aid, "at": at})
    engine.dispose()
    upgrade(url)
    engine = make_engine(url)
    with engine.connect() as conn:
        rows = conn.execute(text("SELECT id, amends FROM decisions ORDER BY id")).all()
    engine.dispose()
    assert [tuple(r) for r in rows] == [(1, None), (2, None), (3, 1), (4, 3)]
