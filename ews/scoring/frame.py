"""Vectorised scoring of a whole DataFrame: the backtest twin of `score`."""

from __future__ import annotations

import numpy as np
import pandas as pd

from ews.checklist import FIELDS
from ews.checklist.schema import ALWAYS, GROUPS
from ews.engine import FrameHits, RuleSet, evaluate_frame
from ews.engine.conditions import Columns, vocabulary
from ews.engine.evaluate import frame_dimensions, frame_escalations
from ews.engine.ruleset import (
    LADDER,
    PROTECTION_RUNG,
    PROTECTIVE_CAP,
    REVIEW_RUNG,
    TRAFFICKING_DIMENSIONS,
)

from .model import model_rungs


def _bands(bands, values: np.ndarray) -> np.ndarray:
    limits = np.array([b.below for b in bands[:-1]], dtype=float)
    return np.searchsorted(limits, values, side="right")


def _any_of(cols: Columns, conditions) -> np.ndarray:
    """Rows where any (field, values) condition holds, on the encoded columns (None: not asked)."""
    masks = []
    for name, values in conditions:
        col = cols[name]
        codes = [_code(name, v) for v in values]
        masks.append(np.isin(col, codes) if FIELDS[name].kind != "int"
                     else np.isin(col, codes) | (np.isnan(col) & (None in values)))
    return np.logical_or.reduce(masks)


def _code(name: str, value) -> float:
    """Return how `value` of a field is encoded in `Columns` (-1 for not asked)."""
    if value is None:
        return -1
    vocab = vocabulary(name)
    if vocab is not None:
        return vocab.index(value)
    return int(value)


def _known(cols: Columns, name: str) -> np.ndarray:
    col = cols[name]
    return ~np.isnan(col) if FIELDS[name].kind == "int" else col != -1


def frame_completeness(frame: pd.DataFrame, cols: Columns | None = None) -> np.ndarray:
    """Return, per row, the share of applicable `rule` questions that were answered.

    The same groups as `ews.checklist.completeness`: one test per distinct condition.
    """
    cols = cols or Columns(frame)
    n = len(frame)
    applicable = np.full(n, float(len(ALWAYS)))
    answered = np.sum([_known(cols, name) for name in ALWAYS], axis=0, dtype=float)
    for when, unless, names in GROUPS:
        mask = _any_of(cols, when) if when else np.ones(n, dtype=bool)
        if unless:
            mask &= ~_any_of(cols, unless)
        applicable += mask * len(names)
        answered += mask * np.sum([_known(cols, name) for name in names], axis=0)
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where(applicable > 0, np.round(answered / applicable, 3), 1.0)


CHUNK = 1 << 17  # rows scored at once: bounds the memory of the hit matrices


def score_frame(frame: pd.DataFrame, ruleset: RuleSet, model_probability=None,
                details: bool = False, hits: FrameHits | None = None) -> pd.DataFrame:
    """Score every row; columns score, band, action, rung, decision_required, per-track scores.

    With `details`, add completeness and the ids of the indicators, protective flags and
    escalations that fired (slower: Python objects per row). `hits`: this frame's
    `evaluate_frame(frame, ruleset)` when the caller has it already (used for frames of
    up to CHUNK rows, re-evaluated otherwise).
    """
    probs = None if model_probability is None else np.asarray(model_probability, dtype=float)
    if hits is not None and len(frame) <= CHUNK:
        return _score_chunk(frame, ruleset, probs, details, hits)
    parts = [_score_chunk(frame.iloc[start:start + CHUNK], ruleset,
                          None if probs is None else probs[start:start + CHUNK], details)
             for start in range(0, len(frame), CHUNK)]
    return pd.concat(parts) if len(parts) != 1 else parts[0]


def _point_matrix(ruleset: RuleSet) -> np.ndarray:
    """Return indicators x (track points, track protective points) for every track."""
    out = np.zeros((len(ruleset.indicators), 2 * len(ruleset.tracks)), dtype=np.float32)
    for k, name in enumerate(ruleset.tracks):
        for j, ind in enumerate(ruleset.indicators):
            if ind.track == name:
                out[j, 2 * k + ind.protective] = ind.points
    return out


def _rungs(ruleset: RuleSet, hits: np.ndarray, dims: dict, esc: np.ndarray,
           done: np.ndarray | None, extra: list, above: dict) -> tuple[np.ndarray, dict, dict]:
    """Return the rung per row, per track (score, band index, rung), and gates fired.

    `above`: per capped track, the rows whose points may go above supervisor_review.
    """
    n = len(hits)
    coercion = np.logical_or.reduce([dims[d] for d in TRAFFICKING_DIMENSIONS]
                                    + [np.zeros(n, dtype=bool)])
    # Every track's points and protective points in one product: rows x (2 x tracks).
    sums = hits.astype(np.float32) @ _point_matrix(ruleset)
    tracks, rungs = {}, list(extra)
    for k, (name, bands) in enumerate(ruleset.tracks.items()):
        points = sums[:, 2 * k].astype(int)
        value = np.minimum(100, points + sums[:, 2 * k + 1].astype(int))
        band_rungs = np.array([b.rung for b in bands])
        idx = _bands(bands, value)
        base = band_rungs[_bands(bands, np.minimum(100, points))]
        rung = np.maximum(base, np.minimum(band_rungs[idx], PROTECTIVE_CAP))
        rung = np.where((rung >= PROTECTION_RUNG) & ~coercion, REVIEW_RUNG, rung)
        if name in above:
            rung = np.where(above[name], rung, np.minimum(rung, REVIEW_RUNG))
        tracks[name] = (value, idx, rung)
        rungs.append(rung)
    own = [k for k, i in enumerate(ruleset.indicators) if i.rung]
    if own:  # an indicator's own least action
        least = np.array([ruleset.indicators[k].rung for k in own])
        rungs.append(np.max(np.where(hits[:, own], least, 0), axis=1))
    for k, e in enumerate(ruleset.escalations):
        rungs.append(np.where(esc[:, k], e.rung, 0))
    gates = {}
    both = ruleset.combined_tracks
    if both is not None:
        gates[both.id] = np.logical_and.reduce([t[2] >= both.value for t in tracks.values()])
        rungs.append(np.where(gates[both.id], both.rung, 0))
    low = ruleset.min_completeness
    if low is not None:
        gates[low.id] = done < low.value
        rungs.append(np.where(gates[low.id], low.rung, 0))
    return np.maximum.reduce(rungs), tracks, gates


def _score_chunk(frame: pd.DataFrame, ruleset: RuleSet, probs, details: bool,
                 hits: FrameHits | None = None) -> pd.DataFrame:
    hits = evaluate_frame(frame, ruleset) if hits is None else hits
    n = len(frame)
    inds = ruleset.indicators
    done = (frame_completeness(frame, hits.columns) if details or ruleset.min_completeness
            else None)
    extra = [np.zeros(n, dtype=int)] + ([] if probs is None else [model_rungs(ruleset, probs)])
    above = {name: test.frame(hits.columns, {}) for name, test in ruleset.track_caps.items()}
    rung, tracks, gates = _rungs(ruleset, hits.indicators, hits.dimensions, hits.escalations,
                                 done, extra, above)
    listed = np.array([bool(i.test.lists) for i in inds])
    listed_esc = np.array([bool(e.test.lists) for e in ruleset.escalations], dtype=bool)
    if listed.any() or listed_esc.any():
        # A list (destination context) moves the result by one rung at the most.
        base = hits.indicators & ~listed
        dims = frame_dimensions(base, ruleset)
        esc = frame_escalations(hits.columns, dims, ruleset, reuse=hits.escalations)
        esc[:, listed_esc] = False
        rung = np.minimum(rung, _rungs(ruleset, base, dims, esc, done, extra, above)[0] + 1)
    best_key = np.full(n, -1)
    band = np.empty(n, dtype=object)
    out = {}
    for name, (value, idx, track_rung) in tracks.items():
        out[f"score_{name}"] = value
        key = value * 8 + track_rung
        better = key > best_key
        best_key = np.where(better, key, best_key)
        band[better] = np.array([b.band for b in ruleset.tracks[name]],
                                dtype=object)[idx[better]]
    result = pd.DataFrame({"score": best_key // 8, "band": band,
                           "action": np.array(LADDER, dtype=object)[rung], "rung": rung,
                           "decision_required": rung >= REVIEW_RUNG, **out}, index=frame.index)
    if details:
        result["completeness"] = done
        ids = np.array([i.id for i in inds], dtype=object)
        order = np.argsort([-i.points for i in inds], kind="stable")
        prot = np.array([i.protective for i in inds])[order]
        result["indicators"] = [tuple(ids[order][row & ~prot]) for row in
                                hits.indicators[:, order]]
        result["protective_flags"] = [tuple(ids[order][row & prot]) for row in
                                      hits.indicators[:, order]]
        esc_ids = np.array([e.id for e in ruleset.escalations] + list(gates), dtype=object)
        fired = np.column_stack([hits.escalations] + [m[:, None] for m in gates.values()])
        result["escalations"] = [tuple(esc_ids[row]) for row in fired]
    return result
