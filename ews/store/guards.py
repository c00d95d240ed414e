"""Append-only enforced by the database: triggers, and the one sanctioned way past them.

Audit events, decisions, outcomes and follow-up samples can be inserted, never updated or
deleted; assessments may change only their workflow columns (status, claim, decision time).
Report facts (`assessment_facts`) are append-only too, with two one-way changes that need no
window: `latest` from true to false (a follow-up superseded the assessment) and the personal
columns to NULL (retention); anything else, and any DELETE, raises (re-dating an office's
facts after a time-zone change goes through the window).
The triggers raise unless a row exists in `audit_maintenance`, which `maintenance()` inserts
and deletes again inside the caller's transaction: retention and the tests' clean-up use it,
and no other connection ever sees the row. Someone with the database owner's rights can still
drop the triggers; the sealed audit chain (`ews audit verify`) is what detects that.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from sqlalchemy import Connection, delete, insert, inspect, text
from sqlalchemy.orm import Session

from ews.audit.seal import SPECS

from .db import utcnow
from .facts import PERSONAL
from .models import AuditMaintenance

# table -> (guard UPDATE, guard DELETE); assessments guard UPDATE OF its sealed columns only.
GUARDED = {"audit_events": (True, True), "decisions": (True, True), "outcomes": (True, True),
           "followup_samples": (True, True),
           "assessments": (True, True), "audit_head": (False, True),
           "assessment_facts": (True, True)}
# Columns of an unsealed guarded table that may change, and how (a WHEN that refuses the rest).
ONE_WAY = {"assessment_facts": ("latest", *PERSONAL)}

_PG_FUNCTION = """
CREATE OR REPLACE FUNCTION ews_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF EXISTS (SELECT 1 FROM audit_maintenance) THEN
    IF TG_LEVEL = 'STATEMENT' THEN RETURN NULL; END IF;
    IF TG_OP = 'DELETE' THEN RETURN OLD; END IF;
    RETURN NEW;
  END IF;
  RAISE EXCEPTION 'ews: % is append-only (% refused)', TG_TABLE_NAME, TG_OP;
END $$
"""


def _update_columns(conn: Connection, table: str) -> str:
    spec = SPECS.get(table)
    mutable = spec.mutable if spec is not None else ONE_WAY.get(table)
    if mutable is None:
        return ""
    names = [c["name"] for c in inspect(conn).get_columns(table) if c["name"] not in mutable]
    return " OF " + ", ".join(names)


def _one_way(conn: Connection, table: str) -> str:
    """Return the WHEN condition of a change of the one-way columns that goes the wrong way:
    a flag from false back to true, a blanked value given a value again."""
    pg = conn.dialect.name == "postgresql"
    differs = "IS DISTINCT FROM" if pg else "IS NOT"
    latest, *blanked = ONE_WAY[table]
    wrong = [f"(NEW.{latest} AND NOT OLD.{latest})"] + [
        f"(NEW.{name} IS NOT NULL AND NEW.{name} {differs} OLD.{name})" for name in blanked]
    return " OR ".join(wrong)


def definitions(conn: Connection) -> dict[str, tuple[str, str]]:
    """Return each guard trigger's name -> (table, CREATE statement), for this database."""
    pg = conn.dialect.name == "postgresql"
    out = {}
    present = set(inspect(conn).get_table_names())  # an earlier migration: not all tables yet
    for table, (on_update, on_delete) in GUARDED.items():
        if table not in present:
            continue
        ops = ([f"UPDATE{_update_columns(conn, table)}"] if on_update else []) + (
            ["DELETE"] if on_delete else [])
        if pg and on_delete:
            ops.append("TRUNCATE")
        for op in ops:
            name = f"ews_guard_{table}_{op.split()[0].lower()}"
            if pg:
                level = "STATEMENT" if op == "TRUNCATE" else "ROW"
                out[name] = (table, f"CREATE TRIGGER {name} BEFORE {op} ON {table} "
                                    f"FOR EACH {level} EXECUTE FUNCTION ews_append_only()")
            else:
                out[name] = (table, f"CREATE TRIGGER {name} BEFORE {op} ON {table} "
                                    "WHEN NOT EXISTS (SELECT 1 FROM audit_maintenance) BEGIN "
                                    f"SELECT RAISE(ABORT, 'ews: {table} is append-only'); END")
        if table in ONE_WAY:
            name, wrong = f"ews_guard_{table}_oneway", _one_way(conn, table)
            columns = ", ".join(ONE_WAY[table])
            if pg:
                out[name] = (table, f"CREATE TRIGGER {name} BEFORE UPDATE OF {columns} ON "
                                    f"{table} FOR EACH ROW WHEN ({wrong}) "
                                    "EXECUTE FUNCTION ews_append_only()")
            else:
                out[name] = (table, f"CREATE TRIGGER {name} BEFORE UPDATE OF {columns} ON "
                                    f"{table} WHEN ({wrong}) AND NOT EXISTS (SELECT 1 FROM "
                                    "audit_maintenance) BEGIN "
                                    f"SELECT RAISE(ABORT, 'ews: {table} is append-only'); END")
    return out


PG_FUNCTION_BODY = _PG_FUNCTION.split("$$")[1]  # what pg_proc.prosrc holds


def install(conn: Connection) -> None:
    """(Re)create the append-only triggers; idempotent (run after every migration)."""
    pg = conn.dialect.name == "postgresql"
    if pg:
        conn.execute(text(_PG_FUNCTION))
    for name, (table, create) in definitions(conn).items():
        conn.execute(text(f"DROP TRIGGER IF EXISTS {name}" + (f" ON {table}" if pg else "")))
        conn.execute(text(create))


@contextmanager
def maintenance(session: Session, reason: str) -> Iterator[None]:
    """Let this transaction update or delete guarded rows; the caller audits and commits."""
    conn = session.connection()
    conn.execute(insert(AuditMaintenance).values(id=1, reason=reason[:64], opened_at=utcnow()))
    yield  # on an exception the caller rolls back, which removes the row too
    conn.execute(delete(AuditMaintenance))
