"""Export settings: installation-wide switches an admin sets (officer pseudonyms in exports).

Revision ID: export_settings
Revises: interview_drafts
"""

import sqlalchemy as sa
from alembic import op

revision = "export_settings"
down_revision = "assessment_corrections"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "export_settings",
        sa.Column("name", sa.String(64), primary_key=True),
        sa.Column("enabled", sa.Boolean(), nullable=False),
        sa.Column("changed_by", sa.String(64), nullable=False),
        sa.Column("changed_at", sa.DateTime(timezone=True), nullable=False),
    )


def downgrade() -> None:
    op.drop_table("export_settings")
