"""`ews demo --bulk`: a national year on PostgreSQL, written by worker processes with COPY.

The same world as `ews demo` (docs/demo.md) at a scale the one-by-one writer cannot reach
(it validates, seals and inserts some 1,800 interviews a second): each interview's answers
are one of a few hundred answer sets per profile, drawn by `generate`'s own profile
functions (sound travel and its weak signals, false alarms, non-procedural work and its
cover stories, trafficking and marriage brokerage, online scams, recruiter networks) and
validated once; each interview then gets its own identity (NIK, phone, birth date, kecamatan
and desa of its office's catchment, the hotspot's share), its skipped questions, and the
derived fields of its interview day (`ews.checklist.derive`). From there every row is what
`Writer` stores - history features, the scorer's result, the supervisor's decision, the
follow-up and random-sample outcomes - and every row is sealed into its audit event.

Interview times, profiles and offices are drawn at once for the whole window (the season,
office hours, the scam wave); the rest is drawn per chunk of consecutive interviews, from
the seed and the chunk's number. Workers write each chunk's assessments, decisions,
outcomes, sample entries and report facts with COPY in one transaction, and send the
prepared audit events back; the main process chains them in order and appends them. History
features (shared phones, repeat applications) look back within a chunk only, so a network's
phone counts fewer sharers than a 30-day window would at a chunk's start. An interrupted run
leaves rows the chain does not record: start again on an empty database.
"""

from __future__ import annotations

import datetime as dt
import functools
import gc
import multiprocessing
import random
from collections.abc import Callable
from dataclasses import dataclass
from itertools import accumulate

import numpy as np
import orjson
from sqlalchemy import JSON, Index, func, select, text
from sqlalchemy.orm import Session
from sqlalchemy.schema import CreateIndex, DropIndex

from ews import audit, wilayah
from ews.audit.seal import canonical_text, seal
from ews.checklist import validate_checklist
from ews.checklist.derive import derive
from ews.engine import RuleSet
from ews.store import facts, make_engine, zones
from ews.store.db import copy_rows
from ews.store.models import (
    Assessment,
    AssessmentFact,
    Base,
    Decision,
    FollowupSample,
    Outcome,
)

from . import plan
from .frame import IDENTITY, TRUTHS, VALIDATED_AT, _times, shares
from .generate import (
    SKIPPABLE,
    SOUND_WEAK_SHARE,
    Case,
    _cover,
    _desa_codes,
    _false_alarm,
    _kecamatan_codes,
    _nonprocedural,
    _scam,
    _sound,
    _trafficking,
    _weak,
    nik,
)
from .plan import Window
from .write import History, SeedTaken, Staff, Summary, Writer

CHUNK = 50_000
ANSWER_SETS = 400  # per profile
# Profiles: the answers an interview gives, by what the person really does. A drawn
# non-procedural or trafficking case conceals (a cover story) with plan.CONCEAL's share;
# a drawn sound applicant is now and then a concealed risky one (plan.HIDDEN_SHARE).
PROFILES = ("sound", "sound_weak", "false_alarm", "nonprocedural", "nonprocedural_cover",
            "trafficking", "trafficking_cover", "scam", "network")
NETWORK_OF = {phone: net for net, _, _, phones, *_ in plan.NETWORKS for phone in phones}
HOME = {net: (home, share) for net, _, _, _, _, home, share in plan.NETWORKS}


def _draw(profile: str, rng: random.Random) -> dict:
    if profile == "sound":
        return _sound(rng)
    if profile == "sound_weak":
        return _weak(rng, _sound(rng), rng.randrange(2))
    if profile == "false_alarm":
        return _false_alarm(rng)
    if profile == "nonprocedural":
        return _nonprocedural(rng, None, None)
    if profile == "trafficking":
        return _trafficking(rng)
    if profile.endswith("_cover"):
        return _cover(rng, _draw(profile.removesuffix("_cover"), rng))
    if profile == "scam":
        return _scam(rng)
    net = rng.choices(plan.NETWORKS, weights=[share for _, share, *_ in plan.NETWORKS])[0]
    agencies = net[4]
    agency = rng.choice(agencies) if agencies and rng.random() < 0.6 else None
    return _nonprocedural(rng, rng.choice(net[3]), agency)


def answer_sets(seed: int, ruleset: RuleSet, k: int = ANSWER_SETS) -> dict[str, list[dict]]:
    """Return `k` validated answer sets per profile (pure, seeded)."""
    rng = random.Random(f"answer-sets:{seed}")
    out = {}
    for profile in PROFILES:
        out[profile] = []
        for _ in range(k):
            record = validate_checklist(IDENTITY | _draw(profile, rng), now=VALIDATED_AT,
                                        agencies=ruleset.agencies, manning=ruleset.manning)
            out[profile].append(record)  # its identity is replaced per interview
    return out


@dataclass(frozen=True)
class Job:
    """What every worker needs (inherited by fork, never pickled per chunk)."""

    url: str
    seed: int
    offices: tuple[str, ...]
    window: Window
    end: dt.datetime
    pii_key: str
    ruleset: RuleSet
    staff: Staff
    sets: dict[str, list[dict]]
    times: np.ndarray    # interview instants (UTC, int64 seconds), sorted
    truths: np.ndarray   # index into TRUTHS, as drawn (before concealment)
    office: np.ndarray   # index into offices
    base_ids: tuple[int, int]  # the largest decision and outcome ids before the run
    lz4: bool  # the server compresses with lz4


_JOB: Job | None = None
_ENGINE = None
# A worker's scores, kept across its chunks (`Writer._score`: one per distinct set of rule
# inputs; a chunk of 50,000 has some 15,000, fewer new ones each chunk), and the canonical
# text of each kept result by its id (alive while kept), for the seals.
SCORES_KEPT = 50_000
_SCORES: dict[tuple, dict] = {}
_RESULT_TEXTS: dict[int, str] = {}


@dataclass(frozen=True)
class Chunk:
    """What a worker sends back: the chunk's prepared audit events and its counts."""

    first: int
    events: list[audit.Prepared]
    summary: Summary


class ChunkWriter(Writer):
    """The writer for one chunk: records come built (no validation), rows go out by COPY."""

    def __init__(self, job: Job, first: int) -> None:  # no session: its own connection
        self.ruleset, self.key, self.staff, self.end = job.ruleset, job.pii_key, job.staff, job.end
        self.external, self.samples = None, []
        self.history = History()
        self.summary = Summary()
        # Ids of this chunk: above every id before the run, apart from other chunks' ids.
        self.decision_id, self.outcome_id = (base + first for base in job.base_ids)
        self.counter = {o: first for o in job.offices}
        if len(_SCORES) > SCORES_KEPT:  # between chunks: no row holds a result by its id
            _SCORES.clear()
            _RESULT_TEXTS.clear()
        self.scores = _SCORES
        self.prepared: list[audit.Prepared] = []

    def _record(self, case: Case) -> dict:
        return case.payload

    def _batch(self, cases: list[Case]) -> None:
        rows, decisions, outcomes, events = [], [], [], []
        for case in cases:
            self._one(case, rows, decisions, outcomes, events)
        with _ENGINE.begin() as conn:
            if _JOB.lz4:  # compresses the JSON documents several times faster than pglz
                conn.execute(text("SET LOCAL default_toast_compression = 'lz4'"))
            _copy(conn, Assessment, rows)
            _copy(conn, Decision, decisions)
            _copy(conn, Outcome, outcomes)
            _copy(conn, FollowupSample, self.samples)
            # From the rows in hand: the catch-up's SQL would parse every JSON document again.
            where = zones.offsets(conn)
            _copy(conn, AssessmentFact, [facts.facts_of(r, zones.minutes_of(
                where, r["office_code"])) for r in rows])
        self.prepared = [_prepared(e) for e in events]


def _prepared(event: dict) -> audit.Prepared:
    """Return `audit.prepare` of an event of `Writer._one` (its row sealed into its data),
    the canonical text of an assessment's result written once per distinct result."""
    data, row = event["data"], event.get("row")
    if row is not None:
        table, values = row
        texts = {}
        if table == "assessments":
            result = values["result"]
            texts["result"] = _RESULT_TEXTS.get(id(result)) or _RESULT_TEXTS.setdefault(
                id(result), canonical_text(result))
        data = data | {"seal": seal(table, values, texts)}
    return audit.prepare(event["kind"], actor=event.get("actor"),
                         office_code=event.get("office_code"), subject=event.get("subject"),
                         data=data)


def _copy(conn, model, rows: list[dict]) -> None:
    """Append `rows` (dicts of every column; JSON columns as dicts) to `model`'s table."""
    columns = model.__table__.columns
    names = [c.name for c in columns]
    documents = [k for k, c in enumerate(columns) if isinstance(c.type, JSON)]

    def values(row: dict) -> list:
        out = [row.get(name) for name in names]
        for k in documents:
            out[k] = orjson.dumps(out[k]).decode()
        return out

    copy_rows(conn, model.__tablename__, names, map(values, rows))


def _start_worker() -> None:
    global _ENGINE
    _ENGINE = make_engine(_JOB.url)


# Drawn with cumulative weights, as `random.choices` draws with weights (the same numbers).
AGES, AGE_WEIGHTS = (19, 24, 30, 40, 50, 62), tuple(accumulate((12, 18, 25, 20, 15, 10)))
TYPES, TYPE_WEIGHTS = ("new", "replacement", "lost"), tuple(accumulate((70, 27, 3)))


@functools.cache
def _catchment(office: str) -> tuple[tuple[str, ...], tuple[float, ...]]:
    """Return an office's catchment regencies and their cumulative weights."""
    catchment = plan.CATCHMENTS.get(office, plan.DEFAULT_CATCHMENT)
    return tuple(catchment), tuple(accumulate(catchment.values()))


@functools.cache
def _area(kecamatan: str) -> tuple[str, str, str, tuple[str, ...]]:
    """Return a kecamatan's regency (dotted), the regency's name and its own, and its desa."""
    regency = wilayah.regency_of(kecamatan)
    return (regency, wilayah.name(regency) or "", wilayah.name(kecamatan) or "",
            _desa_codes(wilayah.dotted(kecamatan)))


def _cases(job: Job, first: int, last: int) -> list[Case]:
    """Return the cases of interviews [first, last): their records built, as `generate`
    draws them (identity, catchment, hotspot, network home, skipped questions)."""
    rng = random.Random(f"bulk:{job.seed}:{first}")
    hot_regency = wilayah.regency_of(plan.HOTSPOT_KECAMATAN)
    ruleset, out = job.ruleset, []
    for i in range(first, last):
        office = job.offices[job.office[i]]
        when = dt.datetime.fromtimestamp(int(job.times[i]), plan.WIB)
        truth = TRUTHS[job.truths[i]]
        profile, risky_drawn = truth, truth in ("nonprocedural", "trafficking")
        if risky_drawn and rng.random() < plan.CONCEAL[truth]:
            profile = truth + "_cover"
        elif truth == "sound":
            if rng.random() < plan.HIDDEN_SHARE:
                truth = "trafficking" if rng.random() < plan.TRAFFICKING_SHARE / (
                    plan.RISKY_SHARE + plan.TRAFFICKING_SHARE) else "nonprocedural"
                profile = truth + "_cover"
            elif rng.random() < SOUND_WEAK_SHARE:
                profile = "sound_weak"
        record = dict(rng.choice(job.sets[profile]))
        regencies, weights = _catchment(office)
        regency = rng.choices(regencies, cum_weights=weights)[0]
        kec = rng.choice(_kecamatan_codes(regency))
        hot_desa, female_share, network = False, 0.5, None
        if truth == "network":
            network = NETWORK_OF.get(record.get("recruiter_phone"))
            home, home_share = HOME[network]
            kec = home if rng.random() < home_share else kec
            female_share = 0.7
        elif risky_drawn:
            if rng.random() < plan.HOTSPOT_RISKY_SHARE:
                kec, hot_desa = plan.HOTSPOT_KECAMATAN, rng.random() < plan.HOTSPOT_DESA_SHARE
            female_share = 0.65
        if truth in ("network", "scam") and _area(kec)[0] == hot_regency \
                and rng.random() < 0.3:
            kec = plan.HOTSPOT_KECAMATAN
        if truth not in ("sound", "false_alarm") and kec == plan.HOTSPOT_KECAMATAN:
            hot_desa = hot_desa or rng.random() < plan.HOTSPOT_DESA_SHARE
        female = rng.random() < female_share
        age = rng.choices(AGES, cum_weights=AGE_WEIGHTS)[0]
        born = dt.date(when.year - age - rng.randrange(5), rng.randint(1, 12),
                       rng.randint(1, 28))
        _, regency_name, district_name, desa = _area(kec)
        phone = f"+628{rng.randrange(10**9, 10**10)}"
        if network and rng.random() < 0.3:
            phone = record["recruiter_phone"]  # the sponsor's number as the contact phone
        record |= {
            "application_id": f"{office}-DEMO{job.seed}-{i:07d}", "office_code": office,
            "application_type": rng.choices(TYPES, cum_weights=TYPE_WEIGHTS)[0],
            "interviewed_at": when, "nik": nik(rng, kec, born, female, i),
            "full_name": "Pemohon Demo", "date_of_birth": born,
            "sex": "female" if female else "male",
            "domicile_regency": regency_name, "domicile_district": district_name,
            "domicile_desa": (desa[0] if hot_desa else rng.choice(desa)) if desa else None,
            "domicile_village": None, "phone": phone}
        share = plan.SKIP_BY_HOUR.get(when.hour, 0.02)
        for name in SKIPPABLE:
            if record[name] is not None and rng.random() < share:
                record[name] = None
        derive(record, ruleset.agencies, ruleset.manning)
        out.append(Case(record, truth, network, rng.random(), rng.random(), rng.random(),
                        rng.uniform(0.5, 72)))
    return out


def _chunk(bounds: tuple[int, int]) -> Chunk:
    first, last = bounds
    # A chunk allocates millions of dicts and lists, none in a cycle (refcounts free them):
    # the cycle collector would only walk them, and the kept scores, again and again.
    gc.disable()
    try:
        writer = ChunkWriter(_JOB, first)
        writer._batch(_cases(_JOB, first, last))
        return Chunk(first, writer.prepared, writer.summary)
    finally:
        gc.enable()


def write(session: Session, *, n: int, window: Window, offices: tuple[str, ...], seed: int,
          pii_key: str, ruleset: RuleSet, staff: Staff, workers: int = 2,
          chunk: int = CHUNK, progress: Callable[[int], None] | None = None) -> Summary:
    """Write `n` interviews of the demo's world with COPY; return what was stored.

    PostgreSQL only. The session's connection appends the audit events (one transaction
    per chunk); `workers` processes draw, score, seal and COPY the chunks.
    """
    global _JOB
    if session.connection().dialect.name != "postgresql":
        raise ValueError("the bulk demo writes with COPY: PostgreSQL only")
    rng = np.random.default_rng(seed)
    at = _times(rng, n, window)
    office = rng.integers(0, len(offices), n).astype(np.int16)
    stored = Assessment.__table__.c
    if session.scalar(select(stored.id).where(
            stored.office_code == offices[office[0]],
            stored.application_id == f"{offices[office[0]]}-DEMO{seed}-{0:07d}")):
        raise SeedTaken(seed)
    wave = window.wave_month()
    local = at.tz_convert(plan.WIB).tz_localize(None)
    in_wave = np.asarray((local >= np.datetime64(wave)) & (local < np.datetime64(
        plan.month_end(wave))))
    share = shares()
    truths = rng.choice(len(TRUTHS), n, p=[share[t] for t in TRUTHS])
    truths[in_wave & (rng.random(n) < plan.SCAM_WAVE_SHARE)] = TRUTHS.index("scam")
    base_ids = tuple(session.scalar(select(func.max(model.id))) or 0
                     for model in (Decision, Outcome))
    lz4 = bool(session.scalar(text(
        "SELECT 1 FROM pg_settings WHERE name = 'default_toast_compression' "
        "AND 'lz4' = ANY(enumvals)")))
    session.commit()
    _JOB = Job(lz4=lz4, url=session.get_bind().url.render_as_string(hide_password=False), seed=seed,
               offices=offices, window=window, end=dt.datetime.combine(
                   window.end, dt.time(), tzinfo=dt.UTC), pii_key=pii_key, ruleset=ruleset,
               staff=staff, sets=answer_sets(seed, ruleset),
               times=at.asi8 // 10**9, truths=truths.astype(np.int8),
               office=office, base_ids=base_ids)
    summary = Summary()
    bounds = [(lo, min(lo + chunk, n)) for lo in range(0, n, chunk)]
    context = multiprocessing.get_context("fork")
    _drop_secondary_indexes(session)
    gc.freeze()  # the job, its answer sets, the modules: no collection walks them again here
    try:         # nor in the workers forked from here
        with context.Pool(workers, initializer=_start_worker) as pool:
            for done in _taken_as(seed, pool.imap(_chunk, bounds)):
                audit.append_many(session, done.events)
                session.commit()
                for name in ("assessments", "flagged", "decisions", "outcomes"):
                    setattr(summary, name, getattr(summary, name) + getattr(done.summary, name))
                for truth, count in done.summary.by_truth.items():
                    summary.by_truth[truth] += count
                if progress:
                    progress(done.summary.assessments)
    finally:
        _JOB = None
        gc.unfreeze()
        session.rollback()
        _build_indexes(session)
    for table in ("decisions", "outcomes"):
        session.execute(text(f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "
                             f"(SELECT COALESCE(MAX(id), 0) + 1 FROM {table}), false)"))
    session.commit()
    return summary


# What the workers COPY into. Their unique indexes stay (and the keys foreign keys check).
BULK_TABLES = ("assessments", "assessment_facts", "decisions", "outcomes", "followup_samples")
INDEX_MEMORY = "512MB"  # maintenance_work_mem of the index builds: a national year's sort


def _secondary_indexes() -> list[Index]:
    """Return the declared non-unique indexes of BULK_TABLES."""
    return [ix for table in BULK_TABLES for ix in sorted(
        Base.metadata.tables[table].indexes, key=lambda ix: ix.name) if not ix.unique]


def _drop_secondary_indexes(session: Session) -> None:
    """On empty tables, drop the non-unique indexes of BULK_TABLES (`_build_indexes` after).

    Row by row, an index on a keyed hash (NIK, phone) or a random id takes each row on a page
    of its own: at millions of rows those indexes outgrow the server's buffers and nearly
    every row dirties (and after each checkpoint writes to the WAL in full) a page per index.
    Built after the COPY, each is one sort. Only when nothing is stored yet: a database
    in use keeps its indexes.
    """
    if session.scalar(select(Assessment.__table__.c.id).limit(1)) is not None:
        return
    for ix in _secondary_indexes():
        session.execute(DropIndex(ix, if_exists=True))
    session.commit()


def _build_indexes(session: Session) -> None:
    """Build the declared indexes of BULK_TABLES that are missing (after
    `_drop_secondary_indexes`, also after a failed run or one killed before)."""
    session.execute(text(f"SET LOCAL maintenance_work_mem = '{INDEX_MEMORY}'"))
    for ix in _secondary_indexes():
        session.execute(CreateIndex(ix, if_not_exists=True))
    session.commit()


def _taken_as(seed: int, chunks):
    """Yield the chunks; an application id already stored means this seed's data is there
    (another --assessments draws other offices for the same ids)."""
    from psycopg.errors import UniqueViolation

    try:
        yield from chunks
    except UniqueViolation as err:
        raise SeedTaken(seed) from err
