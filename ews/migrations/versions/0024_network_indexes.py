"""Indexes for the network report of a national year.

The network report asked, for each of the half million facts of a year with a recruiter
phone, an agency or a phone shared at the interview, whether another person gave the same
contact phone: half a million lookups in `ix_assessment_facts_phone`, each fetching table
rows to read who and when, after a scan of the whole year to find them. Now the phone's
index carries the person, both days and `latest` (PostgreSQL reads it alone), the linked facts
have a partial index of their own, in the phone's order, and the facts with an edge of their
own (about 1%) two more, by interview and by submission day. Facts are written by the
catch-up, off the request path.

Revision ID: network_indexes
Revises: report_scale
"""

import sqlalchemy as sa
from alembic import op

revision = "network_indexes"
down_revision = "report_scale"
branch_labels = None
depends_on = None

CARRIED = ["nik_hash", "day", "submitted_day", "latest"]
# As ews.store.models has them at this revision (a migration keeps its own copy).
FACT_EDGE = ("(recruiter_phone_hash IS NOT NULL OR (agency_name IS NOT NULL "
             "AND (agency_licence IS NULL OR agency_licence <> 'licensed')))")
FACT_LINKED = ("(recruiter_phone_hash IS NOT NULL OR agency_name IS NOT NULL "
               "OR phone_shared_30d > 1)")


def upgrade() -> None:
    op.drop_index("ix_assessment_facts_phone", table_name="assessment_facts")
    op.create_index("ix_assessment_facts_phone", "assessment_facts", ["phone_hash"],
                    postgresql_include=CARRIED)
    op.create_index("ix_assessment_facts_linked", "assessment_facts", ["phone_hash"],
                    postgresql_include=CARRIED, postgresql_where=sa.text(FACT_LINKED),
                    sqlite_where=sa.text(FACT_LINKED))
    for name, day in (("ix_assessment_facts_edge", "day"),
                      ("ix_assessment_facts_edge_submitted", "submitted_day")):
        op.create_index(name, "assessment_facts", [day], postgresql_where=sa.text(FACT_EDGE),
                        sqlite_where=sa.text(FACT_EDGE))


def downgrade() -> None:
    op.drop_index("ix_assessment_facts_edge_submitted", table_name="assessment_facts")
    op.drop_index("ix_assessment_facts_edge", table_name="assessment_facts")
    op.drop_index("ix_assessment_facts_linked", table_name="assessment_facts")
    op.drop_index("ix_assessment_facts_phone", table_name="assessment_facts")
    op.create_index("ix_assessment_facts_phone", "assessment_facts", ["phone_hash"])
