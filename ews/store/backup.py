"""SQLite backup, check and restore (PostgreSQL: pg_dump/pg_restore, see docs/operations.md).

A backup is taken with SQLite's online backup API (a consistent snapshot while the service
runs), written to a temporary file with mode 600 beside the target and renamed into place,
then checked like any backup: `PRAGMA integrity_check`, the migration level, no table, view
or trigger the schema does not create (`schema.py`), and the audit chain with its sealed
rows. A restore copies a checked backup into the configured database
path only when nothing is there (the service is stopped and the old file moved aside).
"""

from __future__ import annotations

import os
import sqlite3
from dataclasses import dataclass, field
from pathlib import Path

from alembic.script import ScriptDirectory
from sqlalchemy import create_engine, func, make_url, select
from sqlalchemy.orm import Session

from .migrate import alembic_config
from .models import Assessment
from .schema import unknown_objects


class BackupError(Exception):
    """A backup or restore that cannot be done as asked."""


@dataclass
class Check:
    """What checking a database file found."""

    path: Path
    problems: list[str] = field(default_factory=list)
    revision: str | None = None
    events: int = 0
    assessments: int = 0

    @property
    def ok(self) -> bool:
        """Return True when nothing is wrong."""
        return not self.problems

    def summary(self) -> str:
        """Return one line: verdict, size, revision, chain and row counts."""
        size = self.path.stat().st_size / 1e6 if self.path.exists() else 0
        head = (f"{self.path}: {size:.1f} MB, revision {self.revision}, {self.events} audit "
                f"events, {self.assessments} assessments")
        return f"ok: {head}" if self.ok else f"FAILED: {head}: {'; '.join(self.problems)}"


def sqlite_path(url: str) -> Path:
    """Return the file of an SQLite URL; BackupError for any other database."""
    parsed = make_url(url)
    if parsed.get_backend_name() != "sqlite" or parsed.database in (None, "", ":memory:"):
        raise BackupError("ews backup and restore handle SQLite files; for PostgreSQL use "
                          "pg_dump and pg_restore (docs/operations.md, Backup and restore)")
    return Path(parsed.database)


def _copy(source: Path, target: Path) -> None:
    """Copy a database with the online backup API into a new file (mode 600), atomically."""
    if target.exists():
        raise BackupError(f"{target} exists already: choose another name or move it aside")
    if not target.parent.is_dir():
        raise BackupError(f"no folder {target.parent}: create it first")
    tmp = target.with_name(f".{target.name}.partial")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    os.close(fd)
    try:
        src = sqlite3.connect(source, timeout=30)  # read only by what it does
        dst = sqlite3.connect(tmp)
        try:
            src.backup(dst)
            dst.execute("PRAGMA journal_mode=DELETE")  # one self-contained file
        finally:
            dst.close()
            src.close()
        os.replace(tmp, target)
        folder = os.open(target.parent, os.O_RDONLY)
        try:
            os.fsync(folder)  # the rename itself survives a power loss
        finally:
            os.close(folder)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise


def check(path: Path) -> Check:
    """Check a database file: integrity, migration level, audit chain and sealed rows."""
    from ews.audit import verify

    report = Check(path)
    if not path.is_file():
        report.problems.append("no such file")
        return report
    url = f"sqlite:///file:{path}?mode=ro&uri=true"
    engine = create_engine(url)
    try:
        with Session(engine) as session:
            result = session.connection().exec_driver_sql("PRAGMA integrity_check").all()
            if [r[0] for r in result] != ["ok"]:
                report.problems.append(f"integrity check: {result[0][0]}")
                return report
            heads = set(ScriptDirectory.from_config(alembic_config(url)).get_heads())
            report.revision = session.connection().exec_driver_sql(
                "SELECT version_num FROM alembic_version").scalar()
            if report.revision not in heads:
                report.problems.append(f"migration level {report.revision}, this version of "
                                       f"EWS needs {', '.join(sorted(heads))}")
                return report
            unknown = unknown_objects(session.connection())
            if unknown:
                report.problems.append("objects EWS does not create: " + ", ".join(unknown))
            report.events, broken = verify(session)
            if broken is not None:
                report.problems.append(f"audit: {broken}")
            report.assessments = session.scalar(select(func.count()).select_from(Assessment))
    except Exception as err:  # not a database, or not an EWS one: say so, not a traceback
        report.problems.append(f"cannot read: {type(err).__name__}")
    finally:
        engine.dispose()
    return report


def backup(url: str, target: Path) -> Check:
    """Back up the SQLite database of `url` into `target` (a new file) and check the copy."""
    source = sqlite_path(url)
    if not source.is_file():
        raise BackupError(f"no database at {source}")
    _copy(source, target)
    return check(target)


def restore(url: str, source: Path) -> Check:
    """Restore a checked backup into the database path of `url`, which must not exist."""
    target = sqlite_path(url)
    if any(p.exists() for p in (target, Path(f"{target}-wal"), Path(f"{target}-shm"))):
        raise BackupError(f"{target} exists: stop the service and move the database (with "
                          "its -wal and -shm files) aside first; restore never overwrites")
    found = check(source)
    if not found.ok:
        return found
    target.parent.mkdir(parents=True, exist_ok=True)
    _copy(source, target)
    return check(target)
