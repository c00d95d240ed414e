"""The office's lists of licensed agencies (P3MI; ship manning agencies), beside the rule set.

A CSV file: `name,licence_number,valid_until,status,status_from`, lines starting with `#` are
comments. `status` is `active`, `suspended` or `revoked` from `status_from` (a date; empty:
from the start); lists written before these columns existed (`name,licence_number,
valid_until`) still load, every agency on them active. It is validated with the rule set; a
bad row names its line. An agency that is not on the list is "unverified" at the interview,
never an error; the licence is read as on the interview date (`ews.checklist.derive`).
"""

from __future__ import annotations

import csv
import datetime as dt
import io
from types import MappingProxyType

from ews.checklist import agency_key

HEADER = ["name", "licence_number", "valid_until", "status", "status_from"]
OLD_HEADER = HEADER[:3]
STATUSES = ("active", "suspended", "revoked")
MAX_ROWS = 20_000


def parse_agencies(text: str, source: str) -> tuple[MappingProxyType, list[str]]:
    """Return ({normalised name: (valid until, status, status from)}, errors) of a list's
    CSV text."""
    errors: list[str] = []
    out: dict[str, tuple] = {}
    header = HEADER
    lines = [(n, line) for n, line in enumerate(text.splitlines(), 1)
             if line.strip() and not line.lstrip().startswith("#")]
    if not lines:
        return MappingProxyType({}), [f"{source}: the list is empty (header {','.join(HEADER)})"]
    rows = csv.reader(io.StringIO("\n".join(line for _, line in lines)))
    for (n, _), row in zip(lines, rows, strict=True):
        if n == lines[0][0]:
            header = [c.strip() for c in row]
            if header not in (HEADER, OLD_HEADER):
                errors.append(f"{source}: line {n}: the header must be {','.join(HEADER)}")
                header = HEADER
            continue
        if len(errors) >= 20 or len(out) >= MAX_ROWS:
            errors.append(f"{source}: line {n}: too many errors or rows; stopped here")
            break
        if len(row) != len(header):
            errors.append(f"{source}: line {n}: expected {len(header)} columns, got {len(row)}")
            continue
        name, licence, until, status, since = [c.strip() for c in row] + ["active", ""][
            len(row) - 3:]
        key = agency_key(name)
        if not key or len(name) > 200:
            errors.append(f"{source}: line {n}: 'name' must be 1-200 characters")
        elif not licence or len(licence) > 100:
            errors.append(f"{source}: line {n}: 'licence_number' must be 1-100 characters")
        elif key in out:
            errors.append(f"{source}: line {n}: agency listed twice")
        elif status not in STATUSES:
            errors.append(f"{source}: line {n}: 'status' must be one of: {', '.join(STATUSES)}")
        else:
            try:
                until_day = dt.date.fromisoformat(until)
            except ValueError:
                errors.append(f"{source}: line {n}: 'valid_until' must be a date YYYY-MM-DD")
                continue
            try:
                since_day = dt.date.fromisoformat(since) if since else None
            except ValueError:
                errors.append(f"{source}: line {n}: 'status_from' must be a date YYYY-MM-DD "
                              f"or empty")
                continue
            out[key] = (until_day, status, since_day)
    return MappingProxyType(out), errors
