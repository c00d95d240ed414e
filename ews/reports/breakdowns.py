"""`destinations` and `recruitment`: the log broken down by where people go and how recruited."""

from __future__ import annotations

import statistics

import pandas as pd
from sqlalchemy.engine import Connection

from .model import K_MIN, Chart, Column, Params, Report, Table
from .query import _LATEST, MEASURES, _bind, _where, grouped
from .sdc import Linear, Margin, Sum
from .stats import counts_table

# Kemlu online-scam advisory countries (the default rule set's list), for the monthly view.
SCAM_ADVISORY = ("KH", "MM", "LA", "TH", "PH", "VN")
# A wave: a month with at least WAVE_MIN interviews to a country (or route) and at least
# WAVE_FACTOR times the median of the same country's earlier months, of which there are at
# least WAVE_HISTORY in the period (months without interviews count as 0).
WAVE_MIN, WAVE_FACTOR, WAVE_HISTORY = K_MIN, 2.0, 3
WAVE_NOTE = ("A wave: a month with at least 11 interviews to a country (or route) and at least "
             "twice the median of the same country's (route's) earlier months in the period "
             "(at least 3 earlier months).")


def waves(series: list[int]) -> list[bool]:
    """Return, per month of a country's monthly counts, whether it is a wave (see WAVE_*)."""
    return [i >= WAVE_HISTORY and n >= WAVE_MIN
            and n >= WAVE_FACTOR * statistics.median(series[:i])
            for i, n in enumerate(series)]


def destinations(conn: Connection, params: Params) -> Report:
    """Return destination x purpose, sector, transit and the scam-advisory months."""
    keys = ["month", "destination_country", "purpose", "job_sector", "transit_country"]
    both = grouped(conn, params, tuple(keys))  # one scan; the breakdowns are sums of it

    def by(*cols: str):
        return both.groupby(list(cols), as_index=False, dropna=False)[list(MEASURES)].sum()

    dest, sector = by("destination_country", "purpose"), by("destination_country", "job_sector")
    transit = by("transit_country", "destination_country")
    months = sorted(both["month"].dropna().unique())
    tables = (
        counts_table("summary", "By destination", dest.groupby(
            "destination_country", as_index=False, dropna=False)[dest.columns[2:]].sum(),
            (("destination_country", "Destination"),)),
        counts_table("by_purpose", "Destination x declared purpose", dest,
                     (("destination_country", "Destination"), ("purpose", "Purpose"))),
        counts_table("by_sector", "Destination x job sector", sector[sector["job_sector"]
                                                                     .notna()],
                     (("destination_country", "Destination"), ("job_sector", "Sector"))),
        counts_table("by_transit", "Transit x destination", transit[transit["transit_country"]
                                                                    .notna()],
                     (("transit_country", "Transit"), ("destination_country", "Destination"))),
        _scam_by_month(by("month", "destination_country"), months),
        _scam_routes(by("month", "transit_country", "destination_country"), months),
    )
    counts, dest = ("n", "flagged", "deferred", "positive"), ("destination_country",)
    margins = (Margin("summary", "by_purpose", counts, by=dest),
               Margin("summary", "by_sector", counts, by=dest, partial=True),
               Margin("summary", "by_transit", counts, by=dest, partial=True),
               Margin("by_transit", "scam_routes", counts,
                      by=("transit_country", "destination_country")),
               Sum("scam_by_month", "total", SCAM_ADVISORY),
               *_country_columns(tables[0], tables[4]))
    return Report("destinations", "Destinations", params, tables,
                  (Chart("Interviews to scam-advisory destinations by month", "scam_by_month",
                         "month", SCAM_ADVISORY, "line"),
                   Chart("Top destinations", "summary", "destination_country", ("n",))),
                  (WAVE_NOTE,), margins=margins)


def _country_columns(summary: Table, by_month: Table) -> tuple[Linear, ...]:
    """A country's interviews in `summary` are the sum of its column in `scam_by_month`."""
    out = []
    for r, row in enumerate(summary.rows):
        if row[0] in SCAM_ADVISORY:
            out.append(Linear((("summary", r, "n", 1), *(
                ("scam_by_month", i, row[0], -1) for i in range(len(by_month.rows))))))
    return tuple(out)


def _scam_by_month(monthly: pd.DataFrame, months: list[str]) -> Table:
    """Month x scam-advisory country: interviews per country, their total, and the
    countries in a wave that month (each against its own earlier months)."""
    wide = (monthly[monthly["destination_country"].isin(SCAM_ADVISORY)]
            .pivot_table(index="month", columns="destination_country", values="n",
                         aggfunc="sum", fill_value=0)
            .reindex(index=months, columns=list(SCAM_ADVISORY), fill_value=0))
    flags = {c: waves([int(v) for v in wide[c]]) for c in SCAM_ADVISORY}
    rows = tuple((m, *(int(wide.at[m, c]) for c in SCAM_ADVISORY),
                  int(wide.loc[m].sum()),
                  ", ".join(c for c in SCAM_ADVISORY if flags[c][i]))
                 for i, m in enumerate(months))
    return Table("scam_by_month", "Scam-advisory destinations by month and country", (
        Column("month", "Month", "key"), *(Column(c, c) for c in SCAM_ADVISORY),
        Column("total", "Total"), Column("wave", "Wave", "text")), rows)


def _scam_routes(monthly: pd.DataFrame, months: list[str]) -> Table:
    """Month x transit route (transit, destination) into or through a scam-advisory country,
    with each route's wave against its own earlier months."""
    routes = monthly[monthly["transit_country"].notna() & (
        monthly["destination_country"].isin(SCAM_ADVISORY)
        | monthly["transit_country"].isin(SCAM_ADVISORY))]
    wave: dict[tuple, bool] = {}
    for (transit, dest), part in routes.groupby(["transit_country", "destination_country"]):
        counts = part.set_index("month")["n"].reindex(months, fill_value=0)
        wave |= {(m, transit, dest): w for m, w in zip(months, waves(
            [int(v) for v in counts]), strict=True)}
    table = counts_table("scam_routes", "Transit routes of scam-advisory countries by month",
                         routes, (("month", "Month"), ("transit_country", "Transit"),
                                  ("destination_country", "Destination")), sort="month")
    rows = tuple(sorted(row + ("wave" if wave.get(row[:3]) else "",) for row in table.rows))
    return Table(table.name, table.title, (*table.columns, Column("wave", "Wave", "text")),
                 rows)


def recruitment(conn: Connection, params: Params) -> Report:
    """Return the job-offer channel, recruiter type, agency licence and HTCDS recruitment."""
    both = grouped(conn, params, ("job_offer_channel", "recruiter_type", "agency_licence",
                                  "job_sector"))

    def by(*cols: str):
        return both.groupby(list(cols), as_index=False, dropna=False)[list(MEASURES)].sum()

    channel, sector = by("job_offer_channel"), by("job_sector")
    recruiter = by("recruiter_type", "agency_licence")
    work = channel[channel["job_offer_channel"].notna()]
    tables = (
        counts_table("summary", "Job-offer channel", work,
                     (("job_offer_channel", "Channel"),)),
        counts_table("by_recruiter", "Recruiter type and agency licence", recruiter[
            recruiter["recruiter_type"].notna()],
            (("recruiter_type", "Recruiter"), ("agency_licence", "Agency licence"))),
        counts_table("by_sector", "Job sector", sector[sector["job_sector"].notna()],
                     (("job_sector", "Sector"),)),
        _htcds(conn, params),
    )
    return Report("recruitment", "Recruitment", params, tables,
                  (Chart("Job-offer channel", "summary", "job_offer_channel",
                         ("n", "flagged")),))


def _htcds(conn: Connection, params: Params) -> Table:
    sql = ("SELECT o.recruitment_method AS method, o.recruitment_app AS app, COUNT(*) AS n"
           f"{_LATEST}{_where(params)} AND o.id IS NOT NULL GROUP BY 1, 2")
    got = conn.execute(_bind(sql, params)).all()
    rows = sorted(((m or "(not recorded)", a or "(not recorded)", int(n)) for m, a, n in got),
                  key=lambda r: (-r[2], r[0], r[1]))
    return Table("htcds", "Recorded outcomes: recruitment method and app (HTCDS)",
                 (Column("method", "Recruitment method", "key"),
                  Column("app", "Recruitment app", "key"), Column("n", "Outcomes")),
                 tuple(rows))
