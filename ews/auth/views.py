"""Sign-in pages: /login, /logout and the password change that follows a one-time password."""

from __future__ import annotations

from urllib.parse import urlsplit

from flask import (
    Blueprint,
    abort,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_babel import gettext as _
from flask_login import current_user, login_required, login_user, logout_user

from ews import audit
from ews.store import get_session
from ews.store.models import User
from ews.store.users import user_by_name

from . import ratelimit
from .forms import LoginForm, PasswordForm
from .passwords import check_password, hash_password

bp = Blueprint("auth", __name__)


def _home() -> str:
    return url_for("web.home") if "web.home" in current_app.view_functions else "/"


def _safe_next(target: str | None) -> str:
    """Return `target` when it is a local path, else the home page (no open redirect)."""
    if target and target.startswith("/") and not target.startswith("//") \
            and not urlsplit(target).netloc:
        return target
    return _home()


UNKNOWN_ACTOR = "(unknown user)"


@bp.route("/login", methods=["GET", "POST"])
def login():
    """Show the sign-in form; sign in on valid credentials."""
    form = LoginForm()
    if not form.validate_on_submit():
        return render_template("auth/login.html", form=form), 400 if form.errors else 200
    db, cfg = get_session(), current_app.config
    username, addr = form.username.data.strip(), request.remote_addr or "-"
    user = user_by_name(db, username)
    # The permanent audit trail names only real accounts: a mistyped username may be a NIK.
    actor = user.username if user else UNKNOWN_ACTOR
    if ratelimit.locked_out(db, username, addr, cfg["LOGIN_MAX_FAILURES"],
                            cfg["LOGIN_WINDOW_SECONDS"]):
        audit.record(db, "login.throttled", actor=actor, data={"addr": addr})
        db.commit()
        flash(_("Too many failed attempts. Try again later."), "error")
        return render_template("auth/login.html", form=form), 429
    ok = check_password(user.password_hash if user else None, form.password.data)
    if not ok or not user.active:
        ratelimit.record_failure(db, username, addr)
        audit.record(db, "login.failure", actor=actor, data={"addr": addr})
        db.commit()
        flash(_("Wrong username or password."), "error")
        return render_template("auth/login.html", form=form), 401
    ratelimit.clear_failures(db, username, cfg["LOGIN_WINDOW_SECONDS"])
    audit.record(db, "login.success", actor=username, office_code=user.office_code,
                 data={"addr": addr})
    db.commit()
    from . import principal

    login_user(principal(user))
    if user.must_change_password:
        return redirect(url_for("auth.password"))
    return redirect(_safe_next(request.args.get("next")))


@bp.route("/logout", methods=["POST"])
def logout():
    """Sign out."""
    logout_user()
    return redirect(url_for("auth.login"))


@bp.route("/password", methods=["GET", "POST"])
@login_required
def password():
    """Change one's own password (forced after a one-time password)."""
    if current_user.via != "session":
        abort(403)
    form = PasswordForm()
    if not form.validate_on_submit():
        return render_template("auth/password.html", form=form), 400 if form.errors else 200
    db = get_session()
    user = db.get(User, current_user.id)
    if not check_password(user.password_hash, form.current.data):
        form.current.errors = [_("Wrong password.")]
        return render_template("auth/password.html", form=form), 400
    user.password_hash, user.must_change_password = hash_password(form.new.data), False
    audit.record(db, "user.password_changed", actor=user.username,
                 office_code=user.office_code, subject=user.username)
    db.commit()
    from . import principal

    login_user(principal(user))
    flash(_("Password changed."), "success")
    return redirect(_home())
