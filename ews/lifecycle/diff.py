"""What changed between two rule-set texts: a semantic diff beside the text diff (pure).

Indicators and escalations are matched by id; tracks by name (their bands compared as a
whole); lists by name (values added and removed); the model settings as a whole.
"""

from __future__ import annotations

import difflib
from dataclasses import dataclass

import yaml

from ews.engine.loader import RuleLoader

INDICATOR_KEYS = ("points", "when", "track", "severity", "dimension", "protective", "label",
                  "source")
ESCALATION_KEYS = ("min_action", "when", "label")


@dataclass(frozen=True)
class Change:
    """One semantic change: kind (added, removed, changed), what, and before/after text."""

    section: str  # indicators, escalations, tracks, lists, actions, model, ruleset
    kind: str
    item: str
    detail: str = ""
    before: str = ""
    after: str = ""


def _doc(text: str) -> dict:
    doc = yaml.load(text, Loader=RuleLoader)  # noqa: S506 - a SafeLoader subclass
    return doc if isinstance(doc, dict) else {}


def _short(value) -> str:
    return yaml.safe_dump(value, default_flow_style=True, sort_keys=False, width=10_000,
                          allow_unicode=True).strip().removesuffix("...").strip()


def _by_id(items) -> dict:
    return {i.get("id"): i for i in items or [] if isinstance(i, dict)}


def _items(section: str, old: list, new: list, keys: tuple[str, ...]) -> list[Change]:
    a, b = _by_id(old), _by_id(new)
    out = [Change(section, "removed", i, before=_short(a[i])) for i in a if i not in b]
    out += [Change(section, "added", i, after=_short(b[i])) for i in b if i not in a]
    for i in a.keys() & b.keys():
        for key in keys:
            if a[i].get(key) != b[i].get(key):
                out.append(Change(section, "changed", i, key, _short(a[i].get(key)),
                                  _short(b[i].get(key))))
    order = {i: n for n, i in enumerate(list(a) + [i for i in b if i not in a])}
    return sorted(out, key=lambda c: order.get(c.item, 0))


def semantic_diff(old_text: str, new_text: str) -> list[Change]:
    """Return the changes from `old_text` to `new_text` (both valid rule-set YAML)."""
    old, new = _doc(old_text), _doc(new_text)
    out: list[Change] = []
    meta_a, meta_b = old.get("ruleset") or {}, new.get("ruleset") or {}
    for key in ("id", "version", "description"):
        if meta_a.get(key) != meta_b.get(key):
            out.append(Change("ruleset", "changed", key, key, _short(meta_a.get(key)),
                              _short(meta_b.get(key))))
    out += _items("indicators", old.get("indicators"), new.get("indicators"), INDICATOR_KEYS)
    out += _items("escalations", old.get("escalations"), new.get("escalations"),
                  ESCALATION_KEYS)
    ta, tb = old.get("tracks") or {}, new.get("tracks") or {}
    for name in dict.fromkeys(list(ta) + list(tb)):
        if ta.get(name) != tb.get(name):
            out.append(Change("tracks", "changed", name, "bands",
                              _short((ta.get(name) or {}).get("bands")),
                              _short((tb.get(name) or {}).get("bands"))))
    la, lb = old.get("lists") or {}, new.get("lists") or {}
    for name in dict.fromkeys(list(la) + list(lb)):
        va, vb = la.get(name), lb.get(name)
        if va is None:
            out.append(Change("lists", "added", name, after=_short(vb)))
        elif vb is None:
            out.append(Change("lists", "removed", name, before=_short(va)))
        elif va != vb:
            gone = [v for v in va if v not in vb]
            came = [v for v in vb if v not in va]
            out.append(Change("lists", "changed", name, "values",
                              _short(gone) if gone else "", _short(came) if came else ""))
    for section in ("actions", "dimension_rule", "model"):
        if old.get(section) != new.get(section):
            out.append(Change(section, "changed", section, section, _short(old.get(section)),
                              _short(new.get(section))))
    return out


def text_diff(old_text: str, new_text: str, old_name: str = "live",
              new_name: str = "this version") -> list[str]:
    """Return the unified diff lines of two texts (three lines of context)."""
    return list(difflib.unified_diff(old_text.splitlines(), new_text.splitlines(),
                                     old_name, new_name, lineterm=""))
