"""Evidence for approvals in tests: the summary a backtest or an evaluation would store."""

from __future__ import annotations

from sqlalchemy.orm import Session

from ews.lifecycle import evidence

API = "/api/v1/rulesets"


def evidence_for(bind, sha256: str, subject_kind: str = "ruleset", by: str = "tester") -> int:
    """Store a summary of `sha256` (a backtest, or a model evaluation) and return its id.

    `bind`: an engine (committed in a session of its own) or the caller's session (flushed).
    """
    kind = "backtest" if subject_kind == "ruleset" else "evaluation"

    def store(session: Session) -> int:
        return evidence.record(session, subject_kind=subject_kind, sha256=sha256, kind=kind,
                               by=by, summary={"rows": 1, "stored_for": "a test"}).id

    if isinstance(bind, Session):
        return store(bind)
    with Session(bind) as session:
        found = store(session)
        session.commit()
        return found


def approve(client, who, pk: int, reason: str | None = None):
    """Approve version `pk` through the API as `who`, naming a backtest of its text."""
    sha = client.get(f"{API}/{pk}", headers=who.headers).get_json()["sha256"]
    body = {"evidence": evidence_for(client.application.extensions["ews_engine"], sha)}
    if reason is not None:
        body["reason"] = reason
    return client.post(f"{API}/{pk}/approve", json=body, headers=who.headers)
