"""Outcome imports API: POST /api/v1/outcomes/imports (the twin of `ews outcomes import`)."""

from __future__ import annotations

import io

from flask import current_app, request
from flask.views import MethodView
from flask_smorest import Blueprint, abort
from flask_smorest.fields import Upload
from marshmallow import Schema, fields

from ews.outcomes.imports import SOURCE_MAX, ImportInputError, import_outcomes
from ews.store.db import utcnow
from ews.webdb import get_session

from .auth import api_user, protect

IMPORT_MAX_BYTES = 16 * 1024 * 1024  # ~350,000 rows; the CLI reads any size

bp = protect(Blueprint("outcomes_api", __name__, url_prefix="/api/v1/outcomes",
                       description="External outcome lists (border posts, BP3MI, police)"))


@bp.before_request
def _larger_body() -> None:
    """Let an import file be larger than the API's usual 256 KB body."""
    request.max_content_length = IMPORT_MAX_BYTES


class ImportArgs(Schema):
    source = fields.String(required=True, metadata={
        "description": f"the list's name (1-{SOURCE_MAX} characters), part of the re-import "
                       "key"})


class ImportFile(Schema):
    file = Upload(required=True, metadata={
        "description": "CSV, UTF-8: nik, event_date (YYYY-MM-DD), kind (departure_denied, "
                       "deported, repatriated_pmi, tppo_victim), optional destination (ISO "
                       "country), note"})


class RowErrorSchema(Schema):
    line = fields.Integer(required=True, metadata={"description": "the header is line 1"})
    field = fields.String(required=True)
    message = fields.String(required=True)


class ImportSummarySchema(Schema):
    source = fields.String(required=True)
    rows = fields.Integer(required=True)
    matched = fields.Integer(required=True)
    unmatched = fields.Integer(required=True)
    labels_created = fields.Integer(required=True)
    duplicates = fields.Integer(required=True, metadata={
        "description": "matched rows whose label exists already (imported before, or twice "
                       "in the file)"})
    errors = fields.List(fields.Nested(RowErrorSchema), required=True)


@bp.route("/imports")
class Imports(MethodView):
    """An external list of events, each linked to the person's latest earlier interview."""

    @bp.arguments(ImportArgs, location="query")
    @bp.arguments(ImportFile, location="files")
    @bp.response(200, ImportSummarySchema)
    @bp.alt_response(403, description="Not a supervisor or an analyst")
    def post(self, args, files):
        """Import a list (analyst; supervisor: own office); a second import creates nothing.

        Valid rows are imported, refused ones listed in `errors` by line and column; the
        NIKs are hashed on reading and never stored, logged or returned.
        """
        user = api_user()
        try:
            text = files["file"].read().decode("utf-8-sig")
        except UnicodeDecodeError:
            abort(422, errors={"file": ["not UTF-8 text"]})
        try:
            summary = import_outcomes(get_session(), io.StringIO(text, newline=""),
                                      source=args["source"], user=user,
                                      pii_key=current_app.config["PII_KEY"], now=utcnow(),
                                      via="api")
        except ImportInputError as err:
            if err.field == "role":
                abort(403, message=str(err))
            abort(422, errors={"source" if err.field == "source" else "file": [str(err)]})
        return summary.as_dict()
