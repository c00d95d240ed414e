"""Benchmark the backtest over 1,000,000 stored assessments (SQLite or PG), and shadow overhead.

Generates the rows once (realistic synthetic answers, bulk inserts; kept with --db), then:
the backtest end to end (read, parse, score both versions, aggregate) against the target of
30 s, beside scoring a 10,000-row sample one record at a time with `score()` (the ratio is
printed); the peak memory of the backtest; and the median time of a submission with and
without a version in shadow.

    python benchmarks/bench_backtest.py [--rows 1000000] [--db PATH] [--write docs/performance.md]
        [--database-url URL | --postgres]

On PostgreSQL the rows are written with COPY, the baseline is a bare `COPY (SELECT ...) TO
STDOUT` of the columns the backtest reads, and the shadow overhead (a SQLite figure of the
submission path) is not measured.
"""

from __future__ import annotations

import argparse
import datetime as dt
import importlib
import json
import os
import random
import statistics
import sys
import tempfile
import threading
import time
import uuid
from pathlib import Path

import yaml
from dbsetup import add_arguments, copy_out, copy_rows, database, is_postgres, label, reset
from sqlalchemy import text as sql

from ews.checklist import validate_checklist, with_agencies
from ews.demo.frame import payloads
from ews.engine import SHIPPED_RULES, parse_ruleset, ruleset_files
from ews.engine.loader import RuleLoader
from ews.lifecycle.backtest import stored_record
from ews.scoring import score
from ews.store import make_engine
from ews.store.migrate import upgrade
from ews.store.pii import derived_features, storable_answers

TEMPLATES = 20_000
OFFICES = ("PMK", "SMP", "SBY", "JKT", "MDN")
OUTCOMES = {"confirmed_trafficking": 2, "confirmed_nonprocedural": 3,
            "intercepted_at_border": 1, "legitimate_travel_confirmed": 60,
            "no_information": 34}
TARGET_S = 30.0  # 1,000,000 rows; a national year (5,000,000 rows) on PostgreSQL: 120 s
NATIONAL_TARGET_S = 120.0
WORKERS = 2  # as `ews backtest` by default: one process per core of this machine


def shipped() -> tuple[str, str | None]:
    """Return the shipped rule set's text and the P3MI list it names."""
    return ruleset_files(SHIPPED_RULES)


def candidate_text(base: str) -> str:
    """Return the default rule set with every non-protective weak indicator doubled."""
    doc = yaml.load(base, Loader=RuleLoader)  # noqa: S506 - a SafeLoader subclass
    doc["ruleset"]["version"] = str(doc["ruleset"]["version"]) + "-bench"
    for ind in doc["indicators"]:
        if not ind.get("protective") and ind.get("severity") == "weak":
            ind["points"] = min(100, ind["points"] * 2)
    return yaml.safe_dump(doc, sort_keys=False, allow_unicode=True)


def generate(url: str, rows: int) -> None:
    """Create a migrated database holding `rows` scored assessments (bulk inserts, COPY on
    PostgreSQL)."""
    if is_postgres(url):
        reset(url)
    upgrade(url)
    base_text, agencies = shipped()
    live = parse_ruleset(base_text, agencies=agencies)
    engine = make_engine(url)
    from sqlalchemy.orm import Session

    from ews.auth.passwords import hash_password
    from ews.lifecycle.service import activate_ruleset, register_ruleset
    from ews.store.users import create_user

    with Session(engine) as db:
        activate_ruleset(db, register_ruleset(db, base_text, None, agencies=agencies), None)
        user = create_user(db, "bench", "officer", "PMK", hash_password("bench-password-1"))
        db.commit()
        officer = user.id
    engine.dispose()
    rng = random.Random(7)
    templates = []
    for payload in payloads(TEMPLATES, seed=11):
        record = with_agencies(validate_checklist(payload, now=dt.datetime.now(dt.UTC)),
                               live.agencies)
        record |= {"prior_supervisor_decision": rng.random() < 0.01,
                   "last_decided_by_supervisor": False,
                   "repeat_applications_30d": rng.choice([1, 1, 1, 2]),
                   "phone_shared_30d": rng.choice([1, 1, 1, 2, 3])}
        result = score(record, live)
        answers = storable_answers(record) | {"application_id": "@APP@"}
        templates.append((json.dumps(answers), json.dumps(derived_features(record)),
                          result["score"], result["band"], result["recommended_action"]["rung"],
                          result["recommended_action"]["id"], result["decision_required"]))
    engine = make_engine(url)
    conn = engine.connect()
    if not is_postgres(url):
        conn.exec_driver_sql("PRAGMA synchronous=OFF")
    start = dt.datetime(2024, 1, 1, tzinfo=dt.UTC)
    span = 3 * 365 * 86400
    batch, outcomes = [], []
    for i in range(rows):
        a, f, sc, band, rung, action, required = templates[i % TEMPLATES]
        at = start + dt.timedelta(seconds=span * i // rows)
        stamp = at.strftime("%Y-%m-%d %H:%M:%S.%f") + ("+00" if is_postgres(url) else "")
        aid = str(uuid.UUID(int=rng.getrandbits(128), version=4))
        office = OFFICES[i % len(OFFICES)]
        batch.append((aid, office, f"B-{i:08d}", "0" * 64, a.replace("@APP@", f"B-{i:08d}"),
                      f, "{}", sc, band, rung, action, required,
                      "decided" if required else "open", live.sha256, officer, stamp, stamp,
                      2, 1))
        if rng.random() < 0.02:
            label = rng.choices(list(OUTCOMES), weights=OUTCOMES.values())[0]
            outcomes.append((aid, label, officer, stamp))
        if len(batch) == 50_000:
            _flush(conn, batch, outcomes)
    _flush(conn, batch, outcomes)
    if is_postgres(url):
        conn.commit()
        conn.execution_options(isolation_level="AUTOCOMMIT").exec_driver_sql("VACUUM ANALYZE")
    conn.close()
    engine.dispose()


ASSESSMENT_COLUMNS = ("id", "office_code", "application_id", "answers_hash", "answers",
                      "features", "result", "score", "band", "rung", "action",
                      "decision_required", "status", "ruleset_sha256", "officer_id",
                      "interviewed_at", "created_at", "checklist_version", "version")


def _flush(conn, batch: list, outcomes: list) -> None:
    for office in OFFICES:
        conn.execute(sql("INSERT INTO offices (code, name, created_at) VALUES "
                         "(:c, :c, '2024-01-01') ON CONFLICT DO NOTHING"), {"c": office})
    copy_rows(conn, "assessments", ASSESSMENT_COLUMNS, batch)
    copy_rows(conn, "outcomes", ("assessment_id", "outcome", "recorded_by", "recorded_at"),
              outcomes)
    conn.commit()
    batch.clear()
    outcomes.clear()


class PeakRSS:
    """Sample the resident set size every 50 ms in a thread (Linux /proc)."""

    def __init__(self) -> None:
        self.peak, self._stop = 0, threading.Event()

    @staticmethod
    def now() -> int:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) * 1024
        return 0

    def __enter__(self):
        self.start = self.now()
        self.thread = threading.Thread(target=self._run, daemon=True)
        self.thread.start()
        return self

    def _run(self) -> None:
        while not self._stop.wait(0.05):
            self.peak = max(self.peak, self.now())

    def __exit__(self, *exc) -> None:
        self._stop.set()
        self.thread.join()
        self.peak = max(self.peak, self.now())


def per_record(url: str, n: int) -> float:
    """Return seconds to score `n` stored rows one at a time with score() (both versions)."""
    engine = make_engine(url)
    with engine.connect() as conn:
        rows = conn.execute(sql("SELECT answers, features FROM assessments LIMIT :n"),
                            {"n": n}).all()
    engine.dispose()
    text, agencies = shipped()
    base = parse_ruleset(text, agencies=agencies)
    cand = parse_ruleset(candidate_text(base.text), agencies=agencies)
    start = time.perf_counter()
    for answers, features in rows:
        record = stored_record(_doc(answers), _doc(features), 2)
        score(record, base)
        score(record, cand)
    return time.perf_counter() - start


def shadow_overhead(n: int = 1200, block: int = 10) -> dict:
    """Return submit() times (ms) without and with a version in shadow, in the same run.

    Blocks of `block` submissions alternate between the two conditions (which one comes
    first alternates too, ABBA), so drift in the machine's load or the file's size falls
    on both alike. Reported: the medians of wall time, the median of the per-pair
    differences of block medians, the medians of CPU time (the cost added, free of the
    fsync wait), and the hook's own time.
    """
    from sqlalchemy import text
    from sqlalchemy.orm import Session

    from ews.interviews import submit
    from ews.lifecycle.compiled import active_compiled
    from ews.lifecycle.service import register_ruleset
    from ews.store.models import User

    tmp = tempfile.mkdtemp(prefix="ews-bench-shadow-")
    url = f"sqlite:///{tmp}/ews.sqlite3"
    upgrade(url)
    engine = make_engine(url)
    base_text, agencies = shipped()
    with Session(engine, expire_on_commit=False) as db:
        from ews.lifecycle.service import activate_ruleset

        activate_ruleset(db, register_ruleset(db, base_text, None, agencies=agencies), None)
        shadow = register_ruleset(db, candidate_text(base_text), None, agencies=agencies)
        db.execute(text("INSERT INTO offices (code, name, created_at) VALUES "
                        "('PMK', 'PMK', '2024-01-01')"))
        db.add(User(username="bench", password_hash="x", role="officer", office_code="PMK"))
        db.commit()
        user = db.query(User).one()
        shadow_pk = shadow.id
    now = dt.datetime.now(dt.UTC)
    records = [validate_checklist(p | {"office_code": "PMK"}, now=now)
               for p in payloads(n, seed=5)]
    wall: dict[bool, list[float]] = {False: [], True: []}
    cpu: dict[bool, list[float]] = {False: [], True: []}
    blocks: dict[bool, list[float]] = {False: [], True: []}
    # The module, not the function of the same name that ews.interviews exports.
    assessing = importlib.import_module("ews.interviews.assess")
    hook, inside = assessing.score_beside, {False: [], True: []}
    state = {"on": False}

    def timed_hook(*args):  # the hook's own time, apart from the commit's fsync
        t0 = time.perf_counter()
        scored = hook(*args)
        inside[state["on"]].append((time.perf_counter() - t0) * 1000)
        return scored  # what submit stores: dropping it stored no shadow result at all

    assessing.score_beside = timed_hook
    for k, start in enumerate(range(0, n, block)):
        on = (k % 4) in (1, 2)  # off on on off | off on on off ...
        state["on"] = on
        with engine.begin() as conn:
            conn.execute(text("UPDATE rulesets SET status = :s WHERE id = :pk"),
                         {"s": "shadow" if on else "approved", "pk": shadow_pk})
        times = []
        for record in records[start:start + block]:
            with Session(engine, expire_on_commit=False) as db:
                ruleset = active_compiled(db)
                t0, c0 = time.perf_counter(), time.process_time()
                submit(db, record, user=user, ruleset=ruleset, pii_key="bench-key")
                c1, t1 = time.process_time(), time.perf_counter()
            times.append((t1 - t0) * 1000)
            cpu[on].append((c1 - c0) * 1000)
        wall[on] += times
        blocks[on].append(statistics.median(times))
    with engine.connect() as conn:
        stored = conn.execute(text("SELECT COUNT(*) FROM shadow_results")).scalar()
    engine.dispose()
    assessing.score_beside = hook
    if stored < len(wall[True]):  # the figure would time a failure, not shadow scoring
        raise SystemExit(f"shadow scoring stored {stored} results for {len(wall[True])} "
                         "submissions with a version in shadow: the shadow path failed "
                         "(see the 'ews.shadow' log above); no overhead figure reported")
    med = statistics.median
    paired = [b - a for a, b in zip(blocks[False], blocks[True], strict=False)]
    return {"off_ms": med(wall[False]), "on_ms": med(wall[True]),
            "added_ms": med(wall[True]) - med(wall[False]), "paired_ms": med(paired),
            "cpu_off_ms": med(cpu[False]), "cpu_on_ms": med(cpu[True]),
            "cpu_added_ms": med(cpu[True]) - med(cpu[False]), "n": n, "block": block,
            "shadow_rows": stored, "hook_off_ms": med(inside[False]),
            "hook_on_ms": med(inside[True])}


def _doc(value):
    """Return a stored JSON column as a dict (SQLite gives text, PostgreSQL a dict)."""
    return json.loads(value) if isinstance(value, str) else value


def bare_read(url: str) -> dict:
    """Return the seconds of reading the columns the backtest reads, without any work."""
    engine = make_engine(url)
    query = ("SELECT id, answers, features, checklist_version, rung, action, interviewed_at "
             "FROM assessments")
    with engine.connect() as conn:
        start = time.perf_counter()
        if is_postgres(url):
            size = copy_out(conn, query)
        else:
            size = sum(len(a) + len(f) for _, a, f, *_ in conn.exec_driver_sql(query))
        seconds = time.perf_counter() - start
    engine.dispose()
    return {"seconds": seconds, "mb": size / 2**20}


def measure(url: str, chunk: int, until: str | None) -> dict:
    """Run one backtest in this process and return its figures (for a fresh RSS peak)."""
    from sqlalchemy.orm import Session

    from ews.lifecycle.run import run_backtest as run

    engine = make_engine(url)
    text, agencies = shipped()
    candidate = parse_ruleset(candidate_text(text), agencies=agencies)
    stop = dt.datetime.fromisoformat(until).replace(tzinfo=dt.UTC) if until else None
    import resource

    def cpu() -> float:
        own, kids = (resource.getrusage(w) for w in (resource.RUSAGE_SELF,
                                                      resource.RUSAGE_CHILDREN))
        return own.ru_utime + own.ru_stime + kids.ru_utime + kids.ru_stime

    with PeakRSS() as rss:  # this process only; each worker process holds one chunk too
        cpu0 = cpu()
        start = time.perf_counter()
        with Session(engine) as db:
            result = run(db, candidate, against="live", until=stop, chunk=chunk,
                         workers=WORKERS)
        seconds = time.perf_counter() - start
        cpu_s = cpu() - cpu0
    engine.dispose()

    child_peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss * 1024
    return {"seconds": seconds, "rows": result.rows, "changed": result.changed,
            "child_peak": child_peak, "cpu": cpu_s, "load": os.getloadavg()[0],
            "skipped": sum(result.skipped.values()), "labelled": result.labelled,
            "rss_start": rss.start, "rss_peak": rss.peak,
            "actions": {k: list(v) for k, v in result.actions.items()}}


def _quarter_end(url: str) -> str:
    """Return the day three months after the first stored interview (the quarter runs)."""
    engine = make_engine(url)
    with engine.connect() as conn:
        first = conn.execute(sql("SELECT MIN(interviewed_at) FROM assessments")).scalar()
    engine.dispose()
    first = dt.datetime.fromisoformat(first) if isinstance(first, str) else first
    return (first + dt.timedelta(days=92)).date().isoformat()


def _subprocess_measure(url: str, chunk: int, until: str | None) -> dict:
    import subprocess

    cmd = [sys.executable, __file__, "--measure", "--database-url", url, "--chunk",
           str(chunk)]
    if until:
        cmd += ["--until", until]
    out = subprocess.run(cmd, check=True, capture_output=True, text=True).stdout
    return json.loads(out.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--db", type=Path, default=None, help="keep/reuse the generated file")
    parser.add_argument("--chunk", type=int, default=20_000)
    parser.add_argument("--sample", type=int, default=10_000)
    parser.add_argument("--write", type=Path, default=None)
    parser.add_argument("--measure", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--until", default=None, help=argparse.SUPPRESS)
    parser.add_argument("--reuse", action="store_true",
                        help="on PostgreSQL: keep the rows already there")
    add_arguments(parser)
    args = parser.parse_args()
    if args.measure:
        print(json.dumps(measure(args.database_url, args.chunk, args.until)))
        return
    path = args.db or Path(tempfile.mkdtemp(prefix="ews-bench-bt-")) / "ews.sqlite3"
    with database(args, path) as url:
        run_all(url, args, fresh=not args.reuse if is_postgres(url) else not path.exists())


def run_all(url: str, args, fresh: bool) -> None:
    """Generate (when fresh), measure, print and write the figures."""
    t_gen = None
    if fresh:
        start = time.perf_counter()
        generate(url, args.rows)
        t_gen = time.perf_counter() - start
    full = _subprocess_measure(url, args.chunk, None)
    print(f"backtest of all {full['rows']:,} rows: {full['seconds']:.1f} s wall, "
          f"{full['cpu']:.1f} s CPU", flush=True)
    quarter_end = _quarter_end(url)
    quarter = _subprocess_measure(url, args.chunk, quarter_end)
    small_chunk = _subprocess_measure(url, args.chunk // 5, quarter_end)
    bare = bare_read(url)
    t_rec = per_record(url, args.sample)
    shadow = None if is_postgres(url) else shadow_overhead()
    fig = {"rows": full["rows"], "seconds": full["seconds"], "database": label(url),
           "bare": bare,
           "rows_s": full["rows"] / full["seconds"], "per_record_rows_s": args.sample / t_rec,
           "generated_s": t_gen, "full": full, "quarter": quarter, "small_chunk": small_chunk,
           "shadow": shadow, "chunk": args.chunk}
    fig["ratio"] = fig["rows_s"] / fig["per_record_rows_s"]
    body = render(fig)
    print(body)
    if args.write:
        from bench_rules import write_section

        old = args.write.read_text(encoding="utf-8") if args.write.exists() else ""
        section = old.partition("## Backtest and shadow\n")[2].split("\n## ")[0]
        prose = section.partition("\nReading the figures.")  # hand-written: kept
        if prose[1]:
            body += "\n" + prose[1] + prose[2].rstrip("\n")
        write_section(args.write, "## Backtest and shadow", body)
        text = args.write.read_text(encoding="utf-8").replace(
            "## Backtest and shadow\n\nMeasured by `python benchmarks/bench_rules.py "
            "--write docs/performance.md`.",
            "## Backtest and shadow\n\nMeasured by `python benchmarks/bench_backtest.py "
            "--write docs/performance.md`.")
        args.write.write_text(text, encoding="utf-8")


def _mb(n: int) -> str:
    return f"{n / 2**20:,.0f} MB"


def render(f: dict) -> str:
    full, q, sc, sh, bare = f["full"], f["quarter"], f["small_chunk"], f["shadow"], f["bare"]
    target = TARGET_S if f["rows"] <= 1_000_000 else NATIONAL_TARGET_S
    verdict = "meets target" if f["seconds"] <= target else "NOT met"
    gen = f" (generated in {f['generated_s']:.0f} s)" if f["generated_s"] else ""
    lines = [
        f"{f['rows']:,} stored assessments on {f['database']}{gen}; candidate: the default "
        "rule set with every weak indicator's points doubled, against the live default; "
        f"chunks of {f['chunk']:,} rows, {WORKERS} worker processes; {full['labelled']:,} "
        "rows with an outcome.", "",
        "| measure | figure | target |", "|---|---|---|",
        f"| backtest end to end ({f['rows']:,} rows: read, parse, score both, aggregate) | "
        f"{f['seconds']:.1f} s ({f['rows_s']:,.0f} rows/s) | <= {target:.0f} s: {verdict} |",
        f"| baseline: a bare read of the columns the backtest reads ({bare['mb']:,.0f} MB) | "
        f"{bare['seconds']:.1f} s | - |",
        f"| score() one record at a time, both versions, {f['per_record_rows_s'] and '10,000'}"
        f"-row sample | {f['per_record_rows_s']:,.0f} rows/s | - |",
        f"| backtest CPU time, all processes | {full['cpu']:.1f} s ({full['cpu'] / WORKERS:.1f} s "
        f"per worker: the wall time on {WORKERS} idle cores) | - |",
        f"| backtest / per-record speed (wall) | {f['ratio']:.1f}x | - |",
        f"| peak RSS, all rows (chunk {f['chunk']:,}): main / largest worker | "
        f"{_mb(full['rss_peak'])} / {_mb(full['child_peak'])} | bounded by the chunk |",
        f"| peak RSS, first {q['rows']:,} rows (chunk {f['chunk']:,}) | {_mb(q['rss_peak'])} / "
        f"{_mb(q['child_peak'])} | - |",
        f"| peak RSS, first {sc['rows']:,} rows (chunk {f['chunk'] // 5:,}) | "
        f"{_mb(sc['rss_peak'])} / {_mb(sc['child_peak'])} | - |"]
    if sh:
        shadow_ok = "meets target" if max(sh["added_ms"], sh["paired_ms"]) <= 1.0 else "NOT met"
        lines += [
            f"| submit() median without a shadow version | {sh['off_ms']:.2f} ms | - |",
            f"| submit() median with a shadow version | {sh['on_ms']:.2f} ms | - |",
            f"| added by shadow scoring: difference of the medians / median of paired block "
            f"differences | {sh['added_ms']:+.2f} / {sh['paired_ms']:+.2f} ms | <= 1 ms: "
            f"{shadow_ok} |",
            f"| submit() CPU time median, without / with a shadow version (added) | "
            f"{sh['cpu_off_ms']:.2f} / {sh['cpu_on_ms']:.2f} ms ({sh['cpu_added_ms']:+.2f} ms) "
            "| - |",
            f"| the shadow hook itself, median (no shadow / shadow) | {sh['hook_off_ms']:.3f} / "
            f"{sh['hook_on_ms']:.3f} ms | - |"]
    lines += [
        "", f"Load average (1 min) at the end of the backtest: {full['load']:.1f} on "
        f"{os.cpu_count()} CPUs (the machine is shared; the wall time follows the load, the "
        "CPU time much less).",
        f"Rung changed on {full['changed']:,} rows; skipped {full['skipped']:,}."]
    if sh:
        lines[-1] += (
            f" Shadow: {sh['n']} submissions in alternating blocks of {sh['block']} (ABBA; "
            f"synchronous=FULL, one commit each, the shadow row in the same commit), "
            f"{sh['shadow_rows']} shadow results stored.")
    return "\n".join(lines)

if __name__ == "__main__":
    main()
