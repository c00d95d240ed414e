"""Review API: the queue, taking an item, decisions and outcomes (twins of the /review pages).

Thin views: parse with the review schemas, call `ews.review.service`, serialise. Validation
messages follow Accept-Language (en or id) like the checklist's.
"""

from __future__ import annotations

from flask import current_app
from flask.views import MethodView
from flask_smorest import Blueprint, abort
from marshmallow import Schema, fields

from ews.review import cases, service
from ews.review.kpi import office_kpis
from ews.review.schemas import (
    AmendInput,
    CaseArgs,
    DecisionInput,
    OutcomeInput,
    amend_schema,
    decision_schema,
    outcome_schema,
)
from ews.review.sla import SLA
from ews.store.db import as_utc
from ews.webdb import get_session

from .auth import api_user, protect
from .jsonbody import load_body
from .service import request_lang

bp = protect(Blueprint("review_api", __name__, url_prefix="/api/v1",
                       description="Supervisor review: queue, decisions, outcomes"))


class QueueItemSchema(Schema):
    id = fields.String(required=True)
    application_id = fields.String(required=True)
    office_code = fields.String(required=True)
    rung = fields.Integer(required=True)
    action = fields.String(required=True)
    score = fields.Integer(required=True)
    band = fields.String(required=True)
    created_at = fields.DateTime(required=True)
    due_at = fields.DateTime(allow_none=True, required=True)
    overdue = fields.Boolean(required=True)
    claimed_by = fields.String(allow_none=True, required=True)
    claimed_at = fields.DateTime(allow_none=True, required=True)


class KPISchema(Schema):
    open = fields.Integer(required=True)
    overdue = fields.Integer(required=True)
    decided_this_month = fields.Integer(required=True)
    median_hours_to_decision = fields.Float(allow_none=True, required=True)


class QueueSchema(Schema):
    items = fields.List(fields.Nested(QueueItemSchema), required=True,
                        metadata={"description": "highest rung first, then oldest"})
    kpis = fields.Nested(KPISchema, required=True)


class ClaimSchema(Schema):
    id = fields.String(required=True)
    claimed_by = fields.String(required=True)
    claimed_at = fields.DateTime(required=True)


class ClaimArgs(Schema):
    force = fields.Boolean(load_default=False,
                           metadata={"description": "take over an item held by someone else"})


class DecisionSchema(Schema):
    id = fields.Integer(required=True)
    assessment_id = fields.String(required=True)
    decision = fields.String(required=True)
    reason = fields.String(required=True)
    decided_by = fields.String(required=True)
    decided_at = fields.DateTime(required=True)
    amends = fields.Integer(required=True, allow_none=True, metadata={
        "description": "the decision this one changes (null for the first decision)"})
    status = fields.String(required=True, metadata={"description": "assessment status after"})


class OutcomeSchema(OutcomeInput):
    id = fields.Integer(required=True)
    assessment_id = fields.String(required=True)
    recorded_by = fields.String(required=True)
    recorded_at = fields.DateTime(required=True)


class CaseSchema(Schema):
    """A decided case: the latest decision and the latest outcome (null: none yet)."""

    id = fields.String(required=True)
    application_id = fields.String(required=True)
    office_code = fields.String(required=True)
    rung = fields.Integer(required=True)
    action = fields.String(required=True)
    score = fields.Integer(required=True)
    band = fields.String(required=True)
    officer = fields.String(allow_none=True, required=True)
    created_at = fields.DateTime(required=True)
    decided_at = fields.DateTime(allow_none=True, required=True)
    decision = fields.String(required=True)
    decided_by = fields.String(allow_none=True, required=True)
    outcome = fields.String(allow_none=True, required=True)
    outcome_at = fields.DateTime(allow_none=True, required=True)


class CasePageSchema(Schema):
    items = fields.List(fields.Nested(CaseSchema), required=True)
    page = fields.Integer(required=True)
    per_page = fields.Integer(required=True)
    total = fields.Integer(required=True)


def _body(schema_for) -> dict:
    """Validate the JSON body with the schema in the caller's language; 422 otherwise."""
    return load_body(schema_for(request_lang())())


def _fail(err: service.ReviewError):
    extra = {}
    if err.status == 409:
        extra["conflicts"] = ["claimed_by"] if err.key == "taken" else ["decision"]
        if err.params.get("decision_id"):
            extra["decision_id"] = err.params["decision_id"]
    abort(err.status, message=str(err), **extra)


def _decision_view(entry, user) -> dict:
    return {"id": entry.id, "assessment_id": entry.assessment_id,
            "decision": entry.decision, "reason": entry.reason, "amends": entry.amends,
            "decided_by": user.username, "decided_at": as_utc(entry.decided_at),
            "status": "decided"}


@bp.route("/review-queue")
class ReviewQueue(MethodView):
    """The supervisor's open items."""

    @bp.response(200, QueueSchema)
    def get(self):
        """List the open items of the supervisor's office with due times and the KPI strip."""
        user, db = api_user(), get_session()
        try:
            items = service.review_queue(db, user)
        except service.ReviewError as err:
            _fail(err)
        tz = SLA.of_app(current_app).tz
        return {"items": items, "kpis": office_kpis(db, user.office_code, tz)}


@bp.route("/cases")
class Cases(MethodView):
    """Decided cases (the case history of the /review/cases page)."""

    @bp.arguments(CaseArgs, location="query")
    @bp.response(200, CasePageSchema)
    def get(self, args):
        """List decided cases (supervisor: own office; analyst: every office), newest first."""
        user = api_user()
        page, per_page = args.pop("page"), args.pop("per_page")
        try:
            items, total = cases.find_cases(get_session(), user, cases.CaseFilters(**args),
                                            page, per_page, SLA.of_app(current_app).tz)
        except service.ReviewError as err:
            _fail(err)
        return {"items": items, "page": page, "per_page": per_page, "total": total}


@bp.route("/assessments/<string:assessment_id>/claim")
class Claim(MethodView):
    """Taking an item, so that two supervisors do not work on the same one."""

    @bp.arguments(ClaimArgs, location="query")
    @bp.response(200, ClaimSchema)
    @bp.alt_response(409, description="Held by another supervisor (use force=true to take over)")
    def post(self, args, assessment_id):
        """Take an open item of your office."""
        user = api_user()
        try:
            row = service.take(get_session(), assessment_id, user, force=args["force"])
        except service.ReviewError as err:
            _fail(err)
        return {"id": row.id, "claimed_by": user.username, "claimed_at": as_utc(row.claimed_at)}


@bp.route("/assessments/<string:assessment_id>/decision")
class DecisionResource(MethodView):
    """Human decisions (append-only)."""

    @bp.doc(requestBody={"required": True,
                         "content": {"application/json": {"schema": DecisionInput}}})
    @bp.response(201, DecisionSchema)
    @bp.alt_response(409, description="Held by another supervisor, or already decided "
                                      "(`decision_id` names the decision in force: amend it)")
    def post(self, assessment_id):
        """Record the decision with its reason (officer: rung 0-1; supervisor: any rung)."""
        user, db = api_user(), get_session()
        data = _body(decision_schema)
        try:
            entry = service.decide(db, assessment_id, user, data["decision"], data["reason"])
        except service.ReviewError as err:
            _fail(err)
        return _decision_view(entry, user)


@bp.route("/assessments/<string:assessment_id>/decision/amend")
class AmendResource(MethodView):
    """A change of decision: a new row that amends the decision in force (audited)."""

    @bp.doc(requestBody={"required": True,
                         "content": {"application/json": {"schema": AmendInput}}})
    @bp.response(201, DecisionSchema)
    @bp.alt_response(409, description="No decision yet, or `amends` is no longer the decision "
                                      "in force (`decision_id` names it)")
    def post(self, assessment_id):
        """Amend the decision in force with a reason (its author, the holder, a supervisor)."""
        user, db = api_user(), get_session()
        data = _body(amend_schema)
        try:
            entry = service.amend(db, assessment_id, user, data["amends"], data["decision"],
                                  data["reason"])
        except service.ReviewError as err:
            _fail(err)
        return _decision_view(entry, user)


@bp.route("/assessments/<string:assessment_id>/outcome")
class OutcomeResource(MethodView):
    """Later outcome labels (append-only)."""

    @bp.doc(requestBody={"required": True,
                         "content": {"application/json": {"schema": OutcomeInput}}})
    @bp.response(201, OutcomeSchema)
    def post(self, assessment_id):
        """Record what later became of the applicant (supervisor of the office, analyst)."""
        user, db = api_user(), get_session()
        data = _body(outcome_schema)
        try:
            entry = service.record_outcome(db, assessment_id, user, data)
        except service.ReviewError as err:
            _fail(err)
        return {"id": entry.id, "assessment_id": entry.assessment_id,
                "recorded_by": user.username, "recorded_at": as_utc(entry.recorded_at),
                **{k: getattr(entry, k) for k in data}}
