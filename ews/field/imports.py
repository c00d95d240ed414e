"""`ews field import`: a field session's bundle into the office's log, once, nothing forged.

In this order, and nothing is written unless every check holds: the bundle names a kit this
office packed, not expired; its signature under the kit key holds; the field audit chain
hashes from the genesis to the head it names; every exported row matches the seal its
field event carries; every user it names exists at the office. Then, in one transaction,
what is new is inserted (by assessment id: idempotent by office, application and version),
keeping interview time, officer and rule-set sha; an application the office holds already
from elsewhere is a listed conflict, never overwritten. Flagged interviews left undecided
join the office queue with an SLA that runs from the import. The field events after the
last import of this kit are appended to the office chain (`field.<kind>`, their field
sequence, time and hash in data, each with the seal of the office row it created), then one
`field.imported` event naming the field chain's head.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from collections.abc import Callable
from dataclasses import dataclass, field
from types import SimpleNamespace

import orjson
from sqlalchemy import insert, select
from sqlalchemy.orm import Session

from ews import audit
from ews.audit.seal import check
from ews.store import facts
from ews.store.db import as_utc
from ews.store.models import (
    Application,
    Assessment,
    Decision,
    FieldKit,
    FollowupSample,
    Outcome,
    User,
)

from .crypto import FieldError, bundle_kit, kit_key, unlock_bundle
from .rows import from_json

DueAt = Callable[[dt.datetime, int], dt.datetime | None]
IMPORTERS = ("admin", "supervisor")
CHUNK = 500


@dataclass
class Summary:
    """What an import did (`--format json`)."""

    kit_id: str = ""
    assessments: int = 0
    decisions: int = 0
    outcomes: int = 0
    registrations: int = 0
    events: int = 0
    duplicates: int = 0
    conflicts: list[dict] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)

    def as_dict(self) -> dict:
        """Return the summary as JSON-ready data."""
        return {"kit_id": self.kit_id, "assessments": self.assessments,
                "decisions": self.decisions, "outcomes": self.outcomes,
                "registrations": self.registrations, "events": self.events,
                "duplicates": self.duplicates, "conflicts": self.conflicts,
                "errors": self.errors}


def import_bundle(session: Session, data: bytes, *, actor: User, secret: str,
                  due_at: DueAt, now: dt.datetime) -> Summary:
    """Check and import a bundle (one transaction, committed); FieldError when refused."""
    kit_id = bundle_kit(data)
    kit = session.scalar(select(FieldKit).where(FieldKit.kit_id == kit_id,
                                                FieldKit.opened_at.is_(None)))
    if kit is None:
        raise FieldError(f"unknown kit {kit_id[:36]!r}: this office packed no such kit; "
                         "nothing was imported")
    if actor.role not in IMPORTERS or (actor.role == "supervisor"
                                       and actor.office_code != kit.office_code):
        raise FieldError(f"user {actor.username!r} may not import: an admin, or a supervisor "
                         f"of office {kit.office_code}")
    if now >= as_utc(kit.expires_at):
        raise FieldError(f"kit {kit_id} expired at {as_utc(kit.expires_at):%Y-%m-%d %H:%M} "
                         "UTC: its bundle is refused; nothing was imported")
    bundle = unlock_bundle(data, kit_key(secret, kit_id))
    if bundle.get("kit_id") != kit_id or bundle.get("office_code") != kit.office_code:
        raise FieldError("the bundle's content names another kit or office; refused")
    events = _verified_chain(bundle)
    rows = _verified_rows(bundle, events)
    users = _office_users(session, bundle)
    summary = Summary(kit_id=kit_id)
    job = _Import(session, kit, bundle, rows, users, summary, due_at, now)
    try:
        job.run(events, actor=actor.username, digest=hashlib.sha256(data).hexdigest())
    except Exception:
        session.rollback()
        raise
    return summary


def _verified_chain(bundle: dict) -> list[dict]:
    """Return the field events once their chain holds from the genesis to the named head."""
    prev, events = audit.GENESIS, bundle["events"]
    for expected, ev in enumerate(events, start=1):
        if ev["seq"] != expected or ev["prev_hash"] != prev:
            raise FieldError(f"the field audit chain breaks at event {expected}; refused")
        if audit.event_hash(SimpleNamespace(**ev)) != ev["hash"]:
            raise FieldError(f"field audit event {expected} was altered; refused")
        prev = ev["hash"]
    head = bundle["head"]
    if head != {"seq": len(events), "hash": prev}:
        raise FieldError("the field audit chain does not end at the head the bundle names; "
                         "refused")
    return events


TABLES = {"assessments": Assessment.__table__, "decisions": Decision.__table__,
          "outcomes": Outcome.__table__, "registrations": Application.__table__}
SEALED_AS = {"assessments": "assessments", "decisions": "decisions", "outcomes": "outcomes",
             "registrations": "applications"}


def _verified_rows(bundle: dict, events: list[dict]) -> dict[str, list[dict]]:
    """Return the bundle's rows as column values once each matches its field seal."""
    seals: dict[tuple[str, str], dict] = {}
    for ev in events:
        if '"seal' not in ev["data"]:
            continue
        content = ev["content"] = orjson.loads(ev["data"])  # parsed once, kept for `event`
        found = content.get("seal")
        for one in [*(found if isinstance(found, list) else [found]),
                    *(content.get("seals") or ())]:
            if isinstance(one, dict):
                seals[one["t"], one["id"]] = one
    out = {}
    for name, table in TABLES.items():
        out[name] = [from_json(table, r) for r in bundle[name]]
        for row in out[name]:
            key = str(row["id"])
            stored = seals.get((SEALED_AS[name], key))
            problem = "no field event records it" if stored is None else check(stored, row,
                                                                                 None)
            if problem:
                raise FieldError(f"the bundle's {name} row {key} does not match the field "
                                 f"audit chain ({problem}); refused")
    out["samples"] = [from_json(FollowupSample.__table__, r) for r in bundle["samples"]]
    return out


def _office_users(session: Session, bundle: dict) -> dict[int, int]:
    """Return {field user id: office user id} by name; FieldError naming a missing one."""
    names = bundle["users"]
    found = dict(session.execute(select(User.username, User.id)
                                 .where(User.username.in_(list(names.values())))).all())
    out = {}
    for field_id, name in names.items():
        if name in found:
            out[int(field_id)] = found[name]
    return out


class _Import:
    """The writes of one bundle, in one transaction."""

    def __init__(self, session: Session, kit: FieldKit, bundle: dict, rows: dict,
                 users: dict[int, int], summary: Summary, due_at: DueAt,
                 now: dt.datetime) -> None:
        self.session, self.kit, self.bundle, self.rows = session, kit, bundle, rows
        self.users, self.summary, self.due_at, self.now = users, summary, due_at, now
        self.office_rows: dict[tuple[str, str], dict] = {}  # (table, field id) -> values

    def user(self, field_id: int | None, what: str) -> int | None:
        if field_id is None:
            return None
        if field_id not in self.users:
            name = self.bundle["users"].get(str(field_id), "?")
            raise FieldError(f"{what}: user {name!r} of the bundle is not a user of this "
                             "office; nothing was imported")
        return self.users[field_id]

    def run(self, events: list[dict], *, actor: str, digest: str) -> None:
        conn = self.session.connection()
        new_ids = self.assessments(conn)
        self.decisions(conn, new_ids)
        self.outcomes(conn, new_ids)
        self.registrations(conn)
        carried = [ev for ev in events if ev["seq"] > (self.kit.imported_seq or 0)]
        self.summary.events = len(carried)
        if not carried and not self.office_rows:
            self.session.rollback()  # a second import of the same bundle: nothing at all
            return
        audit.record_many(self.session, [self.event(ev) for ev in carried] + [{
            "kind": "field.imported", "actor": actor, "office_code": self.kit.office_code,
            "subject": self.kit.kit_id,
            "data": {"field_head": self.bundle["head"],
                     "bundle_sha256": digest,
                     **{k: v for k, v in self.summary.as_dict().items()
                        if k not in ("kit_id", "conflicts", "errors")},
                     "conflicts": len(self.summary.conflicts)}}])
        self.kit.imported_seq = self.bundle["head"]["seq"]
        self.kit.imported_at = self.now
        self.session.commit()

    def assessments(self, conn) -> set[str]:
        rows = self.rows["assessments"]
        table = Assessment.__table__
        present, apps = set(), set()
        app_ids = sorted({r["application_id"] for r in rows})
        for i in range(0, len(app_ids), CHUNK):
            for row_id, app in conn.execute(select(table.c.id, table.c.application_id).where(
                    table.c.office_code == self.kit.office_code,
                    table.c.application_id.in_(app_ids[i:i + CHUNK]))):
                present.add(row_id)
                apps.add(app)
        values, new_ids = [], set()
        for r in rows:
            if r["id"] in present:
                self.summary.duplicates += 1
                continue
            if r["application_id"] in apps:
                self.summary.conflicts.append(
                    {"application_id": r["application_id"], "field_assessment": r["id"],
                     "problem": "already assessed at the office; the field interview was "
                                "not imported"})
                continue
            v = dict(r)
            v["officer_id"] = self.user(r["officer_id"], "assessment")
            v["claimed_by"] = self.user(r["claimed_by"], "assessment")
            if v["status"] == "awaiting_review":  # the SLA runs from the import
                v["due_at"] = self.due_at(self.now, v["rung"])
                v["claimed_by"] = v["claimed_at"] = None
            values.append(v)
            new_ids.add(v["id"])
            self.office_rows["assessments", v["id"]] = v
        if values:
            conn.execute(insert(table), values)
            facts.insert_facts(conn, values)
            for s in self.rows["samples"]:
                if s["assessment_id"] in new_ids:
                    conn.execute(insert(FollowupSample.__table__), s)
        self.summary.assessments = len(values)
        return new_ids

    def decisions(self, conn, new_ids: set[str]) -> None:
        pending = [r for r in self.rows["decisions"] if r["assessment_id"] in new_ids]
        mapped: dict[int, int] = {}
        while pending:  # first decisions, then the amendments of those, ...
            ready = [r for r in pending if r["amends"] is None or r["amends"] in mapped]
            if not ready:
                raise FieldError("the bundle's decisions amend decisions it does not hold; "
                                 "refused")
            values = [{k: v for k, v in r.items() if k != "id"}
                      | {"decided_by": self.user(r["decided_by"], "decision"),
                         "amends": mapped.get(r["amends"])} for r in ready]
            stored = conn.execute(insert(Decision.__table__).returning(
                *Decision.__table__.c, sort_by_parameter_order=True), values).mappings().all()
            for r, s in zip(ready, stored, strict=True):
                mapped[r["id"]] = s["id"]
                self.office_rows["decisions", str(r["id"])] = dict(s)
            pending = [r for r in pending if r["id"] not in mapped]
        self.summary.decisions = len(mapped)

    def outcomes(self, conn, new_ids: set[str]) -> None:
        ready = [r for r in self.rows["outcomes"] if r["assessment_id"] in new_ids]
        if not ready:
            return
        values = [{k: v for k, v in r.items() if k != "id"}
                  | {"recorded_by": self.user(r["recorded_by"], "outcome")} for r in ready]
        stored = conn.execute(insert(Outcome.__table__).returning(
            *Outcome.__table__.c, sort_by_parameter_order=True), values).mappings().all()
        for r, s in zip(ready, stored, strict=True):
            self.office_rows["outcomes", str(r["id"])] = dict(s)
        self.summary.outcomes = len(stored)

    def registrations(self, conn) -> None:
        table = Application.__table__
        for r in self.rows["registrations"]:
            there = conn.execute(select(table.c.id).where(
                table.c.office_code == self.kit.office_code,
                table.c.application_id == r["application_id"])).scalar()
            if there == r["id"]:
                self.summary.duplicates += 1
                continue
            if there is not None:
                self.summary.conflicts.append(
                    {"application_id": r["application_id"], "field_registration": r["id"],
                     "problem": "registered at the office already; not imported"})
                continue
            v = dict(r) | {"registered_by": self.user(r["registered_by"], "registration")}
            conn.execute(insert(table), v)
            self.office_rows["registrations", r["id"]] = v
            self.summary.registrations += 1

    def event(self, ev: dict) -> dict:
        """Return the office event carrying one field event (with its office rows' seals)."""
        content = dict(ev.get("content") or orjson.loads(ev["data"]))
        found = content.pop("seal", None)
        many = content.pop("seals", None)
        rows = []
        for one in [*(found if isinstance(found, list) else [found]), *(many or ())]:
            if not isinstance(one, dict):
                continue
            name = {v: k for k, v in SEALED_AS.items()}.get(one["t"])
            values = self.office_rows.get((name, one["id"])) if name else None
            if values is not None:
                rows.append((one["t"], values))
        kind = f"field.{ev['kind']}"[:40]
        return {"kind": kind, "actor": ev["actor"], "office_code": ev["office_code"],
                "subject": ev["subject"], "row": rows or None,
                "data": content | {"field": {"kit": self.kit.kit_id, "seq": ev["seq"],
                                             "at": ev["at"], "hash": ev["hash"]}}}
