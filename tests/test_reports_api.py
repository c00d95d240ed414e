"""Report pages and API: permissions (role x report x office), suppression, bad input, audit."""

from __future__ import annotations

import csv
import io
import re
import zipfile

import pytest
from sqlalchemy import select

from ews.demo import Window, run
from ews.reports import REPORTS
from ews.store.models import AuditEvent

PERIOD = {"from": "2025-11-01", "to": "2026-10-31"}


@pytest.fixture
def demo(app, db, accounts, password_hash):
    """Write 300 demo interviews at PMK and SBY into the test database."""
    import datetime as dt

    run(db, n=300, window=Window(12, dt.date(2026, 11, 1)), offices=("PMK", "SBY"), seed=3,
        pii_key="test-pii-key", password_hash=password_hash)
    return accounts


def _get(client, account, name, **query):
    return client.get(f"/api/v1/reports/{name}", query_string=PERIOD | query,
                      headers=account.headers)


@pytest.mark.parametrize("name", sorted(REPORTS))
def test_analyst_reads_every_report_except_officers_suppressed(client, demo, name):
    got = _get(client, demo["analyst"], name)
    if name == "officers":
        assert got.status_code == 403
        return
    assert got.status_code == 200, got.json
    body = got.json
    assert body["name"] == name and body["suppressed"] is True
    cells = [c for t in body["tables"] for row in t["rows"] for c in row]
    counts = [c for t in body["tables"] for row in t["rows"]
              for c, col in zip(row, t["columns"], strict=True) if col["kind"] == "count"]
    assert all(not (isinstance(c, int) and 0 < c < 11) for c in counts)
    assert cells or name == "ikk"  # something to show (no product yet)


@pytest.mark.parametrize("name", sorted(REPORTS))
def test_supervisor_reads_own_office_unsuppressed_and_not_another(client, demo, name):
    sup = demo["supervisor"]
    own = _get(client, sup, name)
    assert own.status_code == 200
    assert own.json["offices"] == ["PMK"] and own.json["suppressed"] is False
    assert _get(client, sup, name, office="SBY").status_code == 403
    assert _get(client, sup, name, office="PMK,SBY").status_code == 403


@pytest.mark.parametrize("name", sorted(REPORTS))
def test_officers_read_no_report(client, demo, name):
    assert _get(client, demo["officer"], name).status_code == 403


def test_officers_report_for_admin(client, demo):
    got = _get(client, demo["admin"], "officers")
    assert got.status_code == 200 and got.json["suppressed"] is True


def test_supervisor_sees_small_counts_that_an_analyst_sees_as_suppressed(client, demo):
    own = _get(client, demo["supervisor"], "overview").json["tables"][1]["rows"]
    theirs = _get(client, demo["analyst"], "overview", office="PMK").json["tables"][1]["rows"]
    assert own != theirs
    assert any(c == "<11" for row in theirs for c in row)
    assert not any(c == "<11" for row in own for c in row)


@pytest.mark.parametrize("query, field", [
    ({"from": "2026-13-01"}, "from"), ({"to": "yesterday"}, "to"),
    ({"from": "2026-10-01", "to": "2026-01-01"}, "from"), ({"office": "P M K"}, "office"),
    ({"format": "pdf"}, "format"), ({"to": "9999-12-31"}, "to"), ({"from": "0001-01-01"}, "from"),
    ({"from": "1999-12-31"}, "from")])
def test_bad_parameters_are_a_422_naming_the_field(client, demo, query, field):
    got = _get(client, demo["analyst"], "overview", **query)
    assert got.status_code == 422
    assert got.mimetype == "application/problem+json" and field in got.json["errors"]


def test_unknown_report_is_a_404_listing_the_known_ones(client, demo):
    got = _get(client, demo["analyst"], "nope")
    assert got.status_code == 404 and "overview" in got.json["detail"]


def test_csv_export_is_one_table_per_file_suppressed_and_audited(client, demo, db):
    got = _get(client, demo["supervisor"], "overview", format="csv")
    assert got.status_code == 200 and got.mimetype == "application/zip"
    assert 'filename="ews-overview.zip"' in got.headers["Content-Disposition"]
    archive = zipfile.ZipFile(io.BytesIO(got.data))
    assert archive.namelist() == ["overview-summary.csv", "overview-by_month.csv"]
    months = list(csv.reader(io.StringIO(archive.read("overview-by_month.csv").decode())))
    assert months[0][:2] == ["Bulan", "Wawancara"]  # a header row first, no comment line
    assert all(len(row) == len(months[0]) for row in months)  # one table: one shape
    assert "<11" in {cell for row in months for cell in row}
    event = db.scalars(select(AuditEvent).where(AuditEvent.kind == "report.exported")).one()
    assert event.actor == demo["supervisor"].username and '"report":"overview"' in event.data


def test_csv_of_a_one_table_report_is_one_csv(client, demo):
    got = _get(client, demo["analyst"], "ikk", format="csv", lang="en")
    assert got.status_code == 200 and got.mimetype == "text/csv"
    rows = list(csv.reader(io.StringIO(got.get_data(as_text=True))))
    assert rows[0][:2] == ["Quarter", "Products"]
    assert all(len(row) == len(rows[0]) for row in rows)


def test_xlsx_export_opens(client, demo):
    from openpyxl import load_workbook

    got = _get(client, demo["analyst"], "areas", format="xlsx")
    book = load_workbook(io.BytesIO(got.data))
    assert "summary" in book.sheetnames


def test_no_personal_data_in_any_report(client, demo, db):
    from ews.store.models import Assessment

    hashes = {h for row in db.execute(select(Assessment.nik_hash, Assessment.phone_hash,
                                             Assessment.recruiter_phone_hash)) for h in row if h}
    for name in REPORTS:
        text = _get(client, demo["admin"], name).get_data(as_text=True)
        assert "Pemohon Demo" not in text and "+628" not in text
        assert not any(h in text for h in hashes)


def _login(client, account):
    from tests.conftest import PASSWORD

    got = client.post("/login", data={"username": account.username, "password": PASSWORD})
    assert got.status_code in (302, 303)


@pytest.mark.parametrize("role, status", [("analyst", 200), ("supervisor", 200),
                                          ("admin", 200), ("officer", 403)])
def test_report_pages_by_role(client, demo, role, status):
    _login(client, demo[role])
    assert client.get("/reports").status_code == status
    got = client.get("/reports/overview", query_string=PERIOD)
    assert got.status_code == status
    if status == 200:
        html = got.get_data(as_text=True)
        assert "<svg" in html and "<script" not in html.split("</head>")[1]


def test_pages_answer_bad_input_with_a_clear_error(client, demo):
    _login(client, demo["supervisor"])
    assert client.get("/reports/nope").status_code == 404
    got = client.get("/reports/overview", query_string={"from": "2026-10-01", "to": "2026-01-01"})
    assert got.status_code == 422 and "after" in got.get_data(as_text=True)
    for bound in ("9999-12-31", "0001-01-01"):
        got = client.get("/reports/overview", query_string={"to": bound})
        assert got.status_code == 422 and "&#39;to&#39; must be a date from 2000-01-01 to " \
            "2099-12-31" in got.get_data(as_text=True)
        got = client.get("/reports/overview/export", query_string={"from": bound})
        assert got.status_code == 422 and "&#39;from&#39; must be a date" in \
            got.get_data(as_text=True)
    assert client.get("/reports/overview", query_string={"office": "SBY"}).status_code == 403
    assert client.get("/reports/officers", query_string=PERIOD).status_code == 200


def test_supervisor_opens_own_office_assessments_from_a_network(client, demo):
    _login(client, demo["supervisor"])
    html = client.get("/reports/networks", query_string=PERIOD).get_data(as_text=True)
    assert "data-members" in html and "/review/" in html
    _login(client, demo["analyst"])
    html = client.get("/reports/networks", query_string=PERIOD).get_data(as_text=True)
    assert "data-members" not in html


def test_quarterly_print_page(client, demo):
    _login(client, demo["supervisor"])
    got = client.get("/reports/quarterly", query_string={"quarter": "2026Q2"})
    assert got.status_code == 200 and "2026Q2" in got.get_data(as_text=True)
    assert client.get("/reports/quarterly", query_string={"quarter": "Q9"}).status_code == 400
    assert client.get("/reports/quarterly", query_string={"office": "SBY"}).status_code == 403


def test_intelligence_products_are_followed_up_and_counted_per_quarter(client, demo, db):
    import datetime as dt

    _login(client, demo["analyst"])
    form = {"title": "Jaringan Pakong", "finding": "Satu nomor perekrut, tiga kantor",
            "subject_kind": "network", "subject": "N-1234", "source_report": "networks",
            "recommended_follow_up": "Koordinasi dengan Polres", "owner_office": "PMK",
            "due_date": (dt.date.today() + dt.timedelta(days=10)).isoformat()}
    bad = client.post("/reports/ikk/products", data=form | {"subject_kind": "person"})
    assert bad.status_code == 422 and 'data-error="subject_kind"' in bad.get_data(as_text=True)
    assert client.post("/reports/ikk/products", data=form).status_code in (302, 303)
    from ews.store.models import IntelProduct

    product = db.scalars(select(IntelProduct)).one()
    got = client.post(f"/reports/ikk/products/{product.id}/follow-ups",
                      data={"agency": "polres", "action": "Rapat koordinasi", "closes": "on"})
    assert got.status_code in (302, 303)
    again = client.post(f"/reports/ikk/products/{product.id}/follow-ups",
                        data={"agency": "polres", "action": "lagi"})
    assert again.status_code == 409
    report = _get(client, demo["analyst"], "ikk", to=form["due_date"]).json
    row = report["tables"][0]["rows"][0]
    assert row[1:3] == ["<11", "<11"]  # one product: suppressed outside the office
    own = _get(client, demo["supervisor"], "ikk", to=form["due_date"]).json["tables"][0]["rows"]
    assert own[0][1:] == [1, 1, 1.0, 1, 1.0]
    kinds = [e.kind for e in db.scalars(select(AuditEvent)
                                         .where(AuditEvent.kind.like("ikk.%")))]
    assert kinds == ["ikk.product_created", "ikk.follow_up_recorded"]
    _login(client, demo["supervisor_sby"])
    other = client.post(f"/reports/ikk/products/{product.id}/follow-ups",
                        data={"agency": "polres", "action": "x"})
    assert other.status_code == 403


def test_report_page_dates_labels_and_markers(client, demo):
    from tests.test_web_pages import login

    login(client, demo["analyst"])
    page = client.get("/reports/areas", query_string={"from": "01/11/2025", "to": "31/10/2026"})
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    # Days are typed and shown dd/mm/yyyy, in a text field (a date field follows the browser).
    assert "01/11/2025 – 31/10/2026" in html
    assert 'name="from" value="01/11/2025"' in html and 'type="date"' not in html
    # Every value keeps its header on a narrow screen (cards labelled by data-label).
    cells = re.findall(r"<td [^>]*data-col=\"(\w+)\"[^>]*>", html)
    labelled = re.findall(r"<td [^>]*data-col=\"\w+\" data-label=\"[^\"]+\"", html)
    assert cells and len(labelled) == len(cells)
    # The markers are escaped, in the tables and in the translated text around them.
    assert "<11" not in html and "&lt;11" in html
    assert "(disembunyikan)" in html
    got = client.get("/reports/areas/export", query_string={"from": "01/11/2025",
                                                            "to": "31/10/2026", "format": "md"})
    assert got.status_code == 200 and "2025-11-01 to 2026-10-31" in got.get_data(as_text=True)
    bad = client.get("/reports/areas", query_string={"from": "31/02/2026"})
    assert bad.status_code == 422 and "hh/bb/tttt" in bad.get_data(as_text=True)
