"""The compiled rule set: the ladder, tracks, indicators and escalations, immutable."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from functools import cached_property
from types import MappingProxyType

from .conditions import Compiled

LADDER = ("proceed", "in_depth_interview", "supervisor_review", "defer_and_redirect",
          "refer_protection")
TRACKS = ("trafficking", "nonprocedural")
SEVERITIES = ("strong", "medium", "weak")
MODEL_MODES = ("off", "advisory", "escalate")
# ILO/EC 2009 step 1: 2 strong | strong + medium | strong + weak | 3 medium | 2 medium + weak.
ILO_2009 = ({"strong": 2}, {"strong": 1, "medium": 1}, {"strong": 1, "weak": 1},
            {"medium": 3}, {"medium": 2, "weak": 1})
PROTECTIVE_CAP = LADDER.index("in_depth_interview")
REVIEW_RUNG = LADDER.index("supervisor_review")  # from here on a human decision is required
PROTECTION_RUNG = LADDER.index("refer_protection")
# The ILO dimensions that open the protection referral to points; dimension 3 (abuse of
# vulnerability) is protective and never does.
TRAFFICKING_DIMENSIONS = frozenset(["deceptive_recruitment", "coercive_recruitment"])


def stored_description(description: MappingProxyType | None) -> str:
    """Return a rule set's bilingual description as the text stored with its version."""
    return json.dumps(dict(description), ensure_ascii=False) if description else ""


def read_description(stored: str | None) -> dict:
    """Return the {id, en} description of a stored version (older rows hold one text)."""
    if stored and stored.startswith("{"):
        try:
            value = json.loads(stored)
        except ValueError:
            value = None
        if isinstance(value, dict) and all(isinstance(value.get(k), str) for k in ("id", "en")):
            return {"id": value["id"], "en": value["en"]}
    return {"id": stored or "", "en": stored or ""}


class RuleSetError(ValueError):
    """A rule set that may not be used; `.errors` lists every problem, one a line."""

    def __init__(self, errors: list[str]) -> None:
        super().__init__("\n".join(errors))
        self.errors = errors


@dataclass(frozen=True)
class Action:
    id: str
    rung: int
    label: MappingProxyType


@dataclass(frozen=True)
class Band:
    below: int | None
    band: str
    rung: int


@dataclass(frozen=True)
class Indicator:
    order: int  # position in the file: reasons keep a stable order
    id: str
    track: str
    dimension: str | None
    severity: str
    points: int
    protective: bool
    label: MappingProxyType
    source: MappingProxyType  # {id, en}
    test: Compiled
    rung: int = 0  # the least action while it fires (`min_action`): 0 adds nothing


@dataclass(frozen=True)
class Escalation:
    id: str
    rung: int
    label: MappingProxyType
    test: Compiled


@dataclass(frozen=True)
class Gate:
    """A rule-set-wide minimum action: `min_completeness` or `combined_tracks`."""

    id: str
    value: float | int  # the completeness limit, or the rung both tracks must reach
    rung: int
    label: MappingProxyType


@dataclass(frozen=True)
class RuleSet:
    """A validated, compiled rule set: immutable, identified by id, version and sha256."""

    id: str
    version: str
    description: MappingProxyType | None  # {id, en}
    sha256: str
    text: str
    source: str
    lists: MappingProxyType
    actions: tuple[Action, ...]
    tracks: MappingProxyType  # track -> tuple[Band, ...]
    combinations: tuple[MappingProxyType, ...]
    indicators: tuple[Indicator, ...]
    escalations: tuple[Escalation, ...]
    model: MappingProxyType
    min_completeness: Gate | None = None
    combined_tracks: Gate | None = None
    agencies: MappingProxyType = field(default_factory=lambda: MappingProxyType({}))
    agencies_text: str | None = None  # every list file the rule set names (`split_lists`)
    manning: MappingProxyType = field(default_factory=lambda: MappingProxyType({}))
    # track -> condition: where it is false, the track's points stop at supervisor_review.
    track_caps: MappingProxyType = field(default_factory=lambda: MappingProxyType({}))

    @cached_property
    def indicator_tests(self) -> tuple:
        """Return (indicator, record test) pairs of the indicators not in `equals_index`."""
        return tuple((i, i.test.record) for i in self.indicators if i.test.equals is None)

    @cached_property
    def equals_index(self) -> tuple:
        """Return (field, {value: indicators}) for plain `eq` indicators: one lookup a field."""
        index: dict[str, dict] = {}
        for i in self.indicators:
            if i.test.equals is not None:
                name, value = i.test.equals
                index.setdefault(name, {}).setdefault(value, []).append(i)
        return tuple((name, {v: tuple(found) for v, found in table.items()})
                     for name, table in index.items())

    @cached_property
    def escalation_tests(self) -> tuple:
        """Return (escalation, record test) pairs."""
        return tuple((e, e.test.record) for e in self.escalations)

    @property
    def model_mode(self) -> str:
        return self.model["mode"]
