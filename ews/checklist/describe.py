"""The checklist field table of docs/design.md, generated from the registry.

`render_fields_table()` is the table; `write_into(path)` replaces everything after the marker
line in a Markdown file. tests/test_docs.py fails when the document is stale.
"""

from __future__ import annotations

from pathlib import Path

from .fields import FIELDS, SECTIONS

MARKER = "<!-- generated from ews.checklist.FIELDS: python -m ews.checklist.describe -->"
END = "<!-- end of the generated checklist table -->"


def _type(f) -> str:
    if f.kind == "enum":
        return "enum " + ", ".join(f.values)
    if f.kind == "int":
        return f"int {f.minimum}-{f.maximum}" if f.maximum is not None else f"int >= {f.minimum}"
    if f.kind == "str" and f.maximum:
        if f.minimum == f.maximum:
            return f"string of {f.maximum}"
        return f"string {f.minimum or 0}-{f.maximum}"
    return {"str": "string", "country": "ISO 3166-1 alpha-2"}.get(f.kind, f.kind)


def _text(value) -> str:
    return str(value).lower() if isinstance(value, bool) else str(value)


def _notes(f) -> str:
    notes = []
    if f.required:
        notes.append("required")
    if f.applies_when:
        when = " or ".join(f"{k} in {', '.join(_text(x) for x in v)}"
                           for k, v in f.applies_when.items())
        notes.append(f"applies when {when}"
                     + (" (then required)" if f.required_when_applicable else ""))
    if f.derived:
        notes.append("derived by the service")
    return "; ".join(notes)


def render_fields_table() -> str:
    """Return the Markdown table of every checklist field, in registry order."""
    lines = ["| field | section | role | type | notes |", "|---|---|---|---|---|"]
    for f in FIELDS.values():
        section = SECTIONS[f.section]["en"]
        lines.append(f"| `{f.name}` | {section} | {f.role} | {_type(f).replace('|', '/')} "
                     f"| {_notes(f)} |")
    return "\n".join(lines) + "\n"


def write_into(path: str | Path) -> None:
    """Replace the generated table (between MARKER and END) in the Markdown file at `path`."""
    path = Path(path)
    text = path.read_text(encoding="utf-8")
    head, rest = text.split(MARKER, 1)
    tail = rest.split(END, 1)[1]
    path.write_text(f"{head}{MARKER}\n{render_fields_table()}{END}{tail}", encoding="utf-8")


if __name__ == "__main__":
    write_into(Path(__file__).resolve().parents[2] / "docs" / "design.md")
