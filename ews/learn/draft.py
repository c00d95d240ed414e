"""A draft rule set from suggested points: YAML text, alert budget, justification table.

Nothing here applies anything: the draft is a new text (new version) for the review and
backtest flow; the live rule set is untouched.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import numpy as np
import pandas as pd

from ews.engine import REVIEW_RUNG, RuleSet, parse_ruleset
from ews.scoring import score_frame

_ID = re.compile(r"^\s*-\s*id:\s*(\S+)\s*$")
_POINTS = re.compile(r"^(\s*points:\s*)(\d+)(.*)$")
_VERSION = re.compile(r"^(\s*version:\s*)(\S+)(.*)$")
_TRACK = re.compile(r"^  (\w+):\s*$")
_BAND = re.compile(r"(below:\s*)(\d+)(,\s*band:\s*)(\w+)")


def review_band(bands) -> int | None:
    """Return the index of the band whose `below` is the supervisor threshold (or None)."""
    for i in range(len(bands) - 1):
        if bands[i].rung < REVIEW_RUNG <= bands[i + 1].rung:
            return i
    return None


def budget_threshold(scores: np.ndarray, budget: float) -> int:
    """Return the lowest score cut t (1..101) with at most `budget` of rows at t or above."""
    scores = np.asarray(scores)
    for t in range(1, 102):
        if (scores >= t).mean() <= budget:
            return t
    return 101


def suggested_scores(hits: pd.DataFrame, ruleset: RuleSet, points: pd.Series) -> np.ndarray:
    """Return the highest track score per row under `points` (protective points excluded)."""
    x, p = hits.to_numpy(dtype=bool), points.to_numpy()
    best = np.zeros(len(hits))
    for name in ruleset.tracks:
        # summed a column at a time: the product of the hit matrix cast it to 8-byte numbers
        # (0.4 GB at 1.2 million training rows, the peak of `ews learn weights`)
        score = np.zeros(len(hits))
        for j, i in enumerate(ruleset.indicators):
            if i.track == name and not i.protective:
                score[x[:, j]] += p[j]
        best = np.maximum(best, np.minimum(100, score))
    return best


def _thresholds(bands, cut: int) -> dict[int, int]:
    """Return new `below` values by band index, keeping them strictly increasing."""
    i = review_band(bands)
    old = bands[i].below
    new = {i: cut}
    for j in range(i - 1, -1, -1):  # lower bands keep their proportion to the cut
        new[j] = max(j + 1, min(round(bands[j].below * cut / old), new[j + 1] - 1))
    for j in range(i + 1, len(bands) - 1):
        new[j] = max(bands[j].below, new[j - 1] + 1)
    return new


def draft_text(ruleset: RuleSet, points: dict[str, int], version: str,
               review_cut: int | None = None, header: str = "") -> str:
    """Return the live rule set's text with new points, version and supervisor threshold.

    The text keeps its comments and layout; the result is parsed, so an invalid draft
    raises RuleSetError rather than being written.
    """
    lines = ruleset.text.splitlines()
    current, section, track, version_done = None, None, None, False
    new_below = {name: _thresholds(bands, review_cut) for name, bands in ruleset.tracks.items()
                 if review_cut is not None and review_band(bands) is not None}
    band_no: dict[str, int] = {}
    for n, line in enumerate(lines):
        if re.match(r"^\w", line):
            section = line.split(":", 1)[0]
        if not version_done and (m := _VERSION.match(line)):
            lines[n] = f"{m[1]}{version}{m[3]}"
            version_done = True
        if section == "indicators":
            if m := _ID.match(line):
                current = m[1]
            elif current in points and (m := _POINTS.match(line)):
                lines[n] = f"{m[1]}{points[current]}{m[3]}"
                current = None
        elif section == "tracks":
            if m := _TRACK.match(line):
                track = m[1]
            elif track in new_below and (m := _BAND.search(line)):
                k = band_no.get(track, 0)
                band_no[track] = k + 1
                if k in new_below[track]:
                    lines[n] = line[:m.start()] + f"{m[1]}{new_below[track][k]}{m[3]}{m[4]}" \
                        + line[m.end():]
    text = header + "\n".join(lines) + "\n"
    parse_ruleset(text, source="draft", agencies=ruleset.agencies_text)  # raises if invalid
    return text


@dataclass(frozen=True)
class Capacity:
    """A rule set's alerts (rung >= supervisor_review) on a window."""

    alert_rate: float  # share of all rows
    precision: float  # among labelled alerted rows
    recall: float  # among labelled positives
    alerts: int
    rows: int


def capacity(frame: pd.DataFrame, y: pd.Series, ruleset: RuleSet) -> Capacity:
    """Return alert rate (all rows), precision and recall (labelled rows) of a rule set."""
    alert = score_frame(frame, ruleset)["rung"].to_numpy() >= REVIEW_RUNG
    lab = y.notna().to_numpy()
    yl = y.to_numpy(float)[lab] == 1
    al = alert[lab]
    precision = float(yl[al].mean()) if al.any() else float("nan")
    recall = float(al[yl].mean()) if yl.any() else float("nan")
    return Capacity(float(alert.mean()) if len(alert) else float("nan"), precision, recall,
                    int(alert.sum()), len(alert))
