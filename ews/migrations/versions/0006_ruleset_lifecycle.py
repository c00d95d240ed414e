"""Rule-set lifecycle: review states, (id, version) unique, transitions, shadow results.

Statuses become draft, in_review, approved, shadow, live, retired ('active' becomes 'live').
Should an old database hold two texts under one (ruleset_id, version), the later ones get
the suffix '~<id>' on their version column (their text is kept unchanged).

Revision ID: ruleset_lifecycle
Revises: audit_seal
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "ruleset_lifecycle"
down_revision = "audit_seal"
branch_labels = None
depends_on = None

NEW = "('draft', 'in_review', 'approved', 'shadow', 'live', 'retired')"
OLD = "('draft', 'active', 'retired')"
TS = sa.DateTime(timezone=True)


def upgrade() -> None:
    with op.batch_alter_table("rulesets", schema=None) as batch_op:
        batch_op.drop_index("uq_rulesets_one_active")
        batch_op.drop_constraint("ck_rulesets_status", type_="check")
        for name in ("updated_at", "submitted_at", "approved_at", "shadow_since", "retired_at"):
            batch_op.add_column(sa.Column(name, TS, nullable=True))
        batch_op.add_column(sa.Column("approved_by", sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column("review_note", sa.Text(), nullable=True))
        batch_op.create_foreign_key("fk_rulesets_approved_by", "users", ["approved_by"], ["id"])
    op.execute("UPDATE rulesets SET status = 'live' WHERE status = 'active'")
    # Versions activated in the past were approved by their activator (maker-checker).
    op.execute("UPDATE rulesets SET approved_by = activated_by, approved_at = activated_at "
               "WHERE activated_at IS NOT NULL")
    op.execute("UPDATE rulesets SET version = version || '~' || CAST(id AS VARCHAR(12)) "
               "WHERE EXISTS (SELECT 1 FROM rulesets AS older WHERE "
               "older.ruleset_id = rulesets.ruleset_id AND older.version = rulesets.version "
               "AND older.id < rulesets.id)")
    with op.batch_alter_table("rulesets", schema=None) as batch_op:
        batch_op.create_check_constraint("ck_rulesets_status", f"status IN {NEW}")
        batch_op.create_unique_constraint("uq_rulesets_id_version", ["ruleset_id", "version"])
        for state in ("live", "shadow"):
            batch_op.create_index(f"uq_rulesets_one_{state}", ["status"], unique=True,
                                  sqlite_where=sa.text(f"status = '{state}'"),
                                  postgresql_where=sa.text(f"status = '{state}'"))

    op.create_table(
        "ruleset_transitions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("ruleset_pk", sa.Integer(), nullable=False),
        sa.Column("action", sa.String(length=16), nullable=False),
        sa.Column("from_status", sa.String(length=16), nullable=True),
        sa.Column("to_status", sa.String(length=16), nullable=False),
        sa.Column("actor", sa.String(length=64), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("sha256", sa.String(length=64), nullable=False),
        sa.Column("at", TS, nullable=False),
        sa.ForeignKeyConstraint(["ruleset_pk"], ["rulesets.id"]),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_ruleset_transitions_ruleset_pk", "ruleset_transitions", ["ruleset_pk"])
    op.create_table(
        "shadow_results",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("ruleset_pk", sa.Integer(), nullable=False),
        sa.Column("assessment_id", sa.String(length=36), nullable=False),
        sa.Column("office_code", sa.String(length=16), nullable=False),
        sa.Column("score", sa.Integer(), nullable=False),
        sa.Column("rung", sa.Integer(), nullable=False),
        sa.Column("live_rung", sa.Integer(), nullable=False),
        sa.Column("indicators", sa.JSON(), nullable=False),
        sa.Column("live_indicators", sa.JSON(), nullable=False),
        sa.Column("created_at", TS, nullable=False),
        sa.ForeignKeyConstraint(["assessment_id"], ["assessments.id"]),
        sa.ForeignKeyConstraint(["ruleset_pk"], ["rulesets.id"]),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("ruleset_pk", "assessment_id",
                            name="uq_shadow_results_set_assessment"),
    )
    op.create_index("ix_shadow_results_set_created", "shadow_results",
                    ["ruleset_pk", "created_at"])


def downgrade() -> None:
    op.drop_table("shadow_results")
    op.drop_table("ruleset_transitions")
    with op.batch_alter_table("rulesets", schema=None) as batch_op:
        batch_op.drop_index("uq_rulesets_one_shadow")
        batch_op.drop_index("uq_rulesets_one_live")
        batch_op.drop_constraint("uq_rulesets_id_version", type_="unique")
        batch_op.drop_constraint("ck_rulesets_status", type_="check")
        batch_op.drop_constraint("fk_rulesets_approved_by", type_="foreignkey")
        for name in ("updated_at", "submitted_at", "approved_at", "shadow_since", "retired_at",
                     "approved_by", "review_note"):
            batch_op.drop_column(name)
    op.execute("UPDATE rulesets SET status = 'retired' "
               "WHERE status IN ('in_review', 'approved', 'shadow')")
    op.execute("UPDATE rulesets SET status = 'active' WHERE status = 'live'")
    with op.batch_alter_table("rulesets", schema=None) as batch_op:
        batch_op.create_check_constraint("ck_rulesets_status", f"status IN {OLD}")
        batch_op.create_index("uq_rulesets_one_active", ["status"], unique=True,
                              sqlite_where=sa.text("status = 'active'"),
                              postgresql_where=sa.text("status = 'active'"))
