"""Login throttling kept in the database, so that every worker and host counts the same.

Failures slow guessing down with a growing wait (2 s, 4 s, 8 s ... up to a cap, 60 s by
default) instead of locking anyone out. Three counters apply to a client that is not known
to the account: its (name, address) pair, the name from every address, and the address for
every name, each with its own threshold. A device that has signed in to the account before
carries a signed cookie (see `devices`) and is counted on its own only: guesses from
elsewhere, or from other people behind the same office NAT address, never delay it.

Typed names are kept only as keyed hashes (a NIK typed into the wrong box stays unreadable).
Attempts refused while waiting are not checked and not recorded as failures; they are
counted per key and window in `login_throttle`, and only the first of a window is audited.
"""

from __future__ import annotations

import datetime as dt
import math
from dataclasses import dataclass

from sqlalchemy import and_, case, delete, func, or_, select
from sqlalchemy.orm import Session

from ews.store.db import as_utc, utcnow
from ews.store.models import LoginAttempt, LoginThrottle
from ews.store.pii import keyed_hash
from ews.store.retention import THROTTLE_KEEP  # how long the per-window counts are kept

BASE_DELAY = 2.0       # seconds of the first wait; doubled by each further failure
NAME_FACTOR = 4        # a name may fail this many times more often from all addresses together
ADDRESS_FACTOR = 10    # an address (an office NAT) may fail this many times more for all names


@dataclass(frozen=True)
class Limits:
    """Throttling settings (from the app config)."""

    max_failures: int = 5
    window_seconds: int = 900
    max_delay: int = 60

    @classmethod
    def of(cls, config) -> Limits:
        """Return the limits of an app config."""
        return cls(config["LOGIN_MAX_FAILURES"], config["LOGIN_WINDOW_SECONDS"],
                   config.get("LOGIN_MAX_DELAY", 60))


@dataclass(frozen=True)
class Verdict:
    """Whether an attempt may be checked now: `wait` seconds (0: go ahead) and why."""

    wait: int = 0
    scope: str | None = None
    key: str | None = None


def name_hash(pii_key: str, username: str) -> str:
    """Return the keyed hash under which a typed username is counted."""
    return keyed_hash(pii_key, "login", username.strip().lower())


def delay(failures: int, threshold: int, limits: Limits) -> float:
    """Return the seconds to wait after the last of `failures` (0 below `threshold`)."""
    if failures < threshold:
        return 0.0
    return min(BASE_DELAY * 2 ** min(failures - threshold, 30), float(limits.max_delay))


def check(session: Session, pii_key: str, name: str, addr: str, device: str | None,
          limits: Limits, now: dt.datetime | None = None) -> Verdict:
    """Return how long this attempt must wait before its password is checked."""
    now = now or utcnow()
    since = now - dt.timedelta(seconds=limits.window_seconds)
    fail = LoginAttempt
    if device:
        count, last = session.execute(select(func.count(), func.max(fail.at)).where(
            fail.name_hash == name, fail.device == device, fail.at >= since)).one()
        scopes = {"device": (count, last, limits.max_failures, f"device:{device}")}
    else:
        pair = and_(fail.name_hash == name, fail.remote_addr == addr)
        by_name, by_addr = fail.name_hash == name, fail.remote_addr == addr
        row = session.execute(select(
            *(func.sum(case((cond, 1), else_=0)) for cond in (pair, by_name, by_addr)),
            *(func.max(case((cond, fail.at), else_=None)) for cond in (pair, by_name, by_addr)),
        ).where(fail.device.is_(None), fail.at >= since, or_(by_name, by_addr))).one()
        n = limits.max_failures
        scopes = {"pair": (row[0], row[3], n, f"pair:{name}:{addr}"),
                  "name": (row[1], row[4], n * NAME_FACTOR, f"name:{name}"),
                  "address": (row[2], row[5], n * ADDRESS_FACTOR, f"address:{addr}")}
    worst = Verdict()
    for scope, (count, last, threshold, key) in scopes.items():
        pause = delay(count or 0, threshold, limits)
        if not pause or last is None:
            continue
        wait = (as_utc(last) + dt.timedelta(seconds=pause) - now).total_seconds()
        if wait > worst.wait:
            worst = Verdict(math.ceil(wait), scope, keyed_hash(pii_key, "throttle", key))
    return worst


def count_throttled(session: Session, key: str, limits: Limits,
                    now: dt.datetime | None = None) -> bool:
    """Count a refused attempt in its key's window; return True for the window's first one."""
    now = now or utcnow()
    step = limits.window_seconds
    start = dt.datetime.fromtimestamp(now.timestamp() // step * step, dt.UTC)
    if session.get_bind().dialect.name == "postgresql":
        from sqlalchemy.dialects.postgresql import insert
    else:
        from sqlalchemy.dialects.sqlite import insert
    table = LoginThrottle.__table__
    stmt = (insert(table).values(key_hash=key, window_start=start, attempts=1)
            .on_conflict_do_update(index_elements=["key_hash", "window_start"],
                                   set_={"attempts": table.c.attempts + 1})
            .returning(table.c.attempts))
    return session.execute(stmt).scalar_one() == 1


def record_failure(session: Session, name: str, addr: str, device: str | None) -> None:
    """Remember a failed attempt (the caller commits)."""
    session.add(LoginAttempt(name_hash=name, remote_addr=addr[:64], device=device))


def clear_failures(session: Session, name: str, addr: str, device: str | None,
                   limits: Limits) -> None:
    """Forget the failures of this context after a successful login; prune old rows."""
    fail, now = LoginAttempt, utcnow()
    this_context = (fail.device == device if device
                    else and_(fail.device.is_(None), fail.remote_addr == addr))
    session.execute(delete(fail).where(fail.name_hash == name, this_context))
    session.execute(delete(fail).where(
        fail.at < now - dt.timedelta(seconds=limits.window_seconds)))
    session.execute(delete(LoginThrottle).where(LoginThrottle.window_start < now - THROTTLE_KEEP))
