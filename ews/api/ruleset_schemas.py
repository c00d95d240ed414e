"""Schemas of the rule-set lifecycle API (versions, steps, backtest, shadow summary)."""

from __future__ import annotations

from marshmallow import Schema, fields, validate

from ews.lifecycle.states import STATES


class RuleSetSchema(Schema):
    """A stored rule-set version (text only in the single-item views)."""

    id = fields.Integer(required=True)
    sha256 = fields.String(required=True)
    ruleset_id = fields.String(required=True)
    version = fields.String(required=True)
    description = fields.String(required=True)
    status = fields.String(required=True, validate=validate.OneOf(STATES))
    created_by = fields.String(allow_none=True, metadata={
        "description": "null: installed by the system (`ews init`)"})
    created_at = fields.DateTime(required=True)
    submitted_at = fields.DateTime(allow_none=True)
    approved_by = fields.String(allow_none=True)
    approved_at = fields.DateTime(allow_none=True)
    shadow_since = fields.DateTime(allow_none=True)
    activated_by = fields.String(allow_none=True)
    activated_at = fields.DateTime(allow_none=True)
    retired_at = fields.DateTime(allow_none=True)
    review_note = fields.String(allow_none=True, metadata={
        "description": "the reason of the last rejection"})


class StepSchema(Schema):
    """One lifecycle step of a version."""

    action = fields.String(required=True)
    from_status = fields.String(allow_none=True)
    to_status = fields.String(required=True)
    actor = fields.String(required=True)
    reason = fields.String(required=True)
    sha256 = fields.String(required=True)
    at = fields.DateTime(required=True)


class RuleSetTextSchema(RuleSetSchema):
    text = fields.String(required=True)
    history = fields.List(fields.Nested(StepSchema))


class RuleSetUploadSchema(Schema):
    """A new draft rule set (YAML text); validated completely before it is stored."""

    text = fields.String(required=True, validate=validate.Length(1, 200_000))
    agencies_csv = fields.String(
        load_default=None, validate=validate.Length(1, 2_000_000),
        metadata={"description": "The licensed-P3MI list (CSV) the rule set's "
                                 "`licensed_agencies` names"})


class StepReasonSchema(Schema):
    """Why: required to reject, roll back and retire; recorded with every step."""

    reason = fields.String(load_default="", validate=validate.Length(0, 2000))
