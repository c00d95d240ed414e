"""The model hook: how a classifier's probability enters the recommended action.

Mode `off` ignores it, `advisory` reports it, `escalate` may raise the action to the rule
set's model action when the probability reaches the threshold - never lower it.
"""

from __future__ import annotations

import numpy as np

from ews.engine import RuleSet
from ews.engine.loader import LADDER


def model_info(ruleset: RuleSet, probability: float | None,
               version: str | None = None) -> tuple[dict | None, int]:
    """Return the result's `model` entry and the rung the model asks for (0 if none)."""
    mode = ruleset.model_mode
    if mode == "off" or probability is None:
        return None, 0
    threshold = ruleset.model["threshold"]
    flagged = bool(probability >= threshold)
    info = {"mode": mode, "version": version, "probability": round(float(probability), 4),
            "threshold": threshold, "flagged": flagged,
            "action": ruleset.model["action"] if flagged else None}
    rung = LADDER.index(ruleset.model["action"]) if flagged and mode == "escalate" else 0
    return info, rung


def model_rungs(ruleset: RuleSet, probabilities: np.ndarray) -> np.ndarray:
    """Return per row the rung the model asks for (vectorised `model_info`)."""
    if ruleset.model_mode != "escalate":
        return np.zeros(len(probabilities), dtype=int)
    flagged = np.nan_to_num(probabilities, nan=-1.0) >= ruleset.model["threshold"]
    return np.where(flagged, LADDER.index(ruleset.model["action"]), 0)
