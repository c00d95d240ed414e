"""Report facts: a narrow row per assessment with what reports group by.

Revision ID: report_facts
Revises: intel_products
"""

import sqlalchemy as sa
from alembic import op

revision = "report_facts"
down_revision = "intel_products"
branch_labels = None
depends_on = None

TS = sa.DateTime(timezone=True)


def _text(name: str, length: int | None = 64) -> sa.Column:
    return sa.Column(name, sa.String(length) if length else sa.Text(), nullable=True)


def upgrade() -> None:
    op.create_table(
        "assessment_facts",
        sa.Column("assessment_id", sa.String(36),
                  sa.ForeignKey("assessments.id", ondelete="CASCADE"), primary_key=True),
        sa.Column("office_code", sa.String(16), nullable=False),
        sa.Column("created_at", TS, nullable=False),
        sa.Column("month", sa.String(7), nullable=False),
        sa.Column("hour_utc", sa.Integer(), nullable=False),
        sa.Column("latest", sa.Boolean(), nullable=False),
        sa.Column("checklist_version", sa.Integer(), nullable=False),
        sa.Column("score", sa.Integer(), nullable=False),
        sa.Column("rung", sa.Integer(), nullable=False),
        sa.Column("action", sa.String(32), nullable=False),
        sa.Column("band", sa.String(16), nullable=False),
        sa.Column("flagged", sa.Boolean(), nullable=False),
        sa.Column("completeness", sa.Float(), nullable=False),
        sa.Column("officer_id", sa.Integer(), nullable=True),
        _text("origin_kecamatan", 6), _text("domicile_village", None), _text("sex"),
        _text("age_band"), _text("destination_country"), _text("purpose"),
        _text("job_sector"), _text("transit_country"), _text("job_offer_channel"),
        _text("recruiter_type"), _text("agency_licence"), _text("agency_name", None),
        sa.Column("phone_shared_30d", sa.Integer(), nullable=True),
        _text("indicators", None), _text("nik_hash"), _text("phone_hash"),
        _text("recruiter_phone_hash"),
    )
    # Filled by office_timezone (0018), which rebuilds the facts in their present shape:
    # today's derivation does not fit this revision's columns.
    op.create_index("ix_assessment_facts_created", "assessment_facts", ["created_at"])
    op.create_index("ix_assessment_facts_office_created", "assessment_facts",
                    ["office_code", "created_at"])
    op.create_index("ix_assessment_facts_phone", "assessment_facts", ["phone_hash"])


def downgrade() -> None:
    op.drop_table("assessment_facts")
