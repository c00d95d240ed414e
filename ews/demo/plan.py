"""What the demo plants (docs/demo.md): offices' catchments, hotspots, networks, season, wave.

Pure data and small pure helpers; `generate` draws the cases from them with one seeded RNG.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

# Regencies (Kemendagri codes) each office serves; an unknown office gets DEFAULT_CATCHMENT.
CATCHMENTS = {
    "PMK": {"3528": 60, "3527": 20, "3529": 20},   # Kanim Pamekasan: Madura east and centre
    "SBY": {"3578": 50, "3515": 20, "3525": 15, "3526": 15},  # Surabaya, Sidoarjo, Gresik...
    "MLG": {"3573": 45, "3507": 40, "3579": 15},   # Malang city and regency, Batu
    "BWI": {"3510": 70, "3511": 30},               # Banyuwangi, Bondowoso
    "KDR": {"3571": 30, "3506": 40, "3503": 30},   # Kediri, Trenggalek
    "JMB": {"3509": 70, "3508": 30},               # Jember, Lumajang
}
DEFAULT_CATCHMENT = {"3522": 40, "3524": 30, "3523": 30}  # Bojonegoro, Lamongan, Tuban
MAX_OFFICES = 999


def office_codes(count: int) -> tuple[str, ...]:
    """Return `count` office codes: the planted offices first, then K007, K008, ... (a
    national run: about 125 passport offices)."""
    if not 1 <= count <= MAX_OFFICES:
        raise ValueError(f"between 1 and {MAX_OFFICES} offices")
    named = tuple(CATCHMENTS)[:count]
    return named + tuple(f"K{k:03d}" for k in range(len(named) + 1, count + 1))

# The planted hotspot: kecamatan Pakong (Pamekasan) and, inside it, one desa.
HOTSPOT_KECAMATAN = "352809"
HOTSPOT_DESA_SHARE = 0.6   # of the hotspot's risky cases (networks too) from its first desa
HOTSPOT_RISKY_SHARE = 0.35  # of all risky (non-network) cases, this share come from the hotspot

# Recruiter networks: (name, share of all assessments, minimum size, recruiter phones,
# unlicensed agency names, home kecamatan, share of members from home). Members spread over
# every office.
NETWORKS = (
    ("A", 0.002, 30, ("+6281234500001", "+6281234500002"), ("PT Sinar Jaya Abadi Mandiri",),
     "352809", 0.5),
    ("B", 0.001, 16, ("+6285299900003",), ("CV Berkah Makmur Sejahtera",), "352704", 0.15),
    ("C", 0.0005, 9, ("+6287766600004",), (), "352910", 0.15),
)
# Each office's underlying risky share (non-procedural cover stories and trafficking-like
# profiles): with false alarms this puts supervisor review near 0.5-1% of interviews.
RISKY_SHARE = 0.002
TRAFFICKING_SHARE = 0.0005
SCAM_SHARE = 0.0003        # online-scam recruitment outside the wave month
FALSE_ALARM_SHARE = 0.003
SCAM_WAVE_SHARE = 0.06     # of the applicants of the wave month
# Coached applicants tell a cover story whose answers look clean or weak, scoring below
# supervisor review: the checklist misses them, and only the random follow-up sample and,
# months later, an external list label them. CONCEAL: the share of each drawn profile that
# conceals; HIDDEN_SHARE: applicants drawn as sound who are in truth non-procedural or
# trafficked (split as the two shares above) and conceal it. Network members are left out
# (the recruiter's phone and agency link them whatever they answer), and so are the scam
# wave's recruits: they tell the tourist story they were given, unaware that the one-way
# ticket and the job offer by chat give them away.
CONCEAL = {"nonprocedural": 0.6, "trafficking": 0.6}
HIDDEN_SHARE = 0.002
# Month weights by calendar month: umrah before Ramadan (Jan-Feb), work departures after Eid
# (April-May), a dip during Ramadan (March).
SEASON = {1: 1.2, 2: 1.4, 3: 0.6, 4: 1.6, 5: 1.4, 6: 1.0, 7: 1.0, 8: 0.9, 9: 0.9, 10: 1.0,
          11: 0.9, 12: 1.1}
DEFAULT_END = dt.date(2026, 11, 1)  # exclusive: the window is the M months before it
WIB = dt.timezone(dt.timedelta(hours=7))
# Hours of the day (WIB) when interviews happen, and the not-asked share by hour: officers
# skip more questions late in the day (the fatigue signal the officers report shows).
HOURS = {8: 14, 9: 18, 10: 18, 11: 14, 12: 6, 13: 12, 14: 10, 15: 8}
SKIP_BY_HOUR = {8: 0.01, 9: 0.01, 10: 0.015, 11: 0.02, 12: 0.03, 13: 0.04, 14: 0.08, 15: 0.12}


@dataclass(frozen=True)
class Window:
    """The demo's months: `months` whole months ending before `end` (first day of a month)."""

    months: int
    end: dt.date = DEFAULT_END

    def month_starts(self) -> list[dt.date]:
        """Return the first day of every month in the window, oldest first."""
        out, day = [], self.end
        for _ in range(self.months):
            day = (day - dt.timedelta(days=1)).replace(day=1)
            out.append(day)
        return out[::-1]

    def wave_month(self) -> dt.date:
        """Return the first day of the scam-wave month: month number 2M/3 of the window."""
        return self.month_starts()[(2 * self.months) // 3]


def month_end(start: dt.date) -> dt.date:
    """Return the first day of the month after `start`."""
    return (start + dt.timedelta(days=32)).replace(day=1)
