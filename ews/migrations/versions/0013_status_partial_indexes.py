"""The queue and the decided cases by office through partial indexes.

`ix_assessments_office_status` (office, status, created) held an entry for every
assessment, so every submission wrote a page of it in its commit; its readers only ever ask
for the items awaiting review (the supervisor queue and its KPIs) or the decided ones (the
cases list). Two partial indexes on (office, created), one per status, serve them; an
assessment that needs no decision - nearly all - writes neither.

Revision ID: status_partial_indexes
Revises: facts_time_index
"""

import sqlalchemy as sa
from alembic import op

revision = "status_partial_indexes"
down_revision = "facts_time_index"
branch_labels = None
depends_on = None


def _where(status: str) -> dict:
    clause = sa.text(f"status = '{status}'")
    return {"sqlite_where": clause, "postgresql_where": clause}


def upgrade() -> None:
    op.create_index("ix_assessments_awaiting", "assessments", ["office_code", "created_at"],
                    **_where("awaiting_review"))
    op.create_index("ix_assessments_decided", "assessments", ["office_code", "created_at"],
                    **_where("decided"))
    op.drop_index("ix_assessments_office_status", table_name="assessments")


def downgrade() -> None:
    op.create_index("ix_assessments_office_status", "assessments",
                    ["office_code", "status", "created_at"])
    op.drop_index("ix_assessments_decided", table_name="assessments")
    op.drop_index("ix_assessments_awaiting", table_name="assessments")
