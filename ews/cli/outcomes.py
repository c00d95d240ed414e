"""`ews outcomes import FILE.csv --source NAME --as USER`: link an external list's events."""

from __future__ import annotations

import json
from pathlib import Path

import click

from .context import db_session, named_user, read_config


@click.group("outcomes")
def outcomes_group() -> None:
    """Outcome labels from outside the interview (external lists)."""


@outcomes_group.command("import")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--source", required=True,
              help="the list's name, e.g. 'BP3MI Jatim 2026-11' (part of the re-import key)")
@click.option("--as", "username", required=True,
              help="your user name (an analyst, or a supervisor: own office only)")
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text",
              show_default=True)
def import_cmd(file: Path, source: str, username: str, fmt: str) -> None:
    """Import FILE (nik, event_date, kind[, destination, note]): each event labels the
    person's latest interview before it (two years at most). Importing it again creates
    nothing. Exit status 1 when a row was refused (the valid rows are imported)."""
    from ews.outcomes.imports import ImportInputError, import_outcomes
    from ews.store.db import utcnow

    config = read_config()
    with db_session(config) as session:
        user = named_user(session, username)
        if not user.active:
            raise click.ClickException(f"user {username!r} is not active")
        try:
            with file.open(encoding="utf-8-sig", newline="") as lines:
                summary = import_outcomes(session, lines, source=source, user=user,
                                          pii_key=config["PII_KEY"], now=utcnow())
        except ImportInputError as err:
            raise click.ClickException(f"{err.field}: {err}") from None
        except UnicodeDecodeError:
            raise click.ClickException("file: not UTF-8 text") from None
    out = summary.as_dict()
    if fmt == "json":
        click.echo(json.dumps(out, indent=2))
    else:
        click.echo(f"{out['rows']} rows: {out['matched']} matched, {out['unmatched']} "
                   f"unmatched, {out['labels_created']} labels created, "
                   f"{out['duplicates']} duplicates, {len(out['errors'])} refused")
        for e in summary.errors:
            click.echo(f"line {e.line}: {e.field}: {e.message}", err=True)
    if summary.errors:
        raise SystemExit(1)
