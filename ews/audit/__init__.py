"""The audit trail: append-only events chained by hashes, so that edits are detectable.

Each event's hash covers its content and the previous event's hash. Appending updates the
one-row chain head first, which takes the database's write lock (SQLite) or a row lock
(PostgreSQL) until commit: concurrent writers queue up and the chain never forks. The event
is added to the caller's transaction, so it commits together with what it records.

Events that create a row of assessments, decisions or outcomes carry the row's seal
(`seal.py`; an event of a bulk write may carry many, under `seals`); so does every event
that creates or changes a row of the governing tables (rule sets, models, users, API tokens,
registrations, lifecycle evidence: `seal.GOVERNED`, sealed with `governs=`). `verify` then
also reconciles those tables with the chain, each row against its latest seal
(`reconcile.py`). Objects the schema does not create (a trigger copying rows elsewhere) are
refused by `ews.store.schema`, which `ews audit verify` and `ews restore --check` run first.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from sqlalchemy import bindparam, insert, inspect, select, text, update
from sqlalchemy.orm import Session

from ews.store.db import Db, connection_of, copy_rows, utcnow
from ews.store.direct import Direct
from ews.store.models import AuditEvent, AuditHead

from .reconcile import RowBreak, reconcile
from .seal import canonical_text, seal

RETENTION_KIND = "retention.applied"

GENESIS = "0" * 64
HEAD_ID = 1


canonical = canonical_text  # compact, key-sorted JSON: the one text that gets hashed


def _stamp(at: dt.datetime) -> str:
    """Return `at` as UTC text, 2026-11-24T04:16:14.123456Z (isoformat: strftime is slower)."""
    return at.astimezone(dt.UTC).replace(tzinfo=None).isoformat(timespec="microseconds") + "Z"


_NO_HEAD = "audit chain head missing: run `ews init`"
_CONTENT = ("seq", "at", "kind", "actor", "office_code", "subject", "data", "prev_hash")


def event_hash(ev: AuditEvent) -> str:
    """Return the hash an event must carry, given its content and `prev_hash`."""
    return _hash([getattr(ev, name) for name in _CONTENT])


def _hash(content: list) -> str:
    return hashlib.sha256(canonical(content).encode()).hexdigest()


_HEAD = AuditHead.__table__
# Built once: these run on every audited write (on the DB-API cursor: see store.direct).
# The first one takes the write lock.
_BUMP_HEAD = Direct(update(_HEAD).where(_HEAD.c.id == HEAD_ID).values(seq=_HEAD.c.seq + 1)
                    .returning(_HEAD.c.seq, _HEAD.c.hash))
_INSERT_EVENT = insert(AuditEvent.__table__)
_INSERT_ONE = Direct(_INSERT_EVENT)
_SET_HEAD_HASH = Direct(update(_HEAD).where(_HEAD.c.id == HEAD_ID)
                        .values(hash=bindparam("hash")))
# PostgreSQL: the same append in one statement, one round trip under the row lock instead of
# three (a submission's whole write holds that lock until its commit). FOR UPDATE waits for a
# concurrent append to commit and then reads the head it left; the server stamps the time and
# hashes the canonical text built here (`rest`, see `_rest`), adding only what it read under
# the lock - the number, the time and the previous hash, none of which JSON escapes - so the
# hash is `event_hash` of the stored event (tests/test_audit.py holds the two equal). Without
# a head the statement fails by itself (the cast names the problem), so nothing needs to read
# its result before the commit: `store.direct.together` can send both at once.
_APPEND_PG = Direct(text(f"""
WITH head AS (SELECT seq + 1 AS seq, hash AS prev,
                     to_char(clock_timestamp() AT TIME ZONE 'UTC',
                             'YYYY-MM-DD"T"HH24:MI:SS.US"Z"') AS at
              FROM audit_head WHERE id = {HEAD_ID} FOR UPDATE),
     event AS (INSERT INTO audit_events (seq, at, kind, actor, office_code, subject, data,
                                         prev_hash, hash)
               SELECT CAST(COALESCE(CAST(seq AS text), '{_NO_HEAD}') AS integer), at,
                      :kind, :actor, :office_code, :subject, :data, prev,
                      encode(sha256(convert_to('[' || seq || ',"' || at || '",' || :rest
                                               || ',"' || prev || '"]', 'UTF8')), 'hex')
               FROM (VALUES (1)) AS one LEFT JOIN head ON true RETURNING seq, hash)
UPDATE audit_head SET seq = event.seq, hash = event.hash FROM event
WHERE audit_head.id = {HEAD_ID}"""))


@dataclass(frozen=True)
class Prepared:
    """An event's content before its place in the chain (built outside the write lock)."""

    kind: str
    actor: str | None
    office_code: str | None
    subject: str | None
    data: str  # canonical JSON, the row's seal included


Row = tuple[str, Mapping]


def prepare(kind: str, *, actor: str | None = None, office_code: str | None = None,
            subject: str | None = None, data: dict | None = None,
            row: Row | list[Row] | None = None) -> Prepared:
    """Return an event ready to append: the row's seal and the canonical data, hashed once.

    `row` is (table, column values) of a row this event creates, or a list of such rows
    (governing rows this event creates or changes): their seals go into data.
    Separate from `append` so that a hot path seals before it takes the write lock.
    """
    if isinstance(row, list):
        data = (data or {}) | {"seal": [seal(*r) for r in row]}
    elif row is not None:
        data = (data or {}) | {"seal": seal(*row)}
    return Prepared(kind, actor, office_code, subject, canonical(data or {}))


def append(session: Db, event: Prepared) -> None:
    """Append a prepared event to the session's (connection's) transaction; the caller commits."""
    conn = connection_of(session)  # Core statements: no ORM flush needed for an append
    if conn.dialect.name == "postgresql":
        _APPEND_PG.run(conn, {"kind": event.kind, "actor": event.actor,
                              "office_code": event.office_code, "subject": event.subject,
                              "data": event.data, "rest": _rest(event)})
        return
    seq, prev = _BUMP_HEAD.one(conn) or (None, None)
    if seq is None:
        raise RuntimeError(_NO_HEAD)
    content = [seq, _stamp(utcnow()), event.kind, event.actor, event.office_code,
               event.subject, event.data, prev]
    values = dict(zip(_CONTENT, content, strict=True), hash=_hash(content))
    _INSERT_ONE.run(conn, values)
    _SET_HEAD_HASH.run(conn, {"hash": values["hash"]})


def _rest(event: Prepared) -> str:
    """Return the canonical text of an event's content between its time and previous hash."""
    return canonical([event.kind, event.actor, event.office_code, event.subject,
                      event.data])[1:-1]


OS_USER = "os_user"


def record(session: Session, kind: str, *, actor: str | None = None,
           office_code: str | None = None, subject: str | None = None,
           data: dict | None = None, row: Row | None = None,
           governs: tuple[Any, ...] = ()) -> None:
    """Append an event to the session's transaction (the caller commits); never put PII in data.

    `row` is (table, column values) of a row this event creates: its seal goes into data.
    `governs` are ORM objects of the governing tables (`seal.GOVERNED`) this event creates
    or changes: they are flushed and their seals go into data (one event per change).
    A command-line session acting as a named user adds the operating-system account
    (`session.info[OS_USER]`, see ews.cli.context.named_user) to data as `os_user`.
    """
    if OS_USER in session.info:
        data = {**(data or {}), OS_USER: session.info[OS_USER]}
    rows: Row | list[Row] | None = row
    if governs:
        session.flush()
        rows = [(obj.__table__.name, columns_of(obj)) for obj in governs]
    append(session, prepare(kind, actor=actor, office_code=office_code, subject=subject,
                            data=data, row=rows))


def columns_of(obj: Any) -> dict:
    """Return the stored column values of a flushed ORM object (to seal it)."""
    mapper = inspect(obj).mapper
    return {col.name: getattr(obj, attr.key) for attr in mapper.column_attrs
            for col in attr.columns}


def record_many(session: Session, events: list[dict]) -> None:
    """Append many events (dicts of kind, actor, office_code, subject, data, row) in one go.

    The same chain as `record` (a `row` is sealed into data the same way): for bulk writers
    (`ews demo`).
    """
    append_many(session, [prepare(ev["kind"], actor=ev.get("actor"),
                                  office_code=ev.get("office_code"), subject=ev.get("subject"),
                                  data=ev.get("data"), row=ev.get("row")) for ev in events])


def append_many(session: Db, events: list[Prepared]) -> None:
    """Append prepared events in one go to the session's transaction (the caller commits).

    The chain is built in Python after the head is bumped (which takes the write lock
    first), then inserted with one executemany, or COPY on PostgreSQL.
    """
    if not events:
        return
    conn = connection_of(session)
    last, prev = _BUMP_HEAD.one(conn) or (None, None)
    if last is None:
        raise RuntimeError(_NO_HEAD)
    stamp, rows = _stamp(utcnow()), []
    for seq, p in enumerate(events, start=last):
        content = [seq, stamp, p.kind, p.actor, p.office_code, p.subject, p.data, prev]
        prev = _hash(content)
        rows.append(content + [prev])
    names = (*_CONTENT, "hash")
    if conn.dialect.name == "postgresql":
        copy_rows(conn, "audit_events", names, rows)
    else:
        conn.execute(_INSERT_EVENT, [dict(zip(names, row, strict=True)) for row in rows])
    conn.execute(update(_HEAD).where(_HEAD.c.id == HEAD_ID)
                 .values(seq=last + len(events) - 1, hash=prev))


@dataclass(frozen=True)
class Break:
    """The first place where the chain does not hold."""

    seq: int
    problem: str

    def __str__(self) -> str:
        return f"audit event {self.seq}: {self.problem}"


def verify(session: Session, batch: int = 5000) -> tuple[int, Break | RowBreak | None]:
    """Walk the chain, then reconcile sealed rows; return (events checked, first break)."""
    prev, expected, count = GENESIS, 1, 0
    last_seq = 0
    seals: dict[tuple[str, str], tuple[int, dict]] = {}
    cutoff: dt.datetime | None = None
    while True:
        rows = session.scalars(select(AuditEvent).where(AuditEvent.seq > last_seq)
                               .order_by(AuditEvent.seq).limit(batch)).all()
        if not rows:
            break
        for ev in rows:
            if ev.seq != expected:
                return count, Break(expected, f"missing (deleted?); next present is {ev.seq}")
            if ev.prev_hash != prev:
                return count, Break(ev.seq, "prev_hash does not match the previous event")
            if event_hash(ev) != ev.hash:
                return count, Break(ev.seq, f"content altered (kind {ev.kind!r})")
            if '"seal' in ev.data:  # cheap test first: most events carry no seal
                content = json.loads(ev.data)
                sealed = content.get("seal")
                found = sealed if isinstance(sealed, list) else [sealed]
                for one in [*found, *(content.get("seals") or ())]:  # bulk writes: `seals`
                    if isinstance(one, dict):  # the latest seal of a row wins
                        seals[one["t"], one["id"]] = (ev.seq, one)
            if ev.kind == RETENTION_KIND:
                at = dt.datetime.fromisoformat(json.loads(ev.data)["cutoff"])
                cutoff = at if cutoff is None else max(cutoff, at)
            prev, expected, count, last_seq = ev.hash, expected + 1, count + 1, ev.seq
    head = session.get(AuditHead, HEAD_ID)
    if head is None:
        return count, Break(expected, "chain head missing")
    if head.seq != count or head.hash != prev:
        return count, Break(count + 1 if head.seq > count else head.seq,
                            f"chain head says {head.seq} events, found {count} (deleted?)")
    return count, reconcile(session, seals, cutoff)
