"""Supervisor pages: the review queue with its KPI strip, the item detail, take, decide, outcome."""

from __future__ import annotations

import re

from flask import Blueprint, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required
from marshmallow import EXCLUDE, ValidationError

from ews.auth.scope import can, sees_free_text
from ews.checklist import FIELDS, stored_record
from ews.engine import LADDER, REVIEW_RUNG
from ews.review import cases, records, samples, service
from ews.review.history import person_history
from ews.review.kpi import office_kpis
from ews.review.schemas import case_args_schema, decision_schema, outcome_schema
from ews.review.sla import SLA
from ews.review.vocab import (
    EXTERNAL_KINDS,
    INTELLIGENCE_FIELDS,
    INTELLIGENCE_LABELS,
    ORIGINS,
    OUTCOMES,
)
from ews.store import model_registry
from ews.store.assessments import corrections_of, result_of
from ews.store.db import as_utc, utcnow
from ews.store.models import DECISIONS, Assessment, User
from ews.webdb import get_session

from . import i18n
from .form import form_sections
from .pages import error_page

bp = Blueprint("review", __name__, url_prefix="/review")
WAITING_DAYS = 30  # the "waiting for an outcome" shortcut: decided more than 30 days ago
DERIVED_SHOWN = ("is_minor", "work_in_view", "agency_licence", "manning_agency_licence",
                 "prior_supervisor_decision", "last_decided_by_supervisor",
                 "repeat_applications_30d", "phone_shared_30d")


@bp.get("")
@login_required
def queue():
    """List the office's open review items, highest rung first, then oldest."""
    db = get_session()
    try:
        items = service.review_queue(db, current_user)
    except service.ReviewError as err:
        return error_page(err)
    kpis = office_kpis(db, current_user.office_code, SLA.of_app(current_app).tz)
    return render_template("review/queue.html", items=items, kpis=kpis, now=utcnow())


@bp.get("/cases")
@login_required
def case_history():
    """List decided cases (filters in the query string), each linking to its outcome form."""
    db = get_session()
    errors: dict = {}
    try:
        args = case_args_schema(i18n.current_lang())().load(request.args, unknown=EXCLUDE)
    except ValidationError as err:
        errors, args = err.messages, dict(err.valid_data or {})
    page = args.pop("page", 1)
    per_page = args.pop("per_page", cases.PER_PAGE)
    flt = cases.CaseFilters(**args)
    try:
        items, total = cases.find_cases(db, current_user, flt, page, per_page,
                                        SLA.of_app(current_app).tz)
        officers = cases.case_officers(db, current_user)
    except service.ReviewError as err:
        return error_page(err)
    pages = max(1, -(-total // per_page))
    query = {k: v for k, v in request.args.items() if k != "page" and v}
    return render_template(
        "review/cases.html", items=items, total=total, page=page, pages=pages, query=query,
        flt=flt, errors=errors, officers=officers, decision_choices=DECISIONS,
        outcome_choices=OUTCOMES, waiting_default=WAITING_DAYS, ladder=LADDER,
        all_offices=current_user.role not in ("officer", "supervisor")), 422 if errors else 200


@bp.get("/samples")
@login_required
def follow_up_sample():
    """List the interviews drawn for the follow-up sample (`all=1`: outcomes recorded too)."""
    waiting = request.args.get("all") != "1"
    page = request.args.get("page", "1")
    page = int(page) if page.isascii() and page.isdigit() and 0 < int(page) < 10**6 else 1
    try:
        items, total = samples.follow_up_samples(get_session(), current_user, waiting=waiting,
                                                 page=page)
    except service.ReviewError as err:
        return error_page(err)
    return render_template("review/samples.html", items=items, total=total, page=page,
                           pages=max(1, -(-total // samples.PER_PAGE)), waiting=waiting,
                           outcome_choices=OUTCOMES,
                           all_offices=current_user.role not in ("officer", "supervisor"))


def _answers(row: Assessment) -> list[tuple[str, list[tuple[str, str, object]]]]:
    """Return the answers grouped by form section: (section, [(name, label, value)]).

    Every applicable question is listed, a question not asked with the value None; v1
    assessments are shown through the v1 mapping.
    """
    record = stored_record(row.answers, row.features, row.checklist_version)
    out = []
    for section in form_sections():
        rows = [(ff.name, i18n.tr(ff.field.label), record.get(ff.name))
                for ff in section.fields if ff.field.applies(record)]
        out.append((section.key, rows))
    derived = [(n, i18n.tr(FIELDS[n].label), record.get(n)) for n in DERIVED_SHOWN]
    out.append(("derived", derived))
    return out


def _detail(row: Assessment, status: int = 200, decision_errors: dict | None = None,
            outcome_errors: dict | None = None, values: dict | None = None):
    db = get_session()
    decisions = records.decisions_of(db, row, current_user)
    current = service.current_decision(db, row.id)
    holder = db.get(User, row.claimed_by) if row.claimed_by else None
    officer = db.get(User, row.officer_id)
    due = as_utc(row.due_at)
    correction = corrections_of(db, [row]).get(row.id)
    return render_template(
        "review/detail.html", correction=correction,
        reason_shown=correction is not None and sees_free_text(
            current_user, row.office_code, correction.corrected_by),
        row=row, a=result_of(row) | {"due_at": due},
        overdue=row.status == "awaiting_review" and due is not None and due < utcnow(),
        holder=holder.username if holder else None, officer=officer.username if officer else None,
        answers=_answers(row), history=person_history(db, row, current_user.office_code),
        decisions=decisions, outcomes=records.outcomes_of(db, row, current_user),
        can_decide=service.may_decide(current_user, row) and (
            not decisions or service.may_amend(current_user, row, current)),
        amends=current.id if current else None,
        can_take=row.status == "awaiting_review" and can(current_user, "review.claim",
                                                         row.office_code),
        can_record_outcome=service.may_record_outcome(current_user, row),
        decision_choices=DECISIONS, outcome_choices=OUTCOMES,
        intel_fields=INTELLIGENCE_FIELDS, intel_labels=INTELLIGENCE_LABELS,
        external_kinds=EXTERNAL_KINDS, origins=ORIGINS,
        decision_errors=decision_errors or {}, outcome_errors=outcome_errors or {},
        values=values or {}, review_rung=REVIEW_RUNG, back=_back_link(row),
        model_card=model_registry.card_summary(db, row.model_version)), status


def _back_link(row: Assessment) -> dict | None:
    """Return where this item was most likely found: the queue while open, else the history."""
    if row.status == "awaiting_review" and can(current_user, "review.queue", row.office_code):
        return {"url": url_for("review.queue"), "label": _("Review queue")}
    if cases.may_browse(current_user):
        return {"url": url_for("review.case_history"), "label": _("Case history")}
    return None


def _reviewer_row(assessment_id: str) -> Assessment:
    """Return the item for a supervisor of its office or an analyst; raise ReviewError."""
    row = service.get_assessment(get_session(), assessment_id, current_user)
    if not (can(current_user, "review.queue", row.office_code)
            or service.may_record_outcome(current_user, row)):
        raise service.Forbidden("supervisor_only", "only supervisors and analysts")
    return row


@bp.get("/<assessment_id>")
@login_required
def detail(assessment_id: str):
    """Show one item: result, reasons, answers, the person's history, decisions, outcomes."""
    try:
        return _detail(_reviewer_row(assessment_id))
    except service.ReviewError as err:
        return error_page(err)


@bp.post("/<assessment_id>/take")
@login_required
def take(assessment_id: str):
    """Take an item so that no other supervisor works on it (`takeover=1` to take it over)."""
    try:
        service.take(get_session(), assessment_id, current_user,
                     force=request.form.get("takeover") == "1")
    except service.ReviewError as err:
        return error_page(err)
    return redirect(url_for("review.detail", assessment_id=assessment_id), 303)


def record_decision(row: Assessment, form) -> None:
    """Record the form's decision, or amend the decision in force when `amends` is sent."""
    data = decision_schema(i18n.current_lang())().load(form, unknown=EXCLUDE)
    amends = form.get("amends")
    if not amends:
        service.decide(get_session(), row.id, current_user, data["decision"], data["reason"])
        return
    if not re.fullmatch(r"[0-9]{1,10}", amends):
        raise ValidationError({"decision": [_("Reload the page and try again.")]})
    service.amend(get_session(), row.id, current_user, int(amends), data["decision"],
                  data["reason"])


@bp.post("/<assessment_id>/decision")
@login_required
def decide(assessment_id: str):
    """Record the supervisor's decision (or amend it) with its reason; it leaves the queue."""
    try:
        row = _reviewer_row(assessment_id)
        if row.status == "decided" and not request.form.get("amends"):
            # The loser of a race (or a stale page): 409, with the decision in force shown.
            flash(_("A decision was already recorded; it is shown below."), "warning")
            return _detail(row, 409)
        record_decision(row, request.form)
    except ValidationError as err:
        return _detail(row, 422, decision_errors=err.messages, values=request.form)
    except service.ReviewError as err:
        return error_page(err)
    # The supervisor stays on the case: the decision in force and its amend form are there.
    flash(_("Decision recorded for %(app)s; the item has left the queue.",
            app=row.application_id), "success")
    return redirect(url_for("review.detail", assessment_id=assessment_id), 303)


@bp.post("/<assessment_id>/outcome")
@login_required
def outcome(assessment_id: str):
    """Record a later outcome label with optional intelligence fields."""
    db = get_session()
    try:
        row = _reviewer_row(assessment_id)
        data = outcome_schema(i18n.current_lang())().load(request.form, unknown=EXCLUDE)
        service.record_outcome(db, row.id, current_user, data)
    except ValidationError as err:
        return _detail(row, 422, outcome_errors=err.messages, values=request.form)
    except service.ReviewError as err:
        return error_page(err)
    flash(_("Outcome recorded."), "success")
    return redirect(url_for("review.detail", assessment_id=assessment_id), 303)
