"""Put a line number on each rule-set validation error, for the draft editor.

The loader names the item an error is about ("indicator D1S", "track trafficking", "lists");
this finds that item's line in the YAML text. No loader change: the node tree of PyYAML's
safe composer carries the marks.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import yaml

from ews.engine.loader import RuleLoader

_YAML_LINE = re.compile(r"line (\d+), column \d+")
_ITEM = re.compile(r"^(indicator|escalation|track|list|action|band) #?(\S+?)(?:[:\s]|$)")
_SECTION = {"indicator": "indicators", "escalation": "escalations", "track": "tracks",
            "list": "lists", "action": "actions", "band": "tracks"}


@dataclass(frozen=True)
class LineError:
    """One validation error and the 1-based line it refers to (None: the whole text)."""

    line: int | None
    message: str


def _where(message: str, source: str) -> str:
    prefix = f"{source}: "
    return message[len(prefix):] if message.startswith(prefix) else message


def _index(text: str) -> dict[str, int]:
    """Return 'indicators' / 'indicator D1S'-style keys -> 1-based line."""
    try:  # the hardened loader: its depth and size limits hold here too
        root = yaml.compose(text, Loader=RuleLoader)  # noqa: S506 - a SafeLoader subclass
    except (yaml.YAMLError, ValueError, RecursionError):
        return {}  # the loader's own error already says what is wrong
    found: dict[str, int] = {}
    if not isinstance(root, yaml.MappingNode):
        return found
    for key, value in root.value:
        found.setdefault(key.value, key.start_mark.line + 1)
        if isinstance(value, yaml.SequenceNode):
            for pos, item in enumerate(value.value, start=1):
                found[f"{key.value}#{pos}"] = item.start_mark.line + 1
                if isinstance(item, yaml.MappingNode):
                    for k, v in item.value:
                        if k.value == "id" and isinstance(v, yaml.ScalarNode):
                            found.setdefault(f"{key.value} {v.value}", item.start_mark.line + 1)
        elif isinstance(value, yaml.MappingNode):
            for k, _v in value.value:
                found.setdefault(f"{key.value} {k.value}", k.start_mark.line + 1)
    return found


def locate(text: str, errors: list[str], source: str) -> list[LineError]:
    """Return the errors with the line of the item each one names, in line order."""
    index = _index(text)
    out = []
    for message in errors:
        where = _where(message, source)
        line = None
        yaml_line = _YAML_LINE.search(where)
        item = _ITEM.match(where)
        if yaml_line:
            line = int(yaml_line.group(1))
        elif item:
            kind, name = item.groups()
            section = _SECTION[kind]
            line = (index.get(f"{section}#{name}") if where.startswith(f"{kind} #")
                    else index.get(f"{section} {name}")) or index.get(section)
        elif where.startswith("top level: unknown key '"):
            line = index.get(where.split("'")[1])
        else:
            line = index.get(where.split(":", 1)[0].split(" ")[0])
        out.append(LineError(line, where))
    return sorted(out, key=lambda e: (e.line is None, e.line or 0))
