"""The rule-set state machine as pure data: every action from every state, and who may."""

from __future__ import annotations

import pytest

from ews.lifecycle.states import (
    ACTIONS,
    STATES,
    TRANSITIONS,
    NotAllowed,
    ReasonRequired,
    WrongState,
    check,
)

# (action, from) -> to: the whole allowed set, written out by hand.
ALLOWED = {
    ("submit", "draft"): "in_review", ("withdraw", "in_review"): "draft",
    ("approve", "in_review"): "approved", ("reject", "in_review"): "draft",
    ("shadow", "approved"): "shadow", ("unshadow", "shadow"): "approved",
    ("activate", "approved"): "live", ("activate", "shadow"): "live",
    ("rollback", "retired"): "live",
    ("retire", "draft"): "retired", ("retire", "approved"): "retired",
    ("retire", "shadow"): "retired",
}
AUTHOR_ONLY = {"submit", "withdraw"}
NEVER_AUTHOR = {"approve", "reject", "activate", "rollback"}


@pytest.mark.parametrize("action", ACTIONS)
@pytest.mark.parametrize("state", STATES)
def test_every_action_from_every_state(action, state):
    is_author = action in AUTHOR_ONLY
    args = dict(status=state, is_author=is_author, has_right=True, reason="because")
    if (action, state) in ALLOWED:
        assert check(action, **args) == ALLOWED[action, state]
    else:
        with pytest.raises(WrongState, match=f"{action}: a version in state '{state}'"):
            check(action, **args)


def test_live_is_left_only_by_another_version_going_live():
    assert not any(src == "live" for (_a, src) in ALLOWED)


@pytest.mark.parametrize("action", sorted(NEVER_AUTHOR))
def test_the_author_never_decides_on_their_own_version(action):
    source = TRANSITIONS[action].sources[0]
    with pytest.raises(NotAllowed, match="someone other than its author"):
        check(action, status=source, is_author=True, has_right=True, reason="mine")


@pytest.mark.parametrize("action", sorted(AUTHOR_ONLY))
def test_only_the_author_submits_or_withdraws(action):
    source = TRANSITIONS[action].sources[0]
    with pytest.raises(NotAllowed, match="only the author"):
        check(action, status=source, is_author=False, has_right=True, reason="")


@pytest.mark.parametrize("action", ACTIONS)
def test_a_missing_right_is_refused_naming_it(action):
    with pytest.raises(NotAllowed, match=TRANSITIONS[action].right):
        check(action, status=TRANSITIONS[action].sources[0], is_author=False,
              has_right=False, reason="x")


@pytest.mark.parametrize("action", ["reject", "rollback", "retire"])
def test_reason_required(action):
    with pytest.raises(ReasonRequired, match="give a reason"):
        check(action, status=TRANSITIONS[action].sources[0],
              is_author=action in AUTHOR_ONLY, has_right=True, reason="  ")


def test_rollback_only_to_a_version_once_approved():
    with pytest.raises(WrongState, match="never approved"):
        check("rollback", status="retired", is_author=False, has_right=True, reason="back",
              ever_approved=False)
