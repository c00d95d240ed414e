"""The interview form, built from the checklist field registry.

Nothing here knows a field by name except the two that the server sets itself: the office
(from the signed-in user) and the interview time (now). Sections, widgets, defaults and
conditional display all come from `ews.checklist.FIELDS`.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from ews.checklist import INPUT_FIELDS, SECTIONS, Field, message
from ews.checklist import nik as nik_rules
from ews.checklist.derive import age_on
from ews.review.schemas import DAY_MESSAGES, DMY, parse_day

from . import countries

SERVER_SET = ("office_code", "interviewed_at")
FORM_SECTIONS = tuple(s for s in SECTIONS if s != "derived")

@dataclass(frozen=True)
class FormField:
    """One input of the form: the registry field plus how to draw it."""

    field: Field
    widget: str  # yesno, choice, text, textarea, date, number, country, desa

    @property
    def name(self) -> str:
        """Return the input name (the checklist field name)."""
        return self.field.name

    @property
    def conditional(self) -> bool:
        """Return True when the field is shown only for some answers."""
        return bool(self.field.applies_when or self.field.applies_unless)

    @property
    def tap(self) -> str:
        """Return what a section's "none of these" tap answers here: "false", "0" or ""."""
        f = self.field
        if f.role != "rule":
            return ""
        if f.kind == "bool":
            return "false"
        return "0" if f.kind == "int" and f.minimum == 0 else ""

    @property
    def optional_choice(self) -> bool:
        """Return True when a choice group offers an explicit 'not asked' option."""
        return self.widget == "choice" and not self.field.required

    @property
    def wide(self) -> bool:
        """Return True when the input needs a full row (long text or many choices)."""
        if self.widget == "textarea":
            return True
        if self.widget != "choice":
            return False
        labels = [max(len(label["id"]), len(label["en"])) for _, label in self.field.choices]
        if self.optional_choice:
            labels.append(14)
        return sum(labels) + 6 * len(labels) > 40

    @property
    def inputmode(self) -> str:
        """Return the on-screen keyboard hint for a text input."""
        return {"nik": "numeric", "phone": "tel"}.get(self.field.extra.get("error"), "")

    def applies_when_json(self) -> str:
        """Return the applicability condition as JSON of form values, for the page script."""
        return _condition_json(self.field.applies_when)

    def applies_unless_json(self) -> str:
        """Return the exclusion condition as JSON of form values, for the page script."""
        return _condition_json(self.field.applies_unless)


def _condition_json(cond: Mapping | None) -> str:
    if not cond:
        return ""
    return json.dumps({k: [form_value(v) for v in vals] for k, vals in cond.items()},
                      separators=(",", ":"))


@dataclass(frozen=True)
class FormSection:
    """A titled group of form fields."""

    key: str
    fields: tuple[FormField, ...]

    @property
    def tappable(self) -> bool:
        """Return True when a "none of these" tap has questions to answer in this section."""
        return any(ff.tap for ff in self.fields)

    @property
    def runs(self) -> tuple[tuple[str, tuple[FormField, ...]], ...]:
        """Return consecutive fields grouped as ("yesno", ...) rows or ("grid", ...) cells."""
        out: list[tuple[str, list[FormField]]] = []
        for ff in self.fields:
            kind = "yesno" if ff.widget == "yesno" else "grid"
            if out and out[-1][0] == kind:
                out[-1][1].append(ff)
            else:
                out.append((kind, [ff]))
        return tuple((kind, tuple(run)) for kind, run in out)


def _widget(f: Field) -> str:
    if "widget" in f.extra:
        return f.extra["widget"]
    if f.kind == "bool":
        return "yesno"
    if f.kind == "enum":
        return "choice"
    if f.kind == "country":
        return "country"
    if f.kind == "date":
        return "date"
    if f.kind == "int":
        return "number"
    if f.kind == "str" and (f.maximum or 0) > 200:
        return "textarea"
    return "text"


def form_field(f: Field) -> FormField:
    """Return how registry field `f` is drawn on a form (the front desk's form too)."""
    return FormField(f, _widget(f))


def form_sections() -> tuple[FormSection, ...]:
    """Return the form's sections in registry order, each with its input fields."""
    out = []
    for key in FORM_SECTIONS:
        fields = tuple(FormField(f, _widget(f)) for f in INPUT_FIELDS
                       if f.section == key and f.name not in SERVER_SET and not f.legacy)
        if fields:
            out.append(FormSection(key, fields))
    return tuple(out)


def form_value(value: Any) -> str:
    """Return how a Python answer value is written in an HTML form."""
    if value is True:
        return "true"
    if value is False:
        return "false"
    return "" if value is None else str(value)


def initial_values() -> dict[str, str]:
    """Return the form's starting answers: none, every question is answered on purpose."""
    return {}


def _typed(f: Field, value: str) -> Any:
    """Return a form string as the JSON value the schema expects (left as is if malformed)."""
    if f.kind == "bool":
        return {"true": True, "false": False}.get(value, value)
    if f.kind == "int" and value.isascii() and value.isdigit():
        return int(value)
    return value


def iso_date(text: str) -> str:
    """Return a date typed dd/mm/yyyy as yyyy-mm-dd; anything else unchanged (to be refused)."""
    if DMY.match(text):
        try:
            return parse_day(text).isoformat()
        except ValueError:
            return text
    return text


def payload_from_form(form: Mapping[str, str], office_code: str) -> dict[str, Any]:
    """Turn submitted form data into a checklist payload; blank inputs mean 'not asked'."""
    payload: dict[str, Any] = {"office_code": office_code}
    for section in form_sections():
        for ff in section.fields:
            value = form.get(ff.name)
            if value is not None and value.strip() != "":
                value = value.strip()
                payload[ff.name] = iso_date(value) if ff.widget == "date" \
                    else countries.resolve(value) if ff.widget == "country" \
                    else _typed(ff.field, value)
    return payload


def page_errors(messages: Mapping[str, list], lang: str) -> dict[str, list]:
    """Return validation messages as the page shows them: dates in the page's dd/mm/yyyy."""
    dates = {ff.name for s in form_sections() for ff in s.fields if ff.widget == "date"}
    bad_date = message("date", lang)
    day = DAY_MESSAGES.get(lang, DAY_MESSAGES["id"])
    return {name: [day if name in dates and m == bad_date else m for m in msgs]
            if isinstance(msgs, list) else msgs for name, msgs in messages.items()}


def answers_for_display(form: Mapping[str, str]) -> dict[str, str]:
    """Return the submitted values to re-fill the form after a validation error."""
    names = {ff.name for s in form_sections() for ff in s.fields}
    return {k: form[k] for k in names if k in form}


def form_is_minor(form: Mapping[str, str], today: dt.date) -> bool | None:
    """Return the minor status the form's date of birth or NIK implies (None: unknown)."""
    dob = None
    try:
        dob = dt.date.fromisoformat((form.get("date_of_birth") or "").strip())
    except ValueError:
        nik = (form.get("nik") or "").strip()
        if nik and nik_rules.problem(nik) is None:
            dob = nik_rules.birth_date(nik, today)
    return None if dob is None else age_on(dob, today) < 18


def none_of(section_key: str, form: Mapping[str, str], is_minor: bool | None) -> dict[str, str]:
    """Return the form values after the section's "none of these" tap.

    Every applicable yes/no rule question of the section that is not answered yet becomes
    "no" (counts that start at 0 become 0); answers already given stay as they are.
    """
    values = answers_for_display(form)
    record: dict[str, Any] = payload_from_form(form, "") | {"is_minor": is_minor}
    for section in form_sections():
        if section.key != section_key:
            continue
        for ff in section.fields:
            if ff.tap and not values.get(ff.name) and ff.field.applies(record):
                values[ff.name] = ff.tap
    return values
