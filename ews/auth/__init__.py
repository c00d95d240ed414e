"""Authentication: session login for the pages, bearer tokens for the API.

`init_app` wires Flask-Login: the session cookie names a user id and the user's session
generation, checked against the database on every request (bumping it ends every session of
the user: logout, password change, disabling, a role or office change). An
`Authorization: Bearer` header names a token, looked up by its SHA-256. Either way the
request sees a `Principal`. Failed logins are counted in the database and audited.
"""

from __future__ import annotations

from flask import Flask, g, redirect, request, url_for
from flask_login import LoginManager, current_user

from ews.store.db import as_utc, utcnow
from ews.store.models import User
from ews.store.users import user_for_token
from ews.webdb import get_db, get_session

from .scope import Principal, can, office_scope, principal, require, sees_pii
from .views import bp

__all__ = ["Principal", "bp", "can", "init_app", "office_scope", "principal", "require",
           "sees_pii"]
login_manager = LoginManager()


@login_manager.user_loader
def _load_user(session_id: str) -> Principal | None:
    if request.headers.get("Authorization"):
        return None  # an explicit credential wins over a cookie sent along with it
    user_id, _, generation = session_id.partition(":")
    if not (user_id.isdigit() and generation.isdigit()):
        return None  # a cookie from before session generations: sign in again
    user = get_session().get(User, int(user_id))
    if user is None or not user.active or user.session_generation != int(generation):
        return None
    return principal(user)


@login_manager.request_loader
def _load_from_header(req) -> Principal | None:
    scheme, _, token = req.headers.get("Authorization", "").partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        return None
    user = user_for_token(get_db(), token.strip())
    if user is None:
        return None
    expires = as_utc(user.expires_at)
    if expires <= utcnow():
        g.auth_problem = (f"This token expired on {expires:%Y-%m-%d}; "
                          "ask an admin for a new one (ews token create).")
        return None
    return principal(user, via="token")


def _bearer_user() -> None:
    """Load the caller of a bearer-token request before anything asks `current_user`.

    What Flask-Login would do (its request loader is `_load_from_header`), without opening
    the cookie session and checking its protection, which a token request has no use for.
    """
    if "_login_user" in g or not request.headers.get("Authorization", "")[:7].lower() \
            == "bearer ":
        return
    g._login_user = _load_from_header(request) or login_manager.anonymous_user()


def _force_password_change():
    """Send a user who still has a one-time password to the change form (pages only)."""
    if request.path.startswith("/api/") or request.endpoint == "static" \
            or request.blueprint in PASSWORD_FREE:
        return None  # checked before `current_user`: loading the user costs a query
    user = current_user._get_current_object()
    if user.is_authenticated and user.must_change_password and user.via == "session":
        return redirect(url_for("auth.password"))
    return None


PASSWORD_FREE = ("auth", "api_docs", "health")


def init_app(app: Flask) -> None:
    """Attach Flask-Login and the sign-in pages to `app`."""
    login_manager.login_view = "auth.login"
    login_manager.session_protection = "basic"
    login_manager.init_app(app)
    app.register_blueprint(bp)
    app.before_request(_bearer_user)
    app.before_request(_force_password_change)
