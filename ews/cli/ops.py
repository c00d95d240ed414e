"""Operator commands: init, serve, audit verify; data care: retention apply, backup, restore.

See docs/operations.md.
"""

from __future__ import annotations

import datetime as dt
import os
import sys
from pathlib import Path

import click
from sqlalchemy import func, select

from ews.store.models import User

from .context import CLI_ACTOR, db_session, read_config


@click.command("init")
def init_cmd() -> None:
    """Create or migrate the database, activate the default rule set, create the first admin."""
    from ews.auth.passwords import generate_password, hash_password
    from ews.engine import RuleSetError, ruleset_files
    from ews.lifecycle.service import activate_ruleset, register_ruleset
    from ews.store.migrate import upgrade
    from ews.store.rulesets import active_record
    from ews.store.users import AccountError, create_user

    config = read_config()
    upgrade(config["DATABASE_URL"])
    click.echo("database: migrated to the latest schema")
    with db_session(config) as session:
        active = active_record(session)
        outdated = active is not None and _outdated(active)
        if outdated:
            click.echo(f"rule set: the active {active.ruleset_id} {active.version} no longer "
                       f"validates against this checklist ({outdated}); installing the "
                       f"shipped default in its place")
        if active is None or outdated:
            path = Path(config["RULES_PATH"])
            try:
                text, agencies = ruleset_files(path)
                row = register_ruleset(session, text, None, source=str(path),
                                       agencies=agencies)
            except RuleSetError as err:
                raise click.ClickException("invalid rule set:\n" + "\n".join(err.errors)) from None
            # The shipped default is activated by `ews init` itself (no second person yet).
            activate_ruleset(session, row, None)
            click.echo(f"rule set: activated {row.ruleset_id} {row.version} ({path})")
        if not session.scalar(select(func.count()).select_from(User)):
            name = os.environ.get("EWS_ADMIN_USER") or "admin"
            office = os.environ.get("EWS_ADMIN_OFFICE") or "PST"
            password = generate_password()
            try:
                create_user(session, name, "admin", office.strip().upper(),
                            hash_password(password), actor=CLI_ACTOR,
                            must_change_password=True)
            except AccountError as err:
                raise click.ClickException(f"EWS_ADMIN_USER/EWS_ADMIN_OFFICE: {err}") from None
            session.commit()
            click.echo(f"admin: created user {name!r} (office {office})")
            click.echo(f"one-time password (shown once, change it at first login): {password}")
        session.commit()
    click.echo("ready")


def _outdated(row) -> str | None:
    """Return the first problem of a stored rule set under the current checklist, or None.

    After an upgrade of the checklist (v1 to v2) a stored rule set may name fields that no
    longer exist: the service could not score with it, so `ews init` installs the default.
    """
    from ews.engine import RuleSetError
    from ews.lifecycle.compiled import TextMismatch, compiled

    try:
        compiled(row)
    except RuleSetError as err:
        return err.errors[0]
    except TextMismatch as err:  # tampered, not outdated: installing another would hide it
        raise click.ClickException(f"{err} (see `ews audit verify`)") from None
    return None


# How `ews serve` runs gunicorn (benchmarks/bench_http.py serves with the same). A worker
# is replaced after ~50,000 requests (a guard against slow leaks): starting one costs about
# two seconds of CPU, which every 5,000 requests took a fifth of a busy worker's time.
GUNICORN_SETTINGS = ("--timeout", "30", "--graceful-timeout", "20",
                     "--max-requests", "50000", "--max-requests-jitter", "5000")


@click.command("serve")
@click.option("--workers", type=int, default=None, help="default: EWS_WORKERS or one per CPU")
def serve_cmd(workers: int | None) -> None:
    """Serve the application with gunicorn on EWS_BIND (default 127.0.0.1:8000)."""
    config = read_config()
    # One sync worker per CPU: a submission is CPU-bound (its fsync is short), and extra
    # workers only add preemption while one holds the write lock (docs/performance.md).
    workers = workers or int(os.environ.get("EWS_WORKERS") or os.cpu_count() or 1)
    args = [sys.executable, "-m", "gunicorn", "--bind", config["BIND"],
            "--workers", str(workers), *GUNICORN_SETTINGS, "ews:create_app()"]
    click.echo(f"serving on http://{config['BIND']} with {workers} workers", err=True)
    os.execv(sys.executable, args)


@click.group("audit")
def audit_group() -> None:
    """Check the audit trail."""


@audit_group.command("verify")
def audit_verify() -> None:
    """Check the schema's objects, the audit chain and the report facts against their
    assessments; exit 1 naming the first problems."""
    from ews.audit import RowBreak, verify
    from ews.store import facts
    from ews.store.schema import unknown_objects

    with db_session(read_config()) as session:
        unknown = unknown_objects(session.connection())
        count, broken = verify(session)
        checked, wrong = facts.reconcile(session.connection())
    if unknown:
        click.echo(f"TAMPERED: the database holds objects EWS does not create: "
                   f"{', '.join(unknown)}", err=True)
        sys.exit(1)
    if isinstance(broken, RowBreak):
        click.echo(f"TAMPERED: {broken} (the chain of {count} events itself is intact)",
                   err=True)
        sys.exit(1)
    if broken is not None:
        click.echo(f"TAMPERED: {broken} ({count} events before it are intact)", err=True)
        sys.exit(1)
    if wrong:
        click.echo("TAMPERED: report facts do not match their assessments (the chain of "
                   f"{count} events is intact): " + "; ".join(wrong), err=True)
        sys.exit(1)
    click.echo(f"ok: {count} audit events, chain intact, rows match their events, "
               f"{checked} report facts match their assessments")


@click.group("retention")
def retention_group() -> None:
    """Redact personal data and free text older than the retention period."""


@retention_group.command("apply")
@click.option("--dry-run", is_flag=True, help="print the counts only; change nothing")
@click.option("--older-than", "days", type=click.IntRange(min=1), default=None,
              help="days; default EWS_RETENTION_DAYS (730)")
def retention_apply(dry_run: bool, days: int | None) -> None:
    """Redact assessments, decisions, outcomes and registrations older than DAYS; delete old
    login failures."""
    from ews.store import retention
    from ews.store.db import utcnow

    config = read_config()
    days = days or config["RETENTION_DAYS"]
    now = utcnow()
    cutoff = now - dt.timedelta(days=days)
    login_cutoff = now - dt.timedelta(seconds=config["LOGIN_WINDOW_SECONDS"])
    with db_session(config) as session:
        if dry_run:
            found = retention.counts(session, cutoff, login_cutoff)
        else:
            found = retention.apply(session, cutoff=cutoff, login_cutoff=login_cutoff,
                                    actor=CLI_ACTOR, days=days)
    verb = "would redact" if dry_run else "redacted"
    click.echo(f"{verb} (older than {days} days, before {cutoff:%Y-%m-%d %H:%M} UTC): "
               f"{found['assessments']} assessments, {found['decisions']} decisions, "
               f"{found['outcomes']} outcomes, {found['registrations']} registrations; "
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
        report = backup(read_config()["DATABASE_URL"], path)
    except BackupError as err:
        raise click.ClickException(str(err)) from None
    _finish(report)


@click.command("restore")
@click.argument("path", type=click.Path(dir_okay=False, path_type=Path))
@click.option("--check", "check_only", is_flag=True,
              help="only check PATH (integrity, migration level, schema objects, audit chain)")
def restore_cmd(path: Path, check_only: bool) -> None:
    """Check a backup; without --check, restore it where EWS_DATABASE_URL points (if empty)."""
    from ews.store.backup import BackupError, check, restore

    try:
        report = check(path) if check_only else restore(read_config()["DATABASE_URL"], path)
    except BackupError as err:
        raise click.ClickException(str(err)) from None
    _finish(report)


def _finish(report) -> None:
    click.echo(report.summary(), err=not report.ok)
    if not report.ok:
        sys.exit(1)

