"""Benchmark the reports on 1,000,000 stored assessments beside a bare read_sql (SQLite or PG).

The rows come from `ews demo` (20,000 interviews through the real validation and scorer,
audited) multiplied in SQL: each demo row is copied K times with a new id, application id and
NIK/phone hash (distinct people; recruiter phones kept, so networks grow K-fold), with their
decisions, outcomes and report facts. The copies are not in the audit chain: this database is
for timing.

    python benchmarks/bench_reports.py [--rows 1000000] [--seed-rows 20000] [--db PATH]
        [--offices PMK,SBY,MLG,BWI,KDR | --offices 125] [--database-url URL | --postgres]
        [--reuse] [--office CODE] [--reports overview,areas,...]

On PostgreSQL (`--database-url`, or `--postgres` to start one from Debian's packages) the
database is emptied first, and the baseline is printed twice: `pandas.read_sql` and a bare
`COPY (SELECT ...) TO STDOUT` of the same rows.

Prints the seconds of a catch-up of the report facts that finds nothing to derive, then, per
report (each with its catch-up on the path), the wall-clock and CPU seconds to compute it,
the CPU seconds of its suppression as it leaves the office (small cells and the cells that
would give them back, `ews.reports.sdc`; included in both) and the peak resident memory of
the process so far, then the seconds of `pandas.read_sql` of the same assessment rows,
measured last in the same run (its frame would set the peak), and the ratios. On a shared
machine read the CPU seconds.

Then the targets (issue #25): every report, with its suppression, within 5 s for a national
year and 2 s for one office's year at 5,000,000 interviews over 125 offices, whatever the
filters. Each report runs national and for one office (`--office`, default the office with
the most interviews) with the filters the pages and the CLI take: the year by interview
time, the year by submission time, and six weeks that cut months (2026-08-17 to 2026-09-30).
The worst of each scope is compared with its target as measured and, below 5,000,000 rows,
scaled linearly to 5,000,000 (a report that reads every row of the period grows with them).
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import resource
import subprocess
import sys
import time
from pathlib import Path

import pandas as pd
from dbsetup import add_arguments, copy_out, database, is_postgres, label, reset
from sqlalchemy import text

from ews.reports import REPORTS, Params, run, suppress
from ews.store import facts, make_engine

COPY_COLUMNS = ("office_code, answers_hash, answers, features, result, score, band, rung, "
                "action, decision_required, status, ruleset_sha256, model_version, "
                "officer_id, interviewed_at, created_at, due_at, claimed_by, claimed_at, "
                "decided_at, checklist_version, version, supersedes_id, superseded_by, "
                "origin_kecamatan, recruiter_phone_hash")

FACT_COLUMNS = ("office_code, created_at, interviewed_at, day, month, hour, submitted_day, "
                "submitted_month, submitted_hour, latest, checklist_version, score, rung, "
                "action, band, flagged, completeness, officer_id, origin_kecamatan, domicile_desa, "
                "domicile_village, sex, age_band, destination_country, purpose, job_sector, "
                "transit_country, job_offer_channel, recruiter_type, agency_licence, "
                "agency_name, phone_shared_30d, indicators, recruiter_phone_hash")

OFFICES = "PMK,SBY,MLG,BWI,KDR"  # the demo's offices (--offices takes a count too)
# A copy's people are new people: its hashes end in the copy's number in hex (still 64 hex
# digits, as a keyed hash is: the network report looks such phones up).
HASHES = "substr(nik_hash, 1, 60) || {h}, substr(phone_hash, 1, 60) || {h}"

# The filters the report pages and `ews report` take (Params): the period, by interview or
# submission time, and the offices (national, or one office).
YEAR = (dt.date(2025, 11, 1), dt.date(2026, 11, 1))
FILTERS = (("year", YEAR, "interview"), ("year by submission", YEAR, "submitted"),
           ("6 weeks", (dt.date(2026, 8, 17), dt.date(2026, 10, 1)), "interview"))
TARGETS = {"national": 5.0, "office": 2.0}  # seconds at TARGET_ROWS (issue #25)
TARGET_ROWS = 5_000_000


def build(url: str, rows: int, seed_rows: int, offices: str, fresh: bool) -> None:
    """Create the database: ews init, ews demo, then copies in SQL up to `rows`."""
    env = os.environ | {"EWS_DATABASE_URL": url, "EWS_ENV": "development",
                        "EWS_SECRET_KEY": "bench", "EWS_PII_KEY": "bench-key"}
    ews = [sys.executable, "-m", "ews.cli"]
    if fresh:
        if is_postgres(url):
            reset(url)
        subprocess.run(ews + ["init"], env=env, check=True, capture_output=True)
        started = time.perf_counter()
        subprocess.run(ews + ["demo", "--assessments", str(seed_rows), "--seed", "1",
                              "--offices", offices], env=env, check=True)
        print(f"ews demo {seed_rows:,} interviews: {time.perf_counter() - started:.1f} s")
    engine = make_engine(url)
    with engine.connect() as conn:
        have = conn.execute(text("SELECT COUNT(*) FROM assessments")).scalar()
    if have >= rows:
        return
    copies = max(0, rows // seed_rows - 1)
    pg = is_postgres(url)
    original = "strpos({}, '~') = 0" if pg else "instr({}, '~') = 0"
    started = time.perf_counter()
    with engine.begin() as conn:
        conn.execute(text("SET LOCAL synchronous_commit = off" if pg
                          else "PRAGMA synchronous=OFF"))
        for k in range(1, copies + 1):
            s, h = f"'~{k:03d}'", f"'{k:04x}'"
            conn.execute(text(
                f"INSERT INTO assessments (id, application_id, nik_hash, phone_hash, "
                f"{COPY_COLUMNS}) SELECT substr(id, 1, 32) || {s}, application_id || {s}, "
                f"{HASHES.format(h=h)}, {COPY_COLUMNS} FROM assessments "
                f"WHERE {original.format('id')}"))
            conn.execute(text(
                f"INSERT INTO assessment_facts (assessment_id, nik_hash, phone_hash, "
                f"{FACT_COLUMNS}) SELECT substr(assessment_id, 1, 32) || {s}, "
                f"{HASHES.format(h=h)}, {FACT_COLUMNS} FROM assessment_facts "
                f"WHERE {original.format('assessment_id')}"))
            for table, cols in (("decisions", "decision, reason, decided_by, decided_at"),
                                ("outcomes", "outcome, recruitment_method, recruitment_app, "
                                 "method_of_control, recruiter_role, destination_city, notes, "
                                 "recorded_by, recorded_at")):
                conn.execute(text(
                    f"INSERT INTO {table} (assessment_id, {cols}) SELECT "
                    f"substr(t.assessment_id, 1, 32) || {s}, {cols} FROM {table} t "
                    f"WHERE {original.format('t.assessment_id')}"))
    if pg:
        with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
            conn.execute(text("VACUUM ANALYZE"))
    print(f"copies to {rows:,} rows: {time.perf_counter() - started:.1f} s")
    engine.dispose()


# The stored columns the reports read, without the JSON documents (answers, features and
# result are ~5 kB a row: 1,000,000 of them alone would not fit the 2 GB budget in pandas).
BASELINE = ("id, office_code, created_at, rung, action, band, decision_required, officer_id, "
            "origin_kecamatan, nik_hash, phone_hash, recruiter_phone_hash, checklist_version")


def peak_mb() -> float:
    """Return the peak resident memory of this process in MB."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def _timed(fn) -> tuple[float, float]:
    """Return the wall-clock and CPU (user + system) seconds of calling `fn`."""
    wall, cpu = time.perf_counter(), time.process_time()
    fn()
    return time.perf_counter() - wall, time.process_time() - cpu


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--seed-rows", type=int, default=20_000)
    parser.add_argument("--db", type=Path, default=Path("/tmp/ews-bench-reports.sqlite3"))
    parser.add_argument("--offices", default=OFFICES,
                        help="the demo's offices: a list of codes, or a count")
    parser.add_argument("--reports", default=",".join(REPORTS),
                        help="comma-separated report names (default: all)")
    parser.add_argument("--reuse", action="store_true",
                        help="on PostgreSQL: keep the rows already there")
    parser.add_argument("--office", default=None,
                        help="the office of the one-office timings (default: the office with "
                             "the most interviews)")
    add_arguments(parser)
    args = parser.parse_args()
    with database(args, args.db) as url:
        fresh = not args.reuse if is_postgres(url) else not args.db.exists()
        build(url, args.rows, args.seed_rows, args.offices, fresh)
        measure(url, args)


def measure(url: str, args) -> None:
    """Print the catch-up, every report and the baselines on the built database."""
    engine = make_engine(url)
    params = Params(*YEAR)
    facts.catch_up(engine)  # whatever the build left to derive, before timing
    wall, cpu = _timed(lambda: facts.catch_up(engine))
    print(f"catch-up with nothing to derive: {wall:.3f} s ({cpu:.3f} s CPU)")
    with engine.connect() as conn:
        n = conn.execute(text("SELECT COUNT(*) FROM assessments")).scalar()
        print(f"{n:,} stored assessments on {label(url)}")
        print("| report | seconds | CPU seconds | suppression CPU seconds | peak memory MB |")
        print("|---|---|---|---|---|")
        times = {}
        for name in args.reports.split(","):
            got: list = []
            times[name] = _timed(lambda name=name, got=got: got.append(
                run(name, conn, params, pii_key="bench-key")))
            _, hiding = _timed(lambda got=got: suppress(got[0]))
            times[name] = (times[name][0] + hiding, times[name][1] + hiding)
            print(f"| {name} | {times[name][0]:.2f} | {times[name][1]:.2f} | {hiding:.3f} | "
                  f"{peak_mb():.0f} |", flush=True)
        conn.rollback()  # the baselines outside the reports' transaction (its settings)
        # The baseline last: its frame of every row would set the process's peak memory.
        period = "created_at >= '2025-11-01' AND created_at < '2026-11-01'"
        baseline, cpu = _timed(lambda: pd.read_sql(text(
            f"SELECT {BASELINE} FROM assessments WHERE superseded_by IS NULL AND {period}"),
            conn))
        print(f"bare pandas.read_sql of the same rows: {baseline:.2f} s ({cpu:.2f} s CPU; "
              f"peak memory {peak_mb():.0f} MB)")
        if is_postgres(url):
            size = []
            copied, _ = _timed(lambda: size.append(copy_out(
                conn, f"SELECT {BASELINE} FROM assessments WHERE superseded_by IS NULL "
                f"AND {period}")))
            print(f"bare COPY ... TO STDOUT of the same rows: {copied:.2f} s "
                  f"({size[0] / 2**20:.0f} MB)")
        print("| report | ratio to read_sql (seconds) | ratio to read_sql (CPU) |")
        print("|---|---|---|")
        for name, (secs, secs_cpu) in times.items():
            print(f"| {name} | {secs / baseline:.2f} | {secs_cpu / cpu:.2f} |")
        targets(conn, args, n, times, url)
    engine.dispose()


def targets(conn, args, n: int, national_year: dict[str, tuple[float, float]],
            url: str) -> None:
    """Print every report national and for one office under each filter, against the
    targets, as measured and scaled linearly to TARGET_ROWS."""
    office = args.office or conn.execute(text(
        "SELECT office_code FROM assessment_facts GROUP BY office_code "
        "ORDER BY COUNT(*) DESC, office_code LIMIT 1")).scalar()
    people = conn.execute(text("SELECT COUNT(*) FROM assessment_facts WHERE office_code = :o"),
                          {"o": office}).scalar()
    scale = max(1.0, TARGET_ROWS / max(n, 1))
    print(f"\nTargets at {TARGET_ROWS:,} interviews (on PostgreSQL): national <= "
          f"{TARGETS['national']:.0f} s, one office <= {TARGETS['office']:.0f} s (office "
          f"{office}: {people:,} interviews); measured on {n:,} on {label(url)}"
          f", scaled x{scale:.1f}")
    names = args.reports.split(",")
    head = [f"{scope} {f}" for scope in TARGETS for f, _, _ in FILTERS]
    print("| report | " + " | ".join(head) + " | worst national x scale | worst office x scale "
          "| met |")
    print("|---|" + "---|" * (len(head) + 3))
    missed = []
    for name in names:
        secs = {}
        for scope, offices in (("national", None), ("office", (office,))):
            for label_, (start, end), by in FILTERS:
                if scope == "national" and label_ == "year" and name in national_year:
                    secs[scope, label_] = national_year[name][0]  # measured above
                    continue
                params = Params(start, end, offices, by)
                wall, _ = _timed(lambda p=params, name=name: suppress(
                    run(name, conn, p, pii_key="bench-key")))
                secs[scope, label_] = wall
        worst = {scope: max(v for (s, _), v in secs.items() if s == scope) for scope in TARGETS}
        met = all(worst[s] * scale <= TARGETS[s] for s in TARGETS)
        if not met:
            missed.append(name)
        print(f"| {name} | " + " | ".join(f"{secs[s, f]:.2f}" for s in TARGETS
                                          for f, _, _ in FILTERS)
              + f" | {worst['national'] * scale:.2f} | {worst['office'] * scale:.2f} | "
              f"{'met' if met else 'NOT met'} |", flush=True)
    print("every report meets its targets" if not missed
          else f"NOT met: {', '.join(missed)}")


if __name__ == "__main__":
    main()
