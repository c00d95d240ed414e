"""Storage: SQLAlchemy models, engines, migrations (`ews.store.migrate.upgrade`) and
repository functions.

No Flask here (the request's session is `ews.webdb`'s) and nothing from the layers above.
"""

from .db import Base, as_utc, make_engine, utcnow

__all__ = ["Base", "as_utc", "make_engine", "utcnow"]
