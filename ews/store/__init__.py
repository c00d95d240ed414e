"""Storage: SQLAlchemy models, engines, migrations entry point and repository functions.

No Flask here (the request's session is `ews.webdb`'s) and nothing from the layers above.
"""

from .db import Base, as_utc, make_engine, utcnow
from .migrate import upgrade

__all__ = ["Base", "as_utc", "make_engine", "upgrade", "utcnow"]
