"""`ews rules ...` and `ews backtest`: check, describe and move rule sets through their lifecycle.

The lifecycle commands (draft, submit, approve, ... rollback) talk to the database directly
and act as the user named by --user (an operator with access to the server's configuration);
every step is recorded under that name.
"""

from __future__ import annotations

import sys
from pathlib import Path

import click

from ews.config import rules_path
from ews.engine import RuleSetError, load_ruleset
from ews.engine.describe import MARKER, render_table
from ews.lifecycle.states import ACTIONS, STATES

from .context import db_session, failing_on, named_user, read_config


@click.group()
def rules() -> None:
    """Check and describe rule sets."""


@rules.command("check")
@click.argument("files", nargs=-1, required=True, type=click.Path(dir_okay=False))
def check(files: tuple[str, ...]) -> None:
    """Validate rule-set files: exit 0, or print every error one a line and exit 1."""
    failed = False
    for path in files:
        try:
            rs = load_ruleset(path)
        except RuleSetError as exc:
            failed = True
            for line in exc.errors:
                click.echo(line, err=True)
        else:
            click.echo(f"{path}: ok ({rs.id} {rs.version}, {len(rs.indicators)} indicators, "
                       f"{len(rs.escalations)} escalations, sha256 {rs.sha256})")
    sys.exit(1 if failed else 0)


@rules.command("table")
@click.argument("file", required=False, type=click.Path(dir_okay=False))
@click.option("--into", type=click.Path(dir_okay=False),
              help=f"Replace what follows the line {MARKER!r} in this Markdown file.")
def table_cmd(file: str | None, into: str | None) -> None:
    """Print the indicator table of a rule set (default: the shipped one) as Markdown."""
    try:
        text = render_table(Path(file) if file else rules_path())
    except RuleSetError as exc:
        for line in exc.errors:
            click.echo(line, err=True)
        sys.exit(1)
    if not into:
        click.echo(text, nl=False)
        return
    doc = Path(into).read_text(encoding="utf-8")
    if MARKER not in doc:
        raise click.ClickException(f"{into}: no line {MARKER!r} to write after")
    Path(into).write_text(doc.split(MARKER)[0] + MARKER + "\n\n" + text, encoding="utf-8")


USER_OPTION = click.option("--user", "username", required=True, envvar="EWS_USER",
                           help="the user you act as (env EWS_USER); the author may not "
                                "approve, activate or roll back their own version")


SHA_OPTION = click.option("--sha256", default=None, metavar="SHA256",
                          help="the sha256 of the text you reviewed: refused if it changed")


@rules.command("draft")
@click.argument("file", type=click.Path(dir_okay=False, exists=True))
@USER_OPTION
@click.option("--edit", "edit", default=None, metavar="VERSION",
              help="replace the text of this draft of yours instead of adding a new one")
def draft_cmd(file: str, username: str, edit: str | None) -> None:
    """Store FILE as a new draft (or replace a draft's text); errors name their line."""
    from ews.engine import ruleset_files
    from ews.lifecycle.service import create_draft, edit_draft
    from ews.lifecycle.states import LifecycleError

    text = Path(file).read_text(encoding="utf-8")
    with db_session(read_config()) as session:
        user = named_user(session, username)
        try:
            agencies = ruleset_files(file)[1]  # the P3MI list beside the file, if it names one
            agencies = agencies.decode("utf-8") if agencies is not None else None
            if edit:
                row = edit_draft(session, user, _version(session, edit), text, source=file,
                                 agencies=agencies)
            else:
                row = create_draft(session, user, text, source=file, agencies=agencies)
        except RuleSetError as err:
            raise _invalid(file, text, err) from None
        except LifecycleError as err:
            raise click.ClickException(str(err)) from None
        session.commit()
    click.echo(f"draft #{row.id}: {row.ruleset_id} {row.version} sha256 {row.sha256}")


def _invalid(path: str, text: str, err: RuleSetError) -> click.ClickException:
    """Return the error listing a rule-set file's problems, each with its line."""
    from ews.lifecycle.lines import locate

    lines = [f"{path}:{e.line}: {e.message}" if e.line else f"{path}: {e.message}"
             for e in locate(text, err.errors, path)]
    return click.ClickException("invalid rule set:\n" + "\n".join(lines))


def _version(session, ref: str):
    from ews.store.rulesets import find_version

    row = find_version(session, ref)
    if row is None:
        raise click.ClickException(f"no rule-set version {ref!r} (give #id, ID@VERSION, "
                                   "a version, 'live' or 'shadow')")
    return row


def _step_command(action: str) -> click.Command:
    @click.command(action)
    @click.argument("version")
    @USER_OPTION
    @click.option("--reason", default="", help="why (required to reject, roll back, retire)")
    @SHA_OPTION
    @click.option("--evidence", type=click.IntRange(1), default=None, metavar="ID",
                  help="approve: the stored backtest or shadow summary of this text "
                       "(`ews rules backtest` prints its number)")
    def step(version: str, username: str, reason: str, sha256: str | None,
             evidence: int | None) -> None:
        from ews.lifecycle.service import transition
        from ews.lifecycle.states import LifecycleError

        with db_session(read_config()) as session:
            user = named_user(session, username)
            row = _version(session, version)
            with failing_on(LifecycleError):
                transition(session, user, row, action, reason, sha256=sha256,
                           evidence=evidence)
            session.commit()
        click.echo(f"#{row.id} {row.ruleset_id} {row.version}: {action} -> {row.status}")

    step.help = f"{action.capitalize()} rule-set VERSION (#id, ID@VERSION or a version)."
    return step


@rules.command("versions")
@click.option("--state", type=click.Choice(STATES), default=None)
def versions_cmd(state: str | None) -> None:
    """List stored rule-set versions with their state, newest first."""
    from ews.store.rulesets import list_rulesets

    with db_session(read_config()) as session:
        for row in list_rulesets(session):
            if state is None or row.status == state:
                click.echo(f"#{row.id}\t{row.ruleset_id}\t{row.version}\t{row.status}\t"
                           f"{row.sha256[:12]}")


for _action in ACTIONS:
    rules.add_command(_step_command(_action))


@click.command("backtest")
@click.argument("candidate", type=click.Path(dir_okay=False, exists=True))
@click.option("--against", default="live", show_default=True,
              help="baseline: 'live', a version id, ID@VERSION or a version")
@click.option("--from", "since", type=click.DateTime(["%Y-%m-%d"]), default=None,
              help="first day (UTC) of stored assessments to replay")
@click.option("--to", "until", type=click.DateTime(["%Y-%m-%d"]), default=None,
              help="last day (UTC, included)")
@click.option("--office", default=None, help="only this office's assessments")
@click.option("--format", "fmt", type=click.Choice(["md", "json"]), default="md",
              show_default=True)
@click.option("--min-support", type=int, default=30, show_default=True,
              help="warn where precision or recall rest on fewer rows")
@click.option("--workers", type=click.IntRange(1, 16), default=2, show_default=True,
              help="processes replaying parts of the rows in parallel")
@click.option("--user", "username", default=None, envvar="EWS_USER",
              help="who ran it, stored with its summary (default: the shell's user)")
def backtest_cmd(candidate: str, against: str, since, until, office, fmt: str,
                 min_support: int, workers: int, username: str | None) -> None:
    """Replay CANDIDATE.yaml and a baseline over stored assessments.

    Changes no assessment; stores the summary (figures, the text's sha256, who, when) as
    evidence an approval of exactly this text can name (its number goes to stderr).
    """
    import datetime as dt
    import json

    from ews.lifecycle.evidence import record_backtest
    from ews.lifecycle.report import as_data, to_markdown
    from ews.lifecycle.run import run_backtest
    from ews.lifecycle.states import LifecycleError

    try:
        ruleset = load_ruleset(candidate)
    except RuleSetError as err:
        text = Path(candidate).read_text(encoding="utf-8", errors="replace")
        raise _invalid(candidate, text, err) from None
    utc = dt.UTC
    since = since.replace(tzinfo=utc) if since else None
    until = (until.replace(tzinfo=utc) + dt.timedelta(days=1)) if until else None
    with db_session(read_config()) as session:
        try:
            result = run_backtest(session, ruleset, against=against, since=since, until=until,
                                  office_code=office.strip().upper() if office else None,
                                  min_support=min_support, workers=workers)
        except LifecycleError as err:
            raise click.ClickException(str(err)) from None
        stored = record_backtest(session, result, username)
        session.commit()
    click.echo(f"evidence #{stored.id}: backtest of sha256 {ruleset.sha256[:12]} "
               f"(approve with --evidence {stored.id})", err=True)
    if fmt == "json":
        click.echo(json.dumps(as_data(result), ensure_ascii=False, indent=1))
    else:
        click.echo(to_markdown(result), nl=False)
