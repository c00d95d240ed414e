"""Drift on the outcomes report: PSI of scores and indicator hit rates, month over month,
on the page, its JSON twin and `ews report outcomes`, with the 0.1 / 0.25 reading."""

from __future__ import annotations

import datetime as dt

import pandas as pd
import pytest

from ews.demo import Window, run
from ews.reports.drift import drift_from
from tests.test_reports_api import PERIOD, _get, _login
from tests.test_reports_demo import demo_db  # noqa: F401 - the module fixture


def test_a_planted_shift_reads_large_and_a_steady_month_stable():
    scores = pd.DataFrame({"month": ["2026-01"] * 2 + ["2026-02"] * 2 + ["2026-03"] * 2,
                           "score": [0, 45, 0, 45, 0, 45], "n": [900, 100, 900, 100, 300, 700]})
    hits = pd.DataFrame({"month": ["2026-01", "2026-02", "2026-03", "2026-03"],
                         "indicator": ["TUJ03", "TUJ03", "TUJ03", "PMI01"],
                         "hits": [50, 52, 400, 10]})
    table, notes = drift_from(scores, hits)
    rows = {r["month"]: r for r in table.records()}
    assert set(rows) == {"2026-02", "2026-03"}  # the first month is the baseline
    assert rows["2026-02"]["score_reading"] == "stable" and rows["2026-02"]["n"] == 1000
    assert rows["2026-03"]["score_reading"] == "large"
    assert rows["2026-03"]["indicator"] == "TUJ03" and rows["2026-03"]["hits_reading"] == "large"
    assert "< 0.1 stable, 0.1-0.25 moderate" in notes[0] and "> 0.25 large" in notes[0]
    assert any(n.startswith("2026-03: the hit rate of TUJ03 moved (large") for n in notes)
    assert not any(n.startswith("2026-02") for n in notes)


def test_one_month_says_drift_needs_two():
    table, notes = drift_from(pd.DataFrame({"month": ["2026-01"], "score": [5], "n": [20]}),
                              pd.DataFrame(columns=["month", "indicator", "hits"]))
    assert table.rows == () and "at least two calendar months" in notes[-1]


@pytest.fixture
def demo(app, db, accounts, password_hash):
    """Write 600 demo interviews at PMK and SBY (12 months, scam wave in 2026-07)."""
    run(db, n=600, window=Window(12, dt.date(2026, 11, 1)), offices=("PMK", "SBY"), seed=3,
        pii_key="test-pii-key", password_hash=password_hash)
    return accounts


def test_drift_on_the_outcomes_page_json_and_cli(client, demo, ews_cli):
    got = _get(client, demo["analyst"], "outcomes")
    assert got.status_code == 200
    body = got.get_json()
    drift = next(t for t in body["tables"] if t["name"] == "drift")
    names = [c["name"] for c in drift["columns"]]
    rows = [dict(zip(names, row, strict=True)) for row in drift["rows"]]
    months = [r["month"] for r in rows]
    assert months[0] == "2025-12" and months[-1] == "2026-10" and len(months) == 11
    # 600 interviews over 12 months: every month is under 200, so none reads a PSI
    assert {r["score_reading"] for r in rows} <= {"too few", "<11"}
    assert all(r["reference"] for r in rows)
    assert any("0.1-0.25 moderate" in n for n in body["notes"])
    _login(client, demo["analyst"])
    html = client.get("/reports/outcomes", query_string=PERIOD).get_data(as_text=True)
    assert 'data-table="drift"' in html and "PSI sebaran skor" in html
    printed = ews_cli("report", "outcomes", "--from", PERIOD["from"], "--to", PERIOD["to"],
                      "--lang", "en")
    assert printed.exit_code == 0, printed.output
    assert "## Drift against the quarter before (population stability index)" in printed.output
    assert "| 2026-07 |" in printed.output and "> 0.25 large" in printed.output


def test_the_demo_scam_wave_reads_as_large_indicator_drift(demo_db):  # noqa: F811
    from tests.test_reports_demo import WINDOW, N, _report

    rows = {r["month"]: r for r in _report(demo_db[0], "outcomes").table("drift").records()}
    wave = rows["2026-07"]
    # The bulk demo of 20,000 has scams in every month (plan.SCAM_SHARE), the one-by-one
    # demo of 3,000 hardly any: there the wave reads large, here at least moderate.
    readings = ("large",) if demo_db[2] == N else ("moderate", "large")
    assert wave["hits_reading"] in readings and wave["reference"] == "2026-04..2026-06"
    read = [r["hits_psi"] for r in rows.values() if r["hits_reading"] != "too few"]
    assert wave["hits_psi"] == max(read)
    assert WINDOW.start.isoformat()[:7] not in rows  # the first month is the baseline
