"""Report facts append-only, and the desa by its Kemendagri code.

`assessment_facts` gets the guards of the other append-only tables (`ews.store.guards`,
installed after every upgrade to the head): no DELETE or TRUNCATE, no UPDATE but `latest`
from true to false and the personal columns to NULL. It also gets `domicile_desa`, the
Kemendagri code of the desa picked from the kecamatan's list (older facts have none: their
village was free text, kept in `domicile_village`).

Revision ID: facts_append_only
Revises: interview_drafts
"""

import sqlalchemy as sa
from alembic import op

revision = "facts_append_only"
down_revision = "export_settings"
branch_labels = None
depends_on = None

_TRIGGERS = ("ews_guard_assessment_facts_update", "ews_guard_assessment_facts_delete",
             "ews_guard_assessment_facts_truncate", "ews_guard_assessment_facts_oneway")


def upgrade() -> None:
    op.add_column("assessment_facts", sa.Column("domicile_desa", sa.String(10), nullable=True))


def downgrade() -> None:
    pg = op.get_bind().dialect.name == "postgresql"
    for name in _TRIGGERS:  # the guards of the head; an older schema has none on this table
        op.execute(f"DROP TRIGGER IF EXISTS {name}" + (" ON assessment_facts" if pg else ""))
    with op.batch_alter_table("assessment_facts") as batch:
        batch.drop_column("domicile_desa")
