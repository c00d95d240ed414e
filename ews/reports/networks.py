"""`networks`: applicants linked by the same recruiter phone, contact phone or agency.

A bipartite graph of assessments and identifiers (networkx): the keyed hash of a recruiter's
phone, of an applicant's phone given by two or more different people (NIK hashes), and of an
agency name not on the licensed P3MI list (a licensed agency serving many people is normal).
Connected groups of two or more people are reported across offices, with keyed-hash ids only.

Groups are found over every office; a report of some offices (a supervisor's own) shows the
groups with assessments there, their figures from those offices' assessments only, and the
offices each group spans. Where a group works (`reach`): the kecamatan, destination and
job-offer channel of each person's latest assessment, a value named only when it holds at
least 11 people, the rest together as "(other)" - itself 11 or more, or the whole group, so
that no small cell can be worked out from the group's total.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from dataclasses import replace

import pandas as pd
from sqlalchemy.engine import Connection

from ews.checklist import agency_key

from .model import K_MIN, Chart, Column, Params, Report, Table
from .query import POSITIVE, _where, rows
from .stats import rate

KINDS = {"r": "recruiter phone", "p": "shared contact phone", "g": "unlicensed agency"}
# Where a group works: facts column -> the dimension's name in the reach table.
REACH = {"origin_kecamatan": "kecamatan", "destination_country": "destination",
         "job_offer_channel": "channel"}
OTHER = "(other)"


def networks(conn: Connection, params: Params, *, pii_key: str = "") -> Report:
    """Return the recruiter-network report of the period (reads the log)."""
    keys = ("day", "agency_name", "agency_licence", "nik_hash", "phone_hash",
            "recruiter_phone_hash", *REACH)
    shown, params = params, replace(params, offices=None)  # groups span every office
    return networks_from(rows(conn, params, keys, source=_linked(params)), shown,
                         pii_key=pii_key)


def _linked(params: Params) -> str:
    """Return the SQL of the facts with an edge in the graph (every other assessment is a
    group of one): a recruiter phone, an agency not licensed, or a contact phone that two
    or more people gave in the period. The contact phones looked at are those of the
    assessments with a recruiter phone or an agency, or whose phone was already shared at
    the interview (the stored history feature: no grouping of every phone); whether another
    person gave it too is found in SQL, so only the few rows of the graph leave the
    database."""
    where = f"a.latest AND {_where(params)}"
    edge = ("a.recruiter_phone_hash IS NOT NULL OR (a.agency_name IS NOT NULL "
            "AND (a.agency_licence IS NULL OR a.agency_licence <> 'licensed'))")
    shared = (
        f"SELECT DISTINCT a.phone_hash FROM assessment_facts a WHERE {where} "
        "AND (a.recruiter_phone_hash IS NOT NULL OR a.agency_name IS NOT NULL "
        "OR a.phone_shared_30d > 1) AND EXISTS (SELECT 1 FROM assessment_facts s "
        "WHERE s.phone_hash = a.phone_hash AND s.nik_hash <> a.nik_hash AND s.latest AND "
        f"{_where(params).replace('a.', 's.')})")
    # A join, not IN inside OR: that is a plain subplan, run per row, when PostgreSQL
    # expects more phones than fit its memory for hashing.
    return (f"SELECT a.* FROM assessment_facts a LEFT JOIN ({shared}) p "
            f"ON p.phone_hash = a.phone_hash WHERE {where} AND ({edge} "
            "OR p.phone_hash IS NOT NULL)")


def _agency_hash(key: str, name: str) -> str:
    import hmac

    return hmac.new(key.encode(), f"agency:{agency_key(name)}".encode(),
                    hashlib.sha256).hexdigest()


def _components(frame: pd.DataFrame, pii_key: str,
                min_people: int) -> list[tuple[list[str], list[tuple[str, str]]]]:
    """Return the connected groups of assessments and identifiers (networkx) that hold at
    least `min_people` assessments and one identifier: (assessment ids, identifiers)."""
    import networkx as nx  # imported here: every CLI command would pay for it

    people_per_phone = frame.groupby("phone_hash")["nik_hash"].nunique()
    shared = set(people_per_phone.index[people_per_phone > 1])
    agencies: dict[str, str] = {}
    graph = nx.Graph()
    graph.add_nodes_from(("a", i) for i in frame["id"])
    edges = []
    for aid, recruiter, phone, agency, licence in zip(
            frame["id"], frame["recruiter_phone_hash"], frame["phone_hash"],
            frame["agency_name"], frame["agency_licence"], strict=True):
        node = ("a", aid)
        if isinstance(recruiter, str):
            edges.append((node, ("r", recruiter)))
        if isinstance(phone, str) and phone in shared:
            edges.append((node, ("p", phone)))
        if isinstance(agency, str) and agency and licence != "licensed":
            if agency not in agencies:
                agencies[agency] = _agency_hash(pii_key, agency)
            edges.append((node, ("g", agencies[agency])))
    graph.add_edges_from(edges)
    out = []
    for comp in nx.connected_components(graph):
        if len(comp) <= min_people:  # fewer assessments than people needed, or no identifier
            continue
        ids = [n[1] for n in comp if n[0] == "a"]
        idents = sorted(n for n in comp if n[0] != "a")
        if len(ids) >= min_people and idents:
            out.append((ids, idents))
    return out


def networks_from(frame: pd.DataFrame, params: Params, *, pii_key: str = "",
                  min_people: int = 2) -> Report:
    """Build the report from one row per assessment (id, office, day (YYYY-MM-DD, the local
    day that dates it), flagged, outcome, nik_hash, phone_hash, recruiter_phone_hash,
    agency_name, agency_licence, and optionally the REACH columns) of every office: groups
    are shown with their figures in `params.offices` (all when None)."""
    groups, members, gids = [], {}, {}
    comps = _components(frame, pii_key, min_people) if len(frame) else []
    if comps:
        label = {aid: k for k, (ids, _) in enumerate(comps) for aid in ids}
        sub = frame[frame["id"].isin(label)].sort_values("id")
        sub = sub.assign(comp=sub["id"].map(label),
                         created=sub["day"].astype(str),
                         positive=sub["outcome"].isin(POSITIVE),
                         flagged=sub["flagged"].astype(bool))
        for k, whole in sub.groupby("comp", sort=False):
            ids, idents = comps[int(k)]
            part = whole if params.offices is None \
                else whole[whole["office"].isin(params.offices)]
            if whole["nik_hash"].nunique() < min_people or not len(part):
                continue
            people = part["nik_hash"].nunique()
            gid = "N-" + hashlib.sha256("|".join(h for _, h in idents).encode()).hexdigest()[:10]
            offices = sorted(whole["office"].unique())
            gids[k] = gid
            counts = {kind: sum(1 for k2, _ in idents if k2 == kind) for kind in KINDS}
            flagged, positive = int(part["flagged"].sum()), int(part["positive"].sum())
            groups.append((gid, people, len(part), counts["r"], counts["p"], counts["g"],
                           len(offices), ", ".join(offices), flagged, rate(flagged, len(part)),
                           positive, rate(positive, len(part)),
                           dt.date.fromisoformat(part["created"].min()),
                           dt.date.fromisoformat(part["created"].max())))
            members[gid] = tuple(zip(part["id"], part["office"], strict=True))
    groups.sort(key=lambda g: (-g[1], g[0]))
    cols = (Column("group", "Group", "key"), Column("people", "People"),
            Column("assessments", "Assessments"),
            Column("recruiter_phones", "Recruiter phones", "text"),
            Column("contact_phones", "Shared contact phones", "text"),
            Column("agencies", "Unlicensed agencies", "text"),
            Column("office_count", "Offices", "text"), Column("offices", "Office codes", "key"),
            Column("flagged", "Flagged"),
            Column("flagged_share", "Flagged share", "rate", ("flagged", "assessments")),
            Column("confirmed", "Confirmed"),
            Column("confirmed_share", "Confirmed share", "rate", ("confirmed", "assessments")),
            Column("first_seen", "First seen", "date"), Column("last_seen", "Last seen", "date"))
    table = Table("summary", "Groups linked by a recruiter phone, a shared contact phone or an "
                  "unlicensed agency (largest first)", cols, tuple(groups))
    notes = ("Identifiers are keyed hashes; no phone number or name is shown.",
             "Supervisors may open their own office's assessments of a group.")
    reach = _reach(sub if params.offices is None else sub[sub["office"].isin(params.offices)],
                   gids) if gids else []
    order = {g[0]: i for i, g in enumerate(groups)}
    reach.sort(key=lambda r: (order[r[0]], list(REACH.values()).index(r[1]), r[2] == OTHER,
                              -r[3], r[2]))
    where = Table("reach", "Where each group works: kecamatan, destination and channel of "
                  "each person's latest interview (values of fewer than 11 people together)",
                  (Column("group", "Group", "key"), Column("dimension", "Dimension", "key"),
                   Column("value", "Value", "key"), Column("people", "People")), tuple(reach))
    chart = Chart("People per group (largest 15)", "summary", "group", ("people",))
    return Report("networks", "Recruiter networks", params, (table, where), (chart,), notes,
                  extra={"members": members})


def _reach(shown: pd.DataFrame, gids: dict) -> list[tuple]:
    """Return (group, dimension, value, people) rows of the groups `gids` (component -> group
    id) in the `shown` rows: each person counted once, by their latest assessment."""
    latest = (shown[shown["comp"].isin(gids)].sort_values(["day", "id"])
              .drop_duplicates(["comp", "nik_hash"], keep="last"))
    out = []
    for col in (c for c in REACH if c in latest):
        counts = (latest.assign(value=latest[col].fillna("(not asked)").astype(str))
                  .groupby(["comp", "value"]).size().reset_index(name="people")
                  .sort_values(["comp", "people", "value"], ascending=[True, False, True]))
        for comp, part in counts.groupby("comp", sort=False):
            out += [(gids[comp], REACH[col], v, n)
                    for v, n in _named(list(zip(part["value"], part["people"], strict=True)))]
    return out


def _named(counts: list[tuple[str, int]]) -> list[tuple[str, int]]:
    """Return (value, people), largest first, with every value of fewer than K_MIN people in
    "(other)", and as many of the smallest named ones as make "(other)" K_MIN or more (or
    all of them): no cell under K_MIN is shown or left to be worked out from the group's
    total by subtraction."""
    named = [(v, int(n)) for v, n in counts if n >= K_MIN]
    other = sum(int(n) for _, n in counts) - sum(n for _, n in named)
    while 0 < other < K_MIN and named:
        other += named.pop()[1]
    return named + ([(OTHER, other)] if other else [])
