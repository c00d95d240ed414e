"""Conditions: validate a condition tree once, compile it twice (one record, a whole frame).

A condition is plain data (docs/design.md, Rule sets): `{field: F, <op>: value}`, the combinators
`all`, `any`, `not`, and `{dimension_positive: D}`. Null semantics: every field operator
except `is_null`/`not_null` is false when the field was not assessed; `not` negates its
child's truth value. Both compiled forms follow the same table, so a backtest over a frame
and the request path over one record agree.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
import pandas as pd

from ews.checklist import FIELDS
from ews.checklist.countries import ISO_COUNTRIES

DIMENSIONS = ("deceptive_recruitment", "coercive_recruitment", "abuse_of_vulnerability")
FIELD_OPS = ("eq", "ne", "in", "not_in", "in_list", "lt", "le", "gt", "ge", "is_null",
             "not_null")
COMBINATORS = ("all", "any", "not")
ORDER_OPS = ("lt", "le", "gt", "ge")
COUNTRY_VOCAB = tuple(sorted(ISO_COUNTRIES))
MAX_CONDITION_DEPTH = 32  # nested all/any/not levels; real rules use fewer than 5

RecordTest = Callable[[dict, frozenset], bool]
FrameTest = Callable[["Columns", dict], np.ndarray]


class ConditionError(ValueError):
    """A condition that cannot be compiled; the message says why."""


def vocabulary(name: str) -> tuple | None:
    """Return the ordered values of an enum-like field (None for bool and int fields)."""
    f = FIELDS[name]
    if f.kind == "enum":
        return f.values
    if f.kind == "country":
        return COUNTRY_VOCAB
    return None


class Columns:
    """Frame columns encoded once for fast comparison: enum codes, bool int8, int float."""

    def __init__(self, frame) -> None:
        self.frame = frame
        self.n = len(frame)
        self._cache: dict[str, np.ndarray] = {}

    def __getitem__(self, name: str) -> np.ndarray:
        if name not in self._cache:
            self._cache[name] = self._encode(name)
        return self._cache[name]

    def _encode(self, name: str) -> np.ndarray:
        kind = FIELDS[name].kind
        if name not in self.frame.columns:
            return np.full(self.n, np.nan if kind == "int" else -1,
                           dtype=float if kind == "int" else np.int16)
        col = self.frame[name]
        if kind in ("enum", "country"):
            vocab = vocabulary(name)
            if isinstance(col.dtype, pd.CategoricalDtype) and tuple(col.cat.categories) == vocab:
                return col.cat.codes.to_numpy(dtype=np.int16)
            return pd.Categorical(col, categories=vocab).codes.astype(np.int16)
        if kind == "bool":
            if isinstance(col.dtype, pd.BooleanDtype):
                return col.to_numpy(dtype=np.int16, na_value=-1)
            out = np.full(self.n, -1, dtype=np.int16)
            known = col.notna().to_numpy()
            out[known] = col[known].astype(bool).to_numpy()
            return out
        return pd.to_numeric(col, errors="coerce").to_numpy(dtype=float, na_value=np.nan)


def typed_frame(records) -> pd.DataFrame:
    """Return a DataFrame of records with typed columns (categorical enums, nullable bools).

    Any frame of checklist fields can be scored; this one is compact and scores fastest.
    """
    frame = pd.DataFrame.from_records(records)
    for name in frame.columns:
        f = FIELDS.get(name)
        if f is None:
            continue
        if f.kind in ("enum", "country"):
            frame[name] = pd.Categorical(frame[name], categories=vocabulary(name))
        elif f.kind == "bool":
            frame[name] = frame[name].astype("boolean")
        elif f.kind == "int":
            frame[name] = frame[name].astype("Int64")
    return frame


@dataclass(frozen=True)
class Compiled:
    """A validated condition with its record and frame evaluators."""

    record: RecordTest
    frame: FrameTest
    fields: frozenset
    dimensions: frozenset
    equals: tuple | None = None  # (field, value) for a plain `eq`, looked up by hash instead
    lists: frozenset = frozenset()  # the named lists it reads: context that moves one rung


def _check_value(name: str, op: str, value, lists: dict) -> list:
    """Return the values an operator compares with, after checking them against the field."""
    f = FIELDS[name]
    if op in ("is_null", "not_null"):
        if value is not True:
            raise ConditionError(f"operator '{op}' takes the value true")
        return []
    if op == "in_list":
        if not isinstance(value, str) or value not in lists:
            raise ConditionError(f"unknown list '{value}'")
        values = list(lists[value])
    elif op in ("in", "not_in"):
        if not isinstance(value, list) or not value:
            raise ConditionError(f"operator '{op}' takes a non-empty list")
        values = value
    else:
        values = [value]
    if op in ORDER_OPS and f.kind != "int":
        raise ConditionError(f"operator '{op}' needs a number field; '{name}' is {f.kind}")
    for v in values:
        if f.kind == "bool" and not isinstance(v, bool):
            raise ConditionError(f"field '{name}' is true/false; got {v!r}")
        if f.kind == "int" and (isinstance(v, bool) or not isinstance(v, int | float)):
            raise ConditionError(f"field '{name}' is a number; got {v!r}")
        vocab = vocabulary(name)
        if vocab is not None and v not in vocab:
            what = "country code" if f.kind == "country" else "value"
            raise ConditionError(f"{what} {v!r} is not allowed for field '{name}'"
                                 + (f" (one of: {', '.join(vocab)})" if f.kind == "enum" else ""))
    return values


def _field_test(name: str, op: str, values: list) -> tuple[RecordTest, FrameTest]:
    vocab = vocabulary(name)
    is_int = FIELDS[name].kind == "int"

    def code(v):
        if vocab is not None:
            return vocab.index(v)
        return float(v) if is_int else int(v)

    def known(a):
        return ~np.isnan(a) if is_int else a != -1

    if op == "is_null":
        return (lambda r, d: r.get(name) is None,
                lambda c, d: ~known(c[name]))
    if op == "not_null":
        return (lambda r, d: r.get(name) is not None,
                lambda c, d: known(c[name]))
    if op in ("eq", "ne", "in", "not_in", "in_list"):
        members = frozenset(values)
        codes = np.array([code(v) for v in values])
        if op == "ne" or op == "not_in":
            return (lambda r, d: (x := r.get(name)) is not None and x not in members,
                    lambda c, d: known(c[name]) & ~np.isin(c[name], codes))
        if len(values) == 1:
            only, only_code = values[0], codes[0]
            return (lambda r, d: r.get(name) == only,
                    lambda c, d: c[name] == only_code)
        return (lambda r, d: r.get(name) in members,
                lambda c, d: np.isin(c[name], codes))
    limit = float(values[0])
    cmp = {"lt": np.less, "le": np.less_equal, "gt": np.greater, "ge": np.greater_equal}[op]
    pycmp = {"lt": lambda x: x < limit, "le": lambda x: x <= limit,
             "gt": lambda x: x > limit, "ge": lambda x: x >= limit}[op]
    return (lambda r, d: (x := r.get(name)) is not None and pycmp(x),
            lambda c, d: cmp(c[name], limit))


def _all(*tests: RecordTest) -> RecordTest:
    # Unrolled for the common small arities: the request path runs these per indicator.
    if len(tests) == 1:
        return tests[0]
    if len(tests) == 2:
        a, b = tests
        return lambda r, d: a(r, d) and b(r, d)
    if len(tests) == 3:
        a, b, c = tests
        return lambda r, d: a(r, d) and b(r, d) and c(r, d)
    return lambda r, d: all(t(r, d) for t in tests)


def _any(*tests: RecordTest) -> RecordTest:
    if len(tests) == 1:
        return tests[0]
    if len(tests) == 2:
        a, b = tests
        return lambda r, d: a(r, d) or b(r, d)
    if len(tests) == 3:
        a, b, c = tests
        return lambda r, d: a(r, d) or b(r, d) or c(r, d)
    return lambda r, d: any(t(r, d) for t in tests)


def compile_condition(node, lists: dict, allow_dimensions: bool, _depth: int = 0) -> Compiled:
    """Validate a condition tree and compile it; raise ConditionError naming the problem."""
    if _depth > MAX_CONDITION_DEPTH:
        # Compiling and evaluating recurse once per level: refuse before Python's limit does.
        raise ConditionError(f"the condition is nested deeper than {MAX_CONDITION_DEPTH} "
                             f"levels of all/any/not")
    if not isinstance(node, dict) or not node:
        raise ConditionError(f"a condition must be a mapping; got {node!r}")
    keys = set(node)
    if keys & set(COMBINATORS):
        if len(keys) != 1:
            raise ConditionError(f"a combinator stands alone; got keys {sorted(keys)}")
        (comb,) = keys
        if comb == "not":
            child = compile_condition(node["not"], lists, allow_dimensions, _depth + 1)
            return Compiled(lambda r, d: not child.record(r, d),
                            lambda c, d: ~child.frame(c, d), child.fields, child.dimensions,
                            lists=child.lists)
        items = node[comb]
        if not isinstance(items, list) or not items:
            raise ConditionError(f"'{comb}' takes a non-empty list of conditions")
        kids = [compile_condition(i, lists, allow_dimensions, _depth + 1) for i in items]
        fields = frozenset().union(*(k.fields for k in kids))
        dims = frozenset().union(*(k.dimensions for k in kids))
        used = frozenset().union(*(k.lists for k in kids))
        frames = [k.frame for k in kids]
        if comb == "all":
            return Compiled(_all(*(k.record for k in kids)),
                            lambda c, d: np.logical_and.reduce([t(c, d) for t in frames]),
                            fields, dims, lists=used)
        return Compiled(_any(*(k.record for k in kids)),
                        lambda c, d: np.logical_or.reduce([t(c, d) for t in frames]),
                        fields, dims, lists=used)
    if "dimension_positive" in keys:
        if len(keys) != 1:
            raise ConditionError("'dimension_positive' stands alone")
        dim = node["dimension_positive"]
        if dim not in DIMENSIONS:
            raise ConditionError(f"unknown dimension '{dim}' (one of: {', '.join(DIMENSIONS)})")
        if not allow_dimensions:
            raise ConditionError("'dimension_positive' is allowed in escalations only")
        return Compiled(lambda r, d: dim in d, lambda c, d: d[dim],
                        frozenset(), frozenset([dim]))
    if "field" not in keys:
        raise ConditionError(f"unknown condition keys {sorted(keys)}: expected 'field', "
                             f"'all', 'any', 'not' or 'dimension_positive'")
    name = node["field"]
    if name not in FIELDS:
        raise ConditionError(f"unknown field '{name}'")
    if FIELDS[name].role != "rule":
        raise ConditionError(f"field '{name}' has role '{FIELDS[name].role}'; "
                             f"only 'rule' fields may be used")
    ops = keys - {"field"}
    if len(ops) != 1:
        raise ConditionError(f"field '{name}' needs exactly one operator; got "
                             f"{sorted(ops) or 'none'}")
    (op,) = ops
    if op not in FIELD_OPS:
        raise ConditionError(f"unknown operator '{op}' (one of: {', '.join(FIELD_OPS)})")
    values = _check_value(name, op, node[op], lists)
    rec, frame = _field_test(name, op, values)
    equals = (name, values[0]) if op == "eq" else None
    used = frozenset([node[op]]) if op == "in_list" else frozenset()
    return Compiled(rec, frame, frozenset([name]), frozenset(), equals, used)
