"""The backtest as a pure function: figures computed by hand on seven rows (MINI rule set)."""

from __future__ import annotations

import datetime as dt

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from ews.engine import parse_ruleset
from ews.lifecycle.backtest import Interval, StoredRow, backtest, wilson
from ews.store.pii import derived_features, storable_answers
from tests.checklists import STORED_V1, STORED_V1_FEATURES, checklists, clock, sound_umrah
from tests.rulesets import MINI

BASE = parse_ruleset(MINI, source="mini")
DOUBLED = parse_ruleset(MINI.replace("points: 15, when: {field: offer_unrealistic",
                                     "points: 30, when: {field: offer_unrealistic")
                        .replace('version: "1"', 'version: "2"'), source="doubled")
FEATURES = {"is_minor": False, "work_in_view": False, "prior_supervisor_decision": False,
            "last_decided_by_supervisor": False, "repeat_applications_30d": 1,
            "phone_shared_30d": 1, "age_band": "35_44"}
W46 = dt.datetime(2026, 11, 10, 9, tzinfo=dt.UTC)
W47 = dt.datetime(2026, 11, 17, 9, tzinfo=dt.UTC)


def row(n: int, office: str, at: dt.datetime, outcome: str | None = None, **answers):
    stored = storable_answers(sound_umrah(application_id=f"A-{n}", office_code=office) | answers)
    return StoredRow(f"id-{n}", office, at, stored, FEATURES, outcome)


# Points under MINI (D1M doubled in the candidate); rung: baseline -> candidate.
ROWS = [
    row(1, "PMK", W46, "legitimate_travel_confirmed"),                       # 0 -> 0
    row(2, "PMK", W46, "legitimate_travel_confirmed", offer_unrealistic=True),  # 15 -> 30: 0 -> 1
    row(3, "PMK", W46, "no_information", job_changed=True),          # 35: 1 -> 1
    row(4, "PMK", W46, "confirmed_trafficking", job_changed=True,
        offer_unrealistic=True),                                             # 50 + ESC-D1: 2 -> 2
    row(5, "SBY", W47, None, purpose="tourism", destination_country="KH",
        offer_unrealistic=True),                                             # 25 -> 40: 1 -> 1
    row(6, "SBY", W47, None, offer_unrealistic=True,
        destination_address_known="no"),                                    # 20 -> 35: 1 -> 1
    row(7, "SBY", W47, "confirmed_trafficking", offer_unrealistic=True,
        documents_held_by_other=True),                                       # 35 -> 50: 1 -> 2
]
BROKEN = [StoredRow("bad-1", "PMK", W46, "not a dict", FEATURES, None),
          StoredRow("bad-2", "PMK", W46, {}, FEATURES, None, checklist_version=7)]


def run(candidate=DOUBLED, rows=ROWS, chunk=3, **kw):
    chunks = [rows[i:i + chunk] for i in range(0, len(rows), chunk)]
    return backtest(candidate=candidate, baseline=BASE, chunks=chunks, **kw)


def test_action_mix_and_flip_matrix_by_hand():
    res = run()
    assert res.rows == 7
    assert res.actions == {"proceed": (2, 1), "in_depth_interview": (4, 4),
                           "supervisor_review": (1, 2), "defer_and_redirect": (0, 0),
                           "refer_protection": (0, 0)}
    assert res.flips[0] == (1, 1, 0, 0, 0)
    assert res.flips[1] == (0, 3, 1, 0, 0)
    assert res.flips[2] == (0, 0, 1, 0, 0)
    assert res.changed == 2
    assert [(f.office_code, f.before, f.after, f.count, f.examples) for f in res.office_flips] \
        == [("PMK", "proceed", "in_depth_interview", 1, ("id-2",)),
            ("SBY", "in_depth_interview", "supervisor_review", 1, ("id-7",))]


def test_indicator_hit_rates_by_hand():
    rates = {r.id: r for r in run().indicators}
    assert (rates["D1M"].baseline_hits, rates["D1M"].candidate_hits) == (5, 5)
    assert rates["D1M"].baseline_rate == round(5 / 7, 6) and rates["D1M"].change == 0
    assert {k: rates[k].baseline_hits for k in ("D1S", "D1W", "SCAM", "D2M", "LOST")} == \
        {"D1S": 2, "D1W": 1, "SCAM": 1, "D2M": 1, "LOST": 0}


def test_workload_per_week_and_office_by_hand():
    res = run()
    assert [(w.week, w.office_code, w.baseline, w.candidate) for w in res.workload] == [
        ("2026-W46", "PMK", 1, 1), ("2026-W47", "SBY", 0, 1)]


def test_precision_recall_with_wilson_by_hand():
    res = run(min_support=3)
    assert res.labelled == 4  # no_information is not a label
    qb = {q.action: q for q in res.quality_baseline}
    qc = {q.action: q for q in res.quality_candidate}
    assert [(q.confirmed, q.legitimate, q.unlabelled) for q in res.quality_baseline][:3] == \
        [(0, 2, 0), (1, 0, 1), (1, 0, 0)]
    assert qb["supervisor_review"].recall == Interval(0.5, 0.0945, 0.9055, 2)
    assert qb["in_depth_interview"].precision.value == 1.0
    assert qc["in_depth_interview"].precision.value == round(2 / 3, 4)
    assert qc["supervisor_review"].recall.value == 1.0
    assert qb["proceed"].precision == wilson(2, 4)
    assert any("precision at supervisor_review or above rests on 1 labelled rows (< 3)" in w
               for w in res.warnings)


def test_skipped_rows_are_counted_with_their_reason():
    res = run(rows=ROWS + BROKEN)
    assert res.rows == 7
    assert res.skipped == {"answers or features are not a JSON object": 1,
                           "checklist_version 7 is not known to this backtest": 1}


def test_an_identical_candidate_flips_nothing():
    res = run(candidate=BASE)
    assert res.changed == 0 and res.office_flips == ()
    assert all(r.change == 0 for r in res.indicators)


def test_wilson_edges():
    assert wilson(0, 0) == Interval(None, None, None, 0)
    assert wilson(10, 10).high == 1.0 and wilson(0, 10).low == 0.0


@settings(max_examples=20, deadline=None, suppress_health_check=list(HealthCheck))
@given(st.lists(checklists(), min_size=1, max_size=30), st.integers(1, 7))
def test_invariants_on_generated_checklists(payloads, chunk):
    from ews.checklist import validate_checklist

    rows = []
    for i, p in enumerate(payloads):
        rec = validate_checklist(p, now=clock())
        rows.append(StoredRow(f"g{i}", rec["office_code"], W46, storable_answers(rec),
                              derived_features(rec), None))
    same = run(candidate=BASE, rows=rows, chunk=chunk)
    assert same.changed == 0 and same.rows == len(rows)
    other = run(rows=rows, chunk=chunk)
    assert sum(sum(r) for r in other.flips) == len(rows)
    assert sum(b for b, _ in other.actions.values()) == len(rows)


@pytest.mark.parametrize("chunk", [1, 2, 7, 100])
def test_chunking_does_not_change_figures(chunk):
    assert run(chunk=chunk) == run(chunk=3)


def test_merged_tallies_equal_one_tally():
    from ews.lifecycle.backtest import Tally, summarise

    whole = run()
    parts = [Tally(DOUBLED, BASE), Tally(DOUBLED, BASE)]
    parts[0].add(ROWS[:4])
    parts[1].add(ROWS[4:])
    merged = parts[0].merge(parts[1])
    assert summarise(merged, candidate=DOUBLED, baseline=BASE) == whole


def test_v1_rows_go_through_the_checklist_mapping():
    row = StoredRow("v1-1", "PMK", W46, STORED_V1, STORED_V1_FEATURES, None,
                    checklist_version=1)
    res = run(candidate=BASE, rows=[row])
    assert res.rows == 1 and res.skipped == {}
    rates = {r.id: r.baseline_hits for r in res.indicators}
    # v1 "return_ticket: no" is v2's no return ticket: TICKET fires; SCAM and D1M too
    assert (rates["TICKET"], rates["SCAM"], rates["D1M"]) == (1, 1, 1)


def test_flips_by_outcome_split_the_flip_matrix_by_recorded_outcome():
    res = run()
    assert [(f.before, f.after, f.outcome, f.count) for f in res.flips_by_outcome] == [
        ("in_depth_interview", "supervisor_review", "confirmed_trafficking", 1),
        ("proceed", "in_depth_interview", "legitimate_travel_confirmed", 1)]
    assert sum(f.count for f in res.flips_by_outcome) == res.changed


def test_tracks_carry_weighted_figures_in_the_json_contract():
    from ews.lifecycle.report import as_data, to_markdown

    res = run()
    data = as_data(res)
    for track in ("trafficking", "nonprocedural"):
        for kind in ("recall", "precision"):
            assert set(data["tracks"][track][kind]) == {"estimate", "low", "high", "labels"}
    traff = data["tracks"]["trafficking"]
    assert traff["recall"]["labels"] == 2  # id-4 and id-7, both follow-up labels
    review = traff["rungs"][1]
    assert review["action"] == "supervisor_review" and review["recall"]["estimate"] == 1.0
    # Under the baseline id-7 sits at rung 1 with four rows and one label: it stands for
    # four cases (weight 4), id-4 for one: recall 1/5, where counting labels says 1/2.
    base = traff["baseline"]["rungs"][1]
    assert base["recall"]["estimate"] == 0.2 and base["naive_recall"]["estimate"] == 0.5
    assert data["flips_by_outcome"][0]["outcome"] == "confirmed_trafficking"
    assert any("candidate trafficking: figures on fewer than 30 labels" in w
               for w in res.warnings)
    md = to_markdown(res)
    assert "## Per track, weighted" in md and "## Flips by outcome" in md


def test_an_identical_candidate_has_no_flips_by_outcome_and_equal_track_figures():
    res = run(candidate=BASE)
    assert res.flips_by_outcome == ()
    for t in res.tracks.values():
        assert (t.precision, t.recall) == (t.baseline.precision, t.baseline.recall)
