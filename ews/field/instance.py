"""`ews field open` and `ews field close`: the field instance, from the kit to the bundle.

Opening builds a complete EWS in a folder: SQLite, its own secret, the kit's office, rule
set (live), users and model, and the office's history keys as placeholder assessments of
two disabled accounts (`history.officer`, `history.supervisor`), so that the history
features (`ews.interviews.history`) find a repeat applicant or a shared phone in the field
exactly as at the office. The kit row marks the database as a field instance: users and
rule sets are then fixed (`ews.store.fieldkits.refuse_in_field`).

Closing marks the instance read-only and exports what the session made: its assessments
(never the placeholders), decisions, outcomes, follow-up draws, registrations, the whole
field audit chain and the user names its rows name, locked under the kit key.
"""

from __future__ import annotations

import base64
import datetime as dt
import json
import os
import secrets
import shutil
from pathlib import Path

from sqlalchemy import insert, select
from sqlalchemy.orm import Session

from ews import audit
from ews.audit.seal import seal
from ews.config import FIELD_FILE
from ews.lifecycle.service import activate_ruleset, register_ruleset
from ews.store import make_engine, trust
from ews.store.db import utcnow
from ews.store.migrate import upgrade
from ews.store.models import (
    Application,
    Assessment,
    AuditEvent,
    AuditHead,
    Decision,
    FieldKit,
    FollowupSample,
    ModelRecord,
    Office,
    Outcome,
    User,
)
from ews.store.users import create_user

from .crypto import FieldError, lock_bundle
from .rows import to_json

HISTORY_USERS = {"officer": "history.officer", "supervisor": "history.supervisor"}
HISTORY_ACTION = "office_history"
HISTORY_MARK = "office"  # superseded_by of a placeholder: never listed, never in a queue
DATABASE = "ews.sqlite3"


def open_kit(kit: dict, folder: Path, *, now: dt.datetime) -> dict:
    """Create the field instance of `kit` in `folder` (new or empty); return its settings."""
    expires = dt.datetime.fromisoformat(kit["expires_at"])
    if now >= expires:
        raise FieldError(f"kit {kit['kit_id']} expired at {expires:%Y-%m-%d %H:%M} UTC: pack "
                         "a new one at the office")
    if folder.exists() and any(folder.iterdir()):
        raise FieldError(f"--dir: {folder} is not empty; open a kit into a new folder")
    folder.mkdir(mode=0o700, parents=True, exist_ok=True)
    try:
        return _create(kit, folder, now)
    except BaseException:
        shutil.rmtree(folder, ignore_errors=True)  # no half-made instance is left behind
        raise


def _create(kit: dict, folder: Path, now: dt.datetime) -> dict:
    url = f"sqlite:///{folder / DATABASE}"
    upgrade(url)
    settings = {"kit_id": kit["kit_id"], "office_code": kit["office"]["code"],
                "timezone": kit["office"]["timezone"], "expires_at": kit["expires_at"],
                "secret_key": secrets.token_urlsafe(32), "pii_key": kit["keys"]["pii"],
                "model_secret": kit["keys"]["model"], "kit_key": kit["keys"]["kit"]}
    engine = make_engine(url)
    try:
        with Session(engine, expire_on_commit=False) as session:
            _fill(session, kit, folder, now)
    finally:
        engine.dispose()
    path = folder / FIELD_FILE
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w") as fh:
        json.dump(settings, fh)
    return settings


def _fill(session: Session, kit: dict, folder: Path, now: dt.datetime) -> None:
    office = kit["office"]
    session.add(Office(code=office["code"], name=office["name"], timezone=office["timezone"]))
    session.flush()
    rules = kit["ruleset"]
    row = register_ruleset(session, rules["text"], None, source=f"kit {kit['kit_id']}",
                           agencies=rules["agencies"])
    if row.sha256 != rules["sha256"]:
        raise FieldError("the kit's rule set does not hash to the office's; refused")
    activate_ruleset(session, row, None)
    actor = f"kit {kit['kit_id'][:8]}"
    for u in kit["users"]:
        create_user(session, u["username"], u["role"], office["code"], u["password_hash"],
                    actor=actor)
    placeholders = {}
    for role, name in HISTORY_USERS.items():
        user = User(username=name, role=role, office_code=office["code"], active=False,
                    password_hash="!", created_at=now)
        session.add(user)
        session.flush()
        audit.record(session, "user.created", actor=actor, office_code=office["code"],
                     subject=name, data={"role": role, "history_placeholder": True},
                     governs=(user,))
        placeholders[role] = user.id
    _history(session, kit, row.sha256, placeholders, actor)
    _model(session, kit, folder, placeholders["officer"], actor)
    session.add(FieldKit(kit_id=kit["kit_id"], office_code=office["code"],
                         usernames=[u["username"] for u in kit["users"]],
                         packed_by=kit["packed_by"],
                         packed_at=dt.datetime.fromisoformat(kit["packed_at"]),
                         expires_at=dt.datetime.fromisoformat(kit["expires_at"]),
                         opened_at=now))
    audit.record(session, "field.opened", actor=actor, office_code=office["code"],
                 subject=kit["kit_id"], data={"office_chain": kit["office_chain"],
                                              "ruleset": row.sha256,
                                              "users": [u["username"] for u in kit["users"]],
                                              "history_keys": len(kit["history"])})
    session.commit()


def _history(session: Session, kit: dict, sha: str, users: dict, actor: str) -> None:
    """Store the office's history keys as placeholder assessments and their decisions."""
    office = kit["office"]["code"]
    rows, decisions = [], []
    for h in kit["history"]:
        at = dt.datetime.fromisoformat(h["created_at"])
        rows.append(dict(
            id=h["id"], office_code=office, application_id=h["application_id"],
            answers_hash="", answers={}, features={}, result={}, score=0, band="",
            rung=0, action=HISTORY_ACTION, decision_required=False, status="superseded",
            ruleset_sha256=sha, model_version=None, officer_id=users["officer"],
            nik_hash=h["nik_hash"], phone_hash=h["phone_hash"], interviewed_at=at,
            created_at=at, due_at=None, claimed_by=None, claimed_at=None, decided_at=None,
            checklist_version=2, version=h["version"], supersedes_id=None,
            superseded_by=HISTORY_MARK, origin_kecamatan=None, recruiter_phone_hash=None))
        for d in h["decisions"]:
            decisions.append(dict(
                assessment_id=h["id"], decision=d["decision"], reason="",
                decided_by=users["supervisor" if d["role"] in ("supervisor", "admin")
                                 else "officer"],
                decided_at=dt.datetime.fromisoformat(d["decided_at"]), amends=None))
    if not rows:
        return
    session.execute(insert(Assessment.__table__), rows)
    stored = []
    if decisions:
        # First decisions only (amends null): one per item holds the unique index; an
        # amended one is history all the same (the latest decision is what counts).
        latest = {d["assessment_id"]: d for d in decisions}
        stored = session.execute(insert(Decision.__table__).returning(
            *Decision.__table__.c, sort_by_parameter_order=True),
            list(latest.values())).mappings().all()
    seals = [seal("assessments", r) for r in rows] + [seal("decisions", d) for d in stored]
    audit.record(session, "field.history_loaded", actor=actor, office_code=office,
                 subject=kit["kit_id"], data={"assessments": len(rows),
                                              "decisions": len(stored), "seals": seals})


def _model(session: Session, kit: dict, folder: Path, owner: int, actor: str) -> None:
    """Install the kit's model, checked under this instance's model key, as the active one."""
    carried = kit.get("model")
    if not carried:
        return
    from ews.config import model_key

    manifest = carried["manifest"]
    models = folder / "models"
    models.mkdir(mode=0o700, exist_ok=True)
    try:
        path = trust.artefact_path(models, manifest)
        path.write_bytes(base64.b64decode(carried["data"]))
        trust.read_verified(path, manifest, model_key(kit["keys"]["model"]))
    except (trust.ModelIntegrityError, trust.ManifestError) as err:
        raise FieldError(f"the kit's model is refused: {err}") from None
    row = ModelRecord(version=manifest["version"], sha256=manifest["sha256"],
                      path=str(path.resolve()), estimator=manifest["estimator"],
                      manifest=manifest, status="active", submitted_by=owner,
                      submitted_at=utcnow())
    session.add(row)
    session.flush()
    audit.record(session, "model.installed", actor=actor, subject=row.version,
                 data={"sha256": row.sha256, "from_kit": kit["kit_id"]}, governs=(row,))


def close(session: Session, settings: dict, *, now: dt.datetime) -> bytes:
    """Mark the instance closed (once; audited) and return the bundle of its session."""
    kit = session.scalar(select(FieldKit).where(FieldKit.opened_at.is_not(None)))
    if kit is None or kit.kit_id != settings["kit_id"]:
        raise FieldError("this folder holds no field instance of the kit its settings name")
    if kit.closed_at is None:
        kit.closed_at = now
        audit.record(session, "field.closed", actor=f"kit {kit.kit_id[:8]}",
                     office_code=kit.office_code, subject=kit.kit_id)
        session.commit()
    return lock_bundle(export(session, kit), kit.kit_id, bytes.fromhex(settings["kit_key"]))


def export(session: Session, kit: FieldKit) -> dict:
    """Return what the field session made (not the placeholders) and its audit chain."""
    placeholders = select(User.id).where(User.username.in_(HISTORY_USERS.values()))
    a = Assessment.__table__
    assessments = _rows(session, a, a.c.officer_id.not_in(placeholders), a.c.created_at)
    ids = select(a.c.id).where(a.c.officer_id.not_in(placeholders))
    d, o, f = Decision.__table__, Outcome.__table__, FollowupSample.__table__
    decisions = _rows(session, d, d.c.assessment_id.in_(ids), d.c.id)
    outcomes = _rows(session, o, o.c.assessment_id.in_(ids), o.c.id)
    samples = _rows(session, f, f.c.assessment_id.in_(ids), f.c.assessment_id)
    apps = Application.__table__
    registrations = _rows(session, apps, True, apps.c.registered_at)
    events = [{"seq": e.seq, "at": e.at, "kind": e.kind, "actor": e.actor,
               "office_code": e.office_code, "subject": e.subject, "data": e.data,
               "prev_hash": e.prev_hash, "hash": e.hash}
              for e in session.scalars(select(AuditEvent).order_by(AuditEvent.seq))]
    head = session.get(AuditHead, audit.HEAD_ID)
    users = dict(session.execute(select(User.id, User.username)).all())
    return {"format": 1, "kit_id": kit.kit_id, "office_code": kit.office_code,
            "closed_at": kit.closed_at.isoformat(), "head": {"seq": head.seq, "hash": head.hash},
            "users": {str(k): v for k, v in users.items()}, "assessments": assessments,
            "decisions": decisions, "outcomes": outcomes, "samples": samples,
            "registrations": registrations, "events": events}


def _rows(session: Session, table, where, order) -> list[dict]:
    return [to_json(table, r) for r in
            session.execute(select(table).where(where).order_by(order)).mappings()]
