"""Report facts indexed by office first, for a report of one office's period.

A report of some offices (`office_code IN`) over a period read the whole period's range of
`ix_assessment_facts_day_office` (every office's days), or all of
`ix_assessment_facts_submitted_office`, to find the few rows of its office: at national
scale (5,000,000 facts a year) that range is the whole index. These two indexes lead with
the office, so a report of one office's year reads that office's entries only; the
day-first ones stay for national periods shorter than the year. Facts are written by the
catch-up, off the request path, so the two more B-trees cost no submission anything.

Revision ID: report_scale
Revises: facts_append_only
"""

from alembic import op

revision = "report_scale"
down_revision = "facts_append_only"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_index("ix_assessment_facts_office_day", "assessment_facts",
                    ["office_code", "day"])
    op.create_index("ix_assessment_facts_office_submitted", "assessment_facts",
                    ["office_code", "submitted_day"])


def downgrade() -> None:
    op.drop_index("ix_assessment_facts_office_submitted", table_name="assessment_facts")
    op.drop_index("ix_assessment_facts_office_day", table_name="assessment_facts")
