"""Intake: applications registered at the front desk, and the `intake` role.

Revision ID: intake
Revises: ruleset_lifecycle
"""

import sqlalchemy as sa
from alembic import op

revision = "intake"
down_revision = "ruleset_lifecycle"
branch_labels = None
depends_on = None

OLD_ROLES = "role IN ('officer', 'supervisor', 'analyst', 'admin')"
NEW_ROLES = "role IN ('officer', 'supervisor', 'analyst', 'admin', 'intake')"


def upgrade() -> None:
    op.create_table(
        "applications",
        sa.Column("id", sa.String(36), primary_key=True),
        sa.Column("office_code", sa.String(16), sa.ForeignKey("offices.code"), nullable=False),
        sa.Column("application_id", sa.String(64), nullable=False),
        sa.Column("intake_hash", sa.String(64), nullable=False),
        sa.Column("nik_hash", sa.String(64), nullable=False),
        sa.Column("phone_hash", sa.String(64), nullable=True),
        sa.Column("is_minor", sa.Boolean(), nullable=True),
        sa.Column("age_band", sa.String(16), nullable=True),
        sa.Column("sex", sa.String(16), nullable=True),
        sa.Column("domicile_regency", sa.String(80), nullable=True),
        sa.Column("domicile_district", sa.String(80), nullable=True),
        sa.Column("domicile_village", sa.String(80), nullable=True),
        sa.Column("origin_kecamatan", sa.String(6), nullable=True),
        sa.Column("purpose", sa.String(32), nullable=True),
        sa.Column("application_type", sa.String(16), nullable=True),
        sa.Column("registered_by", sa.Integer(), sa.ForeignKey("users.id"), nullable=True),
        sa.Column("registered_at", sa.DateTime(timezone=True), nullable=False),
        sa.UniqueConstraint("office_code", "application_id", name="uq_applications_office_app"),
    )
    op.create_index("ix_applications_office_registered", "applications",
                    ["office_code", "registered_at"])
    with op.batch_alter_table("users") as batch:
        batch.drop_constraint("ck_users_role", type_="check")
        batch.create_check_constraint("ck_users_role", NEW_ROLES)


def downgrade() -> None:
    # Registrations go with their table; intake users become inactive officers without tokens.
    op.drop_index("ix_applications_office_registered", table_name="applications")
    op.drop_table("applications")
    op.execute("DELETE FROM api_tokens WHERE user_id IN "
               "(SELECT id FROM users WHERE role = 'intake')")
    op.execute("UPDATE users SET active = false WHERE role = 'intake'")
    with op.batch_alter_table("users") as batch:
        batch.drop_constraint("ck_users_role", type_="check")
    op.execute("UPDATE users SET role = 'officer' WHERE role = 'intake'")
    with op.batch_alter_table("users") as batch:
        batch.create_check_constraint("ck_users_role", OLD_ROLES)
