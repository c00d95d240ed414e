"""Storage sits below everything: `ews/store` imports neither Flask nor a layer above it.

Read with the standard library's `ast`, every import counts: module level, inside a
function, under `TYPE_CHECKING`.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

STORE = Path(__file__).resolve().parents[1] / "ews" / "store"
FORBIDDEN = ("flask", "flask_babel", "flask_login", "flask_smorest", "flask_wtf",
             "ews.scoring", "ews.engine",
             "ews.lifecycle", "ews.learn", "ews.api", "ews.web", "ews.interviews",
             "ews.reports", "ews.review")
# What storage may use of the project: itself, the audit chain (which stores through it) and
# the checklist registry (plain data). Anything else is above it.
ALLOWED = ("ews.store", "ews.audit", "ews.checklist")


def imported(source: str, package: str) -> set[str]:
    """Return every module an import statement of `source` (in `package`) names."""
    names = set()
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            if node.level:  # relative: resolve against the module's package
                base = package.split(".")[:len(package.split(".")) - node.level + 1]
                module = ".".join(base + ([node.module] if node.module else []))
            else:
                module = node.module
            names.add(module)
            names.update(f"{module}.{alias.name}" for alias in node.names)
    return names


def _under(name: str, modules: tuple[str, ...]) -> bool:
    return any(name == m or name.startswith(m + ".") for m in modules)


def forbidden(names: set[str]) -> list[str]:
    """Return the imported names storage may not use: FORBIDDEN, or of ews but not ALLOWED."""
    return sorted(n for n in names if _under(n, FORBIDDEN) or (
        _under(n, ("ews",)) and n != "ews" and not _under(n, ALLOWED)))


def _package(path: Path) -> str:
    parts = path.relative_to(STORE.parents[1]).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] != "__init__" else parts[:-1])


@pytest.mark.parametrize("path", sorted(STORE.rglob("*.py")),
                         ids=lambda p: str(p.relative_to(STORE)))
def test_store_imports_nothing_above_it(path):
    names = imported(path.read_text(encoding="utf-8"), _package(path))
    assert forbidden(names) == [], f"{path.name} imports from above storage"


@pytest.mark.parametrize(("source", "found"), [
    ("from flask import g", ["flask", "flask.g"]),
    ("def f():\n    from ews.lifecycle import transition", ["ews.lifecycle",
                                                           "ews.lifecycle.transition"]),
    ("import ews.scoring.frame", ["ews.scoring.frame"]),
    ("from .. import web", ["ews.web"]),
    ("from ..engine.loader import RuleSet", ["ews.engine.loader",
                                             "ews.engine.loader.RuleSet"]),
    ("def f():\n    from ews.auth.ratelimit import LIMIT", ["ews.auth.ratelimit",
                                                      "ews.auth.ratelimit.LIMIT"]),
    ("from ews import audit\nfrom . import pii\nfrom ews.checklist import FIELDS\n"
     "import sqlalchemy", []),
])
def test_the_check_sees_every_kind_of_import(source, found):
    assert forbidden(imported(source, "ews.store")) == found
