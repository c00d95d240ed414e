"""Applications registered at the front desk (intake) and the officers' waiting list.

Registration keeps identity exactly as an assessment does: NIK and phone as keyed hashes,
name and date of birth not at all. An application is *waiting* until an assessment of the
same office and application id exists (entered from the list or by hand).
"""

from __future__ import annotations

import datetime as dt
import json
import uuid
from collections.abc import Iterable
from dataclasses import dataclass

from sqlalchemy import exists, select
from sqlalchemy.orm import Session

from ews import audit
from ews.checklist import CARRIED, INTAKE_FIELDS

from . import pii
from .db import utcnow
from .models import Application, Assessment, Office

STATUSES = ("waiting", "assessed")


class IntakeConflict(Exception):
    """The application id is already registered at the office with other data."""

    def __init__(self, existing: Application) -> None:
        super().__init__(f"application {existing.application_id!r} of office "
                         f"{existing.office_code!r} is already registered with other data")
        self.existing = existing


@dataclass
class Registration:
    """What `register` did: the stored row and whether this call created it."""

    application: Application
    created: bool


def intake_hash(key: str, record: dict) -> str:
    """Return a keyed hash of what was registered (a replay with the same data is no change)."""
    canon = {name: pii._jsonable(record.get(name)) for name in INTAKE_FIELDS}
    if canon.get("phone"):
        canon["phone"] = pii.normal_phone(canon["phone"])
    text = json.dumps(canon, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return pii.keyed_hash(key, "intake", text)


def _row(record: dict, key: str, user_id: int | None) -> Application:
    return Application(
        id=str(uuid.uuid4()), office_code=record["office_code"],
        application_id=record["application_id"], intake_hash=intake_hash(key, record),
        nik_hash=pii.nik_hash(key, record["nik"]), phone_hash=pii.phone_hash(key, record["phone"]),
        is_minor=record["is_minor"], age_band=record["age_band"],
        origin_kecamatan=record["origin_kecamatan"], purpose=record.get("purpose"),
        application_type=record.get("application_type"), registered_by=user_id,
        registered_at=utcnow(), **{name: record.get(name) for name in CARRIED})


def find(session: Session, office_code: str, application_id: str) -> Application | None:
    """Return the registration of an application at an office, or None."""
    return session.scalar(select(Application).where(
        Application.office_code == office_code, Application.application_id == application_id))


def unknown_offices(session: Session, codes: Iterable[str]) -> set[str]:
    """Return the office codes among `codes` that do not exist."""
    codes = set(codes)
    known = set(session.scalars(select(Office.code).where(Office.code.in_(codes))))
    return codes - known


def check(session: Session, records: list[dict], key: str) -> list[str | None]:
    """Return per record: None (new), "same" (registered with the same data) or "conflict"."""
    out: list[str | None] = []
    for record in records:
        existing = find(session, record["office_code"], record["application_id"])
        if existing is None:
            out.append(None)
        else:
            out.append("same" if existing.intake_hash == intake_hash(key, record) else "conflict")
    return out


def register(session: Session, records: list[dict], *, key: str, actor: str,
             user_id: int | None) -> list[Registration]:
    """Store validated registrations in one transaction; same data again is a no-op.

    Raises IntakeConflict (nothing stored) when an application id is registered with other
    data. Each new row gets an `application.registered` audit event (no personal data).
    """
    out: list[Registration] = []
    seen: dict[tuple[str, str], Application] = {}
    try:
        for record in records:
            ident = (record["office_code"], record["application_id"])
            existing = seen.get(ident) or find(session, *ident)
            if existing is not None:
                if existing.intake_hash != intake_hash(key, record):
                    raise IntakeConflict(existing)
                out.append(Registration(existing, created=False))
                continue
            row = _row(record, key, user_id)
            session.add(row)
            session.flush()
            seen[ident] = row
            # No application number in the event: retention blanks it in the row, but the
            # audit chain keeps every event as written (`subject` names the row).
            audit.record(session, "application.registered", actor=actor,
                         office_code=row.office_code, subject=row.id,
                         data={"purpose": row.purpose}, governs=(row,))
            out.append(Registration(row, created=True))
        session.commit()
    except Exception:
        session.rollback()
        raise
    return out


def _assessed():
    return exists().where(Assessment.office_code == Application.office_code,
                          Assessment.application_id == Application.application_id)


def listing(session: Session, offices: tuple[str, ...] | None, status: str | None,
            limit: int = 200, since: dt.datetime | None = None) -> list[tuple[Application, bool]]:
    """Return registrations (oldest first) with whether each has been assessed (`since`:
    registered at or after that instant)."""
    assessed = _assessed()
    # Registrations redacted by retention (no NIK hash left) wait for nothing any more.
    stmt = select(Application, assessed.label("assessed")).where(Application.nik_hash != "")
    if since is not None:
        stmt = stmt.where(Application.registered_at >= since)
    if offices is not None:
        stmt = stmt.where(Application.office_code.in_(offices))
    if status == "waiting":
        stmt = stmt.where(~assessed)
    elif status == "assessed":
        stmt = stmt.where(assessed)
    stmt = stmt.order_by(Application.registered_at, Application.application_id).limit(limit)
    return [(row, bool(flag)) for row, flag in session.execute(stmt).all()]


class AlreadyInterviewed(Exception):
    """A registration an interview has used cannot be corrected any more."""


def interviewed(session: Session, row: Application) -> bool:
    """Return True when an interview of the registration's office and number exists."""
    return session.scalar(select(Assessment.id).where(
        Assessment.office_code == row.office_code,
        Assessment.application_id == row.application_id).limit(1)) is not None


def correct(session: Session, row: Application, record: dict, *, key: str, actor: str,
            user_id: int | None) -> list[str]:
    """Replace a registration no interview has used with the validated `record`, audited.

    Returns the names of the columns that changed (empty: nothing to do, nothing written).
    Raises AlreadyInterviewed, or IntakeConflict when the new application id is registered
    at the office already. The event names the changed columns, never their values.
    """
    if interviewed(session, row):
        raise AlreadyInterviewed(row.id)
    if record["application_id"] != row.application_id:
        taken = find(session, row.office_code, record["application_id"])
        if taken is not None:
            raise IntakeConflict(taken)
    fresh = _row(record, key, user_id)
    skip = {"id", "office_code", "registered_by", "registered_at"}
    changed = [col.name for col in Application.__table__.columns if col.name not in skip
               and getattr(fresh, col.name) != getattr(row, col.name)]
    if not changed:
        return []
    try:
        for name in changed:
            setattr(row, name, getattr(fresh, name))
        audit.record(session, "application.corrected", actor=actor,
                     office_code=row.office_code, subject=row.id,
                     data={"fields": sorted(set(changed) - {"intake_hash"})}, governs=(row,))
        session.commit()
    except Exception:
        session.rollback()
        raise
    return changed


def waiting_for(session: Session, intake_id: str, office_code: str) -> Application | None:
    """Return the registration `intake_id` of `office_code` if it exists (else None)."""
    row = session.get(Application, intake_id)
    return row if row is not None and row.office_code == office_code else None


def identity_of(row: Application) -> dict:
    """Return the identity an interview takes from its registration (see assessments.submit)."""
    return {"nik_hash": row.nik_hash, "phone_hash": row.phone_hash, "is_minor": row.is_minor,
            "age_band": row.age_band, "origin_kecamatan": row.origin_kecamatan,
            **{name: getattr(row, name) for name in CARRIED}}
