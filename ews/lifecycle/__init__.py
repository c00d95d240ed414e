"""Rule-set lifecycle for analysts: states, maker-checker transitions, backtest, shadow.

No Flask here: the API and the pages translate the typed errors into responses.
"""

from .service import (
    VersionTaken,
    activate_ruleset,
    create_draft,
    edit_draft,
    register_ruleset,
    transition,
)
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
           "ReasonRequired", "VersionTaken", "WrongState", "activate_ruleset", "create_draft",
           "edit_draft", "register_ruleset", "transition"]
