"""Rows as JSON and back: timestamps as UTC text, everything else as stored."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from functools import cache

from sqlalchemy import Date, Table

from ews.store.db import as_utc
from ews.store.models import UTCDateTime


@cache
def _kinds(table: Table) -> tuple[frozenset[str], frozenset[str]]:
    stamps = frozenset(c.name for c in table.c if isinstance(c.type, UTCDateTime))
    dates = frozenset(c.name for c in table.c if isinstance(c.type, Date))
    return stamps, dates


def to_json(table: Table, row: Mapping) -> dict:
    """Return a row's columns JSON-ready (timestamps as UTC ISO text, dates as ISO)."""
    stamps, dates = _kinds(table)
    out = dict(row)
    for name in stamps | dates:
        value = out.get(name)
        if value is not None:
            out[name] = as_utc(value).isoformat() if name in stamps else value.isoformat()
    return out


def from_json(table: Table, row: Mapping) -> dict:
    """Return the column values of a JSON row (the inverse of `to_json`)."""
    stamps, dates = _kinds(table)
    out = {c.name: row.get(c.name) for c in table.c}
    for name in stamps | dates:
        value = out.get(name)
        if isinstance(value, str):
            out[name] = (dt.datetime.fromisoformat(value) if name in stamps
                         else dt.date.fromisoformat(value))
    return out
