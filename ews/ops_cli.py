"""Operator commands for data care: retention apply, backup, restore (see docs/operations.md)."""

from __future__ import annotations

import datetime as dt
import sys
from pathlib import Path

import click

from ews.service_cli import CLI_ACTOR, _config, _session


@click.group("retention")
def retention_group() -> None:
    """Redact personal data and free text older than the retention period."""


@retention_group.command("apply")
@click.option("--dry-run", is_flag=True, help="print the counts only; change nothing")
@click.option("--older-than", "days", type=click.IntRange(min=1), default=None,
              help="days; default EWS_RETENTION_DAYS (730)")
def retention_apply(dry_run: bool, days: int | None) -> None:
    """Redact assessments, decisions and outcomes older than DAYS; delete old login failures."""
    from ews.store import retention
    from ews.store.db import utcnow

    config = _config()
    days = days or config["RETENTION_DAYS"]
    now = utcnow()
    cutoff = now - dt.timedelta(days=days)
    login_cutoff = now - dt.timedelta(seconds=config["LOGIN_WINDOW_SECONDS"])
    with _session(config) as session:
        if dry_run:
            found = retention.counts(session, cutoff, login_cutoff)
        else:
            found = retention.apply(session, cutoff=cutoff, login_cutoff=login_cutoff,
                                    actor=CLI_ACTOR, days=days)
    verb = "would redact" if dry_run else "redacted"
    click.echo(f"{verb} (older than {days} days, before {cutoff:%Y-%m-%d %H:%M} UTC): "
               f"{found['assessments']} assessments, {found['decisions']} decisions, "
               f"{found['outcomes']} outcomes; "
               f"{'would delete' if dry_run else 'deleted'} {found['login_failures']} "
               f"failed-login rows and {found['login_throttle']} throttle counts")
    if found.get("wal_cleared") == 0:
        click.echo("note: the database was busy, so its write-ahead log still holds the "
                   "replaced values until the service overwrites them; run again when quiet")


@click.command("backup")
@click.argument("path", type=click.Path(dir_okay=False, path_type=Path))
def backup_cmd(path: Path) -> None:
    """Back up the SQLite database into PATH (a new file) and check the copy."""
    from ews.store.backup import BackupError, backup

    try:
        report = backup(_config()["DATABASE_URL"], path)
    except BackupError as err:
        raise click.ClickException(str(err)) from None
    _finish(report)


@click.command("restore")
@click.argument("path", type=click.Path(dir_okay=False, path_type=Path))
@click.option("--check", "check_only", is_flag=True,
              help="only check PATH (integrity, migration level, audit chain)")
def restore_cmd(path: Path, check_only: bool) -> None:
    """Check a backup; without --check, restore it where EWS_DATABASE_URL points (if empty)."""
    from ews.store.backup import BackupError, check, restore

    try:
        report = check(path) if check_only else restore(_config()["DATABASE_URL"], path)
    except BackupError as err:
        raise click.ClickException(str(err)) from None
    _finish(report)


def _finish(report) -> None:
    click.echo(report.summary(), err=not report.ok)
    if not report.ok:
        sys.exit(1)


COMMANDS = (retention_group, backup_cmd, restore_cmd)
