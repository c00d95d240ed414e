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
    description = fields.Dict(keys=fields.String(), values=fields.String(), required=True)
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


SHA256 = {"validate": validate.Regexp(r"^[0-9a-f]{64}$", error="a sha256: 64 hex digits"),
          "load_default": None}


class RuleSetEditSchema(RuleSetUploadSchema):
    """A draft's new text, and the sha256 of the text it replaces (as read)."""

    sha256 = fields.String(**SHA256, metadata={
        "description": "The sha256 of the version as you read it (or send If-Match): the "
                       "edit is refused with 409 when the text or state changed since. "
                       "Without it, the sha256 read in the same transaction is used"})


class StepReasonSchema(Schema):
    """Why: required to reject, roll back and retire; recorded with every step."""

    reason = fields.String(load_default="", validate=validate.Length(0, 2000))
    sha256 = fields.String(**SHA256, metadata={
        "description": "The sha256 of the text you reviewed: the step is refused with 409 "
                       "when the version's text changed since"})
    evidence = fields.Integer(load_default=None, validate=validate.Range(1, 2**31 - 1),
                              metadata={"description": "Required to approve: the id of a "
                                        "stored backtest or shadow summary of exactly this "
                                        "text (`evidence_id` of a backtest or shadow "
                                        "summary of this version)"})


class BacktestArgsSchema(Schema):
    """What to replay this version against, and over which stored assessments."""

    against = fields.String(load_default="live", validate=validate.Length(1, 160), metadata={
        "description": "'live', a version id, ID@VERSION or a version"})
    since = fields.AwareDateTime(load_default=None, metadata={"description": "created at or "
                                                                             "after"})
    until = fields.AwareDateTime(load_default=None, metadata={"description": "created before"})
    office_code = fields.String(load_default=None, validate=validate.Length(2, 16))
    min_support = fields.Integer(load_default=30, validate=validate.Range(1, 100_000))


class IntervalSchema(Schema):
    value = fields.Float(allow_none=True)
    low = fields.Float(allow_none=True)
    high = fields.Float(allow_none=True)
    support = fields.Integer()


class RungQualitySchema(Schema):
    rung = fields.Integer()
    action = fields.String()
    confirmed = fields.Integer()
    legitimate = fields.Integer()
    unlabelled = fields.Integer()
    precision = fields.Nested(IntervalSchema)
    recall = fields.Nested(IntervalSchema)


class IndicatorRateSchema(Schema):
    id = fields.String()
    baseline_hits = fields.Integer(allow_none=True)
    candidate_hits = fields.Integer(allow_none=True)
    baseline_rate = fields.Float(allow_none=True)
    candidate_rate = fields.Float(allow_none=True)
    change = fields.Float(allow_none=True)


class OfficeFlipsSchema(Schema):
    office_code = fields.String()
    before = fields.String()
    after = fields.String()
    count = fields.Integer()
    examples = fields.List(fields.String())


class WorkloadSchema(Schema):
    week = fields.String()
    office_code = fields.String()
    baseline = fields.Integer()
    candidate = fields.Integer()


class VersionRefSchema(Schema):
    id = fields.String()
    version = fields.String()
    sha256 = fields.String()


class FigureSchema(Schema):
    """A weighted proportion with its 95% interval and the labels it rests on."""

    estimate = fields.Float(allow_none=True)
    low = fields.Float(allow_none=True)
    high = fields.Float(allow_none=True)
    labels = fields.Integer()


class RungFiguresSchema(Schema):
    rung = fields.Integer()
    action = fields.String()
    precision = fields.Nested(FigureSchema)
    recall = fields.Nested(FigureSchema)
    naive_precision = fields.Nested(FigureSchema)
    naive_recall = fields.Nested(FigureSchema)


class TrackFiguresSchema(RungFiguresSchema):
    external = fields.Integer(metadata={"description": "externally reported positives, "
                                                       "counted apart (not weighted)"})
    rungs = fields.List(fields.Nested(RungFiguresSchema))


class TrackQualitySchema(TrackFiguresSchema):
    """One track under the candidate (top level) and the baseline (docs/rules-lifecycle.md)."""

    baseline = fields.Nested(TrackFiguresSchema)


class OutcomeFlipsSchema(Schema):
    before = fields.String()
    after = fields.String()
    outcome = fields.String(metadata={"description": "outcome id, or 'none'"})
    count = fields.Integer()


class BacktestSchema(Schema):
    """A backtest (ews.lifecycle.backtest.BacktestResult)."""

    candidate = fields.Nested(VersionRefSchema)
    baseline = fields.Nested(VersionRefSchema)
    rows = fields.Integer()
    first_created_at = fields.DateTime(allow_none=True)
    last_created_at = fields.DateTime(allow_none=True)
    skipped = fields.Dict(keys=fields.String(), values=fields.Integer())
    actions = fields.Dict(keys=fields.String(), values=fields.List(fields.Integer()),
                          metadata={"description": "action -> [baseline, candidate]"})
    flips = fields.List(fields.List(fields.Integer()),
                        metadata={"description": "[baseline rung][candidate rung]"})
    changed = fields.Integer()
    office_flips = fields.List(fields.Nested(OfficeFlipsSchema))
    indicators = fields.List(fields.Nested(IndicatorRateSchema))
    workload = fields.List(fields.Nested(WorkloadSchema))
    labelled = fields.Integer()
    quality_baseline = fields.List(fields.Nested(RungQualitySchema))
    quality_candidate = fields.List(fields.Nested(RungQualitySchema))
    min_support = fields.Integer()
    warnings = fields.List(fields.String())
    evidence_id = fields.Integer(metadata={"description": "this backtest's stored summary: "
                                           "name it as `evidence` to approve this text"})
    tracks = fields.Dict(keys=fields.String(), values=fields.Nested(TrackQualitySchema),
                         metadata={"description": "trafficking / nonprocedural, weighted"})
    flips_by_outcome = fields.List(fields.Nested(OutcomeFlipsSchema))


class IndicatorAgreementSchema(Schema):
    id = fields.String()
    live_hits = fields.Integer()
    shadow_hits = fields.Integer()


class ShadowSummarySchema(Schema):
    """A shadow version against the live results since its shadow started."""

    ruleset_pk = fields.Integer()
    rows = fields.Integer()
    agreeing = fields.Integer()
    agreement = fields.Float(allow_none=True)
    flips = fields.List(fields.List(fields.Integer()),
                        metadata={"description": "[live rung][shadow rung]"})
    indicators = fields.List(fields.Nested(IndicatorAgreementSchema))
    offices = fields.Dict(keys=fields.String(), values=fields.List(fields.Integer()),
                          metadata={"description": "office -> [rows, rung changed]"})
    evidence_id = fields.Integer(allow_none=True, metadata={
        "description": "this summary's stored record (null with no rows): name it as "
                       "`evidence` to approve this text"})
