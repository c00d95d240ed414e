"""Store drawn demo cases through the real validation and scorer, in batched transactions.

Each case goes through `validate_checklist` and `score` exactly like a submission; the history
features are computed from the cases written before it (point-in-time, as `submit` does from
the log). Each row is the one `ews.interviews.submit` would store (`assessment_row`), with
the supervisor's decision already taken, submitted minutes after the interview (one in 20
entered days later, as a field session or an outage would). Rows, decisions, outcomes and
their audit events are inserted per batch with executemany, and the audit chain is extended
with `audit.record_many`. Their report facts are derived as a submission's are, by the
catch-up (`ews.store.facts.catch_up`).
"""

from __future__ import annotations

import datetime as dt
import operator
import random
import uuid
from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

from sqlalchemy import func, insert, select, text
from sqlalchemy.orm import Session

from ews import audit
from ews.checklist import RULE_FIELDS, validate_checklist
from ews.engine import RuleSet
from ews.interviews import HISTORY_WINDOW, assessment_row
from ews.scoring import score
from ews.store import pii
from ews.store.models import HOLDING_DECISIONS, Assessment, Decision, FollowupSample, Outcome

from .external import external_event
from .generate import Case

DECISIONS_BY_TRUTH = {  # (decision, weight) a supervisor records, by hidden truth
    "sound": (("issued", 80), ("additional_documents_requested", 20)),
    "false_alarm": (("issued", 60), ("additional_documents_requested", 40)),
    "nonprocedural": (("deferred", 55), ("redirected", 35), ("issued", 10)),
    "network": (("deferred", 50), ("redirected", 25), ("referred", 20), ("issued", 5)),
    "trafficking": (("referred", 70), ("deferred", 30)),
    "scam": (("referred", 55), ("deferred", 40), ("issued", 5)),
}
# (label, weight) of the later outcome; no_information is the usual share of unknowns.
OUTCOMES_BY_TRUTH = {
    "sound": (("legitimate_travel_confirmed", 75), ("no_information", 25)),
    "false_alarm": (("legitimate_travel_confirmed", 70), ("no_information", 30)),
    "nonprocedural": (("confirmed_nonprocedural", 60), ("intercepted_at_border", 10),
                      ("no_information", 30)),
    "network": (("confirmed_nonprocedural", 45), ("confirmed_trafficking", 25),
                ("intercepted_at_border", 10), ("no_information", 20)),
    "trafficking": (("confirmed_trafficking", 65), ("intercepted_at_border", 10),
                    ("no_information", 25)),
    "scam": (("confirmed_trafficking", 55), ("intercepted_at_border", 25),
             ("no_information", 20)),
}
INTEL = {  # HTCDS-style fields recorded with a positive outcome, by truth
    "scam": {"recruitment_method": "social_media", "recruitment_app": "telegram",
             "method_of_control": "withholds_documents", "recruiter_role": "recruiter",
             "destination_city": "Sihanoukville"},
    "network": {"recruitment_method": "unlicensed_broker", "recruitment_app": "whatsapp",
                "method_of_control": "debt_bondage", "recruiter_role": "sponsor_or_broker"},
    "nonprocedural": {"recruitment_method": "personal_contact",
                      "recruiter_role": "sponsor_or_broker"},
    "trafficking": {"recruitment_method": "unlicensed_broker",
                    "method_of_control": "debt_bondage", "recruiter_role": "recruiter"},
}
# Outcomes come back for the cases nobody flagged only through the random follow-up sample
# (ews.outcomes.sample): drawn with this probability, stored as such and labelled `sample`.
UNFLAGGED_OUTCOME_SHARE = 0.02
# A follow-up is not an oracle: this share of its labels is mistaken - a risky case recorded
# `legitimate_travel_confirmed` (the family vouched for them), a false alarm recorded as
# non-procedural work (they overstayed). `ews.demo.frame` keeps true labels.
MISTAKEN = {"nonprocedural": ("legitimate_travel_confirmed", 0.1),
            "network": ("legitimate_travel_confirmed", 0.1),
            "trafficking": ("legitimate_travel_confirmed", 0.1),
            "scam": ("legitimate_travel_confirmed", 0.1),
            "false_alarm": ("confirmed_nonprocedural", 0.1)}
LATE_SHARE = 0.05  # checklists entered days after the interview
_RULE_INPUTS = operator.itemgetter(*RULE_FIELDS)  # a record's values of the rule fields


def submission_lag(key: str) -> dt.timedelta:
    """Return how long after its interview a checklist is submitted (drawn from `key`):
    5-30 minutes at the desk, or 1-3 days for the LATE_SHARE entered later."""
    rng = random.Random(f"lag:{key}")
    if rng.random() < LATE_SHARE:
        return dt.timedelta(days=rng.uniform(1, 3))
    return dt.timedelta(minutes=rng.uniform(5, 30))


def followup_label(case: Case) -> str:
    """Return the outcome a follow-up of this case records (drawn from the case, so the same
    whether or not anyone follows it up): by its truth, now and then mistaken."""
    label = _pick(random.Random(case.u_label), OUTCOMES_BY_TRUTH[case.truth])
    wrong, share = MISTAKEN.get(case.truth, (label, 0.0))
    if label != "no_information" and random.Random(f"mistaken:{case.u_label!r}").random() < share:
        return wrong
    return label


class SeedTaken(Exception):
    """The demo data of this seed is in the database already."""


@dataclass
class Staff:
    """Demo users per office: officer ids (by round robin) and the supervisor's id and name."""

    officers: dict[str, list[tuple[int, str]]]
    supervisors: dict[str, tuple[int, str]]


@dataclass
class Summary:
    """What the writer stored."""

    assessments: int = 0
    flagged: int = 0
    decisions: int = 0
    outcomes: int = 0
    by_truth: dict = field(default_factory=lambda: defaultdict(int))


class History:
    """Point-in-time history features from the cases written so far (like `submit`'s query)."""

    def __init__(self) -> None:
        self.nik_times: dict[str, list[dt.datetime]] = defaultdict(list)
        self.phone: dict[str, list[tuple[dt.datetime, str]]] = defaultdict(list)
        self.held: set[str] = set()
        self.last_by_supervisor: set[str] = set()

    def features(self, nik_h: str, phone_h: str, now: dt.datetime) -> dict:
        """Return the four history features of a new assessment at `now`."""
        since = now - HISTORY_WINDOW
        others = {n for t, n in self.phone[phone_h] if t >= since and n != nik_h}
        return {"prior_supervisor_decision": nik_h in self.held,
                "last_decided_by_supervisor": nik_h in self.last_by_supervisor,
                "repeat_applications_30d": sum(t >= since for t in self.nik_times[nik_h]),
                "phone_shared_30d": len(others) + 1}

    def add(self, nik_h: str, phone_h: str, now: dt.datetime, decision: str | None) -> None:
        """Remember an assessment and the supervisor's decision on it (if any)."""
        self.nik_times[nik_h].append(now)
        self.phone[phone_h].append((now, nik_h))
        if decision is not None:
            self.last_by_supervisor.add(nik_h)
            if decision in HOLDING_DECISIONS:
                self.held.add(nik_h)


def _full(model, values: dict) -> dict:
    """Return a row with every column of the table (None where not set): what gets sealed."""
    return {c.name: values.get(c.name) for c in model.__table__.columns}


def _pick(rng: random.Random, options) -> str:
    return rng.choices([o for o, _ in options], weights=[w for _, w in options])[0]


class Writer:
    """Writes cases in batches; keeps ids, history and the summary across batches."""

    def __init__(self, session: Session, *, ruleset: RuleSet, pii_key: str, staff: Staff,
                 end: dt.datetime, external: list | None = None) -> None:
        self.session, self.ruleset, self.key, self.staff = session, ruleset, pii_key, staff
        self.end = end
        self.external = external  # collects the demo's external list (clear synthetic NIKs)
        self.samples: list[dict] = []
        self.history = History()
        self.summary = Summary()
        self.decision_id = session.scalar(select(func.coalesce(func.max(Decision.id), 0)))
        self.outcome_id = session.scalar(select(func.coalesce(func.max(Outcome.id), 0)))
        self.counter: dict[str, int] = defaultdict(int)
        self.scores: dict[tuple, dict] = {}

    def write(self, cases: Iterable[Case], batch: int = 2000,
              progress: Callable[[int], None] | None = None) -> Summary:
        """Write every case, committing every `batch` cases; return the summary."""
        chunk: list[Case] = []
        for case in cases:
            chunk.append(case)
            if len(chunk) >= batch:
                self._batch(chunk)
                if progress:
                    progress(len(chunk))
                chunk = []
        if chunk:
            self._batch(chunk)
            if progress:
                progress(len(chunk))
        self._advance_sequences()
        return self.summary

    def _advance_sequences(self) -> None:
        """On PostgreSQL, move the id sequences past the ids written here: the service's own
        decisions and outcomes (and imports) take theirs from the sequence."""
        conn = self.session.connection()
        if conn.dialect.name != "postgresql":
            return  # SQLite takes the next id after the largest one
        for table in ("decisions", "outcomes"):
            conn.execute(text(f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "
                              f"(SELECT COALESCE(MAX(id), 0) + 1 FROM {table}), false)"))
        self.session.commit()

    def _batch(self, cases: list[Case]) -> None:
        rows, decisions, outcomes, events = [], [], [], []
        for case in cases:
            self._one(case, rows, decisions, outcomes, events)
        conn = self.session.connection()
        conn.execute(insert(Assessment.__table__), rows)
        if decisions:
            conn.execute(insert(Decision.__table__), decisions)
        if outcomes:
            conn.execute(insert(Outcome.__table__), outcomes)
        if self.samples:
            conn.execute(insert(FollowupSample.__table__), self.samples)
            self.samples = []
        audit.record_many(self.session, events)
        self.session.commit()

    def _one(self, case: Case, rows: list, decisions: list, outcomes: list,
             events: list) -> None:
        ruleset, key = self.ruleset, self.key
        record = self._record(case)
        office = record["office_code"]
        created = min(record["interviewed_at"].astimezone(dt.UTC)
                      + submission_lag(record["application_id"]), self.end)
        nik_h, phone_h = pii.nik_hash(key, record["nik"]), pii.phone_hash(key, record["phone"])
        record |= self.history.features(nik_h, phone_h, created)
        result = self._score(record)
        action = result["recommended_action"]
        officers = self.staff.officers[office]
        officer_id, officer = officers[self.counter[office] % len(officers)]
        self.counter[office] += 1
        row_id = str(uuid.UUID(int=random.Random(record["application_id"]).getrandbits(128)))
        flagged = result["decision_required"]
        rng = random.Random(case.u_decision)
        decision = _pick(rng, DECISIONS_BY_TRUTH[case.truth]) if flagged else None
        decided_at = created + dt.timedelta(hours=case.delay_hours) if flagged else None
        rows.append(assessment_row(
            record, result, answers_hash=pii.answers_hash(key, record),
            answers=pii.storable_answers(record), ruleset_sha256=ruleset.sha256,
            model_version=None, officer_id=officer_id, nik_hash=nik_h, phone_hash=phone_h,
            pii_key=key, now=created, row_id=row_id)
            | {"status": "decided" if flagged else "open", "claimed_by": None,
               "claimed_at": None, "decided_at": decided_at})
        events.append({"kind": "assessment.created", "actor": officer, "office_code": office,
                       "subject": row_id, "row": ("assessments", rows[-1]), "data": {
                           "action": action["id"], "rung": action["rung"],
                           "score": result["score"], "ruleset": ruleset.sha256, "version": 1,
                           "supersedes": None, "demo": True}})
        self.summary.assessments += 1
        self.summary.by_truth[case.truth] += 1
        self.history.add(nik_h, phone_h, created, decision)
        if flagged:
            sup_id, sup = self.staff.supervisors[office]
            rows[-1] |= {"claimed_by": sup_id, "claimed_at": created}
            self.decision_id += 1
            decisions.append(_full(Decision, dict(
                id=self.decision_id, assessment_id=row_id, decision=decision,
                reason="Demo: keputusan supervisor (data sintetis)", decided_by=sup_id,
                decided_at=decided_at)))
            events.append({"kind": "decision.recorded", "actor": sup, "office_code": office,
                           "subject": row_id, "row": ("decisions", decisions[-1]), "data": {
                               "decision": decision, "decision_id": self.decision_id,
                               "rung": action["rung"], "role": "supervisor"}})
            self.summary.flagged += 1
            self.summary.decisions += 1
        sampled = not flagged and case.u_outcome < UNFLAGGED_OUTCOME_SHARE
        if sampled:
            self.samples.append(dict(assessment_id=row_id, office_code=office,
                                     probability=UNFLAGGED_OUTCOME_SHARE, selected_at=created))
            events.append({"kind": "outcome.sampled", "office_code": office, "subject": row_id,
                           "data": {"probability": UNFLAGGED_OUTCOME_SHARE}})
        if flagged or sampled:
            self._outcome(case, row_id, office, decided_at or created, outcomes, events,
                          "sample" if sampled else "followup")
        if self.external is not None:
            event = external_event(case, record["nik"], record.get("destination_country"),
                                   record["interviewed_at"], self.end,
                                   held=decision in HOLDING_DECISIONS)
            if event is not None:
                self.external.append(event)

    def _record(self, case: Case) -> dict:
        """Return the validated record of a case's payload, as a submission validates it."""
        return validate_checklist(case.payload, now=self.end, agencies=self.ruleset.agencies,
                                  manning=self.ruleset.manning)

    def _score(self, record: dict) -> dict:
        """Return `score(record)`, computed once per distinct set of rule inputs.

        The scorer reads only `rule` fields (and whether a date of birth was given, for the
        completeness of the minor questions), so equal keys give equal results.
        """
        key = _RULE_INPUTS(record) + (record["date_of_birth"] is None,)
        result = self.scores.get(key)
        if result is None:
            result = self.scores[key] = score(record, self.ruleset)
        return result

    def _outcome(self, case: Case, row_id: str, office_code: str, after: dt.datetime,
                 outcomes: list, events: list, origin: str) -> None:
        label = followup_label(case)
        at = min(after + dt.timedelta(days=3 + 40 * case.u_label), self.end)
        sup_id, sup = self.staff.supervisors[office_code]
        intel = INTEL.get(case.truth, {}) if label != "no_information" else {}
        self.outcome_id += 1
        outcomes.append(_full(Outcome, dict(id=self.outcome_id, assessment_id=row_id, outcome=label,
                             recruitment_method=intel.get("recruitment_method"),
                             recruitment_app=intel.get("recruitment_app"),
                             method_of_control=intel.get("method_of_control"),
                             recruiter_role=intel.get("recruiter_role"),
                             destination_city=intel.get("destination_city"), notes=None,
                             recorded_by=sup_id, recorded_at=at, origin=origin)))
        events.append({"kind": "outcome.recorded", "actor": sup, "office_code": office_code,
                       "subject": row_id, "row": ("outcomes", outcomes[-1]),
                       "data": {"outcome": label,
                                                   "outcome_id": self.outcome_id}})
        self.summary.outcomes += 1
