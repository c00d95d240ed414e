"""The import graph of `ews/`, read with `ast` (standard library only; nothing is imported).

Every `import` statement counts, at module level and inside functions (a function-level import
is still a dependency, only a later one); imports under `if TYPE_CHECKING:` do not run and do
not count. Importing `ews.a.b` also runs `ews/a/__init__.py`, so an import reaches every
package above its target that is not a package of the importing module itself.
"""

from __future__ import annotations

import ast
from dataclasses import dataclass
from functools import cache
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
EWS = ROOT / "ews"


@dataclass(frozen=True)
class Import:
    """One import of an `ews` module (or of an outside top-level package) by a module."""

    source: str      # the importing module, e.g. "ews.api.errors"
    target: str      # the module reached, e.g. "ews.web.pages", or "flask" outside ews
    line: int
    in_function: bool


def _name(path: Path) -> str:
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


@cache
def modules() -> dict[str, Path]:
    """Return every module of `ews/` by dotted name (migration scripts left out)."""
    return {_name(p): p for p in sorted(EWS.rglob("*.py"))
            if "versions" not in p.relative_to(EWS).parts}


def _is_type_checking(node: ast.If) -> bool:
    test = node.test
    return (isinstance(test, ast.Name) and test.id == "TYPE_CHECKING") or (
        isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING")


def _walk(node: ast.AST, in_function: bool = False):
    """Yield (import node, in_function) below `node`, skipping `if TYPE_CHECKING:` blocks."""
    for child in ast.iter_child_nodes(node):
        if isinstance(child, ast.If) and _is_type_checking(child):
            yield from (pair for n in child.orelse for pair in _walk_one(n, in_function))
            continue
        yield from _walk_one(child, in_function)


def _walk_one(node: ast.AST, in_function: bool):
    if isinstance(node, ast.Import | ast.ImportFrom):
        yield node, in_function
        return
    inner = in_function or isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef | ast.Lambda)
    yield from _walk(node, inner)


def _resolve(dotted: str) -> str:
    """Return the longest `ews` module that `dotted` names or lies in, or its top package."""
    mods = modules()
    parts = dotted.split(".")
    if parts[0] != "ews":
        return parts[0]
    for k in range(len(parts), 0, -1):
        if ".".join(parts[:k]) in mods:
            return ".".join(parts[:k])
    return "ews"


def _base(module: str, node: ast.ImportFrom) -> str:
    if not node.level:
        return node.module or ""
    package = module if modules()[module].name == "__init__.py" else module.rpartition(".")[0]
    for _ in range(node.level - 1):
        package = package.rpartition(".")[0]
    return f"{package}.{node.module}" if node.module else package


def _targets(module: str, node: ast.Import | ast.ImportFrom) -> list[str]:
    if isinstance(node, ast.Import):
        return [_resolve(a.name) for a in node.names]
    base = _base(module, node)
    mods = modules()
    out = [f"{base}.{a.name}" if f"{base}.{a.name}" in mods else _resolve(base)
           for a in node.names]
    return list(dict.fromkeys(out))


def _packages_above(target: str, source: str) -> list[str]:
    """Return the packages whose `__init__` importing `target` runs, minus `source`'s own."""
    parts = target.split(".")
    above = [".".join(parts[:k]) for k in range(2, len(parts))]
    return [p for p in above if not (source == p or source.startswith(p + "."))]


@cache
def imports() -> tuple[Import, ...]:
    """Return every import made by a module of `ews/`, outside packages by top-level name."""
    out = []
    for module, path in modules().items():
        tree = ast.parse(path.read_text(encoding="utf-8"), str(path))
        for node, in_function in _walk(tree):
            for target in _targets(module, node):
                reached = [target] + (_packages_above(target, module)
                                      if target.startswith("ews.") else [])
                out += [Import(module, t, node.lineno, in_function) for t in reached
                        if t != module]
    return tuple(out)


def graph() -> dict[str, set[str]]:
    """Return module -> the `ews` modules it imports (directly)."""
    edges: dict[str, set[str]] = {m: set() for m in modules()}
    for imp in imports():
        if imp.target in edges:
            edges[imp.source].add(imp.target)
    return edges


def components(edges: dict[str, set[str]]) -> list[list[str]]:
    """Return the strongly connected components with more than one module (Tarjan)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on: set[str] = set()
    out: list[list[str]] = []

    def visit(v: str) -> None:  # recursion depth is bounded by the ~150 modules
        index[v] = low[v] = len(index)
        stack.append(v)
        on.add(v)
        for w in sorted(edges[v]):
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            part = []
            while True:
                w = stack.pop()
                on.discard(w)
                part.append(w)
                if w == v:
                    break
            if len(part) > 1:
                out.append(sorted(part))

    for v in sorted(edges):
        if v not in index:
            visit(v)
    return out


def cycles(edges: dict[str, set[str]], limit: int = 200) -> list[tuple[str, ...]]:
    """Return the elementary cycles (each rotated to start at its smallest name), at most `limit`.

    Searched inside each strongly connected component only, from its smallest member first,
    so every cycle is found once.
    """
    found: list[tuple[str, ...]] = []
    for part in components(edges):
        members = set(part)
        for k, start in enumerate(part):
            allowed = members - set(part[:k])

            def walk(path: list[str], start: str = start, allowed: set = allowed) -> None:
                for nxt in sorted(edges[path[-1]] & allowed):
                    if len(found) >= limit:
                        return
                    if nxt == start:
                        found.append(tuple(path))
                    elif nxt not in path:
                        walk(path + [nxt])

            walk([start])
    return found
