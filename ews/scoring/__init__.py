"""The scorer (DESIGN.md section 4): track scores, band, recommended action, reasons.

Pure functions of (record, rule set, optional model probability). `score` handles one record
for the request path; `score_frame` handles a DataFrame for backtests and returns the same
score, band and action for every row.
"""

from __future__ import annotations

import datetime as dt

from ews.checklist import completeness
from ews.engine import RuleSet, evaluate
from ews.engine.loader import PROTECTIVE_CAP, REVIEW_RUNG

from .frame import score_frame
from .model import model_info

__all__ = ["score", "score_frame", "track_outcome", "unstored_result", "REVIEW_RUNG"]


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


def _by_points(ind) -> tuple:
    return (-ind.points, ind.order)


def score(record: dict, ruleset: RuleSet, model_probability: float | None = None,
          model_version: str | None = None) -> dict:
    """Score one validated record; return the result fields of DESIGN.md section 4."""
    hits = evaluate(record, ruleset)
    points = dict.fromkeys(ruleset.tracks, 0)
    protective = dict.fromkeys(ruleset.tracks, 0)
    dims = {name: set() for name in ruleset.tracks}
    reasons, flags = [], []
    for ind in sorted(hits.indicators, key=_by_points):
        if ind.protective:
            protective[ind.track] += ind.points
            flags.append(_reason(ind))
        else:
            points[ind.track] += ind.points
            reasons.append(_reason(ind))
        if ind.dimension in hits.dimensions:
            dims[ind.track].add(ind.dimension)
    tracks, rungs, best = {}, [], (-1, -1, None)
    for name, bands in ruleset.tracks.items():
        value, idx, rung = track_outcome(bands, points[name], protective[name])
        tracks[name] = {"score": value, "band": bands[idx].band,
                        "action": ruleset.actions[rung].id,
                        "dimensions_positive": sorted(dims[name])}
        rungs.append(rung)
        if (value, rung) > best[:2]:
            best = (value, rung, bands[idx].band)
    model, model_rung = model_info(ruleset, model_probability, model_version)
    rung = max(rungs + [e.rung for e in hits.escalations] + [model_rung])
    action = ruleset.actions[rung]
    return {
        "score": best[0], "band": best[2],
        "recommended_action": {"id": action.id, "rung": rung, "label": dict(action.label)},
        "tracks": tracks,
        "reasons": reasons,
        "escalations": [{"id": e.id, "min_action": ruleset.actions[e.rung].id,
                         "label": dict(e.label)} for e in hits.escalations],
        "protective_flags": flags,
        "completeness": completeness(record),
        "model": model,
        "ruleset": {"id": ruleset.id, "version": ruleset.version, "sha256": ruleset.sha256},
        "decision_required": rung >= REVIEW_RUNG,
    }


def unstored_result(record: dict, result: dict) -> dict:
    """Return the full result JSON of a record scored without storing it (id null)."""
    return {"id": None, "application_id": record["application_id"],
            "office_code": record["office_code"], **result, "status": "not_stored",
            "created_at": dt.datetime.now(dt.UTC).isoformat()}
