"""The database of a Flask request: one engine per app, one connection per request.

A request works on one database connection: an ORM session (`get_session`) or, where Core
statements are enough (an API submission: `get_db`), the connection alone; a session asked
for after the connection joins it and its transaction. Storage itself (`ews.store`) knows
nothing of Flask; this is the glue above it.
"""

from __future__ import annotations

from flask import Flask, current_app, g
from sqlalchemy.orm import Session, sessionmaker

from ews.store.db import DEFAULT_BUSY_TIMEOUT, Db, make_engine


def init_app(app: Flask) -> None:
    """Attach an engine and a session factory to `app`; close the request's session and
    connection after each request."""
    engine = make_engine(app.config["DATABASE_URL"],
                         app.config.get("DB_BUSY_TIMEOUT", DEFAULT_BUSY_TIMEOUT))
    app.extensions["ews_engine"] = engine
    app.extensions["ews_sessions"] = sessionmaker(engine, expire_on_commit=False)
    app.teardown_appcontext(_close_session)


def get_db() -> Db:
    """Return this request's ORM session when one is open, else a Core connection.

    The connection is in a transaction (commit or rollback it, as a session); a submission
    by API needs no ORM session, whose bookkeeping costs more than its statements' Python.
    A session asked for later in the request joins this connection and its transaction.
    """
    state = vars(g._get_current_object())  # the request's globals, read without the proxy
    db = state.get("db_session")
    if db is None:
        db = state.get("db_conn")
    if db is None:
        db = state["db_conn"] = current_app.extensions["ews_engine"].connect()
        db.begin()
    return db


def get_session() -> Session:
    """Return this request's session, opening it on first use (on the request's connection)."""
    if "db_session" not in g:
        conn = g.get("db_conn")
        g.db_session = current_app.extensions["ews_sessions"]() if conn is None else \
            Session(bind=conn, join_transaction_mode="control_fully", expire_on_commit=False)
    return g.db_session


def _close_session(_exc: BaseException | None = None) -> None:
    session = g.pop("db_session", None)
    if session is not None:
        session.close()
    conn = g.pop("db_conn", None)
    if conn is not None:
        conn.close()  # rolls back what was not committed
