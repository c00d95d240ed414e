"""Sign-in pages: /login, /logout and the password change that follows a one-time password."""

from __future__ import annotations

from urllib.parse import urlsplit

from flask import (
    Blueprint,
    abort,
    current_app,
    flash,
    g,
    make_response,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask_babel import gettext as _
from flask_login import current_user, login_required, login_user, logout_user

from ews import audit
from ews.store.models import User
from ews.store.users import end_sessions, user_by_name
from ews.webdb import get_session

from . import devices, ratelimit
from .forms import LoginForm, PasswordForm
from .passwords import check_password, hash_password, password_problem
from .scope import principal

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


def _renew_session() -> None:
    """Start a new session at sign-in: nothing from before it survives but the language.

    A CSRF token (or any value) planted in the session before sign-in is dropped, so the
    signed-in session gets a new one.
    """
    lang = session.get("lang")
    session.clear()
    if lang:
        session["lang"] = lang
    field = current_app.config.get("WTF_CSRF_FIELD_NAME", "csrf_token")
    g.pop(field, None)  # flask-wtf's token of this request, signed from the old session's


@bp.route("/login", methods=["GET", "POST"])
def login():
    """Show the sign-in form; sign in on valid credentials."""
    form = LoginForm()
    if not form.validate_on_submit():
        return render_template("auth/login.html", form=form), 400 if form.errors else 200
    db, cfg = get_session(), current_app.config
    username, addr = form.username.data.strip(), request.remote_addr or "-"
    limits = ratelimit.Limits.of(cfg)
    name = ratelimit.name_hash(cfg["PII_KEY"], username)
    device = devices.device_for(request, name)
    user = user_by_name(db, username)
    # The permanent audit trail names only real accounts: a mistyped username may be a NIK.
    actor = user.username if user else UNKNOWN_ACTOR
    verdict = ratelimit.check(db, cfg["PII_KEY"], name, addr, device, limits)
    if verdict.wait:
        if ratelimit.count_throttled(db, verdict.key, limits):  # first of its window only
            audit.record(db, "login.throttled", actor=actor,
                         data={"addr": addr, "scope": verdict.scope})
        db.commit()
        flash(_("Too many failed attempts. Try again in %(seconds)d seconds.",
                seconds=verdict.wait), "error")
        resp = make_response(render_template("auth/login.html", form=form), 429)
        resp.headers["Retry-After"] = str(verdict.wait)
        return resp
    ok = check_password(user.password_hash if user else None, form.password.data)
    if not ok or not user.active:
        ratelimit.record_failure(db, name, addr, device)
        audit.record(db, "login.failure", actor=actor,
                     data={"addr": addr} | ({"disabled": True} if ok else {}))
        db.commit()
        # Only someone who knows the password learns that the account exists and is disabled.
        flash(_("This account is disabled. Ask the administrator to enable it.") if ok
              else _("Wrong username or password."), "error")
        return render_template("auth/login.html", form=form), 401
    ratelimit.clear_failures(db, name, addr, device, limits)
    audit.record(db, "login.success", actor=username, office_code=user.office_code,
                 data={"addr": addr})
    db.commit()
    _renew_session()
    login_user(principal(user))
    target = (url_for("auth.password") if user.must_change_password
              else _safe_next(request.args.get("next")))
    resp = redirect(target)
    devices.remember(request, resp, name)
    return resp


@bp.route("/logout", methods=["POST"])
def logout():
    """Sign out: end every session of this user, on this device and on any other."""
    if current_user.is_authenticated and current_user.via == "session":
        db = get_session()
        end_sessions(db, current_user.id)
        audit.record(db, "logout", actor=current_user.username,
                     office_code=current_user.office_code)
        db.commit()
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
    problem = password_problem(form.new.data, username=user.username,
                               previous_hash=user.password_hash)
    if problem:
        form.new.errors = [str(problem)]
        return render_template("auth/password.html", form=form), 400
    user.password_hash, user.must_change_password = hash_password(form.new.data), False
    audit.record(db, "user.password_changed", actor=user.username,
                 office_code=user.office_code, subject=user.username)
    end_sessions(db, user.id)  # a copied cookie dies; this session is renewed below
    db.commit()
    _renew_session()
    login_user(principal(user))
    flash(_("Password changed."), "success")
    return redirect(_home())
