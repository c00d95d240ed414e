"""Forms of the user administration pages (Flask-WTF: validation and CSRF in one place)."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import SelectField, StringField, ValidationError
from wtforms.validators import DataRequired

from ews.auth.scope import ROLES

from .names import office_problem, username_problem

REQUIRED = DataRequired(message=_l("This field is required."))
ROLE_CHOICES = list(ROLES)  # labels are translated in the template


def _check_username(_form, field) -> None:
    problem = username_problem(field.data or "")
    if problem:
        raise ValidationError(str(problem))


def _check_office(_form, field) -> None:
    field.data = (field.data or "").strip().upper()
    problem = office_problem(field.data)
    if problem:
        raise ValidationError(str(problem))


class RoleOfficeForm(FlaskForm):
    """A role and an office."""

    role = SelectField(_l("Role"), choices=ROLE_CHOICES, validators=[REQUIRED])
    office_code = StringField(_l("Office code"), validators=[REQUIRED, _check_office])


class AddUserForm(RoleOfficeForm):
    """A new user: name, role, office (the password is a one-time one, shown once)."""

    username = StringField(_l("Username"), validators=[REQUIRED, _check_username])
