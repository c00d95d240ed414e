"""A fixture running `ews ...` in-process against the emptied test database."""

from __future__ import annotations

import pytest
from click.testing import CliRunner

from ews.cli import main


@pytest.fixture
def ews_cli(database_url, db, tmp_path, monkeypatch):
    """Return a function running `ews ARGS...` (production mode, test database)."""
    for name in ("EWS_PASSWORD", "EWS_ADMIN_USER", "EWS_ADMIN_OFFICE", "EWS_TOKEN_DAYS"):
        monkeypatch.delenv(name, raising=False)
    env = {"EWS_ENV": "production", "EWS_DATABASE_URL": database_url,
           "EWS_SECRET_KEY": "s" * 32, "EWS_PII_KEY": "p" * 32,
           "EWS_INSTANCE_PATH": str(tmp_path / "instance")}

    def run(*args, **extra_env):
        return CliRunner().invoke(main, list(args), env=env | extra_env)

    return run
