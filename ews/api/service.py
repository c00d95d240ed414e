"""The service functions behind the API (and the pages): score, submit, read.

Views stay thin: they parse, call one function here, and serialise the answer.
"""

from __future__ import annotations

from flask import current_app, request
from flask_smorest import abort
from marshmallow import ValidationError
from sqlalchemy.orm import Session

from ews.auth.scope import Principal, sees_pii
from ews.checklist import validate_checklist, with_agencies
from ews.engine import RuleSet
from ews.outcomes.sample import Sampler
from ews.review.sla import SLA
from ews.scoring import score, unstored_result
from ews.store import get_db, get_session, pii
from ews.store.assessments import (
    Submission,
    history_features,
    model_probability,
    result_of,
    submit,
)
from ews.store.db import as_utc, utcnow
from ews.store.models import Assessment, User
from ews.store.rulesets import active_compiled, active_for_office

LANGS = ("en", "id")


def request_lang() -> str:
    """Return the language of validation messages: English unless Accept-Language asks 'id'."""
    return request.accept_languages.best_match(LANGS, default="en") or "en"


def checklist_from_request() -> dict:
    """Parse and validate the JSON body as a checklist; abort 400/415/422 otherwise."""
    payload = request.get_json()  # 415 when not JSON, 400 when malformed
    try:
        return validate_checklist(payload, lang=request_lang())
    except ValidationError as err:
        abort(422, errors=err.messages)
    raise AssertionError("unreachable")


def active_ruleset(session: Session) -> RuleSet:
    """Return the active rule set (parsed); 503 when there is none."""
    return _required(active_compiled(session))


def _required(ruleset: RuleSet | None) -> RuleSet:
    if ruleset is None:
        abort(503, message="No active rule set: run `ews init`.")
    return ruleset


def submit_record(record: dict, user: Principal, identity: dict | None = None) -> Submission:
    """Score and store a validated record once (the one write path of pages and API).

    `identity` comes from a front-desk registration (the form then carries none).
    """
    session = get_db()  # a connection by API: no ORM session needed
    known, ruleset, shadow = active_for_office(session, record["office_code"])
    if not known:
        abort(422, errors={"office_code": ["Unknown office."]})
    return submit(session, record, user=user, ruleset=_required(ruleset),
                  pii_key=current_app.config["PII_KEY"], due_at=SLA.of_app(current_app).due_at,
                  follow_up=bool(record.get("follow_up")), identity=identity, shadow=shadow,
                  sampler=sampler_of_app())


def sampler_of_app() -> Sampler:
    """Return the app's follow-up sampler (key and shares, built once per app)."""
    extensions = current_app.extensions
    if "ews_sampler" not in extensions:
        extensions["ews_sampler"] = Sampler.of_config(current_app.config)
    return extensions["ews_sampler"]


def score_record(record: dict) -> dict:
    """Score a validated record without storing it (history features read from the log)."""
    session = get_session()
    ruleset = active_ruleset(session)
    key = current_app.config["PII_KEY"]
    record = with_agencies(dict(record), ruleset.agencies) | history_features(
        session, pii.nik_hash(key, record["nik"]), pii.phone_hash(key, record["phone"]),
        utcnow(), record["office_code"], record["application_id"])
    probability, version = model_probability(session, ruleset, record)
    return unstored_result(record, score(record, ruleset, probability, version))


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
            "answers": row.answers, "features": row.features, "person": person}
