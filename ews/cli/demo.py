"""`ews demo`: write a realistic synthetic history into the configured database."""

from __future__ import annotations

import datetime as dt
import secrets
import time
from pathlib import Path

import click
from sqlalchemy.exc import IntegrityError

from .context import CLI_ACTOR, db_session, read_config


def _month(value: str | None) -> dt.date | None:
    if value is None:
        return None
    try:
        return dt.datetime.strptime(value, "%Y-%m").date()
    except ValueError:
        raise click.BadParameter("use YYYY-MM, e.g. 2026-11", param_hint="--end") from None


def _offices(value: str) -> tuple[str, ...]:
    if value.strip().isdigit():  # a count: the demo's offices, then numbered ones
        from ews.demo.plan import MAX_OFFICES, office_codes

        if not 1 <= int(value) <= MAX_OFFICES:
            raise click.BadParameter(f"between 1 and {MAX_OFFICES} offices",
                                     param_hint="--offices")
        return office_codes(int(value))
    codes = tuple(c.strip().upper() for c in value.split(",") if c.strip())
    bad = [c for c in codes if not (2 <= len(c) <= 16 and c.isalnum())]
    if not codes or bad:
        raise click.BadParameter("a comma-separated list of office codes (2-16 letters or "
                                 "digits), e.g. PMK,SBY, or a count of offices, e.g. 125",
                                 param_hint="--offices")
    return codes


@click.command("demo")
@click.option("--assessments", "n", type=click.IntRange(1, 5_000_000), default=10_000,
              show_default=True, help="how many interviews to write")
@click.option("--months", type=click.IntRange(3, 60), default=12, show_default=True)
@click.option("--offices", default="PMK,SBY,MLG", show_default=True,
              help="comma-separated office codes, or how many offices (e.g. 125)")
@click.option("--seed", type=int, default=7, show_default=True)
@click.option("--end", default=None, help="first month after the window, YYYY-MM "
                                          "(default 2026-11; fixed so a seed repeats)")
@click.option("--batch", type=click.IntRange(100, 50_000), default=5000, show_default=True)
@click.option("--external-outcomes", "external_path", default=None,
              type=click.Path(dir_okay=False, writable=True, path_type=Path),
              help="also write what later happened to some applicants as an external list "
                   "(CSV for `ews outcomes import`, synthetic NIKs)")
@click.option("--bulk", "workers", type=click.IntRange(1, 64), default=None,
              help="PostgreSQL: write with COPY from this many worker processes (a national "
                   "year of 5,000,000 in minutes; answers drawn from validated answer sets, "
                   "see docs/demo.md)")
def demo_cmd(n: int, months: int, offices: str, seed: int, end: str | None,
             batch: int, external_path: Path | None, workers: int | None) -> None:
    """Write N synthetic interviews with decisions and outcomes (see docs/demo.md)."""
    from tqdm import tqdm

    from ews.demo import NoRuleSet, SeedTaken, plan, run

    codes = _offices(offices)
    window = plan.Window(months, _month(end) or plan.DEFAULT_END)
    if window.end > dt.date.today():
        raise click.BadParameter("the window must end in the past", param_hint="--end")
    config = read_config()
    if workers and not config["DATABASE_URL"].startswith("postgresql"):
        raise click.BadParameter("COPY needs PostgreSQL (EWS_DATABASE_URL)",
                                 param_hint="--bulk")
    if workers and external_path is not None:
        raise click.BadParameter("not with --bulk", param_hint="--external-outcomes")
    started = time.perf_counter()
    collected: list | None = [] if external_path is not None else None
    with db_session(config) as session, tqdm(total=n, unit="interview", disable=None) as bar:
        try:
            summary = run(session, n=n, window=window, offices=codes, seed=seed,
                          pii_key=config["PII_KEY"], batch=batch, progress=bar.update,
                          actor=CLI_ACTOR, password=secrets.token_urlsafe(24),
                          external=collected, bulk=workers or 0)
        except NoRuleSet as err:
            raise click.ClickException(str(err)) from None
        except (IntegrityError, SeedTaken):
            raise click.ClickException(f"demo data of seed {seed} is already in this "
                                       "database; use another --seed") from None
    secs = time.perf_counter() - started
    if collected is not None:
        from ews.demo.external import write_list

        written = write_list(external_path, collected)
    click.echo(f"demo: {summary.assessments} assessments ({summary.flagged} flagged for "
               f"review), {summary.decisions} decisions, {summary.outcomes} outcomes in "
               f"{secs:.1f} s; window {window.month_starts()[0]:%Y-%m} to "
               f"{window.month_starts()[-1]:%Y-%m}, scam wave {window.wave_month():%Y-%m}")
    if collected is not None:
        click.echo(f"external list: {written} events in {external_path} (import it with "
                   f"`ews outcomes import {external_path} --source demo --as USER`)")
