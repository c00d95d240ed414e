"""Rule sets: list, the active one, upload a draft, activate (maker-checker)."""

from __future__ import annotations

from flask.views import MethodView
from flask_smorest import Blueprint, abort

from ews.auth.scope import require
from ews.engine import RuleSetError
from ews.store import get_session
from ews.store.db import as_utc
from ews.store.models import RuleSetRecord, User
from ews.store.rulesets import (
    MakerCheckerError,
    activate_ruleset,
    active_record,
    list_rulesets,
    register_ruleset,
)

from .auth import api_user, protect
from .jsonbody import load_body
from .schemas import RuleSetSchema, RuleSetTextSchema, RuleSetUploadSchema

MAX_ID = 2**31 - 1  # an INTEGER column: larger path values cannot exist (and would overflow)
bp = protect(Blueprint("rulesets", __name__, url_prefix="/api/v1/rulesets",
                       description="Rule sets and their activation"))


def _view(row: RuleSetRecord, text: bool = False) -> dict:
    session = get_session()

    def name(uid):
        return session.get(User, uid).username if uid is not None else None

    out = {"id": row.id, "sha256": row.sha256, "ruleset_id": row.ruleset_id,
           "version": row.version, "description": row.description, "status": row.status,
           "created_by": name(row.created_by), "created_at": as_utc(row.created_at),
           "activated_by": name(row.activated_by), "activated_at": as_utc(row.activated_at)}
    if text:
        out["text"] = row.text
    return out


@bp.route("")
class RuleSets(MethodView):
    """Every stored rule set."""

    @bp.response(200, RuleSetSchema(many=True))
    def get(self):
        """List rule sets, newest first."""
        require(api_user(), "ruleset.read")
        return [_view(r) for r in list_rulesets(get_session())]

    @bp.doc(requestBody={"required": True, "content": {
        "application/json": {"schema": RuleSetUploadSchema}}})
    @bp.response(201, RuleSetTextSchema)
    @bp.alt_response(422, description="Not a valid rule set: `errors.text` lists each problem")
    def post(self):
        """Store a new draft rule set after validating it completely (analyst, admin)."""
        user = api_user()
        require(user, "ruleset.draft")
        data = load_body(RuleSetUploadSchema())
        session = get_session()
        try:
            row = register_ruleset(session, data["text"], session.get(User, user.id),
                                   agencies=data.get("agencies_csv"))
        except RuleSetError as err:
            abort(422, errors={"text": err.errors})
        session.commit()
        return _view(row, text=True)


@bp.route("/active")
class ActiveRuleSet(MethodView):
    """The rule set that scores new interviews."""

    @bp.response(200, RuleSetTextSchema)
    def get(self):
        """Return the active rule set with its text."""
        require(api_user(), "ruleset.read")
        row = active_record(get_session())
        if row is None:
            abort(404, message="No active rule set.")
        return _view(row, text=True)


@bp.route("/<int:ruleset_pk>/activate")
class Activate(MethodView):
    """Maker-checker activation."""

    @bp.response(200, RuleSetSchema)
    def post(self, ruleset_pk):
        """Activate a rule set registered by someone else (admin)."""
        user = api_user()
        require(user, "ruleset.activate")
        session = get_session()
        row = session.get(RuleSetRecord, ruleset_pk) if 0 < ruleset_pk <= MAX_ID else None
        if row is None:
            abort(404, message="No such rule set.")
        try:
            activate_ruleset(session, row, session.get(User, user.id))
        except MakerCheckerError as err:
            abort(403, message=str(err))
        session.commit()
        return _view(row)
