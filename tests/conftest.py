"""Shared fixtures: an app on a real database, users of every role, tokens, payloads.

The database is SQLite (a temporary file) unless EWS_TEST_DATABASE_URL names a PostgreSQL
server: then a schema is created for this test session and dropped at its end. Either way the
migrations run once per session (per pytest-xdist worker) and every table is emptied between
tests.

Set-up is paid once where it can be: the app on the default configuration is built once per
module (`app` builds a fresh one for a test whose `app_config` differs, and replaces the
shared one after a test that added routes, hooks or config to it), and the default rule set
is parsed once per process (the engine caches by content hash). Every test that reaches a
database through `database_url`, `fresh_url` or the browser tests' `live_server`, directly or
through any fixture built on them, is marked `db`; the PostgreSQL run of `.ci/run` runs only
those.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import pytest
from sqlalchemy import text
from sqlalchemy.orm import Session

from ews import create_app
from ews.audit import GENESIS
from ews.auth.passwords import hash_password
from ews.engine import ruleset_files
from ews.lifecycle.service import activate_ruleset, register_ruleset
from ews.store import make_engine
from ews.store.migrate import upgrade
from ews.store.users import create_token, create_user
from tests.app_shape import shape
from tests.checklists import sound_umrah

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_RULES = ROOT / "rules" / "tppo_pmi.yaml"
PASSWORD = "correct-horse-battery"
TABLES = ("audit_events", "audit_head", "shadow_results", "ruleset_transitions",
          "lifecycle_evidence",
          "intel_followups", "intel_products", "followup_samples", "outcomes", "decisions",
          "assessment_corrections",
          "applications",
          "assessment_facts", "assessments", "interview_drafts", "api_tokens", "login_failures",
          "login_throttle", "models", "rulesets", "users", "offices", "field_kits",
          "export_settings")
PG_URL = os.environ.get("EWS_TEST_DATABASE_URL")
# The fixtures every database fixture is built on (a new one must be built on them too);
# live_server is the browser tests' own database (tests/browser/conftest.py).
DATABASE_FIXTURES = frozenset({"database_url", "fresh_url", "live_server"})


@pytest.hookimpl(tryfirst=True)  # before `-m` selects on the marks
def pytest_collection_modifyitems(items) -> None:
    """Mark `db` every test whose fixtures reach a database (fixturenames is the closure)."""
    for item in items:
        if DATABASE_FIXTURES & set(getattr(item, "fixturenames", ())):
            item.add_marker(pytest.mark.db)


@contextmanager
def pg_schema(prefix: str) -> Iterator[str]:
    """Create a fresh schema on the PostgreSQL server of EWS_TEST_DATABASE_URL, yield a URL
    whose connections use it, drop it at the end."""
    schema = f"{prefix}_{uuid.uuid4().hex[:10]}"
    admin = make_engine(PG_URL)
    with admin.begin() as conn:
        conn.execute(text(f'CREATE SCHEMA "{schema}"'))
    sep = "&" if "?" in PG_URL else "?"
    try:
        yield f"{PG_URL}{sep}options=-csearch_path%3D{schema}"
    finally:
        with admin.begin() as conn:
            conn.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
        admin.dispose()


@pytest.fixture(scope="session")
def database_url(tmp_path_factory) -> str:
    """Return the URL of a migrated, empty test database (SQLite file or PG schema)."""
    if not PG_URL:
        url = f"sqlite:///{tmp_path_factory.mktemp('db') / 'ews.sqlite3'}"
        upgrade(url)
        yield url
        return
    with pg_schema("ews_test") as url:
        upgrade(url)
        yield url


@pytest.fixture
def fresh_url(tmp_path):
    """Return the URL of an empty, unmigrated database (an SQLite file or a new PG schema)."""
    if not PG_URL:
        yield f"sqlite:///{tmp_path / 'fresh.sqlite3'}"
        return
    with pg_schema("ews_mig") as url:
        yield url


def seed_supervisor(conn) -> None:
    """Insert office PMK and its supervisor (user id 1) with plain SQL, for migration tests."""
    conn.execute(text("INSERT INTO offices (code, name, created_at) "
                      "VALUES ('PMK', 'Pamekasan', '2026-01-01')"))
    conn.execute(text("INSERT INTO users (id, username, password_hash, role, office_code, "
                      "active, must_change_password, created_at) VALUES "
                      "(1, 'sup', 'x', 'supervisor', 'PMK', true, false, '2026-01-01')"))


@pytest.fixture(scope="session")
def engine(database_url):
    """Return an engine on the test database (for direct inspection by tests)."""
    eng = make_engine(database_url)
    yield eng
    eng.dispose()


@contextmanager
def maintenance(conn):
    """Let the statements inside past the append-only triggers (ews.store.guards), as a
    test that stages a broken or racing state must; the caller's transaction commits."""
    conn.execute(text("INSERT INTO audit_maintenance (id, reason, opened_at) "
                      "VALUES (1, 'tests', CURRENT_TIMESTAMP)"))
    yield
    conn.execute(text("DELETE FROM audit_maintenance"))


def _empty(engine) -> None:
    # The append-only triggers let the clean-up through only inside a maintenance window
    # (ews.store.guards), opened and closed in this one transaction.
    with engine.begin() as conn, maintenance(conn):
        if engine.dialect.name == "postgresql":
            conn.execute(text(f"TRUNCATE {', '.join(TABLES)} RESTART IDENTITY CASCADE"))
        else:
            for table in TABLES:
                conn.execute(text(f"DELETE FROM {table}"))
        conn.execute(text("INSERT INTO audit_head (id, seq, hash) VALUES (1, 0, :h)"),
                     {"h": GENESIS})


@pytest.fixture(scope="session")
def password_hash() -> str:
    """Return one Argon2 hash of PASSWORD (hashing is deliberately slow; do it once)."""
    return hash_password(PASSWORD)


@pytest.fixture
def db(engine):
    """Empty every table, then return a session on the test database."""
    _empty(engine)
    with Session(engine, expire_on_commit=False) as session:
        yield session


def _default_config(database_url: str) -> dict:
    return {"TESTING": True, "DATABASE_URL": database_url, "WTF_CSRF_ENABLED": False,
            "SECRET_KEY": "test-secret", "PII_KEY": "test-pii-key",
            "RULES_PATH": str(DEFAULT_RULES)}


@pytest.fixture
def app_config(database_url) -> dict:
    """Return the test_config of the app fixture (tests may adjust it before `app`)."""
    return _default_config(database_url)


@pytest.fixture(scope="session")
def default_rules() -> tuple[bytes, bytes | None]:
    """Return the default rule set's bytes and its P3MI list, read once."""
    return ruleset_files(DEFAULT_RULES)


@pytest.fixture(scope="module")
def _module_app(database_url):
    """Hold this module's app on the default configuration (built by `app` when needed)."""
    held = {}
    yield held
    if held:
        held["app"].extensions["ews_engine"].dispose()


@pytest.fixture
def app(db, database_url, app_config, default_rules, _module_app):
    """Return an app on the emptied test database with the default rule set active.

    On the default configuration it is the module's app (built once); a test that changed
    `app_config` gets its own. Each test starts as on a new app: no pooled connection, and
    routes may be added (Flask allows it only before the first request); a shared app a
    test changed is replaced for the next test.
    """
    text, agencies = default_rules
    row = register_ruleset(db, text, None, source=str(DEFAULT_RULES), agencies=agencies)
    activate_ruleset(db, row, None)
    db.commit()
    if app_config != _default_config(database_url):
        application = create_app(app_config)
        yield application
        application.extensions["ews_engine"].dispose()
        return
    if not _module_app:
        _module_app["app"] = create_app(app_config)
        _module_app["shape"] = shape(_module_app["app"])
    application = _module_app["app"]
    application._got_first_request = False
    yield application
    application.extensions["ews_engine"].dispose()
    if shape(application) != _module_app["shape"]:
        _module_app.clear()


@pytest.fixture
def client(app):
    """Return a test client."""
    return app.test_client()


@pytest.fixture
def runner(app):
    """Return a CLI runner."""
    return app.test_cli_runner()


@pytest.fixture
def ews_cli(database_url, db, tmp_path, monkeypatch):
    """Return a function running `ews ARGS...` in-process on the test database (production)."""
    from click.testing import CliRunner

    from ews.cli import main

    for name in ("EWS_PASSWORD", "EWS_ADMIN_USER", "EWS_ADMIN_OFFICE", "EWS_TOKEN_DAYS",
                 "EWS_RULES_PATH"):
        monkeypatch.delenv(name, raising=False)
    env = {"EWS_ENV": "production", "EWS_DATABASE_URL": database_url,
           "EWS_SECRET_KEY": "s" * 32, "EWS_PII_KEY": "p" * 32,
           "EWS_INSTANCE_PATH": str(tmp_path / "instance")}

    def run(*args, **extra_env):
        return CliRunner().invoke(main, list(args), env=env | extra_env)

    return run


@dataclass
class Account:
    """A test user with a bearer token."""

    id: int
    username: str
    role: str
    office_code: str
    token: str

    @property
    def headers(self) -> dict:
        """Return the Authorization header of this account."""
        return {"Authorization": f"Bearer {self.token}"}


@pytest.fixture
def make_account(app, db, password_hash):
    """Return a factory of committed users (with a token); password is PASSWORD."""

    def make(role: str, office: str = "PMK", username: str | None = None) -> Account:
        name = username or f"{role}-{office.lower()}"
        user = create_user(db, name, role, office, password_hash)
        _, token = create_token(db, user, "test")
        db.commit()
        return Account(user.id, name, role, office, token)

    return make


@pytest.fixture
def accounts(make_account) -> dict[str, Account]:
    """Return one account per role at PMK, officer/supervisor at SBY, analyst/admin at PST."""
    return {
        "officer": make_account("officer", "PMK"),
        "supervisor": make_account("supervisor", "PMK"),
        "analyst": make_account("analyst", "PST"),
        "admin": make_account("admin", "PST"),
        "officer_sby": make_account("officer", "SBY"),
        "supervisor_sby": make_account("supervisor", "SBY"),
    }


# Recruited online for a scam compound: reaches at least supervisor review.
ONLINE_SCAM = {"purpose": "tourism", "destination_country": "KH", "host_or_guarantor": "none",
               "umrah_documents": None, "job_offer_channel": "social_media",
               "recruiter_type": "unknown", "offer_unrealistic": True,
               "job_changed": True, "costs_paid_by_non_family": True, "instructed_to_lie": True,
               "documents_held_by_other": True, "scripted_answers": True,
               "accompanied_by": "alone"}


@pytest.fixture
def payload():
    """Return a factory of checklist payloads: sound umrah unless told otherwise."""

    def make(application_id: str = "PMK-2026-000101", office_code: str = "PMK",
             risky: bool = False, **overrides) -> dict:
        answers = sound_umrah(application_id=application_id, office_code=office_code)
        if risky:
            answers = {k: v for k, v in (answers | ONLINE_SCAM).items() if v is not None}
        return answers | overrides

    return make
