"""Checklist validation: a marshmallow schema generated from the field registry.

`validate_checklist` turns submitted answers into a *record*: every input field present
(None = not assessed), plus the derived `is_minor` and `age_band`. Error messages exist in
Indonesian and English and never echo the rejected value (it may be a NIK or a phone).
"""

from __future__ import annotations

import datetime as dt
from functools import cache
from typing import Any

from marshmallow import RAISE, Schema, ValidationError, fields, validate, validates_schema

from .countries import ISO_COUNTRIES
from .fields import FIELDS, INPUT_FIELDS, Field

MESSAGES = {
    "required": {"id": "Wajib diisi.", "en": "This field is required."},
    "null": {"id": "Tidak boleh kosong.", "en": "May not be empty."},
    "unknown": {"id": "Isian tidak dikenal.", "en": "Unknown field."},
    "type": {"id": "Jenis data tidak valid.", "en": "Invalid value type."},
    "choice": {"id": "Pilihan tidak valid; pilih salah satu: {choices}.",
               "en": "Must be one of: {choices}."},
    "bool": {"id": "Harus ya atau tidak.", "en": "Must be true or false."},
    "int": {"id": "Harus bilangan bulat.", "en": "Must be a whole number."},
    "range": {"id": "Harus antara {min} dan {max}.", "en": "Must be between {min} and {max}."},
    "length": {"id": "Panjang harus {min}-{max} karakter.",
               "en": "Length must be {min}-{max} characters."},
    "digits16": {"id": "Harus tepat 16 angka.", "en": "Must be exactly 16 digits."},
    "phone": {"id": "Nomor telepon tidak valid.", "en": "Not a valid phone number."},
    "country": {"id": "Bukan kode negara ISO 3166-1 alpha-2.",
                "en": "Not an ISO 3166-1 alpha-2 country code."},
    "date": {"id": "Tanggal tidak valid (TTTT-BB-HH).", "en": "Not a valid date (YYYY-MM-DD)."},
    "datetime": {"id": "Waktu tidak valid (ISO 8601).", "en": "Not a valid datetime (ISO 8601)."},
    "future": {"id": "Tidak boleh di masa depan.", "en": "May not be in the future."},
    "conditional": {"id": "Wajib diisi bila {when}.", "en": "Required when {when}."},
}
LANGS = ("id", "en")


def message(key: str, lang: str, **kw: Any) -> str:
    """Return the message `key` in `lang` (Indonesian when unknown), formatted."""
    text = MESSAGES[key].get(lang) or MESSAGES[key]["id"]
    return text.format(**kw) if kw else text


class _Str(fields.String):
    """A string that is stripped, with blank meaning 'not assessed' (null)."""

    def deserialize(self, value, attr=None, data=None, **kwargs):
        if isinstance(value, str):
            value = value.strip() or None
        return super().deserialize(value, attr, data, **kwargs)


class _Country(_Str):
    """An ISO country code, upper-cased."""

    def deserialize(self, value, attr=None, data=None, **kwargs):
        if isinstance(value, str):
            value = value.upper()
        return super().deserialize(value, attr, data, **kwargs)


def _field(f: Field, lang: str) -> fields.Field:
    invalid = {"enum": "type", "bool": "bool", "int": "int", "date": "date",
               "datetime": "datetime"}.get(f.kind, "type")
    kw: dict[str, Any] = {"required": f.required, "allow_none": not f.required,
                          "error_messages": {"required": message("required", lang),
                                             "null": message("null", lang),
                                             "invalid": message(invalid, lang)}}
    if not f.required:
        kw["load_default"] = None
    if f.kind == "enum":
        error = message("choice", lang, choices=", ".join(f.values))
        return _Str(validate=validate.OneOf(f.values, error=error), **kw)
    if f.kind == "country":
        error = message("country", lang)
        return _Country(validate=validate.OneOf(sorted(ISO_COUNTRIES), error=error), **kw)
    if f.kind == "bool":
        return fields.Boolean(**kw)
    if f.kind == "int":
        error = message("range", lang, min=f.minimum, max=f.maximum)
        return fields.Integer(strict=False, validate=validate.Range(f.minimum, f.maximum,
                                                                    error=error), **kw)
    if f.kind == "date":
        return fields.Date(**kw)
    if f.kind == "datetime":
        return fields.AwareDateTime(default_timezone=dt.UTC, **kw)
    if "pattern" in f.extra:
        check = validate.Regexp(f"^(?:{f.extra['pattern']})$",
                                error=message(f.extra["error"], lang))
    else:
        check = validate.Length(f.minimum, f.maximum,
                                error=message("length", lang, min=f.minimum or 0, max=f.maximum))
    return _Str(validate=check, **kw)


def _condition_text(f: Field, lang: str) -> str:
    """Say in the officer's words when a conditional field applies."""
    yes = {"id": "Ya", "en": "Yes"}
    parts = []
    for name, values in f.applies_when.items():
        other = FIELDS[name]
        labels = dict(other.choices)
        shown = [yes[lang] if v is True else labels[v][lang] for v in values]
        parts.append(f"{other.label[lang]}: {' / '.join(shown)}")
    return (" atau " if lang == "id" else " or ").join(parts)


def _validate_record(self, data: dict) -> None:
    errors: dict[str, list[str]] = {}
    now = dt.datetime.now(dt.UTC)
    dob = data.get("date_of_birth")
    if dob is not None and dob > now.date():
        errors["date_of_birth"] = [message("future", self.lang)]
    for f in INPUT_FIELDS:
        if f.required_when_applicable and f.applies(data):
            if data.get(f.name) in (None, "not_applicable"):
                errors.setdefault(f.name, []).append(
                    message("conditional", self.lang, when=_condition_text(f, self.lang)))
    if errors:
        raise ValidationError(errors)


@cache
def checklist_schema(lang: str = "en") -> Schema:
    """Return the (cached) checklist schema whose messages are in `lang`."""
    attrs: dict[str, Any] = {f.name: _field(f, lang) for f in INPUT_FIELDS}
    attrs["lang"] = lang

    def check(self, data, **kwargs):
        _validate_record(self, data)

    attrs["_validate_record"] = validates_schema(skip_on_field_errors=False)(check)
    attrs["Meta"] = type("Meta", (), {"unknown": RAISE})
    attrs["error_messages"] = {"unknown": message("unknown", lang),
                               "type": message("type", lang)}
    return type(f"ChecklistSchema_{lang}", (Schema,), attrs)()


AGE_BANDS = ((18, "under_18"), (25, "18_24"), (35, "25_34"), (45, "35_44"), (55, "45_54"))


def age_on(dob: dt.date, day: dt.date) -> int:
    """Return completed years of age on `day`."""
    return day.year - dob.year - ((day.month, day.day) < (dob.month, dob.day))


def derive(record: dict) -> dict:
    """Add `is_minor` and `age_band` (point-in-time, at the interview) to a record."""
    dob = record.get("date_of_birth")
    if dob is None:
        record["is_minor"] = record["age_band"] = None
        return record
    age = age_on(dob, record["interviewed_at"].date())
    record["is_minor"] = age < 18
    record["age_band"] = next((band for limit, band in AGE_BANDS if age < limit), "55_plus")
    return record


def validate_checklist(payload: Any, lang: str = "en", now: dt.datetime | None = None) -> dict:
    """Validate and normalise answers into a record; raise ValidationError naming fields."""
    if not isinstance(payload, dict):
        raise ValidationError({"_schema": [message("type", lang)]})
    record = checklist_schema(lang).load(payload)
    if record.get("interviewed_at") is None:
        record["interviewed_at"] = now or dt.datetime.now(dt.UTC)
    for name in FIELDS:
        record.setdefault(name, None)
    return derive(record)


_RULE_INPUTS = tuple((f.name, tuple(f.applies_when.items()) if f.applies_when else None)
                     for f in INPUT_FIELDS if f.role == "rule")


def completeness(record: dict) -> float:
    """Return the share of applicable `rule` input fields that were answered."""
    applicable = answered = 0
    get = record.get
    for name, when in _RULE_INPUTS:
        if when is None or any(get(k) in values for k, values in when):
            applicable += 1
            answered += get(name) is not None
    return round(answered / applicable, 3) if applicable else 1.0
