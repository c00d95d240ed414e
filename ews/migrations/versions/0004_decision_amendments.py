"""Decision amendments: one first decision per assessment, a change amends the current one.

Earlier versions appended follow-up decisions silently; this links each follow-up to the
decision before it (oldest first), so no row is lost, then adds the unique indexes that
make a second first decision, or a second amendment of one decision, impossible.

Revision ID: decision_amendments
Revises: account_security
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "decision_amendments"
down_revision = "account_security"
branch_labels = None
depends_on = None


def upgrade() -> None:
    """Add decisions.amends, link existing follow-ups, add the unique indexes."""
    with op.batch_alter_table("decisions") as batch:
        batch.add_column(sa.Column("amends", sa.Integer(), nullable=True))
        batch.create_foreign_key("fk_decisions_amends", "decisions", ["amends"], ["id"])
    conn = op.get_bind()
    rows = conn.execute(sa.text("SELECT id, assessment_id FROM decisions "
                                "ORDER BY assessment_id, decided_at, id")).all()
    last: dict[str, int] = {}
    for decision_id, assessment_id in rows:
        if assessment_id in last:
            conn.execute(sa.text("UPDATE decisions SET amends = :prev WHERE id = :id"),
                         {"prev": last[assessment_id], "id": decision_id})
        last[assessment_id] = decision_id
    op.create_index("uq_decisions_first", "decisions", ["assessment_id"], unique=True,
                    sqlite_where=sa.text("amends IS NULL"),
                    postgresql_where=sa.text("amends IS NULL"))
    op.create_index("uq_decisions_amends", "decisions", ["amends"], unique=True,
                    sqlite_where=sa.text("amends IS NOT NULL"),
                    postgresql_where=sa.text("amends IS NOT NULL"))


def downgrade() -> None:
    """Drop the indexes and the column (amendments become plain follow-up rows again)."""
    op.drop_index("uq_decisions_amends", table_name="decisions")
    op.drop_index("uq_decisions_first", table_name="decisions")
    with op.batch_alter_table("decisions") as batch:
        batch.drop_constraint("fk_decisions_amends", type_="foreignkey")
        batch.drop_column("amends")
