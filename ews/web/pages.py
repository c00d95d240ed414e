"""Shared page helpers: role gates and the HTML error page."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps

from flask import render_template, session
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from flask_wtf.csrf import CSRFError
from werkzeug.exceptions import HTTPException

from ews.api.errors import handle_http_exception, is_api_request
from ews.auth.scope import can

MESSAGES = {
    "not_found": _l("This assessment does not exist."),
    "no_registration": _l("This registration does not exist at your office."),
    "other_office": _l("This assessment belongs to another office."),
    "supervisor_only": _l("Only supervisors can open this page."),
    "interviewers_only": _l("Your role does not record interviews."),
    "held_for_supervisor": _l("This application waits for a supervisor: action level 3 "
                              "and above is decided by a supervisor."),
    "not_allowed": _l("Your role or office does not allow this."),
    "taken": _l("Another supervisor (%(by)s) is handling this item."),
    "not_open": _l("This item is no longer open."),
    "changed": _l("The item changed meanwhile; reload the page."),
    "decided": _l("A decision is already recorded for this item. To change it, reload the "
                  "page and use the form to amend the decision, with a reason."),
    "amended": _l("The decision was changed meanwhile by someone else. Reload the page and "
                  "check the decision in force before amending it."),
    "not_decided": _l("There is no decision to amend yet."),
    "desk_interviewed": _l("An interview has used this registration: it can no longer be "
                           "corrected here. Ask a supervisor."),
    "not_author": _l("Only the officer who stored this interview may correct it."),
    "superseded": _l("This version was already corrected: open the latest version."),
    "not_today": _l("An interview can be corrected only on the day it was stored. Ask a "
                    "supervisor."),
    "decided_by_other": _l("A decision was recorded on this interview: only the supervisor "
                           "may amend it now."),
    "not_holder": _l("Only the author of the decision, the holder of the item or a supervisor "
                     "may amend it."),
}
KEY_TITLES = {"decided": _l("Already decided"), "amended": _l("Already decided")}
TITLES = {400: _l("Request refused"), 403: _l("Not allowed"), 404: _l("Not found"),
          405: _l("Not allowed"), 409: _l("Already taken"), 413: _l("Too large"),
          503: _l("Not ready")}
HTTP_MESSAGES = {
    400: _l("The page was open too long or was sent twice. Go back, reload the page and "
            "send it again; answers kept on this device can be restored."),
    404: _l("This page does not exist."),
    405: _l("This page cannot be used like that."),
    413: _l("What was sent is too large."),
    503: _l("The service is not ready (no active rule set). Tell the administrator; "
            "nothing was stored."),
}


def keyed_text(err, messages: dict, labels: dict | None = None) -> str:
    """Return the message of a keyed error (key, params) in the page's language.

    `messages` maps keys to lazy texts with %(name)s parameters; `labels` maps a parameter
    name to a function that says its value in the page's language. An unknown key: the
    error's own text.
    """
    text = messages.get(err.key)
    if text is None:
        return str(err)
    labels = labels or {}
    params = {k: str(labels[k](v)) if k in labels else (v or "?")
              for k, v in getattr(err, "params", {}).items()}
    return str(text) % params if params else str(text)


def error_page(err) -> tuple[str, int]:
    """Render a review error (or any object with key, params, status) as an HTML page."""
    message = keyed_text(err, MESSAGES)
    title = KEY_TITLES.get(err.key) or TITLES.get(err.status, _l("Error"))
    return render_template("error.html", title=title, message=message,
                           status=err.status), err.status


BAD_REQUEST = _l("The request could not be read (for example a link with control "
                 "characters). Go back and try again; nothing was stored.")


DB_UNAVAILABLE = _l("The database is busy or cannot be written just now; nothing was stored. "
                    "Wait a moment and send it again.")


def unavailable_page(headers: dict):
    """Render the 503 page for a database that is locked, read-only or failing."""
    page = render_template("error.html", title=TITLES[503], message=DB_UNAVAILABLE, status=503)
    session.modified = False
    return page, 503, headers


RULESET_CHANGED = _l("The rule set in use was changed outside the review process, so nothing "
                     "was scored or stored. Tell the administrator.")


def ruleset_changed_page():
    """Render the 503 page for a live rule set whose text no longer matches its sha256."""
    page = render_template("error.html", title=TITLES[503], message=RULESET_CHANGED,
                           status=503)
    session.modified = False
    return page, 503


def http_error_page(error: HTTPException):
    """Render page errors (400, CSRF, 404, 405, 413) in the officer's language; /api: JSON."""
    if is_api_request():
        return handle_http_exception(error)
    status = error.code or 400
    message = HTTP_MESSAGES.get(status, error.description)
    if status == 400 and not isinstance(error, CSRFError):
        message = BAD_REQUEST
    page = render_template("error.html", title=TITLES.get(status, _l("Error")),
                           message=message, status=status)
    if status == 400:
        # The page's forms put a CSRF token in the session; refused input starts no session.
        session.modified = False
    return page, status


class _Denied:
    status = 403
    key = "interviewers_only"
    params: dict = {}


def interviewers_only(view: Callable) -> Callable:
    """Let only users who may submit interviews through (use after login_required)."""
    @wraps(view)
    def wrapper(*args, **kwargs):
        if not can(current_user, "assessment.submit", current_user.office_code):
            return error_page(_Denied())
        return view(*args, **kwargs)
    return wrapper
