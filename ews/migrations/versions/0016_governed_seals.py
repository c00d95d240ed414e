"""Governed seals: a baseline seal of every row of the governing tables.

From this revision on, every event that creates or changes a rule set, a model, a user, an
API token, an intake registration or a piece of lifecycle evidence carries the row's seal
(`ews.audit.seal.GOVERNED`), and `ews audit verify` wants one for every row. Rows written
before it have none: this migration appends one `row.sealed` event per existing row, so
verify holds them to their state at upgrade (what was there then is taken as it was; the
earlier events still tell its history). Like `audit_seal` (0005) for assessments.

Revision ID: governed_seals
Revises: outcome_origin
Create Date: 2026-12-07 15:00:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op
from sqlalchemy.orm import Session

revision = "governed_seals"
down_revision = "outcome_origin"
branch_labels = None
depends_on = None


def upgrade() -> None:
    from ews import audit
    from ews.audit.seal import GOVERNED

    bind = op.get_bind()
    session = Session(bind=bind)
    for spec in GOVERNED.values():
        table = sa.Table(spec.table, sa.MetaData(), autoload_with=bind)
        events = [{"kind": "row.sealed", "actor": "migration", "subject": str(row[spec.key]),
                   "data": {}, "row": (spec.table, dict(row))}
                  for row in bind.execute(sa.select(table)
                                          .order_by(table.c[spec.key])).mappings()]
        audit.record_many(session, events)
    session.flush()


def downgrade() -> None:
    """Nothing to undo: the events stay in the chain (it is append-only)."""
