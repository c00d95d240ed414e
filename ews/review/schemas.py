"""Schemas of review input (decision, outcome), shared by the pages and the JSON API.

Messages come in Indonesian and English like the checklist's, and never echo the value.
"""

from __future__ import annotations

import datetime as dt
import re
from functools import cache

from marshmallow import RAISE, Schema, ValidationError, fields, validate

from ews.checklist import message
from ews.checklist.text import has_invisible
from ews.store.models import DECISIONS, OUTCOMES

from .cases import OUTCOME_STATES
from .vocab import INTELLIGENCE_FIELDS

REASON_MAX = 1000
NOTES_MAX = 2000
CITY_MAX = 120
# C0/C1 controls, DEL, bidi embeddings/overrides/isolates and marks, line/paragraph separators:
# invisible, they can make a stored reason read differently from what was written.
_INVISIBLE = r"\x7f-\x9f\u061c\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069"
_CONTROL = re.compile(rf"[\x00-\x1f{_INVISIBLE}]")
_CONTROL_MULTILINE = re.compile(rf"[\x00-\x09\x0b-\x1f{_INVISIBLE}]")  # \n allowed
TEXT_MESSAGES = {
    "en": {"line": "Write this on one line, without control characters.",
           "text": "Remove the control characters (invisible or text-direction characters)."},
    "id": {"line": "Tulis dalam satu baris, tanpa karakter kontrol.",
           "text": "Hapus karakter kontrol (karakter tak terlihat atau pengubah arah teks)."},
}


class _Text(fields.String):
    """A stripped string in which blank counts as missing; plain text, one line by default."""

    def __init__(self, *args, multiline: bool = False, lang: str = "en", **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.multiline, self.lang = multiline, lang

    def deserialize(self, value, attr=None, data=None, **kwargs):
        if isinstance(value, str):
            if self.multiline:
                value = value.replace("\r\n", "\n")  # a browser's textarea sends CR LF
            value = value.strip() or None
        return super().deserialize(value, attr, data, **kwargs)

    def _deserialize(self, value, attr, data, **kwargs) -> str:
        text = super()._deserialize(value, attr, data, **kwargs)
        if (_CONTROL_MULTILINE if self.multiline else _CONTROL).search(text) \
                or has_invisible(text):
            raise ValidationError(TEXT_MESSAGES[self.lang if self.lang in TEXT_MESSAGES else "en"]
                                  ["text" if self.multiline else "line"])
        return text


class _Id(fields.Integer):
    """A row id sent as a JSON number: "3", 2.5 and true are refused, not converted."""

    def _validated(self, value):
        if isinstance(value, bool) or not isinstance(value, int):
            raise self.make_error("invalid")
        return super()._validated(value)


class _Int(fields.Integer):
    """An integer in which a blank query value counts as missing."""

    def deserialize(self, value, attr=None, data=None, **kwargs):
        if isinstance(value, str) and not value.strip():
            value = None
        return super().deserialize(value, attr, data, **kwargs)


DMY = re.compile(r"^\s*(\d{1,2})/(\d{1,2})/(\d{4})\s*$")


def parse_day(text: str) -> dt.date:
    """Parse a date written dd/mm/yyyy (as the pages show it) or yyyy-mm-dd (ISO 8601)."""
    match = DMY.match(text)
    if match:
        day, month, year = (int(g) for g in match.groups())
        return dt.date(year, month, day)
    return dt.date.fromisoformat(text.strip())


class Day(fields.Date):
    """A calendar date written dd/mm/yyyy or yyyy-mm-dd; blank counts as missing."""

    def _deserialize(self, value, attr, data, **kwargs):
        if not isinstance(value, str):
            raise self.make_error("invalid")
        try:
            return parse_day(value)
        except ValueError as err:
            raise self.make_error("invalid") from err

    def deserialize(self, value, attr=None, data=None, **kwargs):
        if isinstance(value, str) and not value.strip():
            value = None
        return super().deserialize(value, attr, data, **kwargs)


def _errors(lang: str, required: bool) -> dict:
    return {"required": message("required", lang),
            "null": message("required" if required else "null", lang),
            "invalid": message("type", lang)}


def _choice(values, lang: str, required: bool) -> fields.Field:
    kw = {"required": True} if required else {"load_default": None, "allow_none": True}
    return _Text(validate=validate.OneOf(values, error=message(
        "choice", lang, choices=", ".join(values))), error_messages=_errors(lang, required), **kw)


def _text(maximum: int, lang: str, required: bool, multiline: bool = False) -> fields.Field:
    kw = {"required": True} if required else {"load_default": None, "allow_none": True}
    return _Text(validate=validate.Length(1, maximum, error=message(
        "length", lang, min=1, max=maximum)), error_messages=_errors(lang, required),
        multiline=multiline, lang=lang, **kw)


def _schema(name: str, attrs: dict, lang: str) -> type[Schema]:
    attrs = dict(attrs)
    attrs["Meta"] = type("Meta", (), {"unknown": RAISE})
    attrs["error_messages"] = {"unknown": message("unknown", lang),
                               "type": message("type", lang)}
    return type(f"{name}_{lang}" if lang != "en" else name, (Schema,), attrs)


@cache
def decision_schema(lang: str = "en") -> type[Schema]:
    """Return the decision schema class (`decision`, `reason`) with messages in `lang`."""
    return _schema("DecisionInput", {
        "decision": _choice(DECISIONS, lang, True),
        "reason": _text(REASON_MAX, lang, True),
    }, lang)


@cache
def amend_schema(lang: str = "en") -> type[Schema]:
    """Return the amendment schema class (`amends`, `decision`, `reason`) in `lang`."""
    return _schema("AmendInput", {
        "amends": _Id(required=True, strict=True, validate=validate.Range(1, 2**31 - 1),
                      error_messages=_errors(lang, True), metadata={
                          "description": "id of the decision in force, which this one changes"}),
        "decision": _choice(DECISIONS, lang, True),
        "reason": _text(REASON_MAX, lang, True),
    }, lang)


@cache
def outcome_schema(lang: str = "en") -> type[Schema]:
    """Return the outcome schema class (label + optional HTCDS fields) in `lang`."""
    attrs = {"outcome": _choice(OUTCOMES, lang, True)}
    for name, vocab in INTELLIGENCE_FIELDS.items():
        attrs[name] = _choice(tuple(vocab), lang, False)
    attrs["destination_city"] = _text(CITY_MAX, lang, False)
    attrs["notes"] = _text(NOTES_MAX, lang, False, multiline=True)
    return _schema("OutcomeInput", attrs, lang)


DAY_MESSAGES = {"id": "Tanggal tidak valid (HH/BB/TTTT).",
                "en": "Not a valid date (dd/mm/yyyy)."}


@cache
def case_args_schema(lang: str = "en") -> type[Schema]:
    """Return the schema of the case-history filters (query string) with messages in `lang`."""
    def optional_int(low: int, high: int, description: str) -> fields.Field:
        return _Int(load_default=None, allow_none=True, validate=validate.Range(
            low, high, error=message("range", lang, min=low, max=high)),
            error_messages={"invalid": message("int", lang)},
            metadata={"description": description})

    def day(description: str) -> fields.Field:
        return Day(load_default=None, allow_none=True, metadata={"description": description},
                   error_messages={"invalid": DAY_MESSAGES.get(lang, DAY_MESSAGES["id"])})

    attrs = {
        "application_id": _text(64, lang, False),
        "decided_from": day("decided on or after this day (office time zone)"),
        "decided_to": day("decided on or before this day (office time zone)"),
        "rung": optional_int(0, 4, "rung of the recommended action"),
        "decision": _choice(DECISIONS, lang, False),
        "outcome": _choice(OUTCOME_STATES, lang, False),
        "officer": _text(64, lang, False),
        "waiting_days": optional_int(0, 3650, "decided more than this many days ago and no "
                                              "outcome recorded yet"),
        "office_code": _text(16, lang, False),
        "page": fields.Integer(load_default=1, validate=validate.Range(1, 100000)),
        "per_page": fields.Integer(load_default=25, validate=validate.Range(1, 200)),
    }
    attrs["application_id"].metadata["description"] = "part of the application number"
    attrs["decision"].metadata["description"] = "the latest decision"
    attrs["officer"].metadata["description"] = "username of the interviewing officer"
    return _schema("CaseArgs", attrs, lang)


DecisionInput = decision_schema("en")
AmendInput = amend_schema("en")
OutcomeInput = outcome_schema("en")
CaseArgs = case_args_schema("en")
