"""Review due times: configurable per rung, working days skip weekends and holidays."""

import datetime as dt
from zoneinfo import ZoneInfo

import pytest

from ews.review.sla import SLA, SLAError, parse_sla

WIB = ZoneInfo("Asia/Jakarta")


def at(text: str) -> dt.datetime:
    """Return a WIB local time as aware UTC."""
    return dt.datetime.fromisoformat(text).replace(tzinfo=WIB).astimezone(dt.UTC)


@pytest.mark.parametrize(("created", "rung", "due"), [
    ("2026-11-23 10:00", 4, "2026-11-23 11:00"),   # Monday: one hour
    ("2026-11-23 10:00", 3, "2026-11-24 10:00"),   # one working day
    ("2026-11-23 10:00", 2, "2026-11-24 10:00"),
    ("2026-11-27 15:00", 2, "2026-11-30 15:00"),   # Friday -> Monday
    ("2026-11-28 09:00", 2, "2026-11-30 09:00"),   # Saturday -> Monday
    ("2026-11-27 23:30", 4, "2026-11-28 00:30"),   # the hour SLA runs through weekends
])
def test_default_sla(created, rung, due):
    sla = SLA.from_config({})
    assert sla.due_at(at(created), rung) == at(due)


@pytest.mark.parametrize("rung", [0, 1])
def test_no_due_time_below_review(rung):
    assert SLA.from_config({}).due_at(at("2026-11-23 10:00"), rung) is None


def test_holidays_and_custom_durations():
    sla = SLA.from_config({"REVIEW_SLA": "4=30m,2-3=2wd", "REVIEW_HOLIDAYS": "2026-11-24"})
    assert sla.due_at(at("2026-11-23 10:00"), 4) == at("2026-11-23 10:30")
    assert sla.due_at(at("2026-11-23 10:00"), 2) == at("2026-11-26 10:00")


def test_naive_timestamps_are_utc():
    naive = dt.datetime(2026, 11, 23, 3, 0)  # 10:00 WIB, as SQLite hands it back
    assert SLA.from_config({}).due_at(naive, 4) == at("2026-11-23 11:00")


@pytest.mark.parametrize("spec", ["4=1x", "4=0h", "x=1h", "2-b=1wd", "4"])
def test_bad_specs_name_the_problem(spec):
    with pytest.raises(SLAError, match="bad SLA"):
        parse_sla(spec)
