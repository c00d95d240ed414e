"""User administration: add, disable/enable, reset password, change role or office, tokens.

Services take a session, the acting user's name and plain data; they audit every change,
end the user's sessions where access changes, and raise `AdminError` with a message for
the operator. They never commit. The audit event is appended *before* the last-admin check:
appending takes the database's write lock (SQLite) or the chain head's row lock
(PostgreSQL), so two admins demoting each other at once are checked one after the other.
"""

from __future__ import annotations

from sqlalchemy import func, or_, select
from sqlalchemy.orm import Session

from ews import audit
from ews.auth.passwords import generate_password, hash_password, password_problem
from ews.auth.scope import ROLES
from ews.store.db import utcnow
from ews.store.fieldkits import FieldInstanceError, refuse_in_field
from ews.store.models import ApiToken, AuditEvent, User
from ews.store.users import (
    AccountError,
    create_user,
    end_sessions,
    ensure_office,
    revoke_token,
    user_by_name,
)

from .names import office_problem, username_problem


class AdminError(ValueError):
    """A change the service refuses; the message says why (shown to the admin as is)."""

    def __init__(self, message: str, status: int = 400) -> None:
        super().__init__(message)
        self.status = status


LAST_ADMIN = ("{name} is the last active admin: make another user admin first, "
              "or nobody could manage users any more.")


def _fixed_in_field(session: Session, what: str) -> None:
    """Refuse any change of users on a field instance: its users come with the kit."""
    try:
        refuse_in_field(session, what)
    except FieldInstanceError as err:
        raise AdminError(str(err), status=403) from None


def list_users(session: Session, search: str | None = None) -> list[User]:
    """Return every user by office and name; `search`: those whose username, office code or
    role contains it (any case)."""
    stmt = select(User).order_by(User.office_code, User.username)
    text = (search or "").strip().lower()
    if text:
        stmt = stmt.where(or_(func.lower(User.username).contains(text, autoescape=True),
                              func.lower(User.office_code).contains(text, autoescape=True),
                              func.lower(User.role).contains(text, autoescape=True)))
    return list(session.scalars(stmt))


def creators(session: Session) -> dict[str, tuple[str | None, str]]:
    """Return {username: (who created the account, when: YYYY-MM-DD)} from the audit trail.

    Shown on the users page so that an admin account made by another admin is visible
    (maker-checker: see ews.store.approvers).
    """
    rows = session.execute(select(AuditEvent.subject, AuditEvent.actor, AuditEvent.at)
                           .where(AuditEvent.kind == "user.created").order_by(AuditEvent.seq))
    return {subject: (actor, at[:10]) for subject, actor, at in rows}


def token_counts(session: Session) -> dict[int, int]:
    """Return {user id: number of tokens neither revoked nor expired}."""
    rows = session.execute(select(ApiToken.user_id, func.count())
                           .where(ApiToken.revoked_at.is_(None),
                                  ApiToken.expires_at > utcnow())
                           .group_by(ApiToken.user_id))
    return dict(rows.all())


def add_user(session: Session, username: str, role: str, office_code: str, *, actor: str,
             password: str | None = None) -> tuple[User, str | None]:
    """Add a user; without `password` make a one-time one and return it (shown once)."""
    _fixed_in_field(session, "add a user")
    office_code = office_code.strip().upper()
    for problem in (username_problem(username), office_problem(office_code)):
        if problem:
            raise AdminError(str(problem))
    if role not in ROLES:
        raise AdminError(f"role must be one of {', '.join(ROLES)}")
    if user_by_name(session, username) is not None:
        raise AdminError(f"user {username!r} exists already", status=409)
    one_time = None
    if password is None:
        password = one_time = generate_password()
    else:
        problem = password_problem(password, username=username)
        if problem:
            raise AdminError(f"password: {problem}")
    try:
        user = create_user(session, username, role, office_code, hash_password(password),
                           actor=actor, must_change_password=one_time is not None)
    except AccountError as err:
        raise AdminError(str(err)) from None
    return user, one_time


def _other_active_admins(session: Session, user: User) -> int:
    return session.scalar(select(func.count()).select_from(User).where(
        User.role == "admin", User.active.is_(True), User.id != user.id))


def _keep_an_admin(session: Session, user: User, role: str, active: bool) -> None:
    """Raise when the change leaves no active admin (call after appending the audit event)."""
    losing = user.role == "admin" and user.active and (role != "admin" or not active)
    if losing and not _other_active_admins(session, user):
        raise AdminError(LAST_ADMIN.format(name=user.username), status=409)


def set_active(session: Session, user: User, active: bool, *, actor: str) -> None:
    """Enable or disable a user; disabling ends their sessions (tokens stop at once too)."""
    _fixed_in_field(session, "enable or disable a user")
    if user.active == active:
        return
    _keep_an_admin(session, user, user.role, active)
    user.active = active
    end_sessions(session, user.id)
    audit.record(session, "user.enabled" if active else "user.disabled", actor=actor,
                 office_code=user.office_code, subject=user.username, governs=(user,))


def change_role_office(session: Session, user: User, *, role: str | None,
                       office_code: str | None, actor: str) -> None:
    """Change a user's role and/or office; ends their sessions."""
    _fixed_in_field(session, "change a user")
    role = role or user.role
    office_code = (office_code or user.office_code).strip().upper()
    if role not in ROLES:
        raise AdminError(f"role must be one of {', '.join(ROLES)}")
    problem = office_problem(office_code)
    if problem:
        raise AdminError(str(problem))
    if (role, office_code) == (user.role, user.office_code):
        return
    changed = {"role": [user.role, role], "office": [user.office_code, office_code]}
    _keep_an_admin(session, user, role, user.active)
    ensure_office(session, office_code)
    user.role, user.office_code = role, office_code
    end_sessions(session, user.id)
    audit.record(session, "user.changed", actor=actor, office_code=office_code,
                 subject=user.username, data=changed, governs=(user,))


def reset_password(session: Session, user: User, *, actor: str) -> str:
    """Give a user a one-time password (returned, shown once); ends their sessions."""
    _fixed_in_field(session, "reset a password")
    password = generate_password()
    user.password_hash, user.must_change_password = hash_password(password), True
    audit.record(session, "user.password_reset", actor=actor, office_code=user.office_code,
                 subject=user.username)
    end_sessions(session, user.id)
    return password


def revoke(session: Session, token_id: int, *, actor: str) -> ApiToken:
    """Revoke a token by id (audited)."""
    row = revoke_token(session, token_id, actor=actor)
    if row is None:
        raise AdminError(f"no token with id {token_id}", status=404)
    return row
