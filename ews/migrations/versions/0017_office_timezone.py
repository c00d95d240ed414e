"""Offices keep their time zone; report facts carry the interview time, dated locally.

Reports dated everything by the submission (`created_at`, UTC): interviews submitted in a
batch days later piled into the submission's month and hour. The facts now hold the
interview's instant and its local day, month and hour on the office's clock (WIB, WITA or
WIT: `offices.timezone`), and the submission's likewise (`--by submitted`). Facts are
derived data: the table is rebuilt from the assessments (`ews.store.facts.backfill`) with
its indexes on the local days.

Revision ID: office_timezone
Revises: governed_seals
"""

import sqlalchemy as sa
from alembic import op

revision = "office_timezone"
down_revision = "governed_seals"
branch_labels = None
depends_on = None

TS = sa.DateTime(timezone=True)


def _text(name: str, length: int | None = 64) -> sa.Column:
    return sa.Column(name, sa.String(length) if length else sa.Text(), nullable=True)


def _facts(times: list[sa.Column]) -> None:
    op.create_table(
        "assessment_facts",
        sa.Column("assessment_id", sa.String(36),
                  sa.ForeignKey("assessments.id", ondelete="CASCADE"), primary_key=True),
        sa.Column("office_code", sa.String(16), nullable=False),
        sa.Column("created_at", TS, nullable=False),
        *times,
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


def upgrade() -> None:
    with op.batch_alter_table("offices") as batch:
        batch.add_column(sa.Column("timezone", sa.String(64), nullable=False,
                                   server_default="Asia/Jakarta"))
    op.drop_table("assessment_facts")
    _facts([sa.Column("interviewed_at", TS, nullable=False),
            sa.Column("day", sa.String(10), nullable=False),
            sa.Column("month", sa.String(7), nullable=False),
            sa.Column("hour", sa.Integer(), nullable=False),
            sa.Column("submitted_day", sa.String(10), nullable=False),
            sa.Column("submitted_month", sa.String(7), nullable=False),
            sa.Column("submitted_hour", sa.Integer(), nullable=False)])
    from ews.store.facts import backfill  # derived from the stored rows, v1 mapped to v2

    backfill(op.get_bind())
    op.create_index("ix_assessment_facts_day_office", "assessment_facts",
                    ["day", "office_code"])
    op.create_index("ix_assessment_facts_submitted_office", "assessment_facts",
                    ["submitted_day", "office_code"])
    op.create_index("ix_assessment_facts_created", "assessment_facts", ["created_at"])
    op.create_index("ix_assessment_facts_phone", "assessment_facts", ["phone_hash"])


def downgrade() -> None:
    # The earlier shape, empty: its catch-up derives every fact again on the next report.
    op.drop_table("assessment_facts")
    _facts([sa.Column("month", sa.String(7), nullable=False),
            sa.Column("hour_utc", sa.Integer(), nullable=False)])
    op.create_index("ix_assessment_facts_created_office", "assessment_facts",
                    ["created_at", "office_code"])
    op.create_index("ix_assessment_facts_phone", "assessment_facts", ["phone_hash"])
    with op.batch_alter_table("offices") as batch:
        batch.drop_column("timezone")
