"""Who may do what, for which office (docs/design.md, Roles): the one place that decides.

Views and services ask `require(user, action, office_code)`; nothing else looks at roles.
Officers, supervisors and the front desk (`intake`) work within their own office; analysts and
admins see every office, pseudonymised (personal data is shown only to the officer or
supervisor of the office). The front desk registers applications and reads nothing else.
"""

from __future__ import annotations

from dataclasses import dataclass

from werkzeug.exceptions import Forbidden

from ews.engine import REVIEW_RUNG

ROLES = ("officer", "supervisor", "analyst", "admin", "intake")
OFFICE_BOUND = ("officer", "supervisor", "intake")
READERS = frozenset({"officer", "supervisor", "analyst", "admin"})

# action -> roles allowed (office checks below apply on top)
ACTIONS: dict[str, frozenset[str]] = {
    "assessment.submit": frozenset({"officer", "supervisor", "admin"}),
    "assessment.score": frozenset({"officer", "supervisor", "analyst", "admin"}),
    "assessment.read": READERS,
    "ruleset.read": READERS,
    # The front desk (intake) registers its office's applications; officers open them.
    "application.register": frozenset({"intake", "admin"}),
    "application.read": frozenset({"intake", "officer", "supervisor", "admin"}),
    "ruleset.draft": frozenset({"analyst", "admin"}),
    "ruleset.approve": frozenset({"analyst", "admin"}),  # never the author (ews.lifecycle)
    "ruleset.shadow": frozenset({"analyst", "admin"}),
    "ruleset.activate": frozenset({"admin"}),
    "review.queue": frozenset({"supervisor"}),
    "review.claim": frozenset({"supervisor"}),
    "decision.record": frozenset({"officer", "supervisor"}),
    "outcome.record": frozenset({"supervisor", "analyst"}),
    "user.manage": frozenset({"admin"}),
}
OFFICER_MAX_DECISION_RUNG = REVIEW_RUNG - 1  # below the review rung the officer decides


@dataclass(frozen=True)
class Principal:
    """The signed-in user as the request sees it (session or bearer token)."""

    id: int
    username: str
    role: str
    office_code: str
    must_change_password: bool = False
    via: str = "session"
    generation: int = 0

    is_authenticated = True
    is_active = True
    is_anonymous = False

    def get_id(self) -> str:
        """Return what Flask-Login keeps in the session: the id and the session generation."""
        return f"{self.id}:{self.generation}"


def principal(user, via: str = "session") -> Principal:
    """Return the request-level view of a stored user (a `User` or a row of its columns)."""
    return Principal(id=user.id, username=user.username, role=user.role,
                     office_code=user.office_code,
                     must_change_password=user.must_change_password, via=via,
                     generation=getattr(user, "session_generation", 0))


def office_scope(user: Principal) -> tuple[str, ...] | None:
    """Return the offices whose assessments `user` may see, or None for every office."""
    return (user.office_code,) if user.role in OFFICE_BOUND else None


def can(user: Principal, action: str, office_code: str | None = None,
        rung: int | None = None) -> bool:
    """Return True when `user` may do `action` (for `office_code`, on an item of `rung`)."""
    if user.role not in ACTIONS[action]:
        return False
    if office_code is not None and user.role in OFFICE_BOUND and office_code != user.office_code:
        return False
    if action == "decision.record" and user.role == "officer" and rung is not None:
        return rung <= OFFICER_MAX_DECISION_RUNG
    return True


def require(user: Principal, action: str, office_code: str | None = None,
            rung: int | None = None) -> None:
    """Raise 403 Forbidden unless `can(...)`; the message names the reason, not the data."""
    if can(user, action, office_code, rung):
        return
    if user.role not in ACTIONS[action]:
        raise Forbidden(f"role {user.role!r} may not do {action}")
    if action == "decision.record" and rung is not None and user.role == "officer":
        raise Forbidden(f"a decision on rung {rung} needs a supervisor")
    raise Forbidden(f"{action}: office {office_code!r} is not your office")


def sees_free_text(user: Principal, office_code: str, author_id: int | None = None) -> bool:
    """Return True when `user` may read free text (reasons, notes) written at `office_code`.

    Free text may name people, so it stays in its office whatever the role; an author always
    sees what they wrote.
    """
    return user.office_code == office_code or (author_id is not None and author_id == user.id)


def sees_pii(user: Principal, office_code: str) -> bool:
    """Return True when `user` may see personal data of an assessment of `office_code`."""
    return user.role in ("officer", "supervisor") and user.office_code == office_code
