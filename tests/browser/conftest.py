"""Browser-test fixtures: the real app on a free loopback port, Debian's Chromium headless.

One server (a WSGI thread over a temporary SQLite file, or a fresh PostgreSQL schema when
EWS_TEST_DATABASE_URL is set; CSRF on) and one browser per module.
Without /usr/bin/chromium the tests skip, unless EWS_REQUIRE_BROWSER=1 (CI), then they fail.
"""

from __future__ import annotations

import os
import threading
from collections.abc import Iterator
from contextlib import ExitStack
from dataclasses import dataclass
from pathlib import Path

import pytest
from sqlalchemy.orm import Session
from werkzeug.serving import make_server

from ews import create_app
from ews.auth.passwords import hash_password
from ews.engine import ruleset_files
from ews.lifecycle.service import activate_ruleset, register_ruleset
from ews.store import make_engine
from ews.store.migrate import upgrade
from ews.store.users import create_user
from tests.conftest import PG_URL, pg_schema

CHROMIUM = Path("/usr/bin/chromium")
ROOT = Path(__file__).resolve().parents[2]
RULES = ROOT / "rules" / "tppo_pmi.yaml"
SCREENSHOTS = ROOT / "test-output" / "screenshots"
PASSWORD = "browser-test-password"
LAUNCH_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
               "--disable-component-update", "--disable-sync", "--no-first-run"]
USERS = (("officer1", "officer", "PMK"), ("supervisor1", "supervisor", "PMK"),
         ("officer2", "officer", "PMK"), ("analyst1", "analyst", "PST"),
         ("admin1", "admin", "PST"))


@dataclass(frozen=True)
class LiveServer:
    """A running EWS and a way to inspect its database."""

    url: str
    engine: object

    def session(self) -> Session:
        """Return a new session on the server's database."""
        return Session(self.engine, expire_on_commit=False)


@pytest.fixture(scope="module")
def live_server(tmp_path_factory) -> Iterator[LiveServer]:
    """Serve the real app (CSRF on) over a fresh database with a user of every role."""
    with ExitStack() as stack:
        if PG_URL:
            url = stack.enter_context(pg_schema("ews_browser"))
        else:
            url = f"sqlite:///{tmp_path_factory.mktemp('browser') / 'ews.sqlite3'}"
        yield from _serve(url)


def _serve(url: str) -> Iterator[LiveServer]:
    upgrade(url)
    engine = make_engine(url)
    with Session(engine) as db:
        text, agencies = ruleset_files(RULES)
        row = register_ruleset(db, text, None, source=str(RULES), agencies=agencies)
        activate_ruleset(db, row, None)
        digest = hash_password(PASSWORD)
        for name, role, office in USERS:
            create_user(db, name, role, office, digest)
        db.commit()
    app = create_app({"TESTING": False, "DATABASE_URL": url, "WTF_CSRF_ENABLED": True,
                      "SECRET_KEY": "browser-secret", "PII_KEY": "browser-pii-key",
                      "RULES_PATH": str(RULES)})
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield LiveServer(f"http://127.0.0.1:{server.server_port}", engine)
    finally:
        server.shutdown()
        thread.join(timeout=10)
        app.extensions["ews_engine"].dispose()
        engine.dispose()


@pytest.fixture(scope="module")
def browser():
    """Return one headless Chromium for the module (skip or fail when it is missing)."""
    if not CHROMIUM.exists():
        if os.environ.get("EWS_REQUIRE_BROWSER") == "1":
            pytest.fail(f"{CHROMIUM} is missing and EWS_REQUIRE_BROWSER=1: "
                        "install it with `apt-get install -y chromium`")
        pytest.skip(f"{CHROMIUM} not installed (apt-get install -y chromium)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        chromium = pw.chromium.launch(executable_path=str(CHROMIUM), args=LAUNCH_ARGS)
        yield chromium
        chromium.close()


@pytest.fixture(scope="module")
def screenshots() -> Path:
    """Return the screenshot folder under test-output/ (git-ignored)."""
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    return SCREENSHOTS
