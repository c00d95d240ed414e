"""`ews token ...`: API tokens from the command line, printed once and never stored in clear."""

from __future__ import annotations

import click

from ews.admin import service
from ews.admin.service import AdminError

from .context import CLI_ACTOR, db_session, failing_on, named_user, read_config


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

    config = read_config()
    with db_session(config) as session:
        row, token = create_token(session, named_user(session, name), label, actor=CLI_ACTOR,
                                  days=days or config["TOKEN_DAYS"])
        session.commit()
    click.echo(f"token {row.id} for {name!r}, expires {row.expires_at:%Y-%m-%d} "
               "(shown once; keep it secret):", err=True)
    click.echo(token)


@token_group.command("revoke")
@click.argument("token_id", type=int)
def token_revoke(token_id: int) -> None:
    """Revoke the API token with id TOKEN_ID."""
    with db_session(read_config()) as session:
        with failing_on(AdminError, session=session):
            service.revoke(session, token_id, actor=CLI_ACTOR)
        session.commit()
    click.echo(f"token {token_id} revoked")


@token_group.command("list")
@click.argument("name")
def token_list(name: str) -> None:
    """List the tokens of user NAME (ids, labels, dates, state; never the tokens)."""
    from ews.store.db import as_utc, utcnow
    from ews.store.users import list_tokens

    with db_session(read_config()) as session:
        for row in list_tokens(session, named_user(session, name)):
            expires = as_utc(row.expires_at)
            if row.revoked_at:
                state = f"revoked {row.revoked_at:%Y-%m-%d}"
            elif expires <= utcnow():
                state = f"expired {expires:%Y-%m-%d}"
            else:
                state = f"active, expires {expires:%Y-%m-%d}"
            click.echo(f"{row.id}\t{row.name}\t{row.created_at:%Y-%m-%d}\t{state}")
