"""Reports as they leave the service: JSON (marshmallow), CSV, Markdown and XLSX.

CSV holds one table per file: a report of one table is one CSV, a report of several a zip
of CSVs named `<report>-<table>.csv` (`download` says which). Headers are the column labels
in the reader's language (`localize`, through the Babel catalogue of the pages); officer
usernames leave as keyed pseudonyms (`pseudonymise`) unless an admin turned that off.
"""

from __future__ import annotations

import datetime as dt
import functools
import hashlib
import hmac
import io
import json
import math
import zipfile
from collections.abc import Sequence
from dataclasses import replace
from pathlib import Path
from typing import Any

from marshmallow import Schema, fields
from sqlalchemy.orm import Session

from ews import audit
from ews.checklist.countries import ISO_COUNTRIES, country_name

from .model import SUPPRESSED, Params, Report, Table, to_csv, to_markdown

LANGS = ("id", "en")
TRANSLATIONS = Path(__file__).resolve().parents[1] / "translations"
OFFICER_COLUMNS = ("officer",)  # columns holding an officer's username


@functools.cache
def _catalogue(lang: str):
    from babel.support import Translations

    return Translations.load(str(TRANSLATIONS), [lang])


def label(text: str, lang: str) -> str:
    """Return a report label or title in `lang`: the pages' catalogue entry (English ids), a
    country's name for an ISO code, or the text as it is."""
    if text in ISO_COUNTRIES:
        return country_name(text, lang)
    if lang == "en":
        return text
    msgid = text.replace("%", "%%")
    found = _catalogue(lang).gettext(msgid)
    return found % {} if "%" in found else found


def localize(report: Report, lang: str) -> Report:
    """Return the report with its title, notes, table titles and column labels in `lang`
    ("id", "en"); a text the catalogue does not hold stays English."""
    if lang not in LANGS:
        raise ValueError(lang)
    return replace(report, title=label(report.title, lang),
                   notes=tuple(label(n, lang) for n in report.notes), tables=tuple(
        replace(t, title=label(t.title, lang),
                columns=tuple(replace(c, label=label(c.label, lang)) for c in t.columns))
        for t in report.tables))


def pseudonym(key: str, username: str) -> str:
    """Return an officer's stable pseudonym: a keyed HMAC of the username (per installation)."""
    digest = hmac.new(key.encode(), f"officer:{username}".encode(), hashlib.sha256)
    return "P-" + digest.hexdigest()[:10]


def pseudonymise(report: Report, key: str) -> Report:
    """Return the report with every officer username replaced by its pseudonym."""
    def table(t: Table) -> Table:
        at = [i for i, c in enumerate(t.columns) if c.name in OFFICER_COLUMNS]
        if not at:
            return t
        return replace(t, rows=tuple(tuple(pseudonym(key, v) if i in at and isinstance(v, str)
                                           and v != SUPPRESSED else v
                                           for i, v in enumerate(row)) for row in t.rows))
    return replace(report, tables=tuple(table(t) for t in report.tables))

MIMETYPES = {"json": "application/json", "csv": "text/csv; charset=utf-8",
             "md": "text/markdown; charset=utf-8",
             "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"}


def plain(value: Any) -> Any:
    """Return a JSON-ready cell: NaN as None, intervals as lists, dates as ISO text."""
    if isinstance(value, float):
        return None if math.isnan(value) else round(value, 6)
    if isinstance(value, tuple | list):
        return [plain(v) for v in value]
    if isinstance(value, dt.date):
        return value.isoformat()
    if hasattr(value, "item"):  # numpy scalars
        return plain(value.item())
    return value


class ColumnSchema(Schema):
    name = fields.String(required=True)
    label = fields.String(required=True)
    kind = fields.String(required=True, metadata={"description": "key, text, count, rate, "
                                                  "per1000, interval, ratio or date"})


class TableSchema(Schema):
    name = fields.String(required=True)
    title = fields.String(required=True)
    columns = fields.List(fields.Nested(ColumnSchema), required=True)
    rows = fields.Method("_rows", metadata={"description": "one list per row; '<11' marks a "
                                                           "count under 11 (and what derives "
                                                           "from it), '(hidden)' a cell hidden "
                                                           "so that one cannot be worked out"})

    def _rows(self, table) -> list:
        return [[plain(v) for v in row] for row in table.rows]


class ChartSchema(Schema):
    title = fields.String(required=True)
    table = fields.String(required=True)
    x = fields.String(required=True)
    series = fields.List(fields.String(), required=True)
    kind = fields.String(required=True)


class ReportSchema(Schema):
    """The JSON of every report (GET /api/v1/reports/<name>, `ews report --format json`)."""

    name = fields.String(required=True)
    title = fields.String(required=True)
    date_from = fields.Function(lambda r: r.params.start.isoformat(), data_key="from")
    date_to = fields.Function(lambda r: (r.params.end - dt.timedelta(days=1)).isoformat(),
                              data_key="to")
    offices = fields.Function(lambda r: list(r.params.offices) if r.params.offices else None)
    by = fields.Function(lambda r: r.params.by, metadata={
        "description": "interview: dated by when each interview took place; submitted: by "
                       "when it was submitted (both on each office's local clock)"})
    suppressed = fields.Boolean(required=True, metadata={
        "description": "true when groups under 11 are shown as '<11' (and the cells that "
                       "would give them back as '(hidden)')"})
    notes = fields.List(fields.String())
    tables = fields.List(fields.Nested(TableSchema))
    charts = fields.List(fields.Nested(ChartSchema))


def to_xlsx(report: Report) -> bytes:
    """Return the report as an XLSX workbook: one sheet per table."""
    return workbook([(t.name, t) for t in report.tables])


def workbook(sheets: Sequence[tuple[str, Table]],
             head: Sequence[tuple[str, str]] = ()) -> bytes:
    """Return an XLSX workbook of one sheet per (name, table): `head` rows (label, value:
    the period, the office) above each table, then its header row and its rows.

    Text is always stored as a string cell, never as a formula, whatever it starts with.
    """
    from openpyxl import Workbook

    book = Workbook()
    book.remove(book.active)
    for name, table in sheets:
        sheet = book.create_sheet(name[:31])
        rows = [*([k, v] for k, v in head), *([[]] if head else []),
                [c.label for c in table.columns], *([_xl(v) for v in row] for row in table.rows)]
        for row in rows:
            sheet.append(row)
            for cell in sheet[sheet.max_row]:
                if isinstance(cell.value, str):
                    cell.data_type = "s"  # openpyxl makes "=..." a formula otherwise
        sheet.freeze_panes = sheet.cell(len(head) + (2 if head else 1) + 1, 1)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def _xl(value: Any) -> Any:
    value = plain(value)
    return "-".join(str(v) for v in value) if isinstance(value, list) else value


def csv_zip(report: Report) -> bytes:
    """Return a zip of one CSV per table of the report."""
    return zip_of_csv([(f"{report.name}-{t.name}", t) for t in report.tables])


def zip_of_csv(files: Sequence[tuple[str, Table]]) -> bytes:
    """Return a zip of one `<name>.csv` per (name, table) (fixed timestamps: same bytes for
    the same tables)."""
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, table in files:
            info = zipfile.ZipInfo(f"{name}.csv", (1980, 1, 1, 0, 0, 0))
            archive.writestr(info, to_csv(table).encode(), zipfile.ZIP_DEFLATED)
    return out.getvalue()


def download(report: Report, fmt: str, lang: str = "en") -> tuple[bytes, str, str]:
    """Return the report in `fmt` as (bytes, mimetype, file extension), headers in `lang`:
    csv is a zip of CSVs when the report has several tables."""
    report = localize(report, lang)
    if fmt == "csv" and len(report.tables) != 1:
        return csv_zip(report), "application/zip", "zip"
    return render(report, fmt), MIMETYPES[fmt], fmt


def render(report: Report, fmt: str) -> bytes:
    """Return the report in `fmt` (json, csv, md, xlsx) as bytes (csv: see `download`)."""
    if fmt == "json":
        return json.dumps(ReportSchema().dump(report), ensure_ascii=False).encode()
    if fmt == "csv":
        return to_csv(report.tables[0]).encode() if len(report.tables) == 1 \
            else csv_zip(report)
    if fmt == "md":
        return to_markdown(report).encode()
    return to_xlsx(report)


def record_export(session: Session, *, actor: str, office_code: str | None, name: str,
                  fmt: str, params: Params, via: str) -> None:
    """Audit an export and commit: who, which report, which period and offices, which format."""
    audit.record(session, "report.exported", actor=actor, office_code=office_code, data={
        "report": name, "format": fmt, "from": params.start.isoformat(),
        "to": (params.end - dt.timedelta(days=1)).isoformat(),
        "offices": list(params.offices) if params.offices else None, "by": params.by,
        "via": via})
    session.commit()
