"""Benchmark the field kit (issue 27): import of a 10,000-interview bundle <= 10 s, and
`ews field open` to a served login page <= 30 s.

    python benchmarks/bench_field.py [--interviews 10000] [--history 20000] [--url URL]

Setup (not timed): an office database (throwaway SQLite, or the empty PostgreSQL database
`--url` names) with the default rule set, a team and `--history` assessments of the last
90 days (the history keys the kit carries); a kit packed for the team. Timed, each as wall
time (the machine may be shared): `ews field open` plus `ews serve` (one worker) until
`GET /login` answers 200, as the team would do it, in subprocesses; then, after writing
`--interviews` interviews into the field instance through the real validation and scorer
with their decisions, outcomes and audit events (`ews.demo`'s writer, as a field session
would have stored them) and closing it, the import of the bundle (first: everything new;
second: nothing new) in this process, with its CPU time beside the wall time.
"""

from __future__ import annotations

import argparse
import datetime as dt
import http.client
import os
import resource
import signal
import socket
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path

from dbsetup import office_with_rules
from sqlalchemy import func, insert, select
from sqlalchemy.orm import Session

from ews.demo.generate import generate
from ews.demo.plan import Window
from ews.demo.write import Staff, Writer
from ews.engine import ruleset_files
from ews.field.crypto import lock_kit
from ews.field.imports import import_bundle
from ews.field.instance import close
from ews.field.pack import pack
from ews.lifecycle.compiled import active_compiled
from ews.review.sla import SLA
from ews.store import make_engine, pii
from ews.store.migrate import upgrade
from ews.store.models import Assessment, User
from ews.store.users import create_user

ROOT = Path(__file__).resolve().parent.parent
SECRET, PII_KEY, PASSPHRASE = "bench-secret-key-0123456789", "bench-pii-key-0123456789", \
    "bench-passphrase-2026"
IMPORT_TARGET_S, OPEN_TARGET_S = 10.0, 30.0


def log(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


def office(url: str, history: int) -> tuple:
    upgrade(url)
    engine = make_engine(url)
    now = dt.datetime.now(dt.UTC)
    with Session(engine, expire_on_commit=False) as s:
        rs = office_with_rules(s, *ruleset_files(ROOT / "rules" / "tppo_pmi.yaml"))
        admin = create_user(s, "admin-bench", "admin", "PMK", "x")
        for name, role in (("siti", "officer"), ("rudi", "supervisor")):
            create_user(s, name, role, "PMK", "x")
        rows = [dict(id=str(uuid.uuid4()), office_code="PMK", application_id=f"H-{i}",
                     answers_hash=str(i), answers={}, features={}, result={}, score=0,
                     band="low", rung=0, action="proceed", decision_required=False,
                     status="open", ruleset_sha256=rs.sha256, officer_id=admin.id,
                     nik_hash=pii.nik_hash(PII_KEY, f"{10**15 + i:016d}"),
                     phone_hash=pii.phone_hash(PII_KEY, f"0812{i:08d}"),
                     interviewed_at=now - dt.timedelta(minutes=6 * i),
                     created_at=now - dt.timedelta(minutes=6 * i), checklist_version=2,
                     version=1) for i in range(history)]
        for i in range(0, len(rows), 20_000):
            s.execute(insert(Assessment.__table__), rows[i:i + 20_000])
        s.commit()
        payload = pack(s, office_code="PMK", usernames=["siti", "rudi"], days=7, actor=admin,
                       secret=SECRET, pii_key=PII_KEY, office_model_key=None, now=now)
    return engine, payload


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def login_status(port: int) -> int:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
    try:
        conn.request("GET", "/login")
        return conn.getresponse().status
    finally:
        conn.close()


def open_and_serve(kit: Path, folder: Path) -> float:
    """Return the seconds from `ews field open` to the first served login page."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("EWS_")}
    port = free_port()
    env |= {"EWS_FIELD_PASSPHRASE": PASSPHRASE, "EWS_ENV": "production"}
    started = time.perf_counter()
    children = resource.getrusage(resource.RUSAGE_CHILDREN)
    subprocess.run([sys.executable, "-m", "ews.cli", "field", "open", str(kit), "--dir",
                    str(folder)], env=env, cwd=ROOT, check=True, capture_output=True)
    opened = time.perf_counter() - started
    server = subprocess.Popen(
        [sys.executable, "-m", "ews.cli", "serve"], cwd=ROOT, start_new_session=True,
        env=env | {"EWS_INSTANCE_PATH": str(folder), "EWS_BIND": f"127.0.0.1:{port}",
                   "EWS_WORKERS": "1"}, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        while True:
            try:
                if login_status(port) == 200:
                    break
            except OSError:
                pass
            if time.perf_counter() - started > 120:
                raise SystemExit("the field instance did not serve its login page in 120 s")
            time.sleep(0.05)
        total = time.perf_counter() - started
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        server.wait(timeout=30)
    used = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (used.ru_utime + used.ru_stime) - (children.ru_utime + children.ru_stime)
    log(f"open: `ews field open` {opened:.2f} s, to a served login page {total:.2f} s "
        f"(target <= {OPEN_TARGET_S:.0f} s; CPU of the commands and the server, until it "
        f"stopped: {cpu:.2f} s)")
    return total


def field_session(folder: Path, interviews: int) -> bytes:
    """Write `interviews` into the field instance as a session would, close it: the bundle."""
    import json

    settings = json.loads((folder / "field.json").read_text())
    engine = make_engine(f"sqlite:///{folder / 'ews.sqlite3'}")
    with Session(engine, expire_on_commit=False) as s:
        ids = dict(s.execute(select(User.username, User.id)).all())
        staff = Staff({"PMK": [(ids["siti"], "siti")]}, {"PMK": (ids["rudi"], "rudi")})
        start = dt.date.today().replace(day=1)
        writer = Writer(s, ruleset=active_compiled(s), pii_key=PII_KEY, staff=staff,
                        end=dt.datetime.combine(start, dt.time(), tzinfo=dt.UTC))
        written = writer.write(generate(interviews, Window(1, start), ("PMK",), 11))
        log(f"field: {written.assessments} interviews, {written.decisions} decisions, "
            f"{written.outcomes} outcomes written (setup)")
        bundle = close(s, settings, now=dt.datetime.now(dt.UTC))
    engine.dispose()
    return bundle


def timed_import(engine, bundle: bytes, label: str) -> dict:
    sla = SLA.from_config({})
    with Session(engine, expire_on_commit=False) as s:
        admin = s.scalar(select(User).where(User.username == "admin-bench"))
        wall, cpu = time.perf_counter(), time.process_time()
        summary = import_bundle(s, bundle, actor=admin, secret=SECRET, due_at=sla.due_at,
                                now=dt.datetime.now(dt.UTC))
        wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
    out = summary.as_dict()
    log(f"import ({label}): {wall:.2f} s wall, {cpu:.2f} s CPU: {out['assessments']} "
        f"assessments, {out['decisions']} decisions, {out['outcomes']} outcomes, "
        f"{out['events']} events, {out['duplicates']} duplicates "
        f"(target <= {IMPORT_TARGET_S:.0f} s)")
    return {"wall": wall, "cpu": cpu, **out}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--interviews", type=int, default=10_000)
    parser.add_argument("--history", type=int, default=20_000)
    parser.add_argument("--url", help="an empty PostgreSQL database for the office")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        url = args.url or f"sqlite:///{tmp / 'office.sqlite3'}"
        engine, payload = office(url, args.history)
        kit = tmp / "pmk.kit"
        kit.write_bytes(lock_kit(payload, PASSPHRASE))
        log(f"kit: {len(payload['history'])} history keys, {kit.stat().st_size // 1024} KiB")
        opened = open_and_serve(kit, tmp / "laptop")
        bundle = field_session(tmp / "laptop", args.interviews)
        log(f"bundle: {len(bundle) // 1024} KiB")
        first = timed_import(engine, bundle, "first")
        second = timed_import(engine, bundle, "again")
        with Session(engine) as s:
            stored = s.scalar(select(func.count()).select_from(Assessment))
        engine.dispose()
    assert first["assessments"] == args.interviews and second["assessments"] == 0
    assert stored == args.history + args.interviews
    ok = first["wall"] <= IMPORT_TARGET_S and opened <= OPEN_TARGET_S
    print(f"field: open-to-login {opened:.2f} s, import of {args.interviews} interviews "
          f"{first['wall']:.2f} s ({first['cpu']:.2f} s CPU), again {second['wall']:.2f} s: "
          f"{'ok' if ok else 'SLOWER THAN THE TARGET'}")
    sys.exit(0 if ok else 1)


if __name__ == "__main__":
    main()
