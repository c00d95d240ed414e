"""`ews user ...`: user administration from the command line.

Every change is audited with the actor `cli`; the last active admin cannot be disabled or
demoted. One-time passwords are printed once and never stored in clear.
"""

from __future__ import annotations

import os

import click

from ews.admin import service
from ews.admin.service import AdminError
from ews.auth.scope import ROLES

from .context import CLI_ACTOR, db_session, failing_on, named_user, read_config


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
    with db_session(read_config()) as session:
        with failing_on(AdminError, session=session):
            user, otp = service.add_user(session, name, role, office, actor=CLI_ACTOR,
                                         password=password)
        session.commit()
    click.echo(f"user {name!r} added: {role} at {user.office_code}")
    if otp:
        click.echo(f"one-time password (shown once, change it at first login): {otp}")


@user_group.command("list")
def user_list() -> None:
    """List users: name, role, office, state, and how many tokens are usable."""
    with db_session(read_config()) as session:
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
    _set_active(name, False)


@user_group.command("enable")
@click.argument("name")
def user_enable(name: str) -> None:
    """Enable user NAME again."""
    _set_active(name, True)


def _set_active(name: str, active: bool) -> None:
    with db_session(read_config()) as session:
        user = named_user(session, name)
        with failing_on(AdminError, session=session):
            service.set_active(session, user, active, actor=CLI_ACTOR)
        session.commit()
    click.echo(f"user {name!r} {'enabled' if active else 'disabled'}")


@user_group.command("reset-password")
@click.argument("name")
def user_reset_password(name: str) -> None:
    """Give user NAME a one-time password (printed once); their sessions end."""
    with db_session(read_config()) as session:
        user = named_user(session, name)
        with failing_on(AdminError, session=session):
            otp = service.reset_password(session, user, actor=CLI_ACTOR)
        session.commit()
    click.echo(f"one-time password for {name!r} (shown once, change it at first login): "
               f"{otp}")


@user_group.command("change")
@click.argument("name")
@click.option("--role", type=click.Choice(ROLES), default=None)
@click.option("--office", default=None, help="office code, e.g. SBY")
def user_change(name: str, role: str | None, office: str | None) -> None:
    """Change the role and/or office of user NAME; their sessions end."""
    if role is None and office is None:
        raise click.UsageError("give --role and/or --office")
    with db_session(read_config()) as session:
        user = named_user(session, name)
        with failing_on(AdminError, session=session):
            service.change_role_office(session, user, role=role, office_code=office,
                                       actor=CLI_ACTOR)
        session.commit()
        click.echo(f"user {name!r}: {user.role} at {user.office_code}")
