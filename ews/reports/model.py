"""The shape every report shares: typed tables of figures, charts over them, and suppression.

A report is a frozen `Report` of `Table`s (the first, `summary`, holds the headline figures).
Columns say what a cell is: a key, a count, or a figure derived from counts (`of`), and the
report declares how its counts add up (`margins`), so that `ews.reports.sdc.suppress` can
hide every count under k, and whatever would reveal it, without knowing the report.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import math
from dataclasses import dataclass, field
from typing import Any

K_MIN = 11  # the CTDC k: groups of fewer applicants leave the office only as "<11"
SUPPRESSED = f"<{K_MIN}"
KINDS = ("key", "text", "count", "rate", "per1000", "interval", "ratio", "date")


class ReportInputError(ValueError):
    """Bad report parameters; `field` names the parameter (from, to, office, by, format,
    name)."""

    def __init__(self, field_name: str, message: str) -> None:
        super().__init__(message)
        self.field = field_name


@dataclass(frozen=True)
class Params:
    """What a report covers: [start, end) in days on each office's clock, the offices (None:
    every office), and which time dates an assessment: the interview's (default) or the
    submission's (`by="submitted"`)."""

    start: dt.date
    end: dt.date  # exclusive
    offices: tuple[str, ...] | None = None
    by: str = "interview"

    @property
    def start_at(self) -> dt.datetime:
        """Return the first instant covered (UTC)."""
        return dt.datetime.combine(self.start, dt.time(), tzinfo=dt.UTC)

    @property
    def last(self) -> dt.date:
        """Return the last day covered."""
        return self.end - dt.timedelta(days=1)

    @property
    def end_at(self) -> dt.datetime:
        """Return the first instant after the period (UTC)."""
        return dt.datetime.combine(self.end, dt.time(), tzinfo=dt.UTC)


FIRST_DAY, LAST_DAY = dt.date(2000, 1, 1), dt.date(2099, 12, 31)  # the dates a report takes
BY = ("interview", "submitted")


NEWEST_OFFSET = dt.timedelta(hours=9)  # WIT (UTC+9): the easternmost offices' clock


def newest_today(now: dt.datetime) -> dt.date:
    """Return today's date at the easternmost offices (WIT): a default last day that holds
    every office's today, whatever the hour in UTC."""
    return (now.astimezone(dt.UTC) + NEWEST_OFFSET).date()


def parse_params(start: str | None, end: str | None, office: str | None = None, *,
                 today: dt.date, by: str | None = None) -> Params:
    """Return Params from text (`--to` inclusive); ReportInputError names a bad one."""
    def day(value: str | None, name: str, default: dt.date) -> dt.date:
        if value in (None, ""):
            return default
        try:
            found = dt.date.fromisoformat(value)
        except ValueError:
            raise ReportInputError(name, f"'{name}' must be a date YYYY-MM-DD") from None
        if not FIRST_DAY <= found <= LAST_DAY:  # also keeps date arithmetic off its limits
            raise ReportInputError(name, f"'{name}' must be a date from {FIRST_DAY} to "
                                         f"{LAST_DAY}")
        return found

    last = day(end, "to", today)
    first = day(start, "from", last - dt.timedelta(days=364))
    if first > last:
        raise ReportInputError("from", "'from' is after 'to'")
    offices = None
    if office:
        codes = tuple(c.strip().upper() for c in office.split(",") if c.strip())
        if not codes or any(not (2 <= len(c) <= 16 and c.isalnum()) for c in codes):
            raise ReportInputError("office", "'office' must be office codes (2-16 letters or "
                                             "digits), comma-separated")
        offices = codes
    if by not in (None, "", *BY):
        raise ReportInputError("by", f"'by' must be one of {', '.join(BY)}")
    return Params(first, last + dt.timedelta(days=1), offices, by or "interview")


@dataclass(frozen=True)
class Column:
    """A column: `kind` says how to show and suppress it; `of` names the counts it derives from."""

    name: str
    label: str
    kind: str = "count"
    of: tuple[str, ...] = ()
    unit: str = ""  # "per1000" for intervals per 1,000 (others are proportions)

    def __post_init__(self) -> None:
        assert self.kind in KINDS, self.kind


@dataclass(frozen=True)
class Table:
    """Rows of one breakdown; every row has one value per column."""

    name: str
    title: str
    columns: tuple[Column, ...]
    rows: tuple[tuple, ...]

    def records(self) -> list[dict]:
        """Return the rows as dicts keyed by column name."""
        names = [c.name for c in self.columns]
        return [dict(zip(names, row, strict=True)) for row in self.rows]

    def column(self, name: str) -> list:
        """Return one column's values."""
        i = [c.name for c in self.columns].index(name)
        return [row[i] for row in self.rows]


@dataclass(frozen=True)
class Chart:
    """A chart over a table: x column, series columns, bar / stacked bar / line."""

    title: str
    table: str
    x: str
    series: tuple[str, ...]
    kind: str = "bar"


@dataclass(frozen=True)
class Report:
    """A computed report: tables (the first is the summary), charts and plain-text notes."""

    name: str
    title: str
    params: Params
    tables: tuple[Table, ...]
    charts: tuple[Chart, ...] = ()
    notes: tuple[str, ...] = ()
    suppressed: bool = False
    extra: dict = field(default_factory=dict)
    # The relations between its cells that suppression protects (`ews.reports.sdc`: Sum,
    # Margin, Linear, Ranked, Quote); a table that adds up to another declares it here.
    margins: tuple = ()

    def table(self, name: str) -> Table:
        """Return the table called `name`."""
        return next(t for t in self.tables if t.name == name)


def _cell(value: Any) -> Any:
    if isinstance(value, float):
        return "" if math.isnan(value) else round(value, 4)
    if isinstance(value, tuple | list):
        return "-".join(str(_cell(v)) for v in value)
    if isinstance(value, dt.date | dt.datetime):
        return value.isoformat()
    return "" if value is None else value


# A cell a spreadsheet would read as a formula (OWASP CSV injection): text starting with one
# of these leaves as text, prefixed with an apostrophe.
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def neutral(value: Any) -> Any:
    """Return `value` safe for a spreadsheet cell: formula-like text gets a leading `'`."""
    if isinstance(value, str) and value.startswith(FORMULA_START):
        return "'" + value
    return value


def _one_line(value: Any) -> Any:
    """Return a neutral cell with no line break to split its row (CR is not quoted by csv)."""
    value = neutral(_cell(value))
    return value.replace("\r", " ").replace("\n", " ") if isinstance(value, str) else value


def _md(value: Any) -> str:
    """Return a Markdown table cell: one line, no pipe to split the row."""
    return str(_one_line(value)).replace("|", "\\|")


def to_csv(table: Table) -> str:
    """Return one table as CSV: a header row of column labels, then the rows (nothing else,
    so that a spreadsheet reads it as it is); formula-like text is neutralised."""
    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator="\n")
    writer.writerow([_one_line(c.label) for c in table.columns])
    writer.writerows([[_one_line(v) for v in row] for row in table.rows])
    return buf.getvalue()


def to_markdown(report: Report) -> str:
    """Return the report as Markdown tables with its notes."""
    p = report.params
    scope = ", ".join(p.offices) if p.offices else "all offices"
    lines = [f"# {report.title}", "",
             f"{p.start} to {p.end - dt.timedelta(days=1)}, {scope}, by "
             f"{'interview' if p.by == 'interview' else 'submission'} time "
             "(office's local time)"
             + (" (groups under 11 suppressed)" if report.suppressed else ""), ""]
    for note in report.notes:
        lines.append(f"- {note}")
    for table in report.tables:
        lines += ["", f"## {table.title}", "",
                  "| " + " | ".join(c.label for c in table.columns) + " |",
                  "|" + "---|" * len(table.columns)]
        lines += ["| " + " | ".join(_md(v) for v in row) + " |" for row in table.rows]
    return "\n".join(lines) + "\n"
