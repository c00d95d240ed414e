"""The review step of the interview form ("Periksa jawaban"): nothing is stored by accident.

Sending the form validates it and shows what would be stored - the sections with questions
still unanswered and the answers that raise indicators - with one button (`data-store`)
that stores. Scoring here is a preview from the answers alone (no history, nothing kept).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from flask import current_app, render_template
from flask_login import current_user

from ews.interviews import preview
from ews.lifecycle.compiled import active_compiled
from ews.store.db import utcnow
from ews.webdb import get_session

from .form import FormSection, form_sections
from .intake import FORM_IDENTITY


@dataclass(frozen=True)
class Unanswered:
    """A form section with applicable questions that have no answer."""

    section: FormSection
    names: tuple[str, ...]


def unanswered(record: Mapping, registered: bool) -> list[Unanswered]:
    """Return the sections whose applicable questions were left empty, in form order."""
    skip = set(FORM_IDENTITY) if registered else set()
    out = []
    for section in form_sections():
        names = tuple(ff.name for ff in section.fields
                      if ff.name not in skip and record.get(ff.name) is None
                      and ff.field.applies(record))
        if names:
            out.append(Unanswered(section, names))
    return out


def driving_reasons(record: dict) -> list[dict]:
    """Return the indicators the answers raise, strongest first (empty without rules)."""
    db = get_session()
    ruleset = active_compiled(db)
    if ruleset is None:  # storing will say so plainly
        return []
    result = preview(db, record, ruleset, pii_key=current_app.config["PII_KEY"], now=utcnow(),
                     model_key=current_app.config["MODEL_KEY"])
    return list(result["reasons"]) + list(result.get("protective_flags") or [])


def review_page(values: Mapping[str, str], record: dict, registered=None, correcting=None):
    """Render "Periksa jawaban" for validated answers: the form's values travel hidden.

    `correcting` is the stored assessment a same-day correction replaces (its form posts
    to the correction page)."""
    hidden = dict(values)
    if registered is not None:
        hidden["intake_id"] = registered.id
    return render_template("web/interview_review.html", hidden=hidden,
                           application_id=record.get("application_id"),
                           unanswered=unanswered(record, bool(registered or correcting)),
                           reasons=driving_reasons(record), registered=registered,
                           office_code=current_user.office_code, correcting=correcting)
