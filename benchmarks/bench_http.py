"""HTTP benchmark: EWS under gunicorn vs a bare Flask JSON echo, same workers, same load.

Starts, in this run and on this machine, gunicorn serving EWS (SQLite file, default rule set)
and gunicorn serving a minimal Flask app that echoes a JSON body, with the same worker
settings; drives each with the same load generator (wrk with a Lua script when installed -
`apt-get install wrk` - else a Python client) at 16 concurrent connections, and prints
requests/s, p50 and p99 latency, errors, and the ratio EWS/bare. Every EWS request is a new
assessment (unique application id), so each one scores, writes the row and its audit event,
and commits before answering. Finally counts the stored rows against the 201s.

A third server, "durable", is the bare echo plus what no EWS request can skip: it stores the
body in SQLite with EWS's own settings (WAL, synchronous=FULL, the same writer queue) and
commits before answering. It shows how much of the distance to the bare echo is the durable
write itself. Each run starts the three servers, drives the bare echo, then durable and
EWS in the order durable, EWS, EWS, durable (half the duration each: the machine's speed
drifts, and both halves of the ratio then share the same stretch of time); with --runs N the
figures are medians over N runs (the machine may be shared; single runs vary).

The headline is EWS/durable at 16 connections (target >= 0.5, issue 8). Then, on the same
EWS server, an open-loop phase (openloop.py) offers a constant 100 requests/s for 30 s,
sending on schedule whether or not earlier requests have answered; its p50/p99 count from
the scheduled send time (target p99 <= 25 ms), with errors and rows stored vs 201 responses.

Targets (issue 8): EWS/durable >= 0.5, open-loop p99 <= 25 ms, zero errors, rows stored =
201 responses.

    .venv/bin/python benchmarks/bench_http.py [--duration 10] [--runs 3] [--workers N]
                       [--open-rate 100] [--open-seconds 30] [--write-docs]
                       [--database-url URL | --postgres]

On PostgreSQL (`--database-url`, or `--postgres` to start one from Debian's packages) EWS
stores into it, and the durable echo commits its one row to a table of the same database
(psycopg, one connection per worker, synchronous_commit as the server has it).
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import shutil
import signal
import socket
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from dbsetup import add_arguments, database, is_postgres, label, reset  # noqa: E402
from openloop import applicant_block, nik, run_open_loop  # noqa: E402 - benchmarks/ is the script's folder

from ews.cli.ops import GUNICORN_SETTINGS  # noqa: E402 - after the path set-up
from ews.store.db import SQLITE_PRAGMAS  # noqa: E402
from tests.checklists import sound_umrah  # noqa: E402

ECHO_APP = '''
from flask import Flask, jsonify, request

app = Flask(__name__)


@app.post("/echo")
def echo():
    return jsonify(request.get_json()), 201
'''
DURABLE_APP = '''
import json
import os
import sqlite3

from flask import Flask, jsonify, request

from ews.store.db import SQLITE_PRAGMAS
from ews.store.sqlite_lock import QueuedWriterConnection

app = Flask(__name__)
_conn = []


def db():
    if not _conn:  # one connection per worker, opened after the fork
        conn = sqlite3.connect(os.environ["DURABLE_DB"], timeout=30,
                               factory=QueuedWriterConnection)
        for pragma in SQLITE_PRAGMAS:
            conn.execute(pragma)
        _conn.append(conn)
    return _conn[0]


@app.post("/echo")
def echo():
    body = request.get_json()
    conn = db()
    conn.execute("INSERT INTO echo (body) VALUES (?)", (json.dumps(body),))
    conn.commit()
    return jsonify(body), 201
'''
DURABLE_PG_APP = '''
import json
import os

import psycopg
from flask import Flask, jsonify, request

app = Flask(__name__)
_conn = []


def db():
    if not _conn:  # one connection per worker, opened after the fork
        _conn.append(psycopg.connect(os.environ["DURABLE_PG"]))
    return _conn[0]


@app.post("/echo")
def echo():
    body = request.get_json()
    conn = db()
    conn.execute("INSERT INTO echo (body) VALUES (%s)", (json.dumps(body),))
    conn.commit()
    return jsonify(body), 201
'''
WRK_SCRIPT = r'''
local threads = {}
function setup(thread)
  thread:set("tid", #threads + 1)
  table.insert(threads, thread)
end
function init(args)
  counter, created, other = 0, 0, 0
  wrk.method = "POST"
  wrk.headers["Content-Type"] = "application/json"
  if args[1] then wrk.headers["Authorization"] = "Bearer " .. args[1] end
end
function nik(n)
  return string.format("3578%02d0101%02d%04d", 1 + math.floor(n / 1000000) % 99,
                       math.floor(n / 10000) % 100, 1 + n % 9999)
end
function request()
  counter = counter + 1
  local n = BASE + (tid - 1) * 500000 + counter  -- another applicant every time
  return wrk.format(nil, nil, nil, string.format(TEMPLATE, PREFIX .. tid .. "-" .. counter,
                                                 nik(n), n))
end
function response(status, headers, body)
  if status == 201 then created = created + 1 else other = other + 1 end
end
function done(summary, latency, requests)
  local c, o = 0, 0
  for _, t in ipairs(threads) do c = c + t:get("created"); o = o + t:get("other") end
  local e = summary.errors
  io.write(string.format(
    'RESULT {"requests": %d, "seconds": %f, "p50_us": %d, "p99_us": %d, "created": %d, ' ..
    '"non_201": %d, "socket_errors": %d}\n', summary.requests, summary.duration / 1e6,
    latency:percentile(50), latency:percentile(99), c, o,
    e.connect + e.read + e.write + e.timeout))
end
'''


def free_port() -> int:
    """Return a free loopback port."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def template(marker: str) -> str:
    """Return the checklist JSON with %s for the application id and the NIK, %010d for the phone.

    Every request is another applicant: with one NIK for all, the history features would
    count an ever-growing set of earlier assessments of "the same person".
    """
    body = json.dumps(sound_umrah(application_id=marker, office_code="PMK",
                                  nik="NIKMARKER", phone="+62PHONEMARKER"))
    assert "%" not in body
    return (body.replace(marker, "%s").replace("NIKMARKER", "%s")
            .replace("PHONEMARKER", "8%010d"))


def start(app: str, port: int, workers: int, env: dict, cwd: Path) -> subprocess.Popen:
    """Start gunicorn and wait until it answers."""
    proc = subprocess.Popen([sys.executable, "-m", "gunicorn", "--workers", str(workers),
                             *GUNICORN_SETTINGS, "--bind", f"127.0.0.1:{port}", app],
                            env=env, cwd=cwd,
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                            start_new_session=True)
    answered = 0
    for _ in range(600):  # every worker booted: as many answers in a row as workers, twice
        try:
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=1)
            conn.request("GET", "/healthz")
            conn.getresponse().read()
            conn.close()
            answered += 1
            if answered >= 2 * workers:
                return proc
        except OSError:
            answered = 0
            time.sleep(0.1)
    raise SystemExit(f"gunicorn {app} did not start")


def stop(proc: subprocess.Popen) -> None:
    """Stop gunicorn (master and workers)."""
    os.killpg(proc.pid, signal.SIGTERM)
    proc.wait(timeout=30)


def run_wrk(url: str, seconds: int, conns: int, body: str, prefix: str,
            token: str | None) -> dict:
    """Drive `url` with wrk; return its figures."""
    with tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False) as fh:
        fh.write(f"TEMPLATE = {json.dumps(body)}\nPREFIX = {json.dumps(prefix)}\n"
                 f"BASE = {applicant_block()}\n" + WRK_SCRIPT)
    # A slow answer is not an error: wait as long as gunicorn lets a worker run (30 s).
    cmd = ["wrk", "-t", "2", "-c", str(conns), "-d", f"{seconds}s", "--timeout", "30s", "-s",
           fh.name, url]
    if token:
        cmd += ["--", token]
    out = subprocess.run(cmd, capture_output=True, text=True, check=True).stdout
    os.unlink(fh.name)
    line = next(line for line in out.splitlines() if line.startswith("RESULT "))
    data = json.loads(line[len("RESULT "):])
    return {"rps": data["requests"] / data["seconds"], "p50_ms": data["p50_us"] / 1000,
            "p99_ms": data["p99_us"] / 1000, "created": data["created"],
            "errors": data["non_201"] + data["socket_errors"], "requests": data["requests"]}


def run_python(url: str, seconds: int, conns: int, body: str, prefix: str,
               token: str | None) -> dict:
    """Drive `url` with keep-alive connections from threads; return the figures."""
    host, port_path = url.split("//", 1)[1].split(":", 1)
    port, path = port_path.split("/", 1)
    headers = {"Content-Type": "application/json"}
    if token:
        headers["Authorization"] = f"Bearer {token}"
    latencies, created, errors = [], [0], [0]
    lock, deadline = threading.Lock(), time.perf_counter() + seconds
    base, stride = applicant_block(), 1_000_000 // max(conns, 1)  # a share per thread

    def worker(tid: int) -> None:
        conn, n, mine = http.client.HTTPConnection(host, int(port), timeout=30), 0, []
        while time.perf_counter() < deadline:
            n += 1
            started = time.perf_counter()
            try:
                number = base + tid * stride + n  # another applicant every time
                conn.request("POST", "/" + path, body % (f"{prefix}{tid}-{n}", nik(number), number),
                             headers)
                resp = conn.getresponse()
                resp.read()
                ok = resp.status == 201
            except OSError:
                conn.close()
                conn, ok = http.client.HTTPConnection(host, int(port), timeout=30), False
            mine.append(time.perf_counter() - started)
            with lock:
                created[0] += ok
                errors[0] += not ok
        with lock:
            latencies.extend(mine)

    began = time.perf_counter()
    threads = [threading.Thread(target=worker, args=(i,)) for i in range(conns)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    elapsed = time.perf_counter() - began
    latencies.sort()
    pick = lambda q: latencies[min(len(latencies) - 1, int(q * len(latencies)))] * 1000  # noqa: E731
    return {"rps": len(latencies) / elapsed, "p50_ms": pick(0.50), "p99_ms": pick(0.99),
            "created": created[0], "errors": errors[0], "requests": len(latencies)}


SERVERS = ("bare", "durable", "ews")


def main() -> None:
    """Run the benchmark and print (optionally record) the figures."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--duration", type=int, default=10, help="seconds per server and run")
    parser.add_argument("--runs", type=int, default=3, help="runs; figures are medians")
    parser.add_argument("--connections", type=int, default=16)
    parser.add_argument("--workers", type=int, default=os.cpu_count() or 1,
                        help="sync workers of every server (default: one per CPU, as ews serve)")
    parser.add_argument("--python-client", action="store_true", help="do not use wrk")
    parser.add_argument("--open-rate", type=float, default=100,
                        help="open-loop requests/s offered to EWS (0: skip that phase)")
    parser.add_argument("--open-seconds", type=float, default=30)
    parser.add_argument("--write-docs", action="store_true",
                        help="write the figures into docs/performance.md (## HTTP)")
    add_arguments(parser)
    args = parser.parse_args()
    tmp = Path(tempfile.mkdtemp(prefix="ews-bench-"))
    with database(args, tmp / "ews.sqlite3") as url:
        bench(args, tmp, url)


def count(url: str, prefix: str) -> int:
    """Return how many assessments of this run's `prefix` the database holds."""
    from sqlalchemy import text

    from ews.store import make_engine

    engine = make_engine(url)
    with engine.connect() as conn:
        n = conn.execute(text("SELECT COUNT(*) FROM assessments WHERE application_id LIKE :p"),
                         {"p": prefix + "%"}).scalar()
    engine.dispose()
    return n


def bench(args, tmp: Path, url: str) -> None:
    """Set the database and servers up, drive them `--runs` times, report."""
    drive = run_python if args.python_client or not shutil.which("wrk") else run_wrk
    pg = is_postgres(url)
    if pg:
        reset(url)
    env = os.environ | {"EWS_ENV": "production", "EWS_DATABASE_URL": url,
                        "EWS_SECRET_KEY": "b" * 40, "EWS_PII_KEY": "p" * 40,
                        "EWS_INSTANCE_PATH": str(tmp), "EWS_PASSWORD": "load-test-passphrase-7",
                        "DURABLE_DB": str(tmp / "durable.sqlite3"), "PYTHONPATH": str(ROOT),
                        "DURABLE_PG": url.replace("postgresql+psycopg://", "postgresql://")}
    args.database = label(url)
    ews = [sys.executable, "-m", "ews.cli"]
    for cmd in (["init"], ["user", "add", "bench", "--role", "officer", "--office", "PMK"]):
        subprocess.run(ews + cmd, env=env, cwd=ROOT, check=True, capture_output=True)
    token = subprocess.run(ews + ["token", "create", "bench"], env=env, cwd=ROOT, check=True,
                           capture_output=True, text=True).stdout.strip().splitlines()[-1]
    (tmp / "echo_app.py").write_text(ECHO_APP)
    (tmp / "durable_app.py").write_text(DURABLE_PG_APP if pg else DURABLE_APP)
    if pg:
        import psycopg

        with psycopg.connect(env["DURABLE_PG"]) as conn:
            conn.execute("CREATE TABLE echo (id BIGSERIAL PRIMARY KEY, body TEXT NOT NULL)")
    else:
        with sqlite3.connect(env["DURABLE_DB"]) as conn:
            for pragma in SQLITE_PRAGMAS:  # created with EWS's settings (its page size too)
                conn.execute(pragma)
            conn.execute("CREATE TABLE echo (id INTEGER PRIMARY KEY, body TEXT NOT NULL)")
    body = template("APPID-MARKER")
    servers = {"bare": ("echo_app:app", tmp, "echo", None),
               "durable": ("durable_app:app", tmp, "echo", None),
               "ews": ("ews:create_app()", ROOT, "api/v1/assessments", token)}
    runs = []
    load_before = os.getloadavg()[0]
    for run in range(1, args.runs + 1):
        procs, urls = {}, {}
        try:
            for name in SERVERS:  # all three up (idle ones cost nothing), then measured
                app, cwd, path, _ = servers[name]
                port = free_port()
                procs[name] = start(app, port, args.workers, env, cwd)
                urls[name] = f"http://127.0.0.1:{port}/{path}"
            results = measure(drive, urls, servers, args, body, run)
        finally:
            for proc in procs.values():
                stop(proc)
        results["stored"] = count(url, f"BENCH{run}-")
        results["open_stored"] = count(url, f"OPEN{run}-")
        print(f"run {run}: " + ", ".join(f"{n} {results[n]['rps']:.0f}/s p99 "
                                         f"{results[n]['p99_ms']:.1f} ms" for n in SERVERS)
              + (f"; open loop p99 {results['open']['p99_ms']:.1f} ms"
                 if "open" in results else ""), flush=True)
        runs.append(results)
    shutil.rmtree(tmp, ignore_errors=True)
    args.load = (load_before, os.getloadavg()[0])
    report(runs, args, drive.__name__ == "run_wrk")


def measure(drive, urls: dict, servers: dict, args, body: str, run: int) -> dict:
    """Drive the three running servers; durable and EWS in the order A B B A.

    The machine's speed drifts over tens of seconds (it is shared, and virtual): measuring
    durable, EWS, EWS, durable, each for half the duration, puts both halves of the ratio
    on the same stretch of time.
    """
    for name in SERVERS:
        drive(urls[name], 2, args.connections, body, f"WARM{run}-{name}-", servers[name][3])
    half = max(1, args.duration // 2)
    parts: dict[str, list[dict]] = {name: [] for name in SERVERS}
    plan = [("bare", args.duration), ("durable", half), ("ews", half), ("ews", half),
            ("durable", half)]
    for step, (name, seconds) in enumerate(plan):
        parts[name].append(drive(urls[name], seconds, args.connections, body,
                                 f"BENCH{run}-{name}-{step}-", servers[name][3]))
    results = {name: _combined(parts[name]) for name in SERVERS}
    if args.open_rate:
        time.sleep(1)  # let the closed-loop backlog drain
        results["open"] = run_open_loop(urls["ews"], args.open_rate, args.open_seconds, body,
                                        f"OPEN{run}-", servers["ews"][3])
    return results


def _combined(parts: list[dict]) -> dict:
    """Return the figures of consecutive phases of one server as one phase."""
    requests = sum(p["requests"] for p in parts)
    seconds = sum(p["requests"] / p["rps"] for p in parts)
    return {"rps": requests / seconds, "requests": requests,
            "p50_ms": sum(p["p50_ms"] * p["requests"] for p in parts) / requests,
            "p99_ms": max(p["p99_ms"] for p in parts),  # the worse phase: conservative
            "created": sum(p["created"] for p in parts),
            "errors": sum(p["errors"] for p in parts)}


def report(runs: list[dict], args, wrk: bool) -> None:
    """Print the figures (medians over the runs) and the verdicts; write them when asked."""
    med = {name: {key: statistics.median(r[name][key] for r in runs)
                  for key in ("rps", "p50_ms", "p99_ms")} for name in SERVERS}
    ratios = [r["ews"]["rps"] / r["durable"]["rps"] for r in runs]
    ratio = statistics.median(ratios)
    opened = [r["open"] for r in runs if "open" in r]
    # wrk stops with one request per connection possibly in flight: those are stored
    # (they committed) but never counted as answered; EWS is driven in two phases a run.
    slack = 2 * args.connections if wrk else 0
    checks = {"EWS/durable >= 0.5": ratio >= 0.5,
              "zero errors": all(r[n]["errors"] == 0 for r in runs for n in SERVERS)
              and all(o["errors"] == 0 for o in opened),
              "rows stored = 201 responses": all(
                  0 <= r["stored"] - r["ews"]["created"] <= slack for r in runs)
              and all(r["open_stored"] == r["open"]["created"] for r in runs if "open" in r)}
    if opened:
        checks["open-loop p99 <= 25 ms"] = statistics.median(o["p99_ms"] for o in opened) <= 25
    lines = [
        f"Load: {'wrk' if wrk else 'Python threads'}, {args.connections} connections, "
        f"{args.duration} s per server and run, {len(runs)} runs (medians below); gunicorn "
        f"sync workers: {args.workers}, settings of ews serve; {os.cpu_count()} CPUs; "
        + ("SQLite (WAL, synchronous=FULL)" if args.database == "SQLite" else
           f"{args.database} on the same host, fsync on")
        + f"; load average {args.load[0]:.1f} before, {args.load[1]:.1f} after "
        "(other work on the machine: everything above 0 is competition for the 2 CPUs).", "",
        f"**EWS/durable: {ratio:.2f}** (runs: {_span(ratios, '.2f')}; target >= 0.5).", "",
        "| server | requests/s | p50 ms | p99 ms | errors | requests |",
        "|---|---|---|---|---|---|",
    ]
    for name in SERVERS:
        m = med[name]
        lines.append(f"| {name} | {m['rps']:.0f} | {m['p50_ms']:.1f} | {m['p99_ms']:.1f} | "
                     f"{sum(r[name]['errors'] for r in runs)} | "
                     f"{sum(r[name]['requests'] for r in runs)} |")
    durable = statistics.median(r["durable"]["rps"] / r["bare"]["rps"] for r in runs)
    bare = statistics.median(r["ews"]["rps"] / r["bare"]["rps"] for r in runs)
    lines += [
        "", f"EWS/bare: {bare:.2f}; durable/bare: {durable:.2f}. EWS p99 by run: "
        f"{_span([r['ews']['p99_ms'] for r in runs], '.1f')} ms.",
        f"Rows stored: {sum(r['stored'] for r in runs)}; 201 responses: "
        f"{sum(r['ews']['created'] for r in runs)} (difference: requests in flight when the "
        "load generator stopped, at most one per connection and phase)."]
    if opened:
        p99s = [o["p99_ms"] for o in opened]
        lines += [
            "", f"Open loop (EWS, {args.open_rate:.0f} requests/s offered for "
            f"{args.open_seconds:.0f} s, latency from the scheduled send time; medians over "
            f"{len(opened)} runs): p50 {statistics.median(o['p50_ms'] for o in opened):.1f} ms, "
            f"**p99 {statistics.median(p99s):.1f} ms** (runs: {_span(p99s, '.1f')}), max "
            f"{max(o['max_ms'] for o in opened):.0f} ms; errors "
            f"{sum(o['errors'] for o in opened)}; rows stored "
            f"{sum(r['open_stored'] for r in runs if 'open' in r)} = 201 responses "
            f"{sum(o['created'] for o in opened)}; late sends by the generator "
            f"{sum(o['late_sends'] for o in opened)}."]
    lines += ["", "Targets: " + ", ".join(f"{k}: {'met' if v else 'NOT met'}"
                                         for k, v in checks.items()) + "."]
    text = "\n".join(lines)
    print(text)
    if args.write_docs:
        write_docs(text, args.database)


def _span(values: list[float], fmt: str) -> str:
    return f"{min(values):{fmt}}-{max(values):{fmt}}"


NOTE = """
Reading the figures. Each EWS request authenticates a bearer token, validates the whole
checklist, computes the history features from the log, scores (twice when a version is in
shadow), and commits the assessment and its sealed audit event before answering: seven SQL
statements (token; office with the live and shadow versions; history; the assessment; three
for the audit chain) and the commit. The bare app parses and echoes JSON. The durable app
echoes too, but first inserts the body into SQLite with EWS's own settings and commits: one
statement and one commit, nothing else. The durable/bare ratio is the ceiling for any
server that makes a write durable before it answers: a commit with `synchronous=FULL` waits
for an fsync of the write-ahead log, and commits from both workers queue for the write lock
(`synchronous=NORMAL` would not survive a power loss; it is not done).

EWS is CPU-bound: its two workers keep the CPUs ~88% busy at ~2.0 ms of machine CPU per
submission on the machine of 2026-12-07 (slower than that of 2026-11-24: bare echo ~3,900/s
there vs ~6,000/s, EWS ~1.45 ms), where durable, at ~0.8 ms, waits on the fsync and the
lock with the CPUs ~60% busy. A submission's CPU goes to the SQLite statements and the
commit (~25%, system calls included: each transaction starts with a cold page cache after
the other worker's commit, ~34 page reads, and ~11 pages written to the log; a commit costs
~100 us of CPU for its fsync and ~12-15 us per page), gunicorn's HTTP handling (~15%), Flask
and its extensions (~10-15%), validation and JSON parsing (~10%), the audit seal and event
(~8%), authentication (~6%), scoring (~6%) and the rest (keyed hashes, history, the log
line). Statements on the submission path run on the DB-API cursor, compiled once per
dialect by SQLAlchemy (`ews/store/direct.py`), on the request's connection without an ORM
session (`get_db`), and the shadow version is scored before the write lock is taken. The
round of 2026-11-24 gained about 10% (A/B over interleaved runs): validation through each
field's steps without marshmallow's per-call bookkeeping (67 -> 32 us), security headers and
the access log as WSGI middleware, no ORM session for an API submission, canonical JSON of
flat lists through orjson, one report-facts index instead of two, and 8 KiB pages for new
databases. The round of 2026-12-07: a submission no longer writes its report-fact row; the
facts are derived in bulk before a report reads them (docs/reports.md), which takes four
B-trees out of every commit (12 pages written instead of 16, ~8 fewer page reads) and ~3%
of a submission's user-space instructions (callgrind, deterministic on this noisy machine);
and the supervisor queue and the decided cases read two partial indexes (one per status)
instead of an index over every row, so an assessment that needs no decision writes one
page less.
Tried and not kept: a writer process committing several requests per fsync (with two sync
workers a batch averaged 1.05 requests and the CPUs idled more), gthread workers (durable
rises to ~3,000/s, EWS falls to ~420/s), three sync workers (the CPUs stay ~88% busy while
a submission's CPU rises from ~2.0 to ~2.4-2.6 ms: more commits of other workers between
its statements, more lock waits and context switches), memory-mapped reads (they save the
~10 preads a submission makes from the database file, the rest come from the write-ahead
log, but cost ~5 page faults each as the map follows the file, which grows at every
checkpoint: more CPU per request in perf stat on this virtual machine), `WITHOUT ROWID` for
the facts. What is left is spread thin, and single runs of the ratio vary by about +-0.05.

The open-loop phase is the honest latency figure: wrk keeps 16 requests in flight and
measures from the moment it sends, so with sync workers its p99 is mostly queueing (Little's
law: 16 / throughput) and a stall hides by sending less. At 100 requests/s, far below
capacity, p99 shows what an officer waits when the service is not saturated, stalls of
the fsync and of the other workers included. One sync worker per CPU is the default (as
`ews serve`). This machine is a shared virtual one whose speed drifts over tens of seconds;
EWS, CPU-bound, feels that more than durable. Hence durable and EWS measured A B B A within
each run, and medians over runs.
"""


def write_docs(text: str, database: str) -> None:
    """Replace the '## HTTP' section (SQLite) or '## HTTP on PostgreSQL' of
    docs/performance.md (other sections stay)."""
    path = ROOT / "docs" / "performance.md"
    old = path.read_text() if path.exists() else "# Performance\n"
    heading = "## HTTP" if database == "SQLite" else "## HTTP on PostgreSQL"
    head, sep, rest = old.partition(f"\n{heading}\n")
    tail = ""
    if sep:
        nxt = rest.find("\n## ")
        tail = rest[nxt:] if nxt >= 0 else ""
    flag = "" if database == "SQLite" else " --postgres"
    section = (f"\n{heading}\n\nMeasured by `benchmarks/bench_http.py --write-docs{flag}` "
               f"({time.strftime('%Y-%m-%d')}).\n\n{text}\n"
               + (NOTE if database == "SQLite" else ""))
    path.write_text(head.rstrip("\n") + "\n" + section + tail)


if __name__ == "__main__":
    main()
