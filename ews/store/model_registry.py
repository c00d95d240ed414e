"""Trained models in the database: look-ups of the registry's rows.

The steps that change a model's state (submit, approve, activate, ...) are the lifecycle's
(`ews.lifecycle.models`); loading the active model is the interview step's
(`ews.interviews.advice`). Storage runs no model.
"""

from __future__ import annotations

from sqlalchemy import literal_column, select
from sqlalchemy.orm import Session

from .db import Db, connection_of
from .models import ModelRecord


class ModelError(ValueError):
    """A model operation that cannot be done (unknown version, wrong status, bad file)."""


def get(session: Session, version: str) -> ModelRecord:
    """Return the record of a model version; ModelError naming it when unknown."""
    row = session.scalar(select(ModelRecord).where(ModelRecord.version == version))
    if row is None:
        raise ModelError(f"unknown model version {version!r}")
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
            "rules_recall": rules.get("recall"), "alerts": model.get("alerts"),
            "confirmed": model.get("confirmed"), "with_outcome": model.get("with_outcome"),
            "tracks": (ev.get("tracks") or {}).get("model") or {}}
