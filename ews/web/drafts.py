"""Drafts of the interview form: saved as the officer types, brought back on the next visit.

`POST /interviews/draft` (the page script, debounced, and a beacon when the page goes away)
keeps the form's answers on the server for the signed-in officer; opening the form again -
reload, Back/Forward, a new tab, signing in after an expired session - fills them back in.
Storing the interview deletes the draft. Nothing here is on the submission path.
"""

from __future__ import annotations

from collections.abc import Mapping

from flask import Blueprint, current_app, jsonify, redirect, request, url_for
from flask_login import current_user, login_required

from ews.store.db import utcnow
from ews.store.drafts import Draft, DraftBox, DraftTooLarge
from ews.webdb import get_session

from .form import form_sections
from .pages import interviewers_only

bp = Blueprint("drafts", __name__)
# What a draft keeps: the form's inputs and the front-desk registration it was opened from.
KEPT = frozenset({ff.name for s in form_sections() for ff in s.fields} | {"intake_id"})
MAX_VALUE_CHARS = 2000


def box() -> DraftBox:
    """Return the app's draft box (keys derived once from SECRET_KEY)."""
    found = current_app.extensions.get("ews_drafts")
    if found is None:
        found = current_app.extensions["ews_drafts"] = DraftBox(current_app.config["SECRET_KEY"])
    return found


def draft_values(form: Mapping[str, str]) -> dict[str, str]:
    """Return the form values a draft keeps: known inputs only, empty ones left out."""
    return {k: str(v)[:MAX_VALUE_CHARS] for k, v in form.items() if k in KEPT and v != ""}


def keep(form: Mapping[str, str], application_id: str | None = None) -> None:
    """Save `form` as the signed-in officer's draft (also called by the review step)."""
    values = draft_values(form)
    box().save(get_session(), user_id=current_user.id, office_code=current_user.office_code,
               application_id=(application_id or values.get("application_id", "")).strip(),
               values=values, now=utcnow(), replaces=form.get("draft_previous", "").strip())


def restore(application_id: str | None) -> Draft | None:
    """Return the officer's draft of `application_id` (None: the latest), if any is fresh."""
    return box().find(get_session(), user_id=current_user.id,
                      office_code=current_user.office_code, now=utcnow(),
                      application_id=application_id)


def forget(application_id: str) -> None:
    """Delete the officer's draft of `application_id`: the interview is stored."""
    box().forget(get_session(), user_id=current_user.id, application_id=application_id)


@bp.post("/interviews/draft")
@login_required
@interviewers_only
def save():
    """Keep the open interview's answers as the officer's draft (the page script calls this)."""
    try:
        keep(request.form)
    except DraftTooLarge as err:
        return jsonify(errors={"draft": [str(err)]}), 413
    return "", 204


@bp.post("/interviews/draft/discard")
@login_required
@interviewers_only
def discard():
    """Drop the restored draft and open an empty form ("Start again")."""
    forget(request.form.get("draft_of", "").strip())
    return redirect(url_for("web.new_interview"), 303)
