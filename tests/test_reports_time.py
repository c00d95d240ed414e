"""Reports date interviews by when they took place, on the office's clock (WIB/WITA/WIT).

Interviews submitted today about interviews of last August show in August at their interview
hour; `by=submitted` shows them today. A history posted through the API and the same history
written by `ews demo` give the same monthly figures.
"""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import text

from ews.demo import Window, generate
from ews.demo import run as demo_run
from ews.reports import Params, run
from ews.store import zones

AUGUST = "2026-08"


def _post(client, account, body):
    got = client.post("/api/v1/assessments", json=body, headers=account.headers)
    assert got.status_code == 201, got.get_json()


def _table(body: dict, name: str) -> list[dict]:
    table = next(t for t in body["tables"] if t["name"] == name)
    names = [c["name"] for c in table["columns"]]
    return [dict(zip(names, row, strict=True)) for row in table["rows"]]


# Local days run up to 9 hours ahead of UTC (WIT): a period up to tomorrow's UTC date holds
# every office's today, whatever the hour the tests run.
LATEST_LOCAL_DAY = dt.date.today() + dt.timedelta(days=1)


def _report(client, account, name, **query):
    got = client.get(f"/api/v1/reports/{name}", headers=account.headers,
                     query_string={"from": "2026-01-01", "to": LATEST_LOCAL_DAY.isoformat()}
                     | query)
    assert got.status_code == 200, got.get_json()
    return got.get_json()


@pytest.fixture
def late_batch(client, accounts, payload, db):
    """Twelve interviews of 14 August 2026, 09:00 local, submitted today at PMK (WIB) and
    SBY (set to WITA); return the local (month, hour) of the submissions at each office."""
    db.execute(text("UPDATE offices SET timezone = 'Asia/Makassar' WHERE code = 'SBY'"))
    db.commit()
    before = dt.datetime.now(dt.UTC)
    for office, account, zone in (("PMK", accounts["officer"], "+07:00"),
                                  ("SBY", accounts["officer_sby"], "+08:00")):
        for k in range(12):
            _post(client, account, payload(f"{office}-LATE-{k}", office_code=office,
                                           interviewed_at=f"2026-08-14T09:00:00{zone}"))
    after = dt.datetime.now(dt.UTC)
    return {office: {(f"{t:%Y-%m}", t.hour) for t in
                     (zones.local(before, minutes), zones.local(after, minutes))}
            for office, minutes in (("PMK", 420), ("SBY", 480))}


def test_late_submissions_show_in_the_month_and_hour_of_the_interview(client, accounts,
                                                                       late_batch):
    for office in ("PMK", "SBY"):
        sup = accounts["supervisor" if office == "PMK" else "supervisor_sby"]
        months = {r["month"]: r["n"] for r in _table(_report(client, sup, "overview"),
                                                     "by_month")}
        assert months == {AUGUST: 12}, office
        hours = {r["hour"]: r["n"] for r in _table(_report(client, sup, "officers"),
                                                   "by_hour")}
        assert hours == {9: 12}, office  # 09:00 WIB at PMK, 09:00 WITA at SBY


def test_by_submitted_shows_them_when_they_were_submitted(client, accounts, late_batch):
    for office in ("PMK", "SBY"):
        sup = accounts["supervisor" if office == "PMK" else "supervisor_sby"]
        body = _report(client, sup, "overview", by="submitted")
        assert body["by"] == "submitted"
        (month, n), = {r["month"]: r["n"] for r in _table(body, "by_month")}.items()
        hours = _table(_report(client, sup, "officers", by="submitted"), "by_hour")
        assert n == 12 and {(month, r["hour"]) for r in hours} <= late_batch[office]
        # The period is on the interview's day: today's period finds none of them...
        minutes = 420 if office == "PMK" else 480
        today = zones.local(dt.datetime.now(dt.UTC), minutes).date().isoformat()  # the office's
        body = _report(client, sup, "overview", **{"from": today, "to": today})
        assert _table(body, "by_month") == []
        # ...and on the submission's with by=submitted.
        body = _report(client, sup, "overview", by="submitted", **{"from": today, "to": today})
        assert sum(r["n"] for r in _table(body, "by_month")) == 12


def test_an_unknown_by_is_refused_naming_the_field(client, accounts):
    got = client.get("/api/v1/reports/overview", query_string={"by": "created"},
                     headers=accounts["analyst"].headers)
    assert got.status_code == 422
    assert "by" in got.get_json()["errors"]


def test_the_page_offers_both_datings(client, accounts, late_batch):
    from tests.test_reports_language import _login

    _login(client, accounts["supervisor"])
    page = client.get("/reports/overview", query_string={
        "from": "2026-01-01", "to": LATEST_LOCAL_DAY.isoformat(), "by": "submitted"})
    html = page.get_data(as_text=True)
    assert page.status_code == 200
    assert 'name="by"' in html and '<option value="submitted" selected>' in html
    assert "2026-08" not in html  # the August interviews show in the submission month


def test_the_api_history_and_the_demo_history_give_the_same_months(client, accounts, db,
                                                                   password_hash, engine):
    """The same 160 drawn interviews: written by `ews demo` at PMK, posted through the API
    (today) at SBY: the monthly counts agree."""
    window = Window(6, dt.date(2026, 11, 1))
    demo_run(db, n=160, window=window, offices=("PMK",), seed=5, pii_key="test-pii-key",
             password_hash=password_hash)
    officer = accounts["officer_sby"]
    for case in generate(160, window, ("PMK",), 5):
        _post(client, officer, case.payload | {
            "office_code": "SBY", "application_id": "API-" + case.payload["application_id"]})
    params = Params(dt.date(2026, 1, 1), dt.date.today() + dt.timedelta(days=2))
    with engine.connect() as conn:
        def months(office: str) -> dict:
            report = run("overview", conn, Params(params.start, params.end, (office,)))
            return {r["month"]: r["n"] for r in report.table("by_month").records()}

        demo, api = months("PMK"), months("SBY")
        submitted = run("overview", conn, Params(params.start, params.end, ("SBY",),
                                                 by="submitted"))
    assert sum(demo.values()) == 160 and len(demo) == 6
    assert api == demo
    # Posted today, they all were submitted this month.
    assert [r["month"] for r in submitted.table("by_month").records()] == [
        f"{zones.local(dt.datetime.now(dt.UTC), 420):%Y-%m}"]


def test_an_office_moved_to_another_zone_has_its_interviews_re_dated(client, accounts,
                                                                    late_batch, ews_cli):
    _report(client, accounts["analyst"], "overview")  # every fact derived, on WIB/WITA
    got = ews_cli("office", "timezone", "PMK", "Europe/Berlin")
    assert got.exit_code == 2 and "ZONE" in got.output
    assert "Asia/Jakarta (WIB)" in ews_cli("office", "timezone", "PMK").output
    got = ews_cli("office", "timezone", "PMK", "Asia/Jayapura")
    assert got.exit_code == 0 and "12 report facts derived" in got.output, got.output
    hours = _table(_report(client, accounts["supervisor"], "officers"), "by_hour")
    assert {r["hour"]: r["n"] for r in hours} == {11: 12}  # 09:00 WIB is 11:00 WIT
    hours = _table(_report(client, accounts["supervisor_sby"], "officers"), "by_hour")
    assert {r["hour"]: r["n"] for r in hours} == {9: 12}  # SBY untouched


def test_the_quarterly_page_of_q3_holds_the_august_interviews(client, accounts, late_batch):
    from tests.test_reports_language import _login

    _login(client, accounts["supervisor"])
    page = client.get("/reports/quarterly", query_string={"quarter": "2026Q3"})
    html = page.get_data(as_text=True)
    assert page.status_code == 200 and "2026-08" in html
    page = client.get("/reports/quarterly", query_string={"quarter": "2026Q3", "by": "submitted"})
    assert "2026-08" not in page.get_data(as_text=True)


def test_the_cli_dates_by_interview_or_by_submission(late_batch, ews_cli):
    import csv
    import io
    import zipfile

    def months(*extra) -> dict:
        got = ews_cli("report", "overview", "--office", "PMK", "--from", "2026-01-01",
                      "--format", "csv", "--lang", "en", *extra)
        assert got.exit_code == 0, got.output
        archive = zipfile.ZipFile(io.BytesIO(got.stdout_bytes))
        rows = list(csv.DictReader(io.StringIO(
            archive.read("overview-by_month.csv").decode())))
        return {r["Month"]: r["Interviews"] for r in rows}

    assert months() == {AUGUST: "12"}
    (month, n), = months("--by", "submitted").items()
    assert n == "12" and month in {m for m, _ in late_batch["PMK"]}
    assert ews_cli("report", "overview", "--by", "created").exit_code == 2
