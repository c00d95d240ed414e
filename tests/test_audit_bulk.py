"""audit.record_many extends the same hash chain as audit.record."""

from __future__ import annotations

from sqlalchemy import update

from ews import audit
from ews.store.guards import maintenance
from ews.store.models import AuditEvent


def test_bulk_and_single_appends_form_one_valid_chain(db):
    audit.record(db, "one", actor="a")
    audit.record_many(db, [{"kind": "bulk", "actor": "b", "subject": str(i),
                            "data": {"i": i}} for i in range(50)])
    audit.record(db, "two", actor="c")
    audit.record_many(db, [])
    db.commit()
    count, broken = audit.verify(db, batch=7)
    assert (count, broken) == (52, None)


def test_an_edited_bulk_event_breaks_the_chain(db):
    audit.record_many(db, [{"kind": "bulk", "data": {"i": i}} for i in range(5)])
    db.commit()
    with maintenance(db, "tests: tamper"):
        db.execute(update(AuditEvent).where(AuditEvent.seq == 3).values(data='{"i":99}'))
    db.commit()
    count, broken = audit.verify(db)
    assert count == 2 and broken.seq == 3
