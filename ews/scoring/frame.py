"""Vectorised scoring of a whole DataFrame: the backtest twin of `score`."""

from __future__ import annotations

import numpy as np
import pandas as pd

from ews.checklist import INPUT_FIELDS
from ews.engine import RuleSet, evaluate_frame
from ews.engine.loader import LADDER, PROTECTIVE_CAP, REVIEW_RUNG

from .model import model_rungs


def _bands(bands, values: np.ndarray) -> np.ndarray:
    limits = np.array([b.below for b in bands[:-1]], dtype=float)
    return np.searchsorted(limits, values, side="right")


def frame_completeness(frame: pd.DataFrame) -> np.ndarray:
    """Return, per row, the share of applicable `rule` input fields that were answered."""
    n = len(frame)
    applicable = np.zeros(n)
    answered = np.zeros(n)
    for f in INPUT_FIELDS:
        if f.role != "rule":
            continue
        if f.applies_when:
            mask = np.logical_or.reduce([frame[k].isin(v).to_numpy() if k in frame else
                                         np.zeros(n, dtype=bool)
                                         for k, v in f.applies_when.items()])
        else:
            mask = np.ones(n, dtype=bool)
        applicable += mask
        if f.name in frame:
            answered += mask & frame[f.name].notna().to_numpy()
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where(applicable > 0, np.round(answered / applicable, 3), 1.0)


CHUNK = 1 << 17  # rows scored at once: bounds the memory of the hit matrices


def score_frame(frame: pd.DataFrame, ruleset: RuleSet, model_probability=None,
                details: bool = False) -> pd.DataFrame:
    """Score every row; columns score, band, action, rung, decision_required, per-track scores.

    With `details`, add completeness and the ids of the indicators, protective flags and
    escalations that fired (slower: Python objects per row).
    """
    probs = None if model_probability is None else np.asarray(model_probability, dtype=float)
    parts = [_score_chunk(frame.iloc[start:start + CHUNK], ruleset,
                          None if probs is None else probs[start:start + CHUNK], details)
             for start in range(0, len(frame), CHUNK)]
    return pd.concat(parts) if len(parts) != 1 else parts[0]


def _score_chunk(frame: pd.DataFrame, ruleset: RuleSet, probs, details: bool) -> pd.DataFrame:
    hits = evaluate_frame(frame, ruleset)
    n = len(frame)
    inds = ruleset.indicators
    best_key = np.full(n, -1)
    out = {}
    rungs = [np.zeros(n, dtype=int)]
    band = np.empty(n, dtype=object)
    for name, bands in ruleset.tracks.items():
        mine = np.array([i.track == name for i in inds])
        prot = np.array([i.protective for i in inds])
        pts = np.array([i.points for i in inds])
        points = hits.indicators[:, mine & ~prot] @ pts[mine & ~prot]
        protective = hits.indicators[:, mine & prot] @ pts[mine & prot]
        value = np.minimum(100, points + protective)
        band_rungs = np.array([b.rung for b in bands])
        idx = _bands(bands, value)
        base = band_rungs[_bands(bands, np.minimum(100, points))]
        rung = np.maximum(base, np.minimum(band_rungs[idx], PROTECTIVE_CAP))
        out[f"score_{name}"] = value
        rungs.append(rung)
        key = value * 8 + rung
        better = key > best_key
        best_key = np.where(better, key, best_key)
        band[better] = np.array([b.band for b in bands], dtype=object)[idx[better]]
    for k, esc in enumerate(ruleset.escalations):
        rungs.append(np.where(hits.escalations[:, k], esc.rung, 0))
    if probs is not None:
        rungs.append(model_rungs(ruleset, probs))
    rung = np.maximum.reduce(rungs)
    result = pd.DataFrame({"score": best_key // 8, "band": band,
                           "action": np.array(LADDER, dtype=object)[rung], "rung": rung,
                           "decision_required": rung >= REVIEW_RUNG, **out}, index=frame.index)
    if details:
        result["completeness"] = frame_completeness(frame)
        ids = np.array([i.id for i in inds], dtype=object)
        order = np.argsort([-i.points for i in inds], kind="stable")
        prot = np.array([i.protective for i in inds])[order]
        result["indicators"] = [tuple(ids[order][row & ~prot]) for row in
                                hits.indicators[:, order]]
        result["protective_flags"] = [tuple(ids[order][row & prot]) for row in
                                      hits.indicators[:, order]]
        esc_ids = np.array([e.id for e in ruleset.escalations], dtype=object)
        result["escalations"] = [tuple(esc_ids[row]) for row in hits.escalations]
    return result
