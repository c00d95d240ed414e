"""`misses`: interviews not flagged that an imported outcome later confirmed."""

from __future__ import annotations

import datetime as dt
import json

import pandas as pd

from ews.reports import Params, suppress
from ews.reports.misses import misses_from, near_miss, not_asked
from tests.test_outcome_import import app_config, csv_text, day, nik, people  # noqa: F401

TODAY = dt.date.today()


def table(report: dict, name: str) -> dict:
    """Return {first cell: row as dict} of a table of the report's JSON."""
    t = next(t for t in report["tables"] if t["name"] == name)
    names = [c["name"] for c in t["columns"]]
    return {row[0]: dict(zip(names, row, strict=True)) for row in t["rows"]}


def test_imported_matches_of_unflagged_interviews_by_group_small_ones_hidden(
        ews_cli, accounts, people, tmp_path):  # noqa: F811
    people(range(1, 12))  # kecamatan 35.28.01 (from the NIK): eleven people
    people(range(1, 4), kecamatan=2)  # 35.28.02: three
    people([50], risky=True)  # flagged: a confirmation is a hit, not a miss
    rows = [(nik(s), day(5), "tppo_victim", "", "") for s in range(1, 12)]
    rows += [(nik(s, 2), day(5), "deported", "", "") for s in range(1, 4)]
    rows += [(nik(50), day(5), "tppo_victim", "", "")]
    path = tmp_path / "list.csv"
    path.write_text(csv_text(rows))
    done = ews_cli("outcomes", "import", str(path), "--source", "Polda Jatim", "--as",
                   accounts["analyst"].username, "--format", "json")
    assert json.loads(done.stdout)["labels_created"] == 15
    got = ews_cli("report", "misses", "--format", "json", "--from",
                  (TODAY - dt.timedelta(days=41)).isoformat(), "--to", TODAY.isoformat())
    assert got.exit_code == 0, got.output
    report = json.loads(got.stdout)
    assert report["suppressed"] is True
    kec = table(report, "by_kecamatan")
    # 14 in the summary minus 11 here would give the hidden 3 back: the 11 is hidden too.
    assert (kec["352801"]["missed"], kec["352801"]["unflagged"]) == ("(hidden)", "(hidden)")
    assert (kec["352802"]["missed"], kec["352802"]["unflagged"]) == ("<11", "<11")
    assert kec["352802"]["missed_per_1000"] == "<11"
    summary = table(report, "summary")
    (row,) = summary.values()
    assert (row["unflagged"], row["missed"], row["from_external"]) == (14, 14, 14)
    assert table(report, "by_destination")["SA"]["missed"] == 14
    assert all(nik(s) not in got.output for s in range(1, 12))


def test_the_page_and_the_supervisors_own_office(client, accounts, people):  # noqa: F811
    from tests.test_web_pages import login

    people(range(1, 4))
    login(client, accounts["supervisor"])
    page = client.get("/reports/misses")
    assert page.status_code == 200
    got = client.get("/api/v1/reports/misses", headers=accounts["supervisor"].headers).json
    assert got["suppressed"] is False and got["offices"] == ["PMK"]


def test_not_asked_and_near_miss():
    from tests.checklists import sound_umrah

    record = sound_umrah() | {"return_ticket": None}
    assert "return_ticket" in not_asked(record)
    assert "return_ticket" not in not_asked(sound_umrah())
    assert near_miss({"tracks": {"trafficking": {"action": "in_depth_interview"},
                                 "nonprocedural": {"action": "proceed"}}})
    assert not near_miss({"tracks": {"trafficking": {"action": "proceed"}}})


def test_misses_from_frames_suppresses_small_groups():
    missed = pd.DataFrame({
        "id": [f"m{i}" for i in range(14)], "destination_country": ["KH"] * 12 + ["MY"] * 2,
        "purpose": ["tourism"] * 14, "origin_kecamatan": ["352801"] * 14,
        "job_offer_channel": [None] * 14, "indicators": ["ind_a,ind_b"] * 12 + [None] * 2,
        "origin": ["sample"] * 3 + ["external"] * 11, "near": [True] * 11 + [False] * 3,
        "not_asked": [("return_ticket",)] * 14})

    def counts(key, values):
        return pd.DataFrame({key: list(values), "n": [500] * len(values),
                             "flagged": [20] * len(values)})

    report = misses_from(missed, {
        "destination_country": counts("destination_country", ("KH", "MY")),
        "purpose": counts("purpose", ("tourism",)),
        "origin_kecamatan": counts("origin_kecamatan", ("352801",)),
        "job_offer_channel": counts("job_offer_channel", (None,))}, 40,
        Params(TODAY, TODAY + dt.timedelta(days=1)))
    shown = suppress(report)
    by_dest = {r[0]: r for r in shown.table("by_destination").rows}
    # 14 misses in all minus the 12 of KH would give MY's 2 back: the 12 is hidden too; and
    # 14 minus 0 minus 11 would give the 3 of the sample back: the 11 is hidden too.
    assert by_dest["KH"][1:4] == (480, "(hidden)", 11) and by_dest["MY"][2] == "<11"
    assert shown.table("summary").rows[0] == (480, 40, 14, "<11", 0, "(hidden)", 11)
    assert {r[0]: r[1] for r in shown.table("by_indicator").rows} == {"ind_a": 12,
                                                                     "ind_b": 12}
    assert shown.table("not_asked").rows == (("return_ticket", 14, 11),)
    assert shown.table("by_channel").rows[0][0] == "(not recorded)"
