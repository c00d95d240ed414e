"""The demo's world in memory (`ews.demo.frame`): the patterns of docs/demo.md, no database."""

import datetime as dt

import numpy as np
import pandas as pd
import pytest

from ews.demo import generate, plan
from ews.demo.frame import TRUTHS, demo_frame, payloads, shares
from ews.demo.plan import Window
from ews.learn import labels
from ews.scoring import score_frame
from tests.conftest import DEFAULT_RULES

YEAR = Window(12, dt.date(2026, 11, 1))
RISKY = ["nonprocedural", "trafficking", "scam", "network"]


@pytest.fixture(scope="module")
def frame():
    return demo_frame(40_000, window=YEAR, offices=("PMK", "SBY"), seed=3, risk=5)


def test_same_arguments_same_frame_and_another_seed_another():
    one, two = demo_frame(300, seed=1, risk=5), demo_frame(300, seed=1, risk=5)
    pd.testing.assert_frame_equal(one, two)
    assert not one["truth"].equals(demo_frame(300, seed=2, risk=5)["truth"])


def test_interviews_are_in_order_inside_the_window_on_weekdays(frame):
    at = frame["interviewed_at"]
    assert at.is_monotonic_increasing
    wib = at.dt.tz_convert(plan.WIB)
    assert wib.min() >= pd.Timestamp("2025-11-01", tz=plan.WIB)
    assert wib.max() < pd.Timestamp("2026-11-01", tz=plan.WIB)
    assert (wib.dt.day_of_week < 5).all() and set(wib.dt.hour) <= set(plan.HOURS)
    assert frame["application_id"].is_unique


def test_truths_follow_the_plan_and_the_scam_wave(frame):
    month = frame["interviewed_at"].dt.tz_convert(plan.WIB).dt.strftime("%Y-%m")
    wave = YEAR.wave_month().strftime("%Y-%m")
    outside = frame[month != wave]
    expected = shares(5)
    for truth in ("sound", "false_alarm", "network"):
        seen = (outside["truth"] == truth).mean()
        assert seen == pytest.approx(expected[truth], rel=0.25), truth
    scams = (frame["truth"] == "scam").groupby(month).mean()
    assert scams.idxmax() == wave and scams[wave] > plan.SCAM_WAVE_SHARE * 0.8


def test_risky_profiles_come_from_the_hotspot_and_the_offices_catchments(frame):
    risky = frame["truth"].isin(RISKY) & (frame["truth"] != "network")
    hot = frame["origin_kecamatan"] == plan.HOTSPOT_KECAMATAN
    assert hot[risky].mean() > 0.3 > hot[frame["truth"] == "sound"].mean() * 10
    sby = frame[(frame["office_code"] == "SBY") & (frame["truth"] == "sound")]
    assert set(sby["origin_kecamatan"].str[:4]) <= set(plan.CATCHMENTS["SBY"])


def test_questions_are_skipped_more_in_the_afternoon(frame):
    hour = frame["interviewed_at"].dt.tz_convert(plan.WIB).dt.hour
    missing = frame["purpose_explained"].isna()
    assert missing[hour == 15].mean() > 3 * missing[hour == 8].mean()


def test_outcomes_come_back_for_the_risky_and_a_few_sound_ones_with_true_labels(frame):
    y = labels(frame["outcome"])
    sound = frame["truth"] == "sound"
    assert frame.loc[~sound, "outcome"].notna().all()
    assert frame.loc[sound, "outcome"].notna().mean() == pytest.approx(0.02, abs=0.005)
    assert (y[sound | (frame["truth"] == "false_alarm")] != 1).all()  # never positive
    assert y[frame["truth"].isin(RISKY)].dropna().eq(1).all()


def test_the_rule_set_flags_the_planted_profiles_and_few_others(frame, default_ruleset):
    flagged = score_frame(frame, default_ruleset)["decision_required"].to_numpy(bool)
    by_truth = pd.Series(flagged).groupby(frame["truth"].to_numpy()).mean()
    assert set(by_truth.index) == set(TRUTHS)
    assert by_truth[RISKY].min() > 0.8 and by_truth["sound"] < 0.01


def test_payloads_are_the_demo_generator_s(frame):
    cases = list(generate(50, Window(3), ("PMK", "SBY", "MLG"), 4))
    assert payloads(50, seed=4, window=Window(3)) == [c.payload for c in cases]


def test_too_much_risk_is_refused():
    with pytest.raises(ValueError, match="risk 200 leaves no sound interviews"):
        shares(200)


@pytest.fixture(scope="module")
def default_ruleset():
    from ews.engine import load_ruleset

    return load_ruleset(DEFAULT_RULES)


def test_every_column_is_typed_like_the_stored_frame(frame):
    assert frame["scripted_answers"].dtype == "boolean"
    assert isinstance(frame["purpose"].dtype, pd.CategoricalDtype)
    assert not {"nik", "full_name", "date_of_birth", "phone", "recruiter_phone"} & set(frame)
    assert np.issubdtype(frame["interviewed_at"].dt.tz_convert(None).dtype, np.datetime64)
