"""Report facts: one narrow row per assessment with the typed fields reports group by.

A stored assessment is ~5 kB (answers, features and result JSON); a report that scanned it
touched gigabytes at national scale and parsed a JSON document per row. `facts_of` derives,
from the values of one assessment row, what the reports read (office, the interview's and the
submission's instant and their local day, month and hour on the office's clock - reports date
by the interview unless asked for the submission; see `ews.store.zones` - rung, flag,
completeness, the answer and audit fields they group by, the indicators that fired and the
keyed hashes the network report links).

A submission stores only its assessment: the facts of new assessments are derived in bulk,
by `catch_up`, before a report reads them (`ews.reports.run`), before retention redacts them
and after `ews demo` - one `INSERT ... SELECT` with the dialect's JSON functions for
checklist v2 rows, v1 rows through `facts_of`. This took a fact row in four B-trees and its
derivation off the request path: 4 of a submission's ~16 page writes and ~3% of its
user-space instructions (docs/performance.md, HTTP). A catch-up that finds nothing to derive
costs two index counts. The synthetic loader inserts its facts with its rows
(`insert_facts`). It is derived data, never sealed, but append-only at the database
(`ews.store.guards`): a fact is inserted once; `latest` only turns false (`supersede`) and
retention only blanks the personal columns (`redact`); re-dating an office's facts after a
time-zone change deletes and derives them again inside an audited maintenance window.
`ews audit verify` derives every fact again and compares (`reconcile`). No clear personal
data: hashes only, as in the assessment row.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterable, Mapping
from typing import Any

from sqlalchemy import bindparam, func, insert, inspect, select, text, update
from sqlalchemy.engine import Connection, Engine
from sqlalchemy.exc import DBAPIError

from ews.checklist import stored_record

from . import zones
from .db import as_utc, utcnow
from .models import Assessment, AssessmentFact

# Checklist fields copied from the (v2-mapped) record: what the reports group and filter by.
RECORD_FIELDS = ("sex", "age_band", "domicile_desa", "domicile_village", "destination_country",
                 "purpose", "job_sector", "transit_country", "job_offer_channel",
                 "recruiter_type", "agency_licence", "agency_name", "phone_shared_30d")
# Assessment columns copied as they are.
ROW_FIELDS = ("office_code", "score", "rung", "action", "band", "officer_id", "checklist_version",
              "origin_kecamatan", "nik_hash", "phone_hash", "recruiter_phone_hash")
# What retention blanks in a fact row once its assessment passes the cutoff.
PERSONAL = ("nik_hash", "phone_hash", "recruiter_phone_hash", "domicile_village")

_INSERT = insert(AssessmentFact.__table__)
# A catch-up looks for assessments without facts from this long before the newest fact on:
# longer than a submission takes from reading its clock to committing, and than the clocks
# of several application servers differ.
MARGIN = dt.timedelta(hours=1)
BATCH = 2000  # assessments per catch-up transaction: a waiting writer waits for one batch


def _doc(value: Any) -> dict:
    if isinstance(value, str):
        return json.loads(value)
    return dict(value or {})


def _utc(value: dt.datetime | str) -> dt.datetime:
    if isinstance(value, str):
        value = dt.datetime.fromisoformat(value)
    return value.astimezone(dt.UTC) if value.tzinfo else value.replace(tzinfo=dt.UTC)


def _int(value: Any) -> int | None:
    try:
        return None if value is None else int(value)
    except (TypeError, ValueError):
        return None


def facts_of(row: Mapping[str, Any], minutes: int = zones.ZONES[zones.DEFAULT][0]) -> dict:
    """Return the fact row of an assessment row (its column values; JSON as dict or text),
    dated on the clock of its office, `minutes` east of UTC (`ews.store.zones`)."""
    version = int(row["checklist_version"])
    answers, features = _doc(row["answers"]), _doc(row["features"])
    if version == 1:  # v1 names and values, mapped as every reader maps them
        record = stored_record(answers, features, version)
    else:  # what stored_record gives for v2, for the fields needed (on the write path)
        record = {k: features[k] if k in features else answers.get(k) for k in RECORD_FIELDS}
    result = _doc(row["result"])
    created, interviewed = _utc(row["created_at"]), _utc(row["interviewed_at"])
    at, sent = zones.local(interviewed, minutes), zones.local(created, minutes)
    out = {name: row.get(name) for name in ROW_FIELDS}
    out |= {name: record.get(name) for name in RECORD_FIELDS}
    out["phone_shared_30d"] = _int(out["phone_shared_30d"])
    out["domicile_village"] = out["domicile_village"] or None
    out["agency_name"] = out["agency_name"] or None
    indicators = sorted({r["indicator"] for r in result.get("reasons", ())
                         if r.get("indicator")})
    return out | {
        "assessment_id": row["id"], "created_at": created, "interviewed_at": interviewed,
        "day": f"{at:%Y-%m-%d}", "month": f"{at:%Y-%m}", "hour": at.hour,
        "submitted_day": f"{sent:%Y-%m-%d}", "submitted_month": f"{sent:%Y-%m}",
        "submitted_hour": sent.hour, "latest": row.get("superseded_by") is None,
        "flagged": bool(row["decision_required"]),
        "completeness": float(1.0 if result.get("completeness") is None
                              else result["completeness"]),
        "indicators": ",".join(indicators) or None,
    }


def insert_facts(conn: Connection, rows: Iterable[Mapping[str, Any]]) -> None:
    """Insert the fact rows of freshly inserted assessment rows (one executemany)."""
    rows = list(rows)
    where = zones.offsets(conn) if rows else {}
    facts = [facts_of(r, zones.minutes_of(where, r["office_code"])) for r in rows]
    if facts:
        conn.execute(_INSERT, facts)


def supersede(conn: Connection, assessment_id: str) -> None:
    """Mark the fact row of an assessment replaced by a follow-up version as not latest."""
    conn.execute(update(AssessmentFact.__table__)
                 .where(AssessmentFact.assessment_id == assessment_id).values(latest=False))


def redact(conn: Connection, cutoff: dt.datetime) -> int:
    """Blank the hashes and village of fact rows older than `cutoff` (retention)."""
    table = AssessmentFact.__table__
    pending = (table.c.nik_hash.is_not(None) | table.c.phone_hash.is_not(None)
               | table.c.recruiter_phone_hash.is_not(None)
               | table.c.domicile_village.is_not(None))
    return conn.execute(update(table).where(table.c.created_at < cutoff, pending)
                        .values(dict.fromkeys(PERSONAL))).rowcount


def catch_up(engine: Engine, batch: int = BATCH, since: dt.datetime | None = None) -> int:
    """Derive the fact rows of the assessments that have none yet; return how many.

    Looks from `MARGIN` before the newest fact on (everything when there is none; from
    `since` when that is earlier: a bulk writer's rows stamped in the past), in
    slices of `batch` assessments by `created_at`, each its own transaction, so a
    submission waits for the writer lock at most one slice. Safe to run concurrently: a row
    another catch-up derived first is skipped. Then marks the facts of assessments a
    follow-up superseded meanwhile as not latest (a follow-up updates a fact that exists;
    on PostgreSQL one derived at the same moment can miss that update).
    """
    table = Assessment.__table__
    with engine.connect() as conn:
        newest = conn.scalar(select(func.max(AssessmentFact.created_at)))
        # Not after the present: a fact stamped ahead (a clock set wrong for a while) must
        # not hide the assessments stored since.
        start = None if newest is None else min(as_utc(newest), utcnow()) - MARGIN
        if start is not None and since is not None:
            start = min(start, as_utc(since))
        if start is not None and _all_derived(conn, start):
            return 0
    since, done = start, 0
    while True:
        with engine.begin() as conn:
            until = as_utc(conn.scalar(
                select(table.c.created_at)
                .where(*([] if since is None else [table.c.created_at >= since]))
                .order_by(table.c.created_at).offset(batch).limit(1)))
            if until is not None and since is not None and until <= since:
                until = None  # more than a batch share one instant: the rest at once
            done += derive(conn, since, until)
            if until is None:
                _mark_superseded(conn, start)
                return done
        since = until


def _all_derived(conn: Connection, start: dt.datetime) -> bool:
    """Return whether every assessment stored from `start` on has its fact row.

    Two counts over the `created_at` indexes of both tables (a fact has its assessment's
    `created_at`, one per assessment): a catch-up that finds nothing costs milliseconds, not
    a statement over the assessments. Follow-ups since `start` still get their `latest`
    marked, as a catch-up that derives does.
    """
    stored = conn.scalar(select(func.count()).select_from(Assessment.__table__)
                         .where(Assessment.created_at >= start))
    derived = conn.scalar(select(func.count()).select_from(AssessmentFact.__table__)
                          .where(AssessmentFact.created_at >= start))
    if stored != derived:
        return False
    _mark_superseded(conn, start)
    conn.commit()
    return True


def backfill(conn: Connection) -> int:
    """Insert the fact rows of every stored assessment (the migration); return how many."""
    return derive(conn, None, None)


def derive(conn: Connection, since: dt.datetime | None, until: dt.datetime | None) -> int:
    """Insert the missing fact rows of assessments created in [since, until); return how many.

    Checklist v2 rows are copied by one INSERT ... SELECT with the dialect's JSON functions
    (minutes, not hours, at national scale); v1 rows go through `facts_of` in batches.
    """
    bounds = {name: value for name, value in (("since", since), ("until", until))
              if value is not None}
    kind = Assessment.__table__.c.created_at.type  # UTC, whatever the value's zone
    where = zones.offsets(conn)
    # An earlier migration's backfill (office_timezone) runs on a table without the columns
    # added since (domicile_desa): only the columns present are written.
    present = {c["name"] for c in inspect(conn).get_columns("assessment_facts")}
    v2 = text(_v2_sql(conn.dialect.name, tuple(bounds), where, present)).bindparams(
        *(bindparam(name, type_=kind) for name in bounds))
    done = conn.execute(v2, bounds).rowcount
    table = Assessment.__table__
    missing = ~select(AssessmentFact.assessment_id).where(
        AssessmentFact.assessment_id == table.c.id).exists()
    conds = [table.c.checklist_version != 2, missing]
    if since is not None:
        conds.append(table.c.created_at >= since)
    if until is not None:
        conds.append(table.c.created_at < until)
    stmt = select(*(table.c[name] for name in (
        "id", "answers", "features", "result", "created_at", "interviewed_at", "superseded_by",
        "decision_required", *ROW_FIELDS))).where(*conds).order_by(table.c.id)
    last = ""
    new_only = _dialect_insert(conn.dialect.name)(AssessmentFact.__table__) \
        .on_conflict_do_nothing(index_elements=["assessment_id"])
    while True:
        part = conn.execute(stmt.where(table.c.id > last).limit(5000)).mappings().all()
        if not part:
            return done
        conn.execute(new_only, [
            {k: v for k, v in facts_of(r, zones.minutes_of(where, r["office_code"])).items()
             if k in present} for r in part])
        done += len(part)
        last = part[-1]["id"]


def _dialect_insert(name: str):
    if name == "postgresql":
        from sqlalchemy.dialects.postgresql import insert as dialect_insert
    else:
        from sqlalchemy.dialects.sqlite import insert as dialect_insert
    return dialect_insert


def _mark_superseded(conn: Connection, since: dt.datetime | None) -> None:
    table = Assessment.__table__
    superseded = select(table.c.id).where(table.c.superseded_by.is_not(None))
    if since is not None:
        superseded = superseded.where(table.c.created_at >= since)
    stale = (AssessmentFact.latest.is_(True), AssessmentFact.assessment_id.in_(superseded))
    # Looked for first: a report that finds none writes nothing (no writer lock taken).
    if conn.scalar(select(AssessmentFact.assessment_id).where(*stale).limit(1)) is not None:
        conn.execute(update(AssessmentFact.__table__).where(*stale).values(latest=False))


def _v2_sql(dialect: str, bounds: tuple[str, ...], office_offsets: dict[str, int],
            present: set[str]) -> str:
    """Return the INSERT ... SELECT of the missing facts of checklist v2 assessments.

    For v2, `stored_record` is the answers with the derived fields from the features:
    derived fields are read from `features`, the others from `answers`. Local times are
    the UTC instants shifted by the office's offset (`ews.store.zones`).
    """
    from ews.checklist import FIELDS

    pg = dialect == "postgresql"

    def field(name: str) -> str:
        doc = "a.features" if FIELDS[name].derived else "a.answers"
        return f"({doc} ->> '{name}')" if pg else f"json_extract({doc}, '$.{name}')"

    values = {name: field(name) for name in RECORD_FIELDS}
    values["phone_shared_30d"] = f"CAST({values['phone_shared_30d']} AS INTEGER)"
    for name in ("domicile_village", "agency_name"):
        values[name] = f"NULLIF({values[name]}, '')"
    shift = zones.offset_sql(office_offsets)
    if pg:
        def local(column: str) -> str:
            return f"(a.{column} AT TIME ZONE 'UTC' + {shift} * INTERVAL '1 minute')"

        for prefix, column in (("", "interviewed_at"), ("submitted_", "created_at")):
            values |= {f"{prefix}day": f"to_char({local(column)}, 'YYYY-MM-DD')",
                       f"{prefix}month": f"to_char({local(column)}, 'YYYY-MM')",
                       f"{prefix}hour": f"CAST(EXTRACT(HOUR FROM {local(column)}) AS INTEGER)"}
        values |= {
            "completeness": "COALESCE(CAST(a.result ->> 'completeness' AS FLOAT), 1.0)",
            "indicators": "(SELECT string_agg(DISTINCT r ->> 'indicator', ',' ORDER BY "
                          "r ->> 'indicator') FROM json_array_elements(CASE WHEN "
                          "json_typeof(a.result -> 'reasons') = 'array' THEN "
                          "a.result -> 'reasons' ELSE '[]' END) r)"}
    else:
        def local(column: str) -> str:
            return f"datetime(a.{column}, printf('%+d minutes', {shift}))"

        for prefix, column in (("", "interviewed_at"), ("submitted_", "created_at")):
            values |= {f"{prefix}day": f"substr({local(column)}, 1, 10)",
                       f"{prefix}month": f"substr({local(column)}, 1, 7)",
                       f"{prefix}hour": f"CAST(substr({local(column)}, 12, 2) AS INTEGER)"}
        values |= {
            "completeness": "COALESCE(json_extract(a.result, '$.completeness'), 1.0)",
            "indicators": "(SELECT group_concat(i, ',') FROM (SELECT DISTINCT "
                          "json_extract(r.value, '$.indicator') AS i FROM "
                          "json_each(a.result, '$.reasons') r WHERE i IS NOT NULL "
                          "ORDER BY i))"}
    values |= {"assessment_id": "a.id", "created_at": "a.created_at",
               "interviewed_at": "a.interviewed_at",
               "latest": "a.superseded_by IS NULL", "flagged": "a.decision_required"}
    values |= {name: f"a.{name}" for name in ROW_FIELDS}
    values = {name: value for name, value in values.items() if name in present}
    where = ["a.checklist_version = 2", "NOT EXISTS (SELECT 1 FROM assessment_facts f "
             "WHERE f.assessment_id = a.id)"]
    if "since" in bounds:
        where.append("a.created_at >= :since")
    if "until" in bounds:
        where.append("a.created_at < :until")
    # ON CONFLICT: a row another catch-up derived since this statement's snapshot is skipped.
    return (f"INSERT INTO assessment_facts ({', '.join(values)}) SELECT "
            f"{', '.join(values.values())} FROM assessments a WHERE {' AND '.join(where)} "
            "ON CONFLICT (assessment_id) DO NOTHING")


def is_read_only(err: DBAPIError) -> bool:
    """Return whether a failed write failed because the database is read-only (SQLite opened
    read-only or `query_only`; PostgreSQL in a read-only transaction or a hot standby)."""
    code = getattr(err.orig, "sqlite_errorcode", None)
    if code is not None:
        return code & 0xFF == 8  # SQLITE_READONLY and its extended codes
    return getattr(err.orig, "sqlstate", None) == "25006"  # read_only_sql_transaction


def age(conn: Connection) -> tuple[dt.datetime | None, int]:
    """Return the newest fact's submission time and how many assessments stored from `MARGIN`
    before it on have no fact yet: what a report on a read-only database can say of its
    facts (it cannot derive them)."""
    newest = conn.scalar(select(func.max(AssessmentFact.created_at)))
    if newest is None:
        return None, conn.scalar(select(func.count()).select_from(Assessment.__table__))
    start = as_utc(newest) - MARGIN
    stored = conn.scalar(select(func.count()).select_from(Assessment.__table__)
                         .where(Assessment.created_at >= start))
    derived = conn.scalar(select(func.count()).select_from(AssessmentFact.__table__)
                          .where(AssessmentFact.created_at >= start))
    return as_utc(newest), max(stored - derived, 0)


def reconcile(conn: Connection, batch: int = 2000, limit: int = 20) -> tuple[int, list[str]]:
    """Derive every fact again from its assessment and compare; return (facts checked, the
    first `limit` problems).

    A problem is a fact without its assessment (extra), an assessment without its fact from
    before the span a catch-up still looks at (missing: no catch-up would derive it again),
    or a fact whose values are not what its assessment gives (altered). With no fact at all,
    the next catch-up derives every one: nothing is missing. Allowed differences
    are what the guards allow: personal columns blanked (retention) and `latest` still true
    for an assessment superseded since (the next catch-up marks it). Messages name the
    assessment and the columns, never values.
    """
    problems: list[str] = []
    table, fact = Assessment.__table__, AssessmentFact.__table__
    extra = conn.execute(select(fact.c.assessment_id).where(~select(table.c.id).where(
        table.c.id == fact.c.assessment_id).exists()).order_by(fact.c.assessment_id)
        .limit(limit)).scalars().all()
    problems += [f"fact {ident}: its assessment does not exist (extra)" for ident in extra]
    newest = conn.scalar(select(func.max(fact.c.created_at)))
    start = None if newest is None else min(as_utc(newest), utcnow()) - MARGIN
    where = zones.offsets(conn)
    present = [c for c in fact.c if c.name in
               {c["name"] for c in inspect(conn).get_columns("assessment_facts")}]
    columns = ("id", "answers", "features", "result", "created_at", "interviewed_at",
               "superseded_by", "decision_required", *ROW_FIELDS)
    last, checked = "", 0
    while len(problems) < limit:
        rows = conn.execute(select(*(table.c[n] for n in columns)).where(table.c.id > last)
                            .order_by(table.c.id).limit(batch)).mappings().all()
        if not rows:
            break
        stored = {f["assessment_id"]: f for f in conn.execute(
            select(*present).where(fact.c.assessment_id.in_([r["id"] for r in rows])))
            .mappings()}
        for row in rows:
            got = stored.get(row["id"])
            if got is None:
                if start is not None and as_utc(row["created_at"]) < start:
                    problems.append(f"assessment {row['id']}: no fact (missing)")
                continue
            checked += 1
            expected = facts_of(row, zones.minutes_of(where, row["office_code"]))
            differ = [name for name in got.keys() if not _same(name, got[name], expected[name])]
            if differ:
                problems.append(f"fact {row['id']}: {', '.join(sorted(differ))} differ from "
                                "the assessment (altered)")
        last = rows[-1]["id"]
    return checked, problems[:limit]


def _same(name: str, stored: Any, expected: Any) -> bool:
    if name in PERSONAL and stored is None:
        return True  # blanked by retention
    if name == "latest":  # still true for a superseded one: the next catch-up marks it
        return bool(stored) or not expected
    if name in ("created_at", "interviewed_at"):
        return as_utc(stored) == as_utc(expected)
    if name == "flagged":
        return bool(stored) == bool(expected)
    if isinstance(expected, float) and stored is not None:
        return abs(float(stored) - expected) < 1e-9
    return stored == expected
