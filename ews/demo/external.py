"""The demo's external list: what later happened to simulated applicants, as a border post,
BP3MI or the police would report it, in the format of `ews outcomes import`.

Only people whose hidden truth was not sound can be on it: a share of them, drawn from the
case's own randomness (so a seed repeats), weeks to months after the interview and before
the window ends - whether or not the interview flagged them, though those the office held
seldom travelled, so seldom come back on a list. Pure; the writer collects the
events and the CLI writes the file (synthetic NIKs only).
"""

from __future__ import annotations

import csv
import datetime as dt
import random
from collections.abc import Iterable
from pathlib import Path

from .generate import Case

# truth -> (share of those who departed that reaches an external list, (kind, weight) of what
# is reported). Someone the office held (deferred, redirected, referred) mostly did not leave:
# HELD_FACTOR of the share, as when they try again through another office.
REPORTED = {
    "trafficking": (0.6, (("tppo_victim", 0.7), ("repatriated_pmi", 0.3))),
    "scam": (0.6, (("tppo_victim", 0.5), ("deported", 0.5))),
    "network": (0.5, (("repatriated_pmi", 0.5), ("departure_denied", 0.5))),
    "nonprocedural": (0.5, (("repatriated_pmi", 0.4), ("departure_denied", 0.3),
                            ("deported", 0.3))),
}
HELD_FACTOR = 0.3
DAYS = (20, 150)  # after the interview: what is reported comes back within months
HEADER = ("nik", "event_date", "kind", "destination", "note")


def external_event(case: Case, nik: str, destination: str | None, interviewed: dt.datetime,
                   end: dt.datetime, held: bool = False) -> tuple[str, str, str, str, str] | None:
    """Return the list row of what happened to this applicant later, or None. `held`: the
    office held the applicant (a holding decision), who then seldom travelled."""
    share, kinds = REPORTED.get(case.truth, (0.0, ()))
    rng = random.Random(f"external:{case.u_label!r}")
    if rng.random() >= share * (HELD_FACTOR if held else 1.0):
        return None
    day = (interviewed + dt.timedelta(days=rng.randint(*DAYS))).date()
    if day >= end.date():
        return None
    kind = rng.choices([k for k, _ in kinds], weights=[w for _, w in kinds])[0]
    return (nik, day.isoformat(), kind, destination or "", "demo (data sintetis)")


def write_list(path: Path, events: Iterable[tuple]) -> int:
    """Write the events as an import file; return how many rows."""
    rows = sorted(events, key=lambda e: (e[1], e[0]))
    with path.open("w", encoding="utf-8", newline="") as fh:
        writer = csv.writer(fh, lineterminator="\n")
        writer.writerow(HEADER)
        writer.writerows(rows)
    return len(rows)
