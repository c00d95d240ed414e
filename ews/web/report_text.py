"""Page language of the reports: titles, column labels, chart titles, notes and placeholders.

`ews.reports` stays free of Flask and speaks English (CLI, JSON API and exports keep it);
the pages translate its fixed texts here at render time. Texts built with numbers or group
names are matched against English patterns and re-assembled from a translated template.
A text that matches nothing is shown as it is.
"""

from __future__ import annotations

import re

from flask_babel import gettext

from ews.checklist.countries import ISO_COUNTRIES, country_name
from ews.review.vocab import RECRUITMENT_APPS, RECRUITMENT_METHODS

from .i18n import choice_label, current_lang, local_numbers, tr


def N_(text: str) -> str:  # noqa: N802 - the gettext marker pybabel extracts by default
    """Mark a message for extraction without translating it yet."""
    return text


# Every fixed title, column label, chart title and note of `ews.reports` (English ids; a
# literal "%" is written "%%" so that the catalogue checks it like a format placeholder).
MESSAGES = frozenset((
    # report titles
    N_("Overview"), N_("Destinations"), N_("Recruitment"),
    N_("Areas of origin and Desa Binaan candidates"), N_("Recruiter networks"),
    N_("Fairness (audit variables)"), N_("Outcomes and confirmation rates"),
    N_("Officers and hours of the day"), N_("Intelligence products (IKK 9.1)"),
    N_("Areas and Desa Binaan"), N_("Fairness"), N_("Officers and hours"),
    # table and chart titles
    N_("Summary"), N_("Action mix by month"), N_("By destination"),
    N_("Destination x declared purpose"), N_("Destination x job sector"),
    N_("Transit x destination"), N_("Scam-advisory destinations by month and country"),
    N_("Transit routes of scam-advisory countries by month"),
    N_("Where each group works: kecamatan, destination and channel of each person's latest "
       "interview (values of fewer than 11 people together)"),
    N_("Interviews to scam-advisory destinations by month"), N_("Top destinations"),
    N_("Job-offer channel"), N_("Recruiter type and agency licence"), N_("Job sector"),
    N_("Recorded outcomes: recruitment method and app (HTCDS)"),
    N_("Kecamatan of origin (ranked by the lower bound of flags per 1,000)"),
    N_("Desa of origin"), N_("Flags per 1,000 applicants, top kecamatan"),
    N_("Groups linked by a recruiter phone, a shared contact phone or an unlicensed agency "
       "(largest first)"),
    N_("People per group (largest 15)"), N_("Overall"), N_("Outcomes recorded"),
    N_("By recommended action"), N_("By indicator that fired"),
    N_("Drift against the quarter before (population stability index)"),
    N_("Confirmation rate by rung"), N_("By officer"), N_("Not-asked rate by hour of day"),
    N_("By hour of day (office's local time)"),
    N_("Intelligence products by quarter of the due date"),
    N_("Misses"), N_("Misses: not flagged, later confirmed"),
    N_("Interviews not flagged and later confirmed"), N_("Misses by destination"),
    N_("Misses by purpose"), N_("Misses by kecamatan"), N_("Misses by channel"),
    N_("Indicators that fired on the misses"), N_("Questions not asked in the misses"),
    # column labels
    N_("Interviews"), N_("Flagged for supervisor review"), N_("Flag rate"),
    N_("Deferred or redirected"), N_("Deferral rate"), N_("National deferral rate (2024)"),
    N_("Mean completeness"), N_("Not-asked rate"), N_("Month"), N_("Proceed"),
    N_("In depth interview"), N_("Supervisor review"), N_("Defer and redirect"),
    N_("Refer protection"), N_("Flagged"), N_("Destination"), N_("Applicants"),
    N_("Flagged (rung 2+)"), N_("Confirmed (positive outcome)"), N_("Purpose"), N_("Sector"),
    N_("Transit"), N_("Channel"), N_("Recruiter"), N_("Agency licence"),
    N_("Recruitment method"), N_("Recruitment app"), N_("Outcomes"), N_("Kecamatan code"),
    N_("Kecamatan"), N_("Regency/city"), N_("Flags per 1,000"), N_("95%% interval"),
    N_("Confirmed"), N_("Confirmed per 1,000"), N_("Rank"), N_("Desa/kelurahan"),
    N_("Group"), N_("People"), N_("Assessments"), N_("Recruiter phones"),
    N_("Shared contact phones"), N_("Unlicensed agencies"), N_("Offices"), N_("Office codes"),
    N_("Flagged share"), N_("Confirmed share"), N_("First seen"), N_("Last seen"),
    N_("Legitimate travel confirmed"), N_("Flagged, later legitimate"),
    N_("False-positive rate"), N_("Sex"), N_("Age band"), N_("Regency"),
    N_("95%% interval (exact)"), N_("Ratio to overall"), N_("Labelled (support)"),
    N_("Legitimate travel"), N_("Confirmation rate"), N_("No information"), N_("Rung"),
    N_("Action"), N_("Indicator"), N_("Score distribution PSI"), N_("Reading"),
    N_("Indicator that moved most"), N_("Compared with"), N_("Applicants then"),
    N_("Its hit-rate PSI"), N_("Officer"), N_("Hour"),
    N_("Quarter"), N_("Products"), N_("Followed up"), N_("Share followed up"),
    N_("Followed up by the due date"), N_("Share on time"),
    N_("Not flagged"), N_("In the follow-up sample"), N_("Missed (confirmed later)"),
    N_("Label from sample"), N_("Label from followup"), N_("Label from external"),
    N_("Near misses"), N_("Missed per 1,000 not flagged"), N_("Kecamatan name"),
    N_("Question"), N_("Total"), N_("Wave"), N_("Dimension"), N_("Value"),
    # quarterly workbook
    N_("Period"), N_("Office"), N_("Dated by"), N_("interview time"), N_("submission time"),
    # notes
    N_("A wave: a month with at least 11 interviews to a country (or route) and at least "
       "twice the median of the same country's (route's) earlier months in the period "
       "(at least 3 earlier months)."),
    N_("No interviews in this period."),
    N_("Origin is an audit variable: it is reported in aggregate and never scores anyone."),
    N_("Candidates rank by the lower end of the 95%% interval of flags per 1,000."),
    N_("Identifiers are keyed hashes; no phone number or name is shown."),
    N_("Supervisors may open their own office's assessments of a group."),
    N_("No group of 11 or more people and 11 or more events is outside 0.8-1.25 of the "
       "overall rate with a 95%% interval that excludes it."),
    N_("Positive: confirmed trafficking, confirmed non-procedural, intercepted at the border; "
       "negative: legitimate travel confirmed; no information is not a label."),
    N_("PSI, each month against the quarter before it: < 0.1 stable, 0.1-0.25 moderate (look "
       "at what changed), > 0.25 large (re-evaluate the rule set and any model before "
       "trusting them); under 200 applicants in the month or the quarter: too few."),
    N_("Drift needs at least two calendar months in the period."),
    N_("A rising not-asked rate late in the day is the fatigue signal of the strategic plan; "
       "it is about workload, not about any officer's worth."),
    N_("IKK 9.1 components: the share of intelligence products followed up and the "
       "timeliness of that follow-up."),
    N_("A miss: an interview below supervisor review whose latest outcome confirmed "
       "trafficking, non-procedural work or a border deferral. A near miss: a track's "
       "score one band short of supervisor review."),
    N_("Only the follow-up sample is drawn at random: misses found by imports and "
       "follow-ups show where to look, not how often the checklist misses."),
))

# Words inside texts and cells: audit columns, rates, drift readings, placeholders, actions.
WORDS = {
    "sex": N_("sex"), "age band": N_("age band"), "age_band": N_("age band"),
    "regency": N_("regency"), "flag rate": N_("flag rate"),
    "false-positive rate": N_("false-positive rate"), "large": N_("large"),
    "moderate": N_("moderate"), "stable": N_("stable"), "too few": N_("too few"),
    "(not asked)": N_("(not asked)"),
    "(not recorded)": N_("(not recorded)"), "(unknown)": N_("(unknown)"),
    "(hidden)": N_("(hidden)"),
    "proceed": N_("Proceed"), "in_depth_interview": N_("In depth interview"),
    "supervisor_review": N_("Supervisor review"), "defer_and_redirect": N_("Defer and redirect"),
    "refer_protection": N_("Refer protection"),
    "wave": N_("wave"), "(other)": N_("(other)"), "kecamatan": N_("kecamatan"),
    "destination": N_("destination"), "channel": N_("channel"),
}
# Cells holding ISO country codes (a wave cell: several, comma-separated).
COUNTRY_COLUMNS = ("destination_country", "transit_country", "wave")

# English texts with numbers or names -> the message id that re-assembles them.
PATTERNS = (
    (re.compile(r"By (?P<col>[a-z ]+)"), N_("By %(col)s")),
    (re.compile(r"Flag rate by (?P<col>[a-z ]+)"), N_("Flag rate by %(col)s")),
    (re.compile(r"Desa Binaan candidates \(at least (?P<n>\d+) applicants, at least one "
                r"flag\)"),
     N_("Desa Binaan candidates (at least %(n)s applicants, at least one flag)")),
    (re.compile(r"Deferral rate (?P<rate>\S+) against ~(?P<national>\S+) nationally and "
                r"(?P<low>[^-\s]+)-(?P<high>\S+) reported for single offices\."),
     N_("Deferral rate %(rate)s against ~%(national)s nationally and %(low)s-%(high)s "
        "reported for single offices.")),
    (re.compile(r"(?P<col>[a-z_]+) = (?P<group>.+): (?P<name>flag rate|false-positive rate) "
                r"is (?P<value>[\d.]+) times the overall rate \(outside (?P<low>[\d.]+)-"
                r"(?P<high>[\d.]+)\)\."),
     N_("%(col)s = %(group)s: %(name)s is %(value)s times the overall rate (outside "
        "%(low)s-%(high)s).")),
    (re.compile(r"(?P<month>\d{4}-\d{2}): the score distribution moved \((?P<reading>[a-z]+), "
                r"PSI (?P<psi>[\d.]+)\)\."),
     N_("%(month)s: the score distribution moved (%(reading)s, PSI %(psi)s).")),
    (re.compile(r"(?P<month>\d{4}-\d{2}): the hit rate of (?P<indicator>\S+) moved "
                r"\((?P<reading>[a-z]+), PSI (?P<psi>[\d.]+)\)\."),
     N_("%(month)s: the hit rate of %(indicator)s moved (%(reading)s, PSI %(psi)s).")),
    (re.compile(r"Read-only database: report facts derived up to (?P<at>[\d-]+ [\d:]+) UTC; "
                r"(?P<n>\d+) assessments stored since are not counted\."),
     N_("Read-only database: report facts derived up to %(at)s UTC; %(n)s assessments "
        "stored since are not counted.")),
    (re.compile(r"Read-only database: no report facts derived yet; (?P<n>\d+) assessments "
                r"are not counted\."),
     N_("Read-only database: no report facts derived yet; %(n)s assessments are not "
        "counted.")),
)


def word(value: str) -> str:
    """Return a known word or placeholder in the page language, anything else unchanged."""
    return gettext(WORDS[value]) if value in WORDS else value


def text(value: str) -> str:
    """Return a report title, label, chart title, note or placeholder in the page language
    (a country code: the country's name)."""
    if value in ISO_COUNTRIES:
        return country_name(value, current_lang())
    if value in WORDS:
        return word(value)
    msgid = value.replace("%", "%%")
    if msgid in MESSAGES:
        return gettext(msgid) % {} if "%" in value else gettext(msgid)
    for pattern, msgid in PATTERNS:
        match = pattern.fullmatch(value)
        if match:
            parts = match.groupdict()
            if "group" in parts:  # an audit group: its checklist label ("Perempuan")
                parts["group"] = word(choice_label(parts["col"], parts["group"]))
            return gettext(msgid, **{k: local_numbers(word(v)) if k != "group" else v
                                     for k, v in parts.items()})
    return value


# Report columns holding outcome-record vocabularies (HTCDS table of the recruitment report).
VOCABULARIES = {"method": RECRUITMENT_METHODS, "app": RECRUITMENT_APPS}


def cell(value: str, column: str) -> str:
    """Return a text cell in the page language: placeholders, actions, checklist choices."""
    if value in WORDS:
        return word(value)
    if column in COUNTRY_COLUMNS:
        return ", ".join(country_name(c, current_lang()) for c in value.split(", "))
    if column == "value":  # a network's reach: a kecamatan code, a country or a channel
        return country_name(value, current_lang()) if value in ISO_COUNTRIES \
            else choice_label("job_offer_channel", value)
    vocabulary = VOCABULARIES.get(column)
    if vocabulary is not None:
        return tr(vocabulary[value]) if value in vocabulary else value
    return choice_label(column, value)
