"""Engine and session handling: one engine per app, one session per request.

SQLite runs in WAL mode with a busy timeout, so that several gunicorn workers can share one
file; PostgreSQL needs nothing special. Nothing here keeps state another worker needs.
"""

from __future__ import annotations

import datetime as dt

from flask import Flask, current_app, g
from sqlalchemy import Engine, create_engine, event, make_url
from sqlalchemy.orm import DeclarativeBase, Session, sessionmaker

from .sqlite_lock import QueuedWriterConnection

SQLITE_PRAGMAS = (
    "PRAGMA journal_mode=WAL",
    "PRAGMA synchronous=FULL",  # an acknowledged commit survives power loss, not just a crash
    "PRAGMA foreign_keys=ON",
    "PRAGMA busy_timeout=30000",
)


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


def make_engine(url: str) -> Engine:
    """Create an engine; SQLite files get WAL mode and a busy timeout on every connection."""
    if url.startswith("sqlite"):
        args = {"timeout": 30, "check_same_thread": False}
        if make_url(url).database not in (None, "", ":memory:"):
            args["factory"] = QueuedWriterConnection  # workers queue for writes, no polling
        engine = create_engine(url, connect_args=args)

        @event.listens_for(engine, "connect")
        def _pragmas(dbapi_conn, _record) -> None:
            cur = dbapi_conn.cursor()
            for pragma in SQLITE_PRAGMAS:
                cur.execute(pragma)
            cur.close()

        return engine
    return create_engine(url, pool_pre_ping=True, pool_size=5, max_overflow=5)


def init_app(app: Flask) -> None:
    """Attach an engine and a session factory to `app`; close the session after requests."""
    engine = make_engine(app.config["DATABASE_URL"])
    app.extensions["ews_engine"] = engine
    app.extensions["ews_sessions"] = sessionmaker(engine, expire_on_commit=False)
    app.teardown_appcontext(_close_session)


def get_session() -> Session:
    """Return this request's session, opening it on first use."""
    if "db_session" not in g:
        g.db_session = current_app.extensions["ews_sessions"]()
    return g.db_session


def _close_session(_exc: BaseException | None = None) -> None:
    session = g.pop("db_session", None)
    if session is not None:
        session.close()
