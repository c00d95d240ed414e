"""Model advice: the active model's probability for a record, when the rule set uses it.

The active model is loaded once per process per file and key, only after its path, SHA-256
and signature under the installation's model key check out (`ews.store.trust.load`: skops,
the trainer's types only, never pickle). A refused model, or one that fails while scoring,
is logged once (no personal data) and the interview is scored with the rules alone: a model
never turns a submission into a 500.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass

from sqlalchemy import select

from ews.engine import RuleSet
from ews.store.db import Db, connection_of
from ews.store.model_registry import active_row
from ews.store.models import ModelRecord

log = logging.getLogger("ews.models")


@dataclass(frozen=True)
class Served:
    """The active model as the request path uses it."""

    version: str
    sha256: str
    model: object
    slot: str  # its key in `_LOADED`

    def probability(self, record: dict) -> float | None:
        """Return the model's probability for one record; None (logged once) if it fails."""
        try:
            return self.model.probability(record)
        except Exception as exc:  # noqa: BLE001 - a model never turns a submission into a 500
            if _LOADED.get(self.slot) is self:
                log.error("model %s failed while scoring (%s); scoring with the rules alone "
                          "until another model is active or the service restarts",
                          self.version, type(exc).__name__)
                _LOADED[self.slot] = None
            return None


@dataclass(frozen=True)
class Advice:
    """The model's probability and version; both None when no model advises."""

    probability: float | None = None
    version: str | None = None


NO_ADVICE = Advice()
_LOADED: dict[str, Served | None] = {}


def active_model(db: Db, key: bytes | None) -> Served | None:
    """Return the active model, loaded once per process per file and key; None when there
    is none or it is refused (logged once, then the rules score alone)."""
    row = active_row(db)
    if row is None:
        return None
    # Imported here: scikit-learn loads only where a model is active.
    from ews.store.trust import key_id, load

    slot = f"{row.sha256}:{row.path}:{key_id(key) if key else '-'}"
    if slot not in _LOADED:
        manifest = connection_of(db).execute(select(ModelRecord.manifest).where(
            ModelRecord.version == row.version)).scalar_one()
        try:
            model = load(row.path, manifest, key, approved_sha256=row.sha256)
            _LOADED[slot] = Served(row.version, row.sha256, model, slot)
            log.info("model %s loaded (sha256 %s)", row.version, row.sha256[:12])
        except Exception as exc:  # noqa: BLE001 - any failure: rules alone, never a 500
            log.error("model %s refused, scoring with the rules alone: %s", row.version,
                      exc if isinstance(exc, ValueError) else type(exc).__name__)
            _LOADED[slot] = None
    return _LOADED[slot]


def serving(db: Db, key: bytes | None) -> str:
    """Return what `/readyz` says of the model: its version, 'none' or 'unavailable'."""
    if active_row(db) is None:
        return "none"
    served = active_model(db, key)
    return served.version if served else "unavailable"


def forget_loaded() -> None:
    """Drop loaded models (tests; a replaced file is then checked again)."""
    _LOADED.clear()


def model_advice(db: Db, ruleset: RuleSet, record: dict, model_key: bytes | None) -> Advice:
    """Return the active model's advice on `record` when the rule set's mode uses a model."""
    if ruleset.model_mode == "off":
        return NO_ADVICE
    served = active_model(db, model_key)
    probability = served.probability(record) if served else None
    return NO_ADVICE if probability is None else Advice(probability, served.version)
