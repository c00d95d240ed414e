"""User administration pages under /admin (admins only): list, add, change, tokens.

Thin views over `ews.admin.service`; a refused change (e.g. the last active admin) shows
the user's page again with the reason and the service's status (409). One-time passwords
are shown in the response to the action only, never stored or shown again.
"""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from ews.auth.scope import require
from ews.store import export_settings as settings
from ews.store.models import ApiToken, User
from ews.store.users import list_tokens
from ews.webdb import get_session

from . import service
from .forms import AddUserForm, RoleOfficeForm
from .service import AdminError

bp = Blueprint("admin", __name__, url_prefix="/admin")


@bp.before_request
@login_required
def _admins_only():
    require(current_user, "user.manage")


def _user_or_404(user_id: int) -> User:
    """Return the user with `user_id`; 404 when there is none."""
    user = get_session().get(User, user_id)
    if user is None:
        abort(404)
    return user


def _users_page(form: AddUserForm, status: int = 200):
    db = get_session()
    search = request.args.get("q", "")[:64]
    return render_template("admin/users.html", users=service.list_users(db, search),
                           search=search,
                           tokens=service.token_counts(db), creators=service.creators(db),
                           form=form), status


def _user_page(user: User, error: str | None = None, status: int = 200,
               confirm_disable: bool = False):
    form = RoleOfficeForm(data={"role": user.role, "office_code": user.office_code})
    return render_template("admin/user.html", user=user, form=form, error=error,
                           tokens=list_tokens(get_session(), user),
                           confirm_disable=confirm_disable), status


def _apply(user: User, change, done: str):
    """Run a service change and commit; on refusal, show the user's page with the reason."""
    db = get_session()
    try:
        change(db)
    except AdminError as err:
        db.rollback()
        return _user_page(user, str(err), err.status)
    db.commit()
    flash(done, "success")
    return redirect(url_for(".user", user_id=user.id))


@bp.get("/users")
def users():
    """List every user, with a form to add one."""
    return _users_page(AddUserForm())


@bp.post("/users")
def add_user():
    """Add a user with a one-time password and show it once."""
    form = AddUserForm()
    if not form.validate_on_submit():
        return _users_page(form, 400)
    db = get_session()
    try:
        user, password = service.add_user(db, form.username.data, form.role.data,
                                          form.office_code.data, actor=current_user.username)
    except AdminError as err:
        db.rollback()
        form.username.errors = [str(err)]
        return _users_page(form, err.status)
    db.commit()
    return render_template("admin/one_time.html", user=user, password=password, created=True)


@bp.get("/users/<int:user_id>")
def user(user_id: int):
    """Show one user: role and office, state, one-time password reset, tokens."""
    return _user_page(_user_or_404(user_id))


@bp.post("/users/<int:user_id>/active")
def set_active(user_id: int):
    """Disable or enable a user (form field active=0/1); disabling asks first (confirm=1)."""
    user = _user_or_404(user_id)
    active = request.form.get("active") == "1"
    if not active and user.active and request.form.get("confirm") != "1":
        return _user_page(user, confirm_disable=True)
    return _apply(user, lambda db: service.set_active(db, user, active,
                                                      actor=current_user.username),
                  _("User enabled.") if active else _("User disabled; their sessions ended."))


@bp.post("/users/<int:user_id>/role")
def change_role(user_id: int):
    """Change a user's role and office."""
    user = _user_or_404(user_id)
    form = RoleOfficeForm()
    if not form.validate_on_submit():
        errors = [str(e) for field in form for e in field.errors]
        return _user_page(user, " ".join(errors), 400)
    return _apply(user, lambda db: service.change_role_office(
        db, user, role=form.role.data, office_code=form.office_code.data,
        actor=current_user.username), _("Role and office saved; their sessions ended."))


@bp.post("/users/<int:user_id>/password")
def reset_password(user_id: int):
    """Give a user a one-time password and show it once."""
    user = _user_or_404(user_id)
    db = get_session()
    password = service.reset_password(db, user, actor=current_user.username)
    db.commit()
    return render_template("admin/one_time.html", user=user, password=password, created=False)


@bp.post("/tokens/<int:token_id>/revoke")
def revoke_token(token_id: int):
    """Revoke an API token."""
    row = get_session().get(ApiToken, token_id)
    if row is None:
        abort(404)
    user = _user_or_404(row.user_id)
    return _apply(user, lambda db: service.revoke(db, token_id, actor=current_user.username),
                  _("Token revoked."))


@bp.post("/exports")
def export_settings():
    """Turn officer pseudonyms in exports on or off (form field pseudonymise_officers=0/1)."""
    enabled = request.form.get("pseudonymise_officers") == "1"
    db = get_session()
    settings.put(db, "pseudonymise_officers", enabled, actor=current_user.username)
    db.commit()
    flash(_("Exports show officers as pseudonyms.") if enabled
          else _("Exports show officer usernames as they are."), "success")
    return redirect(url_for("reports.index"))


def init_app(app) -> None:
    """Register the administration pages on `app`."""
    app.register_blueprint(bp)
