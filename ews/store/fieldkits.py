"""Field kits in the database (ews.field): the office's packed kits, a field instance's own.

`refuse_in_field` is the guard the services call before they create or change a user or a
rule set: on a field instance (the database holds the kit it was opened from) those are
fixed by the kit, whatever page, API call or command asks.
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import select

from .db import Db, connection_of
from .models import FieldKit

_OWN_KIT = select(FieldKit.kit_id, FieldKit.closed_at).where(FieldKit.opened_at.is_not(None))


class FieldInstanceError(PermissionError):
    """A change a field instance does not allow: its users and rule sets are the kit's."""


def own_kit(db: Db) -> tuple[str, dt.datetime | None] | None:
    """Return (kit id, closed at) when this database is a field instance, else None."""
    row = connection_of(db).execute(_OWN_KIT).first()
    return None if row is None else (row[0], row[1])


def refuse_in_field(db: Db, what: str) -> None:
    """Raise FieldInstanceError when this database is a field instance; `what` names it."""
    kit = own_kit(db)
    if kit is not None:
        raise FieldInstanceError(
            f"{what}: not on a field instance (kit {kit[0]}); users and rule sets come from "
            "the office with the kit")

