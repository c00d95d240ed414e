"""Users, offices and API tokens."""

from __future__ import annotations

import datetime as dt
import hashlib
import re
import secrets
from collections import namedtuple

from sqlalchemy import bindparam, select, update
from sqlalchemy.orm import Session

from ews import audit

from .db import Db, connection_of, utcnow
from .direct import Direct
from .fieldkits import refuse_in_field
from .models import ApiToken, Office, User

TOKEN_PREFIX = "ews_"
TOKEN_DAYS = 90
MAX_TOKEN_DAYS = 365  # a token is a password that does not expire with its owner's session
USERNAME = re.compile(r"[a-z0-9._-]{2,64}")
OFFICE_CODE = re.compile(r"[A-Z0-9]{2,16}")


class AccountError(ValueError):
    """A username or office code that does not follow the rules; the message says which."""


# What the rules say, in English (scripts and logs); the pages translate their own copy
# (`ews.admin.names`).
USERNAME_RULE = ("Username: use 2-64 characters from a-z, 0-9, '.', '_' and '-' "
                 "(lower case, no spaces).")
OFFICE_RULE = "Office code: use 2-16 characters from A-Z and 0-9, e.g. PMK."


def ensure_office(session: Session, code: str, name: str | None = None) -> Office:
    """Return the office with `code`, creating it when missing."""
    if not OFFICE_CODE.fullmatch(code):
        raise AccountError(OFFICE_RULE)
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
    refuse_in_field(session, "create a user")
    if not USERNAME.fullmatch(username):
        raise AccountError(USERNAME_RULE)
    ensure_office(session, office_code)
    user = User(username=username, role=role, office_code=office_code,
                password_hash=password_hash, must_change_password=must_change_password)
    session.add(user)
    session.flush()
    audit.record(session, "user.created", actor=actor, office_code=office_code,
                 subject=username, data={"role": role}, governs=(user,))
    return user


def end_sessions(session: Session, user_id: int) -> None:
    """End every session of a user (bump the generation that sessions carry); not committed."""
    session.execute(update(User).where(User.id == user_id)
                    .values(session_generation=User.session_generation + 1)
                    .execution_options(synchronize_session=False))
    stale = session.get(User, user_id)
    if stale is not None:
        session.expire(stale, ["session_generation"])


def token_digest(token: str) -> str:
    """Return the SHA-256 hex under which a token is stored."""
    return hashlib.sha256(token.encode()).hexdigest()


def create_token(session: Session, user: User, name: str, actor: str = "system",
                 days: int = TOKEN_DAYS) -> tuple[ApiToken, str]:
    """Create a bearer token for `user` valid `days`; return the row and the token (shown once)."""
    if days < 1:
        raise AccountError("a token must be valid for at least 1 day")
    if days > MAX_TOKEN_DAYS:
        raise AccountError(f"a token may be valid for at most {MAX_TOKEN_DAYS} days, not "
                           f"{days}: create a new one when it expires")
    token = TOKEN_PREFIX + secrets.token_urlsafe(32)
    now = utcnow()
    row = ApiToken(user_id=user.id, name=name, token_sha256=token_digest(token),
                   created_at=now, expires_at=now + dt.timedelta(days=days))
    session.add(row)
    session.flush()
    audit.record(session, "token.created", actor=actor, office_code=user.office_code,
                 subject=user.username, data={"token_id": row.id, "name": name,
                                              "days": days}, governs=(row,))
    return row, token


def user_for_token(session: Db, token: str) -> TokenUser | None:
    """Return id, username, role, office_code, must_change_password, expires_at of a token.

    None when the token is unknown or revoked or its user inactive; the caller checks
    `expires_at`. Looked up on every request (a revocation counts at once), with a Core
    query: no ORM object per request.
    """
    row = _USER_FOR_TOKEN.one(connection_of(session), {"digest": token_digest(token)})
    return None if row is None else TokenUser(*row)


# Built once, run on the DB-API cursor: every API request runs it.
_USER_FOR_TOKEN = Direct(
    select(User.id, User.username, User.role, User.office_code, User.must_change_password,
           ApiToken.expires_at)
    .join(ApiToken, ApiToken.user_id == User.id)
    .where(ApiToken.token_sha256 == bindparam("digest"), ApiToken.revoked_at.is_(None),
           User.active.is_(True)))
TokenUser = namedtuple("TokenUser", _USER_FOR_TOKEN.keys())


def revoke_token(session: Session, token_id: int, actor: str = "system") -> ApiToken | None:
    """Revoke a token by id; return it, or None when unknown."""
    row = session.get(ApiToken, token_id)
    if row is None:
        return None
    if row.revoked_at is None:
        row.revoked_at = utcnow()
        user = session.get(User, row.user_id)
        audit.record(session, "token.revoked", actor=actor, office_code=user.office_code,
                     subject=user.username, data={"token_id": row.id}, governs=(row,))
    return row


def list_tokens(session: Session, user: User) -> list[ApiToken]:
    """Return a user's tokens, newest first."""
    return list(session.scalars(select(ApiToken).where(ApiToken.user_id == user.id)
                                .order_by(ApiToken.id.desc())))
