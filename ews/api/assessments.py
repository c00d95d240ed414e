"""Assessments: submit (idempotent), score without storing, read one, list."""

from __future__ import annotations

import orjson
from flask import Response
from flask.views import MethodView
from flask_smorest import Blueprint, abort

from ews.auth.scope import office_scope, require
from ews.interviews import AssessmentConflict
from ews.review.service import is_assessment_id
from ews.store.assessments import Filters, query, result_of
from ews.store.db import as_utc
from ews.store.models import Assessment
from ews.webdb import get_session

from . import service
from .auth import api_user, protect
from .schemas import (
    AssessmentSchema,
    ListArgsSchema,
    PageSchema,
    ResultSchema,
    ScoreSchema,
    checklist_request_schema,
)

bp = protect(Blueprint("assessments", __name__, url_prefix="/api/v1",
                       description="Score and store interviews"))
CHECKLIST = {"required": True, "content": {"application/json": {"schema": "Checklist"}}}


@bp.route("/assessments")
class Assessments(MethodView):
    """The assessment log."""

    @bp.doc(requestBody=CHECKLIST)
    @bp.response(201, ResultSchema)
    @bp.alt_response(200, schema=ResultSchema, description="Same application, same answers: "
                                                            "the stored result")
    @bp.alt_response(409, description="Same application, different answers")
    def post(self):
        """Score an interview and store it (idempotent per office and application id)."""
        user = api_user()
        require(user, "assessment.submit")
        record = service.checklist_from_request()
        require(user, "assessment.submit", record["office_code"])
        try:
            sub = service.submit_record(record, user)
        except AssessmentConflict as err:
            abort(409, message=str(err), conflicts=err.fields, assessment_id=err.existing.id)
        # result_of is already shaped as ResultSchema (a test asserts the dump changes
        # nothing): a Response skips flask-smorest's marshmallow dump, ~0.2 ms per submission,
        # and orjson writes it in a fraction of the standard library's time.
        return Response(orjson.dumps(result_of(sub.assessment)), 201 if sub.created else 200,
                        mimetype="application/json")

    @bp.arguments(ListArgsSchema, location="query")
    @bp.response(200, PageSchema)
    def get(self, args):
        """List assessments in the caller's scope, newest first."""
        user = api_user()
        require(user, "assessment.read", args.get("office_code"))
        scope = office_scope(user)
        offices = (args["office_code"],) if args.get("office_code") else scope
        flt = Filters(offices=offices, band=args.get("band"), action=args.get("action"),
                      status=args.get("status"), since=args.get("since"),
                      until=args.get("until"))
        rows, total = query(get_session(), flt, args["page"], args["per_page"])
        return {"items": [_summary(r) for r in rows], "page": args["page"],
                "per_page": args["per_page"], "total": total}


@bp.route("/assessments/<string:assessment_id>")
class AssessmentItem(MethodView):
    """One assessment."""

    @bp.response(200, AssessmentSchema)
    def get(self, assessment_id):
        """Return one assessment with its answers (personal data only for its own office)."""
        user = api_user()
        row = (get_session().get(Assessment, assessment_id)
               if is_assessment_id(assessment_id) else None)
        if row is None:
            abort(404, message="No such assessment.")
        require(user, "assessment.read", row.office_code)
        return service.assessment_view(row, user)


@bp.route("/score")
class Score(MethodView):
    """What-if scoring."""

    @bp.doc(requestBody=CHECKLIST)
    @bp.response(200, ScoreSchema)
    def post(self):
        """Score an interview without storing it (training, what-if)."""
        user = api_user()
        require(user, "assessment.score")
        record = service.checklist_from_request()
        require(user, "assessment.score", record["office_code"])
        return service.score_record(record)


def _summary(row: Assessment) -> dict:
    return {"id": row.id, "application_id": row.application_id,
            "office_code": row.office_code, "score": row.score, "band": row.band,
            "action": row.action, "rung": row.rung, "status": row.status,
            "created_at": as_utc(row.created_at), "due_at": as_utc(row.due_at)}


__all__ = ["bp", "checklist_request_schema"]
