"""Assess an interview: history features, model advice, the live score and the shadow's.

One function for every edge that scores (the API, the pages, `/score`, the front-desk
intake's interviews); the demo writer shares the row it stores (`submit.assessment_row`).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from ews.checklist import with_agencies
from ews.engine import RuleSet
from ews.lifecycle.compiled import LOOK_UP
from ews.lifecycle.shadow import score_beside
from ews.scoring import score, unstored_result
from ews.store import pii
from ews.store.db import Db

from .advice import model_advice
from .history import history_features


@dataclass(frozen=True)
class Assessed:
    """A scored interview: the record with its history features, the result, the shadow's.

    `shadow` is (row id, result) of the version in shadow, None when none scored it.
    """

    record: dict
    result: dict
    model_version: str | None
    shadow: tuple[int, dict] | None = None


def assess(db: Db, record: dict, ruleset: RuleSet, *, now: dt.datetime,
           nik_hash: str | None, phone_hash: str | None,
           shadow: tuple[int, str] | None | str = LOOK_UP,
           model_key: bytes | None = None) -> Assessed:
    """Score a validated record as of `now`; nothing is stored.

    `nik_hash` and `phone_hash` (keyed) find the applicant's history; `shadow` is the
    (row id, sha256) of the version in shadow when the caller read it, None to score
    without it, LOOK_UP to ask the database; `model_key` (config MODEL_KEY) is what the
    active model's signature is checked with (without it no model advises).
    """
    record = record | history_features(db, nik_hash, phone_hash, now=now,
                                       office_code=record["office_code"],
                                       application_id=record["application_id"])
    advice = model_advice(db, ruleset, record, model_key)
    result = score(record, ruleset, advice.probability, advice.version)
    return Assessed(record, result, advice.version, score_beside(db, record, shadow))


def identity_hashes(record: dict, pii_key: str,
                    identity: dict | None = None) -> tuple[str | None, str | None]:
    """Return the keyed (NIK, phone) hashes: a registration's, else those of the form."""
    if identity is not None:
        return identity["nik_hash"], identity["phone_hash"]
    return pii.nik_hash(pii_key, record["nik"]), pii.phone_hash(pii_key, record["phone"])


def preview(db: Db, record: dict, ruleset: RuleSet, *, pii_key: str,
            now: dt.datetime, model_key: bytes | None = None) -> dict:
    """Return the full result JSON of a record scored without storing it (what-if, training)."""
    record = with_agencies(dict(record), ruleset.agencies, ruleset.manning)
    nik_h, phone_h = identity_hashes(record, pii_key)
    assessed = assess(db, record, ruleset, now=now, nik_hash=nik_h, phone_hash=phone_h,
                      shadow=None, model_key=model_key)
    return unstored_result(assessed.record, assessed.result, now=now)
