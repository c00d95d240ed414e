"""Trained models: the approved record of each model file (SHA-256, status, who did what).

Revision ID: models
Revises: intake
"""

import sqlalchemy as sa
from alembic import op

revision = "models"
down_revision = "intake"
branch_labels = None
depends_on = None

STATUSES = "status IN ('submitted', 'approved', 'active', 'retired')"


def upgrade() -> None:
    ts = sa.DateTime(timezone=True)
    op.create_table(
        "models",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("version", sa.String(64), nullable=False, unique=True),
        sa.Column("sha256", sa.String(64), nullable=False),
        sa.Column("path", sa.String(500), nullable=False),
        sa.Column("estimator", sa.String(40), nullable=False),
        sa.Column("manifest", sa.JSON(), nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("submitted_by", sa.Integer(), sa.ForeignKey("users.id"), nullable=False),
        sa.Column("submitted_at", ts, nullable=False),
        sa.Column("approved_by", sa.Integer(), sa.ForeignKey("users.id"), nullable=True),
        sa.Column("approved_at", ts, nullable=True),
        sa.Column("activated_by", sa.Integer(), sa.ForeignKey("users.id"), nullable=True),
        sa.Column("activated_at", ts, nullable=True),
        sa.CheckConstraint(STATUSES, name="ck_models_status"),
    )
    op.create_index("uq_models_one_active", "models", ["status"], unique=True,
                    sqlite_where=sa.text("status = 'active'"),
                    postgresql_where=sa.text("status = 'active'"))


def downgrade() -> None:
    op.drop_index("uq_models_one_active", table_name="models")
    op.drop_table("models")
