"""What every `ews` command shares: configuration, a database session, the acting user, errors.

Commands read the same `EWS_*` configuration as the web application and talk to the database
directly (no running server needed). A group module imports these helpers and never another
group module's private names; a problem the operator can fix ends as one `click` error line
(exit 1), never a traceback.
"""

from __future__ import annotations

import datetime as dt
import getpass
import os
from collections.abc import Iterator
from contextlib import contextmanager

import click
from sqlalchemy.orm import Session

from ews import audit
from ews.config import ConfigError, load_config
from ews.store.models import User

CLI_ACTOR = "cli"
DATE = click.DateTime(formats=["%Y-%m-%d"])


def read_config() -> dict:
    """Return the service configuration; a bad setting ends the command with its message."""
    try:
        return load_config()
    except ConfigError as err:
        raise click.ClickException(str(err)) from None


@contextmanager
def db_session(config: dict) -> Iterator[Session]:
    """Yield a session on the configured database; the engine is closed afterwards."""
    from ews.store import make_engine

    engine = make_engine(config["DATABASE_URL"])
    try:
        with Session(engine, expire_on_commit=False) as session:
            yield session
    finally:
        engine.dispose()


def os_user() -> str:
    """Return the operating-system account running the command (uid when it has no name)."""
    try:
        return getpass.getuser()
    except (OSError, KeyError):  # no login name in the environment nor the password file
        return f"uid {os.getuid()}"


def named_user(session: Session, name: str) -> User:
    """Return the user called `name` (the one the command acts as) or end the command.

    `--user`/`--as` is a name, not a credential: the audit events this session records
    also carry the operating-system account that typed it (`os_user`).
    """
    from ews.store.users import user_by_name

    user = user_by_name(session, name)
    if user is None:
        raise click.ClickException(f"no user named {name!r}")
    session.info[audit.OS_USER] = os_user()
    return user


@contextmanager
def failing_on(*errors: type[Exception], session: Session | None = None) -> Iterator[None]:
    """End the command with the message of any of `errors`, rolling `session` back first."""
    try:
        yield
    except errors as err:
        if session is not None:
            session.rollback()
        raise click.ClickException(str(err)) from None


# A window of stored assessments, as `ews learn` and `ews model` read it (interview dates, UTC).

def utc_window(since: dt.datetime | None, until: dt.datetime | None) -> tuple:
    """Return --from/--to as UTC datetimes; end the command when --from is not before --to."""
    to_utc = (lambda d: d.replace(tzinfo=dt.UTC) if d else None)  # noqa: E731
    since, until = to_utc(since), to_utc(until)
    if since and until and since >= until:
        raise click.ClickException(f"--from {since.date()} is not before --to {until.date()}")
    return since, until


def window_label(since, until) -> str:
    """Return a window as words, e.g. "2026-01-01 to now"."""
    return f"{since.date() if since else 'start'} to {until.date() if until else 'now'}"


def _live_ruleset(session, rules_path: str | None):
    from ews.engine import RuleSetError, load_ruleset
    from ews.lifecycle.compiled import active_compiled

    if rules_path:
        try:
            return load_ruleset(rules_path)
        except RuleSetError as exc:
            raise click.ClickException("\n".join(exc.errors)) from None
    ruleset = active_compiled(session)
    if ruleset is None:
        raise click.ClickException("no active rule set; run `ews init` or pass --rules")
    return ruleset


def load_window(since, until, rules_path=None):
    """Return (frame, live rule set) of a window; a clear error when it is empty."""
    from ews.learn.frames import assessments_frame

    with db_session(read_config()) as session:
        ruleset = _live_ruleset(session, rules_path)
        frame = assessments_frame(session, since, until, progress=True)
    if frame.empty:
        raise click.ClickException(f"no assessments interviewed from {window_label(since, until)}")
    return frame, ruleset
