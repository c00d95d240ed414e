"""The front desk's page: register an application, see today's, correct one not yet used.

The same fields and checks as `POST /api/v1/applications` (`validate_intake`, then
`applications.register`); the office is the signed-in user's. A registration no interview
has used yet may be corrected (`applications.correct`, audited); identity is never kept in
clear, so a correction types NIK, name, date of birth and phone again.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping

from flask import Blueprint, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required
from marshmallow import ValidationError

from ews.auth.scope import can
from ews.checklist import FIELDS, INTAKE_FIELDS, validate_intake
from ews.review.sla import SLA
from ews.store.applications import (
    AlreadyInterviewed,
    IntakeConflict,
    correct,
    interviewed,
    listing,
    register,
    waiting_for,
)
from ews.store.db import as_utc, utcnow
from ews.webdb import get_session

from . import i18n
from .form import form_field, form_value, iso_date, page_errors
from .pages import error_page

bp = Blueprint("desk", __name__, url_prefix="/desk")
FIELDS_SHOWN = tuple(name for name in INTAKE_FIELDS if name != "office_code")
KEPT = ("application_id", "sex", "domicile_regency", "domicile_district", "domicile_village",
        "purpose", "application_type")  # what a registration keeps in clear
TODAY_SHOWN = 200


class _Refused:
    status = 403
    key = "not_allowed"
    params: dict = {}

    def __init__(self, key: str = "not_allowed", status: int = 403) -> None:
        self.key, self.status = key, status


def may_register() -> bool:
    """Return True when the signed-in user registers applications at their office."""
    return can(current_user, "application.register", current_user.office_code) \
        and current_user.office_code is not None


def payload_of(form: Mapping[str, str]) -> dict:
    """Return the intake payload of the desk's form (blank: not given; dates dd/mm/yyyy)."""
    out: dict = {"office_code": current_user.office_code}
    for name in FIELDS_SHOWN:
        value = (form.get(name) or "").strip()
        if value:
            out[name] = iso_date(value) if FIELDS[name].kind == "date" else value
    return out


def _today() -> list[dict]:
    tz = SLA.of_app(current_app).tz
    start = utcnow().astimezone(tz).replace(hour=0, minute=0, second=0, microsecond=0)
    rows = listing(get_session(), (current_user.office_code,), None, TODAY_SHOWN,
                   since=start.astimezone(dt.UTC))
    return [{"id": row.id, "application_id": row.application_id, "purpose": row.purpose,
             "registered_at": as_utc(row.registered_at), "assessed": assessed}
            for row, assessed in reversed(rows)]


def _page(values: dict, errors: dict, status: int = 200, correcting=None):
    return render_template("web/desk.html", fields=[form_field(FIELDS[n]) for n in FIELDS_SHOWN],
                           values=values, errors=errors, today=_today(),
                           correcting=correcting), status


def _store(form: Mapping[str, str], correcting=None):
    """Validate the form and register (or correct `correcting`); the page or a redirect."""
    values = {name: form.get(name, "") for name in FIELDS_SHOWN}
    try:
        record = validate_intake(payload_of(form), i18n.current_lang(), now=utcnow())
    except ValidationError as err:
        return _page(values, page_errors(err.messages, i18n.current_lang()), 422, correcting)
    session, key = get_session(), current_app.config["PII_KEY"]
    try:
        if correcting is None:
            (reg,) = register(session, [record], key=key, actor=current_user.username,
                              user_id=current_user.id)
            flash(_("Registered: %(app)s. It waits for its interview.",
                    app=reg.application.application_id) if reg.created else
                  _("Already registered with the same data: %(app)s.",
                    app=reg.application.application_id), "success")
        else:
            changed = correct(session, correcting, record, key=key,
                              actor=current_user.username, user_id=current_user.id)
            flash(_("Registration corrected: %(app)s.", app=record["application_id"])
                  if changed else _("Nothing was changed."), "success")
    except IntakeConflict:
        message = _("This application number is already registered with other data. "
                    "Correct that registration from today's list, or check the number.")
        return _page(values, {"application_id": [message]}, 409, correcting)
    except AlreadyInterviewed:
        return error_page(_Refused("desk_interviewed", 409))
    return redirect(url_for("desk.page"), 303)


@bp.route("", methods=["GET", "POST"])
@login_required
def page():
    """Register an application (POST); the form and today's registrations of the office."""
    if not may_register():
        return error_page(_Refused())
    if request.method == "POST":
        return _store(request.form)
    return _page({}, {})


@bp.route("/<intake_id>/correct", methods=["GET", "POST"])
@login_required
def correct_registration(intake_id: str):
    """Correct a registration of the office that no interview has used yet."""
    if not may_register():
        return error_page(_Refused())
    row = waiting_for(get_session(), intake_id, current_user.office_code)
    if row is None:
        return error_page(_Refused("no_registration", 404))
    if interviewed(get_session(), row):
        return error_page(_Refused("desk_interviewed", 409))
    if request.method == "POST":
        return _store(request.form, row)
    return _page({name: form_value(getattr(row, name)) for name in KEPT}, {}, correcting=row)
