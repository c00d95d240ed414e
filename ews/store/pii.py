"""Personal data handling before storage: keyed hashes for linking, nothing in clear.

NIK and phone are kept only as HMAC-SHA256 under EWS_PII_KEY (without the key a hash cannot
be reversed by trying all 16-digit numbers). Full name and date of birth are not stored at
all; only the derived `is_minor` and `age_band` are.
"""

from __future__ import annotations

import datetime as dt
import functools
import hmac
import re

from ews.audit.seal import canonical_text
from ews.checklist import FIELDS, FIELDS_V1
from ews.checklist.schema import V1_ANSWERS

_NON_DIGITS = re.compile(r"\D")
DERIVED = tuple(name for name, f in FIELDS.items() if f.derived)
# The names each function reads, computed once (these run for every stored interview).
_HASHED = tuple(name for name in FIELDS if name not in DERIVED and name != "interviewed_at")
_STORED = {version: tuple(name for name, f in fields.items()
                          if not f.derived and f.role != "pii")
           for version, fields in ((1, FIELDS_V1), (2, FIELDS))}
_DATES = (dt.datetime, dt.date)
# The fields whose values are dates or times (validated: no other field holds one).
_DATE_FIELDS = frozenset(name for fields in (FIELDS, FIELDS_V1) for name, f in fields.items()
                         if f.kind in ("date", "datetime"))


def keyed_hash(key: str, kind: str, value: str) -> str:
    """Return the HMAC-SHA256 hex of `value`, separated by `kind` so NIK and phone never meet."""
    return hmac.digest(key.encode(), f"{kind}:{value}".encode(), "sha256").hex()


def normal_phone(phone: str) -> str:
    """Return the digits of an Indonesian phone number with a 62 country prefix."""
    digits = _NON_DIGITS.sub("", phone)
    return "62" + digits[1:] if digits.startswith("0") else digits


def nik_hash(key: str, nik: str | None) -> str | None:
    """Return the keyed hash of a NIK, or None when not given."""
    return keyed_hash(key, "nik", nik) if nik else None


def phone_hash(key: str, phone: str | None) -> str | None:
    """Return the keyed hash of a normalised phone number, or None when not given."""
    return keyed_hash(key, "phone", normal_phone(phone)) if phone else None


@functools.cache
def _dates_in(names: tuple[str, ...]) -> tuple[str, ...]:
    """Return the names of date and time fields among `names` (module constants: cached)."""
    return tuple(name for name in names if name in _DATE_FIELDS)


def _json_ready(record: dict, names: tuple[str, ...]) -> dict:
    """Return the values of `names` in `record`, dates and times as ISO text."""
    out = dict(zip(names, map(record.get, names), strict=True))
    for name in _dates_in(names):
        out[name] = _jsonable(out[name])
    return out


def _jsonable(value):
    if not isinstance(value, _DATES):
        return value
    if isinstance(value, dt.datetime):
        return value.astimezone(dt.UTC).isoformat()
    if isinstance(value, dt.date):
        return value.isoformat()
    return value


def answers_hash(key: str, record: dict) -> str:
    """Return a keyed hash of the submitted answers, PII included, interview time excluded.

    The interview time is left out because forms and clients default it to "now", so a
    retry of the same interview would otherwise look like different answers.
    """
    canon = _json_ready(record, _HASHED)
    if canon.get("phone"):
        canon["phone"] = normal_phone(canon["phone"])
    return keyed_hash(key, "answers", canonical_text(canon))


def storable_answers(record: dict) -> dict:
    """Return the input answers as given (v1 names for a v1 payload), without personal data."""
    given, names = record.get(V1_ANSWERS), _STORED[2]
    if given is not None:
        record, names = given, _STORED[1]
    return _json_ready(record, names)


def derived_features(record: dict) -> dict:
    """Return the derived features of a record (point-in-time), JSON-ready."""
    return _json_ready(record, DERIVED)
