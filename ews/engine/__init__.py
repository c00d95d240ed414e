"""The rule engine: load and validate YAML rule sets, evaluate them. No Flask, no database."""

from .conditions import DIMENSIONS, FIELD_OPS
from .evaluate import FrameHits, Hits, evaluate, evaluate_frame
from .loader import (
    LADDER,
    REVIEW_RUNG,
    SHIPPED_RULES,
    TRACKS,
    RuleSet,
    RuleSetError,
    load_ruleset,
    parse_ruleset,
    ruleset_files,
)

__all__ = [
    "DIMENSIONS", "FIELD_OPS", "LADDER", "REVIEW_RUNG", "SHIPPED_RULES", "TRACKS", "FrameHits",
    "Hits",
    "RuleSet", "RuleSetError", "evaluate", "evaluate_frame",
    "load_ruleset", "parse_ruleset", "ruleset_files",
]
