"""Audit coverage: seal existing assessments, decisions and outcomes; append-only triggers.

Adds `audit_maintenance` (the sanctioned way past the triggers), appends one `row.sealed`
event per existing row of the sealed tables (so that `ews audit verify` can reconcile rows
created before this revision too), then installs the triggers of `ews.store.guards`.

Revision ID: audit_seal
Revises: decision_amendments
Create Date: 2026-11-23 18:40:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op
from sqlalchemy.orm import Session

revision = "audit_seal"
down_revision = "decision_amendments"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "audit_maintenance",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("reason", sa.String(length=64), nullable=False),
        sa.Column("opened_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    from ews import audit
    from ews.audit.seal import SPECS
    from ews.store import guards

    bind = op.get_bind()
    session = Session(bind=bind)
    present = set(sa.inspect(bind).get_table_names())
    for spec in SPECS.values():
        if spec.table not in present:  # created by a later revision: nothing to seal yet
            continue
        table = sa.Table(spec.table, sa.MetaData(), autoload_with=bind)
        for row in bind.execute(sa.select(table).order_by(table.c[spec.key])).mappings():
            audit.record(session, "row.sealed", actor="migration", subject=str(row[spec.key]),
                         data={}, row=(spec.table, dict(row)))
    session.flush()
    guards.install(bind)


def downgrade() -> None:
    bind = op.get_bind()
    for table, (on_update, on_delete) in {
        "audit_events": (1, 1), "decisions": (1, 1), "outcomes": (1, 1), "assessments": (1, 1),
        "audit_head": (0, 1),
    }.items():
        ops = (["update"] if on_update else []) + (["delete", "truncate"] if on_delete else [])
        for name in ops:
            trigger = f"ews_guard_{table}_{name}"
            if bind.dialect.name == "postgresql":
                op.execute(f"DROP TRIGGER IF EXISTS {trigger} ON {table}")
            elif name != "truncate":
                op.execute(f"DROP TRIGGER IF EXISTS {trigger}")
    if bind.dialect.name == "postgresql":
        op.execute("DROP FUNCTION IF EXISTS ews_append_only()")
    op.drop_table("audit_maintenance")
