"""The demo's interviews as one typed frame, drawn vectorised: learning tests and benchmarks.

Same world as `ews demo` (docs/demo.md): the hidden truths in plan.py's shares, each
interview's answers drawn by the very profile functions of `generate` (sound travel, false
alarms, non-procedural work, trafficking, online scams, recruiter networks), the scam wave,
the offices' catchments and hotspot, the afternoon's skipped questions, and the later
outcomes of `write`. What it adds is speed: it draws `templates` answer sets per truth once
(through `validate_checklist`) and then only picks among them, so a million rows take
seconds. What it leaves out: personal fields, history features (no log: first applications,
own phone), decisions. Outcomes come back for every interview whose truth is not `sound` (the
cases the rule set flags, in the demo) and for a few others, as in `write`.
"""

from __future__ import annotations

import datetime as dt
import random

import numpy as np
import pandas as pd

from ews import wilayah
from ews.checklist import FIELDS, PII_FIELDS, validate_checklist
from ews.checklist.derive import AGE_BANDS
from ews.engine.conditions import typed_frame

from . import plan
from .generate import (
    SKIPPABLE,
    _false_alarm,
    _kecamatan_codes,
    _nonprocedural,
    _scam,
    _sound,
    _trafficking,
    generate,
)
from .plan import Window
from .write import OUTCOMES_BY_TRUTH, UNFLAGGED_OUTCOME_SHARE

TRUTHS = ("sound", "false_alarm", "nonprocedural", "trafficking", "scam", "network")
AGES = ((19, 12), (24, 18), (30, 25), (40, 20), (50, 15), (62, 10))  # age, weight (generate)
DEFAULT_WINDOW = Window(12)
COLUMNS = tuple(n for n in FIELDS if n not in PII_FIELDS)


def shares(risk: float = 1.0) -> dict[str, float]:
    """Return each truth's share outside the scam wave: plan.py's, the risky ones times `risk`.

    `risk` > 1 enriches a small sample (tests need labelled positives); 1 is the demo's.
    """
    risky = {"false_alarm": plan.FALSE_ALARM_SHARE, "nonprocedural": plan.RISKY_SHARE,
             "trafficking": plan.TRAFFICKING_SHARE, "scam": plan.SCAM_SHARE,
             "network": sum(share for _, share, *_ in plan.NETWORKS)}
    risky = {k: v * risk for k, v in risky.items()}
    if sum(risky.values()) >= 1:
        raise ValueError(f"risk {risk} leaves no sound interviews")
    return {"sound": 1 - sum(risky.values())} | risky


def _network_case(rng: random.Random) -> dict:
    name, _, _, phones, agencies, *_ = rng.choices(
        plan.NETWORKS, weights=[share for _, share, *_ in plan.NETWORKS])[0]
    agency = rng.choice(agencies) if agencies and rng.random() < 0.6 else None
    return _nonprocedural(rng, rng.choice(phones), agency)


DRAW = {"sound": _sound, "false_alarm": _false_alarm,
        "nonprocedural": lambda rng: _nonprocedural(rng, None, None),
        "trafficking": _trafficking, "scam": _scam, "network": _network_case}
IDENTITY = {"application_id": "T", "office_code": "PMK", "nik": "3528095001900001",
            "interviewed_at": "2026-01-05T09:00:00+07:00", "full_name": "Pemohon Demo",
            "date_of_birth": "1990-01-10", "sex": "female", "phone": "+6281200000000"}
VALIDATED_AT = dt.datetime(2026, 1, 5, 2, 0, tzinfo=dt.UTC)  # the identity's interview time


def templates(k: int, seed: int, agencies=None) -> pd.DataFrame:
    """Return `k` validated answer sets per truth (typed, rule and derived columns, `truth`)."""
    rng = random.Random(seed)
    rows = []
    for truth in TRUTHS:
        for _ in range(k):
            record = validate_checklist(IDENTITY | DRAW[truth](rng), now=VALIDATED_AT,
                                        agencies=agencies)
            rows.append({n: record.get(n) for n in COLUMNS} | {"truth": truth})
    return typed_frame(rows)


def _times(rng: np.random.Generator, n: int, window: Window) -> pd.DatetimeIndex:
    """Draw `n` sorted interview times (UTC): months by season, weekdays, office hours (WIB)."""
    months = window.month_starts()
    days = [[d for d in pd.date_range(m, plan.month_end(m), inclusive="left") if d.weekday() < 5]
            for m in months]
    weight = np.array([plan.SEASON[m.month] for m in months], float)
    month = rng.choice(len(months), n, p=weight / weight.sum())
    counts = np.array([len(d) for d in days])
    flat = np.concatenate([np.array(d, dtype="datetime64[ns]") for d in days])
    first = np.r_[0, np.cumsum(counts)[:-1]]
    day = flat[first[month] + (rng.random(n) * counts[month]).astype(int)]
    hours = np.array(list(plan.HOURS)), np.array(list(plan.HOURS.values()), float)
    hour = rng.choice(hours[0], n, p=hours[1] / hours[1].sum())
    seconds = hour * 3600 + rng.integers(0, 3600, n) - 7 * 3600  # WIB is UTC+7
    return pd.DatetimeIndex(np.sort(day + seconds.astype("timedelta64[s]")), tz="UTC")


def _origins(rng: np.random.Generator, office_codes: np.ndarray,
             risky: np.ndarray) -> np.ndarray:
    """Draw each interview's kecamatan (6 digits) from its office's catchment; the hotspot's."""
    out = np.empty(len(office_codes), dtype=object)
    for code in np.unique(office_codes):
        rows = np.flatnonzero(office_codes == code)
        catchment = plan.CATCHMENTS.get(code, plan.DEFAULT_CATCHMENT)
        weight = np.array(list(catchment.values()), float)
        regency = rng.choice(list(catchment), len(rows), p=weight / weight.sum())
        for reg in np.unique(regency):
            at = rows[regency == reg]
            out[at] = rng.choice(_kecamatan_codes(reg), len(at))
    out[risky & (rng.random(len(office_codes)) < plan.HOTSPOT_RISKY_SHARE)] = plan.HOTSPOT_KECAMATAN
    return out


def demo_frame(n: int, *, window: Window = DEFAULT_WINDOW, offices: tuple[str, ...] = ("PMK",),
               seed: int = 7, risk: float = 1.0, k: int = 400, agencies=None) -> pd.DataFrame:
    """Return `n` demo interviews as a typed frame like `assessments_frame`, oldest first.

    Parameters
    ----------
    n : interviews to draw.
    window, offices, seed : as for `generate` (deterministic for the arguments).
    risk : multiplies the risky truths' shares (see `shares`); the wave keeps its own share.
    k : answer sets drawn per truth (`templates`).
    agencies : the rule set's licensed agencies (decides the derived `agency_licence`).

    Returns
    -------
    DataFrame with a RangeIndex: every non-personal checklist field (typed), `interviewed_at`
    (UTC), `office_code`, `application_id`, `truth` (the hidden truth) and `outcome` (the
    later label, None where none came back).
    """
    rng = np.random.default_rng(seed)
    share = shares(risk)
    at = _times(rng, n, window)
    wave = window.wave_month()
    in_wave = np.asarray((at.tz_convert(plan.WIB).tz_localize(None) >= pd.Timestamp(wave))
                         & (at.tz_convert(plan.WIB).tz_localize(None)
                            < pd.Timestamp(plan.month_end(wave))))
    p = np.array([share[t] for t in TRUTHS])
    truth = rng.choice(len(TRUTHS), n, p=p)
    scam = TRUTHS.index("scam")
    truth[in_wave & (rng.random(n) < max(plan.SCAM_WAVE_SHARE, share["scam"]))] = scam
    pool = templates(k, seed, agencies)
    frame = pool.iloc[truth * k + rng.integers(0, k, n)].reset_index(drop=True)
    hour = at.tz_convert(plan.WIB).hour.to_numpy()
    skip = pd.Series(hour).map(plan.SKIP_BY_HOUR).fillna(0.02).to_numpy()
    for name in SKIPPABLE:
        frame[name] = frame[name].mask(rng.random(n) < skip)
    office = np.asarray(offices, dtype=object)[rng.integers(0, len(offices), n)]
    kecamatan = _origins(rng, office, truth > 1)
    regency = pd.Series(kecamatan).str[:4]
    age = np.array([a for a, _ in AGES])[rng.choice(len(AGES), n, p=_weights(AGES))] \
        + rng.integers(0, 5, n)  # born up to five years before the age drawn, as `generate`
    risky = truth >= TRUTHS.index("nonprocedural")
    frame["sex"] = pd.Categorical(np.where(rng.random(n) < np.where(risky, 0.65, 0.5),
                                           "female", "male"),
                                  categories=frame["sex"].cat.categories)
    frame["age_band"] = pd.Categorical(_bands(age), categories=frame["age_band"].cat.categories)
    frame["is_minor"] = pd.array(np.zeros(n, bool), dtype="boolean")
    frame["application_type"] = pd.Categorical(
        rng.choice(["new", "replacement", "lost"], n, p=[0.7, 0.27, 0.03]),
        categories=frame["application_type"].cat.categories)
    frame["origin_kecamatan"] = kecamatan
    frame["domicile_regency"] = regency.map(lambda c: wilayah.name(c) or "").to_numpy()
    frame["interviewed_at"] = at
    frame["office_code"] = office
    frame["application_id"] = [f"{o}-DEMO{seed}-{i:07d}" for i, o in enumerate(office)]
    frame["truth"] = np.asarray(TRUTHS, dtype=object)[truth]
    frame["outcome"] = _outcomes(rng, truth)
    return frame


def _weights(pairs) -> np.ndarray:
    w = np.array([x for _, x in pairs], float)
    return w / w.sum()


def _bands(age: np.ndarray) -> np.ndarray:
    names = np.array([band for _, band in AGE_BANDS] + ["55_plus"])  # as `derive` names them
    return names[np.searchsorted([limit for limit, _ in AGE_BANDS], age, side="right")]


def _outcomes(rng: np.random.Generator, truth: np.ndarray) -> np.ndarray:
    """Draw the later labels of `write`: for non-sound truths, and a few sound ones."""
    out = np.full(len(truth), None, dtype=object)
    back = (truth != 0) | (rng.random(len(truth)) < UNFLAGGED_OUTCOME_SHARE)
    for k, name in enumerate(TRUTHS):
        rows = np.flatnonzero(back & (truth == k))
        labels = [label for label, _ in OUTCOMES_BY_TRUTH[name]]
        out[rows] = rng.choice(np.array(labels, dtype=object), len(rows),
                               p=_weights(OUTCOMES_BY_TRUTH[name]))
    return out


def payloads(n: int, *, seed: int = 7, window: Window = DEFAULT_WINDOW,
             offices: tuple[str, ...] = ("PMK", "SBY", "MLG")) -> list[dict]:
    """Return `n` API-shaped checklist payloads of the demo, in interview order."""
    return [case.payload for case in generate(n, window, offices, seed)]


