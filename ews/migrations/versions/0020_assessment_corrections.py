"""Same-day corrections: why an officer corrected a stored interview (a new version).

Revision ID: assessment_corrections
Revises: interview_drafts
"""

import sqlalchemy as sa
from alembic import op

revision = "assessment_corrections"
down_revision = "field_kits"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "assessment_corrections",
        sa.Column("assessment_id", sa.String(36), sa.ForeignKey("assessments.id"),
                  primary_key=True),
        sa.Column("corrects_id", sa.String(36), sa.ForeignKey("assessments.id"),
                  nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("corrected_by", sa.Integer(), sa.ForeignKey("users.id"), nullable=False),
        sa.Column("corrected_at", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_index("ix_assessment_corrections_corrects_id", "assessment_corrections",
                    ["corrects_id"])


def downgrade() -> None:
    op.drop_index("ix_assessment_corrections_corrects_id", table_name="assessment_corrections")
    op.drop_table("assessment_corrections")
