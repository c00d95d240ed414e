"""Language of the officer pages: Indonesian by default, English on request.

Page text is translated with Flask-Babel (English message ids, Indonesian catalog in
`ews/translations`). Field labels come from the checklist registry, which carries both
languages; `tr` picks the right one.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Mapping

from flask import Flask, current_app, session
from flask_babel import (
    Babel,
    format_date,
    format_datetime,
    format_decimal,
    format_percent,
    format_time,
    get_locale,
)
from flask_babel import lazy_gettext as _l

from ews.checklist import FIELDS, SECTIONS

from . import countries

LANGUAGES = ("id", "en")
DEFAULT_LANGUAGE = "id"
babel = Babel()

BANDS = {"low": _l("Low"), "medium": _l("Medium"), "high": _l("High"),
         "critical": _l("Critical")}
BAND_ICONS = {"low": "●", "medium": "▲", "high": "◆", "critical": "■"}
SEVERITIES = {"strong": _l("strong"), "medium": _l("medium"), "weak": _l("weak")}
TRACKS = {"trafficking": _l("Trafficking risk"), "nonprocedural": _l("Non-procedural work")}
DIMENSIONS = {"deceptive_recruitment": _l("Deceptive recruitment"),
              "coercive_recruitment": _l("Coercive recruitment"),
              "abuse_of_vulnerability": _l("Recruitment by abuse of vulnerability")}
ACTIONS = {"proceed": _l("Proceed with issuance"),
           "in_depth_interview": _l("In-depth interview / additional requirements"),
           "supervisor_review": _l("Supervisor review (process on hold)"),
           "defer_and_redirect": _l("Defer, redirect to Disnaker/LTSA/BP3MI"),
           "refer_protection": _l("Refer for protection")}
RUNG_ICONS = ("✓", "?", "‖", "↪", "⚑")
RUNG_HINTS = (_l("no human review needed"), _l("ask more, check documents"),
              _l("a supervisor decides"), _l("a supervisor decides"),
              _l("a supervisor decides; treat as a potential victim"))
STATUSES = {"awaiting_review": _l("Awaiting supervisor review"),
            "open": _l("Awaiting officer decision"),
            "decided": _l("Decided")}
ROLES = {"officer": _l("officer"), "supervisor": _l("supervisor"), "analyst": _l("analyst"),
         "admin": _l("administrator"), "intake": _l("front desk")}
DECISIONS = {"issued": _l("Passport issued"),
             "additional_documents_requested": _l("Additional documents requested"),
             "deferred": _l("Deferred"),
             "redirected": _l("Redirected to Disnaker/LTSA/BP3MI"),
             "referred": _l("Referred for protection"),
             "rejected": _l("Rejected")}


def select_locale() -> str:
    """Return the language chosen in this session, Indonesian by default."""
    lang = session.get("lang")
    return lang if lang in LANGUAGES else DEFAULT_LANGUAGE


def current_lang() -> str:
    """Return the active language code ("id" or "en")."""
    locale = get_locale()
    return locale.language if locale is not None and locale.language in LANGUAGES \
        else DEFAULT_LANGUAGE


def tr(label: Mapping | str | None) -> str:
    """Return a bilingual registry or rule-set label in the active language."""
    if label is None:
        return ""
    if isinstance(label, str):
        return label
    return (label.get(current_lang()) or label.get(DEFAULT_LANGUAGE)
            or next(iter(label.values()), ""))


def field_label(name: str) -> str:
    """Return the label of a checklist field, or the name for keys that are not fields."""
    f = FIELDS.get(name)
    return tr(f.label) if f else name


def choice_label(name: str, value) -> str:
    """Return how an answer reads on the page (Yes/No, the choice's label, or the value)."""
    f = FIELDS.get(name)
    if value is None:
        return ""
    if isinstance(value, bool):
        return str(_l("Yes") if value else _l("No"))
    if f is not None and f.kind == "country":
        return countries.name(value, current_lang())
    if f is not None:
        for v, label in f.choices:
            if v == value:
                return tr(label)
    return str(value)


def _lookup(table: Mapping, key) -> str:
    return str(table[key]) if key in table else ("" if key is None else str(key))


def _local(value: dt.datetime | str | None) -> dt.datetime | None:
    if isinstance(value, str):
        value = dt.datetime.fromisoformat(value)
    if value is not None and value.tzinfo is None:  # stored as UTC
        value = value.replace(tzinfo=dt.UTC)
    return value


def fmt_dt(value) -> str:
    """Return a timestamp in the office time zone as dd/mm/yyyy HH:mm (any language)."""
    value = _local(value)
    return format_datetime(value, "dd/MM/yyyy HH:mm") if value else ""


def fmt_time(value) -> str:
    """Return the local time of day of a timestamp."""
    value = _local(value)
    return format_time(value, "HH:mm") if value else ""


def fmt_date(value) -> str:
    """Return a date in the active language."""
    return format_date(value, "EEEE, d MMMM yyyy") if value else ""


def format_hours(hours: float) -> str:
    """Return a duration in hours (or minutes when under one hour) in the active language."""
    if hours < 1:
        return str(_l("%(n)d min", n=round(hours * 60)))
    return str(_l("%(n)s h", n=format_decimal(round(hours, 1))))


def _pattern(digits: int) -> str:
    return "#,##0" + ("." + "0" * digits if digits else "")


def fmt_number(value: float | None, digits: int | None = 0, signed: bool = False) -> str:
    """Return a number in the page's language: 1.234,5 in Indonesian, 1,234.5 in English
    (`digits` after the separator; None: as many as the value has, up to three)."""
    if value is None:
        return "–"
    if digits is None:
        return format_decimal(value)
    pattern = _pattern(digits)
    return format_decimal(value, f"+{pattern};-{pattern}" if signed else pattern)


def fmt_percent(share: float | None, digits: int = 1) -> str:
    """Return a share (0.0246) as a percentage in the page's language: 2,46% or 2.46%."""
    return "–" if share is None else format_percent(share, _pattern(digits) + "%")


# A number as the English texts of ews.reports and ews.lifecycle write it: 1,234 or 0.25.
_EN_NUMBER = re.compile(r"\d{1,3}(?:,\d{3})+(?:\.\d+)?|\d+\.\d+")


def local_numbers(text: str) -> str:
    """Return `text` with its English-written numbers in the page's language (0.25 -> 0,25)."""
    def one(match: re.Match) -> str:
        number = match.group().replace(",", "")
        digits = len(number.partition(".")[2])
        return fmt_number(float(number), digits)
    return _EN_NUMBER.sub(one, text)


def bp3mi_info() -> str:
    """Return where the nearest BP3MI is, from config (BP3MI_INFO) or a regional default."""
    return current_app.config.get("BP3MI_INFO") or str(_l(
        "BP3MI Jawa Timur (Surabaya), the migrant-worker protection office of the province"))


TEMPLATE_HELPERS = {
    "tr": tr, "current_lang": current_lang, "field_label": field_label,
    "choice_label": choice_label, "section_labels": SECTIONS,
    "band_label": lambda k: _lookup(BANDS, k), "band_icon": lambda k: BAND_ICONS.get(k, ""),
    "severity_label": lambda k: _lookup(SEVERITIES, k),
    "track_label": lambda k: _lookup(TRACKS, k),
    "dimension_label": lambda k: _lookup(DIMENSIONS, k),
    "action_label": lambda k: _lookup(ACTIONS, k),
    "rung_icon": lambda r: RUNG_ICONS[r] if 0 <= r < len(RUNG_ICONS) else "",
    "rung_hint": lambda r: str(RUNG_HINTS[r]) if 0 <= r < len(RUNG_HINTS) else "",
    "status_label": lambda k: _lookup(STATUSES, k),
    "role_label": lambda k: _lookup(ROLES, k),
    "decision_label": lambda k: _lookup(DECISIONS, k),
    "fmt_dt": fmt_dt, "fmt_time": fmt_time, "fmt_date": fmt_date, "bp3mi_info": bp3mi_info,
    "format_hours": format_hours, "fmt_number": fmt_number, "fmt_percent": fmt_percent,
}


def init_app(app: Flask) -> None:
    """Attach Babel (Indonesian default, office time zone) and the template helpers."""
    app.config.setdefault("BABEL_DEFAULT_LOCALE", DEFAULT_LANGUAGE)
    app.config.setdefault("BABEL_DEFAULT_TIMEZONE", app.config.get("TIMEZONE") or "Asia/Jakarta")
    babel.init_app(app, locale_selector=select_locale)
    app.jinja_env.globals.update(TEMPLATE_HELPERS)
