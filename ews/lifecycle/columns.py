"""Typed columns straight from stored answers: how a backtest turns a chunk into a frame.

`records.stored_record` + `records.record_frame` define the frame of a chunk (one full
record per row, then typed columns). `chunk_frame` builds the same frame without the
per-row record: each row's answers and features are parsed (features win for a field both
hold; absent is missing) and only the fields the rule sets read are coded at once, enum
codes and bool -1/0/1, into one int16 matrix per chunk. Rows that are not plain v2 rows
(v1 answers, not an object, odd values) take the defining path row by row, and a column
holding a value of an unexpected type is typed by `record_frame` itself, so both paths
give equal frames (tests/test_backtest_columns.py).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from itertools import repeat
from typing import NamedTuple

import numpy as np
import pandas as pd

from ews.checklist import CURRENT_VERSION, FIELDS
from ews.engine.conditions import vocabulary

from .records import SkipRow, record_frame, stored_record

try:  # about 4x faster than json for the stored answers; optional
    from orjson import JSONDecodeError
    from orjson import loads as _loads
except ImportError:  # pragma: no cover - the stdlib does the same, slower
    from json import JSONDecodeError
    from json import loads as _loads

_BAD = object()  # a stored text that is not JSON
_BOOL = {True: 1, False: 0, None: -1}  # 1 and 0 hash equal to True and False, as pandas' eq
_NOT_BOOL = 2
_LIMIT = 2.0 ** 53  # ints beyond this are left to pandas (they may not fit a float)


class StoredChunk(NamedTuple):
    """Stored rows of a chunk, one list per column."""

    ids: list
    offices: list
    created: list  # datetimes or ISO text
    answers: list  # parsed, or JSON as bytes (a str is a value, not JSON text)
    features: list
    outcomes: list
    versions: list
    rungs: list | None = None  # the stored (live) rung: the stratum of its label
    origins: list | None = None  # label_origin: followup, sample, external (None: followup)
    probabilities: list | None = None  # sample_probability of sampled rows (else NaN)

    @classmethod
    def of_rows(cls, rows: Sequence) -> StoredChunk:
        """Return the chunk of a sequence of `StoredRow` (same field order)."""
        if not rows:
            return cls([], [], [], [], [], [], [])
        return cls(*map(list, zip(*rows, strict=True)))

    def take(self, keep: Sequence[int]) -> StoredChunk:
        """Return the rows at positions `keep`."""
        return StoredChunk(*(None if col is None else [col[i] for i in keep] for col in self))


def _parsed(values: list) -> list:
    """Parse JSON bytes and keep what is already parsed; bytes that are not JSON -> _BAD."""
    if set(map(type, values)) == {bytes}:
        try:
            return list(map(_loads, values))
        except (JSONDecodeError, ValueError):
            pass
    return [_one(v) for v in values]


def _one(value):
    if not isinstance(value, bytes):
        return value
    try:
        return _loads(value)
    except (JSONDecodeError, ValueError):
        return _BAD


def chunk_frame(chunk: StoredChunk, fields: Sequence[str]) -> tuple[pd.DataFrame, list, Counter]:
    """Return the typed frame of `fields` for the replayable rows of a chunk.

    Returns (frame, positions of the rows kept, Counter of skip reasons). The frame equals
    `record_frame([stored_record(...) for each kept row], fields)`.
    """
    if (set(chunk.versions) == {CURRENT_VERSION} and set(map(type, chunk.answers)) == {bytes}
            and set(map(type, chunk.features)) == {bytes}):
        frame = _fast_frame(chunk.answers, chunk.features, fields)
        if frame is not None:  # the usual chunk: v2 rows as the database gives them
            return frame, list(range(len(chunk.answers))), Counter()
    answers, features = _parsed(chunk.answers), _parsed(chunk.features)
    answers, features, kept, skipped = _rows(answers, features, chunk.versions)
    rows = [tuple(map((a | f).get, fields)) for a, f in zip(answers, features, strict=True)]
    values = list(zip(*rows, strict=True)) if rows else [()] * len(fields)
    columns = {name: _typed(name, list(col)) for name, col in zip(fields, values, strict=True)}
    return pd.DataFrame(columns, index=pd.RangeIndex(len(kept)), copy=False), kept, skipped


def _rows(answers: list, features: list, versions: list):
    """Keep plain v2 rows as they are, map the others through `stored_record` or skip them."""
    out_a, out_f, kept, skipped = [], [], [], Counter()
    for i, (a, f, version) in enumerate(zip(answers, features, versions, strict=True)):
        if a is _BAD or f is _BAD:
            skipped["answers or features are not valid JSON"] += 1
            continue
        if version == CURRENT_VERSION and type(a) is dict and type(f) is dict:
            out_a.append(a)
            out_f.append(f)  # features win over answers, as in stored_record
        else:
            try:
                out_a.append(stored_record(a, f, version))  # the whole record: read as is
            except SkipRow as why:
                skipped[str(why)] += 1
                continue
            out_f.append({})
        kept.append(i)
    return out_a, out_f, kept, skipped


class _Plan(NamedTuple):
    coded: tuple[str, ...]  # enum, country and bool fields: one small int per value
    maps: tuple[dict, ...]
    defaults: tuple[int, ...]
    numbers: tuple[str, ...]


def _plan(fields: Sequence[str]) -> _Plan:
    coded = tuple(n for n in fields if FIELDS[n].kind != "int")
    return _Plan(coded, tuple(_BOOL if FIELDS[n].kind == "bool" else _codes(n)[0]
                              for n in coded),
                 tuple(_NOT_BOOL if FIELDS[n].kind == "bool" else -1 for n in coded),
                 tuple(n for n in fields if FIELDS[n].kind == "int"))


def _fast_frame(answers: list[bytes], features: list[bytes],
                fields: Sequence[str]) -> pd.DataFrame | None:
    """Parse and code row by row (each row's dict is read while it is in the CPU cache).

    Returns None where a row is not a plain v2 row (not objects, not JSON) or a value is
    not of its field's type: the caller then takes the general path.
    """
    plan, get = _plan(fields), dict.get
    codes, numbers = [], []
    add_codes, add_numbers = codes.extend, numbers.extend
    try:
        for raw_answers, raw_features in zip(answers, features, strict=True):
            record, derived = _loads(raw_answers), _loads(raw_features)
            if type(record) is not dict or type(derived) is not dict:
                return None
            record.update(derived)  # the features win; absent: None, as in stored_record
            add_codes(map(get, plan.maps, map(record.get, plan.coded), plan.defaults))
            add_numbers(map(record.get, plan.numbers))
    except (TypeError, ValueError):  # JSONDecodeError is a ValueError; TypeError: a list
        return None
    n, width = len(answers), len(plan.numbers)
    matrix = np.array(codes, dtype=np.int16).reshape(n, len(plan.coded)).T.copy()
    columns = {}
    for name, col in zip(plan.coded, matrix, strict=True):
        if FIELDS[name].kind != "bool":
            columns[name] = pd.Categorical.from_codes(col, dtype=_codes(name)[1])
        elif (col == _NOT_BOOL).any():
            return None
        else:
            columns[name] = pd.arrays.BooleanArray(col == 1, col == -1)
    for j, name in enumerate(plan.numbers):
        columns[name] = _typed(name, numbers[j::width])
    return pd.DataFrame({name: columns[name] for name in fields},
                        index=pd.RangeIndex(n), copy=False)


def _typed(name: str, values: list):
    """Return the typed column of one field, as `record_frame` types it."""
    n, kind = len(values), FIELDS[name].kind
    try:
        if kind in ("enum", "country"):
            codes, dtype = _codes(name)
            return pd.Categorical.from_codes(
                np.fromiter(map(codes.get, values, repeat(-1)), np.int16, n), dtype=dtype)
        if kind == "bool":
            coded = np.fromiter(map(_BOOL.get, values, repeat(_NOT_BOOL)), np.int8, n)
            if not (coded == _NOT_BOOL).any():
                return pd.arrays.BooleanArray(coded == 1, coded == -1)
        elif set(map(type, values)) <= {int, float, type(None)}:
            out = np.fromiter((np.nan if v is None else v for v in values), float, n)
            if not (np.abs(out) >= _LIMIT).any():
                return out
    except TypeError:  # an unhashable value (a list or object where a word belongs)
        pass
    return record_frame([{name: v} for v in values], [name])[name].array


_CODE_CACHE: dict[str, tuple[dict, pd.CategoricalDtype]] = {}


def _codes(name: str) -> tuple[dict, pd.CategoricalDtype]:
    if name not in _CODE_CACHE:
        vocab = vocabulary(name)
        _CODE_CACHE[name] = ({v: i for i, v in enumerate(vocab)},
                             pd.CategoricalDtype(pd.Index(vocab)))
    return _CODE_CACHE[name]

