"""Checklist validation: marshmallow schemas generated from the field registries.

`validate_checklist` turns submitted answers into a *record*: every v2 input field present
(None = not asked), plus the derived fields. Version 1 payloads are validated against the v1
registry and mapped to v2. Types are strict (a JSON number is not a boolean, a string is not
a number); text refuses control and bidi characters. Error messages exist in Indonesian and
English and never echo the rejected value (it may be a NIK or a phone).
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import re
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from contextvars import ContextVar
from functools import cache
from typing import Any

from marshmallow import RAISE, Schema, ValidationError, fields, missing, validate, validates_schema

from ews import wilayah

from . import nik as nik_rules
from .countries import ISO_COUNTRIES
from .derive import derive
from .fields import FIELDS, INPUT_FIELDS, Field
from .text import collapse_spaces, has_invisible
from .v1 import FIELDS_V1, INPUT_FIELDS_V1, to_v2

VERSIONS = (1, 2)
V1_ANSWERS = "v1_answers"  # the validated v1 answers kept beside their v2 mapping
CURRENT_VERSION = 2
MESSAGES = {
    "required": {"id": "Wajib diisi.", "en": "This field is required."},
    "null": {"id": "Tidak boleh kosong.", "en": "May not be empty."},
    "unknown": {"id": "Isian tidak dikenal.", "en": "Unknown field."},
    "unknown_v1": {"id": "Isian tidak dikenal pada daftar periksa versi 1.",
                   "en": "Unknown field in checklist version 1."},
    "type": {"id": "Jenis data tidak valid.", "en": "Invalid value type."},
    "choice": {"id": "Pilihan tidak valid; pilih salah satu: {labels}.",
               "en": "Must be one of: {choices}."},
    "bool": {"id": "Harus ya (true) atau tidak (false).", "en": "Must be true or false."},
    "int": {"id": "Harus bilangan bulat.", "en": "Must be a whole number."},
    "range": {"id": "Harus antara {min} dan {max}.", "en": "Must be between {min} and {max}."},
    "length": {"id": "Panjang harus {min}-{max} karakter.",
               "en": "Length must be {min}-{max} characters."},
    "text": {"id": "Mengandung karakter kontrol atau karakter arah teks yang tidak diizinkan.",
             "en": "Contains control or text-direction characters, which are not allowed."},
    "identifier": {"id": "Hanya huruf, angka, titik, garis miring dan tanda hubung "
                         "(maksimal 64).",
                   "en": "Letters, digits, dot, slash and hyphen only (at most 64)."},
    "office": {"id": "Kode kantor: 2-16 huruf besar atau angka.",
               "en": "Office code: 2-16 capital letters or digits."},
    "phone": {"id": "Nomor telepon tidak valid.", "en": "Not a valid phone number."},
    "country": {"id": "Bukan kode negara dua huruf yang dikenal.",
                "en": "Not a known two-letter country code (ISO 3166-1 alpha-2)."},
    "date": {"id": "Tanggal tidak valid (TTTT-BB-HH).", "en": "Not a valid date (YYYY-MM-DD)."},
    "datetime": {"id": "Waktu tidak valid (ISO 8601 dengan zona waktu).",
                 "en": "Not a valid datetime (ISO 8601 with a time zone)."},
    "future": {"id": "Tidak boleh di masa depan.", "en": "May not be in the future."},
    "too_old": {"id": "Tanggal tidak masuk akal (sebelum {year}).",
                "en": "Not a plausible date (before {year})."},
    "conditional": {"id": "Wajib diisi bila {when}.", "en": "Required when {when}."},
    "version": {"id": "Versi daftar periksa tidak dikenal; gunakan 1 atau 2.",
                "en": "Unknown checklist version; use 1 or 2."},
    **nik_rules.MESSAGES,
    "desa": {"id": "Kode desa/kelurahan: 10 angka kode Kemendagri.",
             "en": "A village code is the 10-digit Kemendagri code."},
    "desa_unknown": {"id": "Kode desa/kelurahan tidak ada di daftar Kemendagri.",
                     "en": "The village code is not in the Kemendagri list."},
    "desa_kecamatan": {"id": "Desa/kelurahan ini tidak berada di kecamatan NIK (6 angka "
                             "pertama).",
                       "en": "This village is not in the NIK's kecamatan (first 6 digits)."},
}
LANGS = ("id", "en")
EARLIEST_BIRTH = dt.date(1900, 1, 1)
EARLIEST_INTERVIEW = dt.datetime(2015, 1, 1, tzinfo=dt.UTC)
CLOCK_SKEW = dt.timedelta(days=1)
# C0/C1 controls (tab and newline allowed only in multi-line notes), bidi overrides and
# isolates, and lone surrogates: all invisible ways to make stored text lie.
_BAD_TEXT = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\u200e\u200f\u202a-\u202e"
                       "\u2066-\u2069\ud800-\udfff]")
_BAD_LINE = re.compile("[\t\n\r]")


def message(key: str, lang: str, **kw: Any) -> str:
    """Return the message `key` in `lang` (Indonesian when unknown), formatted."""
    text = MESSAGES[key].get(lang) or MESSAGES[key]["id"]
    if "choices" in kw:  # callers without officer labels list the values themselves
        kw.setdefault("labels", kw["choices"])
    return text.format(**kw) if kw else text


class _Str(fields.String):
    """A string that is stripped, with blank meaning 'not asked' (null), and clean text."""

    def __init__(self, *args, multiline: bool = False, text_error: str = "",
                 collapse: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        self.multiline, self.text_error, self.collapse = multiline, text_error, collapse

    def _deserialize(self, value, attr, data, **kwargs):
        if not isinstance(value, str):
            raise self.make_error("invalid")
        if _BAD_TEXT.search(value) or (not self.multiline and _BAD_LINE.search(value)) \
                or has_invisible(value):
            raise ValidationError(self.text_error)
        return collapse_spaces(value) if self.collapse else value

    def prepare(self, value):
        """Return the value as deserialised: stripped text, blank as null."""
        return (value.strip() or None) if isinstance(value, str) else value

    def deserialize(self, value, attr=None, data=None, **kwargs):
        return super().deserialize(self.prepare(value), attr, data, **kwargs)


class _Country(_Str):
    """An ISO country code, upper-cased."""

    def prepare(self, value):
        """Return the value upper-cased, then as any text."""
        return super().prepare(value.upper() if isinstance(value, str) else value)


class _Bool(fields.Boolean):
    """Only JSON true or false: not 0/1, not "false"."""

    def _deserialize(self, value, attr, data, **kwargs):
        if not isinstance(value, bool):
            raise self.make_error("invalid")
        return value


class _Int(fields.Integer):
    """Only a JSON whole number: not "3", not 2.5, not true."""

    def _deserialize(self, value, attr, data, **kwargs):
        if isinstance(value, bool) or not isinstance(value, int):
            raise self.make_error("invalid")
        return value


def _field(f: Field, lang: str) -> fields.Field:
    invalid = {"enum": "type", "bool": "bool", "int": "int", "date": "date",
               "datetime": "datetime"}.get(f.kind, "type")
    kw: dict[str, Any] = {"required": f.required, "allow_none": not f.required,
                          "error_messages": {"required": message("required", lang),
                                             "null": message("null", lang),
                                             "invalid": message(invalid, lang),
                                             "invalid_awareness": message(invalid, lang)}}
    if not f.required:
        kw["load_default"] = None
    text = message("text", lang)
    if f.kind == "enum":
        error = message("choice", lang, choices=", ".join(f.values),
                        labels=", ".join(label[lang] for _, label in f.choices))
        return _Str(validate=validate.OneOf(f.values, error=error), text_error=text, **kw)
    if f.kind == "country":
        return _Country(validate=validate.OneOf(sorted(ISO_COUNTRIES),
                                                error=message("country", lang)),
                        text_error=text, **kw)
    if f.kind == "bool":
        return _Bool(**kw)
    if f.kind == "int":
        error = message("range", lang, min=f.minimum, max=f.maximum)
        return _Int(validate=validate.Range(f.minimum, f.maximum, error=error), **kw)
    if f.kind == "date":
        return fields.Date(**kw)
    if f.kind == "datetime":
        return fields.AwareDateTime(**kw)
    checks = [validate.Length(f.minimum, f.maximum,
                              error=message("length", lang, min=f.minimum or 0, max=f.maximum))]
    if "pattern" in f.extra:
        checks = [validate.Regexp(f"^(?:{f.extra['pattern']})$",
                                  flags=re.ASCII, error=message(f.extra["error"], lang))]
    return _Str(validate=checks, multiline=(f.maximum or 0) > 200, text_error=text,
                collapse=bool(f.extra.get("collapse")), **kw)


def _condition_text(f: Field, registry: Mapping, lang: str) -> str:
    """Say in the officer's words when a conditional field applies."""
    yes = {"id": "Ya", "en": "Yes"}
    parts = []
    for name, values in f.applies_when.items():
        other = registry[name]
        labels = dict(other.choices)
        shown = [yes[lang] if v is True else labels[v][lang] for v in values]
        parts.append(f"{other.label[lang]}: {' / '.join(shown)}")
    return (" atau " if lang == "id" else " or ").join(parts)


def identity_errors(data: Mapping, lang: str, now: dt.datetime) -> dict[str, list[str]]:
    """Return what is wrong with a loaded date of birth and NIK (structure), by field."""
    errors: dict[str, list[str]] = {}
    dob = data.get("date_of_birth")
    if dob is not None and dob > now.date():
        errors["date_of_birth"] = [message("future", lang)]
    elif dob is not None and dob < EARLIEST_BIRTH:
        errors["date_of_birth"] = [message("too_old", lang, year=EARLIEST_BIRTH.year)]
    if data.get("nik") is not None:
        problem = nik_rules.problem(data["nik"])
        if problem:
            errors["nik"] = [message(problem, lang)]
    desa = data.get("domicile_desa")
    if desa is not None:
        nik = data.get("nik")
        if not wilayah.name(desa) or wilayah.dotted(desa).count(".") != 3:
            errors["domicile_desa"] = [message("desa_unknown", lang)]
        elif nik is not None and "nik" not in errors and not wilayah.is_desa_in(
                desa, nik_rules.kecamatan_code(nik)):
            errors["domicile_desa"] = [message("desa_kecamatan", lang)]
    return errors


def field_schema(names: tuple[str, ...], lang: str, required: tuple[str, ...] = ()) -> Schema:
    """Return a schema of some registry fields with their own validators (unknown refused).

    Exactly the fields named in `required` are required; blank text is "not given".
    """
    attrs: dict[str, Any] = {}
    for name in names:
        attrs[name] = _field(dataclasses.replace(FIELDS[name], required=name in required), lang)
    attrs["Meta"] = type("Meta", (), {"unknown": RAISE})
    attrs["error_messages"] = {"unknown": message("unknown", lang), "type": message("type", lang)}
    return type(f"FieldSchema_{lang}", (Schema,), attrs)()


# The time a validation runs at, given by the caller (`as_of`): the schema's record check
# reads it, as marshmallow hands a hook no argument of the call.
_NOW: ContextVar[dt.datetime] = ContextVar("checklist_now")


@contextmanager
def as_of(now: dt.datetime) -> Iterator[None]:
    """Validate checklists as of `now` within this block (`interviewed_at` not after it)."""
    token = _NOW.set(now)
    try:
        yield
    finally:
        _NOW.reset(token)


def _validate_record(self, data: dict) -> None:
    now = _NOW.get(None)
    if now is None:
        raise RuntimeError("validate a checklist as of a time: validate_checklist(..., now=)")
    errors = identity_errors(data, self.lang, now)
    at = data.get("interviewed_at")
    if at is not None and at > now + CLOCK_SKEW:
        errors["interviewed_at"] = [message("future", self.lang)]
    elif at is not None and at < EARLIEST_INTERVIEW:
        errors["interviewed_at"] = [message("too_old", self.lang,
                                            year=EARLIEST_INTERVIEW.year)]
    for f in self.registry_inputs:
        if f.required_when_applicable and f.applies(data):
            if data.get(f.name) in (None, "not_applicable"):
                errors.setdefault(f.name, []).append(message(
                    "conditional", self.lang,
                    when=_condition_text(f, self.registry, self.lang)))
    if errors:
        raise ValidationError(errors)


@cache
def checklist_schema(lang: str = "en", version: int = CURRENT_VERSION) -> Schema:
    """Return the (cached) checklist schema of `version` whose messages are in `lang`."""
    registry, inputs = (FIELDS, INPUT_FIELDS) if version == 2 else (FIELDS_V1, INPUT_FIELDS_V1)
    attrs: dict[str, Any] = {f.name: _field(f, lang) for f in inputs}
    attrs.update(lang=lang, registry=registry, registry_inputs=inputs)

    def check(self, data, **kwargs):
        _validate_record(self, data)

    attrs["_validate_record"] = validates_schema(skip_on_field_errors=False)(check)
    attrs["Meta"] = type("Meta", (), {"unknown": RAISE})
    unknown = message("unknown" if version == 2 else "unknown_v1", lang)
    attrs["error_messages"] = {"unknown": unknown, "type": message("type", lang)}
    return type(f"ChecklistSchemaV{version}_{lang}", (Schema,), attrs)()


def loaded(schema: Schema, answers: Mapping) -> dict | None:
    """Return `schema.load(answers)` for answers that pass, or None at the first problem.

    What `load` does for these schemas (no hooks but the record check, unknown fields
    refused, nothing nested), through each field's own steps (`_steps`) without the per-field
    bookkeeping of `Schema._deserialize` and `Field.deserialize`: half of the validation
    time of a submission. When anything is wrong the caller runs `load`, which reports every
    field at once. tests/test_checklist.py holds the two equal on valid and broken payloads.
    """
    steps = _steps(schema)
    if any(name not in steps for name in answers):
        return None
    out = {}
    try:
        for name, step in steps.items():
            value = step(answers.get(name, missing), name, answers)
            if value is not missing:
                out[name] = value
        _validate_record(schema, out)
    except ValidationError:
        return None
    return out


def _steps(schema: Schema) -> dict[str, Any]:
    """Return, per field of a schema, a function doing its `deserialize` (kept on it)."""
    steps = schema.__dict__.get("_ews_steps")
    if steps is None:
        steps = schema._ews_steps = {name: _step(field)  # noqa: SLF001
                                     for name, field in schema.load_fields.items()}
    return steps


def _step(field: fields.Field):
    """Return what `field.deserialize` does to a value that passes, raising otherwise.

    Missing, null, `_deserialize` and then every validator, as marshmallow does; a problem
    raises a bare ValidationError, as only `load` words the messages.
    """
    if getattr(field, "pre_load", None) or getattr(field, "post_load", None):
        return field.deserialize
    prepare = getattr(field, "prepare", None)
    convert, checks = field._deserialize, tuple(field.validators)  # noqa: SLF001
    required, allow_none, default = field.required, field.allow_none, field.load_default

    def step(value, name, data):
        if prepare is not None:
            value = prepare(value)
        if value is missing:
            if required:
                raise ValidationError("")
            return default() if callable(default) else default
        if value is None:
            if allow_none:
                return None
            raise ValidationError("")
        value = convert(value, name, data)
        for check in checks:
            if check(value) is False:  # marshmallow 3 treats False as a failure
                raise ValidationError("")
        return value

    return step


def checklist_version(payload: Mapping, lang: str = "en") -> int:
    """Return the payload's checklist version (2 when absent); raise naming the field."""
    version = payload.get("checklist_version", CURRENT_VERSION)
    if isinstance(version, bool) or version not in VERSIONS:
        raise ValidationError({"checklist_version": [message("version", lang)]})
    return version


def validate_checklist(payload: Any, lang: str = "en", *, now: dt.datetime,
                       agencies: Mapping | None = None, manning: Mapping | None = None) -> dict:
    """Validate and normalise answers into a v2 record; raise ValidationError naming fields.

    `now` is the time of validation: an interview cannot be later, and one without a time
    took place then. `agencies` maps normalised names of licensed P3MI to the end of their
    licence (the rule set's list); it decides the derived `agency_licence`, as `manning` (the
    rule set's list of licensed ship manning agencies) decides `manning_agency_licence`.
    """
    if not isinstance(payload, dict):
        raise ValidationError({"_schema": [message("type", lang)]})
    version = checklist_version(payload, lang)
    answers = {k: v for k, v in payload.items() if k != "checklist_version"}
    schema = checklist_schema(lang, version)
    with as_of(now):
        record = loaded(schema, answers)
        if record is None:
            record = schema.load(answers)  # raises, naming every field that is wrong
    if version == 1:  # stored as given (v1 names); scored through the mapping
        record = to_v2(record) | {V1_ANSWERS: record}
    if record.get("interviewed_at") is None:
        record["interviewed_at"] = now
    if record.get("domicile_desa") is not None:  # free text is for a village not in the list
        record["domicile_village"] = None
    for name in FIELDS:
        record.setdefault(name, None)
    record["checklist_version"] = version
    return derive(record, agencies or {}, manning)


def _completeness_groups() -> tuple[tuple[str, ...], tuple]:
    """Return the always-applicable questions and (when, unless, names) groups of the rest."""
    always, groups = [], {}
    for f in INPUT_FIELDS:
        if f.role != "rule" or not f.counts_in_completeness:
            continue
        if not f.applies_when and not f.applies_unless:
            always.append(f.name)
            continue
        key = tuple((k, frozenset(v)) for k, v in (f.applies_when or {}).items()), \
            tuple((k, frozenset(v)) for k, v in (f.applies_unless or {}).items())
        groups.setdefault(key, []).append(f.name)
    return tuple(always), tuple((when, unless, tuple(names))
                                for (when, unless), names in groups.items())


ALWAYS, GROUPS = _completeness_groups()


def completeness(record: dict) -> float:
    """Return the share of applicable `rule` questions that were answered."""
    get = record.get
    applicable = len(ALWAYS)
    answered = applicable - list(map(get, ALWAYS)).count(None)
    for when, unless, names in GROUPS:  # one test per distinct condition
        if unless and any(get(k) in v for k, v in unless):
            continue
        if when and not any(get(k) in v for k, v in when):
            continue
        applicable += len(names)
        answered += len(names) - list(map(get, names)).count(None)
    return round(answered / applicable, 3) if applicable else 1.0
