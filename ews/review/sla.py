"""Review deadlines: when a flagged assessment is due, from a configurable SLA per rung.

The SLA is a mapping rung -> duration. Durations are written like `45m`, `1h`, `2d` (wall
clock) or `1wd` (working days: the same local time on the next working day, skipping
Saturdays, Sundays and configured holidays). The default follows the issue: rung 4 within
one hour, rungs 2-3 within one working day.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from zoneinfo import ZoneInfo

DEFAULT_SLA = "4=1h,2-3=1wd"
DEFAULT_TIMEZONE = "Asia/Jakarta"
_DURATION = re.compile(r"^\s*(\d+)\s*(m|h|d|wd)\s*$")
_UNITS = {"m": "minutes", "h": "hours", "d": "days"}


class SLAError(ValueError):
    """An SLA specification that cannot be parsed."""


@dataclass(frozen=True)
class Duration:
    """An amount of wall-clock time or of working days."""

    amount: int
    unit: str  # m, h, d or wd

    def add_to(self, start: dt.datetime, tz: ZoneInfo, holidays: frozenset[dt.date]) -> dt.datetime:
        """Return `start` plus this duration (working days counted in the office time zone)."""
        if self.unit != "wd":
            return start + dt.timedelta(**{_UNITS[self.unit]: self.amount})
        local = start.astimezone(tz)
        for _ in range(self.amount):
            local += dt.timedelta(days=1)
            while local.weekday() >= 5 or local.date() in holidays:
                local += dt.timedelta(days=1)
        return local.astimezone(start.tzinfo or dt.UTC)


def parse_duration(text: str) -> Duration:
    """Parse `45m`, `1h`, `2d` or `1wd`; raise SLAError naming the bad text."""
    match = _DURATION.match(text)
    if not match or int(match.group(1)) <= 0:
        raise SLAError(f"bad SLA duration {text!r}: use e.g. 45m, 1h, 2d or 1wd")
    return Duration(int(match.group(1)), match.group(2))


def parse_sla(spec: str | Mapping) -> dict[int, Duration]:
    """Parse `"4=1h,2-3=1wd"` (or a {rung: duration} mapping) into {rung: Duration}."""
    items = spec.items() if isinstance(spec, Mapping) else (
        part.split("=", 1) if "=" in part else (part, "")
        for part in str(spec).split(",") if part.strip())
    out: dict[int, Duration] = {}
    for key, value in items:
        rungs = str(key).strip()
        low, _, high = rungs.partition("-")
        if not low.isdigit() or (high and not high.isdigit()):
            raise SLAError(f"bad SLA rung {rungs!r}: use e.g. 4 or 2-3")
        for rung in range(int(low), int(high or low) + 1):
            out[rung] = parse_duration(str(value))
    return out


@dataclass(frozen=True)
class SLA:
    """Due-time policy: durations per rung, office time zone and holidays."""

    durations: Mapping[int, Duration]
    tz: ZoneInfo
    holidays: frozenset[dt.date] = frozenset()

    @classmethod
    def of_app(cls, app) -> SLA:
        """Return `app`'s policy, parsed from its config once (it is read on every submit)."""
        sla = app.extensions.get("ews_sla")
        if sla is None:
            sla = app.extensions["ews_sla"] = cls.from_config(app.config)
        return sla

    @classmethod
    def from_config(cls, config: Mapping) -> SLA:
        """Build the policy from app config keys REVIEW_SLA, TIMEZONE and REVIEW_HOLIDAYS."""
        holidays = config.get("REVIEW_HOLIDAYS") or ()
        if isinstance(holidays, str):
            holidays = [h for h in holidays.replace(",", " ").split() if h]
        return cls(durations=parse_sla(config.get("REVIEW_SLA") or DEFAULT_SLA),
                   tz=ZoneInfo(config.get("TIMEZONE") or DEFAULT_TIMEZONE),
                   holidays=frozenset(_dates(holidays)))

    def due_at(self, created_at: dt.datetime, rung: int) -> dt.datetime | None:
        """Return when a decision is due for an item of `rung`, or None when no SLA applies."""
        duration = self.durations.get(rung)
        if duration is None:
            return None
        if created_at.tzinfo is None:  # naive timestamps from SQLite are UTC
            created_at = created_at.replace(tzinfo=dt.UTC)
        return duration.add_to(created_at, self.tz, self.holidays)


def _dates(values: Iterable) -> Iterable[dt.date]:
    for value in values:
        yield value if isinstance(value, dt.date) else dt.date.fromisoformat(str(value))
