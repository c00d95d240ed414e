"""The schema's own objects, and whatever else a database holds (an allow-list).

Rows are sealed by the audit chain, but a trigger, view or rule someone adds beside them is
not a row: a trigger copying every new `nik_hash` into another table leaks personal data
while every seal still holds. So `ews audit verify` and `ews restore --check` first compare
the database's tables, views and triggers (PostgreSQL: also rules, and the guards' function)
with what the migrations create: the tables of `ews.store.models` and Alembic's version
table, the append-only triggers of `guards` with their exact definitions, no view. Indexes
are not compared (they hold no code and copy nothing), nor the relations of an installed
PostgreSQL extension (pg_stat_statements' view). Messages name objects, never rows.
"""

from __future__ import annotations

from sqlalchemy import Connection, text

from .guards import PG_FUNCTION_BODY, definitions
from .models import Base


def expected_tables() -> frozenset[str]:
    """Return the names of the tables the migrations create."""
    return frozenset(Base.metadata.tables) | {"alembic_version"}


def unknown_objects(conn: Connection) -> list[str]:
    """Return the objects of this database that the schema does not create (sorted)."""
    if conn.dialect.name == "postgresql":
        return sorted(_postgresql(conn))
    return sorted(_sqlite(conn))


def _sqlite(conn: Connection) -> list[str]:
    triggers = definitions(conn)
    found = []
    rows = conn.exec_driver_sql("SELECT type, name, tbl_name, sql FROM sqlite_master").all()
    for kind, name, table, sql in rows:
        if name.startswith("sqlite_"):  # SQLite's own (sequences, statistics, autoindexes)
            continue
        if kind == "table" and name not in expected_tables():
            found.append(f"table {name}")
        elif kind == "view":
            found.append(f"view {name}")
        elif kind == "trigger" and name not in triggers:
            found.append(f"trigger {name} on {table}")
        elif kind == "trigger" and (table, sql) != triggers[name]:
            found.append(f"trigger {name} on {table} (not as EWS creates it)")
    return found


_PG_RELATIONS = text("""
SELECT c.relname, c.relkind FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
WHERE n.nspname = current_schema() AND c.relkind IN ('r', 'p', 'v', 'm', 'f')
  AND NOT EXISTS (SELECT 1 FROM pg_depend d WHERE d.classid = 'pg_class'::regclass
                  AND d.objid = c.oid AND d.deptype = 'e')
""")
_PG_TRIGGERS = text("""
SELECT t.tgname, c.relname, p.proname, pn.nspname = current_schema(), t.tgenabled
FROM pg_trigger t JOIN pg_class c ON c.oid = t.tgrelid
JOIN pg_namespace n ON n.oid = c.relnamespace
JOIN pg_proc p ON p.oid = t.tgfoid JOIN pg_namespace pn ON pn.oid = p.pronamespace
WHERE NOT t.tgisinternal AND n.nspname = current_schema()
""")
_PG_RULES = text("SELECT rulename, tablename FROM pg_rules WHERE schemaname = current_schema()")
_PG_FUNCTION = text("""
SELECT p.prosrc FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace
WHERE n.nspname = current_schema() AND p.proname = 'ews_append_only'
""")
_KINDS = {"v": "view", "m": "materialized view", "f": "foreign table"}


def _postgresql(conn: Connection) -> list[str]:
    found = []
    for name, kind in conn.execute(_PG_RELATIONS):
        if kind in _KINDS:
            found.append(f"{_KINDS[kind]} {name}")
        elif name not in expected_tables():
            found.append(f"table {name}")
    triggers = definitions(conn)
    for name, table, function, own_schema, enabled in conn.execute(_PG_TRIGGERS):
        if name not in triggers or triggers[name][0] != table:
            found.append(f"trigger {name} on {table}")
        elif function != "ews_append_only" or not own_schema or enabled == "D":
            found.append(f"trigger {name} on {table} (not as EWS creates it)")
    found += [f"rule {name} on {table}" for name, table in conn.execute(_PG_RULES)]
    body = conn.execute(_PG_FUNCTION).scalar()
    if body is not None and body.strip() != PG_FUNCTION_BODY.strip():
        found.append("function ews_append_only (not as EWS creates it)")
    return found
