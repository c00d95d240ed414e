"""Rule sets: list, the live one, drafts, and the lifecycle steps (maker-checker)."""

from __future__ import annotations

import re
from dataclasses import fields

from flask import request
from flask.views import MethodView
from flask_smorest import Blueprint, abort

from ews.auth.scope import require
from ews.engine import RuleSetError
from ews.engine.ruleset import read_description
from ews.lifecycle import ACTIONS, LifecycleError, create_draft, edit_draft, evidence, transition
from ews.lifecycle.compiled import compiled
from ews.lifecycle.lines import locate
from ews.lifecycle.run import run_backtest
from ews.lifecycle.shadow import shadow_summary
from ews.store.db import as_utc
from ews.store.models import RuleSetRecord, User
from ews.store.rulesets import active_record, history, list_rulesets
from ews.webdb import get_session

from .auth import api_user, protect
from .jsonbody import load_body
from .ruleset_schemas import (
    BacktestArgsSchema,
    BacktestSchema,
    RuleSetEditSchema,
    RuleSetSchema,
    RuleSetTextSchema,
    RuleSetUploadSchema,
    ShadowSummarySchema,
    StepReasonSchema,
)

SHA256 = re.compile(r"[0-9a-f]{64}")
MAX_ID = 2**31 - 1  # an INTEGER column: larger path values cannot exist (and would overflow)
bp = protect(Blueprint("rulesets", __name__, url_prefix="/api/v1/rulesets",
                       description="Rule-set versions and their lifecycle"))
STEP_DOCS = {
    "submit": "Send your draft to review; its text is frozen from now on (author only).",
    "withdraw": "Take your version back from review to draft (author only).",
    "approve": "Approve a version in review (ruleset.approve; never the author).",
    "reject": "Send a version in review back to draft with a reason (never the author).",
    "shadow": "Score every new assessment with this approved version too, beside the live one.",
    "unshadow": "Stop the shadow scoring; the version is approved again.",
    "activate": "Make an approved (or shadow) version live (admin; never the author).",
    "rollback": "Make an earlier approved version live again, with a reason (admin; never "
                "the author).",
    "retire": "Retire a draft, approved or shadow version, with a reason.",
}


def view(row: RuleSetRecord, text: bool = False) -> dict:
    """Return the API view of a version (with text and history when `text`)."""
    session = get_session()

    def name(uid):
        return session.get(User, uid).username if uid is not None else None

    out = {"id": row.id, "sha256": row.sha256, "ruleset_id": row.ruleset_id,
           "version": row.version, "description": read_description(row.description),
           "status": row.status,
           "created_by": name(row.created_by), "created_at": as_utc(row.created_at),
           "submitted_at": as_utc(row.submitted_at), "approved_by": name(row.approved_by),
           "approved_at": as_utc(row.approved_at), "shadow_since": as_utc(row.shadow_since),
           "activated_by": name(row.activated_by), "activated_at": as_utc(row.activated_at),
           "retired_at": as_utc(row.retired_at), "review_note": row.review_note}
    if text:
        out["text"] = row.text
        out["history"] = [{"action": s.action, "from_status": s.from_status,
                           "to_status": s.to_status, "actor": s.actor, "reason": s.reason,
                           "sha256": s.sha256, "at": as_utc(s.at)}
                          for s in history(session, row)]
    return out


def line_errors(text: str, err: RuleSetError) -> list[str]:
    """Return the validation errors prefixed with their line ('line 12: ...')."""
    return [f"line {e.line}: {e.message}" if e.line else e.message
            for e in locate(text, err.errors, "draft")]


def get_version(ruleset_pk: int) -> RuleSetRecord:
    """Return the version with this id or abort 404."""
    row = get_session().get(RuleSetRecord, ruleset_pk) if 0 < ruleset_pk <= MAX_ID else None
    if row is None:
        abort(404, message="No such rule-set version.")
    return row


def read_sha(data: dict) -> str | None:
    """Return the sha256 the client read: the body's `sha256`, else an If-Match header."""
    if data.get("sha256"):
        return data["sha256"]
    tags = [t.strip().strip('"') for t in request.headers.get("If-Match", "").split(",")]
    tags = [t.removeprefix("W/").strip('"') for t in tags if t and t != "*"]
    if len(tags) > 1 or (tags and not SHA256.fullmatch(tags[0].lower())):
        abort(422, errors={"If-Match": ["give one sha256 (64 hex digits)"]})
    return tags[0].lower() if tags else None


def refuse(err: LifecycleError) -> None:
    """Abort with the status and message of a refused lifecycle step."""
    get_session().rollback()
    abort(err.status, message=str(err))


@bp.route("")
class RuleSets(MethodView):
    """Every stored version."""

    @bp.response(200, RuleSetSchema(many=True))
    def get(self):
        """List rule-set versions, newest first."""
        require(api_user(), "ruleset.read")
        return [view(r) for r in list_rulesets(get_session())]

    @bp.doc(requestBody={"required": True, "content": {
        "application/json": {"schema": RuleSetUploadSchema}}})
    @bp.response(201, RuleSetTextSchema)
    @bp.alt_response(409, description="The id and version (or the text) are stored already")
    @bp.alt_response(422, description="Not a valid rule set: `errors.text` lists each problem "
                                      "with its line")
    def post(self):
        """Store a new draft after validating it completely (analyst, admin)."""
        user = api_user()
        require(user, "ruleset.draft")
        data = load_body(RuleSetUploadSchema())
        session = get_session()
        try:
            row = create_draft(session, session.get(User, user.id), data["text"],
                               agencies=data.get("agencies_csv"))
        except RuleSetError as err:
            abort(422, errors={"text": line_errors(data["text"], err)})
        except LifecycleError as err:
            refuse(err)
        session.commit()
        return view(row, text=True)


@bp.route("/active")
class ActiveRuleSet(MethodView):
    """The version that scores new interviews (state `live`)."""

    @bp.response(200, RuleSetTextSchema)
    def get(self):
        """Return the live rule set with its text."""
        require(api_user(), "ruleset.read")
        row = active_record(get_session())
        if row is None:
            abort(404, message="No live rule set.")
        return view(row, text=True)


@bp.route("/<int:ruleset_pk>")
class RuleSetVersion(MethodView):
    """One version with its text and history; a draft can be edited."""

    @bp.response(200, RuleSetTextSchema)
    def get(self, ruleset_pk):
        """Return a version with its text and lifecycle history."""
        require(api_user(), "ruleset.read")
        return view(get_version(ruleset_pk), text=True)

    @bp.doc(requestBody={"required": True, "content": {
        "application/json": {"schema": RuleSetEditSchema}}})
    @bp.response(200, RuleSetTextSchema)
    @bp.alt_response(409, description="Not a draft (frozen), the id and version are taken, or "
                                      "the version changed since you read it (`sha256` or "
                                      "If-Match)")
    def put(self, ruleset_pk):
        """Replace the text of your draft (validated completely; errors by line)."""
        user = api_user()
        require(user, "ruleset.draft")
        data = load_body(RuleSetEditSchema())
        session = get_session()
        row = get_version(ruleset_pk)
        try:
            edit_draft(session, session.get(User, user.id), row, data["text"],
                       agencies=data.get("agencies_csv"), sha256=read_sha(data))
        except RuleSetError as err:
            session.rollback()
            abort(422, errors={"text": line_errors(data["text"], err)})
        except LifecycleError as err:
            refuse(err)
        session.commit()
        return view(row, text=True)


def _step_view(action: str):
    @bp.arguments(StepReasonSchema, required=False)
    @bp.response(200, RuleSetSchema)
    @bp.alt_response(409, description="The version's state does not allow this step")
    def step(data, ruleset_pk):
        user = api_user()
        require(user, "ruleset.read")
        session = get_session()
        row = get_version(ruleset_pk)
        try:
            transition(session, session.get(User, user.id), row, action,
                       (data or {}).get("reason", ""), sha256=read_sha(data or {}),
                       evidence=(data or {}).get("evidence"))
        except LifecycleError as err:
            refuse(err)
        session.commit()
        return view(row)

    step.__name__ = f"step_{action}"
    step.__doc__ = f"{action.capitalize()}: {STEP_DOCS[action]}"
    return step


@bp.route("/<int:ruleset_pk>/backtest")
class Backtest(MethodView):
    """Replay this version against another over stored assessments (read only)."""

    @bp.arguments(BacktestArgsSchema)
    @bp.response(200, BacktestSchema)
    def post(self, args, ruleset_pk):
        """Backtest this version against `against` (default: live); analyst, admin."""
        user = api_user()
        require(user, "ruleset.draft")
        session = get_session()
        candidate = compiled(get_version(ruleset_pk))
        try:
            result = run_backtest(session, candidate, against=args["against"],
                                  since=args["since"], until=args["until"],
                                  office_code=args["office_code"], min_support=args["min_support"])
        except LifecycleError as err:
            refuse(err)
        stored = evidence.record(session, subject_kind="ruleset", sha256=candidate.sha256,
                                 kind="backtest", by=user.username,
                                 summary=evidence.backtest_summary(result))
        session.commit()
        return {f.name: getattr(result, f.name) for f in fields(result)} | {
            "evidence_id": stored.id}


@bp.route("/<int:ruleset_pk>/shadow-summary")
class ShadowSummary(MethodView):
    """How a shadow version compares with the live results."""

    @bp.response(200, ShadowSummarySchema)
    def get(self, ruleset_pk):
        """Agreement, flips, per indicator and per office since the shadow started."""
        user = api_user()
        require(user, "ruleset.read")
        session = get_session()
        row = get_version(ruleset_pk)
        summary = shadow_summary(session, row)
        stored = None
        if summary.rows:
            stored = evidence.record(session, subject_kind="ruleset", sha256=row.sha256,
                                     kind="shadow", by=user.username,
                                     summary=evidence.shadow_headline(summary))
            session.commit()
        return {f.name: getattr(summary, f.name) for f in fields(summary)} | {
            "evidence_id": stored.id if stored else None}


for _action in ACTIONS:
    bp.route(f"/<int:ruleset_pk>/{_action}", methods=["POST"])(_step_view(_action))
