"""The one path from a request (page, API, CLI) to a report a user may see.

`prepare` checks the name, the parameters and the user's reach; `compute` runs the report
and applies what may leave the office: groups under 11 suppressed unless a supervisor reads
their own office on a page, network members only of the reader's own office, and officer
usernames as keyed pseudonyms in exports unless an admin turned that off.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import replace

from sqlalchemy.engine import Connection

from ews.store import export_settings

from . import Access, ReportInputError, authorize, parse_params, run, spec, suppress
from .export import pseudonymise
from .model import Report

FORMATS = ("json", "csv", "md", "xlsx")


def prepare(name: str, role: str, office_code: str, date_from: str | None,
            date_to: str | None, office: str | None, *, today: dt.date,
            fmt: str | None = None, by: str | None = None) -> Access:
    """Return the reader's access to report `name` over the given period and offices.

    `by`: "interview" (default) or "submitted", the time that dates an assessment.
    Raises ReportInputError (unknown name, bad date, reversed period, bad office, by or format)
    or ReportForbidden (role, or an office outside the reader's reach).
    """
    spec(name)
    if fmt is not None and fmt not in FORMATS:
        raise ReportInputError("format", f"unknown format {fmt!r}; use one of "
                                         f"{', '.join(FORMATS)}")
    params = parse_params(date_from, date_to, office, today=today, by=by)
    return authorize(role, office_code, name, params)


def compute(conn: Connection, name: str, access: Access, *, office_code: str, pii_key: str,
            leaves_office: bool) -> Report:
    """Run the report and reduce it to what this reader may see."""
    report = run(name, conn, access.params, pii_key=pii_key)
    if leaves_office or not access.own_office:
        report = suppress(report)
    if leaves_office:
        report = leaving(conn, report, pii_key)
    if "members" in report.extra:
        members = report.extra["members"] if access.own_office and not leaves_office else {}
        mine = {g: tuple(i for i, o in ids if o == office_code) for g, ids in members.items()}
        report = replace(report, extra={"members": {g: ids for g, ids in mine.items() if ids}})
    return report


def leaving(conn: Connection, report: Report, pii_key: str) -> Report:
    """Return an export's officer usernames as pseudonyms, unless an admin turned that off."""
    if export_settings.get(conn, "pseudonymise_officers"):
        return pseudonymise(report, pii_key)
    return report
