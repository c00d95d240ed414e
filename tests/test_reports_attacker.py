"""The attacker: every output of every report, then every row and column difference.

Demo interviews are written into the test database; each report (every name `ews report`
and the pages know) is read as it leaves the office in every form - JSON, the CSV files,
Markdown, XLSX (API downloads), the HTML page and `ews report --format json` - and what any
of them shows is pooled. The attacker knows how the tables add up (written down here from
the tables themselves, not taken from the code under test): rows and their totals, desa
within kecamatan, rungs within a month, flagged against the rungs, the same desa in two
tables, a rate beside its denominator. A relation that holds only in part on these data (a
breakdown that leaves out the unanswered) is used as an inequality, or as an equality when it
happens to hold exactly. For every cell shown as "<11" the attacker then solves the linear
program twice (scipy's HiGHS): its smallest and largest value given all of that, with "<11"
in 1..10 and "(hidden)" at 11 or more. A cell whose interval holds one whole number has
been recovered, and the test fails naming it.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
import math
import re
import zipfile
from collections import defaultdict
from html.parser import HTMLParser

import numpy as np
import pytest
from scipy.optimize import linprog

from ews.demo import Window
from ews.demo import run as demo_run
from ews.engine.ruleset import LADDER
from ews.reports import REPORTS, Params, run
from ews.reports.psi import reference_months

PERIOD = {"from": "2025-11-01", "to": "2026-10-31"}
WINDOW = Params(dt.date(2025, 11, 1), dt.date(2026, 11, 1))
SCAM = ("KH", "MM", "LA", "TH", "PH", "VN")
C4 = ("n", "flagged", "deferred", "positive")


def row(table, total, parts, op="="):
    return ("row", table, total, tuple(parts), op)


def group(a, b, columns, by=(), op="=", where=None):
    return ("group", a, b, tuple(columns), tuple(by), op, where)


# What a reader can add up, per report ("=": always equal; ">=": `a` holds at least `b`).
RELATIONS = {
    "overview": [row("by_month", "n", LADDER), row("by_month", "flagged", LADDER[2:]),
                 group("summary", "by_month", ("n", "flagged", "deferred"))],
    "areas": [group("summary", "by_desa", ("n", "flagged", "positive"),
                    ("kecamatan_name", "regency_name"), ">="),
              group("desa_binaan", "by_desa", ("n", "flagged", "positive"),
                    ("desa", "kecamatan_name", "regency_name"))],
    "destinations": [group("summary", "by_purpose", C4, ("destination_country",)),
                     group("summary", "by_sector", C4, ("destination_country",), ">="),
                     group("summary", "by_transit", C4, ("destination_country",), ">="),
                     group("by_transit", "scam_routes", C4,
                           ("transit_country", "destination_country")),
                     row("scam_by_month", "total", SCAM)],
    "fairness": [group("summary", f"by_{c}", ("n", "flagged", "negatives", "false_positives"))
                 for c in ("sex", "age_band", "regency")],
    "outcomes": [row(t, "labelled", ("positive", "negative"))
                 for t in ("summary", "by_rung", "by_indicator")]
    + [row("summary", "outcomes", ("labelled", "no_information"), ">="),
       group("summary", "by_rung", ("labelled", "positive", "negative", "no_information"))],
    "misses": [row("summary", "missed", ("from_sample", "from_followup", "from_external"))]
    + [group("summary", t, ("missed", "near_misses")) for t in
       ("by_destination", "by_purpose", "by_kecamatan", "by_channel")]
    + [group("summary", t, ("unflagged",), op=">=") for t in
       ("by_destination", "by_purpose", "by_kecamatan", "by_channel")],
    "officers": [group("summary", "by_hour", ("n", "flagged"))],
}


@pytest.fixture
def demo(app, db, accounts, password_hash):
    """Write 400 demo interviews at PMK and SBY into the test database."""
    demo_run(db, n=400, window=Window(12, dt.date(2026, 11, 1)), offices=("PMK", "SBY"),
             seed=5, pii_key="test-pii-key", password_hash=password_hash)
    return accounts


# --- reading the outputs -------------------------------------------------------------------

def _value(text):
    """Return a count cell as an int, or its marker text."""
    if isinstance(text, int | float) and not isinstance(text, bool):
        return int(text)
    text = "" if text is None else str(text).strip()
    digits = text.replace(".", "").replace(",", "")
    return int(digits) if digits.isdigit() else text


def from_json(body: dict) -> dict:
    return {t["name"]: [[c for c in r] for r in t["rows"]] for t in body["tables"]}


def from_csv(data: bytes, name: str, names: list[str]) -> dict:
    if data[:2] == b"PK":
        files = zipfile.ZipFile(io.BytesIO(data))
        texts = {n: files.read(f"{name}-{n}.csv").decode() for n in names}
    else:
        texts = {names[0]: data.decode()}
    return {n: list(csv.reader(io.StringIO(t)))[1:] for n, t in texts.items()}


def from_xlsx(data: bytes, names: list[str]) -> dict:
    from openpyxl import load_workbook

    book = load_workbook(io.BytesIO(data))
    return {n: [list(r) for r in book[n[:31]].iter_rows(min_row=2, values_only=True)]
            for n in names}


def from_markdown(text: str, names: list[str]) -> dict:
    out, sections = {}, re.split(r"^## .*$", text, flags=re.M)[1:]
    for n, section in zip(names, sections, strict=True):
        lines = [line for line in section.splitlines() if line.startswith("|")][2:]
        out[n] = [[c.strip().replace("\\|", "|") for c in re.split(r"(?<!\\)\|", line)[1:-1]]
                  for line in lines]
    return out


class _Tables(HTMLParser):
    """The report tables of a page: {data-table: [{data-col: text}]} (rows as shown)."""

    def __init__(self):
        super().__init__()
        self.tables, self.table, self.col = {}, None, None

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "table" and "data-table" in attrs:
            self.table = self.tables.setdefault(attrs["data-table"], [])
        elif tag == "tr" and self.table is not None:
            self.table.append({})
        elif tag == "td" and self.table is not None and "data-col" in attrs:
            self.col = attrs["data-col"]
            self.table[-1][self.col] = ""

    def handle_endtag(self, tag):
        if tag == "table":
            self.table = None
        elif tag == "td":
            self.col = None

    def handle_data(self, data):
        if self.col is not None:
            self.table[-1][self.col] += data


def from_html(html: str, columns: dict) -> dict:
    parser = _Tables()
    parser.feed(html)
    out = {}
    for name, rows in parser.tables.items():
        names = [c for c, _ in columns[name]]
        out[name] = [[r.get(c) for c in names] for r in rows if r]
    return out


# --- the attacker ---------------------------------------------------------------------------

def _records(columns, rows):
    return [dict(zip([c for c, _ in columns], r, strict=True)) for r in rows]


def _instances(rel, tables):
    """Yield (key, [(table, row, column, coefficient)]) of a relation over tables of records."""
    if rel[0] == "row":
        _, t, total, parts, _ = rel
        for r in range(len(tables.get(t, []))):
            yield (t, r, total), [(t, r, total, 1)] + [(t, r, p, -1) for p in parts]
        return
    _, a, b, columns, by, _, where = rel
    if a not in tables or b not in tables:
        return
    sides = defaultdict(lambda: ([], []))
    for side, name in ((0, a), (1, b)):
        for r, rec in enumerate(tables[name]):
            if side == 0 and where and rec[where[0]] not in where[1]:
                continue
            sides[tuple(str(rec[k]) for k in by)][side].append(r)
    for key, (ra, rb) in sides.items():
        if ra and rb:
            for c in columns:
                yield (key, c), [(a, r, c, 1) for r in ra] + [(b, r, c, -1) for r in rb]


def _drift(tables):
    """Each drift month's reference count is the sum of its quarter's months shown."""
    recs = tables.get("drift", [])
    where = {rec["month"]: r for r, rec in enumerate(recs)}
    for r, rec in enumerate(recs):
        refs = [where[m] for m in reference_months(rec["month"]) if m in where]
        if refs:
            yield ("drift", r), [("drift", r, "reference_n", 1)] + [
                ("drift", j, "n", -1) for j in refs]


def _country_columns(tables):
    """A scam-advisory country's interviews in the summary are the sum of its monthly column."""
    months = range(len(tables.get("scam_by_month", [])))
    for r, rec in enumerate(tables.get("summary", [])):
        if rec["destination_country"] in SCAM:
            c = rec["destination_country"]
            yield ("country", c), [("summary", r, "n", 1)] + [
                ("scam_by_month", i, c, -1) for i in months]


def relations(name, truth, shown):
    """Return [(terms, op)] the attacker uses: relations of the report on the shown tables, an
    equality wherever the true figures add up exactly (checked, so none is made up)."""
    sources = [(lambda tables, rel=rel: _instances(rel, tables), rel[-1] if rel[0] == "row"
                else rel[5]) for rel in RELATIONS.get(name, [])]
    if name == "outcomes":
        sources.append((_drift, ">="))
    if name == "destinations":
        sources.append((_country_columns, "="))
    out = []
    for make, op in sources:
        true = dict(make(truth))
        for key, terms in make(shown):
            residual = sum(coef * int(truth[t][r][c] or 0) for t, r, c, coef in true[key])
            assert residual == 0 or (op == ">=" and residual > 0), (name, key, residual)
            out.append((terms, "=" if residual == 0 else ">="))
    return out


def derived(report, shown):
    """Return [(terms, value)]: a shown rate beside one shown count gives the other count."""
    out = []
    for table in report.tables:
        for col in table.columns:
            if col.kind not in ("rate", "per1000") or len(col.of) != 2:
                continue
            num, den = col.of
            scale = 1000 if col.kind == "per1000" else 1
            for r, rec in enumerate(shown.get(table.name, [])):
                value = rec.get(col.name)
                if not isinstance(value, float | int) or isinstance(value, bool):
                    continue
                if isinstance(rec[den], int) and not isinstance(rec[num], int):
                    out.append(([(table.name, r, num, 1)], round(value * rec[den] / scale)))
                if isinstance(rec[num], int) and not isinstance(rec[den], int) and value:
                    out.append(([(table.name, r, den, 1)], round(rec[num] * scale / value)))
    return out


def pinned(shown, rels, known) -> list[tuple]:
    """Return the "<11" cells whose interval is one whole number (one LP pair per cell)."""
    cells = {(t, r, c) for terms, _ in rels for t, r, c, _ in terms
             if not isinstance(shown[t][r][c], int)}
    cells |= {(t, r, c) for terms, _ in known for t, r, c, _ in terms}
    index = {c: i for i, c in enumerate(sorted(cells))}
    eq_a, eq_b, ub_a, ub_b = [], [], [], []
    for terms, op in rels:
        row_, rest = np.zeros(len(index)), 0.0
        for t, r, c, coef in terms:
            v = shown[t][r][c]
            if isinstance(v, int):
                rest -= coef * v
            else:
                row_[index[t, r, c]] += coef
        if not row_.any():
            continue
        if op == "=":
            eq_a.append(row_)
            eq_b.append(rest)
        else:  # sum >= 0: -hidden <= known
            ub_a.append(-row_)
            ub_b.append(-rest)
    for terms, value in known:
        row_ = np.zeros(len(index))
        row_[index[terms[0][:3]]] = 1
        eq_a.append(row_)
        eq_b.append(value)
    bounds = []
    for t, r, c in sorted(cells):
        v = shown[t][r][c]
        bounds.append((1, 10) if v == "<11" else (11, None) if v == "(hidden)" else (0, None))
    out = []
    for part, eq_rows, ub_rows in _components(len(index), eq_a, ub_a):
        sub = np.array(part)
        kw = {"bounds": [bounds[i] for i in part], "method": "highs"}
        if eq_rows:
            kw |= {"A_eq": np.array([eq_a[j][sub] for j in eq_rows]),
                   "b_eq": [eq_b[j] for j in eq_rows]}
        if ub_rows:
            kw |= {"A_ub": np.array([ub_a[j][sub] for j in ub_rows]),
                   "b_ub": [ub_b[j] for j in ub_rows]}
        for k, i in enumerate(part):
            cell = sorted(cells)[i]
            if shown[cell[0]][cell[1]][cell[2]] != "<11":
                continue
            goal = np.zeros(len(part))
            goal[k] = 1
            low, high = linprog(goal, **kw), linprog(-goal, **kw)
            assert low.status == 0, (cell, low.message)
            top = math.inf if high.status == 3 else -high.fun
            if math.ceil(low.fun - 1e-6) >= math.floor(top + 1e-6):
                out.append((cell, round(low.fun)))
    return out


def _components(n, eq_a, ub_a):
    """Yield (variables, equality rows, inequality rows) of each linked group of variables."""
    parent = list(range(n))

    def find(i):
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    rows = [np.flatnonzero(r) for r in eq_a] + [np.flatnonzero(r) for r in ub_a]
    for nz in rows:
        for j in nz[1:]:
            parent[find(j)] = find(nz[0])
    parts = defaultdict(list)
    for i in range(n):
        parts[find(i)].append(i)
    for part in parts.values():
        root = find(part[0])
        yield (part, [j for j, nz in enumerate(rows[:len(eq_a)]) if len(nz)
                      and find(nz[0]) == root],
               [j for j, nz in enumerate(rows[len(eq_a):]) if len(nz) and find(nz[0]) == root])


# --- the test -------------------------------------------------------------------------------

def _outputs(client, ews_cli, account, name, names, columns):
    def get(fmt):
        got = client.get(f"/api/v1/reports/{name}", query_string=PERIOD | {"format": fmt},
                         headers=account.headers)
        assert got.status_code == 200, (name, fmt, got.status_code)
        return got

    body = get("json").json
    assert body["suppressed"] is True
    outs = {"json": from_json(body), "csv": from_csv(get("csv").data, name, names),
            "xlsx": from_xlsx(get("xlsx").data, names),
            "md": from_markdown(get("md").get_data(as_text=True), names)}
    page = client.get(f"/reports/{name}", query_string=PERIOD)
    assert page.status_code == 200
    outs["html"] = from_html(page.get_data(as_text=True), columns)
    if name != "networks":  # group ids are keyed with the CLI's own PII key
        cli = ews_cli("report", name, "--format", "json", "--from", PERIOD["from"], "--to",
                      PERIOD["to"])
        assert cli.exit_code == 0, cli.output
        outs["cli"] = from_json(json.loads(cli.stdout))
    return outs


def _pool(outs, columns) -> dict:
    """Return what any output shows of each count cell: the number, else the marker."""
    pooled = {}
    base = outs["json"]
    for t, rows in base.items():
        kinds = columns[t]
        counts = [i for i, (_, kind) in enumerate(kinds) if kind == "count"]
        pooled[t] = []
        for r, values in enumerate(rows):
            rec = dict(zip([c for c, _ in kinds], values, strict=True))
            for i in counts:
                seen = {_value(o[t][r][i]) for o in outs.values()
                        if t in o and r < len(o[t])}
                numbers = {v for v in seen if isinstance(v, int)}
                assert len(numbers) <= 1, (t, r, kinds[i][0], seen)  # outputs agree
                rec[kinds[i][0]] = numbers.pop() if numbers else _value(values[i])
            pooled[t].append(rec)
    return pooled


def test_no_hidden_cell_is_pinned_by_any_output_of_any_report(client, demo, ews_cli):
    from tests.test_web_pages import login

    admin = demo["admin"]  # reads every report, suppressed
    login(client, admin)
    engine = client.application.extensions["ews_engine"]
    found, hidden = {}, 0
    for name in REPORTS:
        with engine.connect() as conn:
            truth = run(name, conn, WINDOW, pii_key="test-pii-key")
        names = [t.name for t in truth.tables]
        columns = {t.name: [(c.name, c.kind) for c in t.columns] for t in truth.tables}
        outs = _outputs(client, ews_cli, admin, name, names, columns)
        shown = _pool(outs, columns)
        truth_tables = {t.name: _true_in_shown_order(t, shown[t.name]) for t in truth.tables}
        rels = relations(name, truth_tables, shown)
        known = derived(truth, shown)
        hidden += sum(1 for rows in shown.values() for rec in rows for v in rec.values()
                      if v == "<11")
        got = pinned(shown, rels, known)
        if got:
            found[name] = got
    assert hidden > 20  # the demo has small groups to protect
    assert not found, found


def _true_in_shown_order(table, shown_rows):
    """Return the true records of a table in the order the outputs show them (a ranking moves
    the rows of hidden rates after the others): matched by their shown key cells."""
    true = table.records()
    keys = [c.name for c in table.columns if c.kind in ("key", "text", "date")
            and c.name != "rank"]  # ranks are renumbered
    left = list(range(len(true)))
    out = []
    for rec in shown_rows:
        for j in left:
            if all(rec[k] == "<11" or _same(rec[k], true[j][k]) for k in keys):
                out.append(true[j])
                left.remove(j)
                break
        else:
            raise AssertionError(f"{table.name}: no true row for {rec}")
    return out


def _same(a, b) -> bool:
    return str(a) == str(b) or (isinstance(b, dt.date) and a == b.isoformat())
