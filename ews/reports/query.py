"""Reading the stored log for reports: SQL aggregation for v2 rows, `stored_record` for v1.

Only the latest version of each assessment counts (`superseded_by IS NULL`); the period is on
`created_at` (UTC). Checklist v2 rows are grouped by the database (answer fields read with
the dialect's JSON operator); v1 rows, which name their answers differently, are read and
mapped through `ews.checklist.stored_record` and grouped in pandas, then added. No Flask here.
"""

from __future__ import annotations

import json

import pandas as pd
from sqlalchemy import DateTime, bindparam, text
from sqlalchemy.engine import Connection

from ews.checklist import FIELDS, stored_record

from .model import Params

POSITIVE = ("confirmed_trafficking", "confirmed_nonprocedural", "intercepted_at_border")
NEGATIVE = ("legitimate_travel_confirmed",)
DEFERRING = ("deferred", "redirected")
COLUMNS = ("office_code", "origin_kecamatan", "rung", "action", "band", "officer_id")
DERIVED = tuple(name for name, f in FIELDS.items() if f.derived)
MEASURES = ("n", "flagged", "deferred", "positive", "negative", "flagged_positive",
            "flagged_negative", "not_asked")


def _in(values: tuple[str, ...]) -> str:
    return "(" + ", ".join(f"'{v}'" for v in values) + ")"


def key_sql(conn: Connection, key: str) -> str:
    """Return the SQL expression of a grouping key (column, month, hour or answer field)."""
    pg = conn.dialect.name == "postgresql"
    if key in COLUMNS:
        return f"a.{key}"
    if key == "month":
        return "to_char(a.created_at AT TIME ZONE 'UTC', 'YYYY-MM')" if pg \
            else "substr(a.created_at, 1, 7)"
    if key == "hour_utc":
        return "CAST(EXTRACT(HOUR FROM a.created_at AT TIME ZONE 'UTC') AS INTEGER)" if pg \
            else "CAST(substr(a.created_at, 12, 2) AS INTEGER)"
    if key == "outcome":
        return "o.outcome"
    if key not in FIELDS:
        raise KeyError(key)
    column = "features" if key in DERIVED else "answers"
    return f"(a.{column} ->> '{key}')" if pg else f"json_extract(a.{column}, '$.{key}')"


def _key_exprs(conn: Connection, keys: tuple[str, ...]) -> tuple[list[str], dict]:
    """Return the SELECT expressions of the keys; on SQLite the answer (and feature) fields
    are read with one multi-path json_extract per document, which parses it once per row
    instead of once per field (the cost of these reports at a million rows)."""
    if conn.dialect.name != "sqlite":
        return [f"{key_sql(conn, k)} AS {k}" for k in keys], {}
    exprs, packed = [], {}
    for column in ("answers", "features"):
        fields = [k for k in keys if k not in COLUMNS + ("month", "hour_utc", "outcome")
                  and (k in DERIVED) == (column == "features")]
        if len(fields) > 1:
            paths = ", ".join(f"'$.{k}'" for k in fields)
            exprs.append(f"json_extract(a.{column}, {paths}) AS packed_{column}")
            packed[f"packed_{column}"] = fields
    done = {f for fields in packed.values() for f in fields}
    exprs += [f"{key_sql(conn, k)} AS {k}" for k in keys if k not in done]
    return exprs, packed


_LATEST = """
FROM assessments a
LEFT JOIN (SELECT assessment_id, MAX(id) AS id FROM decisions GROUP BY assessment_id) ld
  ON ld.assessment_id = a.id
LEFT JOIN decisions d ON d.id = ld.id
LEFT JOIN (SELECT assessment_id, MAX(id) AS id FROM outcomes GROUP BY assessment_id) lo
  ON lo.assessment_id = a.id
LEFT JOIN outcomes o ON o.id = lo.id
WHERE a.superseded_by IS NULL AND a.created_at >= :start AND a.created_at < :end
"""


def _where(params: Params) -> str:
    return "" if params.offices is None else " AND a.office_code IN :offices"


def _bind(sql: str, params: Params):
    binds = [bindparam("start", params.start_at, type_=DateTime()),
             bindparam("end", params.end_at, type_=DateTime())]
    if params.offices is not None:
        binds.append(bindparam("offices", list(params.offices), expanding=True))
    return text(sql).bindparams(*binds)


def _measures_sql(conn: Connection, with_not_asked: bool) -> str:
    flag = "a.decision_required"
    if conn.dialect.name == "postgresql":
        done = "CAST(a.result ->> 'completeness' AS FLOAT)"
    else:
        done = "json_extract(a.result, '$.completeness')"
    pos, neg = f"o.outcome IN {_in(POSITIVE)}", f"o.outcome IN {_in(NEGATIVE)}"
    parts = [
        "COUNT(*) AS n",
        f"SUM(CASE WHEN {flag} THEN 1 ELSE 0 END) AS flagged",
        f"SUM(CASE WHEN d.decision IN {_in(DEFERRING)} THEN 1 ELSE 0 END) AS deferred",
        f"SUM(CASE WHEN {pos} THEN 1 ELSE 0 END) AS positive",
        f"SUM(CASE WHEN {neg} THEN 1 ELSE 0 END) AS negative",
        f"SUM(CASE WHEN {flag} AND {pos} THEN 1 ELSE 0 END) AS flagged_positive",
        f"SUM(CASE WHEN {flag} AND {neg} THEN 1 ELSE 0 END) AS flagged_negative",
        f"SUM(1 - {done}) AS not_asked" if with_not_asked else "0 AS not_asked",
    ]
    return ",\n  ".join(parts)


def grouped(conn: Connection, params: Params, keys: tuple[str, ...],
            not_asked: bool = False) -> pd.DataFrame:
    """Return counts per group: keys, then n, flagged, deferred, positive, negative,
    flagged_positive, flagged_negative, not_asked (sum of 1 - completeness, when asked for).

    Keys are stored columns, `month`, `hour_utc`, `outcome`, or checklist field names.
    """
    exprs, packed = _key_exprs(conn, keys)
    names = [e.rsplit(" AS ", 1)[1] for e in exprs]
    group = f" GROUP BY {', '.join(str(i + 1) for i in range(len(exprs)))}" if exprs else ""
    sql = (f"SELECT {', '.join(exprs + [_measures_sql(conn, not_asked)])}{_LATEST}"
           f"{_where(params)} AND a.checklist_version = 2{group}")
    v2 = pd.DataFrame(conn.execute(_bind(sql, params)).mappings().all(),
                      columns=names + list(MEASURES))
    for column, fields in packed.items():  # one JSON parse per row: unpack the groups here
        values = [json.loads(v) if isinstance(v, str) else [None] * len(fields)
                  for v in v2.pop(column)]
        for i, name in enumerate(fields):
            v2[name] = [row[i] for row in values]
    v2 = v2[list(keys) + list(MEASURES)]
    v1 = _v1_grouped(conn, params, keys)
    out = pd.concat([v2, v1], ignore_index=True) if len(v1) else v2
    if len(v1) and keys:
        out = out.groupby(list(keys), dropna=False, as_index=False)[list(MEASURES)].sum()
    out[list(MEASURES)] = out[list(MEASURES)].fillna(0)
    for m in MEASURES:
        if m != "not_asked":
            out[m] = out[m].astype(int)
    return out


def rows(conn: Connection, params: Params, keys: tuple[str, ...], where: str = "",
         extra: tuple[str, ...] = ()) -> pd.DataFrame:
    """Return one row per latest assessment: id, keys, flagged, decision, outcome, extras.

    `extra` are raw SQL expressions `expr AS name`; v1 rows go through `stored_record`.
    """
    cols = ["a.id AS id", "a.office_code AS office", "a.created_at AS created_at",
            "a.decision_required AS flagged", "d.decision AS decision", "o.outcome AS outcome"]
    cols += [f"{key_sql(conn, k)} AS {k}" for k in keys if k not in ("office_code",)]
    cols += list(extra)
    sql = (f"SELECT {', '.join(cols)}{_LATEST}{_where(params)} AND a.checklist_version = 2"
           f"{(' AND ' + where) if where else ''}")
    frame = pd.DataFrame(conn.execute(_bind(sql, params)).mappings().all())
    v1 = _v1_rows(conn, params)
    if len(v1) and not where:
        v1 = v1.rename(columns={"office_code": "office"})
        frame = pd.concat([frame, v1[[c for c in frame.columns if c in v1]]],
                          ignore_index=True)
    if len(frame):
        frame["flagged"] = frame["flagged"].astype(bool)
    return frame


def _v1_rows(conn: Connection, params: Params) -> pd.DataFrame:
    sql = ("SELECT a.id AS id, a.office_code, a.origin_kecamatan, a.rung, a.action, a.band, "
           "a.officer_id, a.created_at, a.decision_required AS flagged, a.answers, "
           "a.features, a.result, d.decision AS decision, o.outcome AS outcome"
           f"{_LATEST}{_where(params)} AND a.checklist_version = 1")
    got = conn.execute(_bind(sql, params)).mappings().all()
    out = []
    for r in got:
        load = (lambda v: json.loads(v) if isinstance(v, str) else v)  # noqa: E731
        record = stored_record(load(r["answers"]), load(r["features"]), 1)
        result = load(r["result"])
        out.append({**{k: v for k, v in record.items() if k in FIELDS},
                    **{k: r[k] for k in r.keys() if k not in ("answers", "features", "result")},
                    "completeness": result.get("completeness", 1.0)})
    return pd.DataFrame(out)


def _v1_grouped(conn: Connection, params: Params, keys: tuple[str, ...]) -> pd.DataFrame:
    frame = _v1_rows(conn, params)
    if not len(frame):
        return pd.DataFrame(columns=list(keys) + list(MEASURES))
    created = pd.to_datetime(frame["created_at"], utc=True)
    frame["month"] = created.dt.strftime("%Y-%m")
    frame["hour_utc"] = created.dt.hour
    pos, neg = frame["outcome"].isin(POSITIVE), frame["outcome"].isin(NEGATIVE)
    flag = frame["flagged"].astype(bool)
    frame = frame.assign(n=1, flagged=flag.astype(int),
                         deferred=frame["decision"].isin(DEFERRING).astype(int),
                         positive=pos.astype(int), negative=neg.astype(int),
                         flagged_positive=(flag & pos).astype(int),
                         flagged_negative=(flag & neg).astype(int),
                         not_asked=1 - frame["completeness"].astype(float))
    if not keys:
        return frame[list(MEASURES)].sum().to_frame().T
    return frame.groupby(list(keys), dropna=False, as_index=False)[list(MEASURES)].sum()
