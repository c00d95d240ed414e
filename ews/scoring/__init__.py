"""The scorer (docs/design.md, Scoring): track scores, band, recommended action, reasons.

Pure functions of (record, rule set, optional model probability). `score` handles one record
for the request path; `score_frame` handles a DataFrame for backtests and returns the same
score, band and action for every row.
"""

from __future__ import annotations

import datetime as dt

from ews.checklist import completeness
from ews.engine import RuleSet, evaluate
from ews.engine.evaluate import positive_dimensions
from ews.engine.ruleset import (
    PROTECTION_RUNG,
    PROTECTIVE_CAP,
    REVIEW_RUNG,
    TRAFFICKING_DIMENSIONS,
)

from .frame import score_frame
from .model import model_info

__all__ = ["score", "score_frame", "track_outcome", "unstored_result", "REVIEW_RUNG"]


def band_index(bands, score: int) -> int:
    """Return the index of the band a score falls in."""
    for i, band in enumerate(bands):
        if band.below is None or score < band.below:
            return i
    return len(bands) - 1


def track_outcome(bands, points: int, protective_points: int,
                  trafficking_dims: bool = True, above_review: bool = True
                  ) -> tuple[int, int, int]:
    """Return (score, band index, rung) of a track.

    Protective points lift at most to in_depth_interview; points alone reach
    refer_protection only with a positive deceptive or coercive ILO dimension, and go
    above supervisor_review only where the track's `above_review_needs` holds.
    """
    score = min(100, points + protective_points)
    idx = band_index(bands, score)
    base = bands[band_index(bands, min(100, points))].rung
    rung = max(base, min(bands[idx].rung, PROTECTIVE_CAP))
    if (rung >= PROTECTION_RUNG and not trafficking_dims) or not above_review:
        rung = min(rung, REVIEW_RUNG)
    return score, idx, rung


def _reason(ind) -> dict:
    return {"indicator": ind.id, "track": ind.track, "dimension": ind.dimension,
            "severity": ind.severity, "points": ind.points, "label": dict(ind.label),
            "source": dict(ind.source)}


def _by_points(ind) -> tuple:
    return (-ind.points, ind.order)


def _gate(gate, ruleset: RuleSet) -> dict:
    return {"id": gate.id, "min_action": ruleset.actions[gate.rung].id,
            "label": dict(gate.label)}


def _rung(ruleset: RuleSet, indicators, dims, escalations, done: float,
          model_rung: int, above: dict) -> tuple[int, dict, list]:
    """Return (rung, per-track (score, band index, rung), gates fired) for a set of hits.

    `above`: per capped track, whether its points may go above supervisor_review.
    """
    points = dict.fromkeys(ruleset.tracks, 0)
    protective = dict.fromkeys(ruleset.tracks, 0)
    for ind in indicators:
        (protective if ind.protective else points)[ind.track] += ind.points
    coercion = not dims.isdisjoint(TRAFFICKING_DIMENSIONS)
    tracks = {name: track_outcome(bands, points[name], protective[name], coercion,
                                  above.get(name, True))
              for name, bands in ruleset.tracks.items()}
    rungs = [t[2] for t in tracks.values()] + [e.rung for e in escalations] + [model_rung]
    rungs += [i.rung for i in indicators if i.rung]  # an indicator's own least action
    gates = []
    both = ruleset.combined_tracks
    if both is not None and all(t[2] >= both.value for t in tracks.values()):
        gates.append(both)
    low = ruleset.min_completeness
    if low is not None and done < low.value:
        gates.append(low)
    return max(rungs + [g.rung for g in gates]), tracks, gates


def score(record: dict, ruleset: RuleSet, model_probability: float | None = None,
          model_version: str | None = None) -> dict:
    """Score one validated record; return the result fields (docs/design.md, Result JSON)."""
    hits = evaluate(record, ruleset)
    model, model_rung = model_info(ruleset, model_probability, model_version)
    done = completeness(record)
    none = frozenset()
    above = {name: test.record(record, none) for name, test in ruleset.track_caps.items()}
    rung, tracks, gates = _rung(ruleset, hits.indicators, hits.dimensions, hits.escalations,
                                done, model_rung, above)
    if any(i.test.lists for i in hits.indicators) or any(e.test.lists
                                                         for e in hits.escalations):
        # A list (destination context) moves the result by one rung at the most.
        base = tuple(i for i in hits.indicators if not i.test.lists)
        dims = positive_dimensions(base, ruleset.combinations)
        escalations = tuple(e for e, test in ruleset.escalation_tests
                            if not e.test.lists and test(record, dims))
        rung = min(rung, _rung(ruleset, base, dims, escalations, done, model_rung,
                               above)[0] + 1)
    reasons, flags = [], []
    dims = {name: set() for name in ruleset.tracks}
    for ind in sorted(hits.indicators, key=_by_points):
        (flags if ind.protective else reasons).append(_reason(ind))
        if ind.dimension in hits.dimensions:
            dims[ind.track].add(ind.dimension)
    out_tracks, best = {}, (-1, -1, None)
    for name, (value, idx, track_rung) in tracks.items():
        band = ruleset.tracks[name][idx].band
        out_tracks[name] = {"score": value, "band": band,
                            "action": ruleset.actions[track_rung].id,
                            "dimensions_positive": sorted(dims[name])}
        if (value, track_rung) > best[:2]:
            best = (value, track_rung, band)
    action = ruleset.actions[rung]
    return {
        "score": best[0], "band": best[2],
        "recommended_action": {"id": action.id, "rung": rung, "label": dict(action.label)},
        "tracks": out_tracks,
        "reasons": reasons,
        "escalations": [{"id": e.id, "min_action": ruleset.actions[e.rung].id,
                         "label": dict(e.label)} for e in hits.escalations]
        + [_gate(g, ruleset) for g in gates],
        "protective_flags": flags,
        "completeness": done,
        "model": model,
        "ruleset": {"id": ruleset.id, "version": ruleset.version, "sha256": ruleset.sha256},
        "decision_required": rung >= REVIEW_RUNG,
    }


def unstored_result(record: dict, result: dict, *, now: dt.datetime) -> dict:
    """Return the full result JSON of a record scored at `now` without storing it (id null)."""
    return {"id": None, "application_id": record["application_id"],
            "office_code": record["office_code"], **result, "status": "not_stored",
            "created_at": now.isoformat()}
