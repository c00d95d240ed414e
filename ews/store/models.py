"""The tables (docs/design.md, Storage) as SQLAlchemy 2 models.

Assessments hold answers without clear personal data: NIK and phone only as keyed hashes,
name and date of birth not at all. Decisions, outcomes and audit events are append-only.
"""

from __future__ import annotations

import datetime as dt
import uuid

from sqlalchemy import (
    JSON,
    Boolean,
    CheckConstraint,
    Date,
    DateTime,
    Float,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    TypeDecorator,
    UniqueConstraint,
    literal_column,
    text,
)
from sqlalchemy.orm import Mapped, mapped_column

from .db import Base, utcnow

ROLES = ("officer", "supervisor", "analyst", "admin", "intake")
RULESET_STATUSES = ("draft", "in_review", "approved", "shadow", "live", "retired")
ASSESSMENT_STATUSES = ("open", "awaiting_review", "decided", "superseded")
DECISIONS = ("issued", "additional_documents_requested", "deferred", "redirected", "referred",
             "rejected")
# Decisions a returning applicant's history counts (checklist v2): a supervisor held them.
HOLDING_DECISIONS = ("deferred", "redirected", "referred", "rejected")
MODEL_STATUSES = ("submitted", "approved", "active", "retired")
OUTCOMES = ("confirmed_trafficking", "confirmed_nonprocedural", "intercepted_at_border",
            "legitimate_travel_confirmed", "no_information")
# How a label arose: a supervisor's follow-up of a case, the random follow-up sample of
# interviews below review, or an external list (border posts, BP3MI, police) imported.
OUTCOME_ORIGINS = ("followup", "sample", "external")
# Kinds of an external list and the outcome each one records (the kind is kept beside it).
EXTERNAL_KINDS = {"tppo_victim": "confirmed_trafficking",
                  "repatriated_pmi": "confirmed_nonprocedural",
                  "deported": "confirmed_nonprocedural",
                  "departure_denied": "intercepted_at_border"}


def _in(column: str, values: tuple[str, ...]) -> str:
    return f"{column} IN ({', '.join(repr(v) for v in values)})"


class UTCDateTime(TypeDecorator):
    """An aware timestamp stored as UTC: SQLite keeps no offset, only the wall-clock digits.

    Without this an aware value such as 10:00+07:00 would be stored as "10:00" on SQLite and
    read back as 10:00 UTC. PostgreSQL (timestamptz) is not affected either way.
    """

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value, dialect):  # noqa: ANN001, ANN201 - SQLAlchemy's API
        if isinstance(value, dt.datetime) and value.tzinfo is not None:
            return value.astimezone(dt.UTC)
        return value


Timestamp = UTCDateTime()


class Office(Base):
    """A passport office (Kanim), identified by its short code."""

    __tablename__ = "offices"
    code: Mapped[str] = mapped_column(String(16), primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    created_at: Mapped[dt.datetime] = mapped_column(Timestamp, default=utcnow)
    # IANA zone of the office's clock (WIB/WITA/WIT); reports date interviews by it.
    timezone: Mapped[str] = mapped_column(String(64), default="Asia/Jakarta",
                                          server_default="Asia/Jakarta")


class User(Base):
    """A person who signs in: one role, one office."""

    __tablename__ = "users"
    __table_args__ = (CheckConstraint(_in("role", ROLES), name="ck_users_role"),)
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    username: Mapped[str] = mapped_column(String(64), unique=True)
    password_hash: Mapped[str] = mapped_column(String(255))
    role: Mapped[str] = mapped_column(String(16))
    office_code: Mapped[str] = mapped_column(ForeignKey("offices.code"))
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    must_change_password: Mapped[bool] = mapped_column(Boolean, default=False)
    # Kept in every session; bumping it ends all of the user's sessions on the server.
    session_generation: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    created_at: Mapped[dt.datetime] = mapped_column(Timestamp, default=utcnow)


class ApiToken(Base):
    """A bearer token: only its SHA-256 is kept; the token itself is shown once."""

    __tablename__ = "api_tokens"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    name: Mapped[str] = mapped_column(String(64))
    token_sha256: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[dt.datetime] = mapped_column(Timestamp, default=utcnow)
    expires_at: Mapped[dt.datetime] = mapped_column(Timestamp)
    revoked_at: Mapped[dt.datetime | None] = mapped_column(Timestamp)


class LoginAttempt(Base):
    """A failed login, kept in the database so that every worker sees the same count.

    The typed name is kept only as a keyed hash (it may be a NIK typed into the wrong box);
    `device` is the id of a known-device cookie the attempt carried, if any.
    """

    __tablename__ = "login_failures"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name_hash: Mapped[str] = mapped_column(String(64))
    remote_addr: Mapped[str] = mapped_column(String(64))
    device: Mapped[str | None] = mapped_column(String(32))
    at: Mapped[dt.datetime] = mapped_column(Timestamp, default=utcnow)
    __table_args__ = (Index("ix_login_failures_name_at", "name_hash", "at"),
                      Index("ix_login_failures_addr_at", "remote_addr", "at"))


class LoginThrottle(Base):
    """Throttled attempts counted per key and window: one row (and one audit event) each."""

    __tablename__ = "login_throttle"
    key_hash: Mapped[str] = mapped_column(String(64), primary_key=True)
    window_start: Mapped[dt.datetime] = mapped_column(Timestamp, primary_key=True)
    attempts: Mapped[int] = mapped_column(Integer, default=1)


class RuleSetRecord(Base):
    """A rule-set version and its lifecycle state; the text is frozen from `in_review` on.

    At most one version is `live` and at most one is in `shadow` (partial unique indexes);
    `(ruleset_id, version)` names one text. `created_by` None: installed by the system.
    """

    __tablename__ = "rulesets"
    __table_args__ = (
        CheckConstraint(_in("status", RULESET_STATUSES), name="ck_rulesets_status"),
        UniqueConstraint("ruleset_id", "version", name="uq_rulesets_id_version"),
        Index("uq_rulesets_one_live", "status", unique=True,
              sqlite_where=text("status = 'live'"),
              postgresql_where=text("status = 'live'")),
        Index("uq_rulesets_one_shadow", "status", unique=True,
              sqlite_where=text("status = 'shadow'"),
              postgresql_where=text("status = 'shadow'")),
    )
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    sha256: Mapped[str] = mapped_column(String(64), unique=True)
    ruleset_id: Mapped[str] = mapped_column(String(100))
    version: Mapped[str] = mapped_column(String(50))
    description: Mapped[str] = mapped_column(Text, default="")
    text: Mapped[str] = mapped_column(Text)
    status: Mapped[str] = mapped_column(String(16), default="draft")
    created_by: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[dt.datetime] = mapped_column(Timestamp, default=utcnow)
    updated_at: Mapped[dt.datetime | None] = mapped_column(Timestamp)
    submitted_at: Mapped[dt.datetime | None] = mapped_column(Timestamp)
    approved_by: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    approved_at: Mapped[dt.datetime | None] = mapped_column(Timestamp)
    shadow_since: Mapped[dt.datetime | None] = mapped_column(Timestamp)
    activated_by: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    activated_at: Mapped[dt.datetime | None] = mapped_column(Timestamp)
    agencies_csv: Mapped[str | None] = mapped_column(Text)  # every agency list the set names
    retired_at: Mapped[dt.datetime | None] = mapped_column(Timestamp)
    review_note: Mapped[str | None] = mapped_column(Text)  # the last rejection's reason


class RuleSetTransition(Base):
    """One lifecycle step of a rule-set version, with who and why (append-only)."""

    __tablename__ = "ruleset_transitions"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    ruleset_pk: Mapped[int] = mapped_column(ForeignKey("rulesets.id"), index=True)
    action: Mapped[str] = mapped_column(String(16))
    from_status: Mapped[str | None] = mapped_column(String(16))
    to_status: Mapped[str] = mapped_column(String(16))
    actor: Mapped[str] = mapped_column(String(64))
    reason: Mapped[str] = mapped_column(Text, default="")
    sha256: Mapped[str] = mapped_column(String(64))
    at: Mapped[dt.datetime] = mapped_column(Timestamp, default=utcnow)
    # the backtest or shadow summary an approval rests on
    evidence_id: Mapped[int | None] = mapped_column(ForeignKey("lifecycle_evidence.id"))


class Evidence(Base):
    """A stored backtest, shadow summary or model evaluation of exactly one text or artefact.

    `sha256` is the rule set's or the model file's; approving either names one of these.
    `summary` holds the headline figures only (never personal data), kept as computed.
    """

    __tablename__ = "lifecycle_evidence"
    __table_args__ = (
        Index("ix_lifecycle_evidence_subject", "subject_kind", "sha256"),
        CheckConstraint("subject_kind IN ('ruleset', 'model')",
                        name="ck_lifecycle_evidence_subject"),
        CheckConstraint("kind IN ('backtest', 'shadow', 'evaluation')",
                        name="ck_lifecycle_evidence_kind"),
    )
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    subject_kind: Mapped[str] = mapped_column(String(16))
    sha256: Mapped[str] = mapped_column(String(64))
    kind: Mapped[str] = mapped_column(String(16))
    created_by: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[dt.datetime] = mapped_column(Timestamp, default=utcnow)
    summary: Mapped[dict] = mapped_column(JSON)


class ShadowResult(Base):
    """What a shadow version said about a new assessment, beside the live result."""

    __tablename__ = "shadow_results"
    __table_args__ = (
        UniqueConstraint("ruleset_pk", "assessment_id", name="uq_shadow_results_set_assessment"),
        Index("ix_shadow_results_set_created", "ruleset_pk", "created_at"),
    )
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    ruleset_pk: Mapped[int] = mapped_column(ForeignKey("rulesets.id"))
    assessment_id: Mapped[str] = mapped_column(ForeignKey("assessments.id"))
    office_code: Mapped[str] = mapped_column(String(16))
    score: Mapped[int] = mapped_column(Integer)
    rung: Mapped[int] = mapped_column(Integer)
    live_rung: Mapped[int] = mapped_column(Integer)
    indicators: Mapped[list] = mapped_column(JSON)
    live_indicators: Mapped[list] = mapped_column(JSON)
    created_at: Mapped[dt.datetime] = mapped_column(Timestamp, default=utcnow)


class ModelRecord(Base):
    """A trained model file's approved record: the service loads only these bytes."""

    __tablename__ = "models"
    __table_args__ = (
        CheckConstraint(_in("status", MODEL_STATUSES), name="ck_models_status"),
        Index("uq_models_one_active", "status", unique=True,
              sqlite_where=text("status = 'active'"),
              postgresql_where=text("status = 'active'")),
    )
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    version: Mapped[str] = mapped_column(String(64), unique=True)
    sha256: Mapped[str] = mapped_column(String(64))
    path: Mapped[str] = mapped_column(String(500))
    estimator: Mapped[str] = mapped_column(String(40))
    manifest: Mapped[dict] = mapped_column(JSON)
    status: Mapped[str] = mapped_column(String(16), default="submitted")
    submitted_by: Mapped[int] = mapped_column(ForeignKey("users.id"))
    submitted_at: Mapped[dt.datetime] = mapped_column(Timestamp, default=utcnow)
    approved_by: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    approved_at: Mapped[dt.datetime | None] = mapped_column(Timestamp)
    activated_by: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    activated_at: Mapped[dt.datetime | None] = mapped_column(Timestamp)


class Assessment(Base):
    """One scored interview; (office_code, application_id, version) is the idempotency key.

    A follow-up interview of the same application is a new version linked to the one it
    supersedes; lists and the queue show the latest version only.
    """

    __tablename__ = "assessments"
    __table_args__ = (
        UniqueConstraint("office_code", "application_id", "version",
                         name="uq_assessments_office_app_version"),
        CheckConstraint(_in("status", ASSESSMENT_STATUSES), name="ck_assessments_status"),
        Index("ix_assessments_nik_created", "nik_hash", "created_at"),
        Index("ix_assessments_phone_created", "phone_hash", "created_at"),
        # The supervisor queue and the decided cases, by office: partial, so that the
        # assessments that need no decision (nearly all) write no entry at all.
        Index("ix_assessments_awaiting", "office_code", "created_at",
              sqlite_where=text("status = 'awaiting_review'"),
              postgresql_where=text("status = 'awaiting_review'")),
        Index("ix_assessments_decided", "office_code", "created_at",
              sqlite_where=text("status = 'decided'"),
              postgresql_where=text("status = 'decided'")),
        Index("ix_assessments_created", "created_at"),
    )
    id: Mapped[str] = mapped_column(String(36), primary_key=True,
                                    default=lambda: str(uuid.uuid4()))
    office_code: Mapped[str] = mapped_column(ForeignKey("offices.code"))
    application_id: Mapped[str] = mapped_column(String(64))
    answers_hash: Mapped[str] = mapped_column(String(64))
    answers: Mapped[dict] = mapped_column(JSON)
    features: Mapped[dict] = mapped_column(JSON)
    result: Mapped[dict] = mapped_column(JSON)
    score: Mapped[int] = mapped_column(Integer)
    band: Mapped[str] = mapped_column(String(16))
    rung: Mapped[int] = mapped_column(Integer)
    action: Mapped[str] = mapped_column(String(32))
    decision_required: Mapped[bool] = mapped_column(Boolean)
    status: Mapped[str] = mapped_column(String(16))
    ruleset_sha256: Mapped[str] = mapped_column(ForeignKey("rulesets.sha256"))
    model_version: Mapped[str | None] = mapped_column(String(100))
    officer_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    nik_hash: Mapped[str | None] = mapped_column(String(64))
    phone_hash: Mapped[str | None] = mapped_column(String(64))
    interviewed_at: Mapped[dt.datetime] = mapped_column(Timestamp)
    created_at: Mapped[dt.datetime] = mapped_column(Timestamp, default=utcnow)
    due_at: Mapped[dt.datetime | None] = mapped_column(Timestamp)
    claimed_by: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    claimed_at: Mapped[dt.datetime | None] = mapped_column(Timestamp)
    decided_at: Mapped[dt.datetime | None] = mapped_column(Timestamp)
    checklist_version: Mapped[int] = mapped_column(Integer, default=2)
    version: Mapped[int] = mapped_column(Integer, default=1)
    supersedes_id: Mapped[str | None] = mapped_column(String(36))
    superseded_by: Mapped[str | None] = mapped_column(String(36))
    origin_kecamatan: Mapped[str | None] = mapped_column(String(6))
    recruiter_phone_hash: Mapped[str | None] = mapped_column(String(64))


class AssessmentCorrection(Base):
    """Why an officer corrected a stored interview the same day (append-only).

    The correction itself is the assessment `assessment_id`, a new version superseding the
    one it corrects; the reason is free text (retention blanks it).
    """

    __tablename__ = "assessment_corrections"
    assessment_id: Mapped[str] = mapped_column(ForeignKey("assessments.id"), primary_key=True)
    corrects_id: Mapped[str] = mapped_column(ForeignKey("assessments.id"), index=True)
    reason: Mapped[str] = mapped_column(Text)
    corrected_by: Mapped[int] = mapped_column(ForeignKey("users.id"))
    corrected_at: Mapped[dt.datetime] = mapped_column(Timestamp, default=utcnow)


def status_is(status: str):
    """Return `assessments.status = '<status>'` with the value in the SQL text, not bound:
    the planners use the partial indexes of a status only when they see its value."""
    if status not in ASSESSMENT_STATUSES:
        raise ValueError(status)
    return Assessment.status == literal_column(f"'{status}'")


# The facts with an edge of their own in the recruiter-network graph (a recruiter phone, or
# an agency not licensed; never NULL), and those whose contact phone the network report
# looks at (an edge, any agency, or a phone already shared at the interview). The report's
# statements use these texts, so that both planners use the partial indexes below.
FACT_EDGE = ("(recruiter_phone_hash IS NOT NULL OR (agency_name IS NOT NULL "
             "AND (agency_licence IS NULL OR agency_licence <> 'licensed')))")
FACT_LINKED = ("(recruiter_phone_hash IS NOT NULL OR agency_name IS NOT NULL "
               "OR phone_shared_30d > 1)")


class AssessmentFact(Base):
    """What reports read of one assessment, narrow and typed (derived; see ews.store.facts).

    Derived by the catch-up; append-only at the database (`ews.store.guards`): `latest` only
    turns false (a follow-up version supersedes it) and retention only blanks the hashes and
    the free-text village. Hashes only, like the assessment row.
    """

    __tablename__ = "assessment_facts"
    __table_args__ = (
        # Reports read a period of local interview days (or of submission days), of all
        # offices (day first) or some (office first: the office's entries only); the
        # catch-up reads max(created_at).
        Index("ix_assessment_facts_day_office", "day", "office_code"),
        Index("ix_assessment_facts_submitted_office", "submitted_day", "office_code"),
        Index("ix_assessment_facts_office_day", "office_code", "day"),
        Index("ix_assessment_facts_office_submitted", "office_code", "submitted_day"),
        Index("ix_assessment_facts_created", "created_at"),
        # The network report: whether another person gave a contact phone is read from
        # the phone's index alone on PostgreSQL (it carries who and when), for the phones
        # of the linked facts, read in the phone's order from their own index; the facts
        # with an edge (about 1%) are read from theirs, by interview or submission day.
        Index("ix_assessment_facts_phone", "phone_hash",
              postgresql_include=["nik_hash", "day", "submitted_day", "latest"]),
        Index("ix_assessment_facts_linked", "phone_hash",
              postgresql_include=["nik_hash", "day", "submitted_day", "latest"],
              postgresql_where=text(FACT_LINKED), sqlite_where=text(FACT_LINKED)),
        Index("ix_assessment_facts_edge", "day",
              postgresql_where=text(FACT_EDGE), sqlite_where=text(FACT_EDGE)),
        Index("ix_assessment_facts_edge_submitted", "submitted_day",
              postgresql_where=text(FACT_EDGE), sqlite_where=text(FACT_EDGE)),
    )
    assessment_id: Mapped[str] = mapped_column(
        ForeignKey("assessments.id", ondelete="CASCADE"), primary_key=True)
    office_code: Mapped[str] = mapped_column(String(16))
    created_at: Mapped[dt.datetime] = mapped_column(Timestamp)  # submitted (UTC)
    interviewed_at: Mapped[dt.datetime] = mapped_column(Timestamp)  # UTC
    # The interview's local date, month and hour in the office's zone (ews.store.zones) ...
    day: Mapped[str] = mapped_column(String(10))  # YYYY-MM-DD
    month: Mapped[str] = mapped_column(String(7))  # YYYY-MM
    hour: Mapped[int] = mapped_column(Integer)
    # ... and the submission's (`--by submitted`).
    submitted_day: Mapped[str] = mapped_column(String(10))
    submitted_month: Mapped[str] = mapped_column(String(7))
    submitted_hour: Mapped[int] = mapped_column(Integer)
    latest: Mapped[bool] = mapped_column(Boolean)
    checklist_version: Mapped[int] = mapped_column(Integer)
    score: Mapped[int] = mapped_column(Integer)
    rung: Mapped[int] = mapped_column(Integer)
    action: Mapped[str] = mapped_column(String(32))
    band: Mapped[str] = mapped_column(String(16))
    flagged: Mapped[bool] = mapped_column(Boolean)
    completeness: Mapped[float] = mapped_column(Float)
    officer_id: Mapped[int | None] = mapped_column(Integer)
    origin_kecamatan: Mapped[str | None] = mapped_column(String(6))
    domicile_desa: Mapped[str | None] = mapped_column(String(10))  # Kemendagri code, no dots
    domicile_village: Mapped[str | None] = mapped_column(Text)  # "not in the list", folded
    sex: Mapped[str | None] = mapped_column(String(64))
    age_band: Mapped[str | None] = mapped_column(String(64))
    destination_country: Mapped[str | None] = mapped_column(String(64))
    purpose: Mapped[str | None] = mapped_column(String(64))
    job_sector: Mapped[str | None] = mapped_column(String(64))
    transit_country: Mapped[str | None] = mapped_column(String(64))
    job_offer_channel: Mapped[str | None] = mapped_column(String(64))
    recruiter_type: Mapped[str | None] = mapped_column(String(64))
    agency_licence: Mapped[str | None] = mapped_column(String(64))
    agency_name: Mapped[str | None] = mapped_column(Text)
    phone_shared_30d: Mapped[int | None] = mapped_column(Integer)
    indicators: Mapped[str | None] = mapped_column(Text)  # comma-separated, sorted
    nik_hash: Mapped[str | None] = mapped_column(String(64))
    phone_hash: Mapped[str | None] = mapped_column(String(64))
    recruiter_phone_hash: Mapped[str | None] = mapped_column(String(64))


class Application(Base):
    """An application registered at the front desk (intake), waiting for its interview.

    Identity is kept as v1 kept it: NIK and phone only as keyed hashes, name and date of
    birth not at all (only the derived minor status and age band), audit fields as given.
    It leaves the waiting list once an assessment of the same office and application id exists.
    """

    __tablename__ = "applications"
    __table_args__ = (
        UniqueConstraint("office_code", "application_id", name="uq_applications_office_app"),
        Index("ix_applications_office_registered", "office_code", "registered_at"),
    )
    id: Mapped[str] = mapped_column(String(36), primary_key=True,
                                    default=lambda: str(uuid.uuid4()))
    office_code: Mapped[str] = mapped_column(ForeignKey("offices.code"))
    application_id: Mapped[str] = mapped_column(String(64))
    intake_hash: Mapped[str] = mapped_column(String(64))  # keyed hash of what was registered
    nik_hash: Mapped[str] = mapped_column(String(64))
    phone_hash: Mapped[str | None] = mapped_column(String(64))
    is_minor: Mapped[bool | None] = mapped_column(Boolean)
    age_band: Mapped[str | None] = mapped_column(String(16))
    sex: Mapped[str | None] = mapped_column(String(16))
    domicile_regency: Mapped[str | None] = mapped_column(String(80))
    domicile_district: Mapped[str | None] = mapped_column(String(80))
    domicile_village: Mapped[str | None] = mapped_column(String(80))
    origin_kecamatan: Mapped[str | None] = mapped_column(String(6))
    purpose: Mapped[str | None] = mapped_column(String(32))
    application_type: Mapped[str | None] = mapped_column(String(16))
    registered_by: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    registered_at: Mapped[dt.datetime] = mapped_column(Timestamp, default=utcnow)


class Decision(Base):
    """A human decision on an assessment (append-only).

    One first decision per assessment (`amends` null); a change is a new row that amends the
    current one, and each row is amended at most once, so the decisions of an item form one
    chain. Both rules are unique indexes: they hold across workers and concurrent requests.
    """

    __tablename__ = "decisions"
    __table_args__ = (
        CheckConstraint(_in("decision", DECISIONS), name="ck_decisions_decision"),
        Index("uq_decisions_first", "assessment_id", unique=True,
              sqlite_where=text("amends IS NULL"), postgresql_where=text("amends IS NULL")),
        Index("uq_decisions_amends", "amends", unique=True,
              sqlite_where=text("amends IS NOT NULL"),
              postgresql_where=text("amends IS NOT NULL")),
    )
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    assessment_id: Mapped[str] = mapped_column(ForeignKey("assessments.id"), index=True)
    decision: Mapped[str] = mapped_column(String(40))
    reason: Mapped[str] = mapped_column(Text)
    decided_by: Mapped[int] = mapped_column(ForeignKey("users.id"))
    decided_at: Mapped[dt.datetime] = mapped_column(Timestamp, default=utcnow)
    amends: Mapped[int | None] = mapped_column(ForeignKey("decisions.id"))


class Outcome(Base):
    """A later outcome label with optional IOM HTCDS intelligence fields (append-only).

    `origin` says how the label arose (OUTCOME_ORIGINS); an imported one names its list
    (`source_name`), the event's date and kind, and carries `import_key`, a keyed hash of
    (source, NIK hash, date, kind) that makes a second import of the same row a no-op.
    """

    __tablename__ = "outcomes"
    __table_args__ = (CheckConstraint(_in("outcome", OUTCOMES), name="ck_outcomes_outcome"),
                      CheckConstraint(_in("origin", OUTCOME_ORIGINS),
                                      name="ck_outcomes_origin"),
                      UniqueConstraint("import_key", name="uq_outcomes_import_key"))
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    assessment_id: Mapped[str] = mapped_column(ForeignKey("assessments.id"), index=True)
    outcome: Mapped[str] = mapped_column(String(40))
    recruitment_method: Mapped[str | None] = mapped_column(String(80))
    recruitment_app: Mapped[str | None] = mapped_column(String(80))
    method_of_control: Mapped[str | None] = mapped_column(String(80))
    recruiter_role: Mapped[str | None] = mapped_column(String(80))
    destination_city: Mapped[str | None] = mapped_column(String(120))
    notes: Mapped[str | None] = mapped_column(Text)
    recorded_by: Mapped[int] = mapped_column(ForeignKey("users.id"))
    recorded_at: Mapped[dt.datetime] = mapped_column(Timestamp, default=utcnow)
    origin: Mapped[str] = mapped_column(String(16), default="followup",
                                        server_default="followup")
    source_name: Mapped[str | None] = mapped_column(String(80))
    event_date: Mapped[dt.date | None] = mapped_column(Date)
    external_kind: Mapped[str | None] = mapped_column(String(24))
    event_country: Mapped[str | None] = mapped_column(String(2))  # where it happened (ISO)
    import_key: Mapped[str | None] = mapped_column(String(64))


class FollowupSample(Base):
    """An interview below review drawn for the random outcome follow-up (append-only).

    `probability` is the selection probability in force when it was drawn: the weight an
    estimate gives its label is its inverse.
    """

    __tablename__ = "followup_samples"
    assessment_id: Mapped[str] = mapped_column(ForeignKey("assessments.id"), primary_key=True)
    office_code: Mapped[str] = mapped_column(String(16))
    probability: Mapped[float] = mapped_column(Float)
    selected_at: Mapped[dt.datetime] = mapped_column(Timestamp)
    __table_args__ = (Index("ix_followup_samples_office_selected", "office_code",
                            "selected_at"),)


class AuditHead(Base):
    """The chain's head (one row): appending locks it, so the chain never forks."""

    __tablename__ = "audit_head"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    seq: Mapped[int] = mapped_column(Integer)
    hash: Mapped[str] = mapped_column(String(64))


class AuditEvent(Base):
    """An append-only event; `hash` covers its content and the previous event's hash."""

    __tablename__ = "audit_events"
    seq: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    at: Mapped[str] = mapped_column(String(32))  # canonical UTC text: hashed as stored
    kind: Mapped[str] = mapped_column(String(40))
    actor: Mapped[str | None] = mapped_column(String(64))
    office_code: Mapped[str | None] = mapped_column(String(16))
    subject: Mapped[str | None] = mapped_column(String(64))
    data: Mapped[str] = mapped_column(Text)  # canonical JSON text, hashed as stored
    prev_hash: Mapped[str] = mapped_column(String(64))
    hash: Mapped[str] = mapped_column(String(64))


class AuditMaintenance(Base):
    """Open only inside a sanctioned maintenance transaction (retention, test clean-up).

    The append-only triggers on the audit, decision, outcome and assessment tables let an
    UPDATE or DELETE through only while a row exists here; the opener deletes it again in the
    same transaction, so no other connection ever sees it (`ews.store.maintenance`).
    """

    __tablename__ = "audit_maintenance"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    reason: Mapped[str] = mapped_column(String(64))
    opened_at: Mapped[dt.datetime] = mapped_column(Timestamp, default=utcnow)


SUBJECT_KINDS = ("area", "destination", "network", "other")
FOLLOW_UP_AGENCIES = ("polres", "bp3mi", "disnaker", "desa_binaan_visit", "timpora",
                      "satgas_tppo", "uptd_ppa", "other")


class IntelProduct(Base):
    """An intelligence product made from a report (IKK 9.1), followed up until closed."""

    __tablename__ = "intel_products"
    __table_args__ = (CheckConstraint(_in("subject_kind", SUBJECT_KINDS),
                                      name="ck_intel_products_subject_kind"),
                      Index("ix_intel_products_owner_created", "owner_office", "created_at"))
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    title: Mapped[str] = mapped_column(String(200))
    finding: Mapped[str] = mapped_column(Text)
    subject_kind: Mapped[str] = mapped_column(String(16))
    subject: Mapped[str] = mapped_column(String(120))
    source_report: Mapped[str] = mapped_column(String(32))
    recommended_follow_up: Mapped[str] = mapped_column(Text)
    owner_office: Mapped[str] = mapped_column(ForeignKey("offices.code"))
    due_date: Mapped[dt.date] = mapped_column(Date)
    created_by: Mapped[int] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[dt.datetime] = mapped_column(Timestamp, default=utcnow)
    closed_at: Mapped[dt.datetime | None] = mapped_column(Timestamp)


class IntelFollowUp(Base):
    """A follow-up of an intelligence product (append-only); `closes` closes the product."""

    __tablename__ = "intel_followups"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    product_id: Mapped[int] = mapped_column(ForeignKey("intel_products.id"), index=True)
    agency: Mapped[str] = mapped_column(String(32))
    action: Mapped[str] = mapped_column(Text)
    closes: Mapped[bool] = mapped_column(Boolean, default=False)
    recorded_by: Mapped[int] = mapped_column(ForeignKey("users.id"))
    recorded_at: Mapped[dt.datetime] = mapped_column(Timestamp, default=utcnow)


class InterviewDraft(Base):
    """One officer's unsent answers for one application number (encrypted)."""

    __tablename__ = "interview_drafts"
    __table_args__ = (UniqueConstraint("user_id", "draft_key", name="uq_interview_drafts_key"),)
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    office_code: Mapped[str] = mapped_column(String(16))
    # HMAC-SHA256 of the application number ("" before one is typed), never the number.
    draft_key: Mapped[str] = mapped_column(String(64))
    token: Mapped[str] = mapped_column(Text)
    updated_at: Mapped[dt.datetime] = mapped_column(Timestamp, index=True)


class FieldKit(Base):
    """A Jemput Bola field kit (ews.field): packed at the office, opened on a field laptop.

    At the office a row names each kit packed (who, when, until when) and, once a bundle of
    it is imported, the last field audit event taken in (a second import adds nothing). On
    a field instance the one row is the kit it was opened from: `opened_at` set marks the
    database as a field instance (users and rule sets fixed), `closed_at` as read-only.
    No key is stored: the office derives a kit's key from its own secret and the kit id.
    """

    __tablename__ = "field_kits"
    kit_id: Mapped[str] = mapped_column(String(36), primary_key=True)
    office_code: Mapped[str] = mapped_column(String(16))
    usernames: Mapped[list] = mapped_column(JSON)
    packed_by: Mapped[str] = mapped_column(String(64))
    packed_at: Mapped[dt.datetime] = mapped_column(Timestamp)
    expires_at: Mapped[dt.datetime] = mapped_column(Timestamp)
    opened_at: Mapped[dt.datetime | None] = mapped_column(Timestamp)
    closed_at: Mapped[dt.datetime | None] = mapped_column(Timestamp)
    imported_seq: Mapped[int | None] = mapped_column(Integer)
    imported_at: Mapped[dt.datetime | None] = mapped_column(Timestamp)


class ExportSetting(Base):
    """An installation-wide export setting set by an admin (audited): `name` -> on/off."""

    __tablename__ = "export_settings"
    name: Mapped[str] = mapped_column(String(64), primary_key=True)
    enabled: Mapped[bool] = mapped_column(Boolean)
    changed_by: Mapped[str] = mapped_column(String(64))
    changed_at: Mapped[dt.datetime] = mapped_column(Timestamp, default=utcnow)
