"""Stored assessments as a frame for analysis: v2 records plus the latest outcome.

The one place the learning code reads the database; everything downstream is a pure
function of the frame this returns.

A national year is millions of rows: each chunk is decoded column by column (no record
dict per row, no row-wise DataFrame), typed as `typed_frame` types it, and the chunks'
columns are joined one column at a time, each chunk's part freed as it goes; the order by
interview time is applied the same way, and only when the rows did not arrive in it. Peak
memory is then about the frame plus one column, not twice the frame.
"""

from __future__ import annotations

import ctypes
import datetime as dt
import gc
import math
import queue
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from itertools import repeat

import numpy as np
import pandas as pd
from orjson import loads  # several times faster than json on the stored answers
from pandas.arrays import BooleanArray, IntegerArray
from sqlalchemy import Text, cast, func, select
from sqlalchemy.orm import Session

from ews.checklist import FIELDS, stored_record
from ews.engine.conditions import vocabulary
from ews.store.models import Assessment, FollowupSample, Outcome

META = ("assessment_id", "office_code", "interviewed_at", "stored_score", "stored_rung",
        "outcome", "label_origin", "sample_probability")
CHUNK = 20_000
M_TRIM_THRESHOLD, M_MMAP_THRESHOLD = -1, -3  # glibc's mallopt parameters
TRIM_EVERY = 10  # columns joined or reordered between returning the freed heap
BLOCK = 1024  # rows parsed and read column by column at a time (they stay in the cache)
_KINDS = {name: f.kind for name, f in FIELDS.items()}
_CODES = {name: {v: i for i, v in enumerate(vocabulary(name))}
          for name, kind in _KINDS.items() if kind in ("enum", "country")}
# The columns after the checklist fields, in the order of the record `stored_record` plus
# the metadata give (office_code and interviewed_at are fields: they keep their place).
_TAIL = ("checklist_version",) + tuple(m for m in META if m not in FIELDS)


def _window(since: dt.datetime | None, until: dt.datetime | None) -> list:
    conds = [Assessment.superseded_by.is_(None)]
    if since is not None:
        conds.append(Assessment.interviewed_at >= since)
    if until is not None:
        conds.append(Assessment.interviewed_at < until)
    return conds


def _statement(since: dt.datetime | None, until: dt.datetime | None):
    # JSON as text, parsed here; no ORDER BY (sorting wide rows in SQL costs more than
    # ordering the frame) and no join: labels and samples are a small share, read apart.
    return (select(Assessment.id, Assessment.office_code, Assessment.interviewed_at,
                   cast(Assessment.answers, Text), cast(Assessment.features, Text),
                   Assessment.checklist_version, Assessment.score, Assessment.rung)
            .where(*_window(since, until)))


def _labels(session: Session, since, until) -> tuple[dict, dict]:
    """Return ({id: (latest outcome, its origin)}, {id: sample probability}) of the window."""
    outcomes = (select(Outcome.assessment_id, Outcome.outcome, Outcome.origin)
                .join(Assessment, Assessment.id == Outcome.assessment_id)
                .where(*_window(since, until)).order_by(Outcome.id))
    samples = (select(FollowupSample.assessment_id, FollowupSample.probability)
               .join(Assessment, Assessment.id == FollowupSample.assessment_id)
               .where(*_window(since, until)))
    latest = {k: (outcome, origin) for k, outcome, origin in session.execute(outcomes)}
    return latest, dict(session.execute(samples).all())  # by id: the last outcome wins


def count_assessments(session: Session, since: dt.datetime | None = None,
                      until: dt.datetime | None = None) -> int:
    """Return how many current assessments were interviewed in [since, until)."""
    return session.scalar(select(func.count()).select_from(Assessment)
                          .where(*_window(since, until)))


def _json(value):
    return loads(value) if isinstance(value, str | bytes) else value


def _typed(name: str, values: list):
    """Return one chunk's column typed as `typed_frame` types it (an array or a Series)."""
    kind = _KINDS.get(name)
    if kind in ("enum", "country"):
        codes = _CODES[name]
        try:
            return np.fromiter(map(codes.get, values, repeat(-1)), dtype=np.int16,
                               count=len(values))
        except TypeError:  # an unhashable stored value: let pandas decide as before
            return pd.Categorical(values, categories=vocabulary(name)).codes.astype(np.int16)
    if kind == "bool":
        return pd.array(values, dtype="boolean")
    if kind == "int":
        return pd.array(values, dtype="Int64")
    if values.count(None) == len(values):  # e.g. personal data: the store keeps none
        return pd.Series(values, dtype=object)
    return pd.Series(values)  # as the DataFrame of records infers it


def _join(name: str, parts: list):
    """Return the whole column of `name` from its chunks' parts (emptied as it goes)."""
    kind = _KINDS.get(name)
    if kind in ("enum", "country"):
        codes = np.concatenate(parts)
        parts.clear()
        categories = vocabulary(name)
        return pd.Categorical.from_codes(codes.astype(np.int8 if len(categories) < 127
                                                      else np.int16), categories=categories)
    if kind in ("bool", "int"):
        values = np.concatenate([p._data for p in parts])
        mask = np.concatenate([p._mask for p in parts])
        parts.clear()
        return (BooleanArray if kind == "bool" else IntegerArray)(values, mask)
    if len({p.dtype for p in parts}) == 1:
        column = pd.concat(parts, ignore_index=True) if len(parts) > 1 else parts[0]
    else:  # e.g. a chunk of None beside one of text: infer once, as for the whole window
        column = pd.Series([v for p in parts for v in p.tolist()])
    parts.clear()
    return column


def _decode(rows: list, labels: dict, sampled: dict) -> dict[str, object]:
    """Return {column: typed part} of one chunk of stored rows."""
    ids, offices, times, answers, features, versions, scores, rungs = map(
        list, zip(*rows, strict=True))
    values: dict[str, list] = {name: [] for name in FIELDS}
    for start in range(0, len(ids), BLOCK):  # parsed and read while still in the cache
        block = slice(start, start + BLOCK)
        given, derived = list(map(_json, answers[block])), list(map(_json, features[block]))
        for i, version in enumerate(versions[block]):
            if version != 2:  # v1 (and any other) rows go through the full mapping
                given[i], derived[i] = stored_record(given[i], derived[i], version), {}
        extra = set().union(*given) - FIELDS.keys()
        if extra - set(_TAIL):  # not a checklist field: a column of its own, as before
            for key in dict.fromkeys(k for a in given for k in a if k in extra):
                values.setdefault(key, [None] * start)
        replaced = set().union(*derived) & FIELDS.keys()
        for name, column in values.items():
            if name in replaced:
                column += [f[name] if name in f else a.get(name)
                           for a, f in zip(given, derived, strict=True)]
            else:
                column += map(dict.get, given, repeat(name))
    values["office_code"], values["interviewed_at"] = offices, times
    columns = {name: _typed(name, column) for name, column in values.items()
               if name not in _TAIL}
    outcome = [labels.get(i, (None, None)) for i in ids]
    tail = {"checklist_version": versions, "assessment_id": ids, "stored_score": scores,
            "stored_rung": rungs, "outcome": [o for o, _ in outcome],
            "label_origin": [o for _, o in outcome],
            "sample_probability": [sampled.get(i, math.nan) for i in ids]}
    columns.update((k, pd.Series(v)) for k, v in tail.items())
    return columns


def _order(times: pd.Series, ids: pd.Series) -> np.ndarray | None:
    """Return the positions that sort by (interview time, id); None when already sorted."""
    t = times.to_numpy(dtype="datetime64[ns]").view(np.int64)
    step = np.diff(t)
    ties = np.flatnonzero(step == 0)
    if (step >= 0).all() and (ids.iloc[ties].reset_index(drop=True)
                              <= ids.iloc[ties + 1].reset_index(drop=True)).all():
        return None
    # the ids' ranks (sorted as they are, Arrow text: no Python string per row), then one
    # sort of two integer keys; a two-key sort of the frame held copies of the ids, and a
    # third to half of the rows share their minute with another
    by_id = np.asarray(ids.array.argsort(kind="stable"))
    rank = np.empty_like(by_id)
    rank[by_id] = np.arange(len(by_id))
    return np.lexsort((rank, t))


def _libc() -> tuple:
    """Return glibc's (mallopt, malloc_trim), or (None, None) where the C library is another."""
    try:
        libc = ctypes.CDLL(None)
        return libc.mallopt, libc.malloc_trim
    except (OSError, AttributeError):  # not glibc: nothing to tune
        return None, None


def _trim() -> None:
    """Give the heap's free pages back to the system, wherever they lie (glibc only).

    Joining the columns frees the chunks' parts, small blocks interleaved across the whole
    heap: they coalesce but sit below live data, where glibc's own trimming (the top of the
    heap only) never reaches; without this the process kept the parts' size again on top of
    the frame (2 GB at 5 million rows).
    """
    trim = _libc()[1]
    if trim is not None:
        trim(0)


@contextmanager
def _churn() -> Iterator[None]:
    """Decode millions of short-lived objects without collecting or returning memory.

    The parsed dicts make no cycles, yet each batch that outlives a block triggered full
    collections over a growing heap; and the C library gave the freed heap back to the
    system after every block, to fault it in again for the next (5 million page faults a
    million rows). Both are held off while decoding (the heap's settings only where the C
    library is glibc): collection and trimming come back after, and the memory kept is
    returned; blocks up to 32 MB stay on the heap, the ceiling glibc's own moving threshold
    reaches by itself.
    """
    collecting = gc.isenabled()
    gc.disable()
    mallopt = _libc()[0]
    if mallopt is not None:
        mallopt(M_TRIM_THRESHOLD, 1 << 30)
        mallopt(M_MMAP_THRESHOLD, 32 << 20)  # glibc's own ceiling for its moving threshold
    try:
        yield
    finally:
        if mallopt is not None:
            mallopt(M_TRIM_THRESHOLD, 128 << 10)  # glibc's default
            _trim()
        if collecting:
            gc.enable()


def _ahead(chunks: Iterator[list]) -> Iterator[list]:
    """Yield `chunks`, the next one fetched by a thread meanwhile.

    The database server reads and sends the next chunk (the driver waits without the GIL)
    while this thread decodes the last one. Only the thread touches the result.
    """
    ready: queue.Queue = queue.Queue(maxsize=1)
    stop = threading.Event()

    def pump() -> None:
        try:
            for rows in chunks:
                ready.put(rows)
                if stop.is_set():
                    return
            ready.put(None)
        except BaseException as exc:  # noqa: BLE001 - raised again in the reading thread
            ready.put(exc)

    thread = threading.Thread(target=pump, name="assessments-fetch", daemon=True)
    thread.start()
    try:
        while (rows := ready.get()) is not None:
            if isinstance(rows, BaseException):
                raise rows
            yield rows
    finally:
        stop.set()
        while thread.is_alive():  # let a waiting put() through
            try:
                ready.get(timeout=0.1)
            except queue.Empty:
                pass
        thread.join()


def assessments_frame(session: Session, since: dt.datetime | None = None,
                      until: dt.datetime | None = None, *, chunk: int = CHUNK,
                      progress: bool = False) -> pd.DataFrame:
    """Return current assessments interviewed in [since, until) as a typed frame.

    Columns: every checklist field (v2; v1 rows mapped by `stored_record`), the derived
    features as stored at the interview, and `META`: assessment id, office, interview time
    (UTC), the stored score and rung, the latest outcome (None when none was recorded), how
    that label arose (`label_origin`: followup, sample, external; None without an outcome)
    and `sample_probability`, the probability with which the interview was drawn for the
    random follow-up sample (NaN when it was not drawn).
    Rows are read `chunk` at a time (streamed), oldest interview first; the frame is the one
    `typed_frame` makes of the `stored_record`s. No personal data: the store keeps none in
    clear.
    """
    bar = None
    if progress:
        from tqdm import tqdm

        bar = tqdm(total=count_assessments(session, since, until), unit="rows",
                   desc="loading assessments")
    labels, sampled = _labels(session, since, until)
    parts: dict[str, list] = {}
    result = session.execute(_statement(since, until).execution_options(yield_per=chunk))
    done = 0
    with _churn():
        for rows in _ahead(result.partitions(chunk)):
            decoded = _decode(rows, labels, sampled)
            for name in parts.keys() - decoded.keys():  # a stray key of earlier rows only
                decoded[name] = pd.Series([None] * len(rows))
            for name, part in decoded.items():
                if name not in parts:  # the first chunk, or a stray key from these rows on
                    parts[name] = [pd.Series([None] * done)] if done else []
                parts[name].append(part)
            done += len(rows)
            if bar is not None:
                bar.update(len(rows))
    if bar is not None:
        bar.close()
    if not parts:
        return pd.DataFrame(columns=list(META))
    names = [*(n for n in parts if n not in _TAIL), *_TAIL]
    frame = pd.DataFrame({name: _join(name, parts.pop(name)) for name in names[:1]})
    for i, name in enumerate(names[1:], 1):  # one column at a time: the others' parts stay
        frame[name] = _join(name, parts.pop(name))
        if i % TRIM_EVERY == 0:
            _trim()
    _trim()
    frame["interviewed_at"] = pd.to_datetime(frame["interviewed_at"], utc=True)
    order = _order(frame["interviewed_at"], frame["assessment_id"])
    if order is not None:
        for i, name in enumerate(frame.columns, 1):
            frame[name] = frame[name].iloc[order].reset_index(drop=True)
            if i % TRIM_EVERY == 0:
                _trim()
        _trim()
    return frame
