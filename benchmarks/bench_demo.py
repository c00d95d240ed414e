"""Benchmark `ews demo --bulk` (a national year into PostgreSQL) beside a bare COPY of its rows.

    python benchmarks/bench_demo.py [--assessments 5000000] [--offices 125] [--workers 2]
        [--database-url URL | --postgres] [--keep]

Empties the database, runs `ews init`, then times `ews demo --bulk WORKERS --assessments N
--offices O` in a subprocess (as an operator runs it). The same-run baseline is what
PostgreSQL alone needs to take the same rows: the stored assessments, report facts and audit
events of the first `--baseline-rows` interviews are copied out (binary) and timed being
copied into empty tables of the same definition (indexes included), scaled to N. Target
(issue 25): 5,000,000 interviews over 125 offices in <= 15 minutes on this machine.
With --keep the filled database stays (for bench_reports, bench_backtest and bench_learn
with --reuse).
"""

from __future__ import annotations

import argparse
import io
import os
import subprocess
import sys
import time
from pathlib import Path

from dbsetup import add_arguments, database, is_postgres, label, reset
from sqlalchemy import text

from ews.store import make_engine

TARGET_S = 15 * 60  # for 5,000,000
TABLES = (("assessments", "created_at"), ("assessment_facts", "created_at"),
          ("audit_events", "seq"))


def baseline(url: str, rows: int) -> float:
    """Return the seconds PostgreSQL takes to COPY in the stored rows of the first `rows`
    interviews (and their facts and about as many audit events) into empty twins."""
    engine = make_engine(url)
    spent = 0.0
    with engine.connect() as conn:
        raw = conn.connection.driver_connection
        for table, order in TABLES:
            twin = f"bench_twin_{table}"
            conn.execute(text(f"DROP TABLE IF EXISTS {twin}"))
            conn.execute(text(f"CREATE TABLE {twin} (LIKE {table} INCLUDING DEFAULTS "
                              "INCLUDING INDEXES INCLUDING STORAGE INCLUDING COMPRESSION)"))
            conn.commit()
            data = io.BytesIO()
            with raw.cursor() as cur, cur.copy(
                    f"COPY (SELECT * FROM {table} ORDER BY {order} LIMIT {rows}) "
                    "TO STDOUT (FORMAT BINARY)") as copy:
                for block in copy:
                    data.write(block)
            started = time.perf_counter()
            with raw.cursor() as cur, cur.copy(
                    f"COPY {twin} FROM STDIN (FORMAT BINARY)") as copy:
                copy.write(data.getvalue())
            conn.commit()
            spent += time.perf_counter() - started
            conn.execute(text(f"DROP TABLE {twin}"))
            conn.commit()
    engine.dispose()
    return spent


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--assessments", type=int, default=5_000_000)
    parser.add_argument("--offices", default="125")
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--baseline-rows", type=int, default=500_000)
    parser.add_argument("--keep", action="store_true", help="with --database-url: keep the "
                                                            "filled database")
    add_arguments(parser)
    args = parser.parse_args()
    if not (args.database_url or args.postgres):
        raise SystemExit("the bulk demo writes with COPY: give --database-url or --postgres")
    with database(args, Path("unused")) as url:
        if not is_postgres(url):
            raise SystemExit("--database-url must be a PostgreSQL URL")
        reset(url)
        env = os.environ | {"EWS_DATABASE_URL": url, "EWS_ENV": "development",
                            "EWS_SECRET_KEY": "bench", "EWS_PII_KEY": "bench-key"}
        ews = [sys.executable, "-m", "ews.cli"]
        subprocess.run(ews + ["init"], env=env, check=True, capture_output=True)
        started = time.perf_counter()
        subprocess.run(ews + ["demo", "--bulk", str(args.workers), "--assessments",
                              str(args.assessments), "--offices", args.offices, "--seed", "1"],
                       env=env, check=True)
        spent = time.perf_counter() - started
        rows = min(args.baseline_rows, args.assessments)
        bare = baseline(url, rows) * args.assessments / rows
        target = TARGET_S * args.assessments / 5_000_000
        print(f"| measure | seconds | target |\n|---|---|---|\n"
              f"| `ews demo --bulk {args.workers} --assessments {args.assessments:,} "
              f"--offices {args.offices}` on {label(url)} | {spent:.0f} "
              f"({args.assessments / spent:,.0f} interviews/s) | <= {target:.0f}: "
              f"{'met' if spent <= target else 'NOT met'} |\n"
              f"| bare COPY of the same rows (assessments, facts, audit events; "
              f"{rows:,} timed, scaled) | {bare:.0f} | - |\n"
              f"| ratio bulk demo / bare COPY | {spent / bare:.1f} | - |")
        if not args.keep and args.database_url:
            reset(url)


if __name__ == "__main__":
    main()
