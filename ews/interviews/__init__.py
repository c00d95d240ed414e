"""The interview step: assess an interview and submit it. No Flask here.

`assess` = history features + model advice + score + the shadow version's score beside it;
`submit` stores the result once (replays, conflicts, follow-up versions). The API, the
pages, `/score`, the front-desk intake and the demo writer all go through this package.
"""

from .assess import Assessed, assess, identity_hashes, preview
from .history import HISTORY_WINDOW, history_features
from .submit import (
    AssessmentConflict,
    CorrectedMeanwhile,
    Correction,
    NoLiveRuleSet,
    Submission,
    UnknownOffice,
    assessment_row,
    status_of,
    submit,
    submit_at_office,
)

__all__ = ["HISTORY_WINDOW", "Assessed", "AssessmentConflict", "CorrectedMeanwhile",
           "Correction", "NoLiveRuleSet", "Submission",
           "UnknownOffice", "assess", "assessment_row", "history_features", "identity_hashes",
           "preview", "status_of", "submit", "submit_at_office"]
