"""`ews rules ...`: check rule sets and render their indicator table."""

from __future__ import annotations

import sys
from pathlib import Path

import click
import yaml

from ews.config import rules_path

from .describe import MARKER, table
from .loader import RuleLoader, RuleSetError, load_ruleset


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


def render_table(path: Path) -> str:
    """Return the Markdown indicator table of a rule-set file."""
    rs = load_ruleset(path)
    doc = yaml.load(rs.text, Loader=RuleLoader)  # noqa: S506 - the loader is a SafeLoader
    conditions = {item["id"]: item["when"] for item in
                  doc.get("indicators", []) + doc.get("escalations", [])}
    return table(rs, conditions)


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
