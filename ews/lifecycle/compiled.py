"""Stored rule sets, parsed: the live one and the one in shadow, cached by their sha256.

The request path asks the database which version is live on every call (one small query,
so an activation by any worker is seen at once) and parses a text only when its sha256 is
not in this process's cache yet.
"""

from __future__ import annotations

from ews.engine import RuleSet, parse_ruleset
from ews.store.db import Db
from ews.store.models import RuleSetRecord
from ews.store.rulesets import live_sha, office_rules, record_by_sha, shadow_row


class TextMismatch(RuntimeError):
    """A stored rule set's text does not hash to its sha256: changed behind the service."""


_COMPILED: dict[str, RuleSet] = {}
# The default of callers that may already know the version in shadow: find it.
LOOK_UP = "look up"


def compiled(row: RuleSetRecord) -> RuleSet:
    """Return the parsed rule set of a stored row (cached by its sha256).

    Keyed by content hash: a cache of immutable data, so workers never disagree about it;
    the (large) text is read from the database only on a miss, and hashed again: a text
    that no longer matches its sha256 is refused (TextMismatch), never scored with.
    """
    ruleset = _COMPILED.get(row.sha256)
    if ruleset is None:
        ruleset = parse_ruleset(row.text, source=f"ruleset {row.sha256[:12]}",
                                agencies=row.agencies_csv)
        if ruleset.sha256 != row.sha256:
            raise TextMismatch(f"rule set #{row.id}: the stored text hashes to "
                               f"{ruleset.sha256[:12]}, not to its sha256 {row.sha256[:12]}: "
                               "changed outside the lifecycle; refused")
        if len(_COMPILED) >= 16:
            _COMPILED.clear()
        _COMPILED[row.sha256] = ruleset
    return ruleset


def active_compiled(db: Db) -> RuleSet | None:
    """Return the parsed live rule set, or None; asks the database which one every call."""
    return _by_sha(db, live_sha(db))


def active_for_office(db: Db,
                      office_code: str) -> tuple[bool, RuleSet | None, tuple[int, str] | None]:
    """Return (office exists, live rule set or None, (row id, sha256) of the shadow or None).

    One round trip for the submit path; the shadow is parsed later, where its failure
    cannot fail the live request (`shadow_compiled`).
    """
    known, sha, shadow_pk, shadow_sha = office_rules(db, office_code)
    shadow = (shadow_pk, shadow_sha) if shadow_pk is not None else None
    return known, _by_sha(db, sha), shadow


def shadow_compiled(db: Db, found: tuple[int, str] | None | str = LOOK_UP
                    ) -> tuple[int, RuleSet] | None:
    """Return (row id, parsed rule set) of the version in shadow, or None.

    `found` is its (row id, sha256) when already read (`active_for_office`), else it is
    looked up (one small query).
    """
    if found == LOOK_UP:
        found = shadow_row(db)
    if found is None:
        return None
    return found[0], _by_sha(db, found[1])


def _by_sha(db: Db, sha: str | None) -> RuleSet | None:
    if sha is None:
        return None
    ruleset = _COMPILED.get(sha)
    return ruleset if ruleset is not None else compiled(record_by_sha(db, sha))
