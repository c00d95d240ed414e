"""Why a username or office code is refused, in the reader's language (Flask-Babel).

The rules themselves are storage's (`ews.store.users.USERNAME`, `OFFICE_CODE`); the words
a page or the command line shows are translated here, above storage.
"""

from __future__ import annotations

from flask_babel import LazyString
from flask_babel import lazy_gettext as _l

from ews.store.users import OFFICE_CODE, USERNAME


def username_problem(name: str) -> LazyString | None:
    """Return why `name` cannot be a username, or None."""
    if USERNAME.fullmatch(name):
        return None
    return _l("Username: use 2-64 characters from a-z, 0-9, '.', '_' and '-' "
              "(lower case, no spaces).")


def office_problem(code: str) -> LazyString | None:
    """Return why `code` cannot be an office code, or None."""
    if OFFICE_CODE.fullmatch(code):
        return None
    return _l("Office code: use 2-16 characters from A-Z and 0-9, e.g. PMK.")
