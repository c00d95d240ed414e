"""Trained models in the database: submit, approve and activate by different people; serve.

The service loads only a file whose SHA-256 matches the approved record (joblib runs code
on load) and refuses anything else with a clear log line.
"""

from __future__ import annotations

import json
import logging
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import literal_column, select
from sqlalchemy.orm import Session

from ews import audit

from .db import Db, connection_of, utcnow
from .models import ModelRecord, User
from .rulesets import MakerCheckerError

log = logging.getLogger("ews.models")
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


def submit(session: Session, manifest_path: Path | str, by: User) -> ModelRecord:
    """Register a trained model from its manifest (the file must hash as the manifest says)."""
    from ews.learn.artefacts import ModelIntegrityError, sha256_of

    if by.role not in SUBMITTERS:
        raise PermissionError(f"role {by.role!r} may not submit a model")
    path = Path(manifest_path)
    try:
        manifest = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise ModelError(f"cannot read the manifest {path}: {exc}") from None
    model_path = path.parent / manifest["file"]
    try:
        found = sha256_of(model_path.read_bytes())
    except OSError:
        raise ModelError(f"the model file {model_path} is missing") from None
    if found != manifest["sha256"]:
        raise ModelIntegrityError(f"model file {model_path} does not match its manifest's "
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


def rollback(session: Session, by: User) -> ModelRecord:
    """Retire the active model and activate the one activated before it (an admin)."""
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
    current.status = "retired"
    session.flush()
    previous.status, previous.activated_by, previous.activated_at = "active", by.id, utcnow()
    session.flush()
    audit.record(session, "model.rolled_back", actor=by.username, subject=previous.version,
                 data={"sha256": previous.sha256, "from": current.version})
    return previous


@dataclass(frozen=True)
class Served:
    """The active model as the request path uses it."""

    version: str
    sha256: str
    model: object

    def probability(self, record: dict) -> float:
        """Return the model's probability for one scored record."""
        return self.model.probability(record)


# 'active' as an SQL literal: with a parameter SQLite prepares the statement again on every
# run (the partial unique index on the state might apply); this one runs per submission.
_ACTIVE = select(ModelRecord.version, ModelRecord.sha256, ModelRecord.path).where(
    ModelRecord.status == literal_column("'active'"))
_LOADED: dict[str, Served | None] = {}


def active_model(session: Db) -> Served | None:
    """Return the active model, loaded once per process per SHA-256; None when none is usable.

    A file whose bytes do not hash to the approved SHA-256 is refused (logged, not loaded)
    and the result is scored without a model.
    """
    from ews.learn.artefacts import ModelIntegrityError, load_verified

    row = connection_of(session).execute(_ACTIVE).one_or_none()
    if row is None:
        return None
    key = f"{row.sha256}:{row.path}"
    if key not in _LOADED:
        try:
            _LOADED[key] = Served(row.version, row.sha256, load_verified(row.path, row.sha256))
            log.info("model %s loaded (sha256 %s)", row.version, row.sha256[:12])
        except ModelIntegrityError as exc:
            log.error("model %s refused: %s", row.version, exc)
            _LOADED[key] = None
    return _LOADED[key]


def forget_loaded() -> None:
    """Drop loaded models (tests; a replaced file is then checked again)."""
    _LOADED.clear()


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
            "rules_recall": rules.get("recall"), "alerts": model.get("alerts"),
            "confirmed": model.get("confirmed"), "with_outcome": model.get("with_outcome"),
            "tracks": (ev.get("tracks") or {}).get("model") or {}}
