"""The reports' SQL counts what a full recount counts, on SQLite and PostgreSQL.

At national scale a report reads the period's facts once, without the joins when it needs no
decision or outcome (`ews.reports.query`), and the network report finds the shared phones
in SQL and leaves the assessments without an edge in the database. Here, on a demo log with
later outcomes that change a label, superseded versions and phones two people gave, every
figure equals a recount in pandas of every fact row with its latest decision and outcome -
national, one office, by submission time, and a period that cuts months.
"""

from __future__ import annotations

import datetime as dt
import importlib
import math

import pandas as pd
import pytest
from click.testing import CliRunner
from sqlalchemy import text

from ews.cli import main
from ews.reports import Params, run
from ews.reports.fairness import fairness_from
from ews.reports.networks import REACH, networks_from
from ews.reports.outcomes import outcomes_from
from ews.reports.query import DEFERRING, MEASURES, NEGATIVE, POSITIVE, grouped
from ews.store import facts, make_engine
from tests.conftest import PG_URL, maintenance, pg_schema

YEAR = (dt.date(2025, 11, 1), dt.date(2026, 11, 1))
PARAMS = (Params(*YEAR), Params(*YEAR, ("SBY",)), Params(*YEAR, by="submitted"),
          Params(dt.date(2026, 5, 17), dt.date(2026, 7, 1), ("PMK", "MLG")))
KEY = "p" * 32


@pytest.fixture(scope="module")
def demo(tmp_path_factory):
    """Return an engine on a demo log (3 offices) with labels changed by later outcomes,
    superseded versions and contact phones shared by two people."""
    if PG_URL:
        with pg_schema("ews_recount") as url:
            yield _filled(url)
        return
    yield _filled(f"sqlite:///{tmp_path_factory.mktemp('recount') / 'ews.sqlite3'}")


def _filled(url: str):
    env = {"EWS_DATABASE_URL": url, "EWS_ENV": "development", "EWS_SECRET_KEY": "t" * 32,
           "EWS_PII_KEY": KEY}
    for args in (["init"], ["demo", "--assessments", "1500", "--seed", "3", "--offices",
                            "PMK,SBY,MLG", "--end", "2026-11"]):
        got = CliRunner().invoke(main, args, env=env)
        assert got.exit_code == 0, got.output
    engine = make_engine(url)
    facts.catch_up(engine)
    with engine.begin() as conn:
        labelled = conn.execute(text(
            "SELECT assessment_id, recorded_by FROM outcomes ORDER BY id")).all()
        assert len(labelled) > 20
        # A later outcome replaces the label of every third labelled assessment.
        for i, (ident, user) in enumerate(labelled[::3]):
            conn.execute(text(
                "INSERT INTO outcomes (assessment_id, outcome, recorded_by, recorded_at, "
                "origin) VALUES (:a, :o, :u, '2026-11-20', 'followup')"),
                {"a": ident, "o": (POSITIVE + NEGATIVE + ("no_information",))[i % 5],
                 "u": user})
        ids = conn.execute(text("SELECT assessment_id FROM assessment_facts "
                                "ORDER BY assessment_id")).scalars().all()
        for ident in ids[5::97]:  # versions a follow-up replaced
            facts.supersede(conn, ident)
        with maintenance(conn):  # contact phones given by two people (pairs of facts)
            for a, b in zip(ids[11::41], ids[12::41], strict=False):
                conn.execute(text(
                    "UPDATE assessment_facts SET phone_hash = (SELECT phone_hash FROM "
                    "assessment_facts WHERE assessment_id = :a) WHERE assessment_id = :b"),
                    {"a": a, "b": b})
    return engine


def _everything(conn) -> pd.DataFrame:
    """Return every fact row with its latest decision and latest outcome (pandas only)."""
    every = pd.DataFrame([tuple(r) for r in conn.execute(text(
        "SELECT * FROM assessment_facts"))], columns=list(
        conn.execute(text("SELECT * FROM assessment_facts LIMIT 0")).keys()))
    for table, column in (("decisions", "decision"), ("outcomes", "outcome")):
        got = pd.DataFrame([tuple(r) for r in conn.execute(text(
            f"SELECT assessment_id, id, {column} FROM {table}"))],
            columns=["assessment_id", "id", column])
        last = got.sort_values("id").drop_duplicates("assessment_id", keep="last")
        every = every.merge(last[["assessment_id", column]], on="assessment_id", how="left")
    every["flagged"] = every["flagged"].astype(bool)
    every["latest"] = every["latest"].astype(bool)
    return every


def _scope(every: pd.DataFrame, p: Params) -> pd.DataFrame:
    day = every["submitted_day" if p.by == "submitted" else "day"]
    keep = every["latest"] & (day >= p.start.isoformat()) & (day < p.end.isoformat())
    if p.offices is not None:
        keep &= every["office_code"].isin(p.offices)
    return every[keep]


def _recount(rows: pd.DataFrame, keys: tuple[str, ...], by: str) -> pd.DataFrame:
    """Return `query.grouped`'s counts, recounted from one row per assessment."""
    timed = {k: f"submitted_{k}" if by == "submitted" and k in ("month", "hour") else k
             for k in keys}
    pos, neg = rows["outcome"].isin(POSITIVE), rows["outcome"].isin(NEGATIVE)
    frame = pd.DataFrame({k: rows[timed[k]] for k in keys} | {
        "n": 1, "flagged": rows["flagged"].astype(int),
        "deferred": rows["decision"].isin(DEFERRING).astype(int),
        "positive": pos.astype(int), "negative": neg.astype(int),
        "flagged_positive": (rows["flagged"] & pos).astype(int),
        "flagged_negative": (rows["flagged"] & neg).astype(int),
        "not_asked": 1 - rows["completeness"].astype(float)})
    return frame.groupby(list(keys), dropna=False, as_index=False)[list(MEASURES)].sum()


def _same(frame: pd.DataFrame) -> list[tuple]:
    """Return a frame's rows, sorted, NaN as None and sums rounded (comparable)."""
    out = [tuple(None if isinstance(v, float) and math.isnan(v) else
                 round(float(v), 9) if isinstance(v, float) else v for v in row)
           for row in frame.itertuples(index=False)]
    return sorted(out, key=repr)


def _cells(report) -> list:
    """Return every cell of a report's tables, NaN as None (NaN is not equal to itself)."""
    def cell(v):
        if isinstance(v, float):
            return None if math.isnan(v) else round(v, 9)
        return tuple(cell(x) for x in v) if isinstance(v, tuple) else v
    return [(t.name, [tuple(cell(v) for v in row) for row in t.rows]) for t in report.tables]


@pytest.mark.parametrize("p", PARAMS, ids=["national", "office", "submitted", "weeks"])
def test_grouped_counts_equal_a_full_recount(demo, p):
    with demo.connect() as conn:
        rows = _scope(_everything(conn), p)
        assert rows["outcome"].notna().sum() and rows["decision"].notna().sum()
        for keys in (("month", "rung"), ("destination_country", "purpose", "job_sector",
                                         "transit_country"),
                     ("origin_kecamatan", "domicile_desa", "domicile_village"),
                     ("officer_id", "hour"), ()):
            got = grouped(conn, p, keys, not_asked=True)
            want = _recount(rows, keys, p.by) if keys else pd.DataFrame(
                [_recount(rows.assign(k=1), ("k",), p.by)[list(MEASURES)].sum()])
            assert _same(got) == _same(want), keys
        facts_only = grouped(conn, p, ("officer_id", "hour"), not_asked=True, labels=False)
        want = _recount(rows, ("officer_id", "hour"), p.by)
        want[list(MEASURES[2:-1])] = 0
        assert _same(facts_only) == _same(want)


@pytest.mark.parametrize("p", PARAMS, ids=["national", "office", "submitted", "weeks"])
def test_fairness_outcomes_and_networks_equal_a_full_recount(demo, p, monkeypatch):
    with demo.connect() as conn:
        every = _everything(conn)
        rows = _scope(every, p)
        fair = run("fairness", conn, p)
        assert _cells(fair) == _cells(fairness_from(rows, p))
        got = run("outcomes", conn, p)
        labelled = rows[rows["outcome"].notna()]
        want = outcomes_from(pd.DataFrame({
            "rung": labelled["rung"], "outcome": labelled["outcome"],
            "indicators": [tuple(v.split(",")) if v else () for v in
                           labelled["indicators"].fillna("")]}), p)
        assert _cells(got)[:3] == _cells(want)
        # The network report, as its first version read it: the facts of every office with
        # a recruiter phone or an agency, or whose contact phone was shared at the
        # interview, and every fact with one of their contact phones.
        national = _scope(every, Params(p.start, p.end, None, p.by))
        looked_at = (national["recruiter_phone_hash"].notna()
                     | national["agency_name"].notna() | (national["phone_shared_30d"] > 1))
        national = national[looked_at | national["phone_hash"].isin(
            national.loc[looked_at, "phone_hash"].dropna())]
        day = "submitted_day" if p.by == "submitted" else "day"
        frame = national.rename(columns={"assessment_id": "id", "office_code": "office"})
        frame = frame.assign(day=national[day])[
            ["id", "office", "day", "flagged", "outcome", "agency_name", "agency_licence",
             "nik_hash", "phone_hash", "recruiter_phone_hash", *REACH]]
        got = run("networks", conn, p, pii_key=KEY)
        want = networks_from(frame, p, pii_key=KEY)
        assert got.table("summary").rows, "the demo plants a network"
        assert _cells(got) == _cells(want)
        assert got.extra["members"] == want.extra["members"]
        # The rows with a shared contact phone are read a bound list of phones at a time:
        # the same groups whichever the list's length.
        summary = want.table("summary")
        phones = summary.columns.index(next(c for c in summary.columns
                                            if c.name == "contact_phones"))
        if p.end - p.start >= dt.timedelta(days=365):  # the year's: more than one list
            assert sum(int(r[phones]) for r in summary.rows) > 1
        monkeypatch.setattr(importlib.import_module("ews.reports.networks"), "PHONES", 1)
        assert _cells(run("networks", conn, p, pii_key=KEY)) == _cells(want)
