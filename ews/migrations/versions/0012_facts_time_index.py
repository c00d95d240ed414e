"""One index on (created_at, office_code) for report facts instead of two.

Every report reads a period (`created_at` range), for all offices or some (`office_code IN`):
the range scan of this index serves both, checking the office inside the index. The two
indexes it replaces, on `created_at` and on (office_code, created_at), were each one more
B-tree page read and written in every submission's commit.

Revision ID: facts_time_index
Revises: lean_indexes
"""

from alembic import op

revision = "facts_time_index"
down_revision = "lean_indexes"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_index("ix_assessment_facts_created_office", "assessment_facts",
                    ["created_at", "office_code"])
    op.drop_index("ix_assessment_facts_created", table_name="assessment_facts")
    op.drop_index("ix_assessment_facts_office_created", table_name="assessment_facts")


def downgrade() -> None:
    op.create_index("ix_assessment_facts_office_created", "assessment_facts",
                    ["office_code", "created_at"])
    op.create_index("ix_assessment_facts_created", "assessment_facts", ["created_at"])
    op.drop_index("ix_assessment_facts_created_office", table_name="assessment_facts")
