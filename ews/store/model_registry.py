"""Trained models in the database: submit, approve and activate by different people.

A model file is registered only when its bytes hash as its manifest says; the service
(`ews.interviews.advice`) loads only a file whose SHA-256 matches the approved record.
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

from sqlalchemy import literal_column, select
from sqlalchemy.orm import Session

from ews import audit

from .db import Db, connection_of, utcnow
from .models import ModelRecord, User
from .rulesets import MakerCheckerError

SUBMITTERS = ("analyst", "admin")
APPROVERS = ("admin",)


class ModelError(ValueError):
    """A model operation that cannot be done (unknown version, wrong status, bad file)."""


class ManifestMismatch(ModelError):
    """A model file whose bytes do not hash as its manifest says."""


def get(session: Session, version: str) -> ModelRecord:
    """Return the record of a model version; ModelError naming it when unknown."""
    row = session.scalar(select(ModelRecord).where(ModelRecord.version == version))
    if row is None:
        raise ModelError(f"unknown model version {version!r}")
    return row


def submit(session: Session, manifest_path: Path | str, by: User) -> ModelRecord:
    """Register a trained model from its manifest (the file must hash as the manifest says)."""
    if by.role not in SUBMITTERS:
        raise PermissionError(f"role {by.role!r} may not submit a model")
    path = Path(manifest_path)
    try:
        manifest = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise ModelError(f"cannot read the manifest {path}: {exc}") from None
    model_path = path.parent / manifest["file"]
    try:
        found = hashlib.sha256(model_path.read_bytes()).hexdigest()
    except OSError:
        raise ModelError(f"the model file {model_path} is missing") from None
    if found != manifest["sha256"]:
        raise ManifestMismatch(f"model file {model_path} does not match its manifest's "
                                  "SHA-256; refused")
    if session.scalar(select(ModelRecord).where(ModelRecord.version == manifest["version"])):
        raise ModelError(f"model version {manifest['version']!r} is already registered")
    row = ModelRecord(version=manifest["version"], sha256=found, path=str(model_path.resolve()),
                      estimator=manifest["estimator"], manifest=manifest, status="submitted",
                      submitted_by=by.id, submitted_at=utcnow())
    session.add(row)
    session.flush()
    audit.record(session, "model.submitted", actor=by.username, subject=row.version,
                 data={"sha256": row.sha256, "estimator": row.estimator,
                       "trained_by": manifest.get("trained_by")})
    return row


def _checker(row: ModelRecord, by: User, what: str) -> None:
    if by.role not in APPROVERS:
        raise PermissionError(f"role {by.role!r} may not {what} a model")
    trainer = row.manifest.get("trained_by")
    if by.id == row.submitted_by or by.username == trainer:
        raise MakerCheckerError(f"a model must be {what}d by someone other than the person "
                                "who trained or submitted it")


def approve(session: Session, version: str, by: User) -> ModelRecord:
    """Approve a submitted model (not by its trainer or submitter)."""
    row = get(session, version)
    _checker(row, by, "approve")
    if row.status != "submitted":
        raise ModelError(f"model {version!r} is {row.status}, not submitted")
    row.status, row.approved_by, row.approved_at = "approved", by.id, utcnow()
    session.flush()
    audit.record(session, "model.approved", actor=by.username, subject=version,
                 data={"sha256": row.sha256})
    return row


def activate(session: Session, version: str, by: User) -> ModelRecord:
    """Make an approved model the active one (not by its trainer or submitter)."""
    row = get(session, version)
    _checker(row, by, "activate")
    if row.status not in ("approved", "retired"):
        raise ModelError(f"model {version!r} is {row.status}; approve it first")
    current = session.scalar(select(ModelRecord).where(ModelRecord.status == "active"))
    if current is not None:
        current.status = "retired"
        session.flush()
    row.status, row.activated_by, row.activated_at = "active", by.id, utcnow()
    session.flush()
    audit.record(session, "model.activated", actor=by.username, subject=version,
                 data={"sha256": row.sha256, "replaces": current.version if current else None})
    return row


# 'active' as an SQL literal: with a parameter SQLite prepares the statement again on every
# run (the partial unique index on the state might apply); this one runs per submission.
_ACTIVE = select(ModelRecord.version, ModelRecord.sha256, ModelRecord.path).where(
    ModelRecord.status == literal_column("'active'"))


def active_row(db: Db):
    """Return (version, sha256, path) of the active model, or None (one small query).

    Loading the file is the caller's (`ews.interviews.advice`): storage runs no model.
    """
    return connection_of(db).execute(_ACTIVE).one_or_none()


def card_summary(session: Session, version: str | None) -> dict | None:
    """Return what a supervisor reads beside a model's probability: its card's figures.

    From the approved record's manifest: the evaluation period, the alert budget, and
    precision and recall there for the model and the rule set alone (None when unknown).
    """
    if not version:
        return None
    row = session.scalar(select(ModelRecord).where(ModelRecord.version == version))
    if row is None:
        return None
    window = row.manifest.get("window") or {}
    ev = row.manifest.get("evaluation") or {}
    model, rules = ev.get("model") or {}, ev.get("rules") or {}
    return {"version": row.version, "status": row.status,
            "test_from": window.get("test_from"), "test_to": window.get("test_to"),
            "budget": model.get("budget"), "precision": model.get("precision"),
            "recall": model.get("recall"), "rules_precision": rules.get("precision"),
            "rules_recall": rules.get("recall")}
