"""The backtest's column builder equals the defining path: stored_record, then record_frame."""

from __future__ import annotations

import orjson
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from ews.checklist import FIELDS, validate_checklist
from ews.engine import load_ruleset
from ews.engine.conditions import vocabulary
from ews.lifecycle.columns import StoredChunk, _fast_frame, chunk_frame
from ews.lifecycle.records import SkipRow, record_frame, rule_fields, stored_record
from ews.store.pii import derived_features, storable_answers
from tests.checklists import STORED_V1, STORED_V1_FEATURES, checklists, clock
from tests.conftest import DEFAULT_RULES

FIELDS_READ = rule_fields(load_ruleset(DEFAULT_RULES))
ODD = st.sampled_from([None, 0, 1, 2, 1.0, 0.5, -3, "", "yes", "true", "not_a_value",
                       True, False, [], ["x"], {"a": 1}, 2 ** 60])


def _field_value(name: str):
    """A value as stored (its kind), or one a stored row should not hold."""
    f = FIELDS[name]
    if f.kind in ("enum", "country"):
        good = st.sampled_from(vocabulary(name))
    elif f.kind == "bool":
        good = st.booleans()
    else:
        good = st.integers(0, 9)
    return st.one_of(good, good, ODD)


@st.composite
def v2_rows(draw, odd: bool = True):
    """Answers and features of a v2 row: some fields absent, null, odd or overridden."""
    answers = {"application_id": "A-1", "office_code": "PMK", "unrelated": "x"}
    features = {}
    for name in FIELDS_READ:
        where = draw(st.sampled_from(["absent", "answers", "features", "both"]))
        value = _field_value(name) if odd else _field_value(name).filter(
            lambda v: v is None or isinstance(v, bool | str) or type(v) is int)
        if where in ("answers", "both"):
            answers[name] = draw(value)
        if where in ("features", "both"):
            features[name] = draw(value)
    return answers, features, 2


def expected(rows) -> tuple[pd.DataFrame, list, dict]:
    records, kept, skipped = [], [], {}
    for i, (answers, features, version) in enumerate(rows):
        try:
            records.append(stored_record(answers, features, version))
        except SkipRow as why:
            skipped[str(why)] = skipped.get(str(why), 0) + 1
            continue
        kept.append(i)
    return record_frame(records, FIELDS_READ), kept, skipped


def built(rows, raw: bool):
    to = orjson.dumps if raw else (lambda value: value)
    chunk = StoredChunk([f"id-{i}" for i in range(len(rows))], ["PMK"] * len(rows),
                        ["2026-11-10 09:00:00.000000"] * len(rows),
                        [to(a) for a, _, _ in rows], [to(f) for _, f, _ in rows],
                        [None] * len(rows), [v for _, _, v in rows])
    frame, kept, skipped = chunk_frame(chunk, FIELDS_READ)
    return frame, kept, dict(skipped)


def same(rows) -> None:
    want, kept, skipped = expected(rows)
    for raw in (False, True):  # parsed (other databases) and JSON bytes (SQLite)
        frame, got_kept, got_skipped = built(rows, raw)
        assert (got_kept, got_skipped) == (kept, skipped)
        pd.testing.assert_frame_equal(frame, want)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(v2_rows(), min_size=1, max_size=12))
def test_v2_rows_with_odd_absent_and_overridden_values(rows):
    same(rows)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(checklists(), min_size=1, max_size=8), st.data())
def test_valid_checklists_take_the_fast_path_and_equal_it(payloads, data):
    rows = []
    for p in payloads:
        rec = validate_checklist(p, now=clock())
        rows.append((storable_answers(rec), derived_features(rec), 2))
    same(rows)
    frame = _fast_frame([orjson.dumps(a) for a, _, _ in rows],
                        [orjson.dumps(f) for _, f, _ in rows], FIELDS_READ)
    assert frame is not None  # clean v2 rows are coded row by row, not by the general path
    pd.testing.assert_frame_equal(frame, expected(rows)[0])
    clean = data.draw(st.lists(v2_rows(odd=False), min_size=1, max_size=5))
    same(rows + clean)


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.sampled_from(["v1", "v2", "text", "list", "version"]), min_size=1,
                max_size=8), v2_rows())
def test_v1_and_unreplayable_rows_mixed_with_v2(kinds, v2):
    rows = {"v1": (STORED_V1, STORED_V1_FEATURES, 1), "v2": v2, "text": ("not a dict", {}, 2),
            "list": ({}, [["is_minor", True]], 2), "version": ({}, {}, 7)}
    same([rows[k] for k in kinds])


@pytest.mark.parametrize("answers", [b"{not json", b"[1, 2]", b"null"])
def test_bytes_that_are_not_an_object_are_skipped_not_fatal(answers):
    good = orjson.dumps({"is_minor": True})
    chunk = StoredChunk(["a", "b"], ["PMK"] * 2, ["2026-11-10 09:00:00"] * 2,
                        [answers, good], [b"{}", b"{}"], [None] * 2, [2, 2])
    frame, kept, skipped = chunk_frame(chunk, FIELDS_READ)
    assert kept == [1] and len(frame) == 1 and sum(skipped.values()) == 1
    assert bool(frame["is_minor"].iloc[0]) is True
