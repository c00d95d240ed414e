"""Authentication of API requests: every resource blueprint calls `protect(blp)`."""

from __future__ import annotations

from flask import current_app, g, request
from flask_login import current_user
from flask_smorest import Blueprint, abort

from ews.auth.scope import Principal

from .jsonbody import PARSER

SAFE_METHODS = ("GET", "HEAD", "OPTIONS")


def api_user() -> Principal:
    """Return the authenticated caller (401 otherwise)."""
    # The user the request loaded (a bearer token's, by ews.auth), else Flask-Login's.
    user = g.get("_login_user") or current_user._get_current_object()
    if not user.is_authenticated:
        if "auth_problem" in g:
            abort(401, message=g.auth_problem)
        abort(401)
    return user


def _authenticate() -> None:
    user = api_user()
    if user.via == "session":
        if user.must_change_password:
            abort(403, message="Change your one-time password first (/password).")
        if request.method not in SAFE_METHODS and current_app.config.get("WTF_CSRF_ENABLED",
                                                                           True):
            # Cookies ride along on cross-site requests; a bearer token does not.
            current_app.extensions["csrf"].protect()  # the app's CSRFProtect (create_app)


def protect(blp: Blueprint) -> Blueprint:
    """Require a signed-in caller for every request to `blp` (CSRF for cookie writes).

    Its `@blp.arguments` read JSON bodies with the strict parser (set before they decorate).
    """
    blp.before_request(_authenticate)
    blp.ARGUMENTS_PARSER = PARSER
    return blp
