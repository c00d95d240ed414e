"""`ews report NAME`: a report on stdout, as it would leave the office (suppressed, audited)."""

from __future__ import annotations

import datetime as dt
import sys

import click

from .context import CLI_ACTOR, db_session, read_config


@click.command("report")
@click.argument("name")
@click.option("--from", "date_from", default=None, help="first day, YYYY-MM-DD "
                                                        "(default: 364 days before --to)")
@click.option("--to", "date_to", default=None, help="last day, YYYY-MM-DD (default: today)")
@click.option("--office", default=None, help="office code(s), comma-separated (default: all)")
@click.option("--format", "fmt", default="md", show_default=True,
              help="json, csv, md or xlsx (xlsx, and csv of a report of several tables - "
                   "a zip of one CSV per table - need a redirect to a file)")
@click.option("--by", type=click.Choice(["interview", "submitted"]), default="interview",
              show_default=True, help="date each interview by when it took place or by when "
                                      "it was submitted (office's local time)")
@click.option("--lang", type=click.Choice(["id", "en"]), default="id", show_default=True,
              help="language of the column headers and table titles")
def report_cmd(name: str, date_from: str | None, date_to: str | None, office: str | None,
               fmt: str, by: str, lang: str) -> None:
    """Print report NAME (overview, destinations, recruitment, areas, networks, fairness,
    outcomes, misses, officers) with groups under 11 shown as "<11" and officers as
    pseudonyms (unless an admin turned that off)."""
    from ews import audit
    from ews.reports import FORMATS, ReportInputError, parse_params, run, spec, suppress
    from ews.reports.export import download
    from ews.reports.model import newest_today
    from ews.reports.service import leaving

    try:
        spec(name)
        if fmt not in FORMATS:
            raise ReportInputError("format", f"unknown format {fmt!r}; use one of "
                                             f"{', '.join(FORMATS)}")
        today = newest_today(dt.datetime.now(dt.UTC))
        params = parse_params(date_from, date_to, office, today=today, by=by)
    except ReportInputError as err:
        raise click.UsageError(str(err)) from None
    if fmt == "xlsx" and sys.stdout.isatty():
        raise click.UsageError("xlsx is binary: redirect it to a file (> report.xlsx)")
    config = read_config()
    with db_session(config) as session:
        conn = session.connection()
        report = leaving(conn, suppress(run(name, conn, params, pii_key=config["PII_KEY"])),
                         config["PII_KEY"])
        body, _, ext = download(report, fmt, lang)
        if ext == "zip" and sys.stdout.isatty():
            raise click.UsageError(f"the {name} report has several tables: its csv is a zip "
                                   "of one CSV per table; redirect it to a file (> report.zip)")
        audit.record(session, "report.exported", actor=CLI_ACTOR, data={
            "report": name, "format": fmt, "from": params.start.isoformat(),
            "to": (params.end - dt.timedelta(days=1)).isoformat(),
            "offices": list(params.offices) if params.offices else None, "by": params.by,
            "via": "cli"})
        session.commit()
    sys.stdout.buffer.write(body)
    sys.stdout.flush()
