"""Row seals: what an audit event records about the row it created, so edits are detectable.

A seal names the row (table and key) and carries two SHA-256 digests of canonical JSON:
`h` over the columns that never change (one short per-column digest in `c` locates a
difference), and `p` over the personal and free-text values, which retention may later
replace with fixed redacted values. Workflow columns that change legitimately (status,
claim, decision time) are not sealed.

`GOVERNED` names the tables that govern the service (rule sets, models, users, API tokens)
and the insert-only records beside them (intake registrations, lifecycle evidence). For the
first four only the governing columns (`only`) are sealed, and every event that changes one
of them carries a new seal of the row: `verify` compares each row with its latest seal.
Pure functions: no Flask, no database.
"""

from __future__ import annotations

import datetime as dt
import functools
import hashlib
import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Any

import orjson

_ENCODER = json.JSONEncoder(sort_keys=True, separators=(",", ":"), ensure_ascii=False,
                            default=str)
_quote = json.encoder.encode_basestring  # what the encoder does to str (ensure_ascii=False)


_FLAT = frozenset((str, int, bool, type(None)))
_TEXT = frozenset((str,))
_NESTED = frozenset((dict, list))
_PLAIN = _FLAT | _NESTED
_NO_TEXTS: Mapping[str, str] = MappingProxyType({})
_SORTED = orjson.OPT_SORT_KEYS


def _plain(data: dict | list) -> bool:
    """Return whether `data` nests only dicts (text keys), lists, text, whole numbers,
    booleans and nulls (no floats: orjson writes some exponents differently). Each level's
    types are looked at first: a float in a scorer's result refuses it at once."""
    values = data
    if type(data) is dict:
        if not _TEXT.issuperset(map(type, data)):
            return False
        values = data.values()
    if not _PLAIN.issuperset(map(type, values)):
        return False
    return all(_plain(value) for value in values if type(value) in _NESTED)


def _canonical(data: Any) -> str:
    """Return compact, key-sorted JSON (the fast paths give the encoder's own text)."""
    if isinstance(data, str):
        return _quote(data)
    if data is None:
        return "null"
    if data is True or data is False:
        return "true" if data else "false"
    if isinstance(data, int) and not isinstance(data, bool):
        return str(data)
    if (isinstance(data, dict) and _FLAT.issuperset(map(type, data.values()))
            and _TEXT.issuperset(map(type, data))) or \
            (isinstance(data, list) and _FLAT.issuperset(map(type, data))) or \
            (type(data) in _NESTED and _plain(data)):
        # Dicts and lists of text, whole numbers, booleans and nulls (answers, an audit
        # event's content and its data with the row's seal): orjson writes the same text as
        # the encoder (no floats, whose exponents it writes differently), several times
        # faster. tests/test_audit_seal.py holds the two equal.
        try:
            return orjson.dumps(data, option=_SORTED).decode()
        except orjson.JSONEncodeError:  # beyond 64-bit integers, unpaired surrogates
            pass
    return _ENCODER.encode(data)


canonical_text = _canonical  # the one canonical JSON of ews, for other modules


def _sha(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()


@functools.lru_cache(maxsize=4096)
def _short(text: str) -> str:
    """Return a column's short digest; bulk writers repeat most values (null, a code)."""
    return _sha(text)[:8]


def _digest(data: Any) -> str:
    return _sha(_canonical(data))


def _digest_texts(texts: dict[str, str]) -> str:
    """Return the digest of a dict whose values are given as their canonical texts."""
    return _sha("{" + ",".join(f"{_quote(k)}:{texts[k]}" for k in sorted(texts)) + "}")


def normal(value: Any) -> Any:
    """Return a value as it hashes: datetimes as UTC text (SQLite hands back naive UTC)."""
    if isinstance(value, dt.datetime):
        if value.tzinfo is not None:
            value = value.astimezone(dt.UTC).replace(tzinfo=None)
        return value.isoformat(sep=" ", timespec="microseconds")
    if isinstance(value, dt.date):
        return value.isoformat()
    return value


@dataclass(frozen=True)
class Spec:
    """How one table is sealed and redacted.

    `personal` maps a column, or `column.key` inside a JSON column, to the value retention
    puts there (a constant, or a function of the row for values that must stay unique).
    """

    table: str
    key: str
    at: str  # the row's time: retention redacts rows older than its cutoff
    mutable: tuple[str, ...] = ()
    personal: Mapping[str, Any] = field(default_factory=dict)
    only: tuple[str, ...] = ()  # when given: the sealed columns (the rest may change freely)

    def redacted(self, name: str, row: Mapping) -> Any:
        """Return the value retention puts into personal field `name` of `row`."""
        value = self.personal[name]
        return value(row) if callable(value) else value


def _own_id(row: Mapping) -> str:
    return str(row["id"])


SPECS: dict[str, Spec] = {
    "assessments": Spec(
        "assessments", "id", "created_at",
        # superseded_by: set when a follow-up version of the interview replaces this one.
        mutable=("status", "claimed_by", "claimed_at", "decided_at", "superseded_by"),
        # The application number and the keyed hashes link to a person; free text and the
        # village may name or locate one. Score, rung, action, dates, office and the other
        # answers (audit variables included) stay for reports.
        personal={"application_id": _own_id, "answers_hash": "", "nik_hash": None,
                  "phone_hash": None, "recruiter_phone_hash": None,
                  "answers.officer_notes": None,
                  "answers.domicile_village": None}),
    "decisions": Spec("decisions", "id", "decided_at", personal={"reason": ""}),
    "assessment_corrections": Spec("assessment_corrections", "assessment_id", "corrected_at",
                                   personal={"reason": ""}),
    "outcomes": Spec("outcomes", "id", "recorded_at", personal={"notes": None}),
}

# Re-sealed by every event that changes them (see `ews.audit.governed`); not redacted by
# retention except the registrations (the values retention puts there: #20 H3).
GOVERNED: dict[str, Spec] = {
    "rulesets": Spec("rulesets", "id", "created_at",
                     only=("sha256", "ruleset_id", "version", "text", "agencies_csv",
                           "status")),
    "models": Spec("models", "id", "submitted_at",
                   only=("version", "sha256", "path", "status")),
    "users": Spec("users", "id", "created_at",
                  only=("username", "role", "office_code", "active")),
    "api_tokens": Spec("api_tokens", "id", "created_at",
                       only=("user_id", "token_sha256", "expires_at", "revoked_at")),
    "applications": Spec("applications", "id", "registered_at",
                         personal={"application_id": _own_id, "intake_hash": "",
                                   "nik_hash": "", "phone_hash": None,
                                   "domicile_village": None}),
    "lifecycle_evidence": Spec("lifecycle_evidence", "id", "created_at"),
}
ALL_SPECS: dict[str, Spec] = SPECS | GOVERNED


def personal_value(row: Mapping, name: str) -> Any:
    """Return personal field `name` (`column` or `column.key`) of a row."""
    column, _, key = name.partition(".")
    value = row.get(column)
    if key:
        return (value or {}).get(key)
    return value


@functools.cache
def _layout(table: str) -> tuple[frozenset[str], dict[str, frozenset[str]]]:
    """Return the unsealed columns and, per JSON column, its personal keys."""
    spec = ALL_SPECS[table]
    skip = set(spec.mutable) | {name for name in spec.personal if "." not in name}
    inner: dict[str, set[str]] = {}
    for name in spec.personal:
        column, _, key = name.partition(".")
        if key:
            inner.setdefault(column, set()).add(key)
    return frozenset(skip), {k: frozenset(v) for k, v in inner.items()}


def _split(spec: Spec, row: Mapping,
           texts: Mapping[str, str] = _NO_TEXTS) -> tuple[dict[str, str], dict]:
    """Return the canonical text of each sealed column, and the personal values."""
    skip, inner = _layout(spec.table)
    if spec.only:
        return {column: _canonical(normal(row[column])) for column in spec.only}, {}
    sealed = {}
    for column, value in row.items():
        if column in skip:
            continue
        if column in texts:
            sealed[column] = texts[column]
            continue
        if column in inner and isinstance(value, Mapping):
            value = {k: v for k, v in value.items() if k not in inner[column]}
        kind = type(value)  # the common column types first: the rest through normal()
        sealed[column] = _quote(value) if kind is str else "null" if value is None else \
            str(value) if kind is int else _canonical(normal(value))
    personal = {name: normal(personal_value(row, name)) for name in spec.personal}
    return sealed, personal


def seal(table: str, row: Mapping, texts: Mapping[str, str] = _NO_TEXTS) -> dict:
    """Return the seal of a row (all its stored columns) to put into its audit event.

    `texts` may give the canonical text of columns (JSON documents without personal keys)
    that a bulk writer has at hand already: the scorer's result it stores many times.
    """
    spec = ALL_SPECS[table]
    sealed, personal = _split(spec, row, texts)
    return {"t": table, "id": str(row[spec.key]), "h": _digest_texts(sealed),
            "p": _digest(personal), "c": {name: _short(text) for name, text in sealed.items()}}


def check(stored: dict, row: Mapping, redacted_before: dt.datetime | None) -> str | None:
    """Compare a row with its seal; return what differs (column names only) or None.

    Personal values may differ when retention has redacted them: the row is older than a
    recorded retention cutoff and holds exactly the redacted values.
    """
    spec = ALL_SPECS[stored["t"]]
    sealed, personal = _split(spec, row)
    columns = stored["c"]
    missing = sorted(set(columns) - set(sealed))
    if missing:
        return f"column {', '.join(missing)} missing"
    sealed = {name: sealed[name] for name in columns}
    if _digest_texts(sealed) != stored["h"]:
        differ = [name for name in columns if _sha(sealed[name])[:8] != columns[name]]
        return f"{', '.join(differ or ['content'])} differ"
    if _digest(personal) != stored["p"] and not _redacted(spec, row, redacted_before):
        return "personal or free-text fields differ"
    return None


def _redacted(spec: Spec, row: Mapping, before: dt.datetime | None) -> bool:
    if before is None or row.get(spec.at) is None:
        return False
    if normal(row[spec.at]) >= normal(before):
        return False
    return all(personal_value(row, name) == spec.redacted(name, row) for name in spec.personal)
