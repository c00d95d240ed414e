"""Storage: SQLAlchemy models, sessions, migrations entry point and repository functions."""

from .db import Base, as_utc, get_db, get_session, init_app, make_engine, utcnow
from .migrate import upgrade

__all__ = ["Base", "as_utc", "get_db", "get_session", "init_app", "make_engine", "upgrade",
           "utcnow"]
