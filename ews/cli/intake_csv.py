"""The front desk's CSV file, read as a stream: one line at a time, never the whole file.

Bounded work on any file: a physical line is read at most `MAX_LINE` characters at a time, a
cell longer than `MAX_CELL` characters (the csv module's limit) is refused with its line and
column, and reading stops at the first row past `MAX_ROWS`. A header that names a column twice
is refused (the last would silently win). Problems are "line N: ..." and never echo a value.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator
from pathlib import Path

MAX_ROWS = 100_000
MAX_CELL = 131_072  # csv.field_size_limit()'s default
MAX_LINE = 16 * MAX_CELL  # a row of every intake column at its longest fits well within


class TooLong(Exception):
    """A physical line longer than MAX_LINE characters."""


class _Lines:
    """The file's lines for csv.reader, remembering those of the record being read."""

    def __init__(self, fh: io.TextIOBase) -> None:
        self.fh, self.record = fh, []

    def __iter__(self) -> Iterator[str]:
        return self

    def __next__(self) -> str:
        line = self.fh.readline(MAX_LINE)
        if not line:
            raise StopIteration
        if len(line) == MAX_LINE and not line.endswith("\n"):
            raise TooLong
        self.record.append(line)
        return line


def _column_of_long_cell(lines: list[str], header: list[str]) -> str:
    """Return the name of the column whose cell the csv module found too long."""
    limit = csv.field_size_limit(MAX_LINE * len(lines) + 1)
    try:  # the record as read so far: the first long cell, else the last (cut short)
        cells = next(csv.reader(io.StringIO("".join(lines), newline="")), [])
    finally:
        csv.field_size_limit(limit)
    index = next((i for i, cell in enumerate(cells) if len(cell) > MAX_CELL),
                 max(len(cells) - 1, 0))
    return header[index] if index < len(header) else f"column {index + 1}"


def read_rows(path: Path, columns: tuple[str, ...]) -> tuple[list[tuple[int, dict]], list[str]]:
    """Return (line number, row without blank cells) pairs, or the file's problems."""
    try:
        with path.open(encoding="utf-8-sig", newline="") as fh:
            return _read(fh, columns)
    except UnicodeDecodeError:
        return [], ["the file is not UTF-8 text"]


def _read(fh: io.TextIOBase, columns: tuple[str, ...]) -> tuple[list, list[str]]:
    lines = _Lines(fh)
    reader = csv.reader(lines)
    header: list[str] = []
    rows: list[tuple[int, dict]] = []
    try:
        header = next(reader, [])
        lines.record = []
        twice = sorted({c for c in header if header.count(c) > 1})
        missing = [c for c in columns if c not in header]
        unknown = sorted({c for c in header if c not in columns})
        problems = [f"line 1: {label}: {', '.join(names)}" for label, names in (
            ("column(s) named twice", twice), ("missing column(s)", missing),
            ("unknown column(s)", unknown)) if names]
        if problems:
            return [], problems
        for cells in reader:
            lines.record = []
            if len(cells) > len(header):
                return [], [f"line {reader.line_num}: more cells than columns"]
            row = {k: v for k, v in zip(header, cells, strict=False) if v and v.strip()}
            if not row:
                continue
            rows.append((reader.line_num, row))
            if len(rows) > MAX_ROWS:
                return [], [f"more than {MAX_ROWS} rows: split the file"]
    except TooLong:
        return [], [f"line {reader.line_num + 1}: the line is longer than {MAX_LINE} "
                    "characters"]
    except csv.Error as err:
        line = reader.line_num
        if "field larger than field limit" in str(err):
            column = _column_of_long_cell(lines.record, header) if header else "column 1"
            return [], [f"line {line}: {column}: the cell is longer than {MAX_CELL} "
                        "characters"]
        return [], [f"line {line}: not readable as CSV ({err})"]
    return rows, []
