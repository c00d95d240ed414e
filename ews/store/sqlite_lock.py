"""A writer queue for SQLite files shared by several processes (gunicorn workers).

SQLite lets one writer at a time hold its lock; a waiting writer polls with sleeps of up to
100 ms, which makes latency jump under concurrent writes. Here writers queue on an OS file
lock (flock) instead: a waiting process wakes the moment the holder commits. The lock is
taken at a transaction's first write and released right after its COMMIT or ROLLBACK, so
reads never wait (WAL mode) and the SQLite lock itself is never contended between workers.
The wait is bounded by the connection's timeout (EWS_DB_BUSY_TIMEOUT): a writer that cannot
get the lock in time fails with "database is locked", which the service answers with 503.
"""

from __future__ import annotations

import fcntl
import os
import signal
import sqlite3
import threading
import time
from urllib.parse import urlsplit

_WRITES = ("INSERT", "UPDATE", "DELETE", "REPLAC", "CREATE", "DROP", "ALTER")


class _LockWaitTimeout(Exception):
    """Raised by the SIGALRM handler to end a blocking wait for the writer lock."""


class _WriterLock:
    """One lock per database file and process: a thread lock plus an exclusive flock."""

    _by_path: dict[str, _WriterLock] = {}
    _guard = threading.Lock()

    def __init__(self, path: str) -> None:
        self.fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o600)
        self.thread_lock = threading.Lock()

    @classmethod
    def for_database(cls, db_path: str) -> _WriterLock:
        if db_path.startswith("file:"):  # an SQLite URI (file:/path?mode=...)
            db_path = urlsplit(db_path).path
        path = os.path.abspath(db_path) + "-writer.lock"
        with cls._guard:
            if path not in cls._by_path:
                cls._by_path[path] = cls(path)
            return cls._by_path[path]

    def acquire(self, timeout: float) -> bool:
        """Take the lock within `timeout` seconds; return False when that was not possible."""
        deadline = time.monotonic() + timeout
        if not self.thread_lock.acquire(timeout=timeout):
            return False
        try:
            fcntl.flock(self.fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            return True
        except BlockingIOError:
            pass
        waited = self._wait_here(max(0.0, deadline - time.monotonic()))
        if waited is not None:
            return waited
        # Held by another process: block on flock in a helper thread (woken the moment the
        # holder releases, no polling), and give up at the deadline. An abandoned helper
        # releases both locks itself once it gets the file lock.
        got, guard, state = threading.Event(), threading.Lock(), {"abandoned": False}

        def wait() -> None:
            fcntl.flock(self.fd, fcntl.LOCK_EX)
            with guard:
                if state["abandoned"]:
                    self.release()
                    return
                got.set()

        threading.Thread(target=wait, daemon=True, name="ews-writer-lock").start()
        if got.wait(max(0.0, deadline - time.monotonic())):
            return True
        with guard:
            if got.is_set():
                return True
            state["abandoned"] = True
        return False

    def _wait_here(self, timeout: float) -> bool | None:
        """Block on flock in this (main) thread, bounded by a one-shot SIGALRM timer.

        The path of gunicorn's sync workers: no helper thread to start (~50 us) and one
        wake-up less when the holder releases. None when it cannot be used here (not the
        main thread, or a timer of someone else's is running): the caller falls back.
        """
        if threading.current_thread() is not threading.main_thread() or timeout <= 0:
            return None
        if signal.getitimer(signal.ITIMER_REAL)[0] > 0:
            return None
        waiting = [True]

        def timed_out(_signum, _frame) -> None:
            if waiting[0]:  # a late signal, once the wait is over, changes nothing
                raise _LockWaitTimeout

        previous = signal.signal(signal.SIGALRM, timed_out)
        try:
            signal.setitimer(signal.ITIMER_REAL, timeout)
            fcntl.flock(self.fd, fcntl.LOCK_EX)
            waiting[0] = False
            return True
        except _LockWaitTimeout:
            waiting[0] = False
            # The timer may fire just after flock returned: ask without blocking whether
            # this process holds the lock (flock on a held description succeeds).
            try:
                fcntl.flock(self.fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                return True
            except BlockingIOError:
                self.thread_lock.release()
                return False
        finally:
            signal.setitimer(signal.ITIMER_REAL, 0)
            signal.signal(signal.SIGALRM, previous)

    def release(self) -> None:
        fcntl.flock(self.fd, fcntl.LOCK_UN)
        self.thread_lock.release()


class _Cursor(sqlite3.Cursor):
    def execute(self, sql, parameters=(), /):
        self.connection._before(sql)
        return super().execute(sql, parameters)

    def executemany(self, sql, seq_of_parameters, /):
        self.connection._before(sql)
        return super().executemany(sql, seq_of_parameters)


class QueuedWriterConnection(sqlite3.Connection):
    """A sqlite3 connection whose write transactions queue on the file's writer lock."""

    def __init__(self, database, *args, **kwargs) -> None:
        super().__init__(database, *args, **kwargs)
        self._lock = _WriterLock.for_database(database)
        self._timeout = float(kwargs.get("timeout", 5.0))
        self._holding = False

    def cursor(self, factory=_Cursor):
        return super().cursor(factory)

    def _before(self, sql: str) -> None:
        if not self._holding and sql.lstrip()[:6].upper() in _WRITES:
            if not self._lock.acquire(self._timeout):
                raise sqlite3.OperationalError("database is locked")
            self._holding = True

    def _release(self) -> None:
        if self._holding:
            self._holding = False
            self._lock.release()

    def commit(self) -> None:
        try:
            super().commit()
        finally:
            self._release()

    def rollback(self) -> None:
        try:
            super().rollback()
        finally:
            self._release()

    def close(self) -> None:
        try:
            super().close()
        finally:
            self._release()
