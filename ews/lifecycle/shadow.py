"""Shadow scoring: the version in `shadow` scores each new assessment beside the live one.

`score_beside` scores in the submission's transaction before the live row is written and
`store_beside` stores the result after it: whatever goes wrong (a rule set that fails to
parse or to evaluate, a failed insert) is logged and undone (a failed statement on SQLite, a
savepoint on PostgreSQL); the live request goes on.
"""

from __future__ import annotations

import logging
from collections import Counter
from dataclasses import dataclass

from sqlalchemy import func, insert, select
from sqlalchemy.orm import Session

from ews.engine import LADDER
from ews.lifecycle.compiled import LOOK_UP, shadow_compiled
from ews.scoring import score
from ews.store.db import Db, connection_of
from ews.store.models import RuleSetRecord, ShadowResult

log = logging.getLogger("ews.shadow")
_INSERT = insert(ShadowResult.__table__)


def _fired(result: dict) -> list[str]:
    return [r["indicator"] for r in result["reasons"]] + \
        [r["indicator"] for r in result["protective_flags"]]


def score_beside(db: Db, record: dict,
                 shadow: tuple[int, str] | None | str = LOOK_UP) -> tuple[int, dict] | None:
    """Score `record` with the version in shadow; return (its row id, result), or None.

    `shadow` is the (row id, sha256) of the version in shadow when already read, None when
    there is none, LOOK_UP to ask the database. Never raises: called before the live row
    is inserted, so the write lock is not held for it.
    """
    try:
        found = shadow_compiled(db, shadow)
        if found is None:
            return None
        pk, ruleset = found
        return pk, score(record, ruleset)
    except Exception:  # noqa: BLE001 - a shadow must never fail the live request
        log.exception("shadow scoring failed; the live result stands")
        return None


def store_beside(db: Db, scored: tuple[int, dict] | None, stored: dict) -> None:
    """Store a shadow result (from `score_beside`) after the live row; never raises.

    `stored` holds the live assessment's values (id, office_code, rung, result,
    created_at).
    """
    if scored is None:
        return
    pk, result = scored
    row = {"ruleset_pk": pk, "assessment_id": stored["id"], "office_code": stored["office_code"],
           "score": result["score"], "rung": result["recommended_action"]["rung"],
           "live_rung": stored["rung"], "indicators": _fired(result),
           "live_indicators": _fired(stored["result"]), "created_at": stored["created_at"]}
    try:
        conn = connection_of(db)
        if conn.dialect.name == "sqlite":  # a failed statement leaves the transaction intact
            conn.execute(_INSERT, row)
        else:  # PostgreSQL aborts the transaction on any error: contain it in a savepoint
            with conn.begin_nested():  # Core savepoint: the session transaction stays
                conn.execute(_INSERT, row)
    except Exception:  # noqa: BLE001
        log.exception("storing the shadow result failed; the live result stands")


@dataclass(frozen=True)
class IndicatorAgreement:
    id: str
    live_hits: int
    shadow_hits: int


@dataclass(frozen=True)
class ShadowSummary:
    """How a shadow version compares with the live results since its shadow started."""

    ruleset_pk: int
    rows: int
    agreeing: int
    agreement: float | None
    flips: tuple[tuple[int, ...], ...]  # [live rung][shadow rung]
    indicators: tuple[IndicatorAgreement, ...]
    offices: dict[str, tuple[int, int]]  # office -> (rows, rung changed)


def shadow_summary(session: Session, row: RuleSetRecord, chunk: int = 10_000) -> ShadowSummary:
    """Return agreement, flips, per-indicator and per-office counts of a shadow version."""
    t = ShadowResult
    conds = [t.ruleset_pk == row.id]
    if row.shadow_since is not None:
        conds.append(t.created_at >= row.shadow_since)
    n = len(LADDER)
    flips = [[0] * n for _ in range(n)]
    offices: dict[str, list[int]] = {}
    for live, rung, office, count in session.execute(
            select(t.live_rung, t.rung, t.office_code, func.count()).where(*conds)
            .group_by(t.live_rung, t.rung, t.office_code)):
        flips[live][rung] += count
        slot = offices.setdefault(office, [0, 0])
        slot[0] += count
        slot[1] += count if live != rung else 0
    live_hits, shadow_hits = Counter(), Counter()
    stmt = select(t.live_indicators, t.indicators).where(*conds).execution_options(
        yield_per=chunk)
    for live_ids, shadow_ids in session.execute(stmt):
        live_hits.update(live_ids)
        shadow_hits.update(shadow_ids)
    rows = sum(map(sum, flips))
    agreeing = sum(flips[i][i] for i in range(n))
    ids = sorted(set(live_hits) | set(shadow_hits))
    return ShadowSummary(
        ruleset_pk=row.id, rows=rows, agreeing=agreeing,
        agreement=round(agreeing / rows, 4) if rows else None,
        flips=tuple(tuple(r) for r in flips),
        indicators=tuple(IndicatorAgreement(i, live_hits[i], shadow_hits[i]) for i in ids),
        offices={o: (v[0], v[1]) for o, v in sorted(offices.items())})
