"""What an approval rests on: stored evidence of exactly the approved text or artefact.

`lifecycle_evidence` keeps a summary (headline figures, who, when) of each backtest, shadow
summary and model evaluation, keyed by the sha256 of the rule-set text or model file it
measured; approving names one. An approval's step in `ruleset_transitions` already records
the sha256 it approved; it now also records the evidence (`evidence_id`).

Revision ID: ruleset_approved_sha
Revises: status_partial_indexes
"""

import sqlalchemy as sa
from alembic import op

revision = "ruleset_approved_sha"
down_revision = "status_partial_indexes"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "lifecycle_evidence",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("subject_kind", sa.String(16), nullable=False),
        sa.Column("sha256", sa.String(64), nullable=False),
        sa.Column("kind", sa.String(16), nullable=False),
        sa.Column("created_by", sa.String(64), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("summary", sa.JSON(), nullable=False),
        sa.CheckConstraint("subject_kind IN ('ruleset', 'model')",
                           name="ck_lifecycle_evidence_subject"),
        sa.CheckConstraint("kind IN ('backtest', 'shadow', 'evaluation')",
                           name="ck_lifecycle_evidence_kind"),
    )
    op.create_index("ix_lifecycle_evidence_subject", "lifecycle_evidence",
                    ["subject_kind", "sha256"])
    with op.batch_alter_table("ruleset_transitions", schema=None) as batch_op:
        batch_op.add_column(sa.Column("evidence_id", sa.Integer(), nullable=True))
        batch_op.create_foreign_key("fk_ruleset_transitions_evidence", "lifecycle_evidence",
                                    ["evidence_id"], ["id"])


def downgrade() -> None:
    with op.batch_alter_table("ruleset_transitions", schema=None) as batch_op:
        batch_op.drop_constraint("fk_ruleset_transitions_evidence", type_="foreignkey")
        batch_op.drop_column("evidence_id")
    op.drop_index("ix_lifecycle_evidence_subject", table_name="lifecycle_evidence")
    op.drop_table("lifecycle_evidence")
