"""The lifecycle service: drafts, edits and transitions of rule-set versions.

Functions take a session, the acting person (anything with id, username, role) and plain
data; they enforce the state machine and maker-checker themselves, record every step in the
version's history and the audit chain, and raise typed errors. The caller commits.
"""

from __future__ import annotations

from typing import Protocol

from sqlalchemy import select
from sqlalchemy.orm import Session

from ews import audit
from ews.auth.scope import can
from ews.engine import parse_ruleset
from ews.engine.ruleset import stored_description
from ews.store.approvers import independence_problem
from ews.store.db import utcnow
from ews.store.fieldkits import own_kit, refuse_in_field
from ews.store.models import RuleSetRecord, User
from ews.store.rulesets import (
    SYSTEM,
    DuplicateVersion,
    MakerCheckerError,
    active_record,
    check_version_free,
    record_step,
    retire_current,
    shadow_record,
)

from .evidence import required
from .guard import check_approved_text, expected_sha, guarded_update
from .refusals import record_refusal
from .states import TRANSITIONS, LifecycleError, NotAllowed, WrongState, check

AUDIT_KIND = {"submit": "ruleset.submitted", "withdraw": "ruleset.withdrawn",
              "approve": "ruleset.approved", "reject": "ruleset.rejected",
              "shadow": "ruleset.shadow_started", "unshadow": "ruleset.shadow_stopped",
              "activate": "ruleset.activated", "rollback": "ruleset.rolled_back",
              "retire": "ruleset.retired"}


class Actor(Protocol):
    id: int
    username: str
    role: str


class VersionTaken(LifecycleError):
    """(ruleset_id, version) or the exact text is stored already."""

    status = 409


def register_ruleset(session: Session, text: str | bytes, created_by: User | None,
                     source: str = "<upload>",
                     agencies: str | bytes | None = None) -> RuleSetRecord:
    """Validate and store a rule set as a draft (or return the stored one with the same bytes).

    `agencies` is the text of the P3MI list CSV the rule set names, stored with it. Raises
    RuleSetError (invalid text) or DuplicateVersion (its id and version name another text).
    """
    refuse_in_field(session, "register a rule set")
    # raises RuleSetError listing every problem
    ruleset = parse_ruleset(text, source=source, agencies=agencies)
    row = session.scalar(select(RuleSetRecord).where(RuleSetRecord.sha256 == ruleset.sha256))
    if row is not None:
        return row
    check_version_free(session, ruleset.id, ruleset.version)
    row = RuleSetRecord(sha256=ruleset.sha256, ruleset_id=ruleset.id, version=ruleset.version,
                        description=stored_description(ruleset.description), text=ruleset.text,
                        agencies_csv=ruleset.agencies_text, status="draft",
                        created_by=created_by.id if created_by else None)
    session.add(row)
    session.flush()
    actor = created_by.username if created_by else SYSTEM
    record_step(session, row, "draft", None, actor, "")
    audit.record(session, "ruleset.registered", actor=actor, subject=row.sha256,
                 data={"ruleset_id": row.ruleset_id, "version": row.version}, governs=(row,))
    return row


def activate_ruleset(session: Session, row: RuleSetRecord, by: User | None) -> RuleSetRecord:
    """Make `row` live. With `by` None: the system installs it (`ews init`, no review).

    A person goes through the lifecycle instead (approved first, never the author); this
    raises MakerCheckerError when `by` is the author, like the lifecycle does.
    """
    if by is not None:
        try:
            return transition(session, by, row, "activate", reason="")
        except LifecycleError as err:
            if err.status == 403:
                raise MakerCheckerError(str(err)) from None
            raise
    refuse_in_field(session, "activate a rule set")
    current = active_record(session)
    if current is not None and current.id == row.id:
        return row
    retire_current(session, current, SYSTEM, f"replaced by {row.ruleset_id} {row.version}")
    before = row.status
    row.status, row.activated_by, row.activated_at = "live", None, utcnow()
    session.flush()
    record_step(session, row, "install", before, SYSTEM, "installed by the system")
    audit.record(session, "ruleset.activated", actor=SYSTEM, subject=row.sha256,
                 data={"ruleset_id": row.ruleset_id, "version": row.version,
                       "replaces": current.sha256 if current else None,
                       "reason": "installed by the system"}, governs=(row,))
    return row


def _independent(session: Session, row: RuleSetRecord, user: Actor) -> None:
    """Refuse an approver whose account the author created, or created after the draft."""
    author = session.get(User, row.created_by) if row.created_by is not None else None
    problem = independence_problem(session, user.id, makers=[author and author.username],
                                   made_at=row.created_at)
    if problem:
        raise NotAllowed(f"approve: {problem}", "not_independent")


def _fixed_in_field(session: Session, action: str) -> None:
    """Refuse any rule-set step on a field instance: its rule set comes with the kit."""
    kit = own_kit(session)
    if kit is not None:
        raise NotAllowed(f"{action}: rule sets cannot be changed on a field instance (kit "
                         f"{kit[0]}); they come from the office with the kit",
                         "field_instance", action=action)


def _is_author(row: RuleSetRecord, user: Actor) -> bool:
    return row.created_by is not None and row.created_by == user.id


def create_draft(session: Session, user: Actor, text: str, source: str = "draft",
                 agencies: str | None = None) -> RuleSetRecord:
    """Validate `text` and store it as a new draft by `user` (RuleSetError when invalid).

    `agencies`: the licensed-P3MI list (CSV text) the rule set names, if it names one.
    A refusal (not an invalid text) rolls back and is audited, as in `transition`.
    """
    try:
        return _create(session, user, text, source, agencies)
    except LifecycleError as err:
        record_refusal(session, "ruleset.refused", actor=user.username, action="draft",
                       error=err)
        raise


def _create(session: Session, user: Actor, text: str, source: str,
            agencies: str | None) -> RuleSetRecord:
    _fixed_in_field(session, "draft")
    if not can(user, "ruleset.draft"):
        raise NotAllowed("draft: your role lacks the right ruleset.draft", "lacks_right",
                         action="draft")
    try:
        row = register_ruleset(session, text, user, source=source, agencies=agencies)
    except DuplicateVersion as err:
        raise VersionTaken(str(err), "version_taken") from None
    if row.created_by != user.id or row.status != "draft":
        raise VersionTaken(f"this exact text is stored already as version {row.version} "
                           f"(#{row.id}, {row.status})", "text_taken")
    return row


def edit_draft(session: Session, user: Actor, row: RuleSetRecord, text: str,
               source: str = "draft", agencies: str | None = None,
               sha256: str | None = None) -> RuleSetRecord:
    """Replace the text of a draft (its author only); from in_review on the text is frozen.

    `sha256` is the text the editor read (default: the one read with `row`); the text
    changes only while the version is still a draft with that text (else Changed, 409).
    A refusal (not an invalid text) rolls back and is audited, as in `transition`.
    """
    pk, sha = row.id, row.sha256
    try:
        return _edit(session, user, row, text, source, agencies, sha256)
    except LifecycleError as err:
        record_refusal(session, "ruleset.refused", actor=user.username, action="edit",
                       error=err, subject=sha, ruleset_pk=pk)
        raise


def _edit(session: Session, user: Actor, row: RuleSetRecord, text: str, source: str,
          agencies: str | None, sha256: str | None) -> RuleSetRecord:
    _fixed_in_field(session, "edit")
    if not _is_author(row, user):
        raise NotAllowed("edit: only the author of a draft may change it", "author_only",
                         action="edit")
    if row.status != "draft":
        raise WrongState(f"edit: the text is frozen from review on (this version is "
                         f"{row.status}, sha256 {row.sha256[:12]}); start a new draft",
                         "frozen", status=row.status)
    expected = expected_sha(row, "edit", sha256)
    if agencies is None:
        agencies = row.agencies_csv  # the list stays unless a new one is given
    ruleset = parse_ruleset(text, source=source, agencies=agencies)
    if ruleset.sha256 == expected:
        return row
    try:
        check_version_free(session, ruleset.id, ruleset.version, pk=row.id)
    except DuplicateVersion as err:
        raise VersionTaken(str(err), "version_taken") from None
    if session.scalar(select(RuleSetRecord.id)
                      .where(RuleSetRecord.sha256 == ruleset.sha256)) is not None:
        raise VersionTaken("this exact text is stored already as another version",
                           "text_taken")
    guarded_update(session, row, "edit", {
        "sha256": ruleset.sha256, "text": ruleset.text, "updated_at": utcnow(),
        "agencies_csv": ruleset.agencies_text, "ruleset_id": ruleset.id,
        "version": ruleset.version, "description": stored_description(ruleset.description)},
        status="draft", sha256=expected)
    record_step(session, row, "edit", "draft", user.username, "")
    audit.record(session, "ruleset.edited", actor=user.username, subject=row.sha256,
                 data={"ruleset_pk": row.id, "ruleset_id": row.ruleset_id,
                       "version": row.version, "previous_sha256": expected}, governs=(row,))
    return row


def transition(session: Session, user: Actor, row: RuleSetRecord, action: str,
               reason: str = "", sha256: str | None = None,
               evidence: int | None = None) -> RuleSetRecord:
    """Apply lifecycle `action` to `row` as `user`; raise LifecycleError subclasses if refused.

    `sha256` is the text the acting person saw (default: the one read with `row`): the step
    applies only while the version still has that text and the state read (else Changed).
    Going live or into shadow also needs the stored text to hash to the approved sha256.
    Approving names `evidence`: a stored backtest or shadow summary of exactly this text.
    A refusal rolls the transaction back and is audited (`ruleset.refused`, committed).
    """
    pk, sha = row.id, row.sha256
    try:
        return _transition(session, user, row, action, reason, sha256, evidence)
    except LifecycleError as err:
        record_refusal(session, "ruleset.refused", actor=user.username, action=action,
                       error=err, subject=sha, ruleset_pk=pk)
        raise


def _transition(session: Session, user: Actor, row: RuleSetRecord, action: str,
                reason: str, sha256: str | None, evidence: int | None) -> RuleSetRecord:
    _fixed_in_field(session, action)
    step = TRANSITIONS.get(action)
    has_right = step is not None and can(user, step.right)
    reason = (reason or "").strip()
    target = check(action, status=row.status, is_author=_is_author(row, user),
                   has_right=has_right, reason=reason,
                   ever_approved=row.approved_at is not None or row.created_by is None)
    if action == "approve":
        _independent(session, row, user)
    expected = expected_sha(row, action, sha256)
    proof = required(session, "ruleset", expected, evidence) if action == "approve" else None
    before, now = row.status, utcnow()
    values: dict = {"status": target}
    if target == "live":
        retire_current(session, active_record(session), user.username,
                       f"replaced by {row.ruleset_id} {row.version}: {reason}".rstrip(": "))
        values |= {"activated_by": user.id, "activated_at": now, "retired_at": None,
                   "shadow_since": None}
    elif action == "shadow":
        other = shadow_record(session)
        if other is not None:
            raise WrongState(f"shadow: version {other.version} (#{other.id}) is in shadow "
                             "already; take it out of shadow first", "shadow_taken",
                             version=other.version)
        values["shadow_since"] = now
    elif action == "submit":
        values |= {"submitted_at": now, "review_note": None}
    elif action in ("withdraw", "reject"):
        values["submitted_at"] = None
        if action == "reject":
            values["review_note"] = reason
    elif action == "approve":
        values |= {"approved_by": user.id, "approved_at": now}
    elif action == "unshadow":
        values["shadow_since"] = None
    elif action == "retire":
        values["retired_at"] = now
    guarded_update(session, row, action, values, status=before, sha256=expected)
    if target in ("live", "shadow"):
        check_approved_text(session, row, action)  # read again, under the write lock
    record_step(session, row, action, before, user.username, reason,
                evidence_id=proof.id if proof else None)
    audit.record(session, AUDIT_KIND[action], actor=user.username, subject=row.sha256,
                 data={"ruleset_pk": row.id, "ruleset_id": row.ruleset_id,
                       "version": row.version, "from": before, "to": target,
                       "reason": reason} | ({"evidence_id": proof.id} if proof else {}),
                 governs=(row,))
    return row
