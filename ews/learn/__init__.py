"""Learning from outcomes: labels, features, indicator statistics, suggested weights, an
optional calibrated classifier and its card. Pure functions of frames; no Flask and no
database, but for the loader of those frames (`ews.learn.frames`; PSI drift is a report,
`ews.reports.psi`)."""

from .features import (
    DEFAULT_EXCLUSIONS,
    ChecklistEncoder,
    Exclusions,
    FeatureError,
    check_features,
    feature_fields,
)
from .labels import (
    NEGATIVE,
    POSITIVE,
    UNLABELLED,
    LabelError,
    label_of,
    labels,
    month_of,
    time_split,
)

__all__ = [
    "DEFAULT_EXCLUSIONS", "NEGATIVE", "POSITIVE", "UNLABELLED", "ChecklistEncoder",
    "Exclusions", "FeatureError", "LabelError", "check_features", "feature_fields",
    "label_of", "labels", "month_of", "time_split",
]
