"""Report facts: one narrow row per assessment with the typed fields reports group by.

A stored assessment is ~5 kB (answers, features and result JSON); a report that scanned it
touched gigabytes at national scale and parsed a JSON document per row. `facts_of` derives,
from the values of one assessment row, what the reports read (office, period, rung, flag,
completeness, the answer and audit fields they group by, the indicators that fired and the
keyed hashes the network report links); every writer inserts it in the same transaction as
the assessment (`insert_facts`, one statement). It is derived data: rebuilt from the assessments
by the migration that created it (`backfill`), never sealed, and redacted by retention with
its assessment (`redact`). No clear personal data: hashes only, as in the assessment row.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterable, Mapping
from typing import Any

from sqlalchemy import insert, select, text, update
from sqlalchemy.engine import Connection

from ews.checklist import stored_record

from .direct import Direct
from .models import Assessment, AssessmentFact

# Checklist fields copied from the (v2-mapped) record: what the reports group and filter by.
RECORD_FIELDS = ("sex", "age_band", "domicile_village", "destination_country", "purpose",
                 "job_sector", "transit_country", "job_offer_channel", "recruiter_type",
                 "agency_licence", "agency_name", "phone_shared_30d")
# Assessment columns copied as they are.
ROW_FIELDS = ("office_code", "score", "rung", "action", "band", "officer_id", "checklist_version",
              "origin_kecamatan", "nik_hash", "phone_hash", "recruiter_phone_hash")
# What retention blanks in a fact row once its assessment passes the cutoff.
PERSONAL = ("nik_hash", "phone_hash", "recruiter_phone_hash", "domicile_village")

_INSERT = insert(AssessmentFact.__table__)
_INSERT_ONE = Direct(_INSERT)


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


def facts_of(row: Mapping[str, Any]) -> dict:
    """Return the fact row of an assessment row (its column values; JSON as dict or text)."""
    version = int(row["checklist_version"])
    answers, features = _doc(row["answers"]), _doc(row["features"])
    if version == 1:  # v1 names and values, mapped as every reader maps them
        record = stored_record(answers, features, version)
    else:  # what stored_record gives for v2, for the fields needed (on the write path)
        record = {k: features[k] if k in features else answers.get(k) for k in RECORD_FIELDS}
    result = _doc(row["result"])
    created = _utc(row["created_at"])
    out = {name: row.get(name) for name in ROW_FIELDS}
    out |= {name: record.get(name) for name in RECORD_FIELDS}
    out["phone_shared_30d"] = _int(out["phone_shared_30d"])
    out["domicile_village"] = out["domicile_village"] or None
    out["agency_name"] = out["agency_name"] or None
    indicators = sorted({r["indicator"] for r in result.get("reasons", ())
                         if r.get("indicator")})
    return out | {
        "assessment_id": row["id"], "created_at": created, "month": created.strftime("%Y-%m"),
        "hour_utc": created.hour, "latest": row.get("superseded_by") is None,
        "flagged": bool(row["decision_required"]),
        "completeness": float(1.0 if result.get("completeness") is None
                              else result["completeness"]),
        "indicators": ",".join(indicators) or None,
    }


def insert_fact(conn: Connection, fact: dict) -> None:
    """Insert one fact row (from `facts_of`) of a freshly inserted assessment."""
    _INSERT_ONE.run(conn, fact)


def insert_facts(conn: Connection, rows: Iterable[Mapping[str, Any]]) -> None:
    """Insert the fact rows of freshly inserted assessment rows (one executemany)."""
    facts = [facts_of(r) for r in rows]
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


def backfill(conn: Connection, batch: int = 5000) -> int:
    """Insert the fact rows of every stored assessment (into an empty table); return how many.

    Checklist v2 rows are copied by one INSERT ... SELECT with the dialect's JSON functions
    (minutes, not hours, at national scale); v1 rows go through `facts_of` in batches.
    """
    done = conn.execute(text(_v2_sql(conn.dialect.name))).rowcount
    table = Assessment.__table__
    stmt = select(*(table.c[name] for name in (
        "id", "answers", "features", "result", "created_at", "superseded_by",
        "decision_required", *ROW_FIELDS))).where(table.c.checklist_version != 2) \
        .order_by(table.c.id)
    last = ""
    while True:
        part = conn.execute(stmt.where(table.c.id > last).limit(batch)).mappings().all()
        if not part:
            return done
        insert_facts(conn, part)
        done += len(part)
        last = part[-1]["id"]


def _v2_sql(dialect: str) -> str:
    """Return the INSERT ... SELECT of the facts of every checklist v2 assessment.

    For v2, `stored_record` is the answers with the derived fields from the features:
    derived fields are read from `features`, the others from `answers`.
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
    if pg:
        values |= {
            "month": "to_char(a.created_at AT TIME ZONE 'UTC', 'YYYY-MM')",
            "hour_utc": "CAST(EXTRACT(HOUR FROM a.created_at AT TIME ZONE 'UTC') AS INTEGER)",
            "completeness": "COALESCE(CAST(a.result ->> 'completeness' AS FLOAT), 1.0)",
            "indicators": "(SELECT string_agg(DISTINCT r ->> 'indicator', ',' ORDER BY "
                          "r ->> 'indicator') FROM json_array_elements(CASE WHEN "
                          "json_typeof(a.result -> 'reasons') = 'array' THEN "
                          "a.result -> 'reasons' ELSE '[]' END) r)"}
    else:
        values |= {
            "month": "substr(a.created_at, 1, 7)",
            "hour_utc": "CAST(substr(a.created_at, 12, 2) AS INTEGER)",
            "completeness": "COALESCE(json_extract(a.result, '$.completeness'), 1.0)",
            "indicators": "(SELECT group_concat(i, ',') FROM (SELECT DISTINCT "
                          "json_extract(r.value, '$.indicator') AS i FROM "
                          "json_each(a.result, '$.reasons') r WHERE i IS NOT NULL "
                          "ORDER BY i))"}
    values |= {"assessment_id": "a.id", "created_at": "a.created_at",
               "latest": "a.superseded_by IS NULL", "flagged": "a.decision_required"}
    values |= {name: f"a.{name}" for name in ROW_FIELDS}
    return (f"INSERT INTO assessment_facts ({', '.join(values)}) SELECT "
            f"{', '.join(values.values())} FROM assessments a WHERE a.checklist_version = 2")
