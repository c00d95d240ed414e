"""Reading the stored log for reports: SQL aggregation over the narrow report facts.

Reports read `assessment_facts` (one typed row per assessment, written with it; see
`ews.store.facts`), never the answers, features or result JSON: the database groups and
counts, pandas gets the groups. Only the latest version of each assessment counts
(`latest`); the period, the month and the hour are the interview's on its office's clock
(`day`, `month`, `hour`), or the submission's when `Params.by` says so; the latest decision
and the latest outcome
of each assessment are joined. Checklist v1 rows were mapped to v2 when their facts were
written, so every version is grouped alike. No Flask here.

At national scale a report's cost is its scans of the period's facts: each report reads them
once, and without the joins when it needs no decision or outcome (`counted`, `grouped` with
`labels=False`).
"""

from __future__ import annotations

import pandas as pd
from sqlalchemy import String, bindparam, text
from sqlalchemy.engine import Connection

from .model import Params

POSITIVE = ("confirmed_trafficking", "confirmed_nonprocedural", "intercepted_at_border")
NEGATIVE = ("legitimate_travel_confirmed",)
DEFERRING = ("deferred", "redirected")
# Columns of assessment_facts a report may group by or select.
COLUMNS = ("office_code", "day", "month", "hour", "score", "rung", "action", "band", "officer_id",
           "checklist_version", "origin_kecamatan", "domicile_desa", "domicile_village", "sex",
           "age_band",
           "destination_country", "purpose", "job_sector", "transit_country",
           "job_offer_channel", "recruiter_type", "agency_licence", "agency_name",
           "phone_shared_30d", "indicators", "completeness", "nik_hash", "phone_hash",
           "recruiter_phone_hash")
MEASURES = ("n", "flagged", "deferred", "positive", "negative", "flagged_positive",
            "flagged_negative", "not_asked")


def _in(values: tuple[str, ...]) -> str:
    return "(" + ", ".join(f"'{v}'" for v in values) + ")"


TIMED = ("day", "month", "hour")  # facts columns with a `submitted_` twin


def key_sql(key: str, by: str = "interview") -> str:
    """Return the SQL expression of a grouping key (a facts column, or `outcome`); `month`
    and `hour` are the submission's when `by` is "submitted"."""
    if key == "outcome":
        return "o.outcome"
    if key not in COLUMNS:
        raise KeyError(key)
    return f"a.submitted_{key}" if by == "submitted" and key in TIMED else f"a.{key}"


def period_sql(by: str) -> str:
    """Return the condition of the period (local days, bound as :start and :end)."""
    day = key_sql("day", by) if by == "submitted" else "a.day"
    return f"{day} >= :start AND {day} < :end"


def instant_sql(by: str) -> str:
    """Return the column of the instant that dates an assessment (UTC)."""
    return "a.created_at" if by == "submitted" else "a.interviewed_at"


_LATEST = """
FROM assessment_facts a
LEFT JOIN (SELECT assessment_id, MAX(id) AS id FROM decisions GROUP BY assessment_id) ld
  ON ld.assessment_id = a.assessment_id
LEFT JOIN decisions d ON d.id = ld.id
LEFT JOIN (SELECT assessment_id, MAX(id) AS id FROM outcomes GROUP BY assessment_id) lo
  ON lo.assessment_id = a.assessment_id
LEFT JOIN outcomes o ON o.id = lo.id
WHERE a.latest AND """


def _where(params: Params) -> str:
    return period_sql(params.by) + (
        "" if params.offices is None else " AND a.office_code IN :offices")


def _bind(sql: str, params: Params, lists: dict[str, list] | None = None):
    binds = [bindparam("start", params.start.isoformat(), type_=String()),
             bindparam("end", params.end.isoformat(), type_=String())]
    if params.offices is not None:
        binds.append(bindparam("offices", list(params.offices), expanding=True))
    binds += [bindparam(k, v, expanding=True) for k, v in (lists or {}).items()]
    return text(sql).bindparams(*binds)


def _measures_sql(with_not_asked: bool, labels: bool = True) -> str:
    pos, neg = f"o.outcome IN {_in(POSITIVE)}", f"o.outcome IN {_in(NEGATIVE)}"
    parts = [
        "COUNT(*) AS n",
        "SUM(CASE WHEN a.flagged THEN 1 ELSE 0 END) AS flagged",
        f"SUM(CASE WHEN d.decision IN {_in(DEFERRING)} THEN 1 ELSE 0 END) AS deferred",
        f"SUM(CASE WHEN {pos} THEN 1 ELSE 0 END) AS positive",
        f"SUM(CASE WHEN {neg} THEN 1 ELSE 0 END) AS negative",
        f"SUM(CASE WHEN a.flagged AND {pos} THEN 1 ELSE 0 END) AS flagged_positive",
        f"SUM(CASE WHEN a.flagged AND {neg} THEN 1 ELSE 0 END) AS flagged_negative",
        "SUM(1 - a.completeness) AS not_asked" if with_not_asked else "0 AS not_asked",
    ]
    if not labels:
        parts[2:7] = [f"0 AS {m}" for m in MEASURES[2:7]]
    return ",\n  ".join(parts)


def grouped(conn: Connection, params: Params, keys: tuple[str, ...],
            not_asked: bool = False, labels: bool = True) -> pd.DataFrame:
    """Return counts per group: keys, then n, flagged, deferred, positive, negative,
    flagged_positive, flagged_negative, not_asked (sum of 1 - completeness, when asked for).

    Keys are columns of the report facts (`month`, `hour`, answer and audit fields...)
    or `outcome` (not without `labels`). Without `labels` the measures of decisions and
    outcomes are 0 and the facts are read without joining them (a third of the time of a
    national year on PostgreSQL).
    """
    exprs = [f"{key_sql(k, params.by)} AS {k}" for k in keys]
    group = f" GROUP BY {', '.join(str(i + 1) for i in range(len(exprs)))}" if exprs else ""
    source = _LATEST if labels else "\nFROM assessment_facts a WHERE a.latest AND "
    sql = (f"SELECT {', '.join(exprs + [_measures_sql(not_asked, labels)])}{source}"
           f"{_where(params)}")
    out = pd.DataFrame(conn.execute(_bind(sql + group, params)).all(),
                       columns=list(keys) + list(MEASURES))
    out[list(MEASURES)] = out[list(MEASURES)].fillna(0)
    for m in MEASURES:
        out[m] = out[m].astype(float if m == "not_asked" else int)
    return out


def counted(conn: Connection, params: Params, keys: tuple[str, ...]) -> pd.DataFrame:
    """Return `n` and `flagged` per group of `keys` (facts columns): `grouped` without the
    joins to decisions and outcomes, for reports that need only these two."""
    exprs = [f"{key_sql(k, params.by)} AS {k}" for k in keys]
    sql = (f"SELECT {', '.join(exprs)}, COUNT(*) AS n, "
           "SUM(CASE WHEN a.flagged THEN 1 ELSE 0 END) AS flagged "
           f"FROM assessment_facts a WHERE a.latest AND {_where(params)} "
           f"GROUP BY {', '.join(str(i + 1) for i in range(len(exprs)))}")
    out = pd.DataFrame(conn.execute(_bind(sql, params)).all(),
                       columns=[*keys, "n", "flagged"])
    out[["n", "flagged"]] = out[["n", "flagged"]].fillna(0).astype(int)
    return out


def rows(conn: Connection, params: Params, keys: tuple[str, ...], where: str = "",
         extra: tuple[str, ...] = (), source: str = "",
         binds: dict[str, list] | None = None) -> pd.DataFrame:
    """Return one row per latest assessment: id, office, `at` (the instant that dates it, UTC),
    flagged, decision, outcome, then the keys (facts columns) and `extra` raw SQL expressions
    `expr AS name`; of the facts `source` selects (SQL with the period's binds and the
    lists of `binds`, each `IN :name`), all when empty. The few facts a `source` selects
    have their latest decision and outcome looked up one by one (by the assessment's index)
    instead of joined from every decision and outcome."""
    labels = ("d.decision AS decision", "o.outcome AS outcome") if not source else tuple(
        f"(SELECT x.{c} FROM {t} x WHERE x.assessment_id = a.assessment_id ORDER BY x.id DESC "
        f"LIMIT 1) AS {c}" for t, c in (("decisions", "decision"), ("outcomes", "outcome")))
    cols = ["a.assessment_id AS id", "a.office_code AS office",
            f"{instant_sql(params.by)} AS at", "a.flagged AS flagged", *labels]
    cols += [f"{key_sql(k, params.by)} AS {k}" for k in keys if k != "office_code"]
    cols += list(extra)
    latest = _LATEST if not source else f"\nFROM ({source}) a\nWHERE a.latest AND "
    sql = (f"SELECT {', '.join(cols)}{latest}{_where(params)}"
           f"{(' AND ' + where) if where else ''}")
    result = conn.execute(_bind(sql, params, binds))
    # Tuples: pandas builds a frame of SQLAlchemy rows several times slower.
    frame = pd.DataFrame([tuple(r) for r in result], columns=list(result.keys()))
    frame["flagged"] = frame["flagged"].astype(bool)
    return frame
