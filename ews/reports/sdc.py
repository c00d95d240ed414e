"""Disclosure control of report tables: primary and complementary cell suppression (pure).

A count from 1 to 10 leaves the office only as "<11" (primary suppression). Hiding it is not
enough when the report also shows a total it is part of: the total minus the other parts
gives it back. Each report therefore declares the linear relations between its cells (its
*margins*): a column that is the sum of others in the same row (`Sum`), rows of one table
that add up to rows of another per key (`Margin`), or any other equation (`Linear`). The
relations are computed on the true figures. A sum that holds only in part (a breakdown that
leaves out rows without an answer) is declared `partial`: where the parts happen to add up
to the total it is an equation to the reader too, elsewhere a bound (the total is at least
the parts).

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
    partial: bool = False  # the parts leave something out: the total is at least their sum


@dataclass(frozen=True)
class Margin:
    """Rows of table `a` add up to rows of table `b`, per value of the key columns `by` (in
    both tables), for each count in `columns` (in both tables). `where` keeps only the rows
    of `a` whose column (first) is one of the values (second)."""

    a: str
    b: str
    columns: tuple[str, ...]
    by: tuple[str, ...] = ()
    where: tuple[str, tuple] | None = None
    partial: bool = False  # `b` leaves rows out (unanswered): `a` is at least its sum


@dataclass(frozen=True)
class Linear:
    """Any other relation: the sum of coefficient x cell over `terms` (table, row, column,
    coefficient) is what it is on the true figures."""

    terms: tuple[tuple[str, int, str, int], ...]
    partial: bool = False  # the sum is at least 0 (something unseen adds to it)


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


def equations(report: Report, margins: Iterable[Declaration]
              ) -> tuple[list[dict[Cell, int]], set[int]]:
    """Return the relations of the report as {cell: coefficient} (count cells only), and the
    indexes of the partial ones (sum of coefficient x cell at least 0).

    Raises KeyError naming an unknown table or column: a declaration must match the tables.
    """
    tables = {t.name: t for t in report.tables}
    out: list[dict[Cell, int]] = []
    partial: list[bool] = []

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
                partial.append(m.partial)
        elif isinstance(m, Margin):
            if m.a not in tables or m.b not in tables:
                continue
            for name in m.columns:
                need(m.a, name)
                need(m.b, name)
            groups: dict[tuple, tuple[list[int], list[int]]] = defaultdict(lambda: ([], []))
            keep = None if m.where is None else (_column_index(tables[m.a])[m.where[0]],
                                                  {str(v) for v in m.where[1]})
            for side, name in enumerate((m.a, m.b)):
                key = [_column_index(tables[name])[k] for k in m.by]
                for r, row in enumerate(tables[name].rows):
                    if side or keep is None or str(row[keep[0]]) in keep[1]:
                        groups[tuple(str(row[i]) for i in key)][side].append(r)
            for rows_a, rows_b in groups.values():
                if not rows_a or not rows_b:
                    continue  # a key on one side only is no relation the reader can use
                for name in m.columns:
                    eq = {(m.a, r, name): 1 for r in rows_a}
                    eq.update({(m.b, r, name): -1 for r in rows_b})
                    out.append(eq)
                    partial.append(m.partial)
        elif isinstance(m, Linear):
            eq: dict[Cell, int] = {}
            for table, r, column, coef in m.terms:
                need(table, column)
                eq[table, r, column] = eq.get((table, r, column), 0) + coef
            out.append(eq)
            partial.append(m.partial)
    keep = [i for i, eq in enumerate(out) if len(eq) > 1]
    return [out[i] for i in keep], {j for j, i in enumerate(keep) if partial[i]}


class _Problem:
    """The report's count cells, its relations and the cells hidden so far."""

    def __init__(self, values: dict[Cell, int], eqs: list[dict[Cell, int]], partial: set[int],
                 k: int):
        self.values, self.eqs, self.k = values, eqs, k
        self.primary = {c for c, v in values.items() if 0 < v < k}
        self.hidden = set(self.primary)
        self.by_cell: dict[Cell, list[int]] = defaultdict(list)
        for i, eq in enumerate(eqs):
            for c in eq:
                self.by_cell[c].append(i)
        # A partial relation whose parts fall short of the total is a bound, not an equation.
        self.slack = {i: sum(coef * values[c] for c, coef in eqs[i].items()) for i in partial}
        self.bounds = {i for i, gap in self.slack.items() if gap}
        self.cap = 2.0 * max(values.values(), default=0) + k

    def groups(self) -> list[tuple[list[Cell], list[int]]]:
        """Return the groups of hidden cells linked by relations that hold a primary cell:
        (cells, relations)."""
        seen: set[Cell] = set()
        out = []
        for start in sorted(self.primary):
            if start in seen:
                continue
            group, found, stack = set(), set(), [start]
            while stack:
                cell = stack.pop()
                if cell in group:
                    continue
                group.add(cell)
                for e in self.by_cell.get(cell, ()):
                    found.add(e)
                    stack += [c for c in self.eqs[e] if c in self.hidden and c not in group]
            seen |= group
            if found:
                out.append((sorted(group), sorted(found)))
        return out

    def hide_one_more(self, among: Iterable[int]) -> bool:
        """Hide the shown cell of the smallest count in the relations `among` (11 or more:
        a shown count is 0 or at least k)."""
        shown = {c for e in among for c in self.eqs[e]
                 if c not in self.hidden and self.values[c] >= self.k}
        if not shown:
            return False
        self.hidden.add(min(shown, key=lambda c: (self.values[c], len(self.by_cell[c]), c)))
        return True

    def hide_near(self, cell: Cell) -> bool:
        """Hide one more cell in the relations of `cell`, else in those one hidden cell
        further, and so on."""
        rows = frontier = set(self.by_cell[cell])
        while frontier:
            if self.hide_one_more(sorted(frontier)):
                return True
            linked = {c for e in frontier for c in self.eqs[e] if c in self.hidden}
            frontier = {e for c in linked for e in self.by_cell[c]} - rows
            rows = rows | frontier
        return False

    def settle(self) -> None:
        """Give every relation with a single hidden cell a second one (cheapest first)."""
        todo = sorted({i for c in self.hidden for i in self.by_cell[c]})
        while todo:
            e = todo.pop()
            if sum(c in self.hidden for c in self.eqs[e]) == 1 and self.hide_one_more((e,)):
                todo += [i for c in self.eqs[e] if c in self.hidden for i in self.by_cell[c]]

    def exposed(self) -> list[Cell]:
        """Return the primary cells whose attacker interval is a single whole number.

        The true figures are one solution of the attacker's system; a cell is safe once
        another solution gives it a value at least 1 away. Four linear programs over all
        groups at once (maximise and minimise two weighted sums, the weights all different,
        so that cells trading against each other both move) settle most cells; the rest are
        pushed up and down one by one within their group.
        """
        import numpy as np

        groups = self.groups()
        if not groups:
            return []
        cells = [c for group, _ in groups for c in group]
        whole = _System(self, cells, sorted({e for _, found in groups for e in found}))
        spread = (np.arange(len(cells)) * 0.618034) % 1.0
        moved = np.zeros(len(cells), dtype=bool)
        for weights in (1.0 + spread, 2.0 - spread):
            for sign in (1.0, -1.0):
                moved |= np.abs(whole.solve(sign * weights) - whole.true) >= 1 - 1e-6
        out = []
        for group, found in groups:
            left = [c for c in group if c in self.primary and not moved[whole.index[c]]]
            if left:
                part = _System(self, group, found)
                out += [cell for cell in left if part.pinned(part.index[cell])]
        return out


class _System:
    """The attacker's linear system over some hidden cells: each relation restricted to them
    equals what they add up to (the relation's known value minus its shown cells), or is at
    least that for a bound; a "<k" cell lies in 1..k-1, a "(hidden)" one in k..cap (a cap only
    shrinks what the attacker may reach: a cell that moves within it moves for them too)."""

    def __init__(self, problem: _Problem, cells: list[Cell], rows: list[int]):
        import numpy as np
        from scipy.sparse import csr_array  # imported here: only linked hidden cells need it

        self.index = {c: i for i, c in enumerate(cells)}
        self.true = np.array([problem.values[c] for c in cells], dtype=float)
        k = problem.k
        self.bounds = [(1.0, k - 1.0) if c in problem.primary else (float(k), problem.cap)
                       for c in cells]
        entries = [(r, self.index[c], coef) for r, e in enumerate(rows)
                   for c, coef in problem.eqs[e].items() if c in problem.hidden]
        r_, c_, v_ = zip(*entries, strict=True) if entries else ((), (), ())
        a = csr_array((v_, (r_, c_)), shape=(len(rows), len(cells)), dtype=float)
        b = a @ self.true
        loose = np.array([e in problem.bounds for e in rows], dtype=bool)
        gaps = np.array([problem.slack.get(e, 0) for e in rows], dtype=float)
        self.a, self.b = a[~loose], b[~loose]
        # sum(coef x) over the hidden cells >= its true value minus the gap
        self.a_ub, self.b_ub = -a[loose], gaps[loose] - b[loose]

    def solve(self, goal):
        """Return the point minimising goal . x (the true point if the solver fails)."""
        from scipy.optimize import linprog

        ub = {"A_ub": self.a_ub, "b_ub": self.b_ub} if self.a_ub.shape[0] else {}
        eq = {"A_eq": self.a, "b_eq": self.b} if self.a.shape[0] else {}
        got = linprog(goal, bounds=self.bounds, method="highs", **eq, **ub)
        return got.x if got.status == 0 else self.true

    def pinned(self, i: int) -> bool:
        """Return whether cell `i` cannot move by 1 or more from its true value."""
        import numpy as np

        if self.a.shape[0] == 1 and not self.a_ub.shape[0]:  # one relation: intervals
            row = self.a.toarray()[0]
            coef, others = row[i], np.delete(np.arange(len(self.true)), i)
            ends = [row[j] * np.array(self.bounds[j]) for j in others]
            low = (self.b[0] - sum(max(e) for e in ends)) / coef
            high = (self.b[0] - sum(min(e) for e in ends)) / coef
            low, high = sorted((low, high))
            low, high = max(low, self.bounds[i][0]), min(high, self.bounds[i][1])
            return high - self.true[i] < 1 - 1e-6 and self.true[i] - low < 1 - 1e-6
        goal = np.zeros(len(self.true))
        goal[i] = 1.0
        return not any(abs(self.solve(sign * goal)[i] - self.true[i]) >= 1 - 1e-6
                       for sign in (-1.0, 1.0))


def hidden_cells(values: dict[Cell, int], eqs: list[dict[Cell, int]], partial: set[int],
                 k: int = K_MIN) -> tuple[set[Cell], set[Cell]]:
    """Return (primary, all hidden) count cells: primary are 1..k-1, the rest complementary.

    `partial`: the indexes of the relations that are partial sums (see `equations`).
    """
    problem = _Problem(values, eqs, partial, k)
    problem.settle()
    for _ in range(len(values) + 1):
        before = set(problem.hidden)
        for cell in problem.exposed():
            if not any(c not in before for e in problem.by_cell[cell] for c in problem.eqs[e]
                       if c in problem.hidden):  # else a cell hidden now next to it may do
                problem.hide_near(cell)
        if problem.hidden == before:
            break  # nothing exposed, or nothing left to hide (cannot happen on true figures)
        problem.settle()
    return problem.primary, problem.hidden


def suppress(report: Report, k: int = K_MIN, margins: Iterable[Declaration] | None = None
            ) -> Report:
    """Return the report as it may leave the office: counts 1..k-1 as "<k", the cells that
    would give them back by subtraction as "(hidden)", and what derives from either hidden.

    `margins`: the report's declarations (default: `report.margins`).
    """
    margins = tuple(report.margins if margins is None else margins)
    values = _counts(report)
    primary, hidden = hidden_cells(values, *equations(report, margins), k)
    tables = [_table(t, primary, hidden, k) for t in report.tables]
    for m in margins:
        if isinstance(m, Ranked):
            tables = [_reranked(t, m) if t.name == m.table else t for t in tables]
    notes = tuple(n for n in report.notes if not _quotes_hidden(n, margins, tables))
    return replace(report, tables=tuple(tables), notes=notes, suppressed=True)


def _table(table: Table, primary: set[Cell], hidden: set[Cell], k: int) -> Table:
    marks: dict[int, dict[str, str]] = defaultdict(dict)  # row -> {count column: marker}
    for t, r, name in hidden:
        if t == table.name:
            marks[r][name] = f"<{k}" if (t, r, name) in primary else HIDDEN
    if not marks:
        return table
    rows = list(table.rows)
    for r, hid in marks.items():
        out = []
        for c, v in zip(table.columns, rows[r], strict=True):
            if c.kind == "count" and c.name in hid:
                v = hid[c.name]
            else:
                of = {hid[name] for name in c.of if name in hid}
                if f"<{k}" in of:
                    v = f"<{k}"  # a rate, interval or name of a small group
                elif of and c.kind not in ("key", "text"):
                    v = HIDDEN
            out.append(v)
        rows[r] = tuple(out)
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
