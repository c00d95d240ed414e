"""Disclosure control of report tables: primary and complementary cell suppression (pure).

A count from 1 to 10 leaves the office only as "<11" (primary suppression). Hiding it is not
enough when the report also shows a total it is part of: the total minus the other parts
gives it back. Each report therefore declares the linear relations between its cells (its
*margins*): a column that is the sum of others in the same row (`Sum`), rows of one table
that add up to rows of another per key (`Margin`), or any other equation (`Linear`). The
relations are computed on the true figures, so a declared sum that holds only in part (a
breakdown that leaves out rows without an answer) still is an equation, with the remainder
assumed known to the reader: the protection errs on the safe side.

`suppress` then works like the constraint-based simple heuristic of sdcTable (`protectTable`
with `method = "SIMPLEHEURISTIC"`) and tau-Argus's modular method in spirit:

1. every relation with exactly one hidden cell gets a second hidden cell: the shown cell of
   that relation with the smallest count (the cheapest loss), repeated until no relation
   has a single hidden cell;
2. the attacker's problem is solved for every primary cell: the smallest and largest value
   it can take given every shown cell and relation, a hidden "<11" cell in 1..10 and a
   complementary "(hidden)" cell at 11 or more (what the reader knows of each marker). A cell
   whose feasible interval is one whole number is exposed: one more cell of one of its
   relations is hidden and both steps run again.

Groups of hidden cells linked by relations are solved one at a time: a group of one relation
by interval arithmetic, larger ones as linear programs (scipy's HiGHS). Derived figures (rates,
intervals, a desa's name) are hidden with the counts they come from; rows ranked by a hidden
figure lose their rank and follow the ranked rows in key order (`Ranked`); a note quoting a
hidden figure is dropped (`Quote`).
"""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, replace
from typing import Any

from .model import K_MIN, Report, Table

HIDDEN = "(hidden)"  # a complementary suppression: a count of 11 or more hidden to protect another
Cell = tuple[str, int, str]  # (table, row index, column)


@dataclass(frozen=True)
class Sum:
    """In every row of `table`, the count `total` is the sum of the counts `parts`."""

    table: str
    total: str
    parts: tuple[str, ...]


@dataclass(frozen=True)
class Margin:
    """Rows of table `a` add up to rows of table `b`, per value of the key columns `by` (in
    both tables), for each count in `columns` ("name" in both, or "name_in_a=name_in_b").
    `where` keeps only the rows of `a` whose column (first) is one of the values (second)."""

    a: str
    b: str
    columns: tuple[str, ...]
    by: tuple[str, ...] = ()
    where: tuple[str, tuple] | None = None


@dataclass(frozen=True)
class Linear:
    """Any other relation: the sum of coefficient x cell over `terms` (table, row, column,
    coefficient) is what it is on the true figures."""

    terms: tuple[tuple[str, int, str, int], ...]


@dataclass(frozen=True)
class Ranked:
    """Rows of `table` ordered by the figures `on`: a row whose figure is hidden loses its place
    (and its `rank` cell, when given) and follows the others, ordered by the columns `then`;
    the ranks left are renumbered 1, 2, ..."""

    table: str
    on: tuple[str, ...]
    then: tuple[str, ...]
    rank: str | None = None


@dataclass(frozen=True)
class Quote:
    """A note of the report that quotes figures of row `row` of `table`: dropped when one of
    `columns` is hidden."""

    note: str
    table: str
    columns: tuple[str, ...]
    row: int = 0


Declaration = Sum | Margin | Linear | Ranked | Quote


def _counts(report: Report) -> dict[Cell, int]:
    """Return every count cell of the report with its value (NaN and None as 0)."""
    out = {}
    for t in report.tables:
        cols = [(i, c.name) for i, c in enumerate(t.columns) if c.kind == "count"]
        for r, row in enumerate(t.rows):
            for i, name in cols:
                v = row[i]
                out[t.name, r, name] = int(v) if isinstance(v, int | float) and v == v else 0
    return out


def _column_index(table: Table) -> dict[str, int]:
    return {c.name: i for i, c in enumerate(table.columns)}


def _key(table: Table, row: tuple, by: tuple[str, ...]) -> tuple:
    index = _column_index(table)
    return tuple(str(row[index[k]]) for k in by)


def equations(report: Report, margins: Iterable[Declaration]) -> list[dict[Cell, int]]:
    """Return the relations of the report as {cell: coefficient} (count cells only).

    Raises KeyError naming an unknown table or column: a declaration must match the tables.
    """
    tables = {t.name: t for t in report.tables}
    out: list[dict[Cell, int]] = []

    def need(table: str, column: str) -> None:
        if column not in _column_index(tables[table]):
            raise KeyError(f"{report.name}: table {table!r} has no column {column!r}")

    for m in margins:
        if isinstance(m, Sum):
            if m.table not in tables:
                continue  # a table this period did not produce
            for name in (m.total, *m.parts):
                need(m.table, name)
            for r in range(len(tables[m.table].rows)):
                eq = {(m.table, r, m.total): 1}
                eq.update({(m.table, r, p): -1 for p in m.parts})
                out.append(eq)
        elif isinstance(m, Margin):
            if m.a not in tables or m.b not in tables:
                continue
            a, b = tables[m.a], tables[m.b]
            pairs = [tuple(c.split("=")) if "=" in c else (c, c) for c in m.columns]
            for ca, cb in pairs:
                need(m.a, ca)
                need(m.b, cb)
            groups: dict[tuple, tuple[list[int], list[int]]] = defaultdict(lambda: ([], []))
            keep = None if m.where is None else (_column_index(a)[m.where[0]],
                                                  {str(v) for v in m.where[1]})
            for r, row in enumerate(a.rows):
                if keep is None or str(row[keep[0]]) in keep[1]:
                    groups[_key(a, row, m.by)][0].append(r)
            for r, row in enumerate(b.rows):
                groups[_key(b, row, m.by)][1].append(r)
            for rows_a, rows_b in groups.values():
                if not rows_a or not rows_b:
                    continue  # a key on one side only is no relation the reader can use
                for ca, cb in pairs:
                    eq = {(m.a, r, ca): 1 for r in rows_a}
                    eq.update({(m.b, r, cb): -1 for r in rows_b})
                    out.append(eq)
        elif isinstance(m, Linear):
            eq: dict[Cell, int] = {}
            for table, r, column, coef in m.terms:
                need(table, column)
                eq[table, r, column] = eq.get((table, r, column), 0) + coef
            out.append(eq)
    return [eq for eq in out if len(eq) > 1]


def _interval(eq: dict[Cell, int], rest: float, bounds: dict[Cell, tuple[float, float]],
              cell: Cell) -> tuple[float, float]:
    """Return the interval of `cell` in one equation sum(coef * x) = rest over hidden cells."""
    lo_rest = hi_rest = rest
    for other, coef in eq.items():
        if other == cell:
            continue
        lo, hi = bounds[other]
        a, b = coef * lo, coef * hi
        lo_rest -= max(a, b)
        hi_rest -= min(a, b)
    coef = eq[cell]
    lo, hi = sorted((lo_rest / coef, hi_rest / coef))
    own = bounds[cell]
    return max(lo, own[0]), min(hi, own[1])


def _exposed(values: dict[Cell, int], hidden: set[Cell], primary: set[Cell],
             eqs: list[dict[Cell, int]], by_cell: dict[Cell, list[int]], k: int) -> list[Cell]:
    """Return the primary cells whose attacker interval is a single whole number."""
    bounds = {c: ((1.0, k - 1.0) if c in primary else (float(k), math.inf)) for c in hidden}
    seen: set[Cell] = set()
    out = []
    for start in sorted(primary):
        if start in seen:
            continue
        # The group of hidden cells linked to `start` through relations.
        group, found, stack = set(), set(), [start]
        while stack:
            cell = stack.pop()
            if cell in group:
                continue
            group.add(cell)
            for e in by_cell.get(cell, ()):
                found.add(e)
                stack += [c for c in eqs[e] if c in hidden and c not in group]
        seen |= group
        system = sorted(found)
        # What the hidden cells of each relation add up to: the relation's known value
        # minus its shown cells (on the true figures, so a known remainder is included).
        hidden_eqs = [{c: coef for c, coef in eqs[e].items() if c in hidden} for e in system]
        sums = [sum(coef * values[c] for c, coef in eq.items()) for eq in hidden_eqs]
        for cell in sorted(group & primary):
            if not system:
                continue
            if len(system) == 1:
                lo, hi = _interval(hidden_eqs[0], sums[0], bounds, cell)
            else:
                lo, hi = _lp_interval(hidden_eqs, sums, bounds, sorted(group), cell)
            if math.ceil(lo - 1e-6) >= math.floor(hi + 1e-6):
                out.append(cell)
    return out


def _lp_interval(hidden_eqs: list[dict[Cell, int]], sums: list[int],
                 bounds: dict[Cell, tuple[float, float]], cells: list[Cell],
                 cell: Cell) -> tuple[float, float]:
    """Return the min and max of `cell` over the linear system (scipy's HiGHS)."""
    import numpy as np
    from scipy.optimize import linprog  # imported here: only a linked group needs it

    index = {c: i for i, c in enumerate(cells)}
    a = np.zeros((len(hidden_eqs), len(cells)))
    for row, eq in enumerate(hidden_eqs):
        for c, coef in eq.items():
            a[row, index[c]] = coef
    b = np.array(sums, dtype=float)
    box = [(bounds[c][0], None if bounds[c][1] == math.inf else bounds[c][1]) for c in cells]
    goal = np.zeros(len(cells))
    goal[index[cell]] = 1.0
    low = linprog(goal, A_eq=a, b_eq=b, bounds=box, method="highs")
    high = linprog(-goal, A_eq=a, b_eq=b, bounds=box, method="highs")
    if low.status != 0:  # cannot happen on true figures; hide more rather than trust it
        return bounds[cell]
    return low.fun, (math.inf if high.status == 3 else -high.fun)


def hidden_cells(values: dict[Cell, int], eqs: list[dict[Cell, int]],
                 k: int = K_MIN) -> tuple[set[Cell], set[Cell]]:
    """Return (primary, all hidden) count cells: primary are 1..k-1, the rest complementary."""
    primary = {c for c, v in values.items() if 0 < v < k}
    hidden = set(primary)
    by_cell: dict[Cell, list[int]] = defaultdict(list)
    for i, eq in enumerate(eqs):
        for c in eq:
            by_cell[c].append(i)

    def hide_one_more(e: int) -> bool:
        shown = [c for c in eqs[e] if c not in hidden and values[c] >= k]
        if not shown:
            return False
        hidden.add(min(shown, key=lambda c: (values[c], len(by_cell[c]), c)))
        return True

    def settle(todo: list[int]) -> None:
        while todo:
            e = todo.pop()
            if sum(c in hidden for c in eqs[e]) == 1 and hide_one_more(e):
                todo += [i for c in eqs[e] if c in hidden for i in by_cell[c]]

    settle([i for c in hidden for i in by_cell[c]])
    for _ in range(len(values) + 1):
        exposed = _exposed(values, hidden, primary, eqs, by_cell, k)
        if not exposed:
            break
        before = len(hidden)
        for cell in exposed:
            for e in by_cell[cell]:
                if hide_one_more(e):
                    break
        if len(hidden) == before:  # nothing left to hide around them: hide their relations
            for cell in exposed:
                for e in by_cell[cell]:
                    hidden.update(c for c in eqs[e] if values[c] > 0)
            if len(hidden) == before:
                break
        settle([i for c in hidden for i in by_cell[c]])
    return primary, hidden


def suppress(report: Report, k: int = K_MIN, margins: Iterable[Declaration] | None = None
            ) -> Report:
    """Return the report as it may leave the office: counts 1..k-1 as "<k", the cells that
    would give them back by subtraction as "(hidden)", and what derives from either hidden.

    `margins`: the report's declarations (default: `report.margins`).
    """
    margins = tuple(report.margins if margins is None else margins)
    values = _counts(report)
    primary, hidden = hidden_cells(values, equations(report, margins), k)
    tables = [_table(t, primary, hidden, k) for t in report.tables]
    for m in margins:
        if isinstance(m, Ranked):
            tables = [_reranked(t, m) if t.name == m.table else t for t in tables]
    notes = tuple(n for n in report.notes if not _quotes_hidden(n, margins, tables))
    return replace(report, tables=tuple(tables), notes=notes, suppressed=True)


def _table(table: Table, primary: set[Cell], hidden: set[Cell], k: int) -> Table:
    small = f"<{k}"
    rows = []
    for r, row in enumerate(table.rows):
        out = []
        for c, v in zip(table.columns, row, strict=True):
            cells = [(table.name, r, name) for name in (c.name, *c.of)]
            if c.kind == "count" and (table.name, r, c.name) in primary:
                out.append(small)
            elif c.kind == "count" and (table.name, r, c.name) in hidden:
                out.append(HIDDEN)
            elif any(x in primary for x in cells[1:]):
                out.append(small)  # a rate, interval or name of a small group
            elif c.kind not in ("key", "text") and any(x in hidden for x in cells[1:]):
                out.append(HIDDEN)
            else:
                out.append(v)
        rows.append(tuple(out))
    return replace(table, rows=tuple(rows))


def is_hidden(value: Any) -> bool:
    """Return whether a cell of a protected report is hidden ("<11" or "(hidden)")."""
    return isinstance(value, str) and (value == HIDDEN or value.startswith("<"))


def _reranked(table: Table, m: Ranked) -> Table:
    index = _column_index(table)
    ranked, rest = [], []
    for row in table.rows:
        (rest if any(is_hidden(row[index[c]]) for c in m.on) else ranked).append(row)
    rest.sort(key=lambda row: tuple(str(row[index[c]]) for c in m.then))
    if m.rank is not None:
        i = index[m.rank]
        ranked = [row[:i] + (n + 1,) + row[i + 1:] for n, row in enumerate(ranked)]
        rest = [row[:i] + (None,) + row[i + 1:] for row in rest]
    return replace(table, rows=tuple(ranked) + tuple(rest))


def _quotes_hidden(note: str, margins: tuple, tables: list[Table]) -> bool:
    by_name = {t.name: t for t in tables}
    for m in margins:
        if isinstance(m, Quote) and m.note == note and m.table in by_name:
            t = by_name[m.table]
            index = _column_index(t)
            if len(t.rows) > m.row and any(is_hidden(t.rows[m.row][index[c]])
                                           for c in m.columns):
                return True
    return False
