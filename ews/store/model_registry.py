"""Trained models in the database: submit, approve and activate by different people.

Each step checks the file against its signed manifest (`ews.store.trust`): submit and
approve read the bytes only, activate and the service also load them (skops, allowed types
only). A model that fails is refused with a clear message; the service then scores with the
rules alone and logs it once per load.
"""

from __future__ import annotations

import json
from pathlib import Path

from sqlalchemy import literal_column, select
from sqlalchemy.orm import Session

from ews import audit

from .approvers import independence_problem
from .db import Db, connection_of, utcnow
from .models import ModelRecord, User
from .rulesets import MakerCheckerError

SUBMITTERS = ("analyst", "admin")
APPROVERS = ("admin",)


class ModelError(ValueError):
    """A model operation that cannot be done (unknown version, wrong status, bad file)."""


def get(session: Session, version: str) -> ModelRecord:
    """Return the record of a model version; ModelError naming it when unknown."""
    row = session.scalar(select(ModelRecord).where(ModelRecord.version == version))
    if row is None:
        raise ModelError(f"unknown model version {version!r}")
    return row


def _read_manifest(path: Path) -> dict:
    from .trust import VERSION, ManifestError

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
    from .trust import artefact_path, read_verified

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
                       "trained_by": manifest.get("trained_by")})
    return row


def _checker(row: ModelRecord, by: User, what: str) -> None:
    if by.role not in APPROVERS:
        raise PermissionError(f"role {by.role!r} may not {what} a model")
    trainer = row.manifest.get("trained_by")
    if by.id == row.submitted_by or by.username == trainer:
        raise MakerCheckerError(f"a model must be {what}d by someone other than the person "
                                "who trained or submitted it")


def approve(session: Session, version: str, by: User, *, key: bytes | None) -> ModelRecord:
    """Approve a submitted model (not by its trainer or submitter) whose file still verifies."""
    from .trust import read_verified

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
    row.status, row.approved_by, row.approved_at = "approved", by.id, utcnow()
    session.flush()
    audit.record(session, "model.approved", actor=by.username, subject=version,
                 data={"sha256": row.sha256})
    return row


def activate(session: Session, version: str, by: User, *, key: bytes | None) -> ModelRecord:
    """Make an approved model the active one (not by its trainer or submitter).

    The file is loaded as the service will load it, so a model that would be refused there
    is refused here, with the reason, instead of silently leaving the service without it.
    """
    from .trust import load

    row = get(session, version)
    _checker(row, by, "activate")
    if row.status not in ("approved", "retired"):
        raise ModelError(f"model {version!r} is {row.status}; approve it first")
    load(row.path, row.manifest, key, approved_sha256=row.sha256)
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
