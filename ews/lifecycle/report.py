"""Render a BacktestResult as JSON-ready data or as Markdown (the CLI and the page)."""

from __future__ import annotations

import dataclasses
import datetime as dt

from ews.engine import LADDER

from .backtest import BacktestResult, Interval


def as_data(result: BacktestResult) -> dict:
    """Return the result as plain JSON-ready data (dates as ISO text)."""

    def plain(value):
        if isinstance(value, dt.datetime):
            return value.isoformat()
        if isinstance(value, dict):
            return {k: plain(v) for k, v in value.items()}
        if isinstance(value, list | tuple):
            return [plain(v) for v in value]
        return value

    return plain(dataclasses.asdict(result))


def _pct(value: float | None) -> str:
    return "-" if value is None else f"{value * 100:.1f}%"


def _ci(iv: Interval) -> str:
    if iv.value is None:
        return "- (n=0)"
    return f"{_pct(iv.value)} [{_pct(iv.low)}, {_pct(iv.high)}] (n={iv.support})"


def _fig(f) -> str:
    if f.estimate is None:
        return "- (0 labels)"
    return f"{_pct(f.estimate)} [{_pct(f.low)}, {_pct(f.high)}] ({f.labels} labels)"


def _tracks(r: BacktestResult) -> list[str]:
    """Return the weighted per-track table and the flips by outcome."""
    out = ["", "## Per track, weighted by how each label arose", "",
           "Trafficking: confirmed_trafficking; non-procedural: confirmed_nonprocedural, "
           "intercepted_at_border. Follow-up labels stand for their stratum (the stored "
           "decision), random-sample labels weigh 1/probability; external reports are "
           "counted apart. 95% intervals (docs/rules-lifecycle.md).", "",
           "| track | at or above | version | precision | recall | naive precision | "
           "naive recall |", "|---|---|---|---|---|---|---|"]
    for name, t in r.tracks.items():
        for rung in t.rungs:
            base = t.baseline.rungs[rung.rung - 1]
            for version, f in (("baseline", base), ("candidate", rung)):
                out.append(f"| {name} | {f.action} | {version} | {_fig(f.precision)} | "
                           f"{_fig(f.recall)} | {_fig(f.naive_precision)} | "
                           f"{_fig(f.naive_recall)} |")
    out += ["", "## Flips by outcome", "", "| before | after | outcome | rows |",
            "|---|---|---|---|"]
    out += [f"| {f.before} | {f.after} | {f.outcome} | {f.count:,} |"
            for f in r.flips_by_outcome]
    return out


def to_markdown(r: BacktestResult) -> str:
    """Return the backtest as a Markdown report."""
    short = [a.replace("_", " ") for a in LADDER]
    out = [f"# Backtest: {r.candidate.id} {r.candidate.version} against "
           f"{r.baseline.id} {r.baseline.version}", "",
           f"Rows replayed: {r.rows:,}"
           + (f" ({r.first_created_at:%Y-%m-%d} to {r.last_created_at:%Y-%m-%d})"
              if r.first_created_at else "")
           + f"; rung changed on {r.changed:,}.", ""]
    if r.skipped:
        out += ["Skipped: " + "; ".join(f"{n:,} {why}" for why, n in r.skipped.items()), ""]
    out += ["## Action mix", "", "| action | baseline | candidate | change |", "|---|---|---|---|"]
    for action, (b, c) in r.actions.items():
        out.append(f"| {action} | {b:,} | {c:,} | {c - b:+,} |")
    out += ["", "## Flips (rows: baseline rung, columns: candidate rung)", "",
            "| before \\ after | " + " | ".join(short) + " |",
            "|---" * (len(short) + 1) + "|"]
    for name, row in zip(short, r.flips, strict=True):
        out.append(f"| {name} | " + " | ".join(f"{v:,}" for v in row) + " |")
    if r.office_flips:
        out += ["", "### Flips per office (example assessment ids for the supervisor)", "",
                "| office | before | after | rows | examples |", "|---|---|---|---|---|"]
        out += [f"| {f.office_code} | {f.before} | {f.after} | {f.count:,} | "
                f"{', '.join(f.examples)} |" for f in r.office_flips]
    out += ["", "## Indicators (hit rate)", "",
            "| indicator | baseline | candidate | change |", "|---|---|---|---|"]
    out += [f"| {i.id} | {_pct(i.baseline_rate)} | {_pct(i.candidate_rate)} | "
            f"{'-' if i.change is None else f'{i.change * 100:+.2f} pt'} |"
            for i in r.indicators]
    out += ["", "## Supervisor workload (rows at supervisor review or above)", "",
            "| week | office | baseline | candidate |", "|---|---|---|---|"]
    out += [f"| {w.week} | {w.office_code} | {w.baseline:,} | {w.candidate:,} |"
            for w in r.workload]
    out += _tracks(r)
    out += ["", f"## Outcomes, naive: both tracks pooled ({r.labelled:,} labelled rows)", "",
            "Confirmed: confirmed_trafficking, confirmed_nonprocedural, intercepted_at_border; "
            "legitimate: legitimate_travel_confirmed; no_information is not a label. "
            "Precision and recall of flagging at this rung or above, Wilson 95% intervals, "
            "every label counted once whoever was followed up (see the weighted table).", "",
            "| rung | version | confirmed | legitimate | no information | precision | recall |",
            "|---|---|---|---|---|---|---|"]
    for qb, qc in zip(r.quality_baseline, r.quality_candidate, strict=True):
        for name, q in (("baseline", qb), ("candidate", qc)):
            out.append(f"| {q.action} | {name} | {q.confirmed:,} | {q.legitimate:,} | "
                       f"{q.unlabelled:,} | {_ci(q.precision)} | {_ci(q.recall)} |")
    if r.warnings:
        out += ["", "## Warnings", ""] + [f"- {w}" for w in r.warnings]
    return "\n".join(out) + "\n"
