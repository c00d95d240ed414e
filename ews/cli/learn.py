"""`ews learn ...`: suggested weights and drift from recorded outcomes, at the terminal.

Commands read the stored assessments of a window (`--from`, `--to`, interview dates, UTC)
and write files; nothing is applied to the live rule set or model without approval.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import click

from .context import (
    DATE,
    db_session,
    load_window,
    named_user,
    read_config,
    utc_window,
    window_label,
)


@click.group("learn")
def learn_group() -> None:
    """Indicator statistics, suggested weights and drift from recorded outcomes."""


@learn_group.command("weights")
@click.option("--from", "since", type=DATE, help="first interview day (UTC), inclusive")
@click.option("--to", "until", type=DATE, help="last interview day (UTC), exclusive")
@click.option("--rules", "rules_path", type=click.Path(dir_okay=False),
              help="live rule set file (default: the active rule set in the database)")
@click.option("--budget", type=click.FloatRange(0.001, 0.5), default=None,
              help="largest share of applicants at supervisor_review or above "
                   "(default: the live set's observed share over the window)")
@click.option("--version", "version", help="version of the draft (default: <live>-learned-<date>)")
@click.option("--out", "out_dir", type=click.Path(file_okay=False), default="rules/drafts",
              show_default=True, help="folder for the draft YAML and its justification")
@click.option("--min-positives", type=int, default=30, show_default=True)
@click.option("--force", is_flag=True,
              help="write a draft the checks refuse, with the reasons in its justification")
@click.option("--as", "username", default=None,
              help="also store the draft in the rule-set lifecycle as this user "
                   "(then: ews rules submit/backtest/approve)")
def learn_weights(since, until, rules_path, budget, version, out_dir, min_positives, force,
                  username) -> None:
    """Suggest indicator points from outcomes: a DRAFT rule set plus a justification table.

    Fits on the earlier months of the window and reports on the later ones; refuses (exit
    1) a draft that fails the checks of docs/learning.md unless --force.
    """
    from ews.learn import LabelError
    from ews.learn.propose import propose

    since, until = utc_window(since, until)
    frame, live = load_window(since, until, rules_path)
    version = version or f"{live.version}-learned-{(until or dt.datetime.now(dt.UTC)):%Y%m%d}"
    header = ("# DRAFT suggested by `ews learn weights` from outcomes "
              f"{window_label(since, until)}.\n"
              "# Not active: review, backtest and approve it like any rule-set change.\n")
    try:
        proposal = propose(frame, live, version=version, budget=budget, header=header,
                           min_positives=min_positives)
    except LabelError as exc:
        raise click.ClickException(f"{exc} (window {window_label(since, until)})") from None
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    stem = out / f"{live.id}-{version}"
    if proposal.refusals and (not force or proposal.text is None):
        Path(f"{stem}.refused.md").write_text(proposal.justification, encoding="utf-8")
        hint = "" if proposal.text is None else "; --force writes it anyway"
        raise click.ClickException(
            "draft refused:\n" + "\n".join(f"- {r}" for r in proposal.refusals)
            + f"\n(details: {stem}.refused.md{hint})")
    Path(f"{stem}.yaml").write_text(proposal.text, encoding="utf-8")
    Path(f"{stem}.md").write_text(proposal.justification, encoding="utf-8")
    if live.agencies_text is not None:  # the draft names the same agency list files
        import re

        from ews.engine.loader import LIST_KEYS, split_lists

        names = {m[1]: m[2] for m in re.finditer(r"^(\w+):\s*(\S+\.csv)\s*$", proposal.text,
                                                   re.M) if m[1] in LIST_KEYS}
        for key, text in split_lists(live.agencies_text, names).items():
            if text is not None:
                (out / names[key]).write_text(text, encoding="utf-8")
    click.echo(f"draft: {stem}.yaml ({proposal.changed} indicators changed, supervisor "
               f"threshold {proposal.cut}, budget {proposal.budget:.2%})")
    click.echo(f"justification: {stem}.md")
    for warning in proposal.refusals:
        click.echo(f"warning (written with --force): {warning}", err=True)
    if username:
        _store_draft(proposal.text, f"{stem}.yaml", live.agencies_text, username)
    click.echo("nothing was applied: review and backtest the draft before activating it")


def _store_draft(text: str, source: str, agencies, username: str) -> None:
    """Store the draft in the rule-set lifecycle (state draft) as `username`."""
    from ews.engine import RuleSetError
    from ews.lifecycle.service import create_draft
    from ews.lifecycle.states import LifecycleError

    if isinstance(agencies, bytes):
        agencies = agencies.decode("utf-8")
    with db_session(read_config()) as session:
        user = named_user(session, username)
        try:
            row = create_draft(session, user, text, source=source, agencies=agencies)
        except (RuleSetError, LifecycleError) as err:
            raise click.ClickException(f"draft not stored: {err}") from None
        session.commit()
        click.echo(f"stored as draft #{row.id}: {row.ruleset_id} {row.version} "
                   "(next: ews rules backtest / submit)")


@learn_group.command("drift")
@click.option("--from", "since", type=DATE, help="first interview day (UTC), inclusive")
@click.option("--to", "until", type=DATE, help="last interview day (UTC), exclusive")
@click.option("--rules", "rules_path", type=click.Path(dir_okay=False),
              help="rule set to score with (default: the active rule set)")
@click.option("--reference", type=click.Choice(["quarter", "year"]), default="quarter",
              show_default=True,
              help="compare each month with the quarter before it or the same month a year "
                   "before")
def learn_drift(since, until, rules_path, reference) -> None:
    """PSI of the score distribution and indicator hit rates, each month against a reference.

    Months (or references) under 200 interviews read "too few".
    """
    from ews.learn import month_of
    from ews.learn.weights import hit_frame
    from ews.reports.psi import monthly_drift
    from ews.scoring import score_frame

    since, until = utc_window(since, until)
    frame, ruleset = load_window(since, until, rules_path)
    table = monthly_drift(month_of(frame["interviewed_at"]),
                          score_frame(frame, ruleset)["score"], hit_frame(frame, ruleset),
                          reference=reference)
    against = "the same month a year before" if reference == "year" else "the quarter before"
    if table.empty:
        raise click.ClickException("drift needs at least two calendar months in the window, "
                                   f"with its reference ({against}) among them")
    click.echo(f"each month against {against}; PSI < 0.1 stable, 0.1-0.25 moderate, "
               "> 0.25 large; under 200 interviews: too few")
    click.echo(table.to_string(index=False, float_format=lambda v: f"{v:.3f}"))

