"""The office's list of licensed placement agencies (P3MI), shipped beside the rule set.

A CSV file: `name,licence_number,valid_until`, lines starting with `#` are comments. It is
validated with the rule set; a bad row names its line. An agency that is not on the list is
"unverified" at the interview, never an error.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
from types import MappingProxyType

from ews.checklist import agency_key

HEADER = ["name", "licence_number", "valid_until"]
MAX_ROWS = 20_000


def parse_agencies(text: str, source: str) -> tuple[MappingProxyType, list[str]]:
    """Return ({normalised name: valid until}, errors) of a P3MI list's CSV text."""
    errors: list[str] = []
    out: dict[str, dt.date] = {}
    lines = [(n, line) for n, line in enumerate(text.splitlines(), 1)
             if line.strip() and not line.lstrip().startswith("#")]
    if not lines:
        return MappingProxyType({}), [f"{source}: the list is empty (header {','.join(HEADER)})"]
    rows = csv.reader(io.StringIO("\n".join(line for _, line in lines)))
    for (n, _), row in zip(lines, rows, strict=True):
        if n == lines[0][0]:
            if [c.strip() for c in row] != HEADER:
                errors.append(f"{source}: line {n}: the header must be {','.join(HEADER)}")
            continue
        if len(errors) >= 20 or len(out) >= MAX_ROWS:
            errors.append(f"{source}: line {n}: too many errors or rows; stopped here")
            break
        if len(row) != 3:
            errors.append(f"{source}: line {n}: expected 3 columns, got {len(row)}")
            continue
        name, licence, until = (c.strip() for c in row)
        key = agency_key(name)
        if not key or len(name) > 200:
            errors.append(f"{source}: line {n}: 'name' must be 1-200 characters")
        elif not licence or len(licence) > 100:
            errors.append(f"{source}: line {n}: 'licence_number' must be 1-100 characters")
        elif key in out:
            errors.append(f"{source}: line {n}: agency listed twice")
        else:
            try:
                out[key] = dt.date.fromisoformat(until)
            except ValueError:
                errors.append(f"{source}: line {n}: 'valid_until' must be a date YYYY-MM-DD")
    return MappingProxyType(out), errors
