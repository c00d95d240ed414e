"""Reconcile the sealed tables with the audit chain: every row has its event, every event its row.

`verify` in this package walks the chain and hands the seals it found to `reconcile`, which
reads each sealed table in key order and compares. Messages name tables, row keys, column
names and event numbers only, never values (rows hold personal data).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from ews.store.models import Base

from .seal import ALL_SPECS, check


@dataclass(frozen=True)
class RowBreak:
    """A row that does not match the chain (or an event whose row is gone)."""

    table: str
    key: str
    seq: int | None
    problem: str

    def __str__(self) -> str:
        where = f" (audit event {self.seq})" if self.seq is not None else ""
        return f"{self.table} row {self.key}: {self.problem}{where}"


def reconcile(session: Session, seals: dict[tuple[str, str], tuple[int, dict]],
              redacted_before: dt.datetime | None, batch: int = 2000) -> RowBreak | None:
    """Compare every row of the sealed tables with its latest seal; return the first break."""
    seals = dict(seals)
    for spec in ALL_SPECS.values():
        table = Base.metadata.tables[spec.table]
        key = table.c[spec.key]
        last = None
        while True:
            stmt = select(table).order_by(key).limit(batch)
            if last is not None:
                stmt = stmt.where(key > last)
            rows = session.execute(stmt).mappings().all()
            if not rows:
                break
            for row in rows:
                ident = str(row[spec.key])
                found = seals.pop((spec.table, ident), None)
                if found is None:
                    return RowBreak(spec.table, ident, None,
                                    "no audit event records this row (inserted outside the "
                                    "service?)")
                seq, stored = found
                problem = check(stored, row, redacted_before)
                if problem:
                    return RowBreak(spec.table, ident, seq, problem)
            last = rows[-1][spec.key]
    if seals:
        (table_name, ident), (seq, _) = min(seals.items(), key=lambda item: item[1][0])
        return RowBreak(table_name, ident, seq, "row missing (deleted?)")
    return None
