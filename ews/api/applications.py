"""Applications registered at the front desk (intake): register one, list the office's."""

from __future__ import annotations

import datetime as dt

from flask import current_app, request
from flask.views import MethodView
from flask_smorest import Blueprint, abort
from marshmallow import ValidationError

from ews.auth.scope import office_scope, require
from ews.checklist import validate_intake
from ews.store import as_utc
from ews.store.applications import IntakeConflict, listing, register, unknown_offices
from ews.webdb import get_session

from .auth import api_user, protect
from .schemas import ApplicationListArgsSchema, ApplicationListSchema, ApplicationSchema
from .service import request_lang

bp = protect(Blueprint("applications", __name__, url_prefix="/api/v1",
                       description="Applications registered at the front desk (intake)"))
INTAKE = {"required": True, "content": {"application/json": {"schema": "Intake"}}}


def application_view(row, assessed: bool) -> dict:
    """Return the API view of a registration (no personal data, not even hashes)."""
    return {"id": row.id, "application_id": row.application_id, "office_code": row.office_code,
            "purpose": row.purpose, "application_type": row.application_type,
            "is_minor": row.is_minor, "registered_at": as_utc(row.registered_at),
            "status": "assessed" if assessed else "waiting"}


@bp.route("/applications")
class Applications(MethodView):
    """Today's applications, registered before the interview."""

    @bp.doc(requestBody=INTAKE)
    @bp.response(201, ApplicationSchema)
    @bp.alt_response(200, schema=ApplicationSchema,
                     description="Already registered with the same data: the stored row")
    @bp.alt_response(409, description="Already registered with other data")
    def post(self):
        """Register an application (identity as keyed hashes; name and birth date not kept)."""
        user = api_user()
        require(user, "application.register")
        payload = request.get_json()
        try:
            record = validate_intake(payload, request_lang(), now=dt.datetime.now(dt.UTC))
        except ValidationError as err:
            abort(422, errors=err.messages)
        require(user, "application.register", record["office_code"])
        session = get_session()
        if unknown_offices(session, [record["office_code"]]):
            abort(422, errors={"office_code": ["Unknown office."]})
        try:
            (reg,) = register(session, [record], key=current_app.config["PII_KEY"],
                              actor=user.username, user_id=user.id)
        except IntakeConflict as err:
            abort(409, message=str(err))
        return application_view(reg.application, False), 201 if reg.created else 200

    @bp.arguments(ApplicationListArgsSchema, location="query")
    @bp.response(200, ApplicationListSchema)
    def get(self, args):
        """List registrations in the caller's office, oldest first (`status=waiting`)."""
        user = api_user()
        require(user, "application.read", args.get("office_code"))
        offices = (args["office_code"],) if args.get("office_code") else office_scope(user)
        rows = listing(get_session(), offices, args.get("status"), args["limit"])
        return {"items": [application_view(r, a) for r, a in rows]}
