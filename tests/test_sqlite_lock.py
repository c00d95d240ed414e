"""The SQLite writer queue: a waiting writer gets the lock as soon as it is free, or gives up
at its deadline holding nothing, in gunicorn's main thread and in any other thread."""

from __future__ import annotations

import fcntl
import os
import signal
import threading
import time

import pytest

from ews.store.sqlite_lock import _WriterLock


@pytest.fixture
def lock(tmp_path):
    return _WriterLock.for_database(str(tmp_path / "ews.sqlite3"))


@pytest.fixture
def other_worker(lock):
    """Another process's hold on the lock (flock is per open file description)."""
    fd = os.open(lock_path(lock), os.O_RDWR)
    yield fd
    os.close(fd)


def lock_path(lock) -> str:
    return next(p for p, known in _WriterLock._by_path.items() if known is lock)


def in_thread(fn):
    out = {}
    t = threading.Thread(target=lambda: out.setdefault("value", fn()))
    t.start()
    t.join(10)
    return out["value"]


@pytest.mark.parametrize("where", ["main thread", "other thread"])
def test_a_wait_ends_as_soon_as_the_holder_releases(lock, other_worker, where):
    fcntl.flock(other_worker, fcntl.LOCK_EX)
    threading.Timer(0.2, fcntl.flock, (other_worker, fcntl.LOCK_UN)).start()
    started = time.monotonic()
    got = lock.acquire(5) if where == "main thread" else in_thread(lambda: lock.acquire(5))
    waited = time.monotonic() - started
    assert got and 0.15 < waited < 1.0
    with pytest.raises(BlockingIOError):  # this process now holds it
        fcntl.flock(other_worker, fcntl.LOCK_EX | fcntl.LOCK_NB)
    lock.release()
    fcntl.flock(other_worker, fcntl.LOCK_EX | fcntl.LOCK_NB)
    fcntl.flock(other_worker, fcntl.LOCK_UN)


@pytest.mark.parametrize("where", ["main thread", "other thread"])
def test_a_timed_out_wait_holds_nothing_and_the_next_one_works(lock, other_worker, where):
    fcntl.flock(other_worker, fcntl.LOCK_EX)
    started = time.monotonic()
    got = lock.acquire(0.3) if where == "main thread" else in_thread(lambda: lock.acquire(0.3))
    assert not got and 0.25 < time.monotonic() - started < 2
    fcntl.flock(other_worker, fcntl.LOCK_UN)
    time.sleep(0.1)  # an abandoned helper thread takes the lock and hands it back
    fcntl.flock(other_worker, fcntl.LOCK_EX | fcntl.LOCK_NB)  # nothing left held
    fcntl.flock(other_worker, fcntl.LOCK_UN)
    assert lock.acquire(1)
    lock.release()


def test_the_main_thread_wait_leaves_signals_as_it_found_them(lock, other_worker):
    before = signal.getsignal(signal.SIGALRM)
    fcntl.flock(other_worker, fcntl.LOCK_EX)
    assert not lock.acquire(0.1)
    assert signal.getsignal(signal.SIGALRM) is before
    assert signal.getitimer(signal.ITIMER_REAL) == (0.0, 0.0)
    fcntl.flock(other_worker, fcntl.LOCK_UN)


def test_a_running_timer_of_someone_else_is_not_touched(lock, other_worker):
    fired = []
    previous = signal.signal(signal.SIGALRM, lambda *_: fired.append(1))
    try:
        signal.setitimer(signal.ITIMER_REAL, 0.5)
        fcntl.flock(other_worker, fcntl.LOCK_EX)
        assert not lock.acquire(0.1)  # waited in a helper thread instead
        time.sleep(0.6)
        assert fired == [1]
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)
        fcntl.flock(other_worker, fcntl.LOCK_UN)
        time.sleep(0.1)
