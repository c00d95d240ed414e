"""Intelligence pattern reports over the stored log: pure functions, no Flask.

Each report takes a database connection and `Params` and returns a frozen `Report`; the
`*_from` twins take frames and do no I/O (tests and the learning layer use them). Who may
read what is decided here too (`authorize`), so the pages, the API and the CLI agree.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, replace
from typing import Any

from sqlalchemy.engine import Connection
from sqlalchemy.exc import DBAPIError

from ews.store import facts

from .areas import areas
from .breakdowns import destinations, recruitment
from .fairness import fairness, fairness_from
from .misses import misses
from .model import (
    K_MIN,
    Params,
    Report,
    ReportInputError,
    parse_params,
    to_csv,
    to_markdown,
)
from .networks import networks
from .outcomes import officers, outcomes
from .overview import overview
from .sdc import suppress

ANALYSTS = frozenset({"analyst", "admin", "supervisor"})
SUPERVISORS = frozenset({"supervisor", "admin"})


@dataclass(frozen=True)
class Spec:
    """A report: its function, who may read it, its title."""

    fn: Callable[..., Report]
    roles: frozenset[str]
    title: str


REPORTS: dict[str, Spec] = {
    "overview": Spec(overview, ANALYSTS, "Overview"),
    "destinations": Spec(destinations, ANALYSTS, "Destinations"),
    "recruitment": Spec(recruitment, ANALYSTS, "Recruitment"),
    "areas": Spec(areas, ANALYSTS, "Areas and Desa Binaan"),
    "networks": Spec(networks, ANALYSTS, "Recruiter networks"),
    "fairness": Spec(fairness, ANALYSTS, "Fairness"),
    "outcomes": Spec(outcomes, ANALYSTS, "Outcomes"),
    "misses": Spec(misses, ANALYSTS, "Misses"),
    "officers": Spec(officers, SUPERVISORS, "Officers and hours"),
}


def _ikk(conn: Connection, params: Params) -> Report:
    from .ikk import ikk

    return ikk(conn, params)


REPORTS["ikk"] = Spec(_ikk, ANALYSTS, "Intelligence products (IKK 9.1)")
NAMES = tuple(REPORTS)
FORMATS = ("json", "csv", "md", "xlsx")


class ReportForbidden(Exception):
    """The user's role or office may not read this report (or this office's figures)."""


@dataclass(frozen=True)
class Access:
    """What a user may see of a report: the offices it covers and whether it stays inside."""

    params: Params
    own_office: bool  # a supervisor reading only their office: cells are not suppressed


def spec(name: str) -> Spec:
    """Return the report called `name`; ReportInputError names the known ones."""
    if name not in REPORTS:
        raise ReportInputError("name", f"unknown report {name!r}; known: {', '.join(NAMES)}")
    return REPORTS[name]


def authorize(role: str, office_code: str, name: str, params: Params) -> Access:
    """Return the access of a user to a report, or raise ReportForbidden / ReportInputError."""
    allowed = REPORTS[name].roles if name in REPORTS else ANALYSTS
    if role not in allowed:
        raise ReportForbidden(f"role {role!r} may not read the {name} report")
    if role == "supervisor":
        if params.offices is None:
            params = replace(params, offices=(office_code,))
        elif set(params.offices) != {office_code}:
            raise ReportForbidden(f"a supervisor reads only office {office_code}")
        return Access(params, own_office=True)
    return Access(params, own_office=False)


def run(name: str, conn: Connection, params: Params, **context: Any) -> Report:
    """Compute report `name` (context: `pii_key` for networks).

    First derives the report facts of assessments stored since the last catch-up, in their
    own transactions (`ews.store.facts.catch_up`): the report counts every committed one.
    On a read-only database (a replica, SQLite opened read-only) nothing can be derived: the
    report reads the facts there are and a note says up to when they reach.
    """
    fn = spec(name).fn
    note = None
    try:
        facts.catch_up(conn.engine)
    except DBAPIError as err:
        if not facts.is_read_only(err):
            raise
        note = read_only_note(*facts.age(conn))
    if conn.dialect.name == "postgresql":
        # A report's statements are a few scans and aggregations: compiling them (JIT, on by
        # default from PostgreSQL 12 on, and triggered by the cost of a national year) took
        # longer than running them. For this transaction only.
        conn.exec_driver_sql("SET LOCAL jit = off")
    if name == "networks":
        report = fn(conn, params, pii_key=context.get("pii_key", ""))
    else:
        report = fn(conn, params)
    return report if note is None else replace(report, notes=(*report.notes, note))


def read_only_note(newest: dt.datetime | None, pending: int) -> str:
    """Say how old the facts of a report on a read-only database are."""
    if newest is None:
        return (f"Read-only database: no report facts derived yet; {pending} assessments are "
                "not counted.")
    return (f"Read-only database: report facts derived up to {newest:%Y-%m-%d %H:%M} UTC; "
            f"{pending} assessments stored since are not counted.")


__all__ = ["FORMATS", "K_MIN", "NAMES", "REPORTS", "Access", "Params", "Report",
           "ReportForbidden", "ReportInputError", "areas", "authorize", "destinations",
           "fairness", "fairness_from", "misses", "networks", "officers", "outcomes", "overview",
           "parse_params", "recruitment", "run", "spec", "suppress", "to_csv", "to_markdown"]
