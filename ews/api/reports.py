"""Report API: GET /api/v1/reports/<name> (the JSON twin of /reports/<name>) and exports."""

from __future__ import annotations

import datetime as dt

from flask import Response, current_app
from flask.views import MethodView
from flask_smorest import Blueprint, abort
from marshmallow import Schema, fields, validate

from ews.reports import ReportForbidden, ReportInputError
from ews.reports.export import LANGS, ReportSchema, download, record_export
from ews.reports.model import newest_today
from ews.reports.service import compute, prepare
from ews.webdb import get_session

from .auth import api_user, protect

bp = protect(Blueprint("reports_api", __name__, url_prefix="/api/v1/reports",
                       description="Intelligence pattern reports (aggregates only)"))


class ReportQuerySchema(Schema):
    date_from = fields.String(data_key="from", metadata={"description": "YYYY-MM-DD"})
    date_to = fields.String(data_key="to", metadata={"description": "YYYY-MM-DD, inclusive"})
    office = fields.String(metadata={"description": "office code(s), comma-separated"})
    by = fields.String(metadata={"description": "interview (default): date each interview by "
                                                "when it took place; submitted: by when it "
                                                "was submitted (office's local time)"})
    format = fields.String(load_default="json", metadata={
        "description": "json (default), or csv, md, xlsx as an audited download"})
    lang = fields.String(load_default="id", validate=validate.OneOf(LANGS), metadata={
        "description": "language of the headers and titles of a download: id (default), en"})


@bp.route("/<name>")
class ReportResource(MethodView):
    """One report over a period."""

    @bp.arguments(ReportQuerySchema, location="query")
    @bp.response(200, ReportSchema)
    def get(self, args, name: str):
        """Compute a report (analyst, admin; supervisors: their own office).

        Cells of groups under 11 are "<11" unless a supervisor reads their own office;
        csv/md/xlsx are downloads, always suppressed and audited.
        """
        user = api_user()
        fmt = args.get("format", "json")
        try:
            today = newest_today(dt.datetime.now(dt.UTC))
            access = prepare(name, user.role, user.office_code, args.get("date_from"),
                             args.get("date_to"), args.get("office"), today=today,
                             fmt=fmt, by=args.get("by"))
        except ReportInputError as err:
            if err.field == "name":
                abort(404, message=str(err))
            abort(422, errors={"query": {err.field: [str(err)]}})
        except ReportForbidden as err:
            abort(403, message=str(err))
        leaves = fmt != "json"
        report = compute(get_session().connection(), name, access,
                         office_code=user.office_code, pii_key=current_app.config["PII_KEY"],
                         leaves_office=leaves)
        if leaves:
            record_export(get_session(), actor=user.username, office_code=user.office_code,
                          name=name, fmt=fmt, params=access.params, via="api")
            body, mimetype, ext = download(report, fmt, args["lang"])
            return Response(body, mimetype=mimetype, headers={
                "Content-Disposition": f'attachment; filename="ews-{name}.{ext}"'})
        return report
