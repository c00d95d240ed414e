"""Installation-wide export settings an admin sets: each change is an audit event.

`pseudonymise_officers` (on unless an admin turned it off): exports that leave the office
show officer usernames as keyed pseudonyms.
"""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.engine import Connection
from sqlalchemy.orm import Session

from ews import audit

from .db import utcnow
from .models import ExportSetting

DEFAULTS = {"pseudonymise_officers": True}


def get(conn: Connection, name: str) -> bool:
    """Return the setting `name` (its default when no admin has set it)."""
    found = conn.execute(select(ExportSetting.enabled).where(ExportSetting.name == name))
    value = found.scalar_one_or_none()
    return DEFAULTS[name] if value is None else bool(value)


def put(session: Session, name: str, enabled: bool, *, actor: str) -> None:
    """Set `name` on or off and record who did it (the caller commits)."""
    if name not in DEFAULTS:
        raise ValueError(f"unknown export setting {name!r}; known: {', '.join(DEFAULTS)}")
    row = session.get(ExportSetting, name) or ExportSetting(name=name)
    row.enabled, row.changed_by, row.changed_at = enabled, actor, utcnow()
    session.add(row)
    audit.record(session, "export.setting_changed", actor=actor,
                 data={"setting": name, "enabled": enabled})
