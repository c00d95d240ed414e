"""Audit coverage: rows of assessments, decisions and outcomes are sealed in the chain, and
the database itself refuses to edit or delete them (SQLite and PostgreSQL triggers)."""

from __future__ import annotations

import datetime as dt
import json

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from sqlalchemy import func, select, text
from sqlalchemy.exc import DBAPIError

from ews.audit import verify
from ews.audit.seal import canonical_text
from ews.store.migrate import upgrade
from ews.store.models import Assessment, AuditEvent, Decision, Outcome
from tests.test_audit import bypass_guards, cli  # noqa: F401 - cli is a fixture

REASON = "Siti Aminah mengaku akan bekerja di Phnom Penh"
NOTES = "Kakak Siti, Budi, dihubungi lewat 0812-3456-7890"


@pytest.fixture
def case(client, accounts, payload, db):
    """Return ids of a decided risky assessment, its decision and outcome, and a sound one."""
    headers = accounts["officer"].headers
    risky = client.post("/api/v1/assessments", json=payload("SEAL-1", risky=True),
                        headers=headers).get_json()["id"]
    sound = client.post("/api/v1/assessments", json=payload("SEAL-2"),
                        headers=headers).get_json()["id"]
    resp = client.post(f"/api/v1/assessments/{risky}/decision",
                       headers=accounts["supervisor"].headers,
                       json={"decision": "deferred", "reason": REASON})
    assert resp.status_code == 201, resp.get_json()
    resp = client.post(f"/api/v1/assessments/{risky}/outcome", headers=accounts["analyst"].headers,
                       json={"outcome": "confirmed_nonprocedural", "notes": NOTES})
    assert resp.status_code == 201, resp.get_json()
    decision = db.scalar(select(Decision.id))
    outcome = db.scalar(select(Outcome.id))
    return {"risky": risky, "sound": sound, "decision": decision, "outcome": outcome}


def tampered(cli, *statements: str, engine) -> str:  # noqa: F811
    """Tamper past the triggers, run `ews audit verify`, return its output (it must fail)."""
    bypass_guards(engine, *statements)
    result = cli("audit", "verify")
    assert result.exit_code == 1, result.output
    assert "TAMPERED" in result.output
    for personal in ("Siti", "Budi", "0812", "SEAL-1", "Phnom"):
        assert personal not in result.output
    return result.output


def test_a_sound_history_verifies(cli, case, db):  # noqa: F811
    seals = [json.loads(e)["seal"] for e in db.scalars(select(AuditEvent.data))
             if '"seal"' in e]
    rows = [s["t"] for s in seals if isinstance(s, dict)]
    assert sorted(rows) == ["assessments", "assessments", "decisions", "outcomes"]
    governed = {s["t"] for group in seals if isinstance(group, list) for s in group}
    assert {"rulesets", "users", "api_tokens"} <= governed  # the accounts, the live rule set
    result = cli("audit", "verify")
    assert result.exit_code == 0, result.output


def test_decision_changed_from_deferred_to_issued_is_named(cli, case, engine):  # noqa: F811
    out = tampered(cli, f"UPDATE decisions SET decision = 'issued' WHERE id = {case['decision']}",
                   engine=engine)
    assert f"decisions row {case['decision']}: decision differ" in out


def test_zeroed_score_is_named(cli, case, engine):  # noqa: F811
    out = tampered(cli, f"UPDATE assessments SET score = 0 WHERE id = '{case['risky']}'",
                   engine=engine)
    assert f"assessments row {case['risky']}: score differ" in out


def test_deleted_decision_row_is_named(cli, case, engine):  # noqa: F811
    out = tampered(cli, f"DELETE FROM decisions WHERE id = {case['decision']}", engine=engine)
    assert f"decisions row {case['decision']}: row missing (deleted?)" in out


def test_edited_free_text_is_detected_without_quoting_it(cli, case, engine):  # noqa: F811
    out = tampered(cli, f"UPDATE outcomes SET notes = 'x' WHERE id = {case['outcome']}",
                   engine=engine)
    assert f"outcomes row {case['outcome']}: personal or free-text fields differ" in out


def test_row_inserted_outside_the_service_is_detected(cli, case, engine):  # noqa: F811
    out = tampered(cli, "INSERT INTO decisions (id, assessment_id, decision, reason, decided_by, "
                   f"decided_at) SELECT 999, id, 'issued', 'ok', officer_id, created_at "
                   f"FROM assessments WHERE id = '{case['sound']}'", engine=engine)
    assert "decisions row 999: no audit event records this row" in out


@pytest.mark.parametrize("statement", [
    "UPDATE decisions SET decision = 'issued'",
    "DELETE FROM decisions",
    "UPDATE outcomes SET notes = NULL",
    "DELETE FROM outcomes",
    "UPDATE assessments SET score = 0",
    "UPDATE assessments SET answers = '{}'",
    "DELETE FROM assessments",
    "UPDATE audit_events SET actor = 'someone'",
    "DELETE FROM audit_events",
    "DELETE FROM audit_head",
])
def test_the_database_refuses_edits_and_deletes(case, engine, db, statement):
    events = db.scalar(select(func.count()).select_from(AuditEvent))
    with pytest.raises(DBAPIError, match="append-only"), engine.begin() as conn:
        conn.execute(text(statement))
    assert db.scalar(select(func.count()).select_from(AuditEvent)) == events
    assert verify(db)[1] is None


def test_workflow_columns_stay_writable(case, engine, db):
    with engine.begin() as conn:  # a supervisor taking an open item: claim columns only
        conn.execute(text("UPDATE assessments SET claimed_by = officer_id, status = 'open' "
                          f"WHERE id = '{case['sound']}'"))
    assert verify(db)[1] is None


def test_upgrade_reinstalls_a_lost_trigger(case, engine, database_url, db):
    """SQLite drops a table's triggers when a batch migration recreates it: upgrade restores."""
    pg = engine.dialect.name == "postgresql"
    db.rollback()  # PostgreSQL: DROP TRIGGER waits for every open transaction on the table
    with engine.begin() as conn:
        conn.execute(text("DROP TRIGGER ews_guard_decisions_update"
                          + (" ON decisions" if pg else "")))
    upgrade(database_url)
    with pytest.raises(DBAPIError, match="append-only"), engine.begin() as conn:
        conn.execute(text("UPDATE decisions SET decision = 'issued'"))


def test_follow_up_versions_and_amendments_verify(cli, case, client, accounts, payload,  # noqa: F811
                                                  db):
    """Legitimate changes: a follow-up version supersedes a row, an amendment adds one."""
    sup = accounts["supervisor"]
    resp = client.post(f"/api/v1/assessments/{case['risky']}/decision/amend", headers=sup.headers,
                       json={"decision": "issued", "reason": "Dokumen lengkap",
                             "amends": case["decision"]})
    assert resp.status_code == 201, resp.get_json()
    again = payload("SEAL-2", officer_notes="tindak lanjut", follow_up=True)
    resp = client.post("/api/v1/assessments", json=again, headers=accounts["officer"].headers)
    assert resp.status_code == 201, resp.get_json()
    older = db.get(Assessment, case["sound"])
    db.refresh(older)
    assert older.superseded_by == resp.get_json()["id"]
    result = cli("audit", "verify")
    assert result.exit_code == 0, result.output


_FLAT_VALUES = st.one_of(st.none(), st.booleans(), st.integers(-(2**70), 2**70),
                         st.text(), st.text(alphabet=st.characters(max_codepoint=0x40)))


@settings(max_examples=400, deadline=None)
@given(st.dictionaries(st.text(), _FLAT_VALUES, max_size=12) | st.lists(_FLAT_VALUES, max_size=9)
       | st.recursive(_FLAT_VALUES | st.floats(), lambda inner: st.lists(inner, max_size=4)
                      | st.dictionaries(st.text(), inner, max_size=4), max_leaves=20))
def test_fast_canonical_text_is_the_encoders_text(answers):
    """Seals, answer hashes and event hashes of stored rows stay valid: the fast path writes
    the same text (flat dicts such as answers, flat lists such as an event's content, an
    event's data with its row's seal nested; floats anywhere go to the encoder)."""
    expected = json.dumps(answers, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    assert canonical_text(answers) == expected


@given(st.datetimes(min_value=dt.datetime(1000, 1, 1), timezones=st.just(dt.UTC)))
def test_event_time_text_is_unchanged(at):
    """The time an event hashes is the text strftime wrote before (2026-11-24T04:16:14.000123Z)."""
    from ews.audit import _stamp

    assert _stamp(at) == at.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")
