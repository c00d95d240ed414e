"""One error shape for the API: RFC 9457 problem details (`application/problem+json`).

Validation errors carry a per-field `errors` map. Messages come from schemas that never echo
the rejected value; nothing here adds one. Pages outside /api keep Werkzeug's HTML errors.
"""

from __future__ import annotations

import contextlib
import logging
import math
import traceback

from flask import Response, current_app, g, json, request
from flask_wtf.csrf import CSRFError
from sqlalchemy.exc import DBAPIError
from werkzeug.exceptions import BadRequest, HTTPException, InternalServerError

from ews.lifecycle.compiled import TextMismatch
from ews.logs import request_id
from ews.store.db import is_unavailable

PROBLEM = "application/problem+json"
log = logging.getLogger("ews.api")

DETAILS = {
    400: "The request is malformed (for a JSON body: not valid JSON).",
    401: "Sign in, or send a valid token in 'Authorization: Bearer <token>'.",
    404: "No such resource.",
    405: "This method is not allowed here.",
    413: "The request body is too large.",
    415: "Send the body as JSON with 'Content-Type: application/json'.",
    422: "The request failed validation; see 'errors'.",
    500: "Internal error. It was logged with the request id.",
    503: "The service is not ready.",
}


def is_api_request() -> bool:
    """Return True for requests under /api (they get problem+json, never HTML)."""
    return request.path == "/api" or request.path.startswith("/api/")


def problem(status: int, detail: str | None = None, errors: dict | None = None,
            headers: dict | None = None, **extra) -> Response:
    """Return a problem+json response."""
    phrase = _phrase(status)
    body = {"type": "about:blank", "title": phrase, "status": status,
            "detail": detail or DETAILS.get(status, phrase), "instance": request.path}
    if errors is not None:
        body["errors"] = errors
    body.update(extra)
    if rid := request_id():
        body["request_id"] = rid
    resp = Response(json.dumps(body), status=status, mimetype=PROBLEM)
    for key, value in (headers or {}).items():
        resp.headers[key] = value
    return resp


def _phrase(status: int) -> str:
    from http import HTTPStatus

    try:
        return HTTPStatus(status).phrase
    except ValueError:
        return "Error"


def _field_errors(data: dict) -> dict | None:
    """Flatten webargs' {location: {field: [msg]}} into {field: [msg]}."""
    errors = data.get("errors") or data.get("messages")
    if not isinstance(errors, dict):
        return None
    flat: dict = {}
    for key, value in errors.items():
        if key in ("json", "query", "view_args", "form", "headers") and isinstance(value, dict):
            flat.update(value)
        else:
            flat[key] = value
    return flat


def handle_http_exception(error: HTTPException):
    """Render an HTTP error as problem+json under /api; leave pages to Werkzeug."""
    if not is_api_request():
        return error
    if isinstance(error, CSRFError):
        return problem(403, "A session-cookie request that changes data needs the "
                            "X-CSRFToken header; integrations should use a bearer token.")
    status = error.code or 500
    data = getattr(error, "data", None) or {}
    headers = dict(data.get("headers") or {})
    if status == 401:
        headers.setdefault("WWW-Authenticate", 'Bearer realm="ews"')
    detail = data.get("message")
    if detail is None and status in (403, 409, 503) and error.description:
        detail = error.description
    if isinstance(error, BadRequest) and status == 400 and detail is None:
        # Werkzeug's generic text, or a description we wrote (never one quoting the input).
        custom = type(error) is BadRequest and error.description != BadRequest.description
        detail = error.description if custom else DETAILS[400]
    extra = {k: v for k, v in data.items() if k in ("conflicts", "assessment_id", "decision_id")}
    errors = _field_errors(data) if status == 422 else None
    return problem(status, detail, errors=errors, headers=headers, **extra)


# The pages register their 503 pages under these keys (`ews.web.init_app`): the API knows no page.
UNAVAILABLE_PAGE = "ews.unavailable_page"
RULESET_CHANGED_PAGE = "ews.ruleset_changed_page"
UNAVAILABLE = ("The database is busy or does not accept writes just now; nothing was stored. "
               "Retry after the time in Retry-After.")


def retry_after() -> dict:
    """Return the Retry-After header of a 503: the busy timeout, rounded up."""
    return {"Retry-After": str(max(1, math.ceil(current_app.config.get("DB_BUSY_TIMEOUT", 5))))}


def database_unavailable(error: Exception):
    """Answer 503 (problem+json, or the page) for a locked, read-only or failing database."""
    db = g.get("db_session") or g.get("db_conn")
    if db is not None:
        with contextlib.suppress(DBAPIError):  # a lost connection: nothing to roll back
            db.rollback()  # the page's user lookup needs a usable session
    cause = getattr(error, "orig", None)
    log.warning("database unavailable", extra={"cause": type(cause).__name__})
    page = current_app.extensions.get(UNAVAILABLE_PAGE)
    if is_api_request() or page is None:
        return problem(503, UNAVAILABLE, headers=retry_after())
    return page(retry_after())


RULESET_CHANGED = ("The rule set changed outside the lifecycle: its stored text no longer "
                   "matches its sha256. Nothing was scored or stored; tell the administrator "
                   "(`ews audit verify`).")


def ruleset_changed(error: TextMismatch, *, api: bool = False):
    """Answer 503 when a stored rule set's text does not hash to its sha256 (tampered).

    Logged as an error with the message of TextMismatch: row id and sha256 prefixes only.
    problem+json under /api or with `api` (the probes), the 503 page otherwise.
    """
    db = g.get("db_session") or g.get("db_conn")
    if db is not None:
        db.rollback()
    log.error("rule set changed outside the lifecycle", extra={"cause": str(error)})
    page = current_app.extensions.get(RULESET_CHANGED_PAGE)
    if api or is_api_request() or page is None:
        return problem(503, RULESET_CHANGED)
    return page()


def handle_unexpected(error: Exception):
    """Log an unexpected error (type and request id only) and answer 500 without details."""
    if isinstance(error, HTTPException):
        return handle_http_exception(error)
    if is_unavailable(error):
        return database_unavailable(error)
    if isinstance(error, TextMismatch):
        return ruleset_changed(error)
    # The message may quote SQL parameters or input: log where it happened, not what it says.
    cause = getattr(error, "orig", None)  # a DBAPI error under an SQLAlchemy one
    log.error("unhandled %s", type(error).__name__,
              extra={"cause": type(cause).__name__ if cause is not None else None,
                     "traceback": "".join(traceback.format_tb(error.__traceback__))})
    if is_api_request():
        return problem(500)
    return InternalServerError()
