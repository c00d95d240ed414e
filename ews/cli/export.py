"""`ews export facts`: the report facts of a period as Parquet files (see ews.reports.parquet)."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import click

from .context import CLI_ACTOR, db_session, read_config


@click.group("export")
def export_group() -> None:
    """Export data for engines beyond one database."""


@export_group.command("facts")
@click.option("--from", "date_from", default=None, help="first interview day, YYYY-MM-DD "
                                                        "(default: 364 days before --to)")
@click.option("--to", "date_to", default=None, help="last interview day, YYYY-MM-DD "
                                                    "(default: today)")
@click.option("--office", default=None, help="office code(s), comma-separated (default: all)")
@click.option("--out", "out", required=True, type=click.Path(path_type=Path),
              help="a new or empty directory")
@click.option("--format", "fmt", type=click.Choice(["parquet"]), default="parquet",
              show_default=True, help="file format")
def export_facts_cmd(date_from: str | None, date_to: str | None, office: str | None, out: Path,
                     fmt: str) -> None:
    """Write the report facts of the period to OUT, partitioned by office and month (hive
    style). Rows, not aggregates: no group is suppressed - hide groups under 11 in whatever
    you publish from them."""
    from sqlalchemy.exc import DBAPIError

    from ews import audit
    from ews.reports import ReportInputError, parse_params
    from ews.reports.parquet import ExportError, export_facts
    from ews.store import facts

    try:
        params = parse_params(date_from, date_to, office, today=dt.date.today())
    except ReportInputError as err:
        raise click.UsageError(str(err)) from None
    with db_session(read_config()) as session:
        try:
            facts.catch_up(session.get_bind())
        except DBAPIError as err:  # a read-only database: the facts there are
            if not facts.is_read_only(err):
                raise
        try:
            rows = export_facts(session.connection(), params, out)
        except ExportError as err:
            raise click.UsageError(str(err)) from None
        audit.record(session, "facts.exported", actor=CLI_ACTOR, data={
            "format": fmt, "from": params.start.isoformat(),
            "to": (params.end - dt.timedelta(days=1)).isoformat(),
            "offices": list(params.offices) if params.offices else None, "rows": rows})
        session.commit()
    click.echo(f"{rows} report facts written to {out} ({fmt}, by office and month)")
