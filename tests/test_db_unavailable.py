"""A locked or read-only database: writers get 503 + Retry-After quickly, /readyz says so.

SQLite: another connection holds the write lock, or the database and WAL files become
read-only (immutable for root). PostgreSQL: another connection holds a table lock.
"""

from __future__ import annotations

import contextlib
import os
import sqlite3
import subprocess
import time

import pytest
from sqlalchemy import make_url, text

from ews.store.db import make_engine
from tests.conftest import PG_URL
from tests.test_review_flow import submit  # noqa: F401 - fixture
from tests.test_web_pages import login

PROBLEM = "application/problem+json"
BUSY = 0.5


@pytest.fixture
def app_config(app_config):
    """Use a short busy timeout so that the test waits half a second, not five."""
    return app_config | {"DB_BUSY_TIMEOUT": BUSY}


def unavailable(resp, started: float) -> None:
    assert resp.status_code == 503, resp.get_data(as_text=True)[:300]
    assert int(resp.headers["Retry-After"]) >= 1
    assert time.monotonic() - started < BUSY + 3
    assert "Set-Cookie" not in resp.headers


def check_writes_refused(client, accounts, payload, item) -> None:
    officer, sup = accounts["officer"], accounts["supervisor"]
    t = time.monotonic()
    resp = client.post("/api/v1/assessments", headers=officer.headers, json=payload("LOCK-2"))
    unavailable(resp, t)
    assert resp.mimetype == PROBLEM and "database" in resp.get_json()["detail"]
    t = time.monotonic()
    unavailable(client.post(f"/api/v1/assessments/{item}/decision", headers=sup.headers,
                            json={"decision": "deferred", "reason": "cek"}), t)
    t = time.monotonic()
    ready = client.get("/readyz")
    unavailable(ready, t)
    assert ready.mimetype == PROBLEM
    # Reads still work.
    assert client.get("/api/v1/assessments", headers=officer.headers).status_code == 200


def sqlite_path(database_url: str) -> str:
    return make_url(database_url).database


@pytest.mark.skipif(bool(PG_URL), reason="SQLite file locking")
def test_locked_sqlite_is_503_and_not_ready(app, client, accounts, payload, submit,  # noqa: F811
                                            database_url):
    item = submit("LOCK-1")
    page_client = app.test_client()
    login(page_client, accounts["supervisor"])
    holder = sqlite3.connect(sqlite_path(database_url))
    holder.execute("BEGIN IMMEDIATE")  # another process holds the write lock
    try:
        check_writes_refused(client, accounts, payload, item)
        t = time.monotonic()
        page = page_client.post(f"/review/{item}/decision",
                                data={"decision": "deferred", "reason": "cek"})
        unavailable(page, t)
        assert page.mimetype == "text/html"
        assert "Basis data sedang sibuk" in page.get_data(as_text=True)
    finally:
        holder.rollback()
        holder.close()
    assert client.get("/readyz").status_code == 200
    resp = client.post(f"/api/v1/assessments/{item}/decision",
                       headers=accounts["supervisor"].headers,
                       json={"decision": "deferred", "reason": "cek"})
    assert resp.status_code == 201


@contextlib.contextmanager
def read_only(*paths: str):
    """Make files read-only for this process (immutable when running as root)."""
    root = os.geteuid() == 0
    done = []
    try:
        for path in paths:
            if root:
                if subprocess.run(["chattr", "+i", path], capture_output=True).returncode:
                    pytest.skip("chattr +i is not supported here")
            else:
                os.chmod(path, 0o444)
            done.append(path)
        yield
    finally:
        for path in done:
            if root:
                subprocess.run(["chattr", "-i", path], check=True)
            else:
                os.chmod(path, 0o644)


@pytest.mark.skipif(bool(PG_URL), reason="SQLite files")
def test_read_only_sqlite_is_503_and_not_ready(app, client, accounts, payload,
                                               submit, database_url):  # noqa: F811
    item = submit("RO-1")
    path = sqlite_path(database_url)
    app.extensions["ews_engine"].dispose()  # connections opened from now on see the files
    with read_only(path, path + "-wal"):
        check_writes_refused(client, accounts, payload, item)
        app.extensions["ews_engine"].dispose()
    app.extensions["ews_engine"].dispose()
    assert client.get("/readyz").status_code == 200


@pytest.mark.skipif(not PG_URL, reason="PostgreSQL lock_timeout")
def test_locked_postgresql_is_503_and_not_ready(client, accounts, payload, submit,  # noqa: F811
                                                database_url):
    item = submit("LOCK-PG-1")
    other = make_engine(database_url)
    with other.connect() as conn:
        conn.execute(text("LOCK TABLE audit_head IN ACCESS EXCLUSIVE MODE"))
        check_writes_refused_pg(client, accounts, payload, item)
        conn.rollback()
    other.dispose()
    assert client.get("/readyz").status_code == 200


def check_writes_refused_pg(client, accounts, payload, item) -> None:
    t = time.monotonic()
    resp = client.post("/api/v1/assessments", headers=accounts["officer"].headers,
                       json=payload("LOCK-PG-2"))
    unavailable(resp, t)
    t = time.monotonic()
    unavailable(client.post(f"/api/v1/assessments/{item}/decision",
                            headers=accounts["supervisor"].headers,
                            json={"decision": "deferred", "reason": "cek"}), t)
    t = time.monotonic()
    unavailable(client.get("/readyz"), t)


@pytest.mark.skipif(bool(PG_URL), reason="SQLite writer queue")
def test_writer_queue_wait_is_bounded_too(client, accounts, payload, database_url):
    """Another worker stuck holding the writer queue's file lock: 503, then writes resume."""
    import fcntl

    fd = os.open(sqlite_path(database_url) + "-writer.lock", os.O_RDWR | os.O_CREAT, 0o600)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)
        for n in range(2):  # the second waits too: the first's abandoned wait left no lock
            t = time.monotonic()
            unavailable(client.post("/api/v1/assessments", headers=accounts["officer"].headers,
                                    json=payload(f"QUEUE-{n}")), t)
    finally:
        fcntl.flock(fd, fcntl.LOCK_UN)
        os.close(fd)
    time.sleep(0.1)  # the abandoned helper takes the lock and hands it back
    resp = client.post("/api/v1/assessments", headers=accounts["officer"].headers,
                       json=payload("QUEUE-3"))
    assert resp.status_code == 201


def test_a_new_database_gets_8k_pages_and_an_old_one_keeps_its_own(tmp_path):
    import sqlite3

    from sqlalchemy import text

    from ews.store.db import make_engine

    old = tmp_path / "old.sqlite3"
    with sqlite3.connect(old) as conn:  # a database from before: 4 KiB pages, WAL
        conn.execute("PRAGMA journal_mode=WAL")
        conn.execute("CREATE TABLE t (x)")
    for path, size in ((tmp_path / "new.sqlite3", 8192), (old, 4096)):
        engine = make_engine(f"sqlite:///{path}")
        with engine.begin() as conn:
            conn.execute(text("CREATE TABLE IF NOT EXISTS t (x)"))
            conn.execute(text("INSERT INTO t VALUES (1)"))
            assert conn.execute(text("PRAGMA page_size")).scalar() == size
            assert conn.execute(text("PRAGMA journal_mode")).scalar() == "wal"
        engine.dispose()


@pytest.mark.skipif(not PG_URL, reason="PostgreSQL connection pool")
def test_a_pooled_connection_dropped_while_idle_is_replaced_before_use(database_url,
                                                                       monkeypatch):
    """No ping per request: a connection idle for longer than PING_IDLE is pinged first."""
    from ews.store import db as store_db

    monkeypatch.setattr(store_db, "PING_IDLE", 0.2)
    engine, admin = make_engine(database_url), make_engine(database_url)

    def pid() -> int:
        with engine.connect() as conn:
            return conn.execute(text("SELECT pg_backend_pid()")).scalar()

    first = pid()
    assert pid() == first  # back in the pool and taken again at once: the same one
    with admin.connect() as conn:
        conn.execute(text("SELECT pg_terminate_backend(:p)"), {"p": first})
    time.sleep(0.3)
    assert pid() not in (first, None)  # not an error: pinged, found dead, replaced
    engine.dispose()
    admin.dispose()


@pytest.mark.skipif(not PG_URL, reason="PostgreSQL connection pool")
def test_a_connection_dropped_between_busy_requests_costs_one_503(app, client, accounts,
                                                                  payload, database_url):
    """A connection used within PING_IDLE is not pinged: a server restart fails its next
    request with 503 (not 500), and the request after that gets a new connection."""
    officer, engine = accounts["officer"], app.extensions["ews_engine"]
    post = lambda app_id: client.post("/api/v1/assessments",  # noqa: E731
                                      headers=officer.headers, json=payload(app_id))
    engine.dispose()
    assert post("DROP-1").status_code == 201
    with engine.connect() as conn:  # the pool's one connection, the request's
        pid = conn.execute(text("SELECT pg_backend_pid()")).scalar()
    admin = make_engine(database_url)
    with admin.connect() as conn:  # what a restart does to it
        conn.execute(text("SELECT pg_terminate_backend(:pid)"), {"pid": pid})
    admin.dispose()
    t = time.monotonic()
    unavailable(post("DROP-2"), t)
    assert post("DROP-2").status_code == 201
