"""#20 L4: the SQLite database, its write-ahead log and shared memory are created mode 600."""

from __future__ import annotations

import os
import stat

from click.testing import CliRunner

from ews.cli import main


def test_ews_init_creates_the_database_files_readable_by_the_owner_only(tmp_path):
    old = os.umask(0o022)  # the usual umask, which gave 644 before
    try:
        path = tmp_path / "ews.sqlite3"
        env = {"EWS_ENV": "production", "EWS_DATABASE_URL": f"sqlite:///{path}",
               "EWS_SECRET_KEY": "s" * 32, "EWS_PII_KEY": "p" * 32,
               "EWS_INSTANCE_PATH": str(tmp_path / "instance"), "EWS_ADMIN_USER": "admin",
               "EWS_ADMIN_OFFICE": "PMK"}
        result = CliRunner().invoke(main, ["init"], env=env)
        assert result.exit_code == 0, result.output
        from ews.store.db import make_engine

        engine = make_engine(f"sqlite:///{path}")
        with engine.connect() as conn:  # the log and shared memory exist while connected
            conn.exec_driver_sql("CREATE TABLE probe (x INTEGER)")
            conn.commit()
            files = sorted(p.name for p in tmp_path.iterdir() if p.is_file())
            assert files == ["ews.sqlite3", "ews.sqlite3-shm", "ews.sqlite3-wal",
                             "ews.sqlite3-writer.lock"]
            for name in files:
                assert stat.S_IMODE((tmp_path / name).stat().st_mode) == 0o600, name
        engine.dispose()
    finally:
        os.umask(old)
