"""Where a label came from: the random follow-up sample and imported external outcomes.

`followup_samples` holds one row per interview below supervisor review drawn at submission
for an outcome follow-up, with the probability it was drawn with (append-only, like the
outcomes). `outcomes` gains `origin` (followup, sample or external; existing labels were all
recorded by supervisors: followup), and for imported labels the list's name, the event's
date, kind and country, and `import_key`, unique, which makes a re-import create nothing.

The append-only triggers are installed again at the end (and after every upgrade to the
head by `ews.store.migrate`): the new table and the new columns are guarded too.

Revision ID: outcome_origin
Revises: ruleset_approved_sha
"""

import sqlalchemy as sa
from alembic import op

revision = "outcome_origin"
down_revision = "ruleset_approved_sha"
branch_labels = None
depends_on = None

TS = sa.DateTime(timezone=True)
ORIGINS = "origin IN ('followup', 'sample', 'external')"


def _drop_guards(table: str) -> None:
    """Drop a table's append-only triggers: SQLite's batch copy runs INSERT ... SELECT and
    DROP TABLE under them; they come back from `ews.store.guards.install`."""
    bind = op.get_bind()
    for name in ("update", "delete", "truncate"):
        trigger = f"ews_guard_{table}_{name}"
        if bind.dialect.name == "postgresql":
            op.execute(f"DROP TRIGGER IF EXISTS {trigger} ON {table}")
        else:
            op.execute(f"DROP TRIGGER IF EXISTS {trigger}")


def upgrade() -> None:
    op.create_table(
        "followup_samples",
        sa.Column("assessment_id", sa.String(36), sa.ForeignKey("assessments.id"),
                  primary_key=True),
        sa.Column("office_code", sa.String(16), nullable=False),
        sa.Column("probability", sa.Float(), nullable=False),
        sa.Column("selected_at", TS, nullable=False),
    )
    op.create_index("ix_followup_samples_office_selected", "followup_samples",
                    ["office_code", "selected_at"])
    _drop_guards("outcomes")
    with op.batch_alter_table("outcomes") as batch:
        batch.add_column(sa.Column("origin", sa.String(16), nullable=False,
                                   server_default="followup"))
        batch.add_column(sa.Column("source_name", sa.String(80), nullable=True))
        batch.add_column(sa.Column("event_date", sa.Date(), nullable=True))
        batch.add_column(sa.Column("external_kind", sa.String(24), nullable=True))
        batch.add_column(sa.Column("event_country", sa.String(2), nullable=True))
        batch.add_column(sa.Column("import_key", sa.String(64), nullable=True))
        batch.create_check_constraint("ck_outcomes_origin", sa.text(ORIGINS))
        batch.create_unique_constraint("uq_outcomes_import_key", ["import_key"])
    from ews.store import guards  # the outcomes' triggers again, and the new table's

    guards.install(op.get_bind())


def downgrade() -> None:
    _drop_guards("outcomes")
    _drop_guards("followup_samples")
    with op.batch_alter_table("outcomes") as batch:
        batch.drop_constraint("uq_outcomes_import_key", type_="unique")
        batch.drop_constraint("ck_outcomes_origin", type_="check")
        for name in ("import_key", "event_country", "external_kind", "event_date",
                     "source_name", "origin"):
            batch.drop_column(name)
    op.drop_index("ix_followup_samples_office_selected", table_name="followup_samples")
    op.drop_table("followup_samples")
