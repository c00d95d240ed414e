"""Benchmark `ews export facts --format parquet` (target: 1,000,000 facts in <= 30 s).

The database is built as `bench_reports.py` builds it (`ews demo`, then copies in SQL up to
`--rows`); the export then writes every fact of the demo's period, partitioned by office
and month, into a new directory, timed with its catch-up (which finds nothing).

    python benchmarks/bench_export.py [--rows 1000000] [--seed-rows 20000] [--db PATH]

Prints the rows, the wall-clock and CPU seconds, the rows per second and the size of the
files; on a shared machine read the CPU seconds.
"""

from __future__ import annotations

import argparse
import datetime as dt
import shutil
import tempfile
import time
from pathlib import Path

from bench_reports import OFFICES, build, peak_mb

from ews.reports import Params
from ews.reports.parquet import export_facts
from ews.store import facts, make_engine


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--seed-rows", type=int, default=20_000)
    parser.add_argument("--db", type=Path, default=Path("/tmp/ews-bench-reports.sqlite3"))
    args = parser.parse_args()
    build(f"sqlite:///{args.db}", args.rows, args.seed_rows, OFFICES, not args.db.exists())
    engine = make_engine(f"sqlite:///{args.db}")
    out = Path(tempfile.mkdtemp(prefix="ews-bench-export-")) / "facts"
    params = Params(dt.date(2000, 1, 1), dt.date(2099, 12, 31))
    try:
        wall, cpu = time.perf_counter(), time.process_time()
        facts.catch_up(engine)
        with engine.connect() as conn:
            rows = export_facts(conn, params, out)
        wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
        size = sum(p.stat().st_size for p in out.rglob("*.parquet")) / 1e6
        files = sum(1 for _ in out.rglob("*.parquet"))
        print(f"export of {rows:,} facts: {wall:.1f} s wall, {cpu:.1f} s CPU, "
              f"{rows / wall:,.0f} rows/s; {files} files, {size:.1f} MB; "
              f"peak {peak_mb():.0f} MB; 1,000,000 at this rate: {1e6 / rows * wall:.1f} s")
    finally:
        shutil.rmtree(out.parent)
        engine.dispose()


if __name__ == "__main__":
    main()
