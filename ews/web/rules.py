"""Analyst pages for rule sets: versions, draft editor, diff, backtest, review, shadow."""

from __future__ import annotations

import datetime as dt
import re
from functools import wraps

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user, login_required

from ews.auth.scope import can
from ews.engine import LADDER, RuleSetError
from ews.engine.ruleset import read_description
from ews.lifecycle import (
    TRANSITIONS,
    LifecycleError,
    create_draft,
    edit_draft,
    evidence,
    transition,
)
from ews.lifecycle.compiled import compiled
from ews.lifecycle.diff import semantic_diff, text_diff
from ews.lifecycle.lines import locate
from ews.lifecycle.run import run_backtest
from ews.lifecycle.shadow import shadow_summary
from ews.review.vocab import OUTCOMES
from ews.store.models import RuleSetRecord, User
from ews.store.rulesets import active_record, history, list_rulesets
from ews.webdb import get_session

from .i18n import ACTIONS, TRACKS, local_numbers
from .pages import error_page, keyed_text

bp = Blueprint("rules", __name__, url_prefix="/rules")


STEP_LABELS = {"submit": _l("Submit for review"), "withdraw": _l("Withdraw from review"),
               "approve": _l("Approve"), "reject": _l("Reject"),
               "shadow": _l("Start shadow"), "unshadow": _l("Stop shadow"),
               "activate": _l("Activate"), "rollback": _l("Roll back to this version"),
               "retire": _l("Retire")}
STATE_LABELS = {"draft": _l("draft"), "in_review": _l("in review"), "approved": _l("approved"),
                "shadow": _l("shadow"), "live": _l("live"), "retired": _l("retired")}


# Lifecycle refusals as the pages say them (the error's English message is for the CLI, API).
REFUSALS = {
    "lacks_right": _l("%(action)s: your role does not have this right."),
    "not_by_author": _l("%(action)s: this must be done by someone other than the author of "
                        "the version."),
    "author_only": _l("%(action)s: only the author of the version may do this."),
    "wrong_state": _l("%(action)s: not possible while the version is %(status)s."),
    "never_approved": _l("Roll back: this version was never approved; only an earlier "
                         "approved version can go live again."),
    "reason_required": _l("%(action)s: give a reason."),
    "not_independent": _l("Approve: your account was created by the author of this version, "
                          "or after the draft; an older account of another person must "
                          "approve."),
    "reason_invisible": _l("%(action)s: remove the invisible characters from the reason."),
    "version_taken": _l("This rule-set id and version are stored already with another text: "
                        "give the draft a new version."),
    "text_taken": _l("This exact text is stored already as another version."),
    "frozen": _l("The text is frozen from review on (this version is %(status)s): start a "
                 "new draft."),
    "shadow_taken": _l("Version %(version)s is in shadow already: take it out of shadow "
                       "first."),
    "concurrent": _l("Another change to the rule sets happened at the same time: reload and "
                     "try again."),
    "changed": _l("%(action)s: this version changed since you opened it. Reload the page, "
                  "check the text again and try again."),
    "evidence_required": _l("%(action)s: choose the stored backtest or shadow summary of "
                            "this text you approve on; run a backtest first if there is "
                            "none."),
    "evidence_mismatch": _l("%(action)s: evidence #%(evidence)s is not a backtest or shadow "
                            "summary of this text."),
    "not_approved_text": _l("%(action)s: the stored text of this version is not the text "
                            "that was approved. Refused."),
    "field_instance": _l("%(action)s: rule sets cannot be changed on a field instance; they "
                         "come from the office with the kit."),
    "unknown_version": _l("No rule-set version %(version)s to compare with."),
    "empty_window": _l("No stored interviews in %(window)s: nothing to replay. Widen the "
                       "window or drop the office."),
}
EXTRA_STEPS = {"draft": _l("Save draft"), "edit": _l("Edit draft")}
# The history's steps that are not lifecycle actions, and the reason the system gives.
HISTORY_STEPS = {"draft": _l("Draft created"), "edit": _l("Draft edited"),
                 "install": _l("Installed by the system"),
                 "replaced": _l("Replaced by another version")}
SYSTEM_REASONS = {"installed by the system": _l("installed by the system")}
# The semantic diff's sections, kinds of change and changed keys (ews.lifecycle.diff).
DIFF_WORDS = {
    "indicators": _l("Indicators"), "escalations": _l("Escalations"), "tracks": _l("Tracks"),
    "lists": _l("Lists"), "actions": _l("Actions"), "dimension_rule": _l("Dimension rule"),
    "model": _l("Model"), "ruleset": _l("Rule set"),
    "added": _l("added"), "removed": _l("removed"), "changed": _l("changed"),
    "points": _l("points"), "when": _l("condition"), "track": _l("track"),
    "severity": _l("severity"), "dimension": _l("dimension"), "protective": _l("protective"),
    "label": _l("label"), "source": _l("source"), "min_action": _l("minimum action"),
    "bands": _l("bands"), "values": _l("values"), "id": _l("id"), "version": _l("version"),
    "description": _l("description"),
}
# Backtest warnings (English in ews.lifecycle, for the CLI and the stored evidence) as the
# page says them: pattern -> message id re-assembled from the named parts.
WARNINGS = (
    (re.compile(r"(?P<n>\d+) stored rows could not be replayed \(see skipped\)"),
     _l("%(n)s stored rows could not be replayed (see Skipped)")),
    (re.compile(r"(?P<version>baseline|candidate): precision at (?P<action>\w+) or above "
                r"rests on (?P<n>\d+) labelled rows \(< (?P<min>\d+)\)"),
     _l("%(version)s: precision at %(action)s or above rests on %(n)s labelled rows "
        "(fewer than %(min)s)")),
    (re.compile(r"recall rests on (?P<n>\d+) confirmed cases \(< (?P<min>\d+)\)"),
     _l("recall rests on %(n)s confirmed cases (fewer than %(min)s)")),
    (re.compile(r"(?P<version>baseline|candidate) (?P<track>\w+): figures on fewer than "
                r"(?P<min>\d+) labels: .*"),
     _l("%(version)s, %(track)s: some figures rest on fewer than %(min)s labels")),
    (re.compile(r"(?P<version>baseline|candidate) (?P<track>\w+): a perfect figure at "
                r"(?P<action>\w+) rests on (?P<n>\d+) labels: .*"),
     _l("%(version)s, %(track)s: a perfect figure at %(action)s rests on %(n)s labels: read "
        "it as too few outcomes, not as a perfect rule set")),
    (re.compile(r"no random-sample labels among the (?P<n>[\d,]+) interviews decided "
                r"(?P<action>\w+): their (?P<k>[\d,]+) follow-up labels are assumed to "
                r"represent them \(recall may be too high\)"),
     _l("no random-sample outcomes among the %(n)s interviews decided %(action)s: their "
        "%(k)s follow-up outcomes are assumed to represent them (recall may be too high)")),
    (re.compile(r"no labels among the (?P<n>[\d,]+) interviews decided (?P<action>\w+): "
                r"their cases are missing from every estimate"),
     _l("no outcomes among the %(n)s interviews decided %(action)s: their cases are missing "
        "from every estimate")),
)
VERSIONS = {"baseline": _l("Baseline"), "candidate": _l("Candidate")}


def refusal(err: LifecycleError) -> str:
    """Return a lifecycle refusal in the page's language."""
    return keyed_text(err, REFUSALS, {
        "action": lambda a: STEP_LABELS.get(a) or EXTRA_STEPS.get(a, a),
        "status": lambda s: STATE_LABELS.get(s, s)})


@bp.app_context_processor
def _labels() -> dict:
    return {"step_label": lambda a: STEP_LABELS.get(a, a),
            "state_label": lambda s: STATE_LABELS.get(s, s),
            "history_step": lambda a: STEP_LABELS.get(a) or HISTORY_STEPS.get(a, a),
            "system_reason": lambda r: SYSTEM_REASONS.get(r, r),
            "diff_word": lambda w: DIFF_WORDS.get(w, w), "lifecycle_text": lifecycle_text}


def lifecycle_text(text: str) -> str:
    """Return a backtest warning in the page's language (unknown ones unchanged)."""
    for pattern, msgid in WARNINGS:
        match = pattern.fullmatch(text)
        if match:
            parts = match.groupdict()
            for key, words in (("version", VERSIONS), ("action", ACTIONS), ("track", TRACKS)):
                if key in parts:
                    parts[key] = words.get(parts[key], parts[key])
            return str(msgid) % {k: local_numbers(str(v)) for k, v in parts.items()}
    return text


class _Denied:
    status, key, params = 403, "not_allowed", {}
MAX_ID = 2**31 - 1


def analysts_only(view):
    """Let analysts and admins through (use after login_required); others get 403."""
    @wraps(view)
    def wrapper(*args, **kwargs):
        if not can(current_user, "ruleset.draft"):
            return error_page(_Denied())
        return view(*args, **kwargs)
    return wrapper


def _version(pk: int) -> RuleSetRecord:
    row = get_session().get(RuleSetRecord, pk) if 0 < pk <= MAX_ID else None
    if row is None:
        abort(404)
    return row


def _me() -> User:
    return get_session().get(User, current_user.id)


def _names() -> dict[int, str]:
    return {u.id: u.username for u in get_session().query(User)}


@bp.get("")
@login_required
@analysts_only
def index():
    """List every version with its state, newest first."""
    return render_template("rules/index.html", rows=list_rulesets(get_session()),
                           names=_names())


@bp.route("/new", methods=["GET", "POST"])
@login_required
@analysts_only
def new():
    """The draft editor for a new version (starts from the live text)."""
    live = active_record(get_session())
    text = request.form.get("text", "") if request.method == "POST" else (
        get_session().get(RuleSetRecord, live.id).text if live else "")
    if request.method == "GET":
        return render_template("rules/editor.html", text=text, errors=[], row=None)
    agencies = get_session().get(RuleSetRecord, live.id).agencies_csv if live else None
    try:  # the page edits the YAML only: the live version's P3MI list goes along
        row = create_draft(get_session(), _me(), text, agencies=agencies)
    except RuleSetError as err:
        get_session().rollback()
        return render_template("rules/editor.html", text=text, row=None,
                               errors=locate(text, err.errors, "draft")), 422
    except LifecycleError as err:
        get_session().rollback()
        return render_template("rules/editor.html", text=text, row=None,
                               errors=[_plain(refusal(err))]), err.status
    get_session().commit()
    flash(_("Draft saved: %(id)s %(version)s", id=row.ruleset_id, version=row.version))
    return redirect(url_for("rules.detail", pk=row.id))


def _read_sha() -> str | None:
    """Return the sha256 of the version as the form showed it (None from an older form)."""
    return request.form.get("sha256", "").strip().lower() or None


def _evidence_id() -> int | None:
    """Return the evidence chosen on the approve form (None when none was chosen)."""
    value = request.form.get("evidence", "").strip()
    return int(value) if value.isdigit() and len(value) < 10 else None


def _plain(message: str):
    from ews.lifecycle.lines import LineError

    return LineError(None, message)


@bp.post("/<int:pk>/edit")
@login_required
@analysts_only
def edit(pk: int):
    """Save the text of a draft (validated completely; errors by line)."""
    row = _version(pk)
    text = request.form.get("text", "")
    try:
        edit_draft(get_session(), _me(), row, text, sha256=_read_sha())
    except RuleSetError as err:
        get_session().rollback()
        return render_template("rules/editor.html", text=text, row=row,
                               errors=locate(text, err.errors, "draft")), 422
    except LifecycleError as err:
        get_session().rollback()
        return render_template("rules/editor.html", text=text, row=row,
                               errors=[_plain(refusal(err))]), err.status
    get_session().commit()
    flash(_("Draft saved."))
    return redirect(url_for("rules.detail", pk=row.id))


@bp.get("/<int:pk>")
@login_required
@analysts_only
def detail(pk: int):
    """A version: state, history, diff against live, the steps the user may take."""
    session = get_session()
    row = _version(pk)
    live = active_record(session)
    live_text = session.get(RuleSetRecord, live.id).text if live else ""
    is_author = row.created_by == current_user.id
    steps = [t for t in TRANSITIONS.values() if row.status in t.sources
             and can(current_user, t.right)
             and not (t.author == "never" and is_author)
             and not (t.author == "only" and not is_author)]
    compare = live is not None and live.id != row.id
    return render_template(
        "rules/detail.html", row=row, names=_names(),
        description=read_description(row.description), history=history(session, row),
        steps=steps, live=live, is_author=is_author,
        evidence=evidence.stored_for(session, "ruleset", row.sha256),
        changes=semantic_diff(live_text, row.text) if compare else [],
        diff=text_diff(live_text, row.text, f"live {live.version}",
                       row.version) if compare else [])


@bp.post("/<int:pk>/step/<action>")
@login_required
@analysts_only
def step(pk: int, action: str):
    """Apply one lifecycle step; refusals come back as a message on the version's page."""
    row = _version(pk)
    if action not in TRANSITIONS:
        abort(404)
    try:
        transition(get_session(), _me(), row, action, request.form.get("reason", ""),
                   sha256=_read_sha(), evidence=_evidence_id())
    except LifecycleError as err:
        get_session().rollback()
        flash(refusal(err), "error")
        return redirect(url_for("rules.detail", pk=pk)), 303
    get_session().commit()
    flash(_("Done: %(action)s. State now: %(state)s.", action=STEP_LABELS[action],
            state=STATE_LABELS.get(row.status, row.status)))
    return redirect(url_for("rules.detail", pk=pk)), 303


def _day(name: str) -> dt.datetime | None:
    value = request.args.get(name, "").strip()
    if not value:
        return None
    try:
        day = dt.datetime.strptime(value, "%Y-%m-%d").replace(tzinfo=dt.UTC)
    except ValueError:
        abort(400)
    if not 2000 <= day.year <= 2099:  # the reports' range; keeps "to + 1 day" in range
        abort(400)
    return day


@bp.get("/<int:pk>/backtest")
@login_required
@analysts_only
def backtest(pk: int):
    """Run and show the backtest of a version against live (or another version)."""
    row = _version(pk)
    against = request.args.get("against", "live").strip() or "live"
    versions = [v for v in list_rulesets(get_session()) if v.id != row.id]
    since, until = _day("from"), _day("to")
    until = until + dt.timedelta(days=1) if until else None
    office = request.args.get("office", "").strip().upper() or None
    result, problem, stored = None, None, None
    try:
        result = run_backtest(get_session(), compiled(row), against=against, since=since,
                              until=until, office_code=office)
    except LifecycleError as err:
        problem = refusal(err)
    else:  # the summary an approver may name (the page shows its number)
        stored = evidence.record(get_session(), subject_kind="ruleset", sha256=row.sha256,
                                 kind="backtest", by=current_user.username,
                                 summary=evidence.backtest_summary(result))
        get_session().commit()
    baseline = result.baseline.id if result else next(
        (v.id for v in versions if str(v.id) == against or v.status == against), None)
    return render_template("rules/backtest.html", row=row, result=result, problem=problem,
                           versions=versions, baseline_id=baseline, args=request.args,
                           ladder=LADDER, stored=stored, outcome_choices=OUTCOMES), \
        200 if problem is None else 422


@bp.get("/<int:pk>/shadow")
@login_required
@analysts_only
def shadow(pk: int):
    """The shadow summary of a version: agreement, flips, indicators, offices."""
    row = _version(pk)
    summary, stored = shadow_summary(get_session(), row), None
    if summary.rows:
        stored = evidence.record(get_session(), subject_kind="ruleset", sha256=row.sha256,
                                 kind="shadow", by=current_user.username,
                                 summary=evidence.shadow_headline(summary))
        get_session().commit()
    return render_template("rules/shadow.html", row=row, summary=summary, ladder=LADDER,
                           stored=stored)
