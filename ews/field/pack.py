"""`ews field pack`: what a field laptop needs of the office, in one payload (then locked).

The active rule set with its agency list, the active model (re-signed under the kit's own
model key), the chosen users of the office (officers, supervisors, front desk; their
password hashes), the office's history keys of the last 90 days (NIK and phone hashes of its
assessments and the decisions on them: no answers, no names), the office chain's head, and
the keys the field needs: the office's PII key (so a NIK hashes in the field as at the
office) and the kit key (so the office can check the bundle that comes back).
"""

from __future__ import annotations

import base64
import datetime as dt
import secrets
import uuid
from pathlib import Path

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from ews import audit
from ews.config import model_key
from ews.store import trust
from ews.store.model_registry import active_row
from ews.store.models import (
    Assessment,
    AuditHead,
    Decision,
    FieldKit,
    ModelRecord,
    Office,
    User,
)
from ews.store.rulesets import active_record

from .crypto import FieldError, kit_key

FORMAT = 1
FIELD_ROLES = ("officer", "supervisor", "intake")
HISTORY_DAYS = 90
MAX_DAYS = 30


def pack(session: Session, *, office_code: str, usernames: list[str], days: int,
         actor: User, secret: str, pii_key: str, office_model_key: bytes | None,
         now: dt.datetime) -> dict:
    """Return a kit's payload and record the kit (audited, committed); FieldError if refused."""
    if actor.role != "admin":
        raise FieldError(f"user {actor.username!r} is not an admin: only an admin packs a kit")
    if not 1 <= days <= MAX_DAYS:
        raise FieldError(f"--days: a kit is valid for 1 to {MAX_DAYS} days, not {days}")
    office = session.get(Office, office_code)
    if office is None:
        raise FieldError(f"--office: no office {office_code!r}")
    users = [_field_user(session, name, office_code) for name in dict.fromkeys(usernames)]
    if not users:
        raise FieldError("--users: name at least one officer of the office")
    ruleset = active_record(session)
    if ruleset is None:
        raise FieldError("no live rule set: run `ews init` first")
    kit_id = str(uuid.uuid4())
    model_secret = secrets.token_urlsafe(32)
    expires = now + dt.timedelta(days=days)
    head = session.get(AuditHead, audit.HEAD_ID)
    history = _history(session, office_code, now - dt.timedelta(days=HISTORY_DAYS))
    payload = {
        "format": FORMAT, "kit_id": kit_id, "packed_at": now.isoformat(),
        "expires_at": expires.isoformat(), "packed_by": actor.username,
        "office": {"code": office.code, "name": office.name, "timezone": office.timezone},
        "ruleset": {"sha256": ruleset.sha256, "text": ruleset.text,
                    "agencies": ruleset.agencies_csv},
        "users": [{"username": u.username, "role": u.role, "password_hash": u.password_hash}
                  for u in users],
        "history": history,
        "office_chain": {"seq": head.seq, "hash": head.hash},
        "keys": {"kit": kit_key(secret, kit_id).hex(), "pii": pii_key,
                 "model": model_secret},
        "model": _model(session, office_model_key, model_key(model_secret)),
    }
    session.add(FieldKit(kit_id=kit_id, office_code=office_code,
                         usernames=[u.username for u in users], packed_by=actor.username,
                         packed_at=now, expires_at=expires))
    audit.record(session, "field.packed", actor=actor.username, office_code=office_code,
                 subject=kit_id, data={"users": [u.username for u in users],
                                       "expires_at": expires.isoformat(),
                                       "ruleset": ruleset.sha256,
                                       "model": (payload["model"] or {}).get("version"),
                                       "history_keys": len(history),
                                       "office_chain_seq": head.seq})
    session.commit()
    return payload


def _field_user(session: Session, name: str, office_code: str) -> User:
    user = session.scalar(select(User).where(User.username == name))
    if user is None:
        raise FieldError(f"--users: no user {name!r}")
    if user.office_code != office_code:
        raise FieldError(f"--users: {name!r} is a user of office {user.office_code}, not "
                         f"{office_code}; a kit carries its own office's users only")
    if user.role not in FIELD_ROLES:
        raise FieldError(f"--users: {name!r} is {user.role}; a kit carries only "
                         f"{', '.join(FIELD_ROLES)}")
    if not user.active:
        raise FieldError(f"--users: {name!r} is disabled")
    if user.must_change_password:
        raise FieldError(f"--users: {name!r} must change the one-time password at the office "
                         "first")
    return user


def _history(session: Session, office_code: str, since: dt.datetime) -> list[dict]:
    """Return the office's history keys since `since`: hashes, times, decisions (no answers)."""
    rows = session.execute(
        select(Assessment.id, Assessment.application_id, Assessment.version,
               Assessment.nik_hash, Assessment.phone_hash, Assessment.created_at)
        .where(Assessment.office_code == office_code, Assessment.created_at >= since,
               or_(Assessment.nik_hash.is_not(None), Assessment.phone_hash.is_not(None)))
        .order_by(Assessment.created_at)).all()
    out = {r.id: {"id": r.id, "application_id": r.application_id, "version": r.version,
                  "nik_hash": r.nik_hash, "phone_hash": r.phone_hash,
                  "created_at": r.created_at.isoformat() if r.created_at.tzinfo else
                  r.created_at.replace(tzinfo=dt.UTC).isoformat(), "decisions": []}
           for r in rows}
    if out:
        decided = session.execute(
            select(Decision.assessment_id, Decision.decision, Decision.decided_at, User.role)
            .join(User, Decision.decided_by == User.id)
            .join(Assessment, Decision.assessment_id == Assessment.id)
            .where(Assessment.office_code == office_code, Assessment.created_at >= since)
            .order_by(Decision.id))
        for d in decided:
            if d.assessment_id in out:
                at = d.decided_at if d.decided_at.tzinfo else d.decided_at.replace(tzinfo=dt.UTC)
                out[d.assessment_id]["decisions"].append(
                    {"decision": d.decision, "role": d.role, "decided_at": at.isoformat()})
    return list(out.values())


def _model(session: Session, office_key: bytes | None, field_key: bytes) -> dict | None:
    """Return the active model, checked under the office's key, re-signed under the kit's."""
    row = active_row(session)
    if row is None:
        return None
    manifest = session.scalar(select(ModelRecord.manifest)
                              .where(ModelRecord.version == row.version))
    try:
        data = trust.read_verified(Path(row.path), manifest, office_key,
                                   approved_sha256=row.sha256)
    except (trust.ModelIntegrityError, trust.ManifestError) as err:
        raise FieldError(f"the active model cannot go into the kit: {err}") from None
    resigned = dict(manifest) | {"signature": trust.sign(manifest, data, field_key)}
    return {"version": row.version, "manifest": resigned,
            "data": base64.b64encode(data).decode("ascii")}
