"""Run the Alembic migrations programmatically (used by `ews init` and the tests)."""

from __future__ import annotations

from pathlib import Path

from alembic import command
from alembic.config import Config

MIGRATIONS = Path(__file__).resolve().parent.parent / "migrations"


def alembic_config(url: str) -> Config:
    """Return an Alembic config for `url` without needing an alembic.ini file."""
    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS))
    cfg.set_main_option("sqlalchemy.url", url.replace("%", "%%"))
    return cfg


def upgrade(url: str, revision: str = "head") -> None:
    """Create or migrate the database at `url` to `revision`; (re)install the table guards.

    SQLite loses a table's triggers when a batch migration recreates the table, so the
    append-only triggers are installed again after every upgrade to the head.
    """
    command.upgrade(alembic_config(url), revision)
    if revision == "head":
        from .db import make_engine
        from .guards import install

        engine = make_engine(url)
        try:
            with engine.begin() as conn:
                install(conn)
        finally:
            engine.dispose()
