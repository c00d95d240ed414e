"""`misses`: interviews the checklist let through that a later outcome confirmed.

An interview that ended below supervisor review (not flagged) and whose latest outcome is a
positive one - from the random follow-up sample, a supervisor's follow-up or an imported
external list - is a miss. They are grouped by destination, declared purpose, kecamatan of
origin and job-offer channel (beside all unflagged interviews of the group), by the
indicators that fired on them and by the applicable questions that were not asked. A near
miss is a miss one band short of escalation: a track's score fell in the band just below
supervisor review (its action was the in-depth interview). The analyst's list of what the
checklist does not yet see; small groups are suppressed like everywhere.
"""

from __future__ import annotations

import pandas as pd
from sqlalchemy import select
from sqlalchemy.engine import Connection

from ews import wilayah
from ews.checklist import stored_record
from ews.checklist.schema import ALWAYS, GROUPS
from ews.engine.ruleset import LADDER
from ews.store.models import Assessment

from .model import Chart, Column, Params, Report, Table
from .query import _LATEST, POSITIVE, _bind, _in, _where, counted
from .sdc import Margin, Sum
from .stats import per1000

NEAR_ACTION = LADDER[LADDER.index("supervisor_review") - 1]  # one band short of review
ORIGINS = ("sample", "followup", "external")
GROUPS_BY = (("destination_country", "by_destination", "Destination"),
             ("purpose", "by_purpose", "Purpose"),
             ("origin_kecamatan", "by_kecamatan", "Kecamatan"),
             ("job_offer_channel", "by_channel", "Channel"))
MISS_COLUMNS = (Column("missed", "Missed (confirmed later)"),
                Column("near_misses", "Near misses"))
GROUP_COLUMNS = (Column("unflagged", "Not flagged"), *MISS_COLUMNS,
                 Column("missed_per_1000", "Missed per 1,000 not flagged", "per1000",
                        ("missed", "unflagged")),
                 Column("missed_interval", "95% interval", "interval", ("missed", "unflagged"),
                        "per1000"))
NOT_RECORDED = "(not recorded)"
_BATCH = 1000


def not_asked(record: dict) -> list[str]:
    """Return the applicable checklist questions a record left unanswered (as `completeness`
    counts them)."""
    get = record.get
    out = [name for name in ALWAYS if get(name) is None]
    for when, unless, names in GROUPS:
        if unless and any(get(k) in v for k, v in unless):
            continue
        if when and not any(get(k) in v for k, v in when):
            continue
        out += [name for name in names if get(name) is None]
    return out


def near_miss(result: dict) -> bool:
    """Return True when a track's action was the one just below supervisor review."""
    tracks = (result or {}).get("tracks") or {}
    return any(t.get("action") == NEAR_ACTION for t in tracks.values() if isinstance(t, dict))


def misses(conn: Connection, params: Params) -> Report:
    """Return the misses report of the period (reads the log)."""
    keys = tuple(k for k, _, _ in GROUPS_BY)
    sql = (f"SELECT a.assessment_id AS id, {', '.join('a.' + k for k in keys)}, "
           f"a.indicators AS indicators, o.origin AS origin{_LATEST}{_where(params)} "
           f"AND NOT a.flagged AND o.outcome IN {_in(POSITIVE)}")
    result = conn.execute(_bind(sql, params))
    missed = pd.DataFrame(result.all(), columns=list(result.keys()))
    extra = _details(conn, list(missed["id"]))
    missed["near"] = [extra[i][0] for i in missed["id"]]
    missed["not_asked"] = [extra[i][1] for i in missed["id"]]
    every = counted(conn, params, keys)  # one scan; each key's counts are sums of it
    counts = {k: every.groupby(k, as_index=False, dropna=False)[["n", "flagged"]].sum()
              for k in keys}
    sampled = conn.execute(_bind(
        f"SELECT COUNT(*) FROM assessment_facts a WHERE a.latest AND {_where(params)} "
        "AND NOT a.flagged AND EXISTS "
        "(SELECT 1 FROM followup_samples s WHERE s.assessment_id = a.assessment_id)",
        params)).scalar()
    return misses_from(missed, counts, int(sampled or 0), params)


def _details(conn: Connection, ids: list[str]) -> dict[str, tuple[bool, tuple[str, ...]]]:
    """Return {id: (near miss, questions not asked)} of the missed interviews (few rows)."""
    table, out = Assessment.__table__, {}
    for i in range(0, len(ids), _BATCH):
        stmt = select(table.c.id, table.c.answers, table.c.features,
                      table.c.checklist_version, table.c.result).where(
            table.c.id.in_(ids[i:i + _BATCH]))
        for ident, answers, features, version, result in conn.execute(stmt):
            record = stored_record(answers, features, version)
            out[ident] = (near_miss(result), tuple(not_asked(record)))
    return out


def _key(value) -> str:
    return NOT_RECORDED if value is None or value != value or value == "" else str(value)


def misses_from(missed: pd.DataFrame, counts: dict[str, pd.DataFrame], sampled: int,
                params: Params) -> Report:
    """Build the report from one row per miss and counts per group of all interviews.

    Parameters
    ----------
    missed : one row per missed interview: the `GROUPS_BY` keys, `indicators` (comma-
        separated text or None), `origin` of the label, `near` (bool), `not_asked` (tuple).
    counts : per key, `ews.reports.query.counted` counts (`n`, `flagged`) by that key.
    sampled : unflagged interviews of the period drawn for the follow-up sample.
    """
    n_missed = len(missed)
    unflagged = 0
    tables = []
    for key, name, label in GROUPS_BY:
        frame = counts[key]
        base = {_key(k): int(n - f) for k, n, f in zip(frame[key], frame["n"], frame["flagged"],
                                                       strict=True)}
        unflagged = sum(base.values())
        hit = missed.groupby(missed[key].map(_key))
        rows = []
        for group, part in hit:
            rows.append(_group_row(key, group, base.get(group, len(part)), len(part),
                                   int(part["near"].sum())))
        rows.sort(key=lambda r: (-r[-4], str(r[0])))
        key_cols = (Column(key, label, "key"),)
        if key == "origin_kecamatan":
            key_cols += (Column("kecamatan_name", "Kecamatan name", "key"),)
        tables.append(Table(name, f"Misses by {label.lower()}", key_cols + GROUP_COLUMNS,
                            tuple(rows)))
    origin = missed["origin"].value_counts() if n_missed else pd.Series(dtype=int)
    summary = Table("summary", "Interviews not flagged and later confirmed", (
        Column("unflagged", "Not flagged"), Column("sampled", "In the follow-up sample"),
        Column("missed", "Missed (confirmed later)"),
        *(Column(f"from_{o}", f"Label from {o}") for o in ORIGINS),
        Column("near_misses", "Near misses")),
        ((unflagged, sampled, n_missed, *(int(origin.get(o, 0)) for o in ORIGINS),
          int(missed["near"].sum()) if n_missed else 0),))
    tables.insert(0, summary)
    tables.append(_exploded(missed, "indicators", "by_indicator", "Indicators that fired on "
                            "the misses", "Indicator"))
    tables.append(_exploded(missed, "not_asked", "not_asked", "Questions not asked in the "
                            "misses", "Question"))
    notes = ("A miss: an interview below supervisor review whose latest outcome confirmed "
             "trafficking, non-procedural work or a border deferral. A near miss: a track's "
             "score one band short of supervisor review.",
             "Only the follow-up sample is drawn at random: misses found by imports and "
             "follow-ups show where to look, not how often the checklist misses.")
    chart = Chart("Misses by destination", "by_destination", "destination_country", ("missed",))
    margins = (Sum("summary", "missed", tuple(f"from_{o}" for o in ORIGINS)),
               *(Margin("summary", name, ("missed", "near_misses")) for _, name, _ in GROUPS_BY),
               # groups are listed only where something was missed
               *(Margin("summary", name, ("unflagged",), partial=True)
                 for _, name, _ in GROUPS_BY))
    return Report("misses", "Misses: not flagged, later confirmed", params, tuple(tables),
                  charts=(chart,), notes=notes, margins=margins)


def _group_row(key: str, group: str, unflagged: int, missed: int, near: int) -> tuple:
    rate, low, high = per1000(missed, unflagged)
    head = (group,)
    if key == "origin_kecamatan":
        head += ((wilayah.name(group) or "?") if group != NOT_RECORDED else NOT_RECORDED,)
    return (*head, unflagged, missed, near, rate, (low, high))


def _items(value) -> tuple:
    """Return a comma-separated text or a sequence as a tuple (None, NaN, "": empty)."""
    if isinstance(value, str):
        return tuple(value.split(",")) if value else ()
    return tuple(value) if isinstance(value, list | tuple) else ()


def _exploded(missed: pd.DataFrame, column: str, name: str, title: str, label: str) -> Table:
    rows = []
    if len(missed):
        values = missed[column].map(_items)
        parts = missed.assign(**{column: values}).explode(column).dropna(subset=[column])
        for value, part in parts.groupby(column):
            rows.append((str(value), len(part), int(part["near"].sum())))
    rows.sort(key=lambda r: (-r[1], r[0]))
    return Table(name, title, (Column(column, label, "key"), *MISS_COLUMNS), tuple(rows))
