"""Model advice: the active model's probability for a record, when the rule set uses it.

Only a file whose bytes hash to the approved SHA-256 is loaded (joblib runs code on load),
once per process; anything else is refused with a clear log line and the interview is
scored without a model.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass

from ews.engine import RuleSet
from ews.store.db import Db
from ews.store.model_registry import active_row

log = logging.getLogger("ews.models")


@dataclass(frozen=True)
class Served:
    """The active model as the request path uses it."""

    version: str
    sha256: str
    model: object

    def probability(self, record: dict) -> float:
        """Return the model's probability for one scored record."""
        return self.model.probability(record)


@dataclass(frozen=True)
class Advice:
    """The model's probability and version; both None when no model advises."""

    probability: float | None = None
    version: str | None = None


NO_ADVICE = Advice()
_LOADED: dict[str, Served | None] = {}


def active_model(db: Db) -> Served | None:
    """Return the active model, loaded once per process per SHA-256; None when none is usable.

    A file whose bytes do not hash to the approved SHA-256 is refused (logged, not loaded).
    """
    row = active_row(db)
    if row is None:
        return None
    key = f"{row.sha256}:{row.path}"
    if key not in _LOADED:
        # Imported here: scikit-learn loads only where a model is active.
        from ews.learn.artefacts import ModelIntegrityError, load_verified

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


def model_advice(db: Db, ruleset: RuleSet, record: dict) -> Advice:
    """Return the active model's advice on `record` when the rule set's mode uses a model."""
    if ruleset.model_mode == "off":
        return NO_ADVICE
    served = active_model(db)
    if served is None:
        return NO_ADVICE
    return Advice(served.probability(record), served.version)
