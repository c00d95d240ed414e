"""Officer pages: today's interviews, the interview form, the result and its decision."""

from __future__ import annotations

import datetime as dt
from urllib.parse import urlsplit

from flask import (
    Blueprint,
    abort,
    current_app,
    flash,
    jsonify,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask_babel import gettext as _
from flask_login import current_user, login_required
from marshmallow import ValidationError
from sqlalchemy import select

from ews import wilayah
from ews.auth.scope import can, sees_free_text
from ews.checklist import stored_record, validate_checklist
from ews.engine import REVIEW_RUNG
from ews.interviews import (
    AssessmentConflict,
    CorrectedMeanwhile,
    Correction,
    NoLiveRuleSet,
    UnknownOffice,
    submit_at_office,
)
from ews.interviews import correct as corrections
from ews.review import records, service
from ews.review.sla import SLA
from ews.store.applications import identity_of
from ews.store.assessments import corrections_of, result_of
from ews.store.db import as_utc, utcnow
from ews.store.models import DECISIONS, Assessment, User
from ews.webdb import get_db, get_session

from . import countries, drafts, i18n, intake, nav
from .check import review_page
from .completion import completion_of
from .form import (
    answers_for_display,
    form_is_minor,
    form_sections,
    form_value,
    initial_values,
    none_of,
    page_errors,
    payload_from_form,
)
from .pages import error_page, interviewers_only
from .review import record_decision

bp = Blueprint("web", __name__)
SUGGESTED = {0: "issued", 1: "additional_documents_requested"}
# The reason recorded by the one-tap rung-0 decision (records are kept in Indonesian).
STANDARD_REASON = "Tidak ada indikator risiko"
STANDARD_REASON_BELOW = "Indikator risiko di bawah ambang tinjauan"


def standard_reason(row: Assessment) -> str | None:
    """Return the standard reason of a one-tap "issued" decision, or None above rung 0."""
    if row.rung != 0:
        return None
    return STANDARD_REASON_BELOW if row.result.get("reasons") else STANDARD_REASON


class _UnknownRegistration:
    status = 404
    key = "no_registration"
    params: dict = {}


class _Refused:
    """A correction that may not be made (the key names the rule, see pages.MESSAGES)."""

    status = 403

    def __init__(self, key: str, status: int = 403) -> None:
        self.key, self.params, self.status = key, {}, status


def may_correct(row: Assessment) -> bool:
    """Return True when the signed-in user may correct `row` now (same day, own, undecided)."""
    return (row.officer_id == current_user.id
            and corrections.refusal(get_session(), row, current_user.id, utcnow()) is None)
@bp.get("/wilayah/<kecamatan>/desa.json")
@login_required
def desa_list(kecamatan: str):
    """Return the desa/kelurahan of a kecamatan (6 digits) for the form's picker."""
    if not (len(kecamatan) == 6 and kecamatan.isascii() and kecamatan.isdigit()):
        return jsonify({"kecamatan": kecamatan, "desa": []}), 404
    desa = wilayah.desa_of(kecamatan)
    return jsonify({"kecamatan": kecamatan, "desa": desa}), 200 if desa else 404


@bp.get("/")
@login_required
def home():
    """Start page: the day's interviews (officer: own; supervisor: the office's), else the
    first page of the role's work."""
    role = current_user.role
    if role == "intake":  # the front desk: register, and today's registrations
        return redirect(url_for("desk.page"), 303)
    if role not in ("officer", "supervisor"):
        start = nav.start_page(role)
        return redirect(start, 303) if start else render_template("web/start.html")
    tz = SLA.of_app(current_app).tz
    local = utcnow().astimezone(tz)
    start = local.replace(hour=0, minute=0, second=0, microsecond=0).astimezone(dt.UTC)
    office_day = role == "supervisor"
    conds = [Assessment.office_code == current_user.office_code, Assessment.created_at >= start,
             Assessment.superseded_by.is_(None)]
    if not office_day:
        conds.append(Assessment.officer_id == current_user.id)
    rows = get_session().execute(
        select(Assessment, User.username).join(User, User.id == Assessment.officer_id)
        .where(*conds).order_by(Assessment.created_at.desc())).all()
    decided = records.current_decisions(get_session(), [r.id for r, _ in rows])
    items = [{"id": r.id, "application_id": r.application_id, "created_at": as_utc(r.created_at),
              "rung": r.rung, "action": r.action, "action_label": r.result["recommended_action"]
              .get("label"), "score": r.score, "band": r.band, "status": r.status,
              "officer": officer, "version": r.version, "decision": decided.get(r.id),
              "correctable": not office_day and may_correct(r)} for r, officer in rows]
    return render_template("web/home.html", items=items, today=local.date(),
                           office_day=office_day)


def _render_form(values: dict, errors: dict, status: int = 200, existing=None,
                 registered=None, restored: bool = False, correcting: Assessment | None = None):
    return render_template("web/interview_form.html", sections=form_sections(), values=values,
                           errors=errors, office_code=current_user.office_code,
                           countries=countries.picker(i18n.current_lang()), existing=existing,
                           can_correct=existing is not None and may_correct(existing),
                           registered=registered, form_identity=intake.FORM_IDENTITY,
                           restored=restored, correcting=correcting), status


def _open_form(reg):
    """Show the form, filled from the officer's draft when one is kept (reload, new tab)."""
    draft = drafts.restore(reg.application_id if reg else None)
    if draft and reg is None and draft.values.get("intake_id"):
        reg = intake.registration(draft.values["intake_id"])  # None once it was interviewed
    values = intake.prefill(reg) if reg else initial_values()
    if draft:
        values |= {k: v for k, v in draft.values.items() if k != "intake_id"}
    if reg:
        values["application_id"] = reg.application_id
    return _render_form(values, {}, registered=reg, restored=draft is not None)


@bp.route("/interviews/new", methods=["GET", "POST"])
@login_required
@interviewers_only
def new_interview():
    """Show the checklist form (with the officer's draft); on POST validate and show the review
    step, and only a POST with `store` (the review's `data-store` button) stores and shows the
    result.

    `intake` (GET) or `intake_id` (POST) names a front-desk registration of the office: its
    application id, purpose and type are filled in and its identity is used, never retyped.
    A POST with `none_of=<section>` only fills that section's unanswered yes/no questions
    with "no" and shows the form again (the "none of these" tap without the page script).
    """
    reg = intake.registration(request.values.get("intake_id") or request.args.get("intake"))
    if request.method == "GET":
        return _open_form(reg)
    if request.form.get("intake_id") and reg is None:
        return error_page(_UnknownRegistration())
    fixed = {"application_id": reg.application_id} if reg else {}
    section = request.form.get("none_of")
    if section:
        minor = reg.is_minor if reg else form_is_minor(request.form, utcnow().date())
        return _render_form(none_of(section, request.form, minor) | fixed, {}, registered=reg)
    values = initial_values() | answers_for_display(request.form) | fixed
    payload = payload_from_form(request.form, current_user.office_code)
    if reg:
        payload = {k: v for k, v in payload.items() if k not in intake.FORM_IDENTITY} | fixed
    try:
        record = validate_checklist(payload, i18n.current_lang(), now=utcnow())
    except ValidationError as err:
        drafts.keep(request.form, fixed.get("application_id"))
        return _render_form(values, page_errors(err.messages, i18n.current_lang()), 422,
                            registered=reg)
    if not request.form.get("store"):
        drafts.keep(request.form, fixed.get("application_id"))
        minor = {"is_minor": reg.is_minor} if reg else {}
        return review_page(values, record | minor, reg)
    try:
        submission = submit_at_office(get_db(), record, user=current_user,
                                      pii_key=current_app.config["PII_KEY"],
                                      due_at=SLA.of_app(current_app).due_at,
                                      identity=identity_of(reg) if reg else None,
                                      model_key=current_app.config["MODEL_KEY"],
                                      sampler=current_app.extensions["ews_sampler"])
    except UnknownOffice:
        abort(422)
    except NoLiveRuleSet:
        abort(503)
    except AssessmentConflict as conflict:
        fields = ", ".join(i18n.field_label(f) for f in conflict.fields)
        message = _("This application number was already assessed with other answers "
                    "(%(fields)s). Open the stored assessment, or check the number.",
                    fields=fields)
        return _render_form(values, {"application_id": [message]}, 409, conflict.existing,
                            registered=reg)
    drafts.forget(record["application_id"])
    if not submission.created:
        flash(_("This application was already assessed: this is the stored result."), "warning")
    return redirect(url_for("web.result", assessment_id=submission.assessment.id), 303)


def _result_page(row: Assessment, errors: dict | None = None, values: dict | None = None,
                 status: int = 200):
    db = get_session()
    view = result_of(row) | {"due_at": as_utc(row.due_at)}
    decisions = records.decisions_of(db, row, current_user)
    current = service.current_decision(db, row.id)
    correction = corrections_of(db, [row]).get(row.id)
    return render_template(
        "web/result.html", a=view, decisions=decisions, completion=completion_of(row),
        can_decide=service.may_decide(current_user, row) and (
            current is None or service.may_amend(current_user, row, current)),
        amends=current.id if current else None, decision_choices=DECISIONS,
        decision_errors=errors or {}, decision_values=values or {},
        suggested_decision=None if decisions else SUGGESTED.get(row.rung),
        standard_reason=standard_reason(row), review_rung=REVIEW_RUNG,
        can_interview=can(current_user, "assessment.submit", current_user.office_code),
        can_correct=may_correct(row), version=row.version, correction=correction,
        reason_shown=correction is not None and sees_free_text(
            current_user, row.office_code, correction.corrected_by)), status


@bp.get("/assessments/<assessment_id>")
@login_required
def result(assessment_id: str):
    """Show the result of one assessment of the user's office."""
    try:
        row = service.get_assessment(get_session(), assessment_id, current_user)
    except service.ReviewError as err:
        return error_page(err)
    return _result_page(row)


def _stored_values(row: Assessment) -> dict[str, str]:
    """Return the form values of a stored interview (identity is not stored: not shown)."""
    record = stored_record(row.answers, row.features, row.checklist_version)
    fields = [ff for s in form_sections() for ff in s.fields
              if ff.name not in intake.FORM_IDENTITY and record.get(ff.name) is not None]
    lang = i18n.current_lang()  # countries by name, as the officer would type them
    return {ff.name: countries.name(record[ff.name], lang) if ff.widget == "country"
            else form_value(record[ff.name]) for ff in fields}


@bp.route("/assessments/<assessment_id>/correct", methods=["GET", "POST"])
@login_required
@interviewers_only
def correct(assessment_id: str):
    """Correct a stored interview the same day: the form filled with its answers, a reason,
    the review step, then a new version (re-scored, audited) that supersedes it.

    Only the officer who stored it, on the office's day, while nobody else has decided it.
    A POST from the new-interview form (a conflicting number) brings its typed answers.
    """
    db = get_session()
    try:
        row = service.get_assessment(db, assessment_id, current_user)
    except service.ReviewError as err:
        return error_page(err)
    refused = corrections.refusal(db, row, current_user.id, utcnow())
    if refused:
        return error_page(_Refused(refused))
    fixed = {"application_id": row.application_id}
    if request.method == "GET":
        return _render_form(_stored_values(row) | fixed, {}, correcting=row)
    form = request.form
    values = answers_for_display(form) | fixed | {"correction_reason": form.get(
        "correction_reason", "")}
    payload = {k: v for k, v in payload_from_form(form, row.office_code).items()
               if k not in intake.FORM_IDENTITY} | fixed
    errors: dict = {}
    try:
        record = validate_checklist(payload, i18n.current_lang(), now=utcnow())
    except ValidationError as err:
        errors = page_errors(err.messages, i18n.current_lang())
    reason = " ".join(form.get("correction_reason", "").split())
    if not reason or len(reason) > corrections.REASON_MAX:
        errors["correction_reason"] = [_("Say in a few words what was wrong (at most "
                                         "%(n)d characters).", n=corrections.REASON_MAX)]
    if errors:
        return _render_form(values, errors, 422, correcting=row)
    minor = {"is_minor": (row.features or {}).get("is_minor")}
    if not form.get("store"):
        return review_page(values, record | minor, correcting=row)
    try:
        submission = submit_at_office(get_db(), record, user=current_user,
                                      pii_key=current_app.config["PII_KEY"],
                                      due_at=SLA.of_app(current_app).due_at,
                                      identity=corrections.identity_of(row),
                                      model_key=current_app.config["MODEL_KEY"],
                                      sampler=current_app.extensions["ews_sampler"],
                                      correction=Correction(row, reason))
    except (CorrectedMeanwhile, AssessmentConflict):
        return error_page(_Refused("changed", 409))
    drafts.forget(row.application_id)
    if not submission.created:
        flash(_("The answers are the same as the stored ones: nothing was corrected."),
              "warning")
    else:
        flash(_("Correction stored as version %(n)d; the result was scored again.",
                n=submission.assessment.version), "success")
    return redirect(url_for("web.result", assessment_id=submission.assessment.id), 303)


@bp.post("/assessments/<assessment_id>/decision")
@login_required
def decide(assessment_id: str):
    """Record the officer's decision on a rung 0-1 result (supervisors: any rung)."""
    db = get_session()
    try:
        row = service.get_assessment(db, assessment_id, current_user)
        if row.status == "decided" and not request.form.get("amends"):
            flash(_("A decision was already recorded; it is shown below."), "warning")
            return redirect(url_for("web.result", assessment_id=row.id), 303)
        form = request.form
        if form.get("quick") == "issued" and standard_reason(row):
            form = {"decision": "issued", "reason": standard_reason(row)}
        record_decision(row, form)
    except ValidationError as err:
        return _result_page(row, err.messages, request.form, 422)
    except service.ReviewError as err:
        return error_page(err)
    flash(_("Decision recorded."), "success")
    return redirect(url_for("web.result", assessment_id=assessment_id), 303)


def _safe_next(target: str | None) -> str:
    parts = urlsplit(target or "")
    if not target or parts.scheme or parts.netloc or not target.startswith("/") \
            or target.startswith("//"):
        return url_for("web.home")
    return target


@bp.post("/language")
def set_language():
    """Switch the page language (id or en) and go back where the user was."""
    lang = request.form.get("lang")
    if lang in i18n.LANGUAGES:
        session["lang"] = lang
    return redirect(_safe_next(request.form.get("next")), 303)
