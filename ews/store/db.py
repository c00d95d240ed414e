"""Engines and connections: what every repository function runs on (no Flask here).

Repository functions take a `Db`: an ORM session or, where Core statements are enough (an
API submission), a connection alone. The request's session and connection are handed out
by `ews.webdb`.

SQLite runs in WAL mode with a busy timeout, so that several gunicorn workers can share one
file; PostgreSQL gets the same limit as its lock_timeout. The limit (EWS_DB_BUSY_TIMEOUT,
default 5 s) stays well below gunicorn's 30 s worker timeout: a writer that cannot write in
time fails, and `is_unavailable` tells the error handlers to answer 503, not 500.
"""

from __future__ import annotations

import datetime as dt
import math
import os
import time
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager

import orjson
from sqlalchemy import Connection, Engine, create_engine, event, make_url
from sqlalchemy.exc import DBAPIError, DisconnectionError, OperationalError
from sqlalchemy.orm import DeclarativeBase, Session

from .sqlite_lock import QueuedWriterConnection

SQLITE_PRAGMAS = (
    # 8 KiB pages (SQLite's default is 4 KiB): an assessment row (~2.5 KB of answers, features
    # and result) then shares a page with others instead of taking a new one, and a
    # submission's commit writes ~16 pages instead of ~19. Set before anything else, it
    # applies to a new database file only; an existing one keeps its page size.
    "PRAGMA page_size=8192",
    "PRAGMA journal_mode=WAL",
    "PRAGMA synchronous=FULL",  # an acknowledged commit survives power loss, not just a crash
    "PRAGMA foreign_keys=ON",
    # Copy the WAL back into the database every ~10,000 pages (~80 MB) instead of 1,000: a
    # page that every submission changes (the audit head, the tail of each table and index)
    # is copied once per checkpoint, and the checkpoint runs inside a commit, holding the
    # writer lock. Durability does not depend on it: each commit is in the synced WAL.
    "PRAGMA wal_autocheckpoint=10000",
)
DEFAULT_BUSY_TIMEOUT = 5.0  # seconds
PING_IDLE = 1.0  # seconds: a PostgreSQL connection idle longer is pinged before use
# SQLite primary result codes meaning "cannot write now": BUSY, LOCKED, READONLY, IOERR, FULL,
# CANTOPEN; PostgreSQL SQLSTATEs: lock timeout, read-only transaction, out of resources,
# shutting down, connection lost.
_SQLITE_CODES = {5, 6, 8, 10, 13, 14}
_SQLITE_TEXT = ("database is locked", "readonly database", "disk i/o error",
                "database or disk is full", "unable to open database")
_PG_STATES = {"55P03", "25006", "53100", "53200", "53300", "57P01", "57P02", "57P03",
              "08000", "08003", "08006"}


def _json_text(value) -> str:
    """Serialise a JSON column (orjson: about 4x the standard library on these documents)."""
    return orjson.dumps(value, option=orjson.OPT_NON_STR_KEYS).decode()


# Every engine reads and writes its JSON columns with orjson.
_JSON = {"json_serializer": _json_text, "json_deserializer": orjson.loads}


class Base(DeclarativeBase):
    """Declarative base of every table."""


def utcnow() -> dt.datetime:
    """Return the current time, timezone-aware in UTC."""
    return dt.datetime.now(dt.UTC)


def as_utc(value: dt.datetime | None) -> dt.datetime | None:
    """Return `value` as aware UTC (SQLite hands back naive datetimes that are UTC)."""
    if value is None:
        return None
    return value.replace(tzinfo=dt.UTC) if value.tzinfo is None else value.astimezone(dt.UTC)


def is_unavailable(error: BaseException) -> bool:
    """Return True when a database error means "try again later" (locked, read-only, I/O)."""
    if not isinstance(error, DBAPIError):
        return False
    orig = error.orig
    code = getattr(orig, "sqlite_errorcode", None)
    if code is not None and code & 0xFF in _SQLITE_CODES:
        return True
    if getattr(orig, "sqlstate", None) in _PG_STATES:
        return True
    return isinstance(error, OperationalError) and any(
        t in str(orig).lower() for t in _SQLITE_TEXT)


def create_private(path: str) -> None:
    """Create the SQLite file `path` readable by its owner only (mode 600), if it is new.

    SQLite gives the write-ahead log and shared-memory files it creates later the database
    file's own permissions, so they are 600 too. An existing file is left as it is.
    """
    if path.startswith("file:"):
        return  # a URI filename: SQLite opens it as told
    try:
        os.close(os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600))
    except OSError:
        pass  # exists already, no folder, no right to write there: SQLite says so on connect


def make_engine(url: str, busy_timeout: float = DEFAULT_BUSY_TIMEOUT) -> Engine:
    """Create an engine; a writer waits at most `busy_timeout` seconds for a lock.

    SQLite files get WAL mode and the timeout on every connection; PostgreSQL connections
    get it as lock_timeout.
    """
    if url.startswith("sqlite"):
        args = {"timeout": busy_timeout, "check_same_thread": False}
        path = make_url(url).database
        if path not in (None, "", ":memory:"):
            args["factory"] = QueuedWriterConnection  # workers queue for writes, no polling
            create_private(path)
        engine = create_engine(url, connect_args=args, **_JSON)

        @event.listens_for(engine, "connect")
        def _pragmas(dbapi_conn, _record) -> None:
            cur = dbapi_conn.cursor()
            for pragma in SQLITE_PRAGMAS:
                cur.execute(pragma)
            cur.execute(f"PRAGMA busy_timeout={int(busy_timeout * 1000)}")
            cur.close()

        return engine
    engine = create_engine(url, pool_size=5, max_overflow=5, **_JSON)

    @event.listens_for(engine, "checkin")
    def _idle_since(_dbapi_conn, record) -> None:
        record.info["idle_since"] = time.monotonic()

    @event.listens_for(engine, "checkout")
    def _ping_when_idle(dbapi_conn, record, _proxy) -> None:
        # pool_pre_ping would cost a round trip on every request (an API submission makes
        # five). A connection back in the pool less than PING_IDLE seconds ago was just
        # used; one that sat longer is pinged, and replaced when the server dropped it.
        if time.monotonic() - record.info.get("idle_since", math.inf) < PING_IDLE:
            return
        try:
            engine.dialect.do_ping(dbapi_conn)
        except engine.dialect.loaded_dbapi.Error as err:
            raise DisconnectionError(str(err)) from err

    @event.listens_for(engine, "connect")
    def _lock_timeout(dbapi_conn, _record) -> None:
        cur = dbapi_conn.cursor()
        cur.execute(f"SET lock_timeout = {int(busy_timeout * 1000)}")
        cur.close()
        dbapi_conn.commit()  # SET is transactional: keep it for the session

    return engine


Db = Session | Connection  # what repository functions on the submission path accept


def copy_rows(conn: Connection, table: str, columns: Sequence[str],
              rows: Iterable[Sequence]) -> None:
    """Append `rows` (values in `columns` order) to `table` with COPY, in the connection's
    transaction (PostgreSQL, psycopg 3: bulk writers)."""
    raw = conn.connection.driver_connection
    with raw.cursor() as cur, cur.copy(
            f"COPY {table} ({', '.join(columns)}) FROM STDIN") as copy:
        for row in rows:
            copy.write_row(row)


def connection_of(db: Db) -> Connection:
    """Return the connection Core statements run on: a session's, or the connection itself."""
    return db.connection() if isinstance(db, Session) else db


@contextmanager
def orm(db: Db) -> Iterator[Session]:
    """Give a session for ORM reads: `db` itself, or one within the connection's transaction."""
    if isinstance(db, Session):
        yield db
        return
    with Session(bind=db, expire_on_commit=False) as session:  # leaves the transaction alone
        yield session
