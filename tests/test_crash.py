"""Crash test: kill -9 a real gunicorn mid-load; every acknowledged assessment survives once.

Runs gunicorn on the test database - two workers on an SQLite file (the embedded default),
four workers against one PostgreSQL in the PostgreSQL run - sends a few hundred assessments
from concurrent client threads, kills the master and its workers with SIGKILL part-way,
restarts, and checks the store against what the clients were told.
"""

from __future__ import annotations

import http.client
import json
import os
import signal
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest
from sqlalchemy import text

from ews.store import make_engine
from tests.checklists import sound_umrah

ROOT = Path(__file__).resolve().parent.parent
TOTAL, KILL_AFTER, CLIENTS = 300, 120, 8


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def ews(env: dict, *args: str) -> str:
    out = subprocess.run([sys.executable, "-m", "ews.cli", *args], env=env, cwd=ROOT,
                         capture_output=True, text=True, timeout=120)
    assert out.returncode == 0, out.stderr
    return out.stdout


def start(env: dict, port: int, workers: int = 2) -> subprocess.Popen:
    proc = subprocess.Popen([sys.executable, "-m", "gunicorn", "--workers", str(workers),
                             "--bind",
                             f"127.0.0.1:{port}", "ews:create_app()"], env=env, cwd=ROOT,
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                            start_new_session=True)
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            status, _ = request(port, "GET", "/readyz")
            if status == 200:
                return proc
        except OSError:
            pass
        time.sleep(0.1)
    proc.kill()
    raise AssertionError("gunicorn did not become ready")


def request(port: int, method: str, path: str, body=None, token: str | None = None):
    """Send one request to a real server; return (status, JSON body, or the page's text)."""
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=20)
    headers = {"Content-Type": "application/json"}
    if token:
        headers["Authorization"] = f"Bearer {token}"
    try:
        conn.request(method, path, json.dumps(body) if body is not None else None, headers)
        resp = conn.getresponse()
        raw = resp.read()
        return resp.status, (json.loads(raw or b"null") if raw[:1] in (b"", b"{", b"[")
                             else raw.decode())
    finally:
        conn.close()


def answers(i: int) -> dict:
    return sound_umrah(application_id=f"CRASH-{i:04d}", office_code="PMK",
                       nik=f"352801120190{i + 1:04d}", lost_passport_count=i % 3)


@pytest.mark.slow
def test_acknowledged_assessments_survive_kill_9(tmp_path, fresh_url):
    workers = 2 if fresh_url.startswith("sqlite") else 4  # PostgreSQL: four writers at once
    env = os.environ | {"EWS_ENV": "production", "EWS_DATABASE_URL": fresh_url,
                        "EWS_SECRET_KEY": "k" * 40, "EWS_PII_KEY": "p" * 40,
                        "EWS_INSTANCE_PATH": str(tmp_path), "EWS_PASSWORD": "officer-pass-1",
                        "EWS_RULES_PATH": str(ROOT / "rules" / "tppo_pmi.yaml")}
    ews(env, "init")
    ews(env, "user", "add", "crash-officer", "--role", "officer", "--office", "PMK")
    token = ews(env, "token", "create", "crash-officer").strip().splitlines()[-1]
    port = free_port()
    server = start(env, port, workers)

    acked: dict[str, dict] = {}  # application id -> result the client got with a 201/200
    lock, counter = threading.Lock(), iter(range(TOTAL))
    killed = threading.Event()

    def client() -> None:
        while True:
            with lock:
                i = next(counter, None)
            if i is None:
                return
            try:
                status, body = request(port, "POST", "/api/v1/assessments", answers(i), token)
            except OSError:
                continue  # the server is gone: this one was never acknowledged
            assert status in (200, 201), body
            with lock:
                acked[f"CRASH-{i:04d}"] = body
                if len(acked) >= KILL_AFTER and not killed.is_set():
                    killed.set()
                    os.killpg(server.pid, signal.SIGKILL)  # master and workers at once

    threads = [threading.Thread(target=client) for _ in range(CLIENTS)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    server.wait(timeout=10)
    assert killed.is_set() and KILL_AFTER <= len(acked) < TOTAL

    server = start(env, port, workers)  # restart on the same database
    try:
        for app_id, result in acked.items():
            status, stored = request(port, "GET", f"/api/v1/assessments/{result['id']}",
                                     token=token)
            assert status == 200 and stored["application_id"] == app_id
            assert stored["result"] == result
        # Resending everything: acknowledged ones come back unchanged (200), the rest are
        # stored now or were stored just before the kill - never a conflict, never twice.
        for i in range(TOTAL):
            status, body = request(port, "POST", "/api/v1/assessments", answers(i), token)
            assert status in (200, 201), body
            if body["application_id"] in acked:
                assert (status, body) == (200, acked[body["application_id"]])
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        server.wait(timeout=20)

    engine = make_engine(fresh_url)
    with engine.connect() as conn:
        rows = conn.execute(text("SELECT application_id, COUNT(*) FROM assessments "
                                 "GROUP BY application_id")).all()
        if conn.dialect.name == "sqlite":
            assert conn.execute(text("PRAGMA integrity_check")).scalar() == "ok"
    engine.dispose()
    assert len(rows) == TOTAL and all(count == 1 for _, count in rows)
    assert "chain intact" in ews(env, "audit", "verify")


@pytest.mark.slow
def test_ews_serve_binds_where_told_and_stops_cleanly(tmp_path):
    db = tmp_path / "ews.sqlite3"
    port = free_port()
    env = os.environ | {"EWS_ENV": "production", "EWS_DATABASE_URL": f"sqlite:///{db}",
                        "EWS_SECRET_KEY": "k" * 40, "EWS_PII_KEY": "p" * 40,
                        "EWS_INSTANCE_PATH": str(tmp_path), "EWS_BIND": f"127.0.0.1:{port}",
                        "EWS_WORKERS": "1"}
    ews(env, "init")
    proc = subprocess.Popen([sys.executable, "-m", "ews.cli", "serve"], env=env, cwd=ROOT,
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                            start_new_session=True)
    try:
        for _ in range(100):
            try:
                if request(port, "GET", "/readyz")[0] == 200:
                    break
            except OSError:
                time.sleep(0.1)
        status, body = request(port, "GET", "/readyz")
        assert status == 200 and body["checks"]["database"] == "ok"
    finally:
        os.killpg(proc.pid, signal.SIGTERM)
    assert proc.wait(timeout=30) == 0
