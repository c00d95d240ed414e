"""Evidence an approval rests on: stored summaries of backtests, shadow runs, evaluations.

Each backtest or shadow summary run through the lifecycle (API, pages, `ews rules
backtest`) and each `ews model evaluate` stores its headline figures with the sha256 of the
exact rule-set text or model file it measured, who ran it and when. Approving a rule set
names a stored backtest or shadow summary of that very text; approving a model names an
evaluation of that very file. Without one the approval is refused.
"""

from __future__ import annotations

import dataclasses
import hashlib
import json

from sqlalchemy import select
from sqlalchemy.orm import Session

from ews import audit
from ews.store.db import utcnow
from ews.store.models import Evidence

from .states import LifecycleError

KINDS = {"ruleset": ("backtest", "shadow"), "model": ("evaluation",)}
_WHAT = {"ruleset": "a stored backtest or shadow summary of this text",
         "model": "a stored evaluation of this model file"}
_HOW = {"ruleset": "run a backtest of this version (API, page or `ews rules backtest`)",
        "model": "run `ews model evaluate VERSION`"}


class EvidenceRequired(LifecycleError):
    """An approval that names no stored evidence of exactly the version approved."""

    status = 422


def record(session: Session, *, subject_kind: str, sha256: str, kind: str, by: str,
           summary: dict) -> Evidence:
    """Store the summary of a run (or return the same one stored before); audited.

    The caller commits. `summary` holds figures only, never personal data.
    """
    if kind not in KINDS[subject_kind]:
        raise ValueError(f"{kind!r} is no evidence for a {subject_kind}")
    summary = json.loads(json.dumps(summary, default=str))  # as stored: plain JSON
    for old in session.scalars(select(Evidence).where(
            Evidence.subject_kind == subject_kind, Evidence.sha256 == sha256,
            Evidence.kind == kind, Evidence.created_by == by)
            .order_by(Evidence.id.desc()).limit(5)):
        if old.summary == summary:
            return old
    row = Evidence(subject_kind=subject_kind, sha256=sha256, kind=kind, created_by=by[:64],
                   created_at=utcnow(), summary=summary)
    session.add(row)
    session.flush()
    digest = hashlib.sha256(audit.canonical(summary).encode()).hexdigest()
    audit.record(session, "evidence.recorded", actor=by[:64], subject=sha256,
                 data={"evidence_id": row.id, "subject_kind": subject_kind, "kind": kind,
                       "summary_sha256": digest}, governs=(row,))
    return row


def stored_for(session: Session, subject_kind: str, sha256: str) -> list[Evidence]:
    """Return the evidence stored for this text or file, newest first."""
    return list(session.scalars(select(Evidence).where(
        Evidence.subject_kind == subject_kind, Evidence.sha256 == sha256)
        .order_by(Evidence.id.desc())))


def required(session: Session, subject_kind: str, sha256: str, evidence_id: int | None,
             action: str = "approve") -> Evidence:
    """Return the evidence named for approving `sha256`; EvidenceRequired when it does not fit."""
    if evidence_id is None:
        stored = [f"#{e.id}" for e in stored_for(session, subject_kind, sha256)[:5]]
        hint = (f"stored for it: {', '.join(stored)}" if stored else _HOW[subject_kind])
        raise EvidenceRequired(f"{action}: name {_WHAT[subject_kind]} (sha256 {sha256[:12]}) "
                               f"as evidence; {hint}", "evidence_required", action=action)
    row = session.get(Evidence, evidence_id) if 0 < evidence_id < 2**31 else None
    if row is None or row.subject_kind != subject_kind or row.sha256 != sha256:
        raise EvidenceRequired(f"{action}: evidence #{evidence_id} is not "
                               f"{_WHAT[subject_kind]} (sha256 {sha256[:12]})",
                               "evidence_mismatch", action=action, evidence=evidence_id)
    return row


def backtest_summary(result) -> dict:
    """Return the headline figures of a BacktestResult (what the approver relied on)."""
    return {"baseline": dataclasses.asdict(result.baseline), "rows": result.rows,
            "first_created_at": result.first_created_at,
            "last_created_at": result.last_created_at, "changed": result.changed,
            "actions": {k: list(v) for k, v in result.actions.items()},
            "labelled": result.labelled, "warnings": list(result.warnings)}


def shadow_headline(summary) -> dict:
    """Return the headline figures of a ShadowSummary."""
    return {"rows": summary.rows, "agreeing": summary.agreeing,
            "agreement": summary.agreement, "flips": [list(r) for r in summary.flips]}


def record_backtest(session: Session, result, username: str | None) -> Evidence:
    """Store a backtest run from a shell: by the user named, else the shell's login."""
    import getpass

    by = username or f"os:{getpass.getuser()}"
    return record(session, subject_kind="ruleset", sha256=result.candidate.sha256,
                  kind="backtest", by=by, summary=backtest_summary(result))


def record_evaluation(session: Session, sha256: str, ev, by: str, window: str) -> Evidence:
    """Store the headline figures of a model evaluation (ews.learn.evaluate.Evaluation)."""
    def at(budget) -> dict:
        return {"budget": budget.budget, "alerts": budget.alerts,
                "precision": budget.precision, "recall": budget.recall}

    return record(session, subject_kind="model", sha256=sha256, kind="evaluation", by=by,
                  summary={"window": window, "rows": ev.rows, "labelled": ev.labelled,
                           "positives": ev.positives, "pr_auc": _num(ev.pr_auc),
                           "rules_pr_auc": _num(ev.rules_pr_auc), "model": at(ev.model),
                           "rules": at(ev.rules)})


def _num(value: float) -> float | None:
    return None if value != value else value  # NaN is no JSON
