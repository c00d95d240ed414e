"""Checklist v2: checklist version, follow-up versions, kecamatan of origin, P3MI list.

Existing assessments are checklist version 1 and version 1 of their application.

Revision ID: checklist_v2
Revises: 0001
"""

import sqlalchemy as sa
from alembic import op

revision = "checklist_v2"
down_revision = "0001"
branch_labels = None
depends_on = None

OLD_STATUSES = "status IN ('open', 'awaiting_review', 'decided')"
NEW_STATUSES = "status IN ('open', 'awaiting_review', 'decided', 'superseded')"


def upgrade() -> None:
    with op.batch_alter_table("assessments") as batch:
        batch.add_column(sa.Column("checklist_version", sa.Integer(), nullable=False,
                                   server_default="1"))
        batch.add_column(sa.Column("version", sa.Integer(), nullable=False,
                                   server_default="1"))
        batch.add_column(sa.Column("supersedes_id", sa.String(36), nullable=True))
        batch.add_column(sa.Column("superseded_by", sa.String(36), nullable=True))
        batch.add_column(sa.Column("origin_kecamatan", sa.String(6), nullable=True))
        batch.add_column(sa.Column("recruiter_phone_hash", sa.String(64), nullable=True))
        batch.drop_constraint("uq_assessments_office_app", type_="unique")
        batch.create_unique_constraint("uq_assessments_office_app_version",
                                       ["office_code", "application_id", "version"])
        batch.drop_constraint("ck_assessments_status", type_="check")
        batch.create_check_constraint("ck_assessments_status", NEW_STATUSES)
        batch.create_index("ix_assessments_kecamatan", ["origin_kecamatan"])
    with op.batch_alter_table("rulesets") as batch:
        batch.add_column(sa.Column("agencies_csv", sa.Text(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("rulesets") as batch:
        batch.drop_column("agencies_csv")
    with op.batch_alter_table("assessments") as batch:
        batch.drop_index("ix_assessments_kecamatan")
        batch.drop_constraint("ck_assessments_status", type_="check")
        batch.create_check_constraint("ck_assessments_status", OLD_STATUSES)
        batch.drop_constraint("uq_assessments_office_app_version", type_="unique")
        batch.create_unique_constraint("uq_assessments_office_app",
                                       ["office_code", "application_id"])
        for column in ("recruiter_phone_hash", "origin_kecamatan", "superseded_by",
                       "supersedes_id", "version", "checklist_version"):
            batch.drop_column(column)
