"""Interview drafts: an open interview's answers, encrypted, per officer and application.

The table holds Fernet tokens only (key derived from the installation secret) and a keyed
hash of the application number; rows live at most 24 hours (ews.store.drafts).

Revision ID: interview_drafts
Revises: office_timezone
"""

import sqlalchemy as sa
from alembic import op

revision = "interview_drafts"
down_revision = "office_timezone"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "interview_drafts",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("user_id", sa.Integer(), sa.ForeignKey("users.id", ondelete="CASCADE"),
                  nullable=False),
        sa.Column("office_code", sa.String(16), nullable=False),
        sa.Column("draft_key", sa.String(64), nullable=False),
        sa.Column("token", sa.Text(), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.UniqueConstraint("user_id", "draft_key", name="uq_interview_drafts_key"),
    )
    op.create_index("ix_interview_drafts_updated_at", "interview_drafts", ["updated_at"])


def downgrade() -> None:
    op.drop_index("ix_interview_drafts_updated_at", table_name="interview_drafts")
    op.drop_table("interview_drafts")
