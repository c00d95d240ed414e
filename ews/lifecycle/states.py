"""The rule-set state machine: which action moves a version from which state, and who may.

Pure data and one check function: no database, no HTTP. The service applies the result.

    draft -submit-> in_review -approve-> approved -shadow-> shadow -activate-> live -> retired
    in_review -reject (reason)-> draft          in_review -withdraw-> draft
    shadow -unshadow-> approved                 approved|shadow -activate-> live
    retired (once approved) -rollback (reason)-> live      draft|approved|shadow -retire-> retired
"""

from __future__ import annotations

from dataclasses import dataclass

from ews.checklist.text import has_invisible

STATES = ("draft", "in_review", "approved", "shadow", "live", "retired")
FROZEN = STATES[1:]  # from in_review on, the text never changes


@dataclass(frozen=True)
class Transition:
    """One action: allowed source states, the target, the right it needs, the author rule."""

    action: str
    sources: tuple[str, ...]
    target: str
    right: str
    author: str  # "only": the author alone; "never": anyone but the author; "any"
    reason_required: bool = False


TRANSITIONS: dict[str, Transition] = {t.action: t for t in (
    Transition("submit", ("draft",), "in_review", "ruleset.draft", "only"),
    Transition("withdraw", ("in_review",), "draft", "ruleset.draft", "only"),
    Transition("approve", ("in_review",), "approved", "ruleset.approve", "never"),
    Transition("reject", ("in_review",), "draft", "ruleset.approve", "never",
               reason_required=True),
    Transition("shadow", ("approved",), "shadow", "ruleset.shadow", "any"),
    Transition("unshadow", ("shadow",), "approved", "ruleset.shadow", "any"),
    Transition("activate", ("approved", "shadow"), "live", "ruleset.activate", "never"),
    Transition("rollback", ("retired",), "live", "ruleset.activate", "never",
               reason_required=True),
    Transition("retire", ("draft", "approved", "shadow"), "retired", "ruleset.draft", "any",
               reason_required=True),
)}
ACTIONS = tuple(TRANSITIONS)


class LifecycleError(Exception):
    """A refused lifecycle step; the message says why in words an analyst understands.

    `key` and `params` name the refusal for the pages, which say it in the page's language
    (the message itself is English, for the CLI, the API and the logs).
    """

    status = 409

    def __init__(self, message: str, key: str = "", **params: object) -> None:
        super().__init__(message)
        self.key, self.params = key, params


class NotAllowed(LifecycleError):
    """The acting person lacks the right, or is the author where a second person is needed."""

    status = 403


class WrongState(LifecycleError):
    """The action does not apply to the version's current state."""

    status = 409


class ReasonRequired(LifecycleError):
    """The action must give a reason."""

    status = 422


def check(action: str, *, status: str, is_author: bool, has_right: bool, reason: str,
          ever_approved: bool = True) -> str:
    """Return the target state of `action`, or raise the typed error that refuses it."""
    step = TRANSITIONS.get(action)
    if step is None:
        raise WrongState(f"unknown action {action!r}; one of {', '.join(ACTIONS)}")
    if not has_right:
        raise NotAllowed(f"{action}: your role lacks the right {step.right}", "lacks_right",
                         action=action)
    if step.author == "never" and is_author:
        raise NotAllowed(f"{action}: a rule-set version must be {_past(action)} by someone "
                         "other than its author", "not_by_author", action=action)
    if step.author == "only" and not is_author:
        raise NotAllowed(f"{action}: only the author of a version may {action} it",
                         "author_only", action=action)
    if status not in step.sources:
        raise WrongState(f"{action}: a version in state {status!r} cannot be {_past(action)} "
                         f"(only from {' or '.join(step.sources)})", "wrong_state",
                         action=action, status=status)
    if action == "rollback" and not ever_approved:
        raise WrongState("rollback: this version was never approved; only an earlier "
                         "approved version can be made live again", "never_approved")
    if step.reason_required and not (reason or "").strip():
        raise ReasonRequired(f"{action}: give a reason", "reason_required", action=action)
    if reason and has_invisible(reason):
        raise ReasonRequired(f"{action}: reason: remove the invisible characters (zero-width, "
                             "text-direction or line-separator characters)", "reason_invisible",
                             action=action)
    return step.target


def _past(action: str) -> str:
    return {"submit": "submitted", "withdraw": "withdrawn", "approve": "approved",
            "reject": "rejected", "shadow": "put in shadow", "unshadow": "taken out of shadow",
            "activate": "activated", "rollback": "rolled back to",
            "retire": "retired"}[action]
