"""`ews export facts`: the report facts of a period as Parquet files, for engines beyond one
database (DuckDB, Spark, a data warehouse).

One row per latest assessment - what the reports count - with its latest decision and
outcome, partitioned hive-style by office and interview month
(`office_code=PMK/month=2026-11/part-0.parquet`). No clear personal data and nothing that
links a person: the keyed NIK and phone hashes, the free-text village and the officer are
left out. The rows are not aggregated, so nothing is suppressed: whoever publishes a figure
from these files hides groups under 11 (docs/reports.md says how).
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from sqlalchemy.engine import Connection

from .model import Params
from .query import _LATEST, _bind, _where

# (column, SQL expression, Arrow type name): the facts columns a reader may group by.
COLUMNS = (
    ("assessment_id", "a.assessment_id", "string"),
    ("interviewed_at", "a.interviewed_at", "timestamp"),
    ("created_at", "a.created_at", "timestamp"),
    ("day", "a.day", "string"), ("hour", "a.hour", "int16"),
    ("submitted_day", "a.submitted_day", "string"),
    ("submitted_month", "a.submitted_month", "string"),
    ("submitted_hour", "a.submitted_hour", "int16"),
    ("checklist_version", "a.checklist_version", "int16"), ("score", "a.score", "int32"),
    ("rung", "a.rung", "int16"), ("action", "a.action", "string"), ("band", "a.band", "string"),
    ("flagged", "a.flagged", "bool"), ("completeness", "a.completeness", "float64"),
    ("origin_kecamatan", "a.origin_kecamatan", "string"),
    ("domicile_desa", "a.domicile_desa", "string"), ("sex", "a.sex", "string"),
    ("age_band", "a.age_band", "string"),
    ("destination_country", "a.destination_country", "string"),
    ("purpose", "a.purpose", "string"), ("job_sector", "a.job_sector", "string"),
    ("transit_country", "a.transit_country", "string"),
    ("job_offer_channel", "a.job_offer_channel", "string"),
    ("recruiter_type", "a.recruiter_type", "string"),
    ("agency_licence", "a.agency_licence", "string"),
    ("agency_name", "a.agency_name", "string"),
    ("phone_shared_30d", "a.phone_shared_30d", "int32"),
    ("indicators", "a.indicators", "string"),
    ("decision", "d.decision", "string"), ("outcome", "o.outcome", "string"),
    # the partition keys (hive directories; readers get them back as columns)
    ("office_code", "a.office_code", "string"), ("month", "a.month", "string"),
)
PARTITIONS = ("office_code", "month")
CHUNK = 100_000  # rows per Arrow batch: bounded memory whatever the period


class ExportError(Exception):
    """An export that cannot be written as asked (names the option)."""


def _schema():
    import pyarrow as pa

    kinds = {"string": pa.string(), "int16": pa.int16(), "int32": pa.int32(),
             "bool": pa.bool_(), "float64": pa.float64(),
             "timestamp": pa.timestamp("us", tz="UTC")}
    return pa.schema([(name, kinds[kind]) for name, _, kind in COLUMNS])


def _bool(value):
    return None if value is None else bool(value)


def _utc(value):
    if value is None or isinstance(value, dt.datetime):
        return value if value is None or value.tzinfo else value.replace(tzinfo=dt.UTC)
    return dt.datetime.fromisoformat(value).replace(tzinfo=dt.UTC)


def export_facts(conn: Connection, params: Params, out: Path) -> int:
    """Write the facts of the period into `out` (a new or empty directory); return the rows.

    The rows are read in office and month order, so each partition's file is written once,
    batch after batch, by one `ParquetWriter`. The caller derives missing facts first
    (`ews.store.facts.catch_up`), as a report does.
    """
    try:
        import pyarrow as pa
        import pyarrow.parquet as pq
    except ImportError:  # pragma: no cover - an install without the extra
        raise ExportError("--format parquet needs pyarrow: pip install 'ews[parquet]'") from None
    if out.exists() and (not out.is_dir() or any(out.iterdir())):
        raise ExportError(f"--out {out} exists and is not an empty directory; an export "
                          "never overwrites")
    schema = _schema()
    names = [name for name, _, _ in COLUMNS]
    stored = pa.schema([f for f in schema if f.name not in PARTITIONS])  # the files' columns
    keys = [names.index(p) for p in PARTITIONS]
    # SQLite gives booleans as 0/1 and timestamps without a zone (UTC): typed here.
    typed = [(i, _utc if kind == "timestamp" else _bool) for i, (_, _, kind)
             in enumerate(COLUMNS) if kind in ("timestamp", "bool")]
    sql = (f"SELECT {', '.join(expr for _, expr, _ in COLUMNS)}{_LATEST}{_where(params)} "
           f"ORDER BY {', '.join('a.' + p for p in PARTITIONS)}")
    result = conn.execute(_bind(sql, params).execution_options(stream_results=True))
    out.mkdir(parents=True, exist_ok=True)
    count, writer, current = 0, None, None
    try:
        for part in result.partitions(CHUNK):
            columns = [list(c) for c in zip(*part, strict=True)]
            for i, convert in typed:
                columns[i] = [convert(v) for v in columns[i]]
            batch = pa.RecordBatch.from_arrays(
                [pa.array(c, type=f.type) for c, f in zip(columns, schema, strict=True)
                 if f.name not in PARTITIONS], schema=stored)
            run_keys = list(zip(*(columns[i] for i in keys), strict=True))
            first = 0
            for i in range(1, len(part) + 1):
                if i < len(part) and run_keys[i] == run_keys[first]:
                    continue
                if run_keys[first] != current:
                    if writer is not None:
                        writer.close()
                    current = run_keys[first]
                    folder = out.joinpath(*(f"{p}={v}" for p, v in zip(PARTITIONS, current,
                                                                          strict=True)))
                    folder.mkdir(parents=True)
                    writer = pq.ParquetWriter(folder / "part-0.parquet", stored)
                writer.write_batch(batch.slice(first, i - first))
                first = i
            count += len(part)
    finally:
        if writer is not None:
            writer.close()
    return count
