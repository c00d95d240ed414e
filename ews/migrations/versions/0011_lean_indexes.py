"""Drop two indexes no query reads, which every submission had to update.

`ix_assessments_kecamatan` served the areas report, which reads `assessment_facts` since
report_facts; nothing filters or sorts audit events by kind (`ix_audit_events_kind`): the
chain is read in sequence order. Each index is one more B-tree page read and written in the
submission's commit.

Revision ID: lean_indexes
Revises: report_facts
"""

from alembic import op

revision = "lean_indexes"
down_revision = "report_facts"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.drop_index("ix_assessments_kecamatan", table_name="assessments")
    op.drop_index("ix_audit_events_kind", table_name="audit_events")


def downgrade() -> None:
    op.create_index("ix_audit_events_kind", "audit_events", ["kind"])
    op.create_index("ix_assessments_kecamatan", "assessments", ["origin_kecamatan"])
