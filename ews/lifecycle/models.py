"""The lifecycle of a trained model: submit, approve, activate - each by different people.

Each step checks the file against its signed manifest (`ews.store.trust`): submit and
approve read the bytes only, activate also loads them as the service will (skops, allowed
types only), so a model the service would refuse is refused here, with the reason. Approval
names stored evidence of exactly this file (an evaluation, `ews model evaluate`). A refused
approval or activation rolls back and is audited (`model.refused`, committed).
"""

from __future__ import annotations

import json
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import Session

from ews import audit
from ews.store.approvers import independence_problem
from ews.store.db import utcnow
from ews.store.fieldkits import refuse_in_field
from ews.store.model_registry import ModelError, get
from ews.store.models import ModelRecord, User
from ews.store.rulesets import MakerCheckerError
from ews.store.trust import VERSION, ManifestError, artefact_path, load, read_verified

from .evidence import EvidenceRequired, required
from .refusals import record_refusal

SUBMITTERS = ("analyst", "admin")
APPROVERS = ("admin",)
REFUSED = (ModelError, PermissionError, MakerCheckerError, ValueError)


def _read_manifest(path: Path) -> dict:
    try:
        manifest = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise ModelError(f"cannot read the manifest {path}: {exc}") from None
    if not isinstance(manifest, dict):
        raise ModelError(f"the manifest {path} is not a JSON object")
    if not isinstance(manifest.get("version"), str) or not VERSION.match(manifest["version"]):
        raise ManifestError("version", "letters, digits, '.', '_' and '-' only")
    if not isinstance(manifest.get("estimator"), str):
        raise ManifestError("estimator", "missing")
    return manifest


def submit(session: Session, manifest_path: Path | str, by: User, *,
           key: bytes | None) -> ModelRecord:
    """Register a trained model from its manifest: a file of the folder, signed by `key`."""
    refuse_in_field(session, "submit a model")
    if by.role not in SUBMITTERS:
        raise PermissionError(f"role {by.role!r} may not submit a model")
    path = Path(manifest_path)
    manifest = _read_manifest(path)
    model_path = artefact_path(path.parent, manifest)
    read_verified(model_path, manifest, key)  # bytes and signature; nothing deserialised
    if session.scalar(select(ModelRecord).where(ModelRecord.version == manifest["version"])):
        raise ModelError(f"model version {manifest['version']!r} is already registered")
    row = ModelRecord(version=manifest["version"], sha256=manifest["sha256"],
                      path=str(model_path.resolve()), estimator=manifest["estimator"],
                      manifest=manifest, status="submitted", submitted_by=by.id,
                      submitted_at=utcnow())
    session.add(row)
    session.flush()
    audit.record(session, "model.submitted", actor=by.username, subject=row.version,
                 data={"sha256": row.sha256, "estimator": row.estimator,
                       "trained_by": manifest.get("trained_by")}, governs=(row,))
    return row


def _checker(row: ModelRecord, by: User, what: str) -> None:
    if by.role not in APPROVERS:
        raise PermissionError(f"role {by.role!r} may not {what} a model")
    trainer = row.manifest.get("trained_by")
    if by.id == row.submitted_by or by.username == trainer:
        raise MakerCheckerError(f"a model must be {what}d by someone other than the person "
                                "who trained or submitted it")


def _refused(session: Session, step: str, version: str, by: User, err: Exception) -> None:
    record_refusal(session, "model.refused", actor=by.username, action=step, error=err,
                   subject=version[:64])


def approve(session: Session, version: str, by: User, *, key: bytes | None,
            evidence: int | None = None) -> ModelRecord:
    """Approve a submitted model (not by its trainer or submitter, nor by an account they
    created or one created after the submission) whose file still verifies, on stored
    evidence of exactly this file (`evidence`: the id of its evaluation)."""
    refuse_in_field(session, "approve a model")
    try:
        row = get(session, version)
        _checker(row, by, "approve")
        if row.status != "submitted":
            raise ModelError(f"model {version!r} is {row.status}, not submitted")
        submitter = session.get(User, row.submitted_by)
        problem = independence_problem(
            session, by.id, makers=[submitter and submitter.username,
                                    row.manifest.get("trained_by")], made_at=row.submitted_at)
        if problem:
            raise MakerCheckerError(f"model {version!r}: {problem}")
        read_verified(row.path, row.manifest, key, approved_sha256=row.sha256)
        try:
            proof = required(session, "model", row.sha256, evidence)
        except EvidenceRequired as err:
            raise ModelError(str(err)) from None
        row.status, row.approved_by, row.approved_at = "approved", by.id, utcnow()
        session.flush()
    except REFUSED as err:
        _refused(session, "approve", version, by, err)
        raise
    audit.record(session, "model.approved", actor=by.username, subject=version,
                 data={"sha256": row.sha256, "evidence_id": proof.id}, governs=(row,))
    return row


def activate(session: Session, version: str, by: User, *, key: bytes | None) -> ModelRecord:
    """Make an approved model the active one (not by its trainer or submitter), once it
    loads as the service will load it."""
    refuse_in_field(session, "activate a model")
    try:
        row = get(session, version)
        _checker(row, by, "activate")
        if row.status not in ("approved", "retired"):
            raise ModelError(f"model {version!r} is {row.status}; approve it first")
        load(row.path, row.manifest, key, approved_sha256=row.sha256)
    except REFUSED as err:
        _refused(session, "activate", version, by, err)
        raise
    current = session.scalar(select(ModelRecord).where(ModelRecord.status == "active"))
    if current is not None:
        current.status = "retired"
        session.flush()
    row.status, row.activated_by, row.activated_at = "active", by.id, utcnow()
    session.flush()
    audit.record(session, "model.activated", actor=by.username, subject=version,
                 data={"sha256": row.sha256, "replaces": current.version if current else None},
                 governs=(row,) if current is None else (row, current))
    return row


def retire(session: Session, version: str, by: User) -> ModelRecord:
    """Retire an active or approved model (an admin); the service then serves none."""
    if by.role not in APPROVERS:
        raise PermissionError(f"role {by.role!r} may not retire a model")
    row = get(session, version)
    if row.status not in ("active", "approved"):
        raise ModelError(f"model {version!r} is {row.status}; only an active or approved "
                         "model can be retired")
    was, row.status = row.status, "retired"
    session.flush()
    audit.record(session, "model.retired", actor=by.username, subject=version,
                 data={"sha256": row.sha256, "was": was})
    return row


def rollback(session: Session, by: User, *, key: bytes | None) -> ModelRecord:
    """Retire the active model and activate the one activated before it (an admin), once
    that one still loads as the service will load it."""
    refuse_in_field(session, "rollback a model")
    if by.role not in APPROVERS:
        raise PermissionError(f"role {by.role!r} may not roll back a model")
    current = session.scalar(select(ModelRecord).where(ModelRecord.status == "active"))
    if current is None:
        raise ModelError("no active model to roll back")
    previous = session.scalar(
        select(ModelRecord).where(ModelRecord.status == "retired",
                                  ModelRecord.activated_at.is_not(None),
                                  ModelRecord.id != current.id)
        .order_by(ModelRecord.activated_at.desc(), ModelRecord.id.desc()).limit(1))
    if previous is None:
        raise ModelError(f"model {current.version!r} replaced no earlier model: retire it "
                         "instead")
    load(previous.path, previous.manifest, key, approved_sha256=previous.sha256)
    current.status = "retired"
    session.flush()
    previous.status, previous.activated_by, previous.activated_at = "active", by.id, utcnow()
    session.flush()
    audit.record(session, "model.rolled_back", actor=by.username, subject=previous.version,
                 data={"sha256": previous.sha256, "from": current.version})
    return previous
