"""Schemas of review input (decision, outcome), shared by the pages and the JSON API.

Messages come in Indonesian and English like the checklist's, and never echo the value.
"""

from __future__ import annotations

from functools import cache

from marshmallow import RAISE, Schema, fields, validate

from ews.checklist import message
from ews.store.models import DECISIONS, OUTCOMES

from .vocab import INTELLIGENCE_FIELDS

REASON_MAX = 1000
NOTES_MAX = 2000
CITY_MAX = 120


class _Text(fields.String):
    """A stripped string in which blank counts as missing."""

    def deserialize(self, value, attr=None, data=None, **kwargs):
        if isinstance(value, str):
            value = value.strip() or None
        return super().deserialize(value, attr, data, **kwargs)


def _errors(lang: str, required: bool) -> dict:
    return {"required": message("required", lang),
            "null": message("required" if required else "null", lang),
            "invalid": message("type", lang)}


def _choice(values, lang: str, required: bool) -> fields.Field:
    kw = {"required": True} if required else {"load_default": None, "allow_none": True}
    return _Text(validate=validate.OneOf(values, error=message(
        "choice", lang, choices=", ".join(values))), error_messages=_errors(lang, required), **kw)


def _text(maximum: int, lang: str, required: bool) -> fields.Field:
    kw = {"required": True} if required else {"load_default": None, "allow_none": True}
    return _Text(validate=validate.Length(1, maximum, error=message(
        "length", lang, min=1, max=maximum)), error_messages=_errors(lang, required), **kw)


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
def outcome_schema(lang: str = "en") -> type[Schema]:
    """Return the outcome schema class (label + optional HTCDS fields) in `lang`."""
    attrs = {"outcome": _choice(OUTCOMES, lang, True)}
    for name, vocab in INTELLIGENCE_FIELDS.items():
        attrs[name] = _choice(tuple(vocab), lang, False)
    attrs["destination_city"] = _text(CITY_MAX, lang, False)
    attrs["notes"] = _text(NOTES_MAX, lang, False)
    return _schema("OutcomeInput", attrs, lang)


DecisionInput = decision_schema("en")
OutcomeInput = outcome_schema("en")
