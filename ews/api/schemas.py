"""Marshmallow schemas of the API: the OpenAPI spec is generated from these.

The checklist request schema is the checklist package's own schema (generated from the field
registry), so the spec lists every field with its type, choices and limits.
"""

from __future__ import annotations

from marshmallow import Schema, fields, validate

from ews.checklist import INTAKE_FIELDS, checklist_schema
from ews.checklist.intake import INTAKE_REQUIRED
from ews.checklist.schema import field_schema
from ews.engine import LADDER
from ews.store.applications import STATUSES as APPLICATION_STATUSES
from ews.store.models import ASSESSMENT_STATUSES

Label = fields.Dict(keys=fields.String(), values=fields.String())


def checklist_request_schema() -> type[Schema]:
    """Return the checklist schema class (English messages) for the spec."""
    return type(checklist_schema("en"))


class ProblemSchema(Schema):
    """RFC 9457 problem details; `errors` maps each invalid field to its messages."""

    type = fields.String()
    title = fields.String()
    status = fields.Integer()
    detail = fields.String()
    instance = fields.String()
    request_id = fields.String()
    errors = fields.Dict(keys=fields.String(), values=fields.List(fields.String()))
    conflicts = fields.List(fields.String(), metadata={"description": "fields that differ"})
    assessment_id = fields.String()


class ActionSchema(Schema):
    id = fields.String(required=True)
    rung = fields.Integer(required=True)
    label = Label


class TrackSchema(Schema):
    score = fields.Integer(required=True)
    band = fields.String(required=True)
    action = fields.String(required=True)
    dimensions_positive = fields.List(fields.String(), required=True)


class ReasonSchema(Schema):
    indicator = fields.String(required=True)
    track = fields.String(required=True)
    dimension = fields.String(allow_none=True)
    severity = fields.String(required=True)
    points = fields.Integer(required=True)
    label = Label
    source = fields.Raw(allow_none=True, metadata={
        "description": "{id, en}; one text in results stored before rule sets were bilingual"})


class EscalationSchema(Schema):
    id = fields.String(required=True)
    min_action = fields.String(required=True)
    label = Label


class ModelSchema(Schema):
    mode = fields.String()
    version = fields.String(allow_none=True)
    probability = fields.Float()
    threshold = fields.Float()
    flagged = fields.Boolean()
    action = fields.String(allow_none=True)


class RuleSetRefSchema(Schema):
    id = fields.String(required=True)
    version = fields.String(required=True)
    sha256 = fields.String(required=True)


class ScoreSchema(Schema):
    """A scoring result (docs/design.md, Result JSON); not stored: id null, status `not_stored`."""

    id = fields.String(required=True, allow_none=True)
    status = fields.String(required=True)
    created_at = fields.String(required=True, metadata={"format": "date-time"})
    application_id = fields.String(required=True)
    office_code = fields.String(required=True)
    score = fields.Integer(required=True)
    band = fields.String(required=True)
    recommended_action = fields.Nested(ActionSchema, required=True)
    tracks = fields.Dict(keys=fields.String(), values=fields.Nested(TrackSchema), required=True)
    reasons = fields.List(fields.Nested(ReasonSchema), required=True)
    escalations = fields.List(fields.Nested(EscalationSchema), required=True)
    protective_flags = fields.List(fields.Nested(ReasonSchema), required=True)
    completeness = fields.Float(required=True)
    model = fields.Nested(ModelSchema, allow_none=True, required=True)
    ruleset = fields.Nested(RuleSetRefSchema, required=True)
    decision_required = fields.Boolean(required=True)


class ResultSchema(ScoreSchema):
    """The stored assessment's result: the score plus id, status and creation time."""

    id = fields.String(required=True)
    status = fields.String(required=True, validate=validate.OneOf(ASSESSMENT_STATUSES))
    created_at = fields.String(required=True, metadata={"format": "date-time"})


class PersonSchema(Schema):
    """Keyed hashes that link records of one person; clear personal data is never stored."""

    nik_hash = fields.String(allow_none=True)
    phone_hash = fields.String(allow_none=True)


class AssessmentSchema(Schema):
    """One stored assessment with its answers (never clear personal data)."""

    id = fields.String(required=True)
    application_id = fields.String(required=True)
    office_code = fields.String(required=True)
    status = fields.String(required=True)
    officer = fields.String(allow_none=True)
    interviewed_at = fields.DateTime(required=True)
    created_at = fields.DateTime(required=True)
    due_at = fields.DateTime(allow_none=True)
    claimed_by = fields.String(allow_none=True)
    ruleset_sha256 = fields.String(required=True)
    result = fields.Nested(ResultSchema, required=True)
    answers = fields.Dict(required=True, metadata={
        "description": "checklist answers without personal data (nik, full_name, "
                       "date_of_birth, phone are never stored in clear)"})
    features = fields.Dict(required=True, metadata={"description": "derived features"})
    person = fields.Nested(PersonSchema, allow_none=True, metadata={
        "description": "only for officers and supervisors of the assessment's office"})
    version = fields.Integer(required=True, metadata={
        "description": "1, then one more for each follow-up of the same application"})
    supersedes_id = fields.String(allow_none=True, metadata={
        "description": "the version this one replaces (None for version 1)"})
    superseded_by = fields.String(allow_none=True, metadata={
        "description": "the version that replaced this one (None for the latest)"})


class SummarySchema(Schema):
    """A row of the assessment list."""

    id = fields.String(required=True)
    application_id = fields.String(required=True)
    office_code = fields.String(required=True)
    score = fields.Integer(required=True)
    band = fields.String(required=True)
    action = fields.String(required=True)
    rung = fields.Integer(required=True)
    status = fields.String(required=True)
    created_at = fields.DateTime(required=True)
    due_at = fields.DateTime(allow_none=True)


class PageSchema(Schema):
    items = fields.List(fields.Nested(SummarySchema), required=True)
    page = fields.Integer(required=True)
    per_page = fields.Integer(required=True)
    total = fields.Integer(required=True)


class ListArgsSchema(Schema):
    """Filters and pagination of GET /assessments."""

    office_code = fields.String(validate=validate.Length(2, 16))
    band = fields.String(validate=validate.Length(1, 32), metadata={
        "description": "a band name of the rule set that scored it (default: low, medium, "
                       "high, critical)"})
    action = fields.String(validate=validate.OneOf(LADDER))
    status = fields.String(validate=validate.OneOf(ASSESSMENT_STATUSES))
    since = fields.AwareDateTime(metadata={"description": "created at or after (ISO 8601)"})
    until = fields.AwareDateTime(metadata={"description": "created before (ISO 8601)"})
    page = fields.Integer(load_default=1, validate=validate.Range(1, 100000))
    per_page = fields.Integer(load_default=50, validate=validate.Range(1, 200))


class ApplicationSchema(Schema):
    """A registered application: no personal data, not even its keyed hashes."""

    id = fields.String(required=True, metadata={"description": "the registration id "
                                                               "(`intake_id` of the form)"})
    application_id = fields.String(required=True)
    office_code = fields.String(required=True)
    purpose = fields.String(allow_none=True)
    application_type = fields.String(allow_none=True)
    is_minor = fields.Boolean(allow_none=True, metadata={
        "description": "derived at registration from the date of birth or the NIK"})
    registered_at = fields.DateTime(required=True)
    status = fields.String(required=True, validate=validate.OneOf(APPLICATION_STATUSES),
                           metadata={"description": "waiting: no assessment yet"})


class ApplicationListSchema(Schema):
    items = fields.List(fields.Nested(ApplicationSchema), required=True)


class ApplicationListArgsSchema(Schema):
    """Filters of GET /applications."""

    office_code = fields.String(validate=validate.Length(2, 16))
    status = fields.String(validate=validate.OneOf(APPLICATION_STATUSES))
    limit = fields.Integer(load_default=200, validate=validate.Range(1, 1000))


def intake_request_schema() -> type[Schema]:
    """Return the intake schema class (English messages) for the spec."""
    return type(field_schema(INTAKE_FIELDS, "en", INTAKE_REQUIRED))


class HealthSchema(Schema):
    status = fields.String(required=True)
    checks = fields.Dict(keys=fields.String(), values=fields.String())
