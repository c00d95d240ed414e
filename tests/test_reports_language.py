"""Report pages speak the page language: Indonesian by default, English after the switch."""

from __future__ import annotations

import datetime as dt
import html
import re

import pytest

from ews.demo import Window, run
from ews.reports import REPORTS, Params
from ews.reports import run as run_report
from tests.conftest import PASSWORD

PERIOD = {"from": "2025-11-01", "to": "2026-10-31"}
PARAMS = Params(dt.date(2025, 11, 1), dt.date(2026, 11, 1))
# Labels written the same way in both languages (names, codes, borrowed terms).
SAME = {"Kecamatan", "Desa/kelurahan"}
CAPTION = re.compile(r"<caption>(.*?)</caption>", re.S)
HEADER = re.compile(r"<th scope=\"col\"[^>]*>(.*?)</th>", re.S)
NOTE = re.compile(r"<p class=\"note\" data-note>(.*?)</p>", re.S)
SVG_TEXT = re.compile(r"<text\b[^>]*>(.*?)</text>", re.S)


@pytest.fixture
def demo(app, db, accounts, password_hash):
    """Write 300 demo interviews at PMK and SBY into the test database."""
    run(db, n=300, window=Window(12, dt.date(2026, 11, 1)), offices=("PMK", "SBY"), seed=3,
        pii_key="test-pii-key", password_hash=password_hash)
    return accounts


def _login(client, account) -> None:
    got = client.post("/login", data={"username": account.username, "password": PASSWORD})
    assert got.status_code in (302, 303)


def _texts(page: str) -> dict[str, list[str]]:
    def find(pattern):
        return [html.unescape(t).strip() for t in pattern.findall(page)]
    return {"caption": find(CAPTION), "header": find(HEADER), "note": find(NOTE),
            "chart": find(SVG_TEXT)}


def _english(db, name: str) -> dict[str, set[str]]:
    """Return the English titles, labels, chart titles and notes of a report."""
    report = run_report(name, db.connection(), PARAMS, pii_key="test-pii-key")
    return {"caption": {t.title for t in report.tables},
            "header": {c.label for t in report.tables for c in t.columns} - SAME,
            "note": set(report.notes), "chart": {c.title for c in report.charts}}


def _pages():
    return [(name, f"/reports/{name}") for name in sorted(REPORTS) if name != "officers"] + [
        ("quarterly", "/reports/quarterly")]


def _assert_indonesian(client, db, skip: tuple[str, ...] = ()) -> None:
    for name, url in _pages():
        if name in skip:
            continue
        page = client.get(url, query_string=PERIOD)
        assert page.status_code == 200, url
        shown = _texts(page.get_data(as_text=True))
        assert shown["caption"] and shown["header"], url
        names = ("overview", "destinations", "recruitment", "areas", "outcomes") \
            if name == "quarterly" else (name,)
        for report in names:
            english = _english(db, report)
            for kind, texts in shown.items():
                left = sorted(set(texts) & english[kind])
                assert not left, f"{url}: English {kind} {left}"


def test_every_report_page_is_indonesian_by_default(client, db, demo):
    _login(client, demo["analyst"])
    _assert_indonesian(client, db)


def test_report_pages_without_data_are_indonesian(client, db, accounts):
    _login(client, accounts["analyst"])
    # "No interviews in this period.", drift needs two months.
    _assert_indonesian(client, db)
    for name in ("overview", "fairness"):
        page = client.get(f"/reports/{name}", query_string=PERIOD).get_data(as_text=True)
        assert "Tidak ada wawancara dalam periode ini." in _texts(page)["note"], name


def test_supervisor_officers_page_is_indonesian(client, db, demo):
    _login(client, demo["supervisor"])
    page = client.get("/reports/officers", query_string=PERIOD).get_data(as_text=True)
    shown = _texts(page)
    assert "Menurut petugas" in shown["caption"]
    assert "Menurut jam (waktu setempat kantor)" in shown["caption"]
    assert "Tingkat tidak ditanyakan menurut jam" in shown["chart"]
    assert not set(shown["header"]) & {"Officer", "Hour", "Interviews", "Not-asked rate"}
    assert shown["note"][0].startswith("Tingkat tidak ditanyakan yang naik")


def test_dynamic_titles_and_notes_are_translated(client, db, demo):
    _login(client, demo["analyst"])
    fairness = _texts(client.get("/reports/fairness", query_string=PERIOD)
                      .get_data(as_text=True))
    assert {"Menurut jenis kelamin", "Menurut kelompok umur"} <= set(fairness["caption"])
    assert "Tingkat ditandai menurut jenis kelamin" in fairness["chart"]
    assert all(" kali tingkat keseluruhan " in n or n.startswith("Setiap kelompok")
               for n in fairness["note"])
    areas = _texts(client.get("/reports/areas", query_string=PERIOD).get_data(as_text=True))
    assert any(c.startswith("Calon Desa Binaan (sedikitnya 11 pemohon") for c in areas["caption"])
    overview = _texts(client.get("/reports/overview", query_string=PERIOD)
                      .get_data(as_text=True))
    assert overview["note"][0].startswith("Tingkat penundaan ")
    # numbers as Indonesian writes them, in the notes as in the cells and chart axes
    assert re.search(r"\d,\d\d%", overview["note"][0]), overview["note"][0]
    page = client.get("/reports/overview", query_string=PERIOD).get_data(as_text=True)
    for found in (fairness["note"], overview["note"], _texts(page)["chart"],
                  re.findall(r'<td class="num"[^>]*>([^<]*)</td>', page)):
        assert not [t for t in found if re.search(r"\d\.\d{1,2}(?!\d)", t)], found
    assert "Interval 95%" in _texts(client.get("/reports/outcomes", query_string=PERIOD)
                                    .get_data(as_text=True))["header"]


def test_english_switch_shows_the_english_labels(client, db, demo):
    _login(client, demo["analyst"])
    client.post("/language", data={"lang": "en", "next": "/reports"})
    for name in ("overview", "fairness", "outcomes", "areas"):
        shown = _texts(client.get(f"/reports/{name}", query_string=PERIOD)
                       .get_data(as_text=True))
        english = _english(db, name)
        assert set(shown["caption"]) == english["caption"]
        assert set(shown["header"]) - SAME == english["header"]
        # group names read as on the checklist ("sex = Female" for the code "female")
        assert {n.lower() for n in shown["note"]} == {n.lower() for n in english["note"]}
        assert english["chart"] <= set(shown["chart"])
