"""Login throttling kept in the database, so that every worker and host counts the same."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import delete, func, select
from sqlalchemy.orm import Session

from ews.store.db import utcnow
from ews.store.models import LoginAttempt

ADDRESS_FACTOR = 4  # one address may try a few accounts (a shared office NAT), not many


def locked_out(session: Session, username: str, remote_addr: str, max_failures: int,
               window_seconds: int) -> bool:
    """Return True when this username or address failed too often within the window."""
    since = utcnow() - dt.timedelta(seconds=window_seconds)
    by_user = session.scalar(select(func.count()).where(
        LoginAttempt.username == username, LoginAttempt.at >= since))
    if by_user >= max_failures:
        return True
    by_addr = session.scalar(select(func.count()).where(
        LoginAttempt.remote_addr == remote_addr, LoginAttempt.at >= since))
    return by_addr >= max_failures * ADDRESS_FACTOR


def record_failure(session: Session, username: str, remote_addr: str) -> None:
    """Remember a failed attempt (the caller commits)."""
    session.add(LoginAttempt(username=username[:64], remote_addr=remote_addr[:64]))


def clear_failures(session: Session, username: str, window_seconds: int) -> None:
    """Forget a user's failures after a successful login; prune old rows."""
    cutoff = utcnow() - dt.timedelta(seconds=window_seconds)
    session.execute(delete(LoginAttempt).where(LoginAttempt.username == username))
    session.execute(delete(LoginAttempt).where(LoginAttempt.at < cutoff))
