"""`ews user ...` and `ews token ...`: user administration from the command line.

Every change is audited with the actor `cli`; the last active admin cannot be disabled or
demoted. One-time passwords and tokens are printed once and never stored in clear.
"""

from __future__ import annotations

import os

import click

from ews.auth.scope import ROLES
from ews.service_cli import CLI_ACTOR, _config, _session, _user

from . import service
from .service import AdminError


def _apply(session, change) -> None:
    """Run `change()` and commit, turning an AdminError into a CLI error message."""
    try:
        change()
    except AdminError as err:
        session.rollback()
        raise click.ClickException(str(err)) from None
    session.commit()


@click.group("user")
def user_group() -> None:
    """Manage users."""


@user_group.command("add")
@click.argument("name")
@click.option("--role", required=True, type=click.Choice(ROLES))
@click.option("--office", "office", required=True, help="office code, e.g. PMK")
@click.option("--one-time", is_flag=True,
              help="generate a one-time password (printed once) instead of asking for one")
def user_add(name: str, role: str, office: str, one_time: bool) -> None:
    """Add a user; the password comes from EWS_PASSWORD, a prompt, or --one-time."""
    for problem in (service.username_problem(name),
                    service.office_problem(office.strip().upper())):
        if problem:
            raise click.ClickException(str(problem))
    password = None
    if not one_time:
        password = os.environ.get("EWS_PASSWORD") or click.prompt(
            "Password", hide_input=True, confirmation_prompt=True)
    with _session(_config()) as session:
        created: list = []
        _apply(session, lambda: created.extend(service.add_user(
            session, name, role, office, actor=CLI_ACTOR, password=password)))
    user, otp = created
    click.echo(f"user {name!r} added: {role} at {user.office_code}")
    if otp:
        click.echo(f"one-time password (shown once, change it at first login): {otp}")


@user_group.command("list")
def user_list() -> None:
    """List users: name, role, office, state, and how many tokens are usable."""
    with _session(_config()) as session:
        tokens = service.token_counts(session)
        for user in service.list_users(session):
            state = "active" if user.active else "disabled"
            if user.active and user.must_change_password:
                state += " (one-time password)"
            click.echo(f"{user.username}\t{user.role}\t{user.office_code}\t{state}\t"
                       f"{tokens.get(user.id, 0)} tokens")


@user_group.command("disable")
@click.argument("name")
def user_disable(name: str) -> None:
    """Disable user NAME: their sessions end and their tokens stop working at once."""
    with _session(_config()) as session:
        user = _user(session, name)
        _apply(session, lambda: service.set_active(session, user, False, actor=CLI_ACTOR))
    click.echo(f"user {name!r} disabled")


@user_group.command("enable")
@click.argument("name")
def user_enable(name: str) -> None:
    """Enable user NAME again."""
    with _session(_config()) as session:
        user = _user(session, name)
        _apply(session, lambda: service.set_active(session, user, True, actor=CLI_ACTOR))
    click.echo(f"user {name!r} enabled")


@user_group.command("reset-password")
@click.argument("name")
def user_reset_password(name: str) -> None:
    """Give user NAME a one-time password (printed once); their sessions end."""
    with _session(_config()) as session:
        user = _user(session, name)
        result: list[str] = []
        _apply(session, lambda: result.append(
            service.reset_password(session, user, actor=CLI_ACTOR)))
    click.echo(f"one-time password for {name!r} (shown once, change it at first login): "
               f"{result[0]}")


@user_group.command("change")
@click.argument("name")
@click.option("--role", type=click.Choice(ROLES), default=None)
@click.option("--office", default=None, help="office code, e.g. SBY")
def user_change(name: str, role: str | None, office: str | None) -> None:
    """Change the role and/or office of user NAME; their sessions end."""
    if role is None and office is None:
        raise click.UsageError("give --role and/or --office")
    with _session(_config()) as session:
        user = _user(session, name)
        _apply(session, lambda: service.change_role_office(session, user, role=role,
                                                           office=office, actor=CLI_ACTOR))
        click.echo(f"user {name!r}: {user.role} at {user.office_code}")


@click.group("token")
def token_group() -> None:
    """Manage API tokens."""


@token_group.command("create")
@click.argument("name")
@click.option("--label", default="cli", show_default=True, help="what the token is for")
@click.option("--days", type=click.IntRange(min=1, max=365), default=None,
              help="days until it expires, at most 365 (default: EWS_TOKEN_DAYS, 90)")
def token_create(name: str, label: str, days: int | None) -> None:
    """Create an API token for user NAME and print it once."""
    from ews.store.users import create_token

    config = _config()
    with _session(config) as session:
        row, token = create_token(session, _user(session, name), label, actor=CLI_ACTOR,
                                  days=days or config["TOKEN_DAYS"])
        session.commit()
    click.echo(f"token {row.id} for {name!r}, expires {row.expires_at:%Y-%m-%d} "
               "(shown once; keep it secret):", err=True)
    click.echo(token)


@token_group.command("revoke")
@click.argument("token_id", type=int)
def token_revoke(token_id: int) -> None:
    """Revoke the API token with id TOKEN_ID."""
    with _session(_config()) as session:
        _apply(session, lambda: service.revoke(session, token_id, actor=CLI_ACTOR))
    click.echo(f"token {token_id} revoked")


@token_group.command("list")
@click.argument("name")
def token_list(name: str) -> None:
    """List the tokens of user NAME (ids, labels, dates, state; never the tokens)."""
    from ews.store.db import as_utc, utcnow
    from ews.store.users import list_tokens

    with _session(_config()) as session:
        for row in list_tokens(session, _user(session, name)):
            expires = as_utc(row.expires_at)
            if row.revoked_at:
                state = f"revoked {row.revoked_at:%Y-%m-%d}"
            elif expires <= utcnow():
                state = f"expired {expires:%Y-%m-%d}"
            else:
                state = f"active, expires {expires:%Y-%m-%d}"
            click.echo(f"{row.id}\t{row.name}\t{row.created_at:%Y-%m-%d}\t{state}")
