"""#20 H2: the seal covers the tables that govern the service, and objects beside them.

Rule sets, models, users, API tokens, registrations and lifecycle evidence are sealed by
the event of every change; `ews audit verify` and `ews restore --check` name a row changed
outside the service, and a table, view or trigger the schema does not create. The live path
answers 503 (not 500) for a rule-set text that no longer hashes to its sha256.
"""

from __future__ import annotations

import datetime as dt
import logging
import sqlite3

import pytest
from sqlalchemy import select, text

from ews import audit
from ews.audit import RETENTION_KIND
from ews.lifecycle import compiled as stored
from ews.store.db import utcnow
from ews.store.models import ModelRecord, RuleSetRecord
from tests.checklists import sound_umrah
from tests.conftest import PG_URL
from tests.test_audit import bypass_guards, cli  # noqa: F401 - cli is a fixture
from tests.test_intake import REGISTRATION
from tests.test_web_pages import form_data, login

sqlite_only = pytest.mark.skipif(bool(PG_URL), reason="ews backup handles SQLite files")


@pytest.fixture
def world(client, accounts, payload, db):
    """The default rule set live, one account per role, an assessment, a model; return ids."""
    resp = client.post("/api/v1/assessments", json=payload("GOV-1"),
                       headers=accounts["officer"].headers)
    assert resp.status_code == 201
    analyst = accounts["analyst"]
    model = ModelRecord(version="m-1", sha256="b" * 64, path="/srv/ews/models/m-1.skops",
                        estimator="logistic", manifest={}, status="active",
                        submitted_by=analyst.id, submitted_at=utcnow())
    db.add(model)
    audit.record(db, "model.submitted", actor=analyst.username, subject="m-1",
                 governs=(model,))  # what `ews model submit` writes (tests: no artefact)
    db.commit()
    live = db.scalar(select(RuleSetRecord.id).where(RuleSetRecord.status == "live"))
    return {"ruleset": live, "officer": accounts["officer"].id, "model": model.id}


def _leak_trigger(pg: bool) -> list[str]:
    """Statements adding a table and a trigger copying every new nik_hash into it."""
    if not pg:
        return ["CREATE TABLE leak (h TEXT)",
                "CREATE TRIGGER leak_nik AFTER INSERT ON assessments "
                "BEGIN INSERT INTO leak VALUES (NEW.nik_hash); END"]
    return ["CREATE TABLE leak (h TEXT)",
            "CREATE FUNCTION leak_nik() RETURNS trigger LANGUAGE plpgsql AS "
            "$$ BEGIN INSERT INTO leak VALUES (NEW.nik_hash); RETURN NEW; END $$",
            "CREATE TRIGGER leak_nik AFTER INSERT ON assessments "
            "FOR EACH ROW EXECUTE FUNCTION leak_nik()"]


def _tampers(ids: dict, pg: bool) -> dict[str, tuple[list[str], list[str]]]:
    """Name -> (statements, what the report must name)."""
    return {
        "ruleset text": ([f"UPDATE rulesets SET text = text || '#x' WHERE id = {ids['ruleset']}"],
                         [f"rulesets row {ids['ruleset']}: text differ"]),
        "officer made admin": ([f"UPDATE users SET role = 'admin' WHERE id = {ids['officer']}"],
                               [f"users row {ids['officer']}: role differ"]),
        "model path": ([f"UPDATE models SET path = '/tmp/other.skops' WHERE id = {ids['model']}"],
                       [f"models row {ids['model']}: path differ"]),
        "model status": ([f"UPDATE models SET status = 'approved' WHERE id = {ids['model']}"],
                         [f"models row {ids['model']}: status differ"]),
        "nik_hash trigger": (_leak_trigger(pg), ["table leak", "trigger leak_nik on assessments"]),
        "a view": (["CREATE VIEW everyone AS SELECT nik_hash FROM assessments"],
                   ["view everyone"]),
    }


CASES = list(_tampers({"ruleset": 0, "officer": 0, "model": 0}, False))


def test_a_sound_service_verifies(cli, world):  # noqa: F811
    result = cli("audit", "verify")
    assert result.exit_code == 0, result.output


@pytest.mark.parametrize("case", CASES)
def test_verify_names_a_change_behind_the_service(cli, world, engine, case):  # noqa: F811
    statements, named = _tampers(world, bool(PG_URL))[case]
    with engine.begin() as conn:
        for statement in statements:
            conn.execute(text(statement))
    try:
        result = cli("audit", "verify")
        assert result.exit_code == 1, result.output
        assert "TAMPERED" in result.output
        for name in named:
            assert name in result.output
        assert "GOV-1" not in result.output
    finally:
        with engine.begin() as conn:  # the shared test schema must not keep them
            for drop in ("DROP VIEW IF EXISTS everyone", "DROP TABLE IF EXISTS leak CASCADE"
                         if PG_URL else "DROP TABLE IF EXISTS leak",
                         "DROP TRIGGER IF EXISTS leak_nik" + (" ON assessments" if PG_URL
                                                              else ""),
                         "DROP FUNCTION IF EXISTS leak_nik()" if PG_URL else "SELECT 1"):
                conn.execute(text(drop))


@sqlite_only
@pytest.mark.parametrize("case", CASES)
def test_restore_check_names_a_changed_backup(cli, world, tmp_path, case):  # noqa: F811
    copy = tmp_path / "backup.sqlite3"
    made = cli("backup", str(copy))
    assert made.exit_code == 0, made.output
    statements, named = _tampers(world, False)[case]
    with sqlite3.connect(copy) as conn:
        for statement in statements:
            conn.execute(statement)
    checked = cli("restore", str(copy), "--check")
    assert checked.exit_code == 1, checked.output
    assert checked.output.startswith("FAILED")
    for name in named:
        assert name in checked.output
    assert "GOV-1" not in checked.output


def test_changes_through_the_service_keep_verifying(cli, world):  # noqa: F811
    steps = [("user", "change", "officer-pmk", "--role", "supervisor"),
             ("user", "disable", "officer-pmk"), ("user", "enable", "officer-pmk"),
             ("token", "create", "officer-pmk")]
    for step in steps:
        done = cli(*step)
        assert done.exit_code == 0, (step, done.output)
    token_id = cli("token", "list", "officer-pmk").output.split("\t")[0].strip()
    assert cli("token", "revoke", token_id).exit_code == 0
    result = cli("audit", "verify")
    assert result.exit_code == 0, result.output


def test_a_live_text_changed_behind_the_service_answers_503(client, world, engine, accounts,
                                                            payload, caplog):
    with engine.begin() as conn:
        conn.execute(text(f"UPDATE rulesets SET text = text || '#x' WHERE id = {world['ruleset']}"))
    stored._COMPILED.clear()  # a worker that has not parsed it yet
    with caplog.at_level(logging.ERROR, logger="ews.api"):
        resp = client.post("/api/v1/assessments", json=payload("GOV-2"),
                           headers=accounts["officer"].headers)
        assert resp.status_code == 503
        assert "rule set changed outside the lifecycle" in resp.get_json()["detail"]
        ready = client.get("/readyz")
        assert ready.status_code == 503
        assert "rule set changed outside the lifecycle" in ready.get_json()["detail"]
    logged = [r for r in caplog.records if r.getMessage() == "rule set changed outside the "
              "lifecycle"]
    assert logged and all("GOV-2" not in str(r.__dict__) for r in caplog.records)


def test_the_form_answers_the_503_page_in_indonesian(client, world, engine, accounts):
    login(client, accounts["officer"])
    with engine.begin() as conn:
        conn.execute(text(f"UPDATE rulesets SET text = text || '#x' WHERE id = {world['ruleset']}"))
    stored._COMPILED.clear()
    resp = client.post("/interviews/new", data=form_data(sound_umrah(application_id="GOV-3")))
    assert resp.status_code == 503
    assert "diubah di luar proses peninjauan" in resp.get_data(as_text=True)


def test_init_refuses_a_live_text_changed_behind_the_service(cli, world, engine):  # noqa: F811
    with engine.begin() as conn:
        conn.execute(text(f"UPDATE rulesets SET text = text || '#x' WHERE id = {world['ruleset']}"))
    stored._COMPILED.clear()
    result = cli("init")
    assert result.exit_code == 1
    assert "changed outside the lifecycle" in result.output


def test_registrations_redacted_by_retention_still_verify(
        cli, world, client, make_account, db, engine):  # noqa: F811
    """The values retention puts into an old registration (#20 H3) are the sealed ones."""
    desk = make_account("intake", "PMK", "desk-pmk")
    resp = client.post("/api/v1/applications", json=REGISTRATION, headers=desk.headers)
    assert resp.status_code == 201, resp.get_json()
    cutoff = utcnow() + dt.timedelta(days=1)
    bypass_guards(engine, "UPDATE applications SET nik_hash = '', phone_hash = NULL, "
                          "intake_hash = '', domicile_village = NULL, application_id = id")
    audit.record(db, RETENTION_KIND, actor="tests", data={"cutoff": cutoff.isoformat()})
    db.commit()
    assert cli("audit", "verify").exit_code == 0
    bypass_guards(engine, "UPDATE applications SET sex = 'male'")
    assert "applications row" in cli("audit", "verify").output
