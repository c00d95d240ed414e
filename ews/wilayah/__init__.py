"""Kemendagri area codes (wilayah) shipped as data: names for aggregate maps, never a rule input.

The table covers Provinsi Jawa Timur (35) down to desa/kelurahan; its header names the source
package and version. Codes are kept without dots where the service stores them (a NIK's first
six digits: `352809`); `name` accepts either form.
"""

from __future__ import annotations

import csv
from functools import cache
from importlib import resources

TABLES = ("wilayah_35.csv",)


@cache
def table() -> dict[str, str]:
    """Return {dotted code: name} for every area in the shipped tables."""
    out: dict[str, str] = {}
    for name in TABLES:
        text = resources.files(__package__).joinpath(name).read_text(encoding="utf-8")
        rows = csv.reader(line for line in text.splitlines() if not line.startswith("#"))
        next(rows)  # header
        out.update((code, area) for code, area in rows)
    return out


def dotted(code: str) -> str:
    """Return a code in dotted form: 352809 -> 35.28.09; dotted codes pass through."""
    if "." in code:
        return code
    parts = [code[0:2], code[2:4], code[4:6]]
    out = ".".join(p for p in parts if p)
    return out + ("." + code[6:] if len(code) > 6 else "")


def name(code: str | None) -> str | None:
    """Return the area's name, or None when the code is not in the table."""
    return table().get(dotted(code)) if code else None


def children(code: str) -> dict[str, str]:
    """Return {dotted code: name} of the areas directly below `code` (regency -> kecamatan...)."""
    return dict(_children().get(dotted(code), {}))


@cache
def _children() -> dict[str, dict[str, str]]:
    out: dict[str, dict[str, str]] = {}
    for code, area in table().items():
        if "." in code:
            out.setdefault(code.rsplit(".", 1)[0], {})[code] = area
    return out


def regency_of(code: str) -> str:
    """Return the dotted regency code of a kecamatan or desa code."""
    return dotted(code)[:5]
