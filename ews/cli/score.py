"""`ews score`: checklist JSON in, result JSON out, offline (no database)."""

from __future__ import annotations

import datetime as dt
import json
import sys

import click
from marshmallow import ValidationError

from ews.checklist import validate_checklist
from ews.config import rules_path as default_rules
from ews.engine import RuleSet, RuleSetError, load_ruleset
from ews.scoring import score, unstored_result


def score_payload(payload, ruleset: RuleSet, lang: str = "en", *, now: dt.datetime) -> dict:
    """Validate and score one checklist as of `now`; return a result or an error object."""
    try:
        record = validate_checklist(payload, lang, now=now, agencies=ruleset.agencies,
                                    manning=ruleset.manning)
    except ValidationError as exc:
        ref = payload.get("application_id") if isinstance(payload, dict) else None
        return {"error": "validation", "application_id": ref if isinstance(ref, str) else None,
                "errors": exc.messages}
    return unstored_result(record, score(record, ruleset), now=now)


def _dump(obj) -> str:
    return json.dumps(obj, ensure_ascii=False, separators=(",", ":"), default=str)


@click.command("score")
@click.argument("source", default="-", type=click.File("r", encoding="utf-8"))
@click.option("--rules", "rules_path", type=click.Path(dir_okay=False),
              help="Rule-set YAML (default: EWS_RULES_PATH or rules/tppo_pmi.yaml).")
@click.option("--lang", type=click.Choice(["id", "en"]), default="en",
              help="Language of validation messages.")
def score_cmd(source, rules_path: str | None, lang: str) -> None:
    """Score one checklist JSON object, or JSON Lines (one result per line, same order).

    A line that does not validate gives an error object naming the fields; the other lines
    are still scored. Exit status 1 when any input failed.
    """
    try:
        ruleset = load_ruleset(rules_path or default_rules())
    except RuleSetError as exc:
        raise click.ClickException("\n".join(exc.errors)) from None
    text = source.read()
    try:
        single = json.loads(text)
    except json.JSONDecodeError:
        single = None
    out = sys.stdout
    failed = False
    if isinstance(single, dict):
        result = score_payload(single, ruleset, lang, now=dt.datetime.now(dt.UTC))
        failed = "error" in result
        out.write(json.dumps(result, ensure_ascii=False, indent=2, default=str) + "\n")
    else:
        for number, line in enumerate(text.splitlines(), start=1):
            if not line.strip():
                continue
            try:
                payload = json.loads(line)
            except json.JSONDecodeError as exc:
                result = {"error": "json", "line": number, "errors": {"_json": [exc.msg]}}
            else:
                result = score_payload(payload, ruleset, lang, now=dt.datetime.now(dt.UTC))
                if "error" in result:
                    result["line"] = number
            failed = failed or "error" in result
            out.write(_dump(result) + "\n")
    sys.exit(1 if failed else 0)
