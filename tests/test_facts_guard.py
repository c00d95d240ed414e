"""Report facts are append-only at the database, reconciled by `ews audit verify`, and a report
on a read-only database reads the facts it has and says how old they are (#26, point 9)."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import event, text
from sqlalchemy.exc import DBAPIError

from ews.reports import Params, run
from ews.store import facts, make_engine
from tests.conftest import maintenance


def post(client, account, body) -> str:
    resp = client.post("/api/v1/assessments", json=body, headers=account.headers)
    assert resp.status_code == 201, resp.get_json()
    return resp.get_json()["id"]


@pytest.fixture
def derived(client, accounts, payload, engine) -> list[str]:
    """Three stored assessments with their facts derived; return their ids."""
    officer = accounts["officer"]
    ids = [post(client, officer, payload(f"PMK-{i}", risky=i == 0)) for i in range(3)]
    assert facts.catch_up(engine) == 3
    return ids


def _refused(engine, sql: str, **params) -> None:
    with pytest.raises(DBAPIError, match="append-only"), engine.begin() as conn:
        conn.execute(text(sql), params)


def test_facts_refuse_update_and_delete_but_the_one_way_changes(derived, engine):
    one = {"i": derived[0]}
    _refused(engine, "UPDATE assessment_facts SET score = 0 WHERE assessment_id = :i", **one)
    _refused(engine, "UPDATE assessment_facts SET month = '2020-01' WHERE assessment_id = :i",
             **one)
    _refused(engine, "DELETE FROM assessment_facts WHERE assessment_id = :i", **one)
    if engine.dialect.name == "postgresql":
        _refused(engine, "TRUNCATE assessment_facts")
    # A hash replaced (not blanked) and a superseded fact made latest again are refused...
    _refused(engine, "UPDATE assessment_facts SET nik_hash = 'x' WHERE assessment_id = :i",
             **one)
    with engine.begin() as conn:  # ...turning latest off and blanking, as the service does,
        conn.execute(text("UPDATE assessment_facts SET latest = :f, nik_hash = NULL, "
                          "domicile_village = NULL WHERE assessment_id = :i"),
                     {"f": False, **one})
    _refused(engine, "UPDATE assessment_facts SET latest = :t WHERE assessment_id = :i",
             t=True, **one)
    _refused(engine, "UPDATE assessment_facts SET nik_hash = 'x' WHERE assessment_id = :i",
             **one)
    with engine.connect() as conn:
        assert conn.scalar(text("SELECT COUNT(*) FROM assessment_facts")) == 3


def test_office_timezone_change_rederives_through_the_window(derived, ews_cli, engine):
    got = ews_cli("office", "timezone", "PMK", "Asia/Jayapura")
    assert got.exit_code == 0, got.output
    assert "3 report facts derived" in got.output
    result = ews_cli("audit", "verify")
    assert result.exit_code == 0, result.output
    assert "3 report facts match their assessments" in result.output


@pytest.mark.parametrize("tamper, named", [
    ("UPDATE assessment_facts SET rung = 0, flagged = :f WHERE assessment_id = :i",
     "flagged, rung differ from the assessment (altered)"),
    ("DELETE FROM assessment_facts WHERE assessment_id = :i", "no fact (missing)"),
])
def test_audit_verify_reports_a_missing_or_altered_fact(derived, ews_cli, engine, monkeypatch,
                                                        tamper, named):
    assert ews_cli("audit", "verify").exit_code == 0
    with engine.begin() as conn, maintenance(conn):
        conn.execute(text(tamper), {"i": derived[0], "f": False})
    # A catch-up looks back an hour from the newest fact; these rows are seconds apart, so
    # the span is shortened for the fact deleted from before the newest.
    monkeypatch.setattr(facts, "MARGIN", dt.timedelta(0))
    result = ews_cli("audit", "verify")
    assert result.exit_code == 1
    assert "TAMPERED: report facts do not match their assessments" in result.output
    assert f"{derived[0]}: {named}" in result.output
    assert all(ident not in result.output for ident in derived[1:])


def test_audit_verify_reports_an_extra_fact(derived, ews_cli, engine):
    with engine.connect() as conn:
        if engine.dialect.name == "sqlite":  # outside a transaction, as SQLite wants it
            conn.exec_driver_sql("PRAGMA foreign_keys=OFF")
            conn.commit()
        with conn.begin():
            if engine.dialect.name == "postgresql":  # foreign keys are triggers there
                conn.execute(text("SET LOCAL session_replication_role = replica"))
            conn.execute(text(
                "INSERT INTO assessment_facts SELECT 'no-such-assessment', office_code, "
                "created_at, interviewed_at, day, month, hour, submitted_day, submitted_month, "
                "submitted_hour, latest, checklist_version, score, rung, action, band, flagged, "
                "completeness, officer_id, origin_kecamatan, domicile_village, sex, age_band, "
                "destination_country, purpose, job_sector, transit_country, job_offer_channel, "
                "recruiter_type, agency_licence, agency_name, phone_shared_30d, indicators, "
                "nik_hash, phone_hash, recruiter_phone_hash, domicile_desa FROM "
                "assessment_facts WHERE assessment_id = :i"), {"i": derived[0]})
        if engine.dialect.name == "sqlite":
            conn.exec_driver_sql("PRAGMA foreign_keys=ON")
            conn.commit()
    result = ews_cli("audit", "verify")
    assert result.exit_code == 1
    assert "fact no-such-assessment: its assessment does not exist (extra)" in result.output


def _read_only(url: str):
    engine = make_engine(url)

    @event.listens_for(engine, "connect")
    def _ro(dbapi_conn, _record) -> None:
        cur = dbapi_conn.cursor()
        if engine.dialect.name == "postgresql":
            cur.execute("SET default_transaction_read_only = on")
            dbapi_conn.commit()
        else:
            cur.execute("PRAGMA query_only = ON")
        cur.close()

    return engine


def test_a_report_on_a_read_only_database_reads_its_facts_and_says_how_old(
        derived, client, accounts, payload, database_url, engine):
    post(client, accounts["officer"], payload("PMK-9"))  # stored, no fact yet
    today = dt.date.today()
    params = Params(today - dt.timedelta(days=1), today + dt.timedelta(days=2), by="submitted")
    read_only = _read_only(database_url)
    try:
        with read_only.connect() as conn:
            report = run("overview", conn, params)
    finally:
        read_only.dispose()
    assert report.table("summary").records()[0]["n"] == 3  # the facts it has
    newest = facts.age(engine.connect())[0]
    assert report.notes[-1] == (f"Read-only database: report facts derived up to "
                                f"{newest:%Y-%m-%d %H:%M} UTC; 1 assessments stored since are "
                                "not counted.")
    with engine.connect() as conn:  # nothing was written
        assert conn.scalar(text("SELECT COUNT(*) FROM assessment_facts")) == 3
    with engine.connect() as conn:  # a writable database derives and counts it, no note
        report = run("overview", conn, params)
    assert report.table("summary").records()[0]["n"] == 4
    assert not any(n.startswith("Read-only") for n in report.notes)


def test_the_migration_adds_the_code_column_and_the_guards_and_takes_them_back(fresh_url):
    from alembic import command
    from sqlalchemy import inspect

    from ews.store.guards import definitions
    from ews.store.migrate import alembic_config, upgrade
    from ews.store.schema import unknown_objects

    def state() -> tuple[bool, set[str]]:
        engine = make_engine(fresh_url)
        try:
            with engine.connect() as conn:
                columns = {c["name"] for c in inspect(conn).get_columns("assessment_facts")}
                if conn.dialect.name == "postgresql":
                    found = set(conn.execute(text(
                        "SELECT tgname FROM pg_trigger t JOIN pg_class c ON c.oid = t.tgrelid "
                        "WHERE c.relname = 'assessment_facts' AND NOT t.tgisinternal "
                        "AND c.relnamespace = current_schema()::regnamespace")).scalars())
                else:
                    found = set(conn.execute(text(
                        "SELECT name FROM sqlite_master WHERE type = 'trigger' AND tbl_name = "
                        "'assessment_facts'")).scalars())
                assert unknown_objects(conn) == []
                assert found <= set(definitions(conn))
        finally:
            engine.dispose()
        return "domicile_desa" in columns, found

    upgrade(fresh_url)
    has_code, guards = state()
    assert has_code and {"ews_guard_assessment_facts_delete",
                         "ews_guard_assessment_facts_oneway"} <= guards
    command.downgrade(alembic_config(fresh_url), "interview_drafts")
    assert state() == (False, set())
    upgrade(fresh_url)
    assert state() == (True, guards)
