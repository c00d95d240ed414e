"""`ews learn weights` refuses drafts that would fool the analyst, and never tracebacks."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from click.testing import CliRunner

from ews.cli import main
from ews.demo.frame import demo_frame
from ews.engine import load_ruleset, parse_ruleset
from ews.learn import labels
from ews.learn.draft import draft_text
from ews.learn.guard import dominant_indicators, separation, track_changes, zeroed_tracks
from ews.learn.propose import observed_budget, propose
from ews.learn.weights import hit_frame


@pytest.fixture(scope="module")
def live():
    return load_ruleset("rules/tppo_pmi.yaml")


@pytest.fixture(scope="module")
def frame():
    return demo_frame(4000, seed=3, risk=10)


def _draft(live, points):
    return parse_ruleset(draft_text(live, points, "x-draft"), agencies=live.agencies_text)


def test_a_draft_without_any_trafficking_points_is_refused(live):
    draft = _draft(live, {i.id: 0 for i in live.indicators if i.track == "trafficking"})
    (reason,) = zeroed_tracks(draft)
    assert "every indicator of track trafficking" in reason
    assert zeroed_tracks(live) == []


def test_one_indicator_with_more_than_half_a_track_is_refused(live):
    points = {i.id: 0 for i in live.indicators if i.track == "nonprocedural"}
    points |= {"PMI03": 50, "PMI01": 10}
    (reason,) = dominant_indicators(_draft(live, points))
    assert "PMI03 holds 50 of the 60 points of track nonprocedural" in reason
    assert dominant_indicators(live) == []


def test_perfect_separation_is_refused_and_overlap_passes():
    hits = pd.DataFrame({"A": [True, True, False, False], "B": [False, True, True, False]})
    y = pd.Series([1.0, 1.0, 0.0, np.nan])
    assert "separates its 2 positive and 1 negative" in separation(hits, y, np.array([3, 0]))[0]
    assert separation(hits, y, np.array([0.0, 1.0])) == []
    assert "quasi-separation) for A" in separation(hits, y, np.array([20.0, 1.0]))[-1]


def test_swapping_the_tracks_points_changes_the_deciding_track(live, frame):
    swap = {i.id: (1 if i.track == "trafficking" else 40) for i in live.indicators
            if not i.protective}
    assert "changes which track decides" in track_changes(frame, live, _draft(live, swap))[0]
    assert track_changes(frame, live, live) == []


def test_proposal_fits_on_earlier_months_and_reports_on_later_ones(live, frame):
    p = propose(frame, live, version="x-learned", boots=10)
    fitted, reported = (line for line in p.justification.splitlines()
                        if line.startswith(("Fitted on", "Reported on")))
    last_fit = pd.Timestamp(fitted.split(" to ")[1][:10])
    first_report = pd.Timestamp(reported.split("only: ")[1][:10])
    assert last_fit < first_report
    assert "| trafficking | refer_protection | draft |" in p.justification
    assert p.budget == pytest.approx(observed_budget(frame, live))


def test_every_suggested_weight_has_a_stability_interval(live, frame):
    p = propose(frame, live, version="x-learned", boots=20)
    rows = [line.split(" | ") for line in p.justification.splitlines()
            if line.startswith("| KOE08 ")]
    old, suggested, stable = rows[0][2:5]
    low, high = map(int, stable.split("-"))
    assert low <= int(suggested) <= high


def test_refused_proposal_keeps_its_reasons_in_the_draft_text(live, frame):
    y = labels(frame["outcome"])
    perfect = frame.assign(outcome=np.where(hit_frame(frame, live)["KOE08"],
                                            "confirmed_trafficking",
                                            np.where(y.notna(), "legitimate_travel_confirmed",
                                                     None)))
    p = propose(perfect, live, version="x-learned", boots=5)
    assert any("perfectly" in r or "quasi-separation" in r for r in p.refusals)
    assert p.text.startswith("# REFUSED (written with --force)")
    assert "## Refused" in p.justification


def _cli(url: str):
    env = {"EWS_DATABASE_URL": url, "EWS_ENV": "development", "EWS_SECRET_KEY": "t" * 32,
           "EWS_PII_KEY": "p" * 32}
    return lambda *args: CliRunner().invoke(main, list(args), env=env)


@pytest.mark.parametrize("seed", [5, 9])
def test_learn_weights_on_the_demo_exits_cleanly_or_refuses_clearly(fresh_url, tmp_path,
                                                                      seed):
    run = _cli(fresh_url)
    assert run("init").exit_code == 0
    got = run("demo", "--assessments", "6000", "--seed", str(seed), "--offices", "PMK")
    assert got.exit_code == 0, got.output
    out = tmp_path / "drafts"
    got = run("learn", "weights", "--out", str(out), "--min-positives", "10")
    assert got.exception is None or isinstance(got.exception, SystemExit), got.exception
    assert "Traceback" not in got.output
    if got.exit_code == 0:
        draft = parse_ruleset(next(out.glob("*.yaml")).read_text(),
                              agencies=(out / "p3mi_licensed.csv").read_text())
        tracks = {i.track for i in draft.indicators if i.points and not i.protective}
        assert tracks == {"trafficking", "nonprocedural"}
        return
    assert got.exit_code == 1 and "draft refused:" in got.output, got.output
    assert not list(out.glob("*.yaml"))
    forced = run("learn", "weights", "--out", str(out), "--min-positives", "10", "--force")
    assert forced.exit_code == 0, forced.output
    assert next(out.glob("*.yaml")).read_text().startswith("# REFUSED (written with --force)")
    assert "## Refused" in next(out.glob("*-learned-*.md")).read_text()
