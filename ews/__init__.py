"""EWS: early warning for TPPO and non-procedural migrant-work risk at the passport interview.

`create_app` is the only way to build the web application (flaskr style); `wsgi.py` calls
it for gunicorn.
"""

from __future__ import annotations

from flask import Flask
from flask.sessions import SecureCookieSessionInterface
from flask_wtf.csrf import CSRFProtect

from .config import load_config

csrf = CSRFProtect()
# Base settings under test_config: never the process environment, never a file in instance/.
TEST_ENV = {"EWS_ENV": "development", "EWS_SECRET_KEY": "test-secret-key-not-for-use",
            "EWS_PII_KEY": "test-pii-key-not-for-use", "EWS_DATABASE_URL": "sqlite://"}


class _App(Flask):
    """Flask with two per-request costs paid once: found on every API call's profile."""

    def ensure_sync(self, func):
        """Flask asks for every hook and view on every request; the answer does not change."""
        cache = self.__dict__.setdefault("_ensure_sync", {})
        sync = cache.get(func)
        if sync is None:
            sync = cache[func] = super().ensure_sync(func)
        return sync


class _Sessions(SecureCookieSessionInterface):
    """The cookie session, without building a signing serializer when there is no cookie.

    API calls carry a bearer token and no cookie: their (empty) session needs no signature,
    and saving it, which Flask does by reading six cookie settings first, does nothing.
    """

    def open_session(self, app, request):
        """Return an empty session at once when the request has no session cookie."""
        if app.secret_key and self.get_cookie_name(app) not in request.cookies:
            return self.session_class()
        return super().open_session(app, request)

    def save_session(self, app, session, response):
        """For an empty, unchanged session, only what Flask does: no cookie, Vary if read."""
        if session or session.modified:
            super().save_session(app, session, response)
        elif session.accessed:
            response.vary.add("Cookie")


def create_app(test_config: dict | None = None) -> Flask:
    """Create and configure the application (configuration from EWS_* variables)."""
    app = _App(__name__, instance_relative_config=False)
    app.session_interface = _Sessions()
    app.config.update(load_config(None if test_config is None else TEST_ENV))
    if test_config:
        app.config.update(test_config)

    from . import api, auth, logs, security_headers, webdb
    from .outcomes.sample import Sampler

    # The random follow-up sample's key and shares, built once: every submission draws.
    app.extensions["ews_sampler"] = Sampler.of_config(app.config)

    if app.config.get("TRUSTED_PROXIES"):
        # Behind N reverse proxies: take the client address (login throttling) from them.
        from werkzeug.middleware.proxy_fix import ProxyFix

        hops = app.config["TRUSTED_PROXIES"]
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=hops, x_proto=hops)

    logs.init_app(app)
    security_headers.init_app(app)
    webdb.init_app(app)
    csrf.init_app(app)
    auth.init_app(app)
    api.init_app(app, csrf)
    from ews import web  # the pages build on the API's service functions

    web.init_app(app)
    from ews.admin import views as admin_views

    admin_views.init_app(app)
    if app.config.get("FIELD"):
        app.before_request(_closed_field_reads_only)
    return app


def _closed_field_reads_only():
    """On a field instance that `ews field close` closed, refuse every write but sign-in/out."""
    from flask import abort, request
    from flask_babel import gettext

    from .store.fieldkits import own_kit
    from .webdb import get_session

    if request.method in ("GET", "HEAD", "OPTIONS") or request.endpoint in ("auth.login",
                                                                            "auth.logout"):
        return
    kit = own_kit(get_session())
    if kit is not None and kit[1] is not None:
        abort(403, description=gettext("This field instance (kit %(kit)s) is closed and "
                                       "read-only: import its bundle at the office.",
                                       kit=kit[0]))
