"""Assessments: history features, idempotent scoring and storage, queries.

`submit` is the one write path: the (office_code, application_id) unique constraint decides
which of two concurrent submissions wins; the loser re-reads and answers like a retry.
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from types import SimpleNamespace

from sqlalchemy import Select, bindparam, exists, func, insert, or_, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from ews import audit
from ews.checklist import HISTORY_FIELDS, with_agencies
from ews.engine import RuleSet
from ews.lifecycle.shadow import score_beside, store_beside
from ews.outcomes import sample as followup_sample
from ews.outcomes.sample import Sampler
from ews.scoring import score

from . import facts, pii
from .db import Db, as_utc, connection_of, orm, utcnow
from .direct import Direct
from .model_registry import active_model
from .models import HOLDING_DECISIONS, Assessment, Decision, User
from .rulesets import LOOK_UP

HISTORY_WINDOW = dt.timedelta(days=30)
SUPERVISING_ROLES = ("supervisor", "admin")
DueAt = Callable[[dt.datetime, int], dt.datetime | None]


class AssessmentConflict(Exception):
    """The application was already assessed with different answers."""

    def __init__(self, existing: Assessment, fields: list[str]) -> None:
        super().__init__(f"application {existing.application_id!r} of office "
                         f"{existing.office_code!r} was already assessed with other answers")
        self.existing = existing
        self.fields = fields


@dataclass
class Submission:
    """What `submit` did: the stored assessment and whether this call created it."""

    assessment: Assessment | SimpleNamespace  # a new one: its stored columns
    created: bool
    extra: dict = field(default_factory=dict)


def _history_statement(with_nik: bool, with_phone: bool) -> Select:
    """Build the one-round-trip history query (built once per shape, then reused)."""
    nik, phone, since = bindparam("nik_hash"), bindparam("phone_hash"), bindparam("since")
    office, app_id = bindparam("office_code"), bindparam("application_id")
    columns = []
    if with_nik:
        held = exists().where(Decision.assessment_id == Assessment.id,
                              or_(*(Decision.decision == d for d in HOLDING_DECISIONS)))
        columns.append(exists().where(Assessment.nik_hash == nik, held)
                       .label("prior_supervisor_decision"))
        columns.append(select(User.role).select_from(Decision)
                       .join(Assessment, Decision.assessment_id == Assessment.id)
                       .join(User, Decision.decided_by == User.id)
                       .where(Assessment.nik_hash == nik)
                       .order_by(Decision.decided_at.desc(), Decision.id.desc()).limit(1)
                       .scalar_subquery().label("last_decider_role"))
        # A follow-up interview of the same application is not a repeat application.
        columns.append(select(func.count()).where(
            Assessment.nik_hash == nik, Assessment.created_at >= since,
            ~((Assessment.office_code == office) & (Assessment.application_id == app_id)))
                       .scalar_subquery().label("repeat_applications_30d"))
    if with_phone:
        others = select(func.count(func.distinct(Assessment.nik_hash))).where(
            Assessment.phone_hash == phone, Assessment.created_at >= since,
            Assessment.nik_hash.is_not(None))
        if with_nik:
            others = others.where(Assessment.nik_hash != nik)
        columns.append(others.scalar_subquery().label("phone_shared_30d"))
    return select(*columns)


_HISTORY = {(n, p): Direct(_history_statement(n, p)) for n in (True, False)
            for p in (True, False) if n or p}


def history_features(session: Db, nik_hash: str | None, phone_hash: str | None,
                     now: dt.datetime, office_code: str = "", application_id: str = "") -> dict:
    """Return the point-in-time history features from the log (None when not assessable)."""
    out: dict = dict.fromkeys(HISTORY_FIELDS)
    if nik_hash or phone_hash:  # one round trip for all of them
        stmt = _HISTORY[bool(nik_hash), bool(phone_hash)]
        params = {"since": now - HISTORY_WINDOW, "nik_hash": nik_hash, "phone_hash": phone_hash,
                  "office_code": office_code, "application_id": application_id}
        out.update(zip(stmt.keys(), stmt.one(connection_of(session), params), strict=True))
    if nik_hash:
        out["prior_supervisor_decision"] = bool(out["prior_supervisor_decision"])
        out["last_decided_by_supervisor"] = out.pop("last_decider_role") in SUPERVISING_ROLES
    if phone_hash and nik_hash:
        out["phone_shared_30d"] += 1  # distinct NIKs with this phone, the applicant included
    return out


def model_probability(session: Db, ruleset: RuleSet,
                      record: dict) -> tuple[float | None, str | None]:
    """Return (probability, version) of the active model when the rule set's mode uses it."""
    if ruleset.model_mode == "off":
        return None, None
    served = active_model(session)
    if served is None:
        return None, None
    return served.probability(record), served.version


def find(db: Db, office_code: str, application_id: str) -> Assessment | None:
    """Return the latest version of the assessment of an application at an office, or None."""
    with orm(db) as session:
        return session.scalar(_FIND, {"office_code": office_code,
                                      "application_id": application_id})


_INSERT = Direct(insert(Assessment.__table__))
_FIND = (select(Assessment).where(Assessment.office_code == bindparam("office_code"),
                                  Assessment.application_id == bindparam("application_id"))
         .order_by(Assessment.version.desc()).limit(1))


def _replay(existing: Assessment, digest: str, answers: dict) -> Submission:
    if existing.answers_hash == digest:
        return Submission(existing, created=False)
    differing = sorted(k for k, v in answers.items()
                       if k != "interviewed_at" and existing.answers.get(k) != v)
    raise AssessmentConflict(existing, differing or ["personal data (nik, full_name, "
                                                     "date_of_birth or phone)"])


def submit(session: Db, record: dict, *, user: User, ruleset: RuleSet, pii_key: str,
           due_at: DueAt | None = None, follow_up: bool = False,
           identity: dict | None = None,
           shadow: tuple[int, str] | None | str = LOOK_UP,
           sampler: Sampler | None = None) -> Submission:
    """Score and store a validated record once; a replay returns the stored row.

    With `follow_up`, different answers for an application already assessed become its next
    version, linked to the one they supersede. Otherwise raises AssessmentConflict when the
    application exists with different answers. The assessment and its audit event are
    committed together before returning. `identity` (from a front-desk registration, see
    `applications.identity_of`) replaces the identity of the form: keyed NIK and phone
    hashes, minor status, age band, kecamatan of origin and the audit fields. `shadow` is
    the (row id, sha256) of the version in shadow, or None, when the caller read it already.
    `sampler` draws the random follow-up sample (`ews.outcomes.sample`) once the result is
    known; what it draws is stored and audited, never returned.
    """
    record = with_agencies(record, ruleset.agencies)
    if identity is not None:
        record = with_identity(record, identity)
    digest = pii.answers_hash(pii_key, record)
    answers = pii.storable_answers(record)
    office, app_id = record["office_code"], record["application_id"]
    earlier = find(session, office, app_id) if follow_up else None
    if earlier is not None and earlier.answers_hash == digest:
        return Submission(earlier, created=False)
    now = utcnow()
    if identity is not None:
        nik_h, phone_h = identity["nik_hash"], identity["phone_hash"]
    else:
        nik_h = pii.nik_hash(pii_key, record["nik"])
        phone_h = pii.phone_hash(pii_key, record["phone"])
    record = record | history_features(session, nik_h, phone_h, now, office, app_id)
    probability, model_version = model_probability(session, ruleset, record)
    result = score(record, ruleset, probability, model_version)
    action = result["recommended_action"]
    values = dict(
        id=str(uuid.uuid4()), office_code=office, application_id=app_id, answers_hash=digest,
        answers=answers, features=pii.derived_features(record), result=result,
        score=result["score"], band=result["band"], rung=action["rung"], action=action["id"],
        decision_required=result["decision_required"],
        status="awaiting_review" if result["decision_required"] else "open",
        ruleset_sha256=ruleset.sha256, model_version=model_version, officer_id=user.id,
        nik_hash=nik_h, phone_hash=phone_h, interviewed_at=record["interviewed_at"],
        created_at=now, checklist_version=record["checklist_version"],
        version=earlier.version + 1 if earlier else 1,
        supersedes_id=earlier.id if earlier else None, superseded_by=None,
        origin_kecamatan=record.get("origin_kecamatan"),
        recruiter_phone_hash=pii.phone_hash(pii_key, record.get("recruiter_phone")),
        due_at=due_at(now, action["rung"]) if due_at and result["decision_required"] else None)
    # Sealed before the insert: the write lock, taken by the insert, is held only for the
    # statements and the commit, never for hashing.
    event = audit.prepare("assessment.created", actor=user.username, office_code=office,
                          subject=values["id"], data={"action": values["action"],
                                                      "rung": values["rung"],
                                                      "score": values["score"],
                                                      "ruleset": ruleset.sha256,
                                                      "version": values["version"],
                                                      "supersedes": values["supersedes_id"]},
                          row=("assessments", values))
    shadow = score_beside(session, record, values, shadow)  # the shadow version's, if any
    drawn = sampler.draw(values, now) if sampler is not None else None
    try:
        # Insert first, no look-up before: a replay is rare, and the unique constraint
        # catches it (and a concurrent twin) in the same statement. Core, not the ORM unit
        # of work: it costs more than the statement on this hot path.
        conn = connection_of(session)
        _INSERT.run(conn, values)
        if earlier is not None:
            _supersede(session, earlier, values["id"])
        audit.append(session, event)
        if drawn is not None:  # ~2% of the interviews below review: one insert more
            followup_sample.store(session, drawn)
        store_beside(session, shadow)  # never raises
        session.commit()
    except IntegrityError:
        session.rollback()
        existing = find(session, office, app_id)
        if existing is None:
            raise
        return _replay(existing, digest, answers)
    # What was committed, for the caller to read (not in the session): a plain namespace
    # of the stored columns, as an ORM instance would cost ~20 us on this path.
    return Submission(SimpleNamespace(**values), created=True)


def with_identity(record: dict, identity: dict) -> dict:
    """Return the record with the registered identity instead of anything typed on the form."""
    keep = {k: v for k, v in identity.items() if k not in ("nik_hash", "phone_hash")}
    return record | dict.fromkeys(("nik", "full_name", "date_of_birth", "phone")) | keep


def _supersede(session: Db, earlier: Assessment, newer_id: str) -> None:
    """Link the earlier version to its successor; an undecided one leaves the queue."""
    status = "superseded" if earlier.status in ("open", "awaiting_review") else earlier.status
    conn = connection_of(session)
    conn.execute(update(Assessment.__table__).where(Assessment.id == earlier.id)
                 .values(superseded_by=newer_id, status=status))
    facts.supersede(conn, earlier.id)


def result_of(row: Assessment) -> dict:
    """Return the API result of a stored assessment (docs/design.md, Result JSON)."""
    return {"id": row.id, "application_id": row.application_id,
            "office_code": row.office_code, **row.result, "status": row.status,
            "created_at": as_utc(row.created_at).isoformat()}


@dataclass(frozen=True)
class Filters:
    """Query filters of the assessment list."""

    offices: tuple[str, ...] | None = None  # None: every office
    band: str | None = None
    action: str | None = None
    status: str | None = None
    since: dt.datetime | None = None
    until: dt.datetime | None = None


def query(session: Session, flt: Filters, page: int, per_page: int) -> tuple[list, int]:
    """Return one page of assessments (newest first) and the total count."""
    conds = [Assessment.superseded_by.is_(None)]
    if flt.offices is not None:
        conds.append(Assessment.office_code.in_(flt.offices))
    for col, value in ((Assessment.band, flt.band), (Assessment.action, flt.action),
                       (Assessment.status, flt.status)):
        if value is not None:
            conds.append(col == value)
    if flt.since is not None:
        conds.append(Assessment.created_at >= flt.since)
    if flt.until is not None:
        conds.append(Assessment.created_at < flt.until)
    total = session.scalar(select(func.count()).select_from(Assessment).where(*conds))
    rows = session.scalars(select(Assessment).where(*conds)
                           .order_by(Assessment.created_at.desc(), Assessment.id)
                           .offset((page - 1) * per_page).limit(per_page)).all()
    return list(rows), total
