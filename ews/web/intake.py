"""Front-desk registrations on the officer's pages: the waiting list and the pre-filled form."""

from __future__ import annotations

from flask_login import current_user

from ews.auth.scope import can
from ews.store import as_utc
from ews.store.applications import listing, waiting_for
from ews.store.models import Application
from ews.webdb import get_session

from .form import form_value

PREFILLED = ("application_id", "purpose", "application_type")
# Typed on the form only when there is no registration (identity is never retyped).
FORM_IDENTITY = ("nik", "full_name", "date_of_birth", "sex", "domicile_regency",
                 "domicile_district", "domicile_village", "phone")
WAITING_SHOWN = 100


def waiting_applications() -> list[dict]:
    """Return the signed-in user's office's registrations still waiting for an interview."""
    if not (current_user.is_authenticated
            and can(current_user, "application.read", current_user.office_code)):
        return []
    rows = listing(get_session(), (current_user.office_code,), "waiting", WAITING_SHOWN)
    return [{"id": row.id, "application_id": row.application_id, "purpose": row.purpose,
             "application_type": row.application_type,
             "registered_at": as_utc(row.registered_at)} for row, _ in rows]


def can_interview() -> bool:
    """Return True when the signed-in user records interviews (opens a waiting application)."""
    return bool(current_user.is_authenticated
                and can(current_user, "assessment.submit", current_user.office_code))


def registration(intake_id: str | None) -> Application | None:
    """Return the registration `intake_id` of the user's office that is still waiting, or None."""
    if not intake_id:
        return None
    return waiting_for(get_session(), intake_id, current_user.office_code)


def prefill(row: Application) -> dict[str, str]:
    """Return the form values a registration fills in."""
    return {name: form_value(getattr(row, name)) for name in PREFILLED
            if getattr(row, name) is not None}


def init_app(app) -> None:
    """Make the waiting list available to templates (the `_waiting.html` partial)."""
    app.jinja_env.globals["waiting_applications"] = waiting_applications
    app.jinja_env.globals["can_interview"] = can_interview
