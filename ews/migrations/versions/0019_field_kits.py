"""Field kits (Jemput Bola): the kits an office packed, and a field instance's own kit.

No key is kept: the office derives each kit's key from its secret and the kit id.

Revision ID: field_kits
Revises: interview_drafts
"""

import sqlalchemy as sa
from alembic import op

revision = "field_kits"
down_revision = "interview_drafts"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "field_kits",
        sa.Column("kit_id", sa.String(36), primary_key=True),
        sa.Column("office_code", sa.String(16), nullable=False),
        sa.Column("usernames", sa.JSON(), nullable=False),
        sa.Column("packed_by", sa.String(64), nullable=False),
        sa.Column("packed_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("opened_at", sa.DateTime(timezone=True)),
        sa.Column("closed_at", sa.DateTime(timezone=True)),
        sa.Column("imported_seq", sa.Integer()),
        sa.Column("imported_at", sa.DateTime(timezone=True)),
    )


def downgrade() -> None:
    op.drop_table("field_kits")
