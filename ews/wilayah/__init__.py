"""Kemendagri area codes (wilayah) shipped as data: names for aggregate maps, never a rule input.

The table covers all of Indonesia down to desa/kelurahan (~91,600 areas, a gzipped CSV whose
header names the source package and version). Codes are kept without dots where the service
stores them (a NIK's first six digits: `352809`; a desa: `3528092001`); `name` accepts
either form.
"""

from __future__ import annotations

import csv
import gzip
import io
from functools import cache
from importlib import resources

TABLE = "wilayah.csv.gz"


@cache
def table() -> dict[str, str]:
    """Return {dotted code: name} for every area in the shipped table."""
    raw = gzip.decompress(resources.files(__package__).joinpath(TABLE).read_bytes())
    rows = csv.reader(line for line in io.StringIO(raw.decode("utf-8"))
                      if not line.startswith("#"))
    next(rows)  # header
    return dict(rows)


def dotted(code: str) -> str:
    """Return a code in dotted form: 352809 -> 35.28.09; dotted codes pass through."""
    if "." in code:
        return code
    parts = [code[0:2], code[2:4], code[4:6]]
    out = ".".join(p for p in parts if p)
    return out + ("." + code[6:] if len(code) > 6 else "")


def plain(code: str) -> str:
    """Return a code without dots, as the service stores it: 35.28.09.2001 -> 3528092001."""
    return code.replace(".", "")


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


def desa_of(kecamatan: str) -> list[tuple[str, str]]:
    """Return the desa/kelurahan of a kecamatan as (plain code, name), sorted by name."""
    return sorted(((plain(code), area) for code, area in children(kecamatan).items()),
                  key=lambda item: (item[1].casefold(), item[0]))


def is_desa_in(desa: str, kecamatan: str) -> bool:
    """Return whether `desa` (10 digits, or dotted) is a desa of `kecamatan` in the table."""
    code = dotted(desa)
    return code.count(".") == 3 and code in table() and code[:8] == dotted(kecamatan)
