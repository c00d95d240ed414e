"""`destinations` and `recruitment`: the log broken down by where people go and how recruited."""

from __future__ import annotations

from dataclasses import replace

from sqlalchemy.engine import Connection

from .model import Chart, Column, Params, Report, Table
from .query import _LATEST, MEASURES, _bind, _where, grouped
from .sdc import Margin
from .stats import counts_table

# Kemlu online-scam advisory countries (the default rule set's list), for the monthly view.
SCAM_ADVISORY = ("KH", "MM", "LA", "TH", "PH", "VN")


def destinations(conn: Connection, params: Params) -> Report:
    """Return destination x purpose, sector, transit and the scam-advisory months."""
    keys = ["month", "destination_country", "purpose", "job_sector", "transit_country"]
    both = grouped(conn, params, tuple(keys))  # one scan; the breakdowns are sums of it

    def by(*cols: str):
        return both.groupby(list(cols), as_index=False, dropna=False)[list(MEASURES)].sum()

    dest, sector = by("destination_country", "purpose"), by("destination_country", "job_sector")
    transit = by("transit_country", "destination_country")
    monthly = by("month", "destination_country")
    monthly = monthly[monthly["destination_country"].isin(SCAM_ADVISORY)]
    scam = monthly.groupby("month", as_index=False)[monthly.columns[2:]].sum()
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
        counts_table("scam_by_month", "Scam-advisory destinations (KH, MM, LA, TH, PH, VN) "
                     "by month", scam.sort_values("month"), (("month", "Month"),), sort="month"),
    )
    tables = tables[:4] + (_by_month(tables[4]),)
    counts, dest = ("n", "flagged", "deferred", "positive"), ("destination_country",)
    margins = (Margin("summary", "by_purpose", counts, by=dest),
               Margin("summary", "by_sector", counts, by=dest, partial=True),
               Margin("summary", "by_transit", counts, by=dest, partial=True),
               Margin("summary", "scam_by_month", counts,
                      where=("destination_country", SCAM_ADVISORY)))
    return Report("destinations", "Destinations", params, tables,
                  (Chart("Interviews to scam-advisory destinations by month", "scam_by_month",
                         "month", ("n", "flagged")),
                   Chart("Top destinations", "summary", "destination_country", ("n",))),
                  margins=margins)


def _by_month(table: Table) -> Table:
    return replace(table, rows=tuple(sorted(table.rows)))


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
