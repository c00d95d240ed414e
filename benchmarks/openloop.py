"""Open-loop load for bench_http.py: requests leave on a fixed schedule, answered or not.

A closed-loop client (wrk, or threads that wait for each answer) sends less when the server
slows down, which hides queueing. Here request i is due at start + i / rate; a pool of
threads sends it as soon as one is free (more threads than the expected concurrency), and
its latency counts from the scheduled time, not from the moment it was actually sent
(so a late send shows as latency, as with wrk2).
"""

from __future__ import annotations

import http.client
import itertools
import threading
import time
from concurrent.futures import ThreadPoolExecutor


def nik(n: int) -> str:
    """Return a structurally valid NIK for applicant number `n` (distinct for distinct n
    below 99 million): Surabaya kecamatan codes, 1 January, a serial from n."""
    return f"3578{1 + n // 1_000_000 % 99:02d}0101{n // 10_000 % 100:02d}{1 + n % 9999:04d}"


_BLOCKS = itertools.count()


def applicant_block() -> int:
    """Return the first applicant number of a fresh block of a million (one per load phase).

    Every phase of a benchmark then sends applicants never seen before: a NIK met again is a
    repeat applicant, whom the history features count and the rules flag after two earlier
    assessments (more work per request). Numbers stay below 99 million, where `nik` gives
    distinct NIKs: after 98 phases the blocks come round again.
    """
    return (next(_BLOCKS) % 98 + 1) * 1_000_000


def run_open_loop(url: str, rate: float, seconds: float, body: str, prefix: str,
                  token: str | None, threads: int = 64) -> dict:
    """Offer `rate` requests/s for `seconds`; return p50/p99 from schedule, errors, counts."""
    host, port_path = url.split("//", 1)[1].split(":", 1)
    port, path = port_path.split("/", 1)
    headers = {"Content-Type": "application/json"}
    if token:
        headers["Authorization"] = f"Bearer {token}"
    local = threading.local()
    latencies: list[float] = []
    status: dict[str, int] = {"created": 0, "errors": 0}
    lock, base = threading.Lock(), applicant_block()

    def send(i: int, due: float) -> None:
        conn = getattr(local, "conn", None) or http.client.HTTPConnection(host, int(port),
                                                                          timeout=30)
        local.conn = conn
        number = base + i
        try:
            conn.request("POST", "/" + path, body % (f"{prefix}{i}", nik(number), number), headers)
            resp = conn.getresponse()
            resp.read()
            ok = resp.status == 201
        except OSError:
            conn.close()
            local.conn, ok = None, False
        elapsed = time.perf_counter() - due
        with lock:
            latencies.append(elapsed)
            status["created" if ok else "errors"] += 1

    total = int(rate * seconds)
    with ThreadPoolExecutor(max_workers=threads) as pool:
        start = time.perf_counter() + 0.05
        late = 0
        for i in range(total):
            due = start + i / rate
            pause = due - time.perf_counter()
            if pause > 0:
                time.sleep(pause)
            elif pause < -0.001:
                late += 1  # the generator itself fell behind: reported, counts as latency
            pool.submit(send, i, due)
    latencies.sort()
    pick = lambda q: latencies[min(len(latencies) - 1, int(q * len(latencies)))] * 1000  # noqa: E731
    return {"offered_rps": rate, "seconds": seconds, "requests": len(latencies),
            "p50_ms": pick(0.50), "p99_ms": pick(0.99), "max_ms": latencies[-1] * 1000,
            "created": status["created"], "errors": status["errors"], "late_sends": late}
