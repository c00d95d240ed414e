"""Intelligence products (IKK 9.1): products made from reports and their follow-ups.

Revision ID: intel_products
Revises: models
"""

import sqlalchemy as sa
from alembic import op

revision = "intel_products"
down_revision = "models"
branch_labels = None
depends_on = None

TS = sa.DateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "intel_products",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("title", sa.String(200), nullable=False),
        sa.Column("finding", sa.Text(), nullable=False),
        sa.Column("subject_kind", sa.String(16), nullable=False),
        sa.Column("subject", sa.String(120), nullable=False),
        sa.Column("source_report", sa.String(32), nullable=False),
        sa.Column("recommended_follow_up", sa.Text(), nullable=False),
        sa.Column("owner_office", sa.String(16), sa.ForeignKey("offices.code"), nullable=False),
        sa.Column("due_date", sa.Date(), nullable=False),
        sa.Column("created_by", sa.Integer(), sa.ForeignKey("users.id"), nullable=False),
        sa.Column("created_at", TS, nullable=False),
        sa.Column("closed_at", TS, nullable=True),
        sa.CheckConstraint("subject_kind IN ('area', 'destination', 'network', 'other')",
                           name="ck_intel_products_subject_kind"),
    )
    op.create_index("ix_intel_products_owner_created", "intel_products",
                    ["owner_office", "created_at"])
    op.create_table(
        "intel_followups",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("product_id", sa.Integer(), sa.ForeignKey("intel_products.id"),
                  nullable=False, index=True),
        sa.Column("agency", sa.String(32), nullable=False),
        sa.Column("action", sa.Text(), nullable=False),
        sa.Column("closes", sa.Boolean(), nullable=False, server_default=sa.false()),
        sa.Column("recorded_by", sa.Integer(), sa.ForeignKey("users.id"), nullable=False),
        sa.Column("recorded_at", TS, nullable=False),
    )


def downgrade() -> None:
    op.drop_table("intel_followups")
    op.drop_index("ix_intel_products_owner_created", table_name="intel_products")
    op.drop_table("intel_products")
