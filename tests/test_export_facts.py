"""`ews export facts` writes the facts reports count as Parquet, partitioned by office and month,
without personal data; the DuckDB query of docs/reports.md reproduces the overview's monthly
figures from the files (#26, point 10)."""

from __future__ import annotations

import datetime as dt
import json
import re
from pathlib import Path

import pytest
from sqlalchemy import text

from ews.reports import Params, run

pq = pytest.importorskip("pyarrow.parquet")

DOCS = Path(__file__).resolve().parent.parent / "docs" / "reports.md"


def post(client, account, body) -> None:
    resp = client.post("/api/v1/assessments", json=body, headers=account.headers)
    assert resp.status_code == 201, resp.get_json()


@pytest.fixture
def history(client, accounts, payload) -> None:
    """Interviews of two offices over three past months, some flagged."""
    for i, (office, month, risky) in enumerate([
            ("PMK", "09", False), ("PMK", "09", True), ("PMK", "10", False),
            ("PMK", "11", True), ("PMK", "11", False), ("SBY", "10", True)]):
        account = accounts["officer"] if office == "PMK" else accounts["officer_sby"]
        post(client, account, payload(f"{office}-{i}", office_code=office, risky=risky,
                                      interviewed_at=f"2026-{month}-1{i}T09:00:00+07:00"))


def test_parquet_export_by_office_and_month_without_personal_data(history, ews_cli, engine,
                                                                  tmp_path):
    out = tmp_path / "facts"
    got = ews_cli("export", "facts", "--from", "2026-09-01", "--to", "2026-11-30",
                  "--out", str(out), "--format", "parquet")
    assert got.exit_code == 0, got.output
    assert "6 report facts written" in got.output
    parts = sorted(str(p.relative_to(out).parent) for p in out.rglob("*.parquet"))
    assert parts == ["office_code=PMK/month=2026-09", "office_code=PMK/month=2026-10",
                     "office_code=PMK/month=2026-11", "office_code=SBY/month=2026-10"]
    table = pq.read_table(next(out.glob("office_code=PMK/month=2026-09/*.parquet")))
    assert table.num_rows == 2
    names = set(table.column_names)
    assert not names & {"nik_hash", "phone_hash", "recruiter_phone_hash", "domicile_village",
                        "officer_id"}
    with engine.connect() as conn:  # no stored hash is anywhere in the files
        hashes = {h for row in conn.execute(text(
            "SELECT nik_hash, phone_hash FROM assessments")) for h in row if h}
    values = {str(v) for p in out.rglob("*.parquet") for col in pq.read_table(p).columns
              for v in col.to_pylist()}
    assert hashes and not hashes & values
    again = ews_cli("export", "facts", "--out", str(out))  # never overwrites
    assert again.exit_code == 2 and "--out" in again.output
    with engine.connect() as conn:  # audited once, with the period and the count
        data = conn.execute(text("SELECT data FROM audit_events WHERE kind = "
                                 "'facts.exported'")).scalars().all()
    assert len(data) == 1
    assert json.loads(data[0]) == {
        "format": "parquet", "from": "2026-09-01", "to": "2026-11-30", "offices": None,
        "rows": 6}


def test_the_duckdb_query_of_the_docs_reproduces_the_overview(history, ews_cli, engine,
                                                              tmp_path):
    duckdb = pytest.importorskip("duckdb")
    out = tmp_path / "facts"
    assert ews_cli("export", "facts", "--from", "2026-09-01", "--to", "2026-11-30",
                   "--out", str(out)).exit_code == 0
    query = re.search(r"```sql\n(.*?read_parquet.*?)```", DOCS.read_text(), re.S).group(1)
    rows = duckdb.connect().execute(query.replace("'facts/", f"'{out}/")).fetchall()
    with engine.connect() as conn:
        report = run("overview", conn, Params(dt.date(2026, 9, 1), dt.date(2026, 12, 1)))
    expected = [(r["month"], r["n"], r["flagged"], r["deferred"])
                for r in report.table("by_month").records()]
    assert [tuple(int(v) if i else v for i, v in enumerate(r)) for r in rows] == expected
    assert [r[1] for r in rows] == [2, 2, 2]
