"""`networks`: applicants linked by the same recruiter phone, contact phone or agency.

A bipartite graph of assessments and identifiers (scipy's sparse graphs): the keyed hash of
a recruiter's phone, of an applicant's phone given by two or more different people (NIK
hashes), and of an agency name not on the licensed P3MI list (a licensed agency serving many
people is normal).
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
from itertools import groupby
from operator import itemgetter

import numpy as np
import pandas as pd
from sqlalchemy.engine import Connection

from ews.checklist import agency_key
from ews.store.models import FACT_EDGE, FACT_LINKED

from .model import K_MIN, Chart, Column, Params, Report, Table
from .query import POSITIVE, _bind, _where, rows
from .stats import rate

KINDS = {"r": "recruiter phone", "p": "shared contact phone", "g": "unlicensed agency"}
# Where a group works: facts column -> the dimension's name in the reach table.
REACH = {"origin_kecamatan": "kecamatan", "destination_country": "destination",
         "job_offer_channel": "channel"}
OTHER = "(other)"


KEYS = ("day", "agency_name", "agency_licence", "nik_hash", "phone_hash",
        "recruiter_phone_hash", *REACH)
PHONES = 10_000  # shared phones bound per statement (SQLite takes 32,766 parameters)


def networks(conn: Connection, params: Params, *, pii_key: str = "") -> Report:
    """Return the recruiter-network report of the period (reads the log).

    Read: every fact of the period with an edge of its own (a recruiter phone or an agency
    not licensed, about 1%), then the contact phones two or more people gave (`_shared`),
    then the other facts with those phones, by the phone's index.
    """
    shown, params = params, replace(params, offices=None)  # groups span every office
    where = f"a.latest AND {_where(params)}"
    frames = [rows(conn, params, KEYS, source=f"SELECT a.* FROM assessment_facts a "
                                               f"WHERE {where} AND {FACT_EDGE}")]
    phones = [p for (p,) in conn.execute(_bind(_shared(params, shown.offices), params, (
        {} if shown.offices is None else {"near": list(shown.offices)})))]
    for start in range(0, len(phones), PHONES):  # a bound list each, as long as drivers take
        frames.append(rows(conn, params, KEYS, source=(
            f"SELECT a.* FROM assessment_facts a WHERE {where} AND NOT {FACT_EDGE} "
            "AND a.phone_hash IN :phones"), binds={"phones": phones[start:start + PHONES]}))
    frame = pd.concat(frames, ignore_index=True) if len(frames) > 1 else frames[0]
    return networks_from(frame, shown, pii_key=pii_key)


def _shared(params: Params, near: tuple[str, ...] | None = None) -> str:
    """Return the SQL of the contact phones that two or more people gave in the period, of
    all or, with offices `near` (bound as :near), of those their groups can reach.

    Every other assessment without an edge of its own is a group of one, so only the rows
    with an edge and those with one of these phones leave the database. The phones looked at
    are those of the assessments with a recruiter phone or an agency, or whose phone was
    already shared at the interview (the stored history feature: no grouping of every
    phone). A group with an assessment at the offices `near` holds only phones given there
    or by an assessment with an edge (a linked fact's other links are edges): the others
    are not looked at. Read apart from the facts with them: joined in one statement,
    PostgreSQL expected as many phones as candidates (hundreds of thousands for a few
    hundred) and spilled a national year's facts to disk to hash them.
    """
    where = f"a.latest AND {_where(params)}"
    sql = (f"SELECT DISTINCT a.phone_hash FROM assessment_facts a WHERE {where} "
           f"AND {FACT_LINKED} AND EXISTS (SELECT 1 FROM assessment_facts s "
           "WHERE s.phone_hash = a.phone_hash AND s.nik_hash <> a.nik_hash AND s.latest AND "
           f"{_where(params).replace('a.', 's.')})")
    if near is not None:  # (the columns in FACT_EDGE are o's there)
        sql += (" AND a.phone_hash IN (SELECT o.phone_hash FROM assessment_facts o WHERE "
                f"o.latest AND {_where(params).replace('a.', 'o.')} AND "
                f"(o.office_code IN :near OR {FACT_EDGE}))")
    return sql


def _agency_hash(key: str, name: str) -> str:
    import hmac

    return hmac.new(key.encode(), f"agency:{agency_key(name)}".encode(),
                    hashlib.sha256).hexdigest()


def _components(frame: pd.DataFrame, pii_key: str,
                min_people: int) -> list[tuple[list, list[tuple[str, str]]]]:
    """Return the connected groups of assessments and identifiers that hold at least
    `min_people` assessments and one identifier: (assessment ids, identifiers sorted).

    The graph is bipartite: an edge from a row to each of its identifiers; its connected
    components come from scipy's sparse graph routines (tens of thousands of rows at once).
    """
    from scipy.sparse import coo_array  # imported here: every CLI command would pay for it
    from scipy.sparse.csgraph import connected_components

    people_per_phone = frame.groupby("phone_hash")["nik_hash"].nunique()
    shared = set(people_per_phone.index[people_per_phone > 1])
    agencies: dict[str, str] = {}
    rows, idents = [], []
    for i, (recruiter, phone, agency, licence) in enumerate(zip(
            frame["recruiter_phone_hash"].tolist(), frame["phone_hash"].tolist(),
            frame["agency_name"].tolist(), frame["agency_licence"].tolist(), strict=True)):
        if isinstance(recruiter, str):
            rows.append(i)
            idents.append(("r", recruiter))
        if isinstance(phone, str) and phone in shared:
            rows.append(i)
            idents.append(("p", phone))
        if isinstance(agency, str) and agency and licence != "licensed":
            if agency not in agencies:
                agencies[agency] = _agency_hash(pii_key, agency)
            rows.append(i)
            idents.append(("g", agencies[agency]))
    if not idents:
        return []
    names = list(dict.fromkeys(idents))
    code = {name: j for j, name in enumerate(names)}
    n, size = len(frame), len(frame) + len(names)
    cols = np.fromiter((n + code[x] for x in idents), dtype=np.int64, count=len(idents))
    graph = coo_array((np.ones(len(rows), dtype=np.int8), (np.asarray(rows), cols)),
                      shape=(size, size))
    _, label = connected_components(graph, directed=False)
    people = np.bincount(label[:n])
    keep = (people >= min_people) & (np.bincount(label[n:], minlength=len(people)) > 0)
    groups: dict[int, tuple[list, list]] = {}
    for aid, k in zip(frame["id"].tolist(), label[:n].tolist(), strict=True):
        if keep[k]:
            groups.setdefault(k, ([], []))[0].append(aid)
    for name, k in zip(names, label[n:].tolist(), strict=True):
        if keep[k]:
            groups[k][1].append(name)
    return [(ids, sorted(found)) for ids, found in groups.values()]


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
        sub = sub.assign(comp=sub["id"].map(label))
        if params.offices is not None:  # the groups with an assessment there, and no other
            sub = sub[sub["comp"].isin(sub.loc[sub["office"].isin(params.offices), "comp"])]
        sub = sub.assign(created=sub["day"].astype(str),
                         positive=sub["outcome"].isin(POSITIVE),
                         flagged=sub["flagged"].astype(bool))
        # Figures per group at once (thousands of groups nationally), then one row each.
        part = sub if params.offices is None else sub[sub["office"].isin(params.offices)]
        whole = sub.groupby("comp", sort=False).agg(people=("nik_hash", "nunique"))
        spans = sub.drop_duplicates(["comp", "office"]).sort_values("office") \
            .groupby("comp", sort=False)["office"].agg(list)
        shown = part.groupby("comp", sort=False).agg(
            people=("nik_hash", "nunique"), n=("id", "size"), flagged=("flagged", "sum"),
            positive=("positive", "sum"), first=("created", "min"), last=("created", "max"))
        listed: dict[int, list] = {}
        for k, aid, office in zip(part["comp"].tolist(), part["id"].tolist(),
                                  part["office"].tolist(), strict=True):
            listed.setdefault(k, []).append((aid, office))
        for k, row in zip(shown.index, shown.itertuples(index=False), strict=True):
            if whole.at[k, "people"] < min_people:
                continue
            idents = comps[int(k)][1]
            gid = "N-" + hashlib.sha256("|".join(h for _, h in idents).encode()).hexdigest()[:10]
            offices = spans[k]
            gids[k] = gid
            counts = {kind: sum(1 for k2, _ in idents if k2 == kind) for kind in KINDS}
            flagged, positive = int(row.flagged), int(row.positive)
            groups.append((gid, int(row.people), int(row.n), counts["r"], counts["p"],
                           counts["g"], len(offices), ", ".join(offices), flagged,
                           rate(flagged, int(row.n)), positive, rate(positive, int(row.n)),
                           dt.date.fromisoformat(row.first), dt.date.fromisoformat(row.last)))
            members[gid] = tuple(listed[k])
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
        for comp, part in groupby(zip(counts["comp"].tolist(), counts["value"].tolist(),
                                      counts["people"].tolist(), strict=True),
                                  key=itemgetter(0)):
            out += [(gids[comp], REACH[col], v, n)
                    for v, n in _named([(v, n) for _, v, n in part])]
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
