"""Figures weighted by how labels arose: frames built in memory, truth known."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from ews.weighting import cells_of, clopper_pearson, track_figures

LEGIT, NONPROC, TRAFF = ("legitimate_travel_confirmed", "confirmed_nonprocedural",
                         "confirmed_trafficking")


def population(seed=0, n=40_000, sample=0.1, followup_unflagged=0.02):
    """Return rows of a world where 1% of unflagged people are missed non-procedural cases.

    Flagged rows (rung 2) are followed up; unflagged rows get a follow-up at random 2% of
    the time, and a random sample of `sample` of them (recorded with its probability).
    """
    rng = np.random.default_rng(seed)
    rung = rng.choice([0, 2], n, p=[0.97, 0.03])
    truth = np.where(rung == 2, rng.random(n) < 0.5, rng.random(n) < 0.01)
    picked = (rung == 0) & (rng.random(n) < sample)
    followed = (rung == 2) | ((rung == 0) & (rng.random(n) < followup_unflagged))
    known = picked | followed
    outcome = np.where(known, np.where(truth, NONPROC, LEGIT), None)
    origin = np.where(picked, "sample", np.where(known, "followup", None))
    prob = np.where(picked, sample, np.nan)
    recall = truth[rung == 2].sum() / truth.sum()
    return dict(stored=rung, outcomes=outcome, rungs=rung, origins=origin,
                probabilities=prob), recall


def nonproc_at_review(cells):
    tracks, notes = track_figures(cells)
    return tracks["nonprocedural"].rungs[1], notes  # rungs start at 1: index 1 = review


def test_weighted_recall_covers_the_truth_where_the_naive_one_does_not():
    rows, true_recall = population()
    fig, notes = nonproc_at_review(cells_of(**rows))
    assert fig.recall.low <= true_recall <= fig.recall.high
    assert not fig.naive_recall.low <= true_recall <= fig.naive_recall.high
    assert fig.naive_recall.estimate > 0.9 > true_recall
    assert fig.recall.labels < fig.naive_recall.labels  # unflagged follow-ups weigh nothing
    assert not any("random-sample" in n for n in notes)


def test_absent_origin_columns_mean_follow_up_labels_and_warn_about_the_missing_sample():
    rows, _ = population(sample=0.0)
    plain = {k: rows[k] for k in ("stored", "outcomes", "rungs")}
    explicit = plain | {"origins": np.where(rows["outcomes"] != None, "followup", None)}  # noqa: E711
    a, notes = nonproc_at_review(cells_of(**plain))
    b, _ = nonproc_at_review(cells_of(**explicit))
    assert a == b
    assert any("no random-sample labels among the" in n and "decided proceed" in n
               for n in notes)


def test_external_labels_are_counted_apart_and_weigh_nothing():
    rows, _ = population()
    base, _ = track_figures(cells_of(**rows))
    external = dict(rows, stored=np.append(rows["stored"], [0] * 5),
                    rungs=np.append(rows["rungs"], [0] * 5),
                    outcomes=np.append(rows["outcomes"], [NONPROC] * 5),
                    origins=np.append(rows["origins"], ["external"] * 5),
                    probabilities=np.append(rows["probabilities"], [np.nan] * 5))
    more, _ = track_figures(cells_of(**external))
    assert more["nonprocedural"].external == 5 and base["nonprocedural"].external == 0
    assert more["nonprocedural"].recall.estimate == pytest.approx(
        base["nonprocedural"].recall.estimate, abs=0.01)


def test_tracks_are_not_pooled_at_refer_protection():
    """33 people moved into refer_protection: 20 non-procedural, 7 trafficking, 6 sound."""
    outcomes = [NONPROC] * 20 + [TRAFF] * 7 + [LEGIT] * 6
    tracks, _ = track_figures(cells_of(stored=[4] * 33, outcomes=outcomes, rungs=[4] * 33))
    traff = tracks["trafficking"]
    assert traff.action == "refer_protection" and traff.precision.estimate == round(7 / 33, 4)
    assert traff.precision.labels == 33 and traff.recall.labels == 7
    assert tracks["nonprocedural"].action == "defer_and_redirect"
    assert tracks["nonprocedural"].precision.estimate == round(20 / 33, 4)


@pytest.mark.parametrize("k, n", [(0, 25), (25, 25), (3, 10), (0.0, 7.5)])
def test_exact_intervals_are_never_empty(k, n):
    low, high = clopper_pearson(k, n)
    assert 0 <= low <= k / n <= high <= 1 and high - low > 0.05


@settings(max_examples=30, deadline=None)
@given(st.lists(st.tuples(st.integers(0, 4), st.sampled_from(
    [None, "no_information", LEGIT, NONPROC, TRAFF, "intercepted_at_border"])),
    min_size=1, max_size=60))
def test_figures_are_proportions_with_labels_counted(rows):
    stored = [r for r, _ in rows]
    outcomes = [o for _, o in rows]
    tracks, _ = track_figures(cells_of(stored=stored, outcomes=outcomes, rungs=stored),
                              reps=20)
    labelled = sum(o not in (None, "no_information") for o in outcomes)
    for t in tracks.values():
        for r in t.rungs:
            for f in (r.precision, r.recall, r.naive_precision, r.naive_recall):
                assert f.labels <= labelled
                assert f.estimate is None or 0 <= f.low <= f.estimate <= f.high <= 1


def test_a_sample_that_met_no_miss_does_not_vouch_for_recall():
    """Misses are rare: the 2% sample of 29,100 unflagged people finds none of the 60 missed,
    yet recall is 0.67. The weighted interval must still reach down to it; the naive one,
    built from the follow-ups of flagged people alone, reads 1.00 and does not."""
    n_flag, n_miss, n_clean = 120, 60, 29_040
    rung = np.array([2] * n_flag + [0] * (n_miss + n_clean))
    truth = np.array([True] * n_flag + [True] * n_miss + [False] * n_clean)
    rng = np.random.default_rng(3)
    picked = (rung == 0) & ~truth & (rng.random(len(rung)) < 0.02)  # met no miss
    known = (rung == 2) | picked
    rows = dict(stored=rung, rungs=rung,
                outcomes=np.where(known, np.where(truth, NONPROC, LEGIT), None),
                origins=np.where(picked, "sample", np.where(known, "followup", None)),
                probabilities=np.where(picked, 0.02, np.nan))
    fig, _ = nonproc_at_review(cells_of(**rows))
    true_recall = n_flag / (n_flag + n_miss)
    assert fig.recall.estimate == 1.0  # the point estimate can only say what it saw
    assert fig.recall.low <= true_recall <= fig.recall.high
    assert fig.naive_recall.low > true_recall
