"""`areas`: applicants, flags and confirmed outcomes per kecamatan and desa of origin.

Origin is the kecamatan code of the NIK (an audit field) and the desa the applicant states,
by its Kemendagri code (named from the shipped table) or, for a village not in the list and
older interviews, by its trimmed, case-folded text. Rates are per 1,000 applicants with Wilson 95%
intervals; the Desa Binaan candidate list ranks desa by the interval's lower bound of the
flag rate, so that a desa with few applicants does not rank first on luck.
"""

from __future__ import annotations

import pandas as pd
from sqlalchemy.engine import Connection

from ews import wilayah

from .model import K_MIN, Chart, Column, Params, Report, Table
from .query import grouped
from .sdc import Margin, Ranked
from .stats import per1000

AREA_COLUMNS = (
    Column("n", "Applicants"), Column("flagged", "Flagged"),
    Column("flag_per_1000", "Flags per 1,000", "per1000", ("flagged", "n")),
    Column("flag_interval", "95% interval", "interval", ("flagged", "n"), "per1000"),
    Column("positive", "Confirmed"),
    Column("confirmed_per_1000", "Confirmed per 1,000", "per1000", ("positive", "n")),
    Column("confirmed_interval", "95% interval", "interval", ("positive", "n"), "per1000"),
)


def areas(conn: Connection, params: Params) -> Report:
    """Return the areas report of the period (reads the log)."""
    return areas_from(grouped(conn, params, ("origin_kecamatan", "domicile_desa",
                                              "domicile_village")), params)


def _figures(n: int, flagged: int, positive: int) -> tuple:
    f, f_low, f_high = per1000(flagged, n)
    c, c_low, c_high = per1000(positive, n)
    return (n, flagged, f, (f_low, f_high), positive, c, (c_low, c_high))


def areas_from(counts: pd.DataFrame, params: Params, min_applicants: int = K_MIN) -> Report:
    """Build the report from counts by origin_kecamatan and domicile_village."""
    counts = counts[counts["origin_kecamatan"].notna()]
    kec = counts.groupby("origin_kecamatan", as_index=False)[["n", "flagged", "positive"]].sum()
    kec_rows = []
    for r in kec.itertuples(index=False):
        code = str(r.origin_kecamatan)
        kec_rows.append((code, wilayah.name(code) or code,
                         wilayah.name(wilayah.regency_of(code)) or "?",
                         *_figures(int(r.n), int(r.flagged), int(r.positive))))
    # Ranked by the lower bound of the flag rate: evidence, not a small group's luck.
    kec_rows.sort(key=lambda row: (-_low(row[6]), -row[3], row[0]))
    key_cols = (Column("kecamatan", "Kecamatan code", "key"),
                Column("kecamatan_name", "Kecamatan", "key"),
                Column("regency_name", "Regency/city", "key"))
    kec_table = Table("summary", "Kecamatan of origin (ranked by the lower bound of flags "
                      "per 1,000)", key_cols + AREA_COLUMNS, tuple(kec_rows))
    desa_rows = []
    for code, desa, r in _by_desa(counts):
        figures = _figures(int(r.n), int(r.flagged), int(r.positive))
        desa_rows.append((desa, wilayah.name(code) or code,
                          wilayah.name(wilayah.regency_of(code)) or "?", *figures))
    desa_rows.sort(key=lambda row: (-_low(row[6]), -row[3], row[0]))
    candidates = [row for row in desa_rows if row[3] >= min_applicants and row[4] > 0][:20]
    # A desa is named only with its count: a group under 11 leaves the office unnamed.
    desa_cols = (Column("desa", "Desa/kelurahan", "key", ("n",)),
                 Column("kecamatan_name", "Kecamatan", "key"),
                 Column("regency_name", "Regency/city", "key"))
    cand_cols = (Column("rank", "Rank", "key"),) + desa_cols + AREA_COLUMNS
    tables = (kec_table,
              Table("desa_binaan", f"Desa Binaan candidates (at least {min_applicants} "
                    "applicants, at least one flag)", cand_cols,
                    tuple((i + 1, *row) for i, row in enumerate(candidates))),
              Table("by_desa", "Desa of origin", desa_cols + AREA_COLUMNS, tuple(desa_rows)))
    notes = ("Origin is an audit variable: it is reported in aggregate and never scores anyone.",
             "Candidates rank by the lower end of the 95% interval of flags per 1,000.")
    figures = ("n", "flagged", "positive")
    desa_key = ("desa", "kecamatan_name", "regency_name")
    margins = (Margin("summary", "by_desa", figures, by=desa_key[1:], partial=True),
               Margin("desa_binaan", "by_desa", figures, by=desa_key),
               # A hidden rate keeps no place in a ranking: its row follows, unranked.
               Ranked("desa_binaan", ("flag_interval",), desa_key, rank="rank"),
               Ranked("summary", ("flag_interval",), ("kecamatan",)),
               Ranked("by_desa", ("flag_interval",), desa_key[1:] + desa_key[:1]))
    return Report("areas", "Areas of origin and Desa Binaan candidates", params, tables,
                  (Chart("Flags per 1,000 applicants, top kecamatan", "summary",
                         "kecamatan_name", ("flag_per_1000",)),), notes, margins=margins)


def _by_desa(counts: pd.DataFrame) -> list[tuple[str, str, pd.Series]]:
    """Return (kecamatan, desa name, counts) per desa: a picked desa by its code (named from
    the table), a village typed as not in the list by its trimmed, case-folded text."""
    if "domicile_desa" not in counts:
        counts = counts.assign(domicile_desa=None)
    typed = counts["domicile_village"].fillna("").astype(str).map(
        lambda v: " ".join(v.split()).casefold())
    key = [str(c) if isinstance(c, str) and c else (f"~{t}" if t else "")
           for c, t in zip(counts["domicile_desa"], typed, strict=True)]
    keyed = counts.assign(desa_key=key)
    keyed = keyed[keyed["desa_key"] != ""]
    summed = keyed.groupby(["origin_kecamatan", "desa_key"])[["n", "flagged", "positive"]].sum()
    return [(str(kec), f"{k[1:]} (not in the list)" if k.startswith("~")
             else wilayah.name(k) or k, r) for (kec, k), r in summed.iterrows()]


def _low(interval: tuple) -> float:
    low = interval[0]
    return -1.0 if low != low else low  # nan last
