"""The account_security migration runs over existing data (SQLite and PostgreSQL)."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import text

from ews.store import make_engine
from ews.store.db import as_utc
from ews.store.migrate import upgrade


def test_upgrade_keeps_users_and_tokens_and_drops_clear_usernames(fresh_url):
    upgrade(fresh_url, "0001")
    engine = make_engine(fresh_url)
    created = dt.datetime(2026, 11, 1, 8, 0, tzinfo=dt.UTC)
    with engine.begin() as conn:
        conn.execute(text("INSERT INTO offices (code, name, created_at) VALUES ('PMK', 'PMK', :t)"),
                     {"t": created})
        conn.execute(text("INSERT INTO users (id, username, password_hash, role, office_code, "
                          "active, must_change_password, created_at) VALUES "
                          "(1, 'budi', 'x', 'officer', 'PMK', true, false, :t)"), {"t": created})
        conn.execute(text("INSERT INTO api_tokens (id, user_id, name, token_sha256, created_at) "
                          "VALUES (1, 1, 'cli', :h, :t)"), {"h": "a" * 64, "t": created})
        conn.execute(text("INSERT INTO login_failures (username, remote_addr, at) "
                          "VALUES ('3528011201900001', '10.0.0.1', :t)"), {"t": created})
    upgrade(fresh_url)
    with engine.connect() as conn:
        assert conn.execute(text("SELECT session_generation FROM users")).scalar_one() == 0
        expires = conn.execute(text("SELECT expires_at FROM api_tokens")).scalar_one()
        if isinstance(expires, str):
            expires = dt.datetime.fromisoformat(expires)
        assert as_utc(expires) == created + dt.timedelta(days=90)
        assert conn.execute(text("SELECT count(*) FROM login_failures")).scalar_one() == 0
        assert conn.execute(text("SELECT count(*) FROM login_throttle")).scalar_one() == 0
    engine.dispose()
