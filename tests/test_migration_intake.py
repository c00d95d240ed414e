"""The intake migration runs over existing data: users keep their roles, `intake` becomes one."""

from __future__ import annotations

import pytest
from alembic import command
from sqlalchemy import text
from sqlalchemy.exc import IntegrityError

from ews.store import make_engine
from ews.store.migrate import alembic_config, upgrade
from tests.conftest import seed_supervisor


def test_intake_migration_keeps_users_and_allows_the_intake_role(fresh_url):
    url = fresh_url
    upgrade(url, "decision_amendments")
    engine = make_engine(url)
    with engine.begin() as conn:
        seed_supervisor(conn)
    with pytest.raises(IntegrityError), engine.begin() as conn:
        conn.execute(text("UPDATE users SET role = 'intake' WHERE id = 1"))
    engine.dispose()
    upgrade(url)
    engine = make_engine(url)
    with engine.begin() as conn:
        assert conn.execute(text("SELECT role FROM users")).scalar_one() == "supervisor"
        conn.execute(text("INSERT INTO users (id, username, password_hash, role, "
                          "office_code, active, must_change_password, created_at) VALUES "
                          "(2, 'desk', 'x', 'intake', 'PMK', true, false, '2026-01-01')"))
        conn.execute(text("INSERT INTO applications (id, office_code, application_id, "
                          "intake_hash, nik_hash, registered_by, registered_at) VALUES "
                          "('a1', 'PMK', 'A-1', 'h', 'n', 2, '2026-11-23')"))
        with pytest.raises(IntegrityError), conn.begin_nested():
            conn.execute(text("INSERT INTO applications (id, office_code, application_id, "
                              "intake_hash, nik_hash, registered_at) VALUES "
                              "('a2', 'PMK', 'A-1', 'h', 'n', '2026-11-23')"))
    engine.dispose()
    command.downgrade(alembic_config(url), "decision_amendments")
    engine = make_engine(url)
    with engine.connect() as conn:
        roles = dict(conn.execute(text("SELECT username, role FROM users")).all())
        active = dict(conn.execute(text("SELECT username, active FROM users")).all())
    assert roles == {"sup": "supervisor", "desk": "officer"} and not active["desk"]
    engine.dispose()
