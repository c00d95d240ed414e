"""Scam routes by country, where each network works, the quarterly evidence as data, and
exports a spreadsheet reads right (#26 points 3, 4, 6, 8).

A small history is posted through the API with interview times in past months: a Cambodia
wave in April over a steady Thailand flow, and one recruiter phone shared by people at PMK
and at SBY.
"""

from __future__ import annotations

import csv
import io
import zipfile

import pandas as pd
import pytest
from sqlalchemy import select

from ews.reports.model import Chart
from ews.reports.sdc import HIDDEN
from ews.store.models import AuditEvent
from tests.conftest import PASSWORD

PERIOD = {"from": "2026-01-01", "to": "2026-06-30"}
RECRUITER = "+62 813 5555 0101"


def _post(client, account, body):
    got = client.post("/api/v1/assessments", json=body, headers=account.headers)
    assert got.status_code == 201, got.get_json()


def _nik(kecamatan: str, k: int) -> str:
    return f"{kecamatan}1201{90 + k // 1000}{k % 1000:04d}"


@pytest.fixture
def history(client, accounts, payload):
    """Post the history: per month Jan-Mar one Cambodia interview (via Thailand) and six to
    Thailand, in April twelve to Cambodia (via Thailand) and six to Thailand; and a network
    of 14 people at PMK (12 from kecamatan 352801, 2 from 352803) and 12 at SBY (352802)
    who gave the same recruiter phone, interviewed from 5 March to 20 April."""
    k = 0

    def post(office, month, day, nik_kec, **answers):
        nonlocal k
        k += 1
        account = accounts["officer" if office == "PMK" else "officer_sby"]
        zone = "+07:00"
        _post(client, account, payload(f"{office}-R-{k}", office_code=office, risky=True,
                                       nik=_nik(nik_kec, k), phone=f"+62 812 {k:04d} 7777",
                                       interviewed_at=f"2026-{month:02d}-{day:02d}T09:00:00"
                                                      f"{zone}", **answers))

    for month in (1, 2, 3, 4):
        for _ in range(12 if month == 4 else 1):
            post("PMK", month, 10, "352801", destination_country="KH", transit_country="TH")
        for _ in range(6):
            post("PMK", month, 11, "352801", destination_country="TH")
    for i in range(26):
        office, kec = ("PMK", "352801") if i < 12 else ("PMK", "352803") if i < 14 \
            else ("SBY", "352802")
        post(office, 4 if i % 2 else 3, 5 if i == 0 else 20 if i == 1 else 12, kec,
             destination_country="MY", recruiter_phone=RECRUITER)
    return accounts


def _api(client, account, name, **query):
    got = client.get(f"/api/v1/reports/{name}", query_string=PERIOD | query,
                     headers=account.headers)
    assert got.status_code == 200, got.get_json()
    return got


def _records(body: dict, table: str) -> list[dict]:
    t = next(t for t in body["tables"] if t["name"] == table)
    names = [c["name"] for c in t["columns"]]
    return [dict(zip(names, row, strict=True)) for row in t["rows"]]


def _login(client, account) -> None:
    got = client.post("/login", data={"username": account.username, "password": PASSWORD})
    assert got.status_code in (302, 303)


def test_scam_series_per_country_and_route_with_a_wave_against_its_own_months(client,
                                                                               history):
    body = _api(client, history["analyst"], "destinations").get_json()
    months = {r["month"]: r for r in _records(body, "scam_by_month")}
    assert [months[m]["KH"] for m in ("2026-01", "2026-02", "2026-03")] == ["<11"] * 3
    april = months["2026-04"]
    # KH = 18 - TH would give TH back: KH is hidden beside it, and the wave still named.
    assert (april["KH"], april["TH"], april["total"], april["wave"]) == (HIDDEN, "<11", 18, "KH")
    assert all(months[m]["wave"] == "" for m in months if m != "2026-04")  # TH: no wave
    routes = {(r["month"], r["transit_country"], r["destination_country"]): r
              for r in _records(body, "scam_routes")}
    assert routes["2026-04", "TH", "KH"]["n"] == HIDDEN  # its months would give January back
    assert routes["2026-04", "TH", "KH"]["wave"] == "wave"
    assert routes["2026-01", "TH", "KH"]["n"] == "<11"
    # The page names the countries in its language: Indonesian by default, then English.
    _login(client, history["analyst"])
    page = client.get("/reports/destinations", query_string=PERIOD).get_data(as_text=True)
    assert ">Kamboja<" in page and ">Thailand<" in page and "Lonjakan" in page
    client.post("/language", data={"lang": "en"})
    page = client.get("/reports/destinations", query_string=PERIOD).get_data(as_text=True)
    assert ">Cambodia<" in page and ">Wave<" in page


def test_a_network_shows_where_it_works_and_the_offices_it_spans(client, history):
    body = _api(client, history["analyst"], "networks").get_json()
    group, = [g for g in _records(body, "summary") if g["recruiter_phones"] == 1]
    assert (group["people"], group["offices"]) == (26, "PMK, SBY")
    assert (group["first_seen"], group["last_seen"]) == ("2026-03-05", "2026-04-20")
    reach = {(r["dimension"], r["value"]): r["people"] for r in _records(body, "reach")
             if r["group"] == group["group"]}
    # 12 + 12 + 2: the 2 cannot be shown, nor left to subtraction from the 26: the smaller
    # 12 joins them in "(other)" (14)
    assert reach == {("kecamatan", "352801"): 12, ("kecamatan", "(other)"): 14,
                     ("destination", "MY"): 26, ("channel", "social_media"): 26}
    # A PMK supervisor sees the same group with its PMK part, and that it spans SBY.
    own = _api(client, history["supervisor"], "networks").get_json()
    mine, = [g for g in _records(own, "summary") if g["group"] == group["group"]]
    assert (mine["people"], mine["office_count"], mine["offices"]) == (14, 2, "PMK, SBY")
    assert {(r["dimension"], r["value"]): r["people"] for r in _records(own, "reach")
            if r["group"] == group["group"]} == {
        ("kecamatan", "(other)"): 14, ("destination", "MY"): 14,
        ("channel", "social_media"): 14}  # 12 + 2: no kecamatan named on its own
    _login(client, history["supervisor"])
    page = client.get("/reports/networks", query_string=PERIOD).get_data(as_text=True)
    reach = page[page.index('data-table="reach"'):page.index("data-members")]
    assert ">Malaysia<" in reach and ">social_media<" not in reach and ">(lainnya)<" in reach
    assert ">352801<" not in reach
    section = page[page.index("data-members"):]
    assert section.count("/review/") == 14  # links to the PMK assessments only


def test_exports_have_headers_in_the_chosen_language_and_no_comment(client, history, ews_cli):
    rows = list(csv.reader(io.StringIO(zipfile.ZipFile(io.BytesIO(_api(
        client, history["analyst"], "overview", format="csv").data)).read(
        "overview-by_month.csv").decode())))
    assert rows[0][:2] == ["Bulan", "Wawancara"] and not rows[0][0].startswith("#")
    english = zipfile.ZipFile(io.BytesIO(_api(client, history["analyst"], "overview",
                                              format="csv", lang="en").data))
    assert english.read("overview-by_month.csv").decode().startswith("Month,Interviews,")
    wrong = client.get("/api/v1/reports/overview", headers=history["analyst"].headers,
                       query_string=PERIOD | {"format": "csv", "lang": "fr"})
    assert wrong.status_code == 422 and "lang" in wrong.get_json()["errors"]
    for lang, header in (("id", "Bulan"), ("en", "Month")):
        got = ews_cli("report", "overview", "--from", "2026-01-01", "--to", "2026-06-30",
                      "--format", "csv", "--lang", lang)
        assert got.exit_code == 0, got.output
        text = zipfile.ZipFile(io.BytesIO(got.stdout_bytes)).read("overview-by_month.csv")
        assert text.decode().split(",")[0] == header


def _officers_csv(client) -> str:
    got = client.get("/reports/officers/export", query_string=PERIOD | {"format": "csv"})
    assert got.status_code == 200
    return zipfile.ZipFile(io.BytesIO(got.data)).read("officers-summary.csv").decode()


def _officers_cli(ews_cli) -> str:
    got = ews_cli("report", "officers", "--from", "2026-01-01", "--to", "2026-06-30",
                  "--format", "csv")
    assert got.exit_code == 0, got.output
    return zipfile.ZipFile(io.BytesIO(got.stdout_bytes)).read("officers-summary.csv").decode()


def test_officers_leave_as_pseudonyms_unless_an_admin_turns_it_off(client, history, db,
                                                                   ews_cli):
    officer = history["officer"].username
    assert officer not in _officers_cli(ews_cli) and "P-" in _officers_cli(ews_cli)
    _login(client, history["supervisor"])
    first, again = _officers_csv(client), _officers_csv(client)
    assert officer not in first and "P-" in first and first == again  # stable
    page = client.get("/reports/officers", query_string=PERIOD).get_data(as_text=True)
    assert officer in page  # the supervisor's own page names their officers
    _login(client, history["admin"])
    assert client.post("/admin/exports", data={"pseudonymise_officers": "0"}).status_code \
        == 302
    event = db.scalars(select(AuditEvent).where(
        AuditEvent.kind == "export.setting_changed")).one()
    assert event.actor == history["admin"].username and '"enabled":false' in event.data
    _login(client, history["supervisor"])
    assert officer in _officers_csv(client) and officer in _officers_cli(ews_cli)
    _login(client, history["supervisor"])
    client.post("/admin/exports", data={"pseudonymise_officers": "1"})  # not an admin
    assert officer in _officers_csv(client)


def test_the_quarterly_evidence_downloads_as_xlsx_and_as_a_zip_of_csv(client, history, db):
    from openpyxl import load_workbook

    _login(client, history["supervisor"])
    query = {"quarter": "2026q2", "format": "xlsx"}
    got = client.get("/reports/quarterly/export", query_string=query)
    assert got.status_code == 200
    assert 'filename="ews-quarterly-PMK-2026Q2.xlsx"' in got.headers["Content-Disposition"]
    book = load_workbook(io.BytesIO(got.data))
    assert {"overview-summary", "destinations-scam_by_month", "areas-summary",
            "outcomes-by_rung"} <= set(book.sheetnames)
    sheet = book["destinations-scam_by_month"]
    rows = [[c.value for c in r] for r in sheet.iter_rows()]
    assert rows[0][:2] == ["Periode", "2026-04-01 – 2026-06-30"]
    assert rows[1][:2] == ["Triwulan", "2026Q2"] and rows[2][:2] == ["Kantor", "PMK"]
    assert rows[3][0] == "Menurut waktu" and not any(rows[4])  # then a blank row
    header = rows[5]
    assert header[:3] == ["Bulan", "Kamboja", "Myanmar (Burma)"]
    assert rows[6][:2] == ["2026-04", HIDDEN]  # beside a hidden Thailand count (see above)
    got = client.get("/reports/quarterly/export", query_string=query | {"format": "csv"})
    archive = zipfile.ZipFile(io.BytesIO(got.data))
    assert "destinations-scam_by_month.csv" in archive.namelist()
    assert archive.read("overview-by_month.csv").decode().startswith("Bulan,")
    kinds = [e.data for e in db.scalars(select(AuditEvent).where(
        AuditEvent.kind == "report.exported"))]
    assert sum('"report":"quarterly"' in d for d in kinds) == 2
    assert client.get("/reports/quarterly/export",
                      query_string=query | {"format": "pdf"}).status_code == 422
    assert client.get("/reports/quarterly/export",
                      query_string=query | {"office": "SBY"}).status_code == 403


@pytest.mark.parametrize(("series", "expected"), [
    ([0, 0, 0, 11], [False, False, False, True]),      # from nothing to 11: a wave
    ([0, 0, 0, 10], [False] * 4),                      # under 11: never
    ([6, 6, 6, 12], [False, False, False, True]),      # exactly twice the median
    ([6, 6, 6, 11], [False] * 4),                      # under twice the median
    ([0, 0, 30], [False] * 3),                         # fewer than 3 earlier months
    ([20, 0, 0, 0, 15], [False, False, False, False, True]),  # median of earlier months: 0
])
def test_a_wave_is_measured_against_the_same_series_earlier_months(series, expected):
    from ews.reports.breakdowns import waves

    assert waves(series) == expected


def test_a_country_line_leaves_a_gap_where_a_month_is_hidden_not_the_month(app):
    import datetime as dt

    from ews.reports.breakdowns import _scam_by_month
    from ews.reports.model import Params, Report
    from ews.reports.sdc import suppress
    from ews.web.charts import svg

    monthly = pd.DataFrame({"month": ["2026-01", "2026-02", "2026-03"] * 2,
                            "destination_country": ["KH"] * 3 + ["TH"] * 3,
                            "n": [20, 4, 25, 30, 31, 32]})
    table = _scam_by_month(monthly, ["2026-01", "2026-02", "2026-03"])
    report = suppress(Report("destinations", "Destinations",
                             Params(dt.date(2026, 1, 1), dt.date(2026, 4, 1)), (table,)))
    assert report.table("scam_by_month").column("KH") == [20, "<11", 25]
    chart = Chart("Interviews to scam-advisory destinations by month", "scam_by_month",
                  "month", ("KH", "TH"), "line")
    with app.test_request_context():
        drawn = svg(report, chart)
    # Every month keeps its place; the hidden one is marked, not dropped.
    assert all(f">{m}<" in drawn for m in ("2026-01", "2026-03")) and ">2026-02*<" in drawn
    assert ">Kamboja<" in drawn and ">Thailand<" in drawn  # the legend names the countries


@pytest.mark.parametrize(("counts", "expected"), [
    ([("a", 30), ("b", 12)], [("a", 30), ("b", 12)]),
    ([("a", 30), ("b", 12), ("c", 3)], [("a", 30), ("(other)", 15)]),
    ([("a", 30), ("c", 5), ("d", 6)], [("a", 30), ("(other)", 11)]),
    ([("a", 12), ("c", 5)], [("(other)", 17)]),
    ([("c", 5)], [("(other)", 5)]),  # the whole group: as small as its total
])
def test_a_small_value_is_neither_shown_nor_left_to_subtraction(counts, expected):
    from ews.reports.networks import _named

    assert _named(counts) == expected
