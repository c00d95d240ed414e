"""Charts of report pages: matplotlib's SVG backend on the server, no scripts, no web fonts."""

from __future__ import annotations

import io
import math
import re
import textwrap

import matplotlib

matplotlib.use("svg")
import matplotlib.pyplot as plt  # noqa: E402
from flask_babel import gettext  # noqa: E402
from matplotlib.ticker import FuncFormatter  # noqa: E402

from ews.reports.model import Chart, Report  # noqa: E402
from ews.reports.sdc import is_hidden  # noqa: E402

from .i18n import fmt_number  # noqa: E402
from .report_text import cell, text  # noqa: E402

plt.rcParams.update({"svg.fonttype": "none", "font.size": 9, "font.family": "sans-serif",
                     "axes.spines.top": False, "axes.spines.right": False})
COLOURS = ("#2f6f4f", "#d9a400", "#c4572d", "#8b1e3f", "#3b4d8f", "#777777")
_HEADER = re.compile(r"^.*?(<svg)", re.S)
_STYLE_ELEMENT = re.compile(r"<defs>\s*<style[^>]*>.*?</style>\s*</defs>", re.S)
_STYLE_ATTR = re.compile(r'style="([^"]*)"')


def _attributes(match: re.Match) -> str:
    """Turn style="a: b; c: d" into presentation attributes (a CSP without inline styles)."""
    out = []
    for decl in match.group(1).split(";"):
        if ":" not in decl:
            continue
        name, value = (p.strip() for p in decl.split(":", 1))
        if name == "font":  # "9px 'DejaVu Sans'" -> font-size, font-family
            size, _, family = value.partition(" ")
            out += [f'font-size="{size}"', f'font-family="{family.strip(chr(39))}"']
        else:
            out.append(f'{name}="{value}"')
    return " ".join(out)


def csp_safe(text: str) -> str:
    """Return matplotlib SVG without <style> or style attributes (same look, no inline CSS)."""
    text = _STYLE_ELEMENT.sub("", text)
    text = text.replace("<svg ", '<svg stroke-linejoin="round" stroke-linecap="butt" ', 1)
    return _STYLE_ATTR.sub(_attributes, text)


def _number(value) -> float:
    return float(value) if isinstance(value, int | float) and value == value else 0.0


TIME_AXES = ("month", "hour")


def figure(report: Report, chart: Chart, top: int = 15):
    """Return the chart as a matplotlib figure in the page language.

    A hidden cell ("<11", or hidden to protect one) is never drawn as a zero: on a time axis
    its place stays, without a bar or point (a stacked bar keeps its shown parts), and its
    tick label is marked "*", with a footnote saying why; elsewhere the group is left out. The
    legend sits under the plot, in as many rows as its labels need, never over the bars.
    """
    table = report.table(chart.table)
    labels = {c.name: text(c.label) for c in table.columns}
    timed = chart.kind == "line" or chart.x in TIME_AXES
    records = [r for r in table.records()
               if timed or not any(is_hidden(r[name]) for name in chart.series)]
    if not timed:
        records = records[:top]
    marked = [any(is_hidden(r[name]) for name in chart.series) for r in records]
    xs = [(textwrap.fill(cell(r[chart.x], chart.x), 16) if isinstance(r[chart.x], str)
           else str(r[chart.x])) + ("*" if hide else "")
          for r, hide in zip(records, marked, strict=True)]  # long labels wrap
    fig, ax = plt.subplots(figsize=(7.5, 3.2), layout="constrained")
    bottom = [0.0] * len(xs)
    for i, name in enumerate(chart.series):
        ys = [math.nan if is_hidden(r[name]) else _number(r[name]) for r in records]
        colour = COLOURS[i % len(COLOURS)]
        if chart.kind == "line":
            ax.plot(xs, ys, marker="o", color=colour, label=labels[name])
        elif chart.kind == "stacked":
            shown = [0.0 if y != y else y for y in ys]
            ax.bar(xs, ys, bottom=bottom, color=colour, label=labels[name])
            bottom = [b + y for b, y in zip(bottom, shown, strict=True)]
        else:
            width = 0.8 / len(chart.series)
            ax.bar([k + i * width for k in range(len(xs))], ys, width=width, color=colour,
                   label=labels[name])
            ax.set_xticks([k + 0.4 - width / 2 for k in range(len(xs))], xs)
    ax.yaxis.set_major_formatter(FuncFormatter(lambda v, _: fmt_number(v, None)))  # 0,1
    if not xs:  # nothing to draw: no made-up ticks around 0 either
        ax.set_xticks([])
    ax.set_title(text(chart.title), loc="left")
    # The footnote of marked places goes under the axis label: the layout makes room for it.
    ax.set_xlabel(labels[chart.x] + ("\n" + gettext(
        "* hidden: fewer than 11, or hidden so that such a group cannot be worked out")
        if any(marked) else ""), fontsize=8)
    if len(chart.series) == 1:
        ax.set_ylabel(labels[chart.series[0]])
    ax.tick_params(axis="x", labelrotation=45 if len(xs) > 6 else 0)
    if len(chart.series) > 1:
        fig.legend(loc="outside lower center", frameon=False, fontsize=7,
                   ncols=min(3, len(chart.series)))
    return fig


def svg(report: Report, chart: Chart, top: int = 15) -> str:
    """Return the chart as inline SVG text in the page language (`figure`)."""
    fig = figure(report, chart, top)
    buf = io.StringIO()
    fig.savefig(buf, format="svg")
    plt.close(fig)
    return csp_safe(_HEADER.sub(r"\1", buf.getvalue(), count=1))
