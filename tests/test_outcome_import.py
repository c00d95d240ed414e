"""External outcomes: `ews outcomes import` and POST /api/v1/outcomes/imports."""

from __future__ import annotations

import datetime as dt
import io
import json

import pytest
from sqlalchemy import func, select, update

from ews.audit import verify
from ews.store.guards import maintenance
from ews.store.models import Assessment, Base, Outcome

KEY = "p" * 32  # the PII key of the `ews_cli` fixture: the app hashes with the same one
TODAY = dt.date.today()


def nik(serial: int, kecamatan: int = 1) -> str:
    """Return a valid NIK (a Pamekasan kecamatan, a 1990 birth date) with this serial."""
    return f"3528{kecamatan:02d}120190{serial:04d}"


@pytest.fixture
def app_config(app_config):
    return app_config | {"PII_KEY": KEY, "FOLLOWUP_SAMPLE": "0"}


@pytest.fixture
def people(client, db, accounts, payload):
    """Return a function that records interviews (below review) of NIKs held `days` ago."""

    def make(serials, days: int = 40, account: str = "officer", kecamatan: int = 1,
             risky: bool = False, **answers) -> list[str]:
        acct, ids = accounts[account], []
        held = (dt.datetime.now(dt.UTC) - dt.timedelta(days=days)).isoformat()
        for s in serials:
            body = payload(f"{acct.office_code}-{days}-{kecamatan}-{s}", acct.office_code,
                           risky=risky, nik=nik(s, kecamatan), interviewed_at=held, **answers)
            resp = client.post("/api/v1/assessments", headers=acct.headers, json=body)
            assert resp.status_code == 201, resp.get_json()
            ids.append(resp.get_json()["id"])
        return ids

    return make


def csv_text(rows: list[tuple], header: str = "nik,event_date,kind,destination,note") -> str:
    return "\n".join([header, *(",".join(map(str, r)) for r in rows)]) + "\n"


def day(days_ago: int) -> str:
    return (TODAY - dt.timedelta(days=days_ago)).isoformat()


FILE_ROWS = ([(nik(s), day(10), "departure_denied", "MY", "") for s in range(1, 13)]
             + [(nik(90), day(10), "deported", "", ""),  # nobody interviewed: unmatched
                (nik(13), day(60), "tppo_victim", "KH", ""),  # before the interview
                (nik(1)[:15], day(10), "deported", "", ""),  # line 16: a bad NIK
                (nik(2), day(10), "smuggled", "XX", "")])  # line 17: kind and destination


def all_text(db) -> str:
    """Return every stored value of every table as one text."""
    db.expire_all()
    return "\n".join(repr(row) for table in Base.metadata.sorted_tables
                     for row in db.execute(select(table)).all())


def test_cli_import_counts_match_the_file_and_a_second_import_creates_nothing(
        ews_cli, db, accounts, people, tmp_path, caplog):
    people(range(1, 14))
    path = tmp_path / "tpi.csv"
    path.write_text(csv_text(FILE_ROWS))
    first = ews_cli("outcomes", "import", str(path), "--source", "TPI Juanda 2026-11",
                    "--as", accounts["analyst"].username, "--format", "json")
    assert first.exit_code == 1, first.output  # a row was refused (the others went in)
    summary = json.loads(first.stdout)
    assert {k: summary[k] for k in ("rows", "matched", "unmatched", "labels_created",
                                    "duplicates")} == {
        "rows": 16, "matched": 12, "unmatched": 2, "labels_created": 12, "duplicates": 0}
    assert {(e["line"], e["field"]) for e in summary["errors"]} == {
        (16, "nik"), (17, "kind"), (17, "destination")}
    labels = db.scalars(select(Outcome)).all()
    assert len(labels) == 12
    assert {(o.outcome, o.origin, o.external_kind, o.source_name, o.event_country)
            for o in labels} == {("intercepted_at_border", "external", "departure_denied",
                                  "TPI Juanda 2026-11", "MY")}
    second = ews_cli("outcomes", "import", str(path), "--source", "TPI Juanda 2026-11",
                     "--as", accounts["analyst"].username, "--format", "json")
    again = json.loads(second.stdout)
    assert (again["matched"], again["labels_created"], again["duplicates"]) == (12, 0, 12)
    assert db.scalar(select(func.count()).select_from(Outcome)) == 12
    for out in (first.output, second.output, caplog.text, all_text(db)):
        assert not any(nik(s) in out for s in (1, 2, 13, 90))
    assert verify(db)[1] is None  # every label sealed by an audit event
    with maintenance(db, "tests: tamper"):  # an imported label changed behind the service
        db.execute(update(Outcome).where(Outcome.id == labels[0].id)
                   .values(outcome="legitimate_travel_confirmed"))
    db.commit()
    broken = verify(db)[1]
    assert broken is not None and broken.table == "outcomes" and "outcome" in broken.problem


def test_cli_refuses_a_bad_header_and_an_officer(ews_cli, accounts, people, tmp_path):
    path = tmp_path / "bad.csv"
    path.write_text(csv_text([(nik(1), day(1), "deported")], header="nik,date,kind"))
    result = ews_cli("outcomes", "import", str(path), "--source", "x", "--as",
                     accounts["analyst"].username)
    assert result.exit_code != 0 and "event_date" in result.output
    path.write_text(csv_text([]))
    result = ews_cli("outcomes", "import", str(path), "--source", "x", "--as",
                     accounts["officer"].username)
    assert result.exit_code != 0 and "role" in result.output


def test_the_latest_interview_before_the_event_within_two_years(client, db, accounts, people):
    old = people([1], days=900)  # older than two years at the event: not linked
    earlier, later = people([2], days=300), people([2], days=100)
    rows = [(nik(1), day(10), "repatriated_pmi", "", ""),
            (nik(2), day(50), "tppo_victim", "", "dipulangkan"),
            (nik(2), day(50), "tppo_victim", "", "dipulangkan")]  # the same row twice
    summary = post(client, accounts["analyst"], csv_text(rows)).get_json()
    assert (summary["matched"], summary["unmatched"], summary["labels_created"],
            summary["duplicates"]) == (2, 1, 1, 1)
    (label,) = db.scalars(select(Outcome)).all()
    assert label.assessment_id == later[0] and label.outcome == "confirmed_trafficking"
    assert label.event_date == TODAY - dt.timedelta(days=50)
    assert earlier[0] != later[0] and old


def post(client, account, text: str, source: str = "BP3MI Jatim"):
    return client.post("/api/v1/outcomes/imports", headers=account.headers,
                       query_string={"source": source},
                       data={"file": (io.BytesIO(text.encode()), "list.csv")},
                       content_type="multipart/form-data")


def test_api_supervisor_links_only_their_office(client, db, accounts, people):
    from tests.test_web_pages import login

    (mine,) = people([1], account="officer")
    people([2], account="officer_sby")
    rows = [(nik(1), day(5), "deported", "", ""), (nik(2), day(5), "deported", "", "")]
    resp = post(client, accounts["supervisor"], csv_text(rows))
    assert resp.status_code == 200, resp.get_json()
    assert (resp.get_json()["matched"], resp.get_json()["unmatched"]) == (1, 1)
    office = db.scalar(select(Assessment.office_code).join(
        Outcome, Outcome.assessment_id == Assessment.id))
    assert office == "PMK"
    login(client, accounts["supervisor"])
    page = client.get(f"/review/{mine}").get_data(as_text=True)
    assert 'data-origin="external"' in page and "BP3MI Jatim" in page
    assert "Dideportasi" in page


@pytest.mark.parametrize(("role", "source", "status"), [
    ("officer", "x", 403), ("admin", "x", 403), ("analyst", "", 422),
    ("analyst", "a" * 81, 422)])
def test_api_refuses(client, accounts, role, source, status):
    resp = post(client, accounts[role], csv_text([]), source=source)
    assert resp.status_code == status, resp.get_json()


def test_api_names_a_bad_row_by_line_and_field(client, accounts, people):
    rows = [(nik(1), "2026-13-01", "deported", "", ""), (nik(1), day(-3), "deported", "", "")]
    summary = post(client, accounts["analyst"], csv_text(rows)).get_json()
    assert summary["errors"] == [
        {"line": 2, "field": "event_date", "message": "must be a date YYYY-MM-DD"},
        {"line": 3, "field": "event_date", "message": "is in the future"}]
    assert nik(1) not in json.dumps(summary)
