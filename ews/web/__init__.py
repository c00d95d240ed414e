"""Officer and supervisor pages (server-rendered, Indonesian by default, English on request).

`init_app(app)` attaches the language machinery and registers the page blueprints: `web`
(home, interview form, result, language switch) and `review` (the supervisor queue).
"""

from __future__ import annotations

from flask import Flask, send_from_directory
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from flask_wtf.csrf import CSRFError

from ews import wilayah
from ews.api.errors import RULESET_CHANGED_PAGE, UNAVAILABLE_PAGE
from ews.auth import login_manager
from ews.auth.scope import can

from . import i18n, intake, nav, pages
from .views import bp

__all__ = ["bp", "init_app"]


def can_review() -> bool:
    """Return True when the signed-in user may open the review queue."""
    return bool(current_user.is_authenticated
                and can(current_user, "review.queue", current_user.office_code))


def init_app(app: Flask) -> None:
    """Register Babel, template helpers and the page blueprints on `app`."""
    from .desk import bp as desk_bp
    from .drafts import bp as drafts_bp
    from .reports import bp as reports_bp
    from .review import bp as review_bp
    from .rules import bp as rules_bp

    i18n.init_app(app)
    intake.init_app(app)
    app.jinja_env.globals["can_review"] = can_review
    app.jinja_env.globals["main_menu"] = nav.menu_for
    app.jinja_env.globals["desa_of"] = _desa_of
    # Shown on the sign-in page when a page needs a signed-in user: information, not success.
    login_manager.login_message = _l("Please sign in to open this page.")
    login_manager.login_message_category = "info"
    login_manager.localize_callback = str
    app.add_url_rule("/favicon.ico", "favicon", _favicon)
    app.register_blueprint(bp)
    app.register_blueprint(drafts_bp)
    app.register_blueprint(desk_bp)
    app.register_blueprint(review_bp)
    app.register_blueprint(rules_bp)
    app.register_blueprint(reports_bp)
    for error in (CSRFError, 400, 404, 405, 413, 503):
        app.register_error_handler(error, pages.http_error_page)
    app.extensions[UNAVAILABLE_PAGE] = pages.unavailable_page
    app.extensions[RULESET_CHANGED_PAGE] = pages.ruleset_changed_page


def _desa_of(nik: str) -> list[tuple[str, str]]:
    """Return the desa of a typed NIK's kecamatan for the form's picker (none yet: [])."""
    nik = (nik or "").strip()
    return wilayah.desa_of(nik[:6]) if len(nik) == 16 and nik.isdigit() else []


def _favicon():
    """Serve the icon browsers ask for at /favicon.ico (an SVG, like the page's <link>)."""
    from flask import current_app

    return send_from_directory(current_app.static_folder, "favicon.svg",
                               mimetype="image/svg+xml", max_age=86400)
