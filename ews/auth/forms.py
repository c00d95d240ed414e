"""Forms of the sign-in pages (Flask-WTF: validation and CSRF in one place)."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import PasswordField, StringField
from wtforms.validators import DataRequired, EqualTo, Length

from .passwords import MIN_LENGTH

# WTForms ships no Indonesian catalog: give every validator a message of our own.
REQUIRED = DataRequired(message=_l("This field is required."))


def _length(low: int = -1, high: int = -1) -> Length:
    if low > 0:
        return Length(min=low, max=high,
                      message=_l("Use at least %(min)d characters.", min=low))
    return Length(max=high, message=_l("Too long."))


class LoginForm(FlaskForm):
    """Username and password."""

    username = StringField(_l("Username"), validators=[REQUIRED, _length(high=64)])
    password = PasswordField(_l("Password"), validators=[REQUIRED, _length(high=1024)])


class PasswordForm(FlaskForm):
    """Change one's own password (required after a one-time password)."""

    current = PasswordField(_l("Current password"), validators=[REQUIRED])
    new = PasswordField(_l("New password"),
                        validators=[REQUIRED, _length(MIN_LENGTH, 1024)])
    confirm = PasswordField(_l("Repeat the new password"),
                            validators=[REQUIRED, EqualTo("new", message=_l(
                                "The two new passwords differ."))])
