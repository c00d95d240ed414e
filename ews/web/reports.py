"""Report pages under /reports (analysts, admins; supervisors read their own office).

The figures come from `ews.reports`; this module only parses the query string, renders the
page (charts as inline SVG, each above its data table) and serves audited exports.
"""

from __future__ import annotations

import datetime as dt
import math
import re

from flask import (
    Blueprint,
    Response,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user, login_required
from marshmallow import ValidationError

from ews.reports import REPORTS, ReportForbidden, ReportInputError
from ews.reports import ikk as ikk_service
from ews.reports.export import MIMETYPES, download, label, localize, workbook, zip_of_csv
from ews.reports.export import record_export as audit_export
from ews.reports.ikk import Actor
from ews.reports.model import SUPPRESSED, newest_today
from ews.reports.service import compute, prepare
from ews.store import export_settings
from ews.store.models import FOLLOW_UP_AGENCIES, SUBJECT_KINDS
from ews.webdb import get_session

from . import report_text
from .charts import svg
from .i18n import current_lang, fmt_number, fmt_percent

bp = Blueprint("reports", __name__, url_prefix="/reports")
QUARTERLY = ("overview", "destinations", "recruitment", "areas", "outcomes")
bp.add_app_template_global(report_text.text, "report_text")


def _problem(status: int, message: str):
    return render_template("error.html", title=_("Report unavailable"), message=message,
                           status=status), status


DAY = re.compile(r"(\d{1,2})/(\d{1,2})/(\d{4})")


def iso_day(value: str | None) -> str | None:
    """Return a day typed dd/mm/yyyy (the pages' format, whatever the browser's language) as
    YYYY-MM-DD; anything else as it is (ISO links keep working, a bad day is named)."""
    found = DAY.fullmatch((value or "").strip())
    return f"{found[3]}-{int(found[2]):02d}-{int(found[1]):02d}" if found else value


def _access(name: str, fmt: str | None = None):
    args = request.args
    try:
        return prepare(name, current_user.role, current_user.office_code,
                       iso_day(args.get("from")), iso_day(args.get("to")), args.get("office"),
                       today=_today(), fmt=fmt, by=args.get("by"))
    except ReportInputError as err:
        if "YYYY-MM-DD" not in str(err):
            raise
        raise ReportInputError(err.field, _("'%(field)s' must be a date dd/mm/yyyy",
                                            field=err.field)) from None


def _visible() -> list[tuple[str, str]]:
    return [(name, s.title) for name, s in REPORTS.items() if current_user.role in s.roles]


@bp.get("")
@login_required
def index():
    """List the reports this user may read, with the period form."""
    if not _visible():
        return _problem(403, _("Your role does not read reports."))
    today = _today()
    pseudonyms = export_settings.get(get_session().connection(), "pseudonymise_officers")
    return render_template("reports/index.html", reports=_visible(), today=today,
                           start=today - dt.timedelta(days=364), pseudonyms=pseudonyms)


def _today() -> dt.date:
    """Return the newest office's today (a default period holds every office's today)."""
    return newest_today(dt.datetime.now(dt.UTC))


def fmt_cell(value, column) -> str:
    """Format a report cell for a page in its language: rates as percentages, intervals,
    counts (2,46% and 1.234 on Indonesian pages, 2.46% and 1,234 on English ones)."""
    if value == SUPPRESSED:
        return value
    if isinstance(value, str):
        return report_text.cell(value, column.name)
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "–"
    kind = column.kind
    if kind == "rate":
        return fmt_percent(value, 2)
    if kind in ("per1000", "ratio"):
        return fmt_number(value, 1 if kind == "per1000" else 2)
    if kind == "interval":
        low, high = value
        if low != low:
            return "–"
        return (f"{fmt_number(low, 1)}–{fmt_number(high, 1)}" if column.unit == "per1000"
                else f"{fmt_percent(low)}–{fmt_percent(high)}")
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return fmt_number(value, 0 if isinstance(value, int) else None)
    return str(value)


def _report(name: str, leaves_office: bool = False):
    access = _access(name)
    report = compute(get_session().connection(), name, access,
                     office_code=current_user.office_code,
                     pii_key=current_app.config["PII_KEY"], leaves_office=leaves_office)
    return access, report


@bp.get("/<name>")
@login_required
def page(name: str):
    """Show one report: notes, charts with their tables, export links."""
    try:
        access, report = _report(name)
    except ReportInputError as err:
        return _problem(404 if err.field == "name" else 422, str(err))
    except ReportForbidden as err:
        return _problem(403, str(err))
    charts = {c.table: svg(report, c) for c in report.charts}
    extra = _ikk_context() if name == "ikk" else {}
    return render_template("reports/report.html", report=report, charts=charts,
                           fmt_cell=fmt_cell, access=access, reports=_visible(),
                           query=request.args.to_dict(), **extra)


def _actor() -> Actor:
    return Actor(current_user.id, current_user.username, current_user.role,
                 current_user.office_code)


# The stored values of an intelligence product's subject and follow-up agency, as the page says
# them (the form sends the values).
SUBJECT_LABELS = {"area": _l("Area"), "destination": _l("Destination"),
                  "network": _l("Recruiter network"), "other": _l("Other")}
AGENCY_LABELS = {"polres": _l("Police (Polres)"), "bp3mi": _l("BP3MI"),
                 "disnaker": _l("Manpower office (Disnaker)"),
                 "desa_binaan_visit": _l("Visit to a Desa Binaan"), "timpora": _l("TIMPORA"),
                 "satgas_tppo": _l("TPPO task force (Satgas TPPO)"),
                 "uptd_ppa": _l("UPTD PPA"), "other": _l("Other")}


def _ikk_context(errors: dict | None = None, values: dict | None = None) -> dict:
    return {"products": ikk_service.products(get_session(), _actor()),
            "subject_kinds": {k: SUBJECT_LABELS.get(k, k) for k in SUBJECT_KINDS},
            "agencies": {k: AGENCY_LABELS.get(k, k) for k in FOLLOW_UP_AGENCIES},
            "errors": errors or {}, "values": values or {
                "source_report": request.args.get("source", "ikk"),
                "owner_office": current_user.office_code}}


@bp.post("/ikk/products")
@login_required
def create_product():
    """Create an intelligence product from the form (analyst, admin; supervisor: own office)."""
    form = request.form.to_dict()
    form.pop("csrf_token", None)
    try:
        ikk_service.create_product(get_session(), _actor(), form)
    except ValidationError as err:
        get_session().rollback()
        return _ikk_page(err.messages, form, 422)
    except ikk_service.IkkError as err:
        return _problem(err.status, str(err))
    flash(_("Intelligence product recorded."), "success")
    return redirect(url_for("reports.page", name="ikk"))


@bp.post("/ikk/products/<int:product_id>/follow-ups")
@login_required
def add_follow_up(product_id: int):
    """Record a follow-up of a product (closing it when asked)."""
    form = {k: v for k, v in request.form.items() if k != "csrf_token"}
    form["closes"] = form.get("closes") == "on"
    try:
        ikk_service.add_follow_up(get_session(), _actor(), product_id, form)
    except ValidationError as err:
        get_session().rollback()
        return _ikk_page({f"follow_up_{product_id}": err.messages}, None, 422)
    except ikk_service.IkkError as err:
        return _problem(err.status, str(err))
    flash(_("Follow-up recorded."), "success")
    return redirect(url_for("reports.page", name="ikk"))


def _ikk_page(errors: dict, values: dict | None, status: int):
    try:
        access, report = _report("ikk")
    except (ReportInputError, ReportForbidden) as err:
        return _problem(403, str(err))
    return render_template("reports/report.html", report=report, charts={},
                           fmt_cell=fmt_cell, access=access, reports=_visible(), query={},
                           **_ikk_context(errors, values)), status


@bp.get("/<name>/export")
@login_required
def export(name: str):
    """Download a report (csv, xlsx, md, json): always suppressed, always audited."""
    fmt = request.args.get("format", "csv")
    try:
        access = _access(name, fmt)
        report = compute(get_session().connection(), name, access,
                         office_code=current_user.office_code,
                         pii_key=current_app.config["PII_KEY"], leaves_office=True)
    except ReportInputError as err:
        return _problem(404 if err.field == "name" else 422, str(err))
    except ReportForbidden as err:
        return _problem(403, str(err))
    record_export(name, fmt, access.params, "page")
    p = access.params
    body, mimetype, ext = download(report, fmt, current_lang())
    filename = f"ews-{name}-{p.start}-{p.end - dt.timedelta(days=1)}.{ext}"
    return Response(body, mimetype=mimetype,
                    headers={"Content-Disposition": f'attachment; filename="{filename}"'})


def record_export(name: str, fmt: str, params, via: str) -> None:
    """Audit an export by the signed-in user."""
    audit_export(get_session(), actor=current_user.username,
                 office_code=current_user.office_code, name=name, fmt=fmt, params=params,
                 via=via)


@bp.get("/quarterly")
@login_required
def quarterly():
    """A printable quarterly report of one office (B03/B06/B09/B12 evidence): one page."""
    try:
        office, quarter, reports = _quarterly()
    except _Refused as err:
        return _problem(*err.args)
    record_export("quarterly", "html", reports[0].params, "print")
    return render_template("reports/quarterly.html", reports=reports, office=office,
                           quarter=quarter, fmt_cell=fmt_cell,
                           charts={r.name: [svg(r, c) for c in r.charts[:1]] for r in reports})


@bp.get("/quarterly/export")
@login_required
def quarterly_export():
    """The quarterly evidence as data: XLSX (one sheet per table) or a zip of CSVs, with
    Indonesian headers and the period and office in each sheet; audited."""
    fmt = request.args.get("format", "xlsx")
    if fmt not in ("xlsx", "csv"):
        return _problem(422, _("Format must be xlsx or csv."))
    try:
        office, quarter, reports = _quarterly()
    except _Refused as err:
        return _problem(*err.args)
    record_export("quarterly", fmt, reports[0].params, "page")
    tables = [(f"{r.name}-{t.name}", t) for r in reports for t in localize(r, "id").tables]
    if fmt == "xlsx":
        p = reports[0].params
        head = ((label("Period", "id"), f"{p.start.isoformat()} – {p.last.isoformat()}"),
                (label("Quarter", "id"), quarter), (label("Office", "id"), office),
                (label("Dated by", "id"), label("interview time" if p.by == "interview"
                                                else "submission time", "id")))
        body, mimetype = workbook(tables, head), MIMETYPES["xlsx"]
    else:
        body, mimetype = zip_of_csv(tables), "application/zip"
    filename = f"ews-quarterly-{office}-{quarter}.{'xlsx' if fmt == 'xlsx' else 'zip'}"
    return Response(body, mimetype=mimetype,
                    headers={"Content-Disposition": f'attachment; filename="{filename}"'})


class _Refused(Exception):
    """A quarterly request refused: (HTTP status, message)."""


def _quarterly() -> tuple[str, str, list]:
    """Return (office, quarter, the suppressed reports of the quarter); _Refused says why
    not."""
    office = request.args.get("office") or current_user.office_code
    quarter = (request.args.get("quarter") or _quarter(_today())).upper()
    try:
        start, end = _quarter_bounds(quarter)
    except ValueError:
        raise _Refused(400, _("Quarter must look like 2026Q3.")) from None
    reports = []
    try:
        for name in QUARTERLY:
            access = prepare(name, current_user.role, current_user.office_code,
                             start.isoformat(), end.isoformat(), office, today=_today(),
                             by=request.args.get("by"))
            reports.append(compute(get_session().connection(), name, access,
                                   office_code=current_user.office_code,
                                   pii_key=current_app.config["PII_KEY"], leaves_office=True))
    except ReportInputError as err:
        raise _Refused(422, str(err)) from None
    except ReportForbidden as err:
        raise _Refused(403, str(err)) from None
    return office.upper(), quarter, reports


def _quarter(day: dt.date) -> str:
    return f"{day.year}Q{(day.month - 1) // 3 + 1}"


def _quarter_bounds(text: str) -> tuple[dt.date, dt.date]:
    year, q = text.upper().split("Q")
    first = dt.date(int(year), 3 * (int(q) - 1) + 1, 1)
    if not 1 <= int(q) <= 4:
        raise ValueError(text)
    last = (first.replace(day=28) + dt.timedelta(days=70)).replace(day=1) - dt.timedelta(days=1)
    return first, last
