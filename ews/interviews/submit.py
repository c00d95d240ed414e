"""Submit an interview: assess it, decide its status, store it once; follow-up versions.

`submit` is the one write path: the (office_code, application_id) unique constraint decides
which of two concurrent submissions wins; the loser re-reads and answers like a retry.
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from types import SimpleNamespace

from sqlalchemy import insert
from sqlalchemy.exc import IntegrityError

from ews import audit
from ews.checklist import with_agencies
from ews.engine import RuleSet
from ews.lifecycle.compiled import LOOK_UP, active_for_office
from ews.lifecycle.shadow import store_beside
from ews.outcomes import sample as followup_sample
from ews.outcomes.sample import Sampler
from ews.store import pii
from ews.store.assessments import find, insert_assessment, supersede
from ews.store.db import Db, connection_of, utcnow
from ews.store.direct import together
from ews.store.models import Assessment, AssessmentCorrection, User

from .assess import assess, identity_hashes

DueAt = Callable[[dt.datetime, int], dt.datetime | None]


class AssessmentConflict(Exception):
    """The application was already assessed with different answers."""

    def __init__(self, existing: Assessment, fields: list[str]) -> None:
        super().__init__(f"application {existing.application_id!r} of office "
                         f"{existing.office_code!r} was already assessed with other answers")
        self.existing = existing
        self.fields = fields


class UnknownOffice(LookupError):
    """The record names an office that does not exist."""


class NoLiveRuleSet(LookupError):
    """No rule set is live: nothing can be scored (`ews init` installs the default)."""


@dataclass(frozen=True)
class Correction:
    """A same-day correction: the version it corrects and why (see `ews.interviews.correct`)."""

    earlier: Assessment
    reason: str


class CorrectedMeanwhile(Exception):
    """The version being corrected is no longer the latest one (corrected meanwhile)."""


@dataclass
class Submission:
    """What `submit` did: the stored assessment and whether this call created it."""

    assessment: Assessment | SimpleNamespace  # a new one: its stored columns
    created: bool


def status_of(result: dict) -> str:
    """Return the status a new assessment starts in: waiting for a supervisor, or open."""
    return "awaiting_review" if result["decision_required"] else "open"


def assessment_row(record: dict, result: dict, *, answers_hash: str, answers: dict,
                   ruleset_sha256: str, model_version: str | None, officer_id: int,
                   nik_hash: str | None, phone_hash: str | None, pii_key: str,
                   now: dt.datetime, row_id: str | None = None,
                   earlier: Assessment | None = None,
                   due_at: dt.datetime | None = None) -> dict:
    """Return the stored columns of a new assessment of a scored record (history included)."""
    action = result["recommended_action"]
    return dict(
        id=row_id or str(uuid.uuid4()), office_code=record["office_code"],
        application_id=record["application_id"], answers_hash=answers_hash, answers=answers,
        features=pii.derived_features(record), result=result, score=result["score"],
        band=result["band"], rung=action["rung"], action=action["id"],
        decision_required=result["decision_required"], status=status_of(result),
        ruleset_sha256=ruleset_sha256, model_version=model_version, officer_id=officer_id,
        nik_hash=nik_hash, phone_hash=phone_hash, interviewed_at=record["interviewed_at"],
        created_at=now, checklist_version=record["checklist_version"],
        version=earlier.version + 1 if earlier else 1,
        supersedes_id=earlier.id if earlier else None, superseded_by=None,
        origin_kecamatan=record.get("origin_kecamatan"),
        recruiter_phone_hash=pii.phone_hash(pii_key, record.get("recruiter_phone")),
        due_at=due_at)


def submit(db: Db, record: dict, *, user: User, ruleset: RuleSet, pii_key: str,
           due_at: DueAt | None = None, follow_up: bool = False,
           identity: dict | None = None, now: dt.datetime | None = None,
           shadow: tuple[int, str] | None | str = LOOK_UP,
           model_key: bytes | None = None, sampler: Sampler | None = None,
           correction: Correction | None = None) -> Submission:
    """Score and store a validated record once; a replay returns the stored row.

    With `follow_up`, different answers for an application already assessed become its next
    version, linked to the one they supersede. Otherwise raises AssessmentConflict when the
    application exists with different answers. The assessment and its audit event are
    committed together before returning. `identity` (from a front-desk registration, see
    `applications.identity_of`) replaces the identity of the form: keyed NIK and phone
    hashes, minor status, age band, kecamatan of origin and the audit fields. `shadow` is
    the (row id, sha256) of the version in shadow, or None, when the caller read it already.
    `now` is the time of storing (the clock when not given); `model_key` (config MODEL_KEY)
    is what the active model's signature is checked with. `sampler` draws the random
    follow-up sample (`ews.outcomes.sample`) once the result is final: what it draws is
    stored and audited, never returned (the officer's interview cannot be shaped by it).
    A `correction` stores the record as the next version of `correction.earlier`, with its
    reason (CorrectedMeanwhile when that is no longer the latest version); the same answers
    again return the earlier version (created False).
    """
    record = with_agencies(record, ruleset.agencies, ruleset.manning)
    if identity is not None:
        record = with_identity(record, identity)
    digest = pii.answers_hash(pii_key, record)
    answers = pii.storable_answers(record)
    office, app_id = record["office_code"], record["application_id"]
    earlier = find(db, office, app_id) if follow_up or correction else None
    if correction is not None and (earlier is None or earlier.id != correction.earlier.id):
        raise CorrectedMeanwhile(app_id)
    if earlier is not None and earlier.answers_hash == digest:
        return Submission(earlier, created=False)
    now = now or utcnow()
    nik_h, phone_h = identity_hashes(record, pii_key, identity)
    assessed = assess(db, record, ruleset, now=now, nik_hash=nik_h, phone_hash=phone_h,
                      shadow=shadow, model_key=model_key)
    result = assessed.result
    values = assessment_row(
        assessed.record, result, answers_hash=digest, answers=answers,
        ruleset_sha256=ruleset.sha256, model_version=assessed.model_version,
        officer_id=user.id, nik_hash=nik_h, phone_hash=phone_h, pii_key=pii_key, now=now,
        earlier=earlier, due_at=due_at(now, result["recommended_action"]["rung"])
        if due_at and result["decision_required"] else None)
    drawn = sampler.draw(values, now) if sampler is not None else None
    # Sealed before the insert: the write lock, taken by the insert, is held only for the
    # statements and the commit, never for hashing.
    rows: list[audit.Row] = [("assessments", values)]
    if correction is not None:  # the reason is free text: sealed, never in the event's data
        rows.append(("assessment_corrections", {
            "assessment_id": values["id"], "corrects_id": earlier.id,
            "reason": correction.reason, "corrected_by": user.id, "corrected_at": now}))
    event = audit.prepare("assessment.corrected" if correction else "assessment.created",
                          actor=user.username, office_code=office,
                          subject=values["id"], data={"action": values["action"],
                                                      "rung": values["rung"],
                                                      "score": values["score"],
                                                      "ruleset": ruleset.sha256,
                                                      "version": values["version"],
                                                      "supersedes": values["supersedes_id"]},
                          row=rows if correction else rows[0])
    conn = connection_of(db)
    # On PostgreSQL a first version's statements go in one round trip (a later version's
    # are not all Direct), and on a bare connection (the API) without a shadow to store
    # the commit goes with them: the audit head's row lock then waits on no round trip.
    commit_with = db is conn and earlier is None and assessed.shadow is None
    try:
        # Insert first, no look-up before: a replay is rare, and the unique constraint
        # catches it (and a concurrent twin) in the same statement.
        with together(conn, send_together=earlier is None, commit=commit_with):
            insert_assessment(conn, values)
            if earlier is not None:
                supersede(db, earlier, values["id"])
            if correction is not None:
                conn.execute(insert(AssessmentCorrection.__table__), rows[1][1])
            audit.append(db, event)
            if drawn is not None:  # ~2% of the interviews below review: one insert more
                followup_sample.store(db, drawn)
        if not commit_with:
            store_beside(db, assessed.shadow, values)  # never raises
        db.commit()  # committed already when `together` did
    except IntegrityError:
        db.rollback()
        existing = find(db, office, app_id)
        if existing is None:
            raise
        return _replay(existing, digest, answers)
    # What was committed, for the caller to read (not in the session): a plain namespace
    # of the stored columns, as an ORM instance would cost ~20 us on this path.
    return Submission(SimpleNamespace(**values), created=True)


def submit_at_office(db: Db, record: dict, *, user: User, pii_key: str,
                     due_at: DueAt | None = None, identity: dict | None = None,
                     now: dt.datetime | None = None, model_key: bytes | None = None,
                     sampler: Sampler | None = None,
                     correction: Correction | None = None) -> Submission:
    """Submit under the live rule set, as the pages and the API do (`follow_up` from the form).

    One round trip finds the office, the live version and the one in shadow. Raises
    UnknownOffice, NoLiveRuleSet, or what `submit` raises.
    """
    known, ruleset, shadow = active_for_office(db, record["office_code"])
    if not known:
        raise UnknownOffice(record["office_code"])
    if ruleset is None:
        raise NoLiveRuleSet("No active rule set: run `ews init`.")
    return submit(db, record, user=user, ruleset=ruleset, pii_key=pii_key, due_at=due_at,
                  follow_up=bool(record.get("follow_up")), identity=identity, shadow=shadow,
                  now=now, model_key=model_key, sampler=sampler, correction=correction)


def _replay(existing: Assessment, digest: str, answers: dict) -> Submission:
    if existing.answers_hash == digest:
        return Submission(existing, created=False)
    differing = sorted(k for k, v in answers.items()
                       if k != "interviewed_at" and existing.answers.get(k) != v)
    raise AssessmentConflict(existing, differing or ["personal data (nik, full_name, "
                                                     "date_of_birth or phone)"])


def with_identity(record: dict, identity: dict) -> dict:
    """Return the record with the registered identity instead of anything typed on the form."""
    keep = {k: v for k, v in identity.items() if k not in ("nik_hash", "phone_hash")}
    return record | dict.fromkeys(("nik", "full_name", "date_of_birth", "phone")) | keep
