"""`ews field pack|open|close|import`: the Jemput Bola field kit (docs/operations.md)."""

from __future__ import annotations

import json
import os
from pathlib import Path

import click

from .context import db_session, failing_on, named_user, read_config

PASSPHRASE_ENV = "EWS_FIELD_PASSPHRASE"


def _passphrase(confirm: bool) -> str:
    """Return EWS_FIELD_PASSPHRASE, else ask for it (twice when packing)."""
    given = os.environ.get(PASSPHRASE_ENV)
    if given:
        return given
    return click.prompt("kit passphrase", hide_input=True, confirmation_prompt=confirm)


def _write_new(path: Path, data: bytes) -> None:
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        raise click.ClickException(f"--out: {path} exists already; name a new file") from None
    with os.fdopen(fd, "wb") as fh:
        fh.write(data)


@click.group("field")
def field_group() -> None:
    """Jemput Bola: a field instance for interviews without a network, merged back after."""


@field_group.command("pack")
@click.option("--office", "office_code", required=True, help="the office's code, e.g. PMK")
@click.option("--users", required=True, help="comma list of the team's user names")
@click.option("--days", type=int, default=7, show_default=True,
              help="the kit (and its bundle's import) expires after this many days")
@click.option("--out", "out", required=True, type=click.Path(dir_okay=False, path_type=Path))
@click.option("--as", "username", required=True, help="your user name (an admin)")
def pack_cmd(office_code: str, users: str, days: int, out: Path, username: str) -> None:
    """Pack a kit for a field day: rule set, model, the team, 90 days of history keys."""
    from ews.field.crypto import FieldError, check_passphrase, lock_kit
    from ews.field.pack import pack
    from ews.store.db import utcnow

    config = read_config()
    if out.exists():
        raise click.ClickException(f"--out: {out} exists already; name a new file")
    passphrase = _passphrase(confirm=True)
    with failing_on(FieldError):
        check_passphrase(passphrase)
    with db_session(config) as session, failing_on(FieldError, session=session):
        user = named_user(session, username)
        payload = pack(session, office_code=office_code.strip().upper(),
                       usernames=[u.strip() for u in users.split(",") if u.strip()],
                       days=days, actor=user, secret=config["SECRET_KEY"],
                       pii_key=config["PII_KEY"], office_model_key=config["MODEL_KEY"],
                       now=utcnow())
    _write_new(out, lock_kit(payload, passphrase))
    click.echo(f"kit {payload['kit_id']} for {payload['office']['code']} written to {out}: "
               f"{len(payload['users'])} users, {len(payload['history'])} history keys, "
               f"expires {payload['expires_at'][:16]} UTC")


@field_group.command("open")
@click.argument("kit", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--dir", "folder", required=True, type=click.Path(file_okay=False, path_type=Path))
def open_cmd(kit: Path, folder: Path) -> None:
    """Create the field instance of KIT in DIR; then `EWS_INSTANCE_PATH=DIR ews serve`."""
    from ews.field.crypto import FieldError, unlock_kit
    from ews.field.instance import open_kit
    from ews.store.db import utcnow

    with failing_on(FieldError):
        payload = unlock_kit(kit.read_bytes(), _passphrase(confirm=False))
        open_kit(payload, folder.resolve(), now=utcnow())
    click.echo(f"field instance of kit {payload['kit_id']} ({payload['office']['code']}) "
               f"ready in {folder}; serve it with: EWS_INSTANCE_PATH={folder} ews serve")


@field_group.command("close")
@click.option("--dir", "folder", required=True,
              type=click.Path(exists=True, file_okay=False, path_type=Path))
@click.option("--out", "out", required=True, type=click.Path(dir_okay=False, path_type=Path))
def close_cmd(folder: Path, out: Path) -> None:
    """Close the field instance in DIR (read-only from now on) and write its bundle."""
    from ews.config import ConfigError, field_settings
    from ews.field.crypto import FieldError
    from ews.field.instance import close
    from ews.store.db import utcnow

    env = os.environ | {"EWS_INSTANCE_PATH": str(folder.resolve())}
    with failing_on(ConfigError):
        settings = field_settings(env)
    if settings is None:
        raise click.ClickException(f"--dir: {folder} holds no field instance")
    if out.exists():
        raise click.ClickException(f"--out: {out} exists already; name a new file")
    with db_session(_field_config(env)) as session, failing_on(FieldError, session=session):
        data = close(session, settings, now=utcnow())
    _write_new(out, data)
    click.echo(f"kit {settings['kit_id']} closed; bundle written to {out} "
               f"({len(data) // 1024} KiB). Import it at the office: ews field import {out}")


def _field_config(env) -> dict:
    """Return the configuration of the field instance `env` names."""
    from ews.config import ConfigError, load_config

    with failing_on(ConfigError):
        return load_config(env)


@field_group.command("import")
@click.argument("bundle", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--as", "username", required=True,
              help="your user name (an admin, or a supervisor of the kit's office)")
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text",
              show_default=True)
def import_cmd(bundle: Path, username: str, fmt: str) -> None:
    """Check BUNDLE and merge what is new into the office's log (again: nothing added)."""
    from ews.field.crypto import FieldError
    from ews.field.imports import Summary, import_bundle
    from ews.review.sla import SLA
    from ews.store.db import utcnow

    config = read_config()
    if config.get("FIELD"):
        raise click.ClickException("this is a field instance: import bundles at the office")
    sla = SLA.from_config(config)
    with db_session(config) as session:
        user = named_user(session, username)
        try:
            summary = import_bundle(session, bundle.read_bytes(), actor=user,
                                    secret=config["SECRET_KEY"], due_at=sla.due_at,
                                    now=utcnow())
        except FieldError as err:
            if fmt == "json":
                click.echo(json.dumps(Summary(errors=[str(err)]).as_dict(), indent=2))
                raise SystemExit(1) from None
            raise click.ClickException(str(err)) from None
    out = summary.as_dict()
    if fmt == "json":
        click.echo(json.dumps(out, indent=2))
        return
    click.echo(f"kit {out['kit_id']}: {out['assessments']} assessments, {out['decisions']} "
               f"decisions, {out['outcomes']} outcomes, {out['registrations']} "
               f"registrations, {out['events']} field events imported; {out['duplicates']} "
               f"already here; {len(out['conflicts'])} conflicts")
    for c in summary.conflicts:
        click.echo(f"conflict: application {c['application_id']}: {c['problem']}", err=True)
