"""The interview checklist: field registry (v2, and v1 for old answers), validation, derived
fields and completeness."""

from .derive import agency_key, derive, with_agencies
from .fields import (
    AUDIT_FIELDS,
    FIELDS,
    HISTORY_FIELDS,
    IDENTITY_FIELDS,
    INPUT_FIELDS,
    PII_FIELDS,
    RULE_FIELDS,
    SECTIONS,
    Field,
)
from .intake import CARRIED, INTAKE_FIELDS, validate_intake
from .schema import (
    CURRENT_VERSION,
    MESSAGES,
    VERSIONS,
    checklist_schema,
    checklist_version,
    completeness,
    message,
    validate_checklist,
)
from .stored import stored_record
from .v1 import FIELDS_V1, features_to_v2, to_v2

SCHEMA_VERSION = CURRENT_VERSION

__all__ = [
    "AUDIT_FIELDS", "CARRIED", "CURRENT_VERSION", "FIELDS", "FIELDS_V1", "HISTORY_FIELDS",
    "IDENTITY_FIELDS", "INPUT_FIELDS", "INTAKE_FIELDS", "MESSAGES", "PII_FIELDS", "RULE_FIELDS",
    "SCHEMA_VERSION", "SECTIONS", "VERSIONS", "Field", "agency_key", "checklist_schema",
    "checklist_version", "completeness", "derive", "features_to_v2", "message",
    "stored_record", "to_v2", "validate_checklist", "validate_intake", "with_agencies",
]
