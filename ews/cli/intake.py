"""`ews intake FILE.csv`: register the day's applications from the front desk's export.

The file is read as a stream (ews/cli/intake_csv.py): at most 100,000 rows, cells of at
most 131,072 characters, each column named once. All or nothing: every row is checked
first; when any row is bad, each problem is printed as "line N: field: message" (never the
value: it may be a NIK) and nothing is stored. A row that is already registered with the
same data is counted, not stored twice.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import click
from marshmallow import ValidationError

from ews.checklist import INTAKE_FIELDS, validate_intake

from .context import CLI_ACTOR, db_session, named_user, read_config
from .intake_csv import read_rows


def check_rows(rows: list[tuple[int, dict]]) -> tuple[list[tuple[int, dict]], list[str]]:
    """Validate every row; return the records and the problems by line and field."""
    records, problems = [], []
    first: dict[tuple[str, str], int] = {}
    for line, row in rows:
        try:
            record = validate_intake(row, "en", now=dt.datetime.now(dt.UTC))
        except ValidationError as err:
            for name, messages in sorted(err.messages.items()):
                text = " ".join(messages) if isinstance(messages, list) else str(messages)
                problems.append(f"line {line}: {name}: {text}")
            continue
        ident = (record["office_code"], record["application_id"])
        if ident in first:
            problems.append(f"line {line}: application_id: the same application id of "
                            f"office {ident[0]} is on line {first[ident]} too")
            continue
        first[ident] = line
        records.append((line, record))
    return records, problems


@click.command("intake")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--user", "username", default=None,
              help="the front-desk (intake) or admin user who registers (default: cli)")
def intake_cmd(file: Path, username: str | None) -> None:
    """Register today's applications from a CSV file (nothing stored when a row is bad)."""
    from ews.store.applications import check, register, unknown_offices

    config = read_config()
    rows, problems = read_rows(file, INTAKE_FIELDS)
    records, row_problems = check_rows(rows)
    problems += row_problems
    with db_session(config) as session:
        user = named_user(session, username) if username else None
        if user is not None and (user.role not in ("intake", "admin") or not user.active):
            raise click.ClickException(f"user {username!r} may not register applications "
                                       "(role intake or admin, active)")
        offices = unknown_offices(session, {r["office_code"] for _, r in records})
        for line, record in records:
            if record["office_code"] in offices:
                problems.append(f"line {line}: office_code: unknown office")
            elif user is not None and user.role == "intake" \
                    and record["office_code"] != user.office_code:
                problems.append(f"line {line}: office_code: not the office of {username!r}")
        key = config["PII_KEY"]
        if not problems:
            states = check(session, [r for _, r in records], key)
            problems += [f"line {line}: application_id: already registered with other data"
                         for (line, _), state in zip(records, states, strict=True)
                         if state == "conflict"]
        if problems:
            for problem in problems:
                click.echo(problem, err=True)
            raise click.ClickException(f"{len(problems)} problem(s) in {file.name}; "
                                       "nothing was stored")
        done = register(session, [r for _, r in records], key=key,
                        actor=username or CLI_ACTOR, user_id=user.id if user else None)
    new = sum(r.created for r in done)
    click.echo(f"registered {new} application(s); {len(done) - new} already registered")
