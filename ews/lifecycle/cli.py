"""`ews rules draft|submit|approve|reject|activate|rollback|...`: the lifecycle from a shell.

They talk to the database directly and act as the user named by --user (an operator with
access to the server's configuration); every step is recorded under that name.
"""

from __future__ import annotations

from pathlib import Path

import click

from .states import ACTIONS, STATES

USER_OPTION = click.option("--user", "username", required=True, envvar="EWS_USER",
                           help="the user you act as (env EWS_USER); the author may not "
                                "approve, activate or roll back their own version")


SHA_OPTION = click.option("--sha256", default=None, metavar="SHA256",
                          help="the sha256 of the text you reviewed: refused if it changed")


def _fail_lifecycle(err) -> None:
    raise click.ClickException(str(err)) from None


@click.command("draft")
@click.argument("file", type=click.Path(dir_okay=False, exists=True))
@USER_OPTION
@click.option("--edit", "edit", default=None, metavar="VERSION",
              help="replace the text of this draft of yours instead of adding a new one")
def draft_cmd(file: str, username: str, edit: str | None) -> None:
    """Store FILE as a new draft (or replace a draft's text); errors name their line."""
    from ews.engine import RuleSetError, ruleset_files
    from ews.service_cli import _config, _session, _user

    from .lines import locate
    from .service import create_draft, edit_draft
    from .states import LifecycleError

    text = Path(file).read_text(encoding="utf-8")
    with _session(_config()) as session:
        user = _user(session, username)
        try:
            agencies = ruleset_files(file)[1]  # the P3MI list beside the file, if it names one
            agencies = agencies.decode("utf-8") if agencies is not None else None
            if edit:
                row = edit_draft(session, user, _version(session, edit), text, source=file,
                                 agencies=agencies)
            else:
                row = create_draft(session, user, text, source=file, agencies=agencies)
        except RuleSetError as err:
            lines = [f"{file}:{e.line}: {e.message}" if e.line else f"{file}: {e.message}"
                     for e in locate(text, err.errors, file)]
            raise click.ClickException("invalid rule set:\n" + "\n".join(lines)) from None
        except LifecycleError as err:
            _fail_lifecycle(err)
        session.commit()
    click.echo(f"draft #{row.id}: {row.ruleset_id} {row.version} sha256 {row.sha256}")


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
        from ews.service_cli import _config, _session, _user

        from .service import transition
        from .states import LifecycleError

        with _session(_config()) as session:
            user = _user(session, username)
            row = _version(session, version)
            try:
                transition(session, user, row, action, reason, sha256=sha256,
                           evidence=evidence)
            except LifecycleError as err:
                _fail_lifecycle(err)
            session.commit()
        click.echo(f"#{row.id} {row.ruleset_id} {row.version}: {action} -> {row.status}")

    step.help = f"{action.capitalize()} rule-set VERSION (#id, ID@VERSION or a version)."
    return step


@click.command("versions")
@click.option("--state", type=click.Choice(STATES), default=None)
def versions_cmd(state: str | None) -> None:
    """List stored rule-set versions with their state, newest first."""
    from ews.service_cli import _config, _session
    from ews.store.rulesets import list_rulesets

    with _session(_config()) as session:
        for row in list_rulesets(session):
            if state is None or row.status == state:
                click.echo(f"#{row.id}\t{row.ruleset_id}\t{row.version}\t{row.status}\t"
                           f"{row.sha256[:12]}")


def add_commands(group: click.Group) -> None:
    """Attach the lifecycle commands to the `ews rules` group."""
    group.add_command(draft_cmd)
    group.add_command(versions_cmd)
    for action in ACTIONS:
        group.add_command(_step_command(action))


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

    from ews.engine import RuleSetError, load_ruleset
    from ews.service_cli import _config, _session

    from .evidence import record_backtest
    from .lines import locate
    from .report import as_data, to_markdown
    from .run import run_backtest
    from .states import LifecycleError

    try:
        ruleset = load_ruleset(candidate)
    except RuleSetError as err:
        text = Path(candidate).read_text(encoding="utf-8", errors="replace")
        lines = [f"{candidate}:{e.line}: {e.message}" if e.line else f"{candidate}: {e.message}"
                 for e in locate(text, err.errors, candidate)]
        raise click.ClickException("invalid rule set:\n" + "\n".join(lines)) from None
    utc = dt.UTC
    since = since.replace(tzinfo=utc) if since else None
    until = (until.replace(tzinfo=utc) + dt.timedelta(days=1)) if until else None
    with _session(_config()) as session:
        try:
            result = run_backtest(session, ruleset, against=against, since=since, until=until,
                                  office=office.strip().upper() if office else None,
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
