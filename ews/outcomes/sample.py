"""The random follow-up sample: a share of the interviews below review, drawn for follow-up.

Only labels of interviews the rules let through tell what the rules miss; supervisors follow
up the flagged cases anyway. At submission, after the result is computed, an interview that
ends below supervisor review is drawn with probability p (`EWS_FOLLOWUP_SAMPLE`, per office)
by an HMAC of its id under a key derived from the installation's secret key: no one can
predict or steer the draw without that key, and the same id always draws the same way.
The draw is stored with its p (an estimate weights its label by 1/p) and audited; the
officer's result does not show it. Pure functions and one insert: no Flask, no clock.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import math
from collections.abc import Mapping
from dataclasses import dataclass, field

from sqlalchemy import insert

from ews import audit
from ews.store.db import Db, connection_of
from ews.store.direct import Direct
from ews.store.models import FollowupSample

DEFAULT_RATE = 0.02
AUDIT_KIND = "outcome.sampled"
_SCALE = 2.0 ** 64


class SampleConfigError(ValueError):
    """EWS_FOLLOWUP_SAMPLE is not `RATE` or `RATE,OFFICE=RATE,...` with rates in [0, 1]."""


def sample_key(secret_key: str) -> bytes:
    """Return the sampling key derived from the installation's secret key (never stored)."""
    return hmac.new(secret_key.encode(), b"ews-followup-sample-v1", hashlib.sha256).digest()


def selected(key: bytes, assessment_id: str, probability: float) -> bool:
    """Return True when the interview `assessment_id` is drawn at `probability`.

    The HMAC-SHA256 of the id under `key`, read as a number in [0, 1), is below p: without
    the key the draw looks random, and ids are random UUIDs chosen by the server.
    """
    if probability <= 0:
        return False
    digest = hmac.digest(key, assessment_id.encode(), "sha256")
    return int.from_bytes(digest[:8], "big") / _SCALE < probability


def _rate(text: str, what: str) -> float:
    try:
        value = float(text)
    except ValueError:
        value = math.nan
    if not 0.0 <= value <= 1.0:  # NaN fails too
        raise SampleConfigError(f"EWS_FOLLOWUP_SAMPLE: {what} must be a share between 0 and "
                                f"1 (e.g. 0.02), not {text!r}")
    return value


@dataclass(frozen=True)
class Rates:
    """The sampling share: a default and per-office overrides."""

    default: float = DEFAULT_RATE
    offices: Mapping[str, float] = field(default_factory=dict)

    def of(self, office_code: str) -> float:
        """Return the share that applies to `office_code`."""
        return self.offices.get(office_code, self.default)


def parse_rates(text: str | None) -> Rates:
    """Parse `0.02` or `0.02,PMK=0.05,SBY=0` (blank: the default 0.02 everywhere)."""
    text = (text or "").strip()
    if not text:
        return Rates()
    default, offices = DEFAULT_RATE, {}
    for i, part in enumerate(p.strip() for p in text.split(",")):
        office, sep, value = part.partition("=")
        if not sep:
            if i:
                raise SampleConfigError("EWS_FOLLOWUP_SAMPLE: the default share comes first, "
                                        "then OFFICE=SHARE pairs")
            default = _rate(part, "the default share")
            continue
        code = office.strip().upper()
        if not (2 <= len(code) <= 16 and code.isalnum() and code.isascii()):
            raise SampleConfigError(f"EWS_FOLLOWUP_SAMPLE: {office.strip()!r} is not an office "
                                    "code (2-16 letters or digits)")
        offices[code] = _rate(value.strip(), f"the share of {code}")
    return Rates(default, offices)


@dataclass(frozen=True)
class Sampler:
    """What a submission needs to draw: the key and the shares (built once per app)."""

    key: bytes
    rates: Rates

    @classmethod
    def of_config(cls, config: Mapping) -> Sampler:
        """Return the sampler of an app or CLI configuration (SECRET_KEY, FOLLOWUP_SAMPLE)."""
        rates = config.get("FOLLOWUP_SAMPLE")
        if not isinstance(rates, Rates):
            rates = parse_rates(rates)
        return cls(sample_key(config["SECRET_KEY"]), rates)

    def draw(self, values: Mapping, now: dt.datetime) -> dict | None:
        """Return the sample row of a new assessment's stored values, or None.

        Only interviews below review (no decision required) are drawn: the flagged ones
        are followed up by their supervisor anyway.
        """
        if values["decision_required"]:
            return None
        p = self.rates.of(values["office_code"])
        if not selected(self.key, values["id"], p):
            return None
        return {"assessment_id": values["id"], "office_code": values["office_code"],
                "probability": p, "selected_at": now}


_INSERT = Direct(insert(FollowupSample.__table__))


def store(session: Db, drawn: dict) -> None:
    """Insert a drawn sample and its audit event into the caller's transaction."""
    _INSERT.run(connection_of(session), drawn)
    audit.append(session, audit.prepare(
        AUDIT_KIND, actor=None, office_code=drawn["office_code"],
        subject=drawn["assessment_id"], data={"probability": drawn["probability"]}))
