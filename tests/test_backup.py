"""Backup and restore end to end: a restored copy verifies and serves (SQLite: `ews backup`
and `ews restore`; PostgreSQL: pg_dump, pg_restore into a fresh database, `ews audit verify`)."""

from __future__ import annotations

import sqlite3
import subprocess
import uuid
from pathlib import Path
from urllib.parse import unquote

import pytest
from sqlalchemy import make_url, text

from ews import create_app
from ews.store import make_engine
from tests.conftest import PG_URL
from tests.test_audit import cli  # noqa: F401 - a fixture

sqlite_only = pytest.mark.skipif(bool(PG_URL), reason="ews backup handles SQLite files")


@pytest.fixture
def data(client, accounts, payload):
    """Store two assessments, one decided; return the officer account."""
    officer = accounts["officer"]
    ids = [client.post("/api/v1/assessments", json=payload(f"BK-{i}", risky=i == 0),
                       headers=officer.headers).get_json()["id"] for i in range(2)]
    resp = client.post(f"/api/v1/assessments/{ids[0]}/decision",
                       headers=accounts["supervisor"].headers,
                       json={"decision": "deferred", "reason": "Perlu verifikasi"})
    assert resp.status_code == 201
    return officer


def serves(app_config: dict, url: str, officer) -> None:
    """Assert that an app on `url` is ready and lists the two assessments."""
    app = create_app(app_config | {"DATABASE_URL": url})
    try:
        client = app.test_client()
        assert client.get("/readyz").status_code == 200
        listing = client.get("/api/v1/assessments", headers=officer.headers).get_json()
        assert sorted(i["application_id"] for i in listing["items"]) == ["BK-0", "BK-1"]
    finally:
        app.extensions["ews_engine"].dispose()


@sqlite_only
def test_backup_checks_and_a_restored_copy_verifies_and_serves(cli, data, tmp_path,  # noqa: F811
                                                               app_config):
    copy = tmp_path / "backup.sqlite3"
    made = cli("backup", str(copy))
    assert made.exit_code == 0, made.output
    assert made.output.startswith(f"ok: {copy}:") and "2 assessments" in made.output
    assert copy.stat().st_mode & 0o777 == 0o600
    assert cli("backup", str(copy)).exit_code == 1  # never overwrites
    missing = cli("backup", str(tmp_path / "no" / "such.sqlite3"))
    assert missing.exit_code == 1 and "no folder" in missing.output
    checked = cli("restore", str(copy), "--check")
    assert checked.exit_code == 0 and checked.output.startswith("ok:")

    target = tmp_path / "restored" / "ews.sqlite3"
    url = f"sqlite:///{target}"
    restored = cli("restore", str(copy), EWS_DATABASE_URL=url)
    assert restored.exit_code == 0, restored.output
    assert cli("audit", "verify", EWS_DATABASE_URL=url).exit_code == 0
    serves(app_config, url, data)
    again = cli("restore", str(copy), EWS_DATABASE_URL=url)
    assert again.exit_code == 1 and "exists" in again.output


@sqlite_only
def test_check_names_a_tampered_backup(cli, data, tmp_path):  # noqa: F811
    copy = tmp_path / "backup.sqlite3"
    assert cli("backup", str(copy)).exit_code == 0
    with sqlite3.connect(copy) as conn:  # past the triggers, as the file's owner can
        conn.execute("INSERT INTO audit_maintenance VALUES (1, 'x', CURRENT_TIMESTAMP)")
        conn.execute("UPDATE decisions SET decision = 'issued'")
        conn.execute("DELETE FROM audit_maintenance")
    checked = cli("restore", str(copy), "--check")
    assert checked.exit_code == 1
    assert "FAILED" in checked.output and "decisions row 1: decision differ" in checked.output
    target = tmp_path / "restored.sqlite3"
    refused = cli("restore", str(copy), EWS_DATABASE_URL=f"sqlite:///{target}")
    assert refused.exit_code == 1 and not target.exists()


@sqlite_only
@pytest.mark.parametrize("spoil, message", [
    (lambda path: path.write_bytes(b"not a database" * 100), "cannot read"),
    (lambda path: sqlite3.connect(path).execute(
        "UPDATE alembic_version SET version_num = '0001'").connection.commit(),
     "migration level 0001"),
])
def test_check_refuses_a_broken_file(cli, data, tmp_path, spoil, message):  # noqa: F811
    copy = tmp_path / "backup.sqlite3"
    assert cli("backup", str(copy)).exit_code == 0
    spoil(copy)
    checked = cli("restore", str(copy), "--check")
    assert checked.exit_code == 1 and message in checked.output


def test_backup_of_postgresql_points_to_pg_dump(cli, tmp_path):  # noqa: F811
    result = cli("backup", str(tmp_path / "x"), EWS_DATABASE_URL="postgresql+psycopg://h/db")
    assert result.exit_code == 1 and "pg_dump" in result.output


def _pg_bin(name: str) -> str:
    found = sorted(Path("/usr/lib/postgresql").glob(f"*/bin/{name}"))
    if not found:
        pytest.skip(f"{name} not installed")
    return str(found[-1])


@pytest.mark.skipif(not PG_URL, reason="needs EWS_TEST_DATABASE_URL (PostgreSQL)")
def test_postgresql_dump_restore_verifies_and_serves(cli, data, database_url, tmp_path,  # noqa: F811
                                                     app_config):
    schema = unquote(make_url(database_url).query["options"]).split("search_path=")[1]
    libpq = make_url(PG_URL).set(drivername="postgresql").render_as_string(hide_password=False)
    dump = tmp_path / "ews.dump"
    subprocess.run([_pg_bin("pg_dump"), "--format=custom", f"--schema={schema}",
                    f"--file={dump}", libpq], check=True)
    fresh = f"ews_restore_{uuid.uuid4().hex[:8]}"
    admin = make_engine(PG_URL).execution_options(isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{fresh}"'))
    try:
        target = make_url(PG_URL).set(database=fresh)
        subprocess.run([_pg_bin("pg_restore"), "--no-owner", "--exit-on-error",
                        f"--dbname={target.set(drivername='postgresql').render_as_string(False)}",
                        str(dump)], check=True)
        url = (target.render_as_string(hide_password=False)
               + f"?options=-csearch_path%3D{schema}")
        verified = cli("audit", "verify", EWS_DATABASE_URL=url)
        assert verified.exit_code == 0, verified.output
        serves(app_config, url, data)
    finally:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE "{fresh}" WITH (FORCE)'))
        admin.dispose()
