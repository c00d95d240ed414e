"""The database a benchmark runs on: SQLite by default, PostgreSQL by URL or started here.

Every benchmark takes `--database-url URL` (a PostgreSQL database it may fill and empty) or
`--postgres` (start a throw-away PostgreSQL server from Debian's packages on loopback, as
`.ci/postgres.sh` does, and stop it at the end). Without either it uses a SQLite file.

    with database(args, sqlite_path) as url:
        ...
"""

from __future__ import annotations

import argparse
import contextlib
import glob
import os
import shutil
import socket
import subprocess
import tempfile
from collections.abc import Iterable, Iterator
from pathlib import Path

from sqlalchemy import text


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """Add --database-url and --postgres to a benchmark's parser."""
    group = parser.add_mutually_exclusive_group()
    group.add_argument("--database-url", default=None,
                       help="run on this database (postgresql+psycopg://...); its tables "
                            "are dropped and re-created")
    group.add_argument("--postgres", action="store_true",
                       help="start a throw-away PostgreSQL (Debian's package) and run on it")


def is_postgres(url: str) -> bool:
    return url.startswith("postgresql")


def label(url: str) -> str:
    """Return the database's name for printed figures: 'SQLite' or 'PostgreSQL 15.x'."""
    if not is_postgres(url):
        return "SQLite"
    from ews.store import make_engine

    engine = make_engine(url)
    with engine.connect() as conn:
        version = conn.execute(text("SHOW server_version")).scalar()
    engine.dispose()
    return f"PostgreSQL {version.split()[0]}"


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@contextlib.contextmanager
def postgres_server(settings: dict[str, str] | None = None) -> Iterator[str]:
    """Start PostgreSQL from Debian's packages in a temporary folder; yield its URL.

    As root the server runs as the `postgres` user (as .ci/postgres.sh). `settings` are
    server options (`-c name=value`); fsync stays on unless asked: a benchmark of durable
    writes must pay for them.
    """
    bins = sorted(glob.glob("/usr/lib/postgresql/*/bin"))
    if not bins:
        raise SystemExit("--postgres needs Debian's postgresql package "
                         "(apt-get install postgresql)")
    pg_bin = Path(bins[-1])
    folder = Path(tempfile.mkdtemp(prefix="ews-bench-pg-"))
    as_user = ["runuser", "-u", "postgres", "--"] if os.geteuid() == 0 else []
    if as_user:
        shutil.chown(folder, "postgres")
    port = _free_port()
    options = {"listen_addresses": "127.0.0.1", "max_connections": "200",
               "shared_buffers": "512MB"} | (settings or {})
    opts = f"-p {port} -k {folder} " + " ".join(f"-c {k}={v}" for k, v in options.items())
    run = dict(check=True, capture_output=True)
    subprocess.run(as_user + [str(pg_bin / "initdb"), "-D", str(folder / "data"), "-A",
                              "trust", "-U", "ews"], **run)
    subprocess.run(as_user + [str(pg_bin / "pg_ctl"), "-D", str(folder / "data"), "-l",
                              str(folder / "log"), "-w", "-o", opts, "start"], **run)
    try:
        subprocess.run(as_user + [str(pg_bin / "createdb"), "-h", "127.0.0.1", "-p",
                                  str(port), "-U", "ews", "ews"], **run)
        yield f"postgresql+psycopg://ews@127.0.0.1:{port}/ews"
    finally:
        subprocess.run(as_user + [str(pg_bin / "pg_ctl"), "-D", str(folder / "data"), "-m",
                                  "fast", "stop"], capture_output=True)
        shutil.rmtree(folder, ignore_errors=True)


def reset(url: str) -> None:
    """Drop every table of a PostgreSQL database's public schema (a benchmark starts empty)."""
    from ews.store import make_engine

    engine = make_engine(url)
    with engine.begin() as conn:
        conn.execute(text("DROP SCHEMA public CASCADE"))
        conn.execute(text("CREATE SCHEMA public"))
    engine.dispose()


@contextlib.contextmanager
def database(args: argparse.Namespace, sqlite_path: Path) -> Iterator[str]:
    """Yield the URL the benchmark runs on (see the module's docstring)."""
    if args.database_url:
        yield args.database_url
    elif args.postgres:
        with postgres_server() as url:
            yield url
    else:
        yield f"sqlite:///{sqlite_path}"


def office_with_rules(session, text: bytes, agencies: bytes | None):
    """Register and activate the rule set `text` and add office PMK, the benchmarks' office;
    return the stored rule-set row (flushed, not committed)."""
    from ews.lifecycle.service import activate_ruleset, register_ruleset
    from ews.store.models import Office

    row = register_ruleset(session, text, None, agencies=agencies)
    activate_ruleset(session, row, None)
    session.add(Office(code="PMK", name="Pamekasan"))
    session.flush()
    return row


def copy_rows(conn, table: str, columns: Iterable[str], rows: Iterable[tuple]) -> None:
    """Insert `rows` into `table`: COPY on PostgreSQL, executemany on SQLite.

    `conn` is a SQLAlchemy connection; values are Python objects (JSON columns as text).
    """
    columns = list(columns)
    if conn.dialect.name == "postgresql":
        from ews.store.db import copy_rows as copy

        copy(conn, table, columns, rows)
        return
    marks = ", ".join("?" for _ in columns)
    conn.connection.driver_connection.executemany(
        f"INSERT INTO {table} ({', '.join(columns)}) VALUES ({marks})", list(rows))


def copy_out(conn, query: str) -> int:
    """Stream `query`'s rows out of PostgreSQL with COPY TO STDOUT; return the bytes read."""
    raw = conn.connection.driver_connection
    size = 0
    with raw.cursor() as cur, cur.copy(f"COPY ({query}) TO STDOUT") as copy:
        for block in copy:
            size += len(block)
    return size


__all__ = ["add_arguments", "copy_out", "copy_rows", "database", "is_postgres", "office_with_rules",
           "label", "postgres_server", "reset"]
