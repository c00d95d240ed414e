"""Figures weighted by how each outcome label arose (follow-up, random sample, import).

Pure numpy/scipy: no Flask, no database, no clock. Used by the backtest, learning, the
model card and evaluation alike, so every figure of the same data agrees.
"""

from .cells import OUTCOMES, Cells, cells_of
from .figures import (
    MIN_LABELS,
    TRACK_OUTCOMES,
    TRACK_RUNG,
    Figure,
    RungFigures,
    TrackFigures,
    as_dict,
    clopper_pearson,
    support_warnings,
    track_figures,
)

__all__ = ["MIN_LABELS", "OUTCOMES", "TRACK_OUTCOMES", "TRACK_RUNG", "Cells", "Figure",
           "RungFigures", "TrackFigures", "as_dict", "cells_of", "clopper_pearson",
           "support_warnings", "track_figures"]
