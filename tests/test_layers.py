"""The layering written in docs/design.md "Architecture" holds in the code (read with `ast`).

The table names every package (or top-level module) of `ews/` and the `ews` packages it may
import; module-level and function-level imports are checked alike.
"""

import re

import pytest

from tests.imports import ROOT, imports, modules

DOC = ROOT / "docs" / "design.md"


def table() -> dict[str, dict]:
    """Return the Architecture table: package name -> {"allowed": set, "coming": bool}."""
    text = DOC.read_text(encoding="utf-8").split("## Architecture", 1)[1].split("\n## ", 1)[0]
    rows = {}
    for line in text.splitlines():
        cells = [c.strip() for c in line.strip().strip("|").split("|")]
        path = re.fullmatch(r"`ews/([\w_]*?)(?:/|\.py)?`", cells[0]) if len(cells) == 3 else None
        if path is None:
            continue
        name = path.group(1).removesuffix("__init__") or "ews"
        rows[name] = {"allowed": set(re.findall(r"`(\w+)`", cells[2])),
                      "coming": "*coming" in cells[1]}
    return rows


def row_of(module: str) -> str:
    """Return the table row a module belongs to: its package under ews/."""
    if module == "ews":
        return "ews"
    return module.split(".")[1]


def violations(rows: dict[str, dict]) -> list[str]:
    """Return each import of an `ews` package that the importer's row does not allow."""
    found = set()
    for imp in imports():
        if not (imp.target == "ews" or imp.target.startswith("ews.")):
            continue
        source, target = row_of(imp.source), row_of(imp.target)
        if source == target or target in rows.get(source, {}).get("allowed", ()):
            continue
        where = "in a function" if imp.in_function else "at module level"
        found.add(f"{imp.source} (line {imp.line}, {where}) imports {imp.target}: "
                  f"`{source}` may not import `{target}`")
    return sorted(found)


def test_the_table_lists_every_package_of_ews():
    rows = table()
    present = {row_of(m) for m in modules()}
    missing = sorted(present - set(rows))
    assert not missing, f"docs/design.md Architecture has no row for: {missing}"
    phantom = sorted(n for n, r in rows.items() if n not in present and not r["coming"])
    assert not phantom, f"rows for packages that do not exist (mark them *coming*): {phantom}"


def test_a_row_names_only_packages_of_the_table():
    rows = table()
    unknown = sorted(f"{n}: {a}" for n, r in rows.items() for a in r["allowed"] - set(rows))
    assert not unknown


def test_every_import_follows_the_table():
    rows = {n: r for n, r in table().items() if not r["coming"] or n in
            {row_of(m) for m in modules()}}
    found = violations(rows)
    assert not found, "imports against docs/design.md Architecture:\n" + "\n".join(found)


@pytest.mark.parametrize("module, row", [
    ("ews", "ews"), ("ews.store.db", "store"), ("ews.cli.model", "cli"),
    ("ews.cli", "cli"), ("ews.config", "config"),
])
def test_modules_belong_to_their_rows(module, row):
    assert row_of(module) == row


def test_a_forbidden_import_is_reported(monkeypatch):
    rows = table()
    rows["engine"] = {"allowed": set(), "coming": False}  # as if engine might import nothing
    found = violations(rows)
    assert any("`engine` may not import `checklist`" in f for f in found)
