"""Officer and supervisor pages (server-rendered, Indonesian by default, English on request).

`init_app(app)` attaches the language machinery and registers the page blueprints: `web`
(home, interview form, result, language switch) and `review` (the supervisor queue).
"""

from __future__ import annotations

from flask import Flask
from flask_login import current_user
from flask_wtf.csrf import CSRFError

from ews.auth.scope import can

from . import i18n, intake, pages
from .views import bp

__all__ = ["bp", "init_app"]


def can_review() -> bool:
    """Return True when the signed-in user may open the review queue."""
    return bool(current_user.is_authenticated
                and can(current_user, "review.queue", current_user.office_code))


def init_app(app: Flask) -> None:
    """Register Babel, template helpers and the page blueprints on `app`."""
    from ews.review.views import bp as review_bp

    i18n.init_app(app)
    intake.init_app(app)
    app.jinja_env.globals["can_review"] = can_review
    app.register_blueprint(bp)
    app.register_blueprint(review_bp)
    for error in (CSRFError, 400, 404, 405, 413, 503):
        app.register_error_handler(error, pages.http_error_page)
