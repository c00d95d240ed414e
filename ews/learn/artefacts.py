"""Model artefacts: the skops file, its signed manifest and its card (Markdown).

The file is written in skops' format (no pickle) and signed with the installation's model
key; `ews.store.trust` says what that proves and loads only what passes.
"""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import sklearn
import skops

from ews.store.trust import FORMAT, VERSION, dumps, sha256_of, sign

from .evaluate import Evaluation


def paths(folder: Path | str, version: str) -> dict[str, Path]:
    """Return the model, manifest and card paths of a version in `folder`."""
    if not VERSION.match(version):
        raise ValueError(f"model version {version!r}: letters, digits, '.', '_' and '-' only")
    base = Path(folder)
    return {"model": base / f"{version}.skops", "manifest": base / f"{version}.manifest.json",
            "card": base / f"{version}.card.md"}


def save(model, *, folder: Path | str, version: str, trainer: str, window: dict,
         evaluation: Evaluation | None, comparison: dict | None = None,
         now: dt.datetime, key: bytes) -> dict:
    """Write the model file, signed manifest and card of a trained model; return the manifest.

    `key` is the installation's model key (config `MODEL_KEY`): only files it signed load.
    """
    where = paths(folder, version)
    where["model"].parent.mkdir(parents=True, exist_ok=True)
    data = dumps(model)
    manifest = {
        "version": version, "file": where["model"].name, "format": FORMAT,
        "sha256": sha256_of(data),
        "estimator": model.estimator, "trained_by": trainer, "trained_at": now.isoformat(),
        "window": window, "features": list(model.features_),
        "encoded_features": model.feature_names(),
        "exclusions": model.exclusions.as_dict(),
        "evaluation": evaluation.as_dict() if evaluation else None,
        "comparison": comparison or {},
        "libraries": {"scikit-learn": sklearn.__version__, "skops": skops.__version__},
    }
    manifest["signature"] = sign(manifest, data, key)
    where["model"].write_bytes(data)
    where["manifest"].write_text(json.dumps(manifest, indent=2, default=str), encoding="utf-8")
    where["card"].write_text(card(manifest), encoding="utf-8")
    return manifest


def _pct(value) -> str:
    return "-" if value is None or value != value else f"{value:.2f}"


def _cell(value) -> str:
    if isinstance(value, str):
        return value
    if isinstance(value, list | tuple):
        return "-".join(_pct(v) for v in value)
    if isinstance(value, float):
        return _pct(value)
    return "-" if value is None else str(value)


def _fairness(fair: dict) -> list[str]:
    """Return the card's fairness tables and warnings (from `evaluate.fairness`)."""
    cols = (("n", "Applicants"), ("flag_rate", "Alert rate"), ("flag_interval", "95% interval"),
            ("flag_ratio", "Ratio"), ("negatives", "Legitimate travel"),
            ("fpr", "False-positive rate"), ("fpr_interval", "95% interval"),
            ("fpr_ratio", "Ratio"))
    lines: list[str] = []
    for name, rows in fair.get("tables", {}).items():
        lines += [f"### {name.replace('_', ' ')}", "",
                  "| Group | " + " | ".join(label for _, label in cols) + " |",
                  "|---|" + "---:|" * len(cols)]
        lines += ["| " + " | ".join([str(r[name])] + [_cell(r[c]) for c, _ in cols]) + " |"
                  for r in rows]
        lines.append("")
    lines += [f"- {note}" for note in fair.get("notes", [])]
    return lines + [""]


def card(manifest: dict) -> str:
    """Return the model card (Markdown) of a manifest."""
    ev = manifest.get("evaluation") or {}
    w = manifest["window"]
    excl = manifest["exclusions"]
    lines = [
        f"# Model card: {manifest['version']}", "",
        f"Estimator: {manifest['estimator']} (balanced class weights, sigmoid calibration). "
        f"Trained by {manifest['trained_by']} at {manifest['trained_at']}. "
        f"SHA-256 of the file: `{manifest['sha256']}`, signed with the model key "
        f"`{(manifest.get('signature') or {}).get('key_id', 'none')}`.", "",
        "## Intended use",
        "A calibrated probability that an interview is later confirmed as trafficking, "
        "non-procedural migration or a border interception, shown to supervisors (advisory) "
        "or used to raise a result at most to the rule set's model action (escalate). It "
        "never lowers a recommendation and never decides alone.", "",
        "## Out-of-scope uses",
        "Refusing a passport; scoring people outside the passport interview; ranking "
        "officers or offices; any use on data from other checklists or countries; use "
        "without the rule set it was evaluated with.", "",
        "## Data window",
        f"Trained on interviews from {w.get('train_from')} to {w.get('train_to')}, evaluated on "
        f"{w.get('test_from')} to {w.get('test_to')} (split by time, never random rows). "
        f"Training rows: {w.get('train_labelled')} labelled ({w.get('train_positives')} "
        "positive).",
        "Unlabelled rows (`no_information`, or no outcome) are excluded from training and "
        "from the main metrics: treating them as negatives would teach the model that "
        "unidentified victims are safe travellers. They count where the question is about "
        "applicants (the alert budget, fairness alert rates, drift), and a "
        "positive-unlabelled sensitivity check below shows how the figures move if "
        "they were all negatives.", "",
        "## Features",
        ", ".join(manifest["features"]), "",
        "Excluded fields: " + (", ".join(excl["fields"]) or "none") + ". Pooled values: "
        + ", ".join(f"{f}={v} -> {into or 'not asked'}" for f, v, into in excl["values"])
        + ". Audit variables (sex, age band, origin) and personal data are never features.",
        "",
        "## Metrics (later period)",
    ]
    if ev:
        lines += [
            f"Rows: {ev['rows']}, labelled {ev['labelled']}, positive {ev['positives']}.", "",
            "| | PR-AUC | Precision @ budget | Recall @ budget |", "|---|---:|---:|---:|",
            f"| Model | {_pct(ev['pr_auc'])} | {_pct(ev['model']['precision'])} | "
            f"{_pct(ev['model']['recall'])} |",
            f"| Rule set alone | {_pct(ev['rules_pr_auc'])} | {_pct(ev['rules']['precision'])} "
            f"| {_pct(ev['rules']['recall'])} |", "",
            f"Alert budget: {ev['model']['budget']:.1%} of applicants. The rule set's own "
            f"alerts (supervisor review or above): {ev['rules_alerts']['alerts']}, precision "
            f"{_pct(ev['rules_alerts']['precision'])}, recall "
            f"{_pct(ev['rules_alerts']['recall'])}.", "",
            "Calibration (predicted -> observed, quantile bins): "
            + ", ".join(f"{p:.3f}->{o:.3f}" for p, o in zip(ev["calibration"]["predicted"],
                                                           ev["calibration"]["observed"],
                                                           strict=True)), "",
            "## Unlabelled rows (positive-unlabelled sensitivity)", "",
            f"{ev.get('unlabelled', 0)} of {ev['rows']} rows of the later period are "
            "unlabelled. Counting them all as negatives (a pessimistic bound: some are "
            f"unidentified victims) gives PR-AUC {_pct(ev.get('pu_pr_auc'))} for the model and "
            f"{_pct(ev.get('pu_rules_pr_auc'))} for the rule set alone. If the model's lead "
            "holds here too, it does not come from which cases happened to get an outcome.",
            "",
            "## Fairness (alerts at the budget, by audit variable)", "",
            "Computed with the fairness report's code: flag rate over all applicants and "
            "false-positive rate over legitimate travel, with exact 95% intervals and the "
            "ratio to the overall rate; groups under 11 shown as \"<11\".", ""]
        lines += _fairness(ev.get("fairness") or {})
        from .honest import card_lines

        lines += card_lines(ev)
    else:
        lines += ["Not evaluated.", ""]
    if manifest.get("comparison"):
        lines += ["## Estimators compared (PR-AUC on the last training months)", ""]
        lines += [f"- {k}: {_pct(v)}" for k, v in manifest["comparison"].items()] + [""]
    lines += [
        "## Limits",
        "Labels come from cases that were found: victims never identified look like "
        "legitimate travel or stay unlabelled, so recall is overestimated and the model "
        "learns what officers already detect. Base rates are tiny; the probability is a "
        "triage aid with wide uncertainty. Re-evaluate monthly (drift) and retrain only "
        "through review and approval by a person other than the trainer.", ""]
    return "\n".join(lines)
