"""`ews demo`: a realistic synthetic history with planted patterns (docs/demo.md).

`generate` draws checklist payloads (pure, seeded); `run` creates the demo staff and writes
the cases through the real validation and scorer into the database, audited.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

from sqlalchemy.orm import Session

from ews import audit
from ews.store import facts

from . import plan
from .generate import Case, generate, nik
from .plan import Window
from .write import SeedTaken, Staff, Summary, Writer, followup_label

__all__ = ["Case", "NoRuleSet", "SeedTaken", "Summary", "Window", "generate", "nik", "plan",
           "run", "staff_for", "true_labels"]
OFFICERS_PER_OFFICE = 4


class NoRuleSet(LookupError):
    """The database has no active rule set to score the demo with."""


def staff_for(session: Session, offices: tuple[str, ...], password_hash: str,
              actor: str = "cli") -> Staff:
    """Return the demo officers and supervisor of each office, creating missing ones."""
    from ews.store.users import create_user, user_by_name

    def user(name: str, role: str, office_code: str) -> tuple[int, str]:
        row = user_by_name(session, name) or create_user(session, name, role, office_code,
                                                         password_hash, actor=actor)
        return row.id, row.username

    officers = {o: [user(f"demo-{o.lower()}-petugas{k}", "officer", o)
                    for k in range(1, OFFICERS_PER_OFFICE + 1)] for o in offices}
    supervisors = {o: user(f"demo-{o.lower()}-supervisor", "supervisor", o) for o in offices}
    session.commit()
    return Staff(officers, supervisors)


def run(session: Session, *, n: int, window: Window, offices: tuple[str, ...], seed: int,
        pii_key: str, batch: int = 5000, progress: Callable[[int], None] | None = None,
        actor: str = "cli", password: str = "", password_hash: str | None = None,
        external: list | None = None, bulk: int = 0) -> Summary:
    """Write `n` demo interviews with decisions and outcomes; NoRuleSet without a rule set.

    `external`, a list, collects the demo's external outcome list (`ews.demo.external`).
    `bulk` > 0 writes with that many worker processes and COPY (`ews.demo.national`,
    PostgreSQL only; no external list).
    """
    from ews.auth.passwords import hash_password
    from ews.lifecycle.compiled import active_compiled

    ruleset = active_compiled(session)
    if ruleset is None:
        raise NoRuleSet("no active rule set: run `ews init` first")
    hashed = password_hash or hash_password(password or "demo-" + str(seed))
    staff = staff_for(session, offices, hashed, actor)
    if bulk:
        from . import national

        summary = national.write(session, n=n, window=window, offices=offices, seed=seed,
                                 pii_key=pii_key, ruleset=ruleset, staff=staff,
                                 workers=bulk, progress=progress)
    else:
        end = dt.datetime.combine(window.end, dt.time(), tzinfo=dt.UTC)
        writer = Writer(session, ruleset=ruleset, pii_key=pii_key, staff=staff, end=end,
                        external=external)
        summary = writer.write(generate(n, window, offices, seed), batch=batch,
                               progress=progress)
    audit.record(session, "demo.generated", actor=actor, data={
        "seed": seed, "assessments": summary.assessments, "months": window.months,
        "end": window.end.isoformat(), "offices": list(offices), "bulk": bool(bulk)})
    session.commit()
    # As after submissions through the API; from the window's start, stamped in the past.
    facts.catch_up(session.get_bind(), since=dt.datetime.combine(
        window.month_starts()[0], dt.time(), tzinfo=dt.UTC))
    return summary


def true_labels(n: int, window: Window, offices: tuple[str, ...], seed: int) -> dict[str, str]:
    """Return, per application id, the outcome a follow-up of the case would record - for
    every interview of `ews demo` with these arguments, followed up or not: what the
    weighted figures estimate and the stored labels only sample."""
    return {case.payload["application_id"]: followup_label(case)
            for case in generate(n, window, offices, seed)}
