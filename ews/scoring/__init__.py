"""The scorer (DESIGN.md section 4): track scores, band, recommended action, reasons.

Pure functions of (record, rule set, optional model probability). `score` handles one record
for the request path; `score_frame` handles a DataFrame for backtests and returns the same
score, band and action for every row.
"""

from __future__ import annotations

from ews.checklist import completeness
from ews.engine import RuleSet, evaluate
from ews.engine.loader import PROTECTIVE_CAP, REVIEW_RUNG

from .frame import score_frame
from .model import model_info

__all__ = ["score", "score_frame", "track_outcome", "REVIEW_RUNG"]


def band_index(bands, score: int) -> int:
    """Return the index of the band a score falls in."""
    for i, band in enumerate(bands):
        if band.below is None or score < band.below:
            return i
    return len(bands) - 1


def track_outcome(bands, points: int, protective_points: int) -> tuple[int, int, int]:
    """Return (score, band index, rung) of a track; protective points lift at most to rung 1."""
    score = min(100, points + protective_points)
    idx = band_index(bands, score)
    base = bands[band_index(bands, min(100, points))].rung
    return score, idx, max(base, min(bands[idx].rung, PROTECTIVE_CAP))


def _reason(ind) -> dict:
    return {"indicator": ind.id, "track": ind.track, "dimension": ind.dimension,
            "severity": ind.severity, "points": ind.points, "label": dict(ind.label),
            "source": ind.source}


def score(record: dict, ruleset: RuleSet, model_probability: float | None = None,
          model_version: str | None = None) -> dict:
    """Score one validated record; return the result fields of DESIGN.md section 4."""
    hits = evaluate(record, ruleset)
    tracks, rungs, best = {}, [], None
    for name, bands in ruleset.tracks.items():
        mine = [i for i in hits.indicators if i.track == name]
        points = sum(i.points for i in mine if not i.protective)
        protective = sum(i.points for i in mine if i.protective)
        value, idx, rung = track_outcome(bands, points, protective)
        dims = sorted({i.dimension for i in mine if i.dimension in hits.dimensions})
        tracks[name] = {"score": value, "band": bands[idx].band,
                        "action": ruleset.actions[rung].id, "dimensions_positive": dims}
        rungs.append(rung)
        if best is None or (value, rung) > (best[0], best[1]):
            best = (value, rung, bands[idx].band)
    model, model_rung = model_info(ruleset, model_probability, model_version)
    rung = max(rungs + [e.rung for e in hits.escalations] + [model_rung])
    action = ruleset.actions[rung]
    ordered = sorted(hits.indicators, key=lambda i: -i.points)
    return {
        "score": best[0], "band": best[2],
        "recommended_action": {"id": action.id, "rung": rung, "label": dict(action.label)},
        "tracks": tracks,
        "reasons": [_reason(i) for i in ordered if not i.protective],
        "escalations": [{"id": e.id, "min_action": ruleset.actions[e.rung].id,
                         "label": dict(e.label)} for e in hits.escalations],
        "protective_flags": [_reason(i) for i in ordered if i.protective],
        "completeness": completeness(record),
        "model": model,
        "ruleset": {"id": ruleset.id, "version": ruleset.version, "sha256": ruleset.sha256},
        "decision_required": rung >= REVIEW_RUNG,
    }
