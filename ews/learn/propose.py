"""`ews learn weights` as one pure function: fit, draft, check, report (docs/learning.md).

The fit uses the earlier months of the window, every figure of the justification the later
months only; each suggested weight gets a bootstrap stability interval; the draft goes
through the checks of `guard` and comes back with the reasons it is refused, if any. Nothing
is written here: the caller decides (and `--force` writes a refused draft with its reasons).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from ews.engine import REVIEW_RUNG, RuleSet, RuleSetError, parse_ruleset
from ews.scoring import score_frame
from ews.weighting import cells_of, support_warnings, track_figures

from . import guard
from .draft import budget_threshold, draft_text, review_band, suggested_scores
from .labels import labels, time_split
from .weights import (
    Suggestion,
    _patterns,
    fit_groups,
    fit_patterns,
    hit_frame,
    require_positives,
    suggest_points,
)

BOOTS = 50
MIN_BUDGET = 0.001


@dataclass(frozen=True)
class Proposal:
    """A learned draft: its text (None if it cannot be built), justification and refusals."""

    text: str | None
    justification: str
    refusals: tuple[str, ...]
    warnings: tuple[str, ...]
    version: str
    budget: float
    cut: int | None
    changed: int


def stored_rungs(frame: pd.DataFrame, live: RuleSet) -> np.ndarray:
    """Return the live decision of each row: its stored rung, else the live set's rung."""
    if "stored_rung" in frame and frame["stored_rung"].notna().all():
        return frame["stored_rung"].to_numpy(dtype=np.int64)
    return score_frame(frame, live)["rung"].to_numpy()


def observed_budget(frame: pd.DataFrame, live: RuleSet) -> float:
    """Return the window's share of rows the live set put at supervisor review or above."""
    if frame.empty:
        return MIN_BUDGET
    return max(MIN_BUDGET, float((stored_rungs(frame, live) >= REVIEW_RUNG).mean()))


def stability(hits: pd.DataFrame, y: pd.Series, suggestion: Suggestion, *, boots: int = BOOTS,
              random_state: int = 0, l1: float = 1.0,
              outcomes: pd.Series | None = None) -> pd.DataFrame:
    """Return 95% bootstrap intervals (`stable_low`, `stable_high`) of each suggested points.

    Labelled rows are resampled with replacement and refitted (per track when `outcomes` are
    given, as `suggest_points` fits); points use the scale of the main fit. Indicators not
    fitted keep their points as both bounds.
    """
    t = suggestion.table
    fitted = t["fitted"].to_numpy(dtype=bool)
    scale = t["scale"].to_numpy(float)
    rng = np.random.default_rng(random_state)
    draws = np.zeros((boots, len(t)))
    for _, cols, yg in fit_groups(y, outcomes, t["track"].to_numpy(), fitted):
        mask = yg.notna().to_numpy()
        if not cols.any() or not mask.any():
            continue
        yl = yg.to_numpy(float)[mask]
        pats, n, pos = _patterns(np.column_stack([hits.to_numpy(dtype=bool)[mask][:, cols],
                                                  yl == 1]), yl)
        cells = np.concatenate([pos, n - pos])  # (pattern, positive), (pattern, negative)
        for b in range(boots):
            c = rng.multinomial(int(cells.sum()), cells / cells.sum())
            p_, neg = c[:len(pos)], c[len(pos):]
            w, _ = fit_patterns(pats[:, :-1], (p_ + neg).astype(float), p_.astype(float), l1)
            draws[b, cols] = np.minimum(100, np.round(w * scale[cols]))
    low, high = t["suggested"].to_numpy(float), t["suggested"].to_numpy(float)
    if boots and fitted.any():
        low[fitted], high[fitted] = np.quantile(draws[:, fitted], [0.025, 0.975], axis=0)
    return pd.DataFrame({"stable_low": low.astype(int), "stable_high": high.astype(int)},
                        index=t.index)


def lowest_cut(live: RuleSet) -> int:
    """Return the lowest supervisor threshold that leaves room for every lower band."""
    cuts = [review_band(bands) for bands in live.tracks.values()]
    return max([i + 1 for i in cuts if i is not None] + [1])


def propose(frame: pd.DataFrame, live: RuleSet, *, version: str, budget: float | None = None,
            header: str = "", min_positives: int = 30, boots: int = BOOTS,
            random_state: int = 0, split_at=None) -> Proposal:
    """Fit on the earlier months, draft, check and report on the later months.

    Raises LabelError when the window cannot be split or labelled (too few outcomes).
    """
    from .report import justification  # the Markdown apart from the computation

    require_positives(labels(frame["outcome"]), min_positives)  # the clearer reason first
    train, test = time_split(frame, split_at)
    budget = observed_budget(frame, live) if budget is None else budget
    hits, y = hit_frame(train, live), labels(train["outcome"])
    outcomes = train["outcome"]
    suggestion = suggest_points(hits, y, live, min_positives=min_positives, outcomes=outcomes)
    table = suggestion.table.join(stability(hits, y, suggestion, boots=boots,
                                            random_state=random_state, outcomes=outcomes))
    points = table["suggested"]
    cut = max(budget_threshold(suggested_scores(hits, live, points), budget),
              lowest_cut(live))
    refusals = []
    weights = table["weight"].to_numpy()
    for name, cols, yg in fit_groups(y, outcomes, table["track"].to_numpy(),
                                     table["fitted"].to_numpy(dtype=bool)):
        refusals += [f"track {name}: {r}" for r in
                     guard.separation(hits.loc[:, cols], yg, weights[cols])]
    try:
        text = draft_text(live, {k: int(v) for k, v in points.items()}, version, cut, header)
        draft = parse_ruleset(text, source="draft", agencies=live.agencies_text)
    except RuleSetError as exc:
        text, draft = None, None
        refusals.append("the draft is not a valid rule set: " + "; ".join(exc.errors))
    figures, warnings = {}, []
    if draft is not None:
        refusals += guard.zeroed_tracks(draft)
        refusals += guard.dominant_indicators(draft)
        refusals += guard.track_changes(test, live, draft)
        figures, warnings = report_figures(test, live, draft)
    changed = int((table["suggested"] != table["old"]).sum())
    body = justification(table, suggestion, figures, warnings, refusals, train=train,
                         test=test, budget=budget, cut=cut, version=version)
    if text is not None and refusals:
        text = "".join(f"# REFUSED (written with --force): {r}\n" for r in refusals) + text
    return Proposal(text, body, tuple(refusals), tuple(warnings), version, budget, cut,
                    changed)


def report_figures(test: pd.DataFrame, live: RuleSet, draft: RuleSet
                   ) -> tuple[dict, list[str]]:
    """Return the later period's figures of both sets and their warnings.

    Returns ({"live": tracks, "draft": tracks, "alerts": (live, draft, rows)}, warnings).
    """
    live_rung = score_frame(test, live)["rung"].to_numpy()
    draft_rung = score_frame(test, draft)["rung"].to_numpy()
    cells = cells_of(stored=stored_rungs(test, live), outcomes=test["outcome"],
                     rungs=live_rung, origins=test.get("label_origin"),
                     probabilities=test.get("sample_probability"))
    moved = cells_of(stored=stored_rungs(test, live), outcomes=test["outcome"],
                     rungs=draft_rung, origins=test.get("label_origin"),
                     probabilities=test.get("sample_probability"))
    ours, notes = track_figures(cells)
    theirs, _ = track_figures(moved)
    warnings = list(notes) + support_warnings("live", ours) + support_warnings("draft", theirs)
    for name, tracks in (("live", ours), ("draft", theirs)):
        for track, t in tracks.items():
            if t.precision.estimate == 1.0 or t.recall.estimate == 1.0:
                warnings.append(f"{name} {track}: a perfect figure at {t.action} - read it as "
                                "too few labels, not as a perfect rule set")
    alerts = (int((live_rung >= REVIEW_RUNG).sum()), int((draft_rung >= REVIEW_RUNG).sum()),
              len(test))
    return {"live": ours, "draft": theirs, "alerts": alerts}, warnings
