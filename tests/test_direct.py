"""Statements on the DB-API cursor (ews.store.direct) store and read what Core would, and fail
with SQLAlchemy's exceptions, on SQLite and PostgreSQL alike."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import bindparam, insert, select
from sqlalchemy.exc import IntegrityError

from ews.store.direct import Direct
from ews.store.models import Office, User

WHEN = dt.datetime(2026, 11, 24, 1, 2, 3, 456789, tzinfo=dt.UTC)


def _user(name: str) -> dict:
    return {"username": name, "password_hash": "x", "role": "officer", "office_code": "PMK",
            "active": True, "must_change_password": False, "created_at": WHEN}


@pytest.fixture
def office(db):
    db.add(Office(code="PMK", name="Pamekasan", created_at=WHEN))
    db.commit()


def test_insert_stores_what_core_stores(db, office):
    conn = db.connection()
    Direct(insert(User.__table__)).run(conn, _user("direct"))
    conn.execute(insert(User.__table__), _user("core"))
    db.commit()
    rows = {u.username: u for u in db.scalars(select(User))}
    for column in ("role", "office_code", "active", "must_change_password", "created_at",
                   "session_generation"):  # the last one from the column's default
        assert getattr(rows["direct"], column) == getattr(rows["core"], column), column


def test_select_reads_what_core_reads(db, office):
    db.connection().execute(insert(User.__table__), _user("reader"))
    db.commit()
    stmt = select(User.id, User.active, User.created_at).where(User.username == bindparam("n"))
    direct = Direct(stmt)
    assert direct.keys() == ["id", "active", "created_at"]
    got = direct.one(db.connection(), {"n": "reader"})
    assert got == tuple(db.connection().execute(stmt, {"n": "reader"}).one())
    assert got[1] is True and isinstance(got[2], dt.datetime)
    assert direct.one(db.connection(), {"n": "nobody"}) is None


def test_a_violated_constraint_is_sqlalchemys_integrity_error(db, office):
    statement = Direct(insert(User.__table__))
    statement.run(db.connection(), _user("twice"))
    with pytest.raises(IntegrityError):
        statement.run(db.connection(), _user("twice"))
    db.rollback()


def test_expanding_in_is_refused_when_compiled(db):
    with pytest.raises(ValueError, match="expanding IN"):
        Direct(select(User.id).where(User.role.in_(["officer", "admin"]))).one(db.connection())


def test_a_requests_connection_and_its_later_session_are_one_transaction(app, db, office):
    """get_db gives a connection (no ORM session); a session asked for later joins it."""
    from sqlalchemy.orm import Session

    from ews.webdb import get_db, get_session

    with app.test_request_context():
        conn = get_db()
        assert not isinstance(conn, Session)
        Direct(insert(User.__table__)).run(conn, _user("joined"))
        session = get_session()
        assert session.connection() is conn and get_db() is session
        assert session.scalar(select(User.username).where(User.username == "joined"))
        session.commit()  # commits what the connection wrote
    with app.test_request_context():
        Direct(insert(User.__table__)).run(get_db(), _user("dropped"))
    # the first request's row is stored; the second, never committed, is rolled back
    assert set(db.scalars(select(User.username))) == {"joined"}
