"""Report figures equal hand-computed values on small fixed data sets (no app, no database)."""

from __future__ import annotations

import datetime as dt
import math

import pandas as pd
import pytest

from ews.reports.areas import areas_from
from ews.reports.fairness import fairness_from
from ews.reports.model import Column, Params, Report, Table, parse_params
from ews.reports.networks import networks_from
from ews.reports.outcomes import outcomes_from
from ews.reports.overview import overview_from
from ews.reports.sdc import suppress
from ews.reports.stats import wilson

P = Params(dt.date(2026, 1, 1), dt.date(2026, 3, 1))


def test_wilson_matches_the_textbook_value():
    low, high = wilson(10, 100)  # Wilson 95%: 0.0552 - 0.1744
    assert low == pytest.approx(0.05523, abs=1e-4) and high == pytest.approx(0.17437, abs=1e-4)
    assert all(math.isnan(v) for v in wilson(0, 0))


def test_overview_figures():
    counts = pd.DataFrame({"month": ["2026-01", "2026-01", "2026-02", "2026-02"],
                           "rung": [0, 3, 0, 2], "n": [96, 4, 45, 5], "flagged": [0, 4, 0, 5],
                           "deferred": [0, 3, 0, 0], "positive": [0, 2, 0, 1],
                           "negative": [0, 0, 0, 2], "flagged_positive": [0, 2, 0, 1],
                           "flagged_negative": [0, 0, 0, 2], "not_asked": [1.0, 0, 0.5, 0]})
    r = overview_from(counts, P)
    s = r.table("summary").records()[0]
    assert (s["n"], s["flagged"], s["deferred"]) == (150, 9, 3)
    assert s["flag_rate"] == pytest.approx(0.06) and s["deferral_rate"] == pytest.approx(0.02)
    assert s["not_asked_rate"] == pytest.approx(0.01)
    jan, feb = r.table("by_month").records()
    assert (jan["proceed"], jan["defer_and_redirect"], jan["n"]) == (96, 4, 100)
    assert feb["supervisor_review"] == 5 and feb["flag_rate"] == pytest.approx(0.1)


def test_areas_rates_per_1000_and_ranking():
    # Bajang picked by code; "Kampung  X" typed as not in the list twice, spelt two ways.
    counts = pd.DataFrame({"origin_kecamatan": ["352809", "352809", "357801", "357801"],
                           "domicile_desa": ["3528092005", "3528092006", None, None],
                           "domicile_village": [None, None, "Kampung  X", " kampung x"],
                           "n": [40, 60, 300, 100], "flagged": [10, 0, 6, 2],
                           "deferred": [0] * 4, "positive": [5, 0, 3, 1], "negative": [0] * 4,
                           "flagged_positive": [0] * 4, "flagged_negative": [0] * 4,
                           "not_asked": [0.0] * 4})
    r = areas_from(counts, P)
    first = r.table("summary").records()[0]
    assert first["kecamatan_name"] == "Pakong" and first["n"] == 100
    assert first["flag_per_1000"] == pytest.approx(100.0)
    low, high = first["flag_interval"]
    assert low == pytest.approx(wilson(10, 100)[0] * 1000)
    cand = r.table("desa_binaan").records()
    assert [(c["desa"], c["n"]) for c in cand] == [  # Banban has no flag
        ("Bajang", 40), ("kampung x (not in the list)", 400)]


def test_outcomes_precision_per_rung_and_indicator():
    frame = pd.DataFrame({"rung": [2, 2, 2, 3, 4],
                          "indicators": [("A",), ("A", "B"), ("B",), ("A",), ()],
                          "outcome": ["confirmed_trafficking", "legitimate_travel_confirmed",
                                      "no_information", "confirmed_nonprocedural",
                                      "intercepted_at_border"]})
    r = outcomes_from(frame, P)
    rungs = {row["rung"]: row for row in r.table("by_rung").records()}
    assert (rungs[2]["labelled"], rungs[2]["positive"], rungs[2]["no_information"]) == (2, 1, 1)
    assert rungs[2]["precision"] == 0.5 and rungs[4]["precision"] == 1.0
    ind = {row["indicator"]: row for row in r.table("by_indicator").records()}
    assert (ind["A"]["labelled"], ind["A"]["positive"]) == (3, 2)
    assert (ind["B"]["labelled"], ind["B"]["no_information"]) == (1, 1)


def test_networks_link_recruiter_phones_shared_phones_and_unlicensed_agencies():
    rows = [  # a-b share a recruiter phone; b-c an applicant phone; d alone; e-f licensed
        ("a", "PMK", "n1", "p1", "r1", None, None), ("b", "SBY", "n2", "p2", "r1", None, None),
        ("c", "MLG", "n3", "p2", None, "PT X", "unverified"),
        ("g", "PMK", "n7", "p7", None, "PT X", "unverified"),
        ("d", "PMK", "n4", "p4", "r9", None, None),
        ("e", "PMK", "n5", "p5", None, "PT L", "licensed"),
        ("f", "PMK", "n6", "p6", None, "PT L", "licensed")]
    frame = pd.DataFrame(rows, columns=["id", "office", "nik_hash", "phone_hash",
                                        "recruiter_phone_hash", "agency_name",
                                        "agency_licence"])
    frame["day"] = "2026-01-05"
    frame["flagged"] = [True, True, False, False, False, False, False]
    frame["outcome"] = ["confirmed_trafficking", None, None, None, None, None, None]
    r = networks_from(frame, P, pii_key="k")
    groups = r.table("summary").records()
    assert len(groups) == 1
    g = groups[0]
    assert (g["people"], g["offices"], g["flagged"], g["confirmed"]) == (4, "MLG, PMK, SBY",
                                                                        2, 1)
    assert g["flagged_share"] == 0.5 and g["agencies"] == 1
    assert sorted(i for i, _ in r.extra["members"][g["group"]]) == ["a", "b", "c", "g"]


def test_fairness_rates_ratios_and_warning():
    frame = pd.DataFrame({"flagged": [True] * 4 + [False] * 16 + [True] * 1 + [False] * 19,
                          "outcome": (["legitimate_travel_confirmed"] * 2 + [None] * 18
                                      + ["legitimate_travel_confirmed"] * 20),
                          "sex": ["female"] * 20 + ["male"] * 20, "age_band": "25_34",
                          "origin_kecamatan": "352809"})
    r = fairness_from(frame, P)
    sex = {row["sex"]: row for row in r.table("by_sex").records()}
    assert sex["female"]["flag_rate"] == 0.2 and sex["male"]["flag_rate"] == 0.05
    assert sex["female"]["flag_ratio"] == pytest.approx(0.2 / 0.125)
    assert sex["female"]["fpr"] == 1.0 and sex["male"]["fpr"] == pytest.approx(1 / 20)
    low, high = sex["female"]["flag_interval"]
    assert low <= 0.2 <= high
    # 4 flagged women: the exported table shows "<11", so no note may reveal the ratio
    assert not any("female" in n for n in r.notes)
    hidden = suppress(r).table("by_sex").records()
    assert {row["sex"]: row["flag_ratio"] for row in hidden}["female"] == "<11"


def _groups(flagged_f: int, flagged_m: int, n: int = 400) -> pd.DataFrame:
    return pd.DataFrame({"flagged": [True] * flagged_f + [False] * (n - flagged_f)
                         + [True] * flagged_m + [False] * (n - flagged_m),
                         "outcome": None, "sex": ["female"] * n + ["male"] * n,
                         "age_band": "25_34", "origin_kecamatan": "352809"})


def test_a_disparity_warning_needs_11_events_and_an_interval_that_excludes_parity():
    clear = fairness_from(_groups(60, 20), P)  # 15% against 10% overall, 60 events
    assert any("sex = female: flag rate is 1.50 times" in n for n in clear.notes)
    noisy = fairness_from(_groups(16, 8, n=100), P)  # 16% against 12%: interval has 12%
    assert not any("sex =" in n for n in noisy.notes)


def test_exact_intervals_give_zero_of_25_a_real_upper_bound():
    frame = pd.DataFrame({"flagged": [False] * 25 + [True] * 25,
                          "outcome": "legitimate_travel_confirmed",
                          "sex": ["female"] * 25 + ["male"] * 25, "age_band": "25_34",
                          "origin_kecamatan": "352809"})
    female = fairness_from(frame, P).table("by_sex").records()[0]
    assert female["fpr"] == 0.0
    low, high = female["fpr_interval"]
    assert low == 0.0 and 0.13 < high < 0.14  # Clopper-Pearson 0 of 25: 0.137


def test_suppression_hides_small_counts_and_the_rates_that_reveal_them():
    t = Table("t", "t", (Column("k", "k", "key"), Column("n", "n"), Column("x", "x"),
                         Column("rate", "r", "rate", ("x", "n"))),
              (("a", 100, 3, 0.03), ("b", 5, 0, 0.0), ("c", 50, 11, 0.22)))
    got = suppress(Report("r", "r", P, (t,))).table("t")
    assert got.rows == (("a", 100, "<11", "<11"), ("b", "<11", 0, "<11"), ("c", 50, 11, 0.22))


@pytest.mark.parametrize("args, field", [(("x", None), "from"), ((None, "2026-02-30"), "to"),
                                         (("2026-03-01", "2026-02-01"), "from")])
def test_parse_params_names_the_bad_field(args, field):
    from ews.reports import ReportInputError

    with pytest.raises(ReportInputError) as err:
        parse_params(*args, today=dt.date(2026, 11, 1))
    assert err.value.field == field


def test_report_modules_import_no_flask():
    import ast
    from pathlib import Path

    import ews.reports

    for path in Path(ews.reports.__file__).parent.glob("*.py"):
        tree = ast.parse(path.read_text())
        names = {n.module or "" for n in ast.walk(tree) if isinstance(n, ast.ImportFrom)}
        names |= {a.name for n in ast.walk(tree) if isinstance(n, ast.Import) for a in n.names}
        assert not any(n.split(".")[0] in ("flask", "flask_login", "werkzeug")
                       or n.startswith("ews.web") or n.startswith("ews.api")
                       for n in names), path.name


def test_fairness_of_an_empty_period_says_so_instead_of_failing():
    empty = pd.DataFrame({"sex": [], "age_band": [], "regency": [], "flagged": [],
                          "outcome": []})
    report = fairness_from(empty)
    assert report.notes == ("No interviews in this period.",)
    assert report.tables[0].rows[0][:2] == (0, 0)
    assert all(t.rows == () for t in report.tables[1:])


def test_a_chart_leaves_out_the_groups_a_suppressed_table_hides(app):
    from ews.web.charts import svg

    frame = pd.DataFrame({"flagged": [True] * 30 + [False] * 170 + [True] * 3 + [False] * 97
                          + [True] * 20 + [False] * 80, "outcome": None,
                          "sex": ["female"] * 200 + ["male"] * 200,
                          "age_band": ["25_34"] * 200 + ["45_54"] * 100 + ["35_44"] * 100,
                          "origin_kecamatan": "352809"})
    full = fairness_from(frame, P)
    report = suppress(full)
    # 3 flagged in 45_54 is hidden; the overall 53 flagged minus the other bands would give it
    # back, so the smaller of them (20 in 35_44) is hidden too.
    assert {r["age_band"]: r["flag_rate"] for r in report.table("by_age_band").records()} \
        == {"25_34": 0.15, "35_44": "(hidden)", "45_54": "<11"}
    chart = next(c for c in report.charts if c.table == "by_age_band")
    with app.test_request_context():
        bars = [svg(r, chart).count('id="patch_') for r in (full, report)]
    assert bars[1] == bars[0] - 2  # the hidden groups have no bar (not a bar of 0)


def test_action_mix_keeps_a_month_with_a_hidden_rung_marked_and_its_legend_clear(app):
    from matplotlib.backends.backend_agg import FigureCanvasAgg

    from ews.web.charts import figure, svg

    counts = pd.DataFrame({"month": ["2026-01"] * 4 + ["2026-02"] * 4,
                           "rung": [0, 2, 3, 4] * 2,
                           "n": [200, 3, 12, 14, 150, 20, 15, 30],
                           "flagged": [0, 3, 12, 14, 0, 20, 15, 30],
                           "deferred": [0, 0, 12, 0, 0, 0, 15, 0], "not_asked": 0.0})
    report = suppress(overview_from(counts, P))
    chart = report.charts[0]
    with app.test_request_context():  # the page language: Indonesian
        fig = figure(report, chart)
        text = svg(report, chart)
    ax = fig.axes[0]
    # January's hidden rungs are not bars of 0: its place stays, marked, with a footnote.
    assert [t.get_text() for t in ax.get_xticklabels()] == ["2026-01*", "2026-02"]
    assert "* disembunyikan" in text
    # The legend is under the plot, inside the picture, and holds whole labels.
    renderer = FigureCanvasAgg(fig).get_renderer()
    fig.draw(renderer)
    legend = fig.legends[0].get_window_extent(renderer)
    box, plot = fig.bbox, ax.get_window_extent(renderer)
    assert box.x0 <= legend.x0 and legend.x1 <= box.x1 and box.y0 <= legend.y0
    assert legend.y1 <= plot.y0  # below the axes (tick labels included), not over the bars
    assert "Rujuk ke layanan perlindungan" in text
