"""EWS: early warning for TPPO and non-procedural migrant-work risk at the passport interview.

`create_app` is the only way to build the web application (flaskr style); `wsgi.py` calls
it for gunicorn.
"""

from __future__ import annotations

from flask import Flask
from flask_wtf.csrf import CSRFProtect

from .config import load_config

csrf = CSRFProtect()
# Base settings under test_config: never the process environment, never a file in instance/.
TEST_ENV = {"EWS_ENV": "development", "EWS_SECRET_KEY": "test-secret-key-not-for-use",
            "EWS_PII_KEY": "test-pii-key-not-for-use", "EWS_DATABASE_URL": "sqlite://"}


def create_app(test_config: dict | None = None) -> Flask:
    """Create and configure the application (configuration from EWS_* variables)."""
    app = Flask(__name__, instance_relative_config=False)
    app.config.update(load_config(None if test_config is None else TEST_ENV))
    if test_config:
        app.config.update(test_config)

    from . import api, auth, logs, security_headers, store

    if app.config.get("TRUSTED_PROXIES"):
        # Behind N reverse proxies: take the client address (login throttling) from them.
        from werkzeug.middleware.proxy_fix import ProxyFix

        hops = app.config["TRUSTED_PROXIES"]
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=hops, x_proto=hops)

    logs.init_app(app)
    security_headers.init_app(app)
    store.init_app(app)
    csrf.init_app(app)
    auth.init_app(app)
    api.init_app(app, csrf)
    from ews import web  # the pages build on the API's service functions

    web.init_app(app)
    from ews.admin import views as admin_views

    admin_views.init_app(app)
    return app
