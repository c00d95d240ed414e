"""Liveness and readiness probes (public, no personal data)."""

from __future__ import annotations

from flask import current_app
from flask.views import MethodView
from flask_smorest import Blueprint
from sqlalchemy import text

from ews.interviews.advice import serving
from ews.lifecycle.compiled import TextMismatch, active_compiled
from ews.webdb import get_session

from .errors import problem, retry_after, ruleset_changed
from .schemas import HealthSchema

bp = Blueprint("health", __name__, description="Probes for load balancers")


@bp.route("/healthz")
class Health(MethodView):
    @bp.response(200, HealthSchema)
    def get(self):
        """Answer while the process runs."""
        return {"status": "ok", "checks": {}}


@bp.route("/readyz")
class Ready(MethodView):
    @bp.response(200, HealthSchema)
    @bp.alt_response(503, description="Not ready: the database does not answer or does not "
                                      "accept writes, or no rule set is active")
    def get(self):
        """Check that the database answers and accepts a write, the rule set and the model.

        A model that is refused does not make the service unready: it scores with the rules
        alone, and `checks.model` says `unavailable` (its version when it serves, `none`
        when none is active; absent when the rule set's model mode is off).
        """
        session = get_session()
        try:
            session.execute(text("SELECT 1"))
        except Exception:  # noqa: BLE001 - any database failure means "not ready"
            session.rollback()
            return problem(503, "The database does not answer.", headers=retry_after())
        try:
            # A write that matches no row, rolled back: it still needs the write lock and a
            # writable file (SQLite) or a read-write transaction (PostgreSQL), so a locked,
            # read-only or failing database shows here, not only when an officer submits.
            session.execute(text("UPDATE audit_head SET seq = seq WHERE id = -1"))
            session.rollback()
        except Exception:  # noqa: BLE001 - any database failure means "not ready"
            session.rollback()
            return problem(503, "The database does not accept writes.", headers=retry_after())
        try:
            ruleset = active_compiled(session)  # parses it, so a broken stored text shows here
        except TextMismatch as err:
            return ruleset_changed(err, api=True)
        if ruleset is None:
            return problem(503, "No active rule set: run `ews init`.")
        checks = {"database": "ok", "ruleset": ruleset.sha256}
        if ruleset.model_mode != "off":
            checks["model"] = serving(session, current_app.config["MODEL_KEY"])
        return {"status": "ok", "checks": checks}
