"""Users, offices and API tokens."""

from __future__ import annotations

import hashlib
import secrets

from sqlalchemy import Row, bindparam, select
from sqlalchemy.orm import Session

from ews import audit

from .db import utcnow
from .models import ApiToken, Office, User

TOKEN_PREFIX = "ews_"


def ensure_office(session: Session, code: str, name: str | None = None) -> Office:
    """Return the office with `code`, creating it when missing."""
    office = session.get(Office, code)
    if office is None:
        office = Office(code=code, name=name or code)
        session.add(office)
        session.flush()
    return office


def user_by_name(session: Session, username: str) -> User | None:
    """Return the user called `username`, or None."""
    return session.scalar(select(User).where(User.username == username))


def create_user(session: Session, username: str, role: str, office_code: str,
                password_hash: str, *, actor: str = "system",
                must_change_password: bool = False) -> User:
    """Create a user (and its office if new); audited, not committed."""
    ensure_office(session, office_code)
    user = User(username=username, role=role, office_code=office_code,
                password_hash=password_hash, must_change_password=must_change_password)
    session.add(user)
    session.flush()
    audit.record(session, "user.created", actor=actor, office_code=office_code,
                 subject=username, data={"role": role})
    return user


def token_digest(token: str) -> str:
    """Return the SHA-256 hex under which a token is stored."""
    return hashlib.sha256(token.encode()).hexdigest()


def create_token(session: Session, user: User, name: str,
                 actor: str = "system") -> tuple[ApiToken, str]:
    """Create a bearer token for `user`; return the row and the token (shown once)."""
    token = TOKEN_PREFIX + secrets.token_urlsafe(32)
    row = ApiToken(user_id=user.id, name=name, token_sha256=token_digest(token))
    session.add(row)
    session.flush()
    audit.record(session, "token.created", actor=actor, office_code=user.office_code,
                 subject=user.username, data={"token_id": row.id, "name": name})
    return row, token


def user_for_token(session: Session, token: str) -> Row | None:
    """Return id, username, role, office_code, must_change_password of a token's active user.

    None when the token is unknown or revoked or its user inactive. Looked up on every
    request (a revocation counts at once), with a Core query: no ORM object per request.
    """
    return session.connection().execute(_USER_FOR_TOKEN,
                                        {"digest": token_digest(token)}).first()


# Built once: every API request runs these.
_USER_FOR_TOKEN = (
    select(User.id, User.username, User.role, User.office_code, User.must_change_password)
    .join(ApiToken, ApiToken.user_id == User.id)
    .where(ApiToken.token_sha256 == bindparam("digest"), ApiToken.revoked_at.is_(None),
           User.active.is_(True)))


def revoke_token(session: Session, token_id: int, actor: str = "system") -> ApiToken | None:
    """Revoke a token by id; return it, or None when unknown."""
    row = session.get(ApiToken, token_id)
    if row is None:
        return None
    if row.revoked_at is None:
        row.revoked_at = utcnow()
        user = session.get(User, row.user_id)
        audit.record(session, "token.revoked", actor=actor, office_code=user.office_code,
                     subject=user.username, data={"token_id": row.id})
    return row


def list_tokens(session: Session, user: User) -> list[ApiToken]:
    """Return a user's tokens, newest first."""
    return list(session.scalars(select(ApiToken).where(ApiToken.user_id == user.id)
                                .order_by(ApiToken.id.desc())))
