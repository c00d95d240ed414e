"""Rule-set lifecycle for analysts: states, maker-checker transitions, backtest, shadow.

No Flask here: the API and the pages translate the typed errors into responses.
"""

from .service import VersionTaken, create_draft, edit_draft, transition
from .states import (
    ACTIONS,
    STATES,
    TRANSITIONS,
    LifecycleError,
    NotAllowed,
    ReasonRequired,
    WrongState,
)

__all__ = ["ACTIONS", "STATES", "TRANSITIONS", "LifecycleError", "NotAllowed",
           "ReasonRequired", "VersionTaken", "WrongState", "create_draft", "edit_draft",
           "transition"]
