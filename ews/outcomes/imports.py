"""External outcomes: a list of events (border deferrals, deportations, repatriations, TPPO
victims) linked to the interviews of the people they happened to.

A CSV with the columns `nik, event_date, kind` and optionally `destination, note`. Each NIK
is turned into its keyed hash as the row is read and never kept otherwise; the row is then
linked to that person's latest interview held before the event date (UTC), within two years.
The label records the outcome its kind stands for (`EXTERNAL_KINDS`), the list's name, the
event's date, kind and country, and `import_key`, a keyed hash of (source, NIK hash, date,
kind): a second import of the same row finds its key and creates nothing. Everything is
written in one transaction: the labels sealed in audit events of a thousand each, and one
event for the import with its counts.
Messages name lines and columns, never a value. No Flask, no clock (`now` is passed in).
"""

from __future__ import annotations

import bisect
import csv
import datetime as dt
import re
from collections.abc import Iterable, Iterator
from dataclasses import asdict, dataclass

from sqlalchemy import insert, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from ews import audit
from ews.audit.seal import seal
from ews.auth.scope import can, office_scope
from ews.checklist.countries import ISO_COUNTRIES
from ews.store import pii
from ews.store.models import EXTERNAL_KINDS, Assessment, Outcome

COLUMNS = ("nik", "event_date", "kind", "destination", "note")
REQUIRED = ("nik", "event_date", "kind")
WINDOW = dt.timedelta(days=730)  # an event links to an interview of the two years before
SOURCE_MAX, NOTE_MAX = 80, 2000
BATCH = 1000  # hashes per look-up statement
IMPORT_KIND = "outcomes.imported"
LABEL_KIND = "outcomes.labelled"  # one event per SEALS_PER_EVENT labels, each sealed
SEALS_PER_EVENT = 1000
_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")
_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069]")
_TABLE = Outcome.__table__


class ImportInputError(ValueError):
    """The import cannot start: `field` names what is wrong (source, file, role)."""

    def __init__(self, field_name: str, message: str) -> None:
        super().__init__(message)
        self.field = field_name


@dataclass(frozen=True)
class RowError:
    """A refused row: its line in the file (the header is line 1) and the column."""

    line: int
    field: str
    message: str


@dataclass(frozen=True)
class Summary:
    """What an import did. rows = matched + unmatched + rows refused; duplicates are matched
    rows whose label exists already (an earlier import, or the same row twice in the file)."""

    source: str
    rows: int
    matched: int
    unmatched: int
    labels_created: int
    duplicates: int
    errors: tuple[RowError, ...]

    def as_dict(self) -> dict:
        """Return the JSON summary (the contract of the CLI and the API)."""
        out = asdict(self)
        out["errors"] = [asdict(e) for e in self.errors]
        return out


@dataclass(frozen=True)
class Event:
    """A valid row: the NIK only as its keyed hash."""

    line: int
    nik_hash: str
    event_date: dt.date
    kind: str
    country: str | None
    note: str | None


def check_source(source: str | None) -> str:
    """Return the list's name, stripped; ImportInputError when blank, too long or odd."""
    name = (source or "").strip()
    if not name or len(name) > SOURCE_MAX or _CONTROL.search(name):
        raise ImportInputError("source", f"source: name the list in 1-{SOURCE_MAX} characters "
                                         "on one line (e.g. 'BP3MI Jatim 2026-11')")
    return name


def read_events(lines: Iterable[str], pii_key: str, *,
                today: dt.date) -> tuple[list[Event], list[RowError], int]:
    """Read the CSV: return (valid events, refused rows, number of data rows).

    Raises ImportInputError when the header lacks a required column or names an unknown one.
    """
    reader = csv.DictReader(lines)
    header = [(name or "").strip().lower() for name in (reader.fieldnames or [])]
    missing = [c for c in REQUIRED if c not in header]
    unknown = [c for c in header if c not in COLUMNS]
    if missing or unknown:
        raise ImportInputError("file", "line 1: the header must name the columns "
                               f"{', '.join(REQUIRED)} (and optionally destination, note)"
                               + (f"; missing: {', '.join(missing)}" if missing else "")
                               + (f"; unknown: {', '.join(unknown)}" if unknown else ""))
    reader.fieldnames = header
    events, errors, rows = [], [], 0
    for raw in reader:
        rows += 1
        event = _event(raw, reader.line_num, pii_key, today, errors)
        if event is not None:
            events.append(event)
    return events, errors, rows


def _event(raw: dict, line: int, key: str, today: dt.date,
           errors: list[RowError]) -> Event | None:
    """Return the row as an Event, or None after adding what is wrong to `errors`."""
    if None in raw:  # more cells than columns
        errors.append(RowError(line, "file", "more cells than the header has columns"))
        return None
    get = {k: (v or "").strip() for k, v in raw.items()}.get
    problems = []
    nik = get("nik", "")
    if not (len(nik) == 16 and nik.isascii() and nik.isdigit()):
        problems.append(("nik", "must be exactly 16 digits"))
    day = None
    text = get("event_date", "")
    if _DATE.fullmatch(text):
        try:
            day = dt.date.fromisoformat(text)
        except ValueError:
            pass
    if day is None:
        problems.append(("event_date", "must be a date YYYY-MM-DD"))
    elif day > today:
        problems.append(("event_date", "is in the future"))
    kind = get("kind", "")
    if kind not in EXTERNAL_KINDS:
        problems.append(("kind", f"must be one of {', '.join(EXTERNAL_KINDS)}"))
    country = get("destination", "").upper() or None
    if country is not None and country not in ISO_COUNTRIES:
        problems.append(("destination", "must be an ISO 3166 country code of two letters"))
    note = get("note", "") or None
    if note is not None and (len(note) > NOTE_MAX or _CONTROL.search(note)):
        problems.append(("note", f"must be one line of at most {NOTE_MAX} characters"))
    if problems:
        errors.extend(RowError(line, f, m) for f, m in problems)
        return None
    return Event(line, pii.nik_hash(key, nik), day, kind, country, note)


def _chunks(items: list, size: int = BATCH) -> Iterator[list]:
    for i in range(0, len(items), size):
        yield items[i:i + size]


def _interviews(session: Session, hashes: list[str], offices) -> dict[str, list]:
    """Return {NIK hash: [(interview time UTC, assessment id, office), ...] oldest first}."""
    found: dict[str, list] = {}
    for part in _chunks(hashes):
        stmt = select(Assessment.nik_hash, Assessment.interviewed_at, Assessment.id,
                      Assessment.office_code).where(Assessment.nik_hash.in_(part))
        if offices is not None:
            stmt = stmt.where(Assessment.office_code.in_(offices))
        for nik_hash, created, ident, office in session.execute(stmt):
            created = created.replace(tzinfo=dt.UTC) if created.tzinfo is None \
                else created.astimezone(dt.UTC)
            found.setdefault(nik_hash, []).append((created, ident, office))
    for rows in found.values():
        rows.sort()
    return found


def _latest_before(rows: list, day: dt.date) -> tuple | None:
    """Return the latest interview held before `day` (UTC) and within WINDOW of it."""
    end = dt.datetime.combine(day, dt.time(), dt.UTC)
    i = bisect.bisect_left(rows, (end,))
    if i == 0 or rows[i - 1][0] < end - WINDOW:
        return None
    return rows[i - 1]


def _existing(session: Session, keys: list[str]) -> set[str]:
    found: set[str] = set()
    for part in _chunks(keys):
        found.update(session.scalars(select(Outcome.import_key)
                                     .where(Outcome.import_key.in_(part))))
    return found


def import_key(pii_key: str, source: str, event: Event) -> str:
    """Return the keyed hash that names one event of one list (the re-import guard)."""
    return pii.keyed_hash(pii_key, "import", "\x1f".join(
        (source, event.nik_hash, event.event_date.isoformat(), event.kind)))


def import_outcomes(session: Session, lines: Iterable[str], *, source: str, user,
                    pii_key: str, now: dt.datetime, via: str = "cli") -> Summary:
    """Import an external list for `user` (a supervisor: own office; an analyst: all).

    Valid rows are imported and refused ones reported; commits once. Raises
    ImportInputError for a bad source, header or role.
    """
    if not can(user, "outcome.record"):
        raise ImportInputError("role", "only supervisors (their office) and analysts import "
                                       "outcomes")
    source = check_source(source)
    events, errors, rows = read_events(lines, pii_key, today=now.date())
    found = _interviews(session, sorted({e.nik_hash for e in events}), office_scope(user))
    links = []
    for event in events:
        hit = _latest_before(found.get(event.nik_hash, ()), event.event_date)
        if hit is not None:
            links.append((event, hit, import_key(pii_key, source, event)))
    existing = _existing(session, sorted({k for _, _, k in links}))
    new, seen = [], set()
    for event, (_, ident, office), key in links:
        if key in existing or key in seen:
            continue
        seen.add(key)
        new.append((office, _row(event, ident, key, source, user.id, now)))
    _write(session, new, user, source)
    summary = Summary(source, rows, len(links), len(events) - len(links), len(new),
                      len(links) - len(new), tuple(errors))
    audit.record(session, IMPORT_KIND, actor=user.username,
                 office_code=user.office_code if office_scope(user) else None,
                 data={k: v for k, v in summary.as_dict().items() if k != "errors"}
                 | {"errors": len(errors), "via": via})
    try:
        session.commit()
    except IntegrityError:  # a concurrent import of the same rows won
        session.rollback()
        raise ImportInputError("file", "another import of the same rows ran at the same "
                                       "time; import the file again") from None
    return summary


def _row(event: Event, assessment_id: str, key: str, source: str, user_id: int,
         now: dt.datetime) -> dict:
    """Return every column of the new outcome row (all of them: the seal covers each)."""
    return {"assessment_id": assessment_id, "outcome": EXTERNAL_KINDS[event.kind],
            "recruitment_method": None, "recruitment_app": None, "method_of_control": None,
            "recruiter_role": None, "destination_city": None, "notes": event.note,
            "recorded_by": user_id, "recorded_at": now, "origin": "external",
            "source_name": source, "event_date": event.event_date,
            "external_kind": event.kind, "event_country": event.country, "import_key": key}


def _write(session: Session, new: list[tuple[str, dict]], user, source: str) -> None:
    """Insert the new labels, read their ids back by key, and seal them in audit events of
    `SEALS_PER_EVENT` labels each (naming outcome id, assessment and outcome of each)."""
    if not new:
        return
    conn = session.connection()
    conn.execute(insert(_TABLE), [row for _, row in new])  # executemany: no row-by-row
    ids: dict[str, int] = {}
    for part in _chunks([row["import_key"] for _, row in new]):
        ids.update(conn.execute(select(_TABLE.c.import_key, _TABLE.c.id)
                                .where(_TABLE.c.import_key.in_(part))).all())
    events = []
    for part in _chunks([{"id": ids[row["import_key"]]} | row for _, row in new],
                        SEALS_PER_EVENT):
        events.append({"kind": LABEL_KIND, "actor": user.username, "data": {
            "source": source, "labels": [[r["id"], r["assessment_id"], r["outcome"]]
                                         for r in part],
            "seals": [seal("outcomes", r) for r in part]}})
    audit.record_many(session, events)
