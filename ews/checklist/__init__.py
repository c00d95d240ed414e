"""Checklist schema v1: field registry, validation, derived fields, completeness."""

from .fields import (
    AUDIT_FIELDS,
    FIELDS,
    HISTORY_FIELDS,
    INPUT_FIELDS,
    PII_FIELDS,
    RULE_FIELDS,
    SECTIONS,
    Field,
)
from .schema import MESSAGES, checklist_schema, completeness, message, validate_checklist

SCHEMA_VERSION = 1

__all__ = [
    "AUDIT_FIELDS", "FIELDS", "HISTORY_FIELDS", "INPUT_FIELDS", "MESSAGES", "PII_FIELDS",
    "RULE_FIELDS", "SCHEMA_VERSION", "SECTIONS", "Field", "checklist_schema", "completeness",
    "message", "validate_checklist",
]
