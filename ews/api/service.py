"""The service functions behind the API: parse the request, call `ews.interviews`, read.

Views stay thin: they parse, call one function here, and serialise the answer. Domain
errors become HTTP answers here (`abort`); the domain lives in `ews.interviews`.
"""

from __future__ import annotations

from flask import current_app, request
from flask_smorest import abort
from marshmallow import ValidationError
from sqlalchemy.orm import Session

from ews.auth.scope import Principal, sees_pii
from ews.checklist import validate_checklist
from ews.engine import RuleSet
from ews.interviews import NoLiveRuleSet, Submission, UnknownOffice, preview, submit_at_office
from ews.lifecycle.compiled import active_compiled
from ews.review.sla import SLA
from ews.store.assessments import result_of
from ews.store.db import as_utc, utcnow
from ews.store.models import Assessment, User
from ews.webdb import get_db, get_session

LANGS = ("en", "id")


def request_lang() -> str:
    """Return the language of validation messages: English unless Accept-Language asks 'id'."""
    return request.accept_languages.best_match(LANGS, default="en") or "en"


def checklist_from_request() -> dict:
    """Parse and validate the JSON body as a checklist; abort 400/415/422 otherwise."""
    payload = request.get_json()  # 415 when not JSON, 400 when malformed
    try:
        return validate_checklist(payload, lang=request_lang(), now=utcnow())
    except ValidationError as err:
        abort(422, errors=err.messages)
    raise AssertionError("unreachable")


def active_ruleset(session: Session) -> RuleSet:
    """Return the active rule set (parsed); 503 when there is none."""
    ruleset = active_compiled(session)
    if ruleset is None:
        abort(503, message="No active rule set: run `ews init`.")
    return ruleset


def submit_record(record: dict, user: Principal) -> Submission:
    """Score and store a validated record once; 422 for an unknown office, 503 without rules."""
    try:  # a connection: no ORM session needed on this path
        return submit_at_office(get_db(), record, user=user,
                                pii_key=current_app.config["PII_KEY"],
                                due_at=SLA.of_app(current_app).due_at,
                                model_key=current_app.config["MODEL_KEY"],
                                sampler=current_app.extensions["ews_sampler"])
    except UnknownOffice:
        abort(422, errors={"office_code": ["Unknown office."]})
    except NoLiveRuleSet as err:
        abort(503, message=str(err))
    raise AssertionError("unreachable")



def score_record(record: dict) -> dict:
    """Score a validated record without storing it (history features read from the log)."""
    session = get_session()
    return preview(session, record, active_ruleset(session),
                   pii_key=current_app.config["PII_KEY"], now=utcnow(),
                   model_key=current_app.config["MODEL_KEY"])


def _username(session: Session, user_id: int | None) -> str | None:
    if user_id is None:
        return None
    user = session.get(User, user_id)
    return user.username if user else None


def assessment_view(row: Assessment, user: Principal) -> dict:
    """Return the detail view of an assessment as `user` may see it."""
    session = get_session()
    person = ({"nik_hash": row.nik_hash, "phone_hash": row.phone_hash}
              if sees_pii(user, row.office_code) else None)
    return {"id": row.id, "application_id": row.application_id,
            "office_code": row.office_code, "status": row.status,
            "officer": _username(session, row.officer_id),
            "interviewed_at": as_utc(row.interviewed_at), "created_at": as_utc(row.created_at),
            "due_at": as_utc(row.due_at),
            "claimed_by": _username(session, row.claimed_by),
            "ruleset_sha256": row.ruleset_sha256, "result": result_of(row),
            "answers": row.answers, "features": row.features, "person": person,
            "version": row.version, "supersedes_id": row.supersedes_id,
            "superseded_by": row.superseded_by}
