"""Complementary suppression (`ews.reports.sdc`) on the subtractions issue #26 found."""

from __future__ import annotations

import datetime as dt

import pandas as pd
import pytest

from ews.reports.areas import areas_from
from ews.reports.model import Column, Params, Report, Table
from ews.reports.overview import overview_from
from ews.reports.sdc import HIDDEN, Margin, Sum, suppress

P = Params(dt.date(2026, 1, 1), dt.date(2026, 3, 1))


def _months(rows):
    """Counts by month and rung: (month, rung, n, flagged, deferred)."""
    frame = pd.DataFrame(rows, columns=["month", "rung", "n", "flagged", "deferred"])
    return frame.assign(not_asked=0.0)


def test_flagged_minus_the_shown_rungs_no_longer_gives_a_hidden_rung():
    # January: 3 for supervisor review, 12 deferred and redirected, 14 referred: flagged 29.
    report = suppress(overview_from(_months([
        ("2026-01", 0, 200, 0, 0), ("2026-01", 2, 3, 3, 0), ("2026-01", 3, 12, 12, 12),
        ("2026-01", 4, 14, 14, 0), ("2026-02", 0, 150, 0, 0), ("2026-02", 2, 20, 20, 0),
        ("2026-02", 3, 15, 15, 15), ("2026-02", 4, 30, 30, 0)]), P))
    jan = report.table("by_month").records()[0]
    assert jan["supervisor_review"] == "<11"
    # The smallest other rung of the month (12) is hidden with it; 29 - 14 leaves 12 + x.
    assert (jan["flagged"], jan["defer_and_redirect"], jan["refer_protection"]) == \
        (29, HIDDEN, 14)
    # ...and the month's interviews minus proceed would give the same sum: still two unknowns.
    assert jan["n"] == 229 and jan["proceed"] == 200


def test_a_flagged_total_equal_to_the_hidden_rungs_is_hidden_too():
    # All flagged cases of the month are small rungs: n - proceed = flagged = 3 + 5 + 0, so
    # the flagged count (8, itself small) and the rungs cannot be told apart from the total.
    report = suppress(overview_from(_months([
        ("2026-01", 0, 40, 0, 0), ("2026-01", 2, 3, 3, 0), ("2026-01", 3, 5, 5, 5),
        ("2026-02", 0, 50, 0, 0), ("2026-02", 2, 30, 30, 0)]), P))
    jan = report.table("by_month").records()[0]
    assert jan["flagged"] == "<11" and jan["supervisor_review"] == "<11"
    # n - proceed would pin flagged at 8: one of them is hidden as well.
    assert HIDDEN in (jan["n"], jan["proceed"])


def typed(name: str) -> str:
    """Return how the areas report shows a village typed as not in the list."""
    return f"{name.casefold()} (not in the list)"


def _areas(rows):
    frame = pd.DataFrame(rows, columns=["origin_kecamatan", "domicile_village", "n",
                                        "flagged", "positive"])
    for c in ("deferred", "negative", "flagged_positive", "flagged_negative", "not_asked"):
        frame[c] = 0
    return areas_from(frame, P)


def test_kecamatan_total_minus_its_desa_no_longer_gives_the_hidden_desa():
    report = suppress(_areas([("352801", "Tebul Barat", 7, 0, 0),
                              ("352801", "Tebul Timur", 30, 3, 0),
                              ("352801", "Sukosari", 25, 2, 0)]))
    (kec,) = report.table("summary").records()
    desa = {r["desa"]: r for r in report.table("by_desa").records()}
    assert kec["n"] == 62 and desa["<11"]["n"] == "<11"
    # 62 - 30 - 25 = 7: the smaller shown desa is hidden as well.
    assert desa[typed("Sukosari")]["n"] == HIDDEN and desa[typed("Tebul Timur")]["n"] == 30
    # flagged: 5 in the kecamatan = 3 + 2, both small: nothing more to hide there.
    assert kec["flagged"] == "<11"


def test_candidates_with_a_hidden_rate_follow_the_ranked_ones_without_rank():
    report = suppress(_areas([
        ("352801", "Alpha", 100, 40, 0), ("352801", "Bravo", 100, 30, 0),
        ("352801", "Charlie", 60, 9, 0), ("352801", "Delta", 50, 8, 0),
        ("352802", "Echo", 100, 20, 0)]))
    cand = report.table("desa_binaan").records()
    assert [(r["rank"], r["desa"]) for r in cand] == [
        (1, typed("Alpha")), (2, typed("Bravo")), (3, typed("Echo")), (None, typed("Charlie")),
        (None, typed("Delta"))]
    assert {r["flag_per_1000"] for r in cand[3:]} == {"<11"}


def test_a_declared_margin_must_name_the_columns_of_the_tables():
    t = Table("t", "t", (Column("k", "k", "key"), Column("n", "n")), (("a", 5), ("b", 20)))
    report = Report("r", "r", P, (t,), margins=(Sum("t", "total", ("n",)),))
    with pytest.raises(KeyError, match="no column 'total'"):
        suppress(report)


def test_a_table_another_helper_adds_is_protected_by_declaring_its_margin():
    cols = (Column("k", "k", "key"), Column("n", "n"))
    total = Table("summary", "s", cols[1:], ((45,),))
    parts = Table("parts", "p", cols, (("a", 4), ("b", 30), ("c", 11)))
    plain = suppress(Report("r", "r", P, (total, parts)))
    assert plain.table("parts").column("n") == ["<11", 30, 11]  # 45 - 30 - 11 = 4
    declared = suppress(Report("r", "r", P, (total, parts),
                               margins=(Margin("summary", "parts", ("n",)),)))
    assert declared.table("parts").column("n") == ["<11", 30, HIDDEN]


def test_a_note_quoting_a_hidden_figure_is_left_out():
    # 5 deferred in all: the summary hides it, and the note's deferral rate would give it back.
    small = overview_from(_months([("2026-01", 0, 300, 0, 0), ("2026-01", 3, 5, 5, 5)]), P)
    assert small.notes[0].startswith("Deferral rate")
    assert suppress(small).notes == ()
    large = overview_from(_months([("2026-01", 0, 300, 0, 0), ("2026-01", 3, 50, 50, 50)]), P)
    assert suppress(large).notes == large.notes
