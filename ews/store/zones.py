"""Office time zones: the local clock that report facts are dated by.

Each office keeps its zone (`offices.timezone`, an IANA name); Indonesia's three zones have
had fixed offsets since 1964 (no summer time), so a zone is an offset in minutes and the
local month, day and hour of an instant are the same whether Python or SQL (either
database) computes them. An office not in the table is on WIB, the default.
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import select
from sqlalchemy.engine import Connection

from .models import Office

DEFAULT = "Asia/Jakarta"
# IANA zone -> (minutes east of UTC, Indonesian name)
ZONES = {"Asia/Jakarta": (420, "WIB"), "Asia/Pontianak": (420, "WIB"),
         "Asia/Makassar": (480, "WITA"), "Asia/Jayapura": (540, "WIT")}


def check(zone: str) -> str:
    """Return `zone` if it is an Indonesian zone; ValueError names the allowed ones."""
    if zone not in ZONES:
        raise ValueError(f"timezone must be one of {', '.join(ZONES)}")
    return zone


def offsets(conn: Connection) -> dict[str, int]:
    """Return each office's UTC offset in minutes (offices on an unknown zone: WIB)."""
    rows = conn.execute(select(Office.code, Office.timezone)).all()
    return {code: ZONES.get(zone or DEFAULT, ZONES[DEFAULT])[0] for code, zone in rows}


def minutes_of(office_offsets: dict[str, int], office_code: str) -> int:
    """Return the offset of `office_code` (the default zone's when it is not listed)."""
    return office_offsets.get(office_code, ZONES[DEFAULT][0])


def local(at: dt.datetime, minutes: int) -> dt.datetime:
    """Return the wall-clock time (naive) of UTC instant `at` at `minutes` east of UTC."""
    return at.astimezone(dt.UTC).replace(tzinfo=None) + dt.timedelta(minutes=minutes)


def offset_sql(office_offsets: dict[str, int], column: str = "a.office_code") -> str:
    """Return a SQL CASE giving the offset in minutes of the office in `column`."""
    default = ZONES[DEFAULT][0]
    whens = " ".join(f"WHEN '{code.replace(chr(39), chr(39) * 2)}' THEN {int(m)}"
                     for code, m in sorted(office_offsets.items()) if m != default)
    return f"(CASE {column} {whens} ELSE {default} END)" if whens else str(default)
