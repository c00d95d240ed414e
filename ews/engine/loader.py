"""Load and validate a rule set completely before it can be used (docs/design.md, Rule sets).

Every problem is collected, not just the first, and each message names the file, the item
(indicator, escalation, band...) and the problem. YAML is read with a safe loader, so a
Python tag is an error and nothing in the file runs. Uploads come from users: anchors and
aliases are refused before any object is built (a few KB of nested aliases expand to
millions of items), nesting and the document are capped, and every scalar is checked for
type and length.
"""

from __future__ import annotations

import dataclasses
import hashlib
import re
from pathlib import Path
from types import MappingProxyType

import yaml

from .agencies import parse_agencies
from .conditions import DIMENSIONS, Compiled, ConditionError, compile_condition
from .ruleset import (  # noqa: F401 - re-exported: callers import the ladder from here
    ILO_2009,
    LADDER,
    MODEL_MODES,
    PROTECTION_RUNG,
    PROTECTIVE_CAP,
    REVIEW_RUNG,
    SEVERITIES,
    TRACKS,
    Action,
    Band,
    Escalation,
    Gate,
    Indicator,
    RuleSet,
    RuleSetError,
)

TOP_KEYS = {"ruleset", "lists", "actions", "tracks", "dimension_rule", "indicators",
            "escalations", "model", "min_completeness", "combined_tracks",
            "licensed_agencies", "manning_agencies"}
# The agency lists a rule set may name, beside it: licensed P3MI, licensed ship manning agencies.
LIST_KEYS = ("licensed_agencies", "manning_agencies")
INDICATOR_KEYS = {"id", "track", "dimension", "severity", "points", "when", "label", "source",
                  "protective", "min_action"}
ESCALATION_KEYS = {"id", "when", "min_action", "label", "source"}
MAX_BYTES = 512 * 1024  # the shipped rule set is ~32 KB
MAX_DEPTH = 64  # YAML nesting; conditions have their own, lower cap
MAX_SCALAR = 5000  # any single scalar; the fields below have tighter limits
LIMITS = {"id": 64, "ruleset_id": 100, "version": 50, "description": 2000, "label": 300,
          "source": 500, "band": 16, "list_item": 100}
MAX_LIST_ITEMS = 1000
# sha256 -> the rule set parsed from those bytes, in this process. Parsing is a pure function
# of the bytes and its result immutable, so the (~50-200 ms) parse of a text already seen is
# skipped: a register after a load, every worker's first request, each test's app.
_PARSED: dict[str, RuleSet] = {}


class RuleLoader(yaml.SafeLoader):
    """A safe loader: no aliases or anchors, capped nesting and scalars, no duplicate keys."""

    def __init__(self, stream) -> None:
        super().__init__(stream)
        self.depth = 0

    def compose_node(self, parent, index):
        event = self.peek_event()
        if isinstance(event, yaml.AliasEvent) or event.anchor is not None:
            raise yaml.composer.ComposerError(
                None, None, "anchors and aliases (&name, *name) are not allowed in a rule set",
                event.start_mark)
        if self.depth >= MAX_DEPTH:
            raise yaml.composer.ComposerError(
                None, None, f"nested deeper than {MAX_DEPTH} levels", event.start_mark)
        self.depth += 1
        try:
            node = super().compose_node(parent, index)
        finally:
            self.depth -= 1
        if isinstance(node, yaml.ScalarNode) and len(node.value) > MAX_SCALAR:
            raise yaml.composer.ComposerError(
                None, None, f"a value is longer than {MAX_SCALAR} characters", node.start_mark)
        return node

    def construct_mapping(self, node, deep=False):
        seen = set()
        for key_node, _ in node.value:
            key = self.construct_object(key_node, deep=deep)
            if key in seen:
                raise yaml.constructor.ConstructorError(
                    None, None, f"duplicate key {key!r}", key_node.start_mark)
            seen.add(key)
        return super().construct_mapping(node, deep)


# YAML 1.2 booleans: only true/false. YAML 1.1 would read `mode: off` or `eq: no` (an enum
# value of purpose_explained) as booleans, a trap for rule authors.
RuleLoader.yaml_implicit_resolvers = {
    first: [(tag, regexp) for tag, regexp in resolvers if tag != "tag:yaml.org,2002:bool"]
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}
RuleLoader.add_implicit_resolver(
    "tag:yaml.org,2002:bool", re.compile(r"^(?:true|True|TRUE|false|False|FALSE)$"),
    list("tTfF"))


# The default rule set shipped in this checkout (EWS_RULES_PATH is read by `ews.config`).
SHIPPED_RULES = Path(__file__).resolve().parents[2] / "rules" / "tppo_pmi.yaml"


def load_ruleset(path: str | Path) -> RuleSet:
    """Read, validate and compile the rule set in a YAML file (and its agency list files)."""
    data, agencies = ruleset_files(path)
    return parse_ruleset(data, source=str(path), agencies=agencies)


def ruleset_files(path: str | Path) -> tuple[bytes, bytes | None]:
    """Return a rule-set file's bytes and those of the agency lists it names (None if none).

    The P3MI list alone is its own bytes, as always; with a manning-agency list too, the
    lists travel as one text, each file after a line `#@ file NAME` (`split_lists`).
    """
    path = Path(path)
    data = _read(path)
    names = {m.group(1).decode(): m.group(2).decode("utf-8", "replace")
             for m in _LIST_FILE.finditer(data)}
    files = [(names[k], _read(path.parent / names[k])) for k in LIST_KEYS if k in names]
    if not files:
        return data, None
    if list(names) == ["licensed_agencies"]:
        return data, files[0][1]
    return data, b"".join(b"#@ file " + name.encode() + b"\n" + body.rstrip(b"\n") + b"\n"
                          for name, body in files)


_LIST_FILE = re.compile(rb"^(licensed_agencies|manning_agencies):\s*['\"]?([\w./-]+?)['\"]?"
                        rb"\s*(?:#.*)?$", re.MULTILINE)
_FILE_MARK = "#@ file "


def split_lists(text: str | None, names: dict) -> dict[str, str | None]:
    """Return {list key: its CSV text} from the agency-list text a rule set travels with.

    `names` maps the list keys the rule set uses to their file names. A text without `#@ file`
    lines is the P3MI list alone (every rule set stored before manning lists existed).
    """
    if text is None:
        return dict.fromkeys(names)
    if not text.startswith(_FILE_MARK):
        return {k: (text if k == "licensed_agencies" else None) for k in names}
    parts: dict[str, list[str]] = {}
    current = None
    for line in text.splitlines():
        if line.startswith(_FILE_MARK):
            current = parts.setdefault(line[len(_FILE_MARK):].strip(), [])
        elif current is not None:
            current.append(line)
    return {k: "\n".join(parts[name]) + "\n" if name in parts else None
            for k, name in names.items()}


def _read(path: Path) -> bytes:
    try:
        return path.read_bytes()
    except OSError as exc:
        raise RuleSetError([f"{path}: cannot read: {exc.strerror}"]) from None


def ruleset_sha256(raw: bytes, agencies: bytes | None) -> str:
    """Return a rule set's identity: the SHA-256 of its YAML bytes (and of its P3MI list)."""
    digest = hashlib.sha256(raw)
    if agencies is not None:
        digest.update(b"\0" + agencies)
    return digest.hexdigest()


def parse_ruleset(data: str | bytes, source: str = "<rule set>",
                  agencies: str | bytes | None = None) -> RuleSet:
    """Validate and compile rule-set YAML text; raise RuleSetError listing every problem.

    `agencies` is the text of the P3MI list CSV that `licensed_agencies` names.
    """
    raw = data.encode() if isinstance(data, str) else data
    agencies_raw = agencies.encode() if isinstance(agencies, str) else agencies
    if len(raw) > MAX_BYTES:
        raise RuleSetError([f"{source}: larger than {MAX_BYTES // 1024} KB: not a rule set"])
    sha256 = ruleset_sha256(raw, agencies_raw)
    known = _PARSED.get(sha256)
    if known is not None:
        return known if known.source == source else dataclasses.replace(known, source=source)
    try:
        text = raw.decode("utf-8")
        agencies_text = None if agencies_raw is None else agencies_raw.decode("utf-8")
        doc = yaml.load(text, Loader=RuleLoader)  # noqa: S506 - a SafeLoader subclass
    except UnicodeDecodeError:
        raise RuleSetError([f"{source}: not UTF-8 text"]) from None
    except yaml.YAMLError as exc:
        problem = str(exc).replace("\n", " ")
        raise RuleSetError([f"{source}: not a valid rule-set YAML: {problem}"]) from None
    ruleset = _Builder(source, text, sha256).build(doc, agencies_text)
    if len(_PARSED) >= 16:
        _PARSED.clear()
    _PARSED[sha256] = ruleset
    return ruleset


def _label(value) -> MappingProxyType | None:
    if isinstance(value, dict) and all(isinstance(value.get(k), str) and value.get(k)
                                       for k in ("id", "en")):
        return MappingProxyType(dict(value))
    return None


def _text(value) -> MappingProxyType | None:
    """Return a bilingual text: {id, en} as a label, or a plain string (older rule sets) in
    both languages; None when it is neither."""
    if isinstance(value, str) and value.strip():
        return MappingProxyType({"id": value, "en": value})
    return _label(value)


def _too_long(value, limit: str) -> str | None:
    """Return why a text value breaks its length limit, or None."""
    if isinstance(value, str) and len(value) > LIMITS[limit]:
        return f"is longer than {LIMITS[limit]} characters"
    return None


class _Builder:
    def __init__(self, source: str, text: str, sha256: str) -> None:
        self.source, self.text, self.sha256 = source, text, sha256
        self.errors: list[str] = []

    def error(self, where: str, problem: str) -> None:
        self.errors.append(f"{self.source}: {where}: {problem}")

    def build(self, doc, agencies_text: str | None = None) -> RuleSet:
        if not isinstance(doc, dict):
            raise RuleSetError([f"{self.source}: the rule set must be a YAML mapping"])
        for key in sorted(set(doc) - TOP_KEYS):
            self.error("top level", f"unknown key '{key}'")
        meta = self.meta(doc.get("ruleset"))
        lists = self.lists(doc.get("lists") or {})
        actions = self.actions(doc.get("actions"))
        tracks = {t: self.bands(t, (doc.get("tracks") or {}).get(t)) for t in TRACKS}
        for t in sorted(set(doc.get("tracks") or {}) - set(TRACKS)):
            self.error(f"track {t}", f"unknown track (one of: {', '.join(TRACKS)})")
        caps = self.track_caps(doc.get("tracks"), lists)
        combos = self.dimension_rule(doc.get("dimension_rule", "ilo_2009"))
        seen: set[str] = set()
        indicators = [self.indicator(i, item, lists, seen)
                      for i, item in enumerate(self.seq(doc, "indicators"))]
        escalations = [self.escalation(i, item, lists, seen)
                       for i, item in enumerate(self.seq(doc, "escalations"))]
        model = self.model(doc.get("model") or {"mode": "off"})
        min_completeness = self.min_completeness(doc.get("min_completeness"))
        combined = self.combined(doc.get("combined_tracks"))
        names = {k: doc[k] for k in LIST_KEYS if isinstance(doc.get(k), str)}
        texts = split_lists(agencies_text, names)
        agencies = self.agencies("licensed_agencies", doc.get("licensed_agencies"),
                                 texts.get("licensed_agencies"))
        manning = self.agencies("manning_agencies", doc.get("manning_agencies"),
                                texts.get("manning_agencies"))
        if not indicators:
            self.error("indicators", "a rule set needs at least one indicator")
        if self.errors:
            raise RuleSetError(self.errors)
        return RuleSet(id=meta["id"], version=str(meta["version"]),
                       description=meta.get("description") or None, sha256=self.sha256,
                       text=self.text, source=self.source,
                       lists=MappingProxyType({k: tuple(v) for k, v in lists.items()}),
                       actions=tuple(actions), tracks=MappingProxyType(tracks),
                       track_caps=MappingProxyType(caps),
                       combinations=tuple(MappingProxyType(c) for c in combos),
                       indicators=tuple(indicators), escalations=tuple(escalations),
                       model=MappingProxyType(model), min_completeness=min_completeness,
                       combined_tracks=combined, agencies=agencies, manning=manning,
                       agencies_text=agencies_text if names else None)

    def seq(self, doc: dict, key: str) -> list:
        value = doc.get(key) or []
        if not isinstance(value, list):
            self.error(key, "must be a list")
            return []
        return value

    def meta(self, meta) -> dict:
        if not isinstance(meta, dict):
            self.error("ruleset", "missing: give {id, version, description}")
            return {"id": "", "version": ""}
        for key in ("id", "version"):
            if isinstance(meta.get(key), bool) or not isinstance(meta.get(key), str | int | float) \
                    or meta.get(key) == "":
                self.error("ruleset", f"'{key}' is required")
                meta = meta | {key: ""}
            elif problem := _too_long(str(meta[key]), "ruleset_id" if key == "id" else key):
                self.error("ruleset", f"'{key}' {problem}")
        description = meta.get("description", "")
        if description != "":
            meta = meta | {"description": self.text_field("ruleset", "description",
                                                          description)}
        sources = meta.get("sources", [])
        if not isinstance(sources, list) or not all(
                _text(x) is not None and not any(_too_long(t, "source")
                                                 for t in _text(x).values()) for x in sources):
            self.error("ruleset", f"'sources' must be a list of texts ({{id: ..., en: ...}} or "
                                  f"one text) of at most {LIMITS['source']} characters")
        for key in sorted(set(meta) - {"id", "version", "description", "sources"}):
            self.error("ruleset", f"unknown key '{key}'")
        return meta

    def lists(self, lists) -> dict:
        if not isinstance(lists, dict):
            self.error("lists", "must map list names to lists of values")
            return {}
        good = {}
        for name, values in lists.items():
            if not isinstance(name, str) or _too_long(name, "id"):
                self.error("lists", f"list names are texts of at most {LIMITS['id']} "
                                    f"characters")
            elif not isinstance(values, list) or not values:
                self.error(f"list {name}", "must be a non-empty list")
            elif len(values) > MAX_LIST_ITEMS:
                self.error(f"list {name}", f"more than {MAX_LIST_ITEMS} items")
            elif bad := self.list_items(f"list {name}", values):
                self.errors.extend(bad)
            elif len(set(map(repr, values))) != len(values):
                self.error(f"list {name}", "has a value twice")
            else:
                good[name] = values
        return good

    def list_items(self, where: str, values: list) -> list[str]:
        """Return a problem for each list item that is not a short single value."""
        out = []
        for n, value in enumerate(values, 1):
            if not isinstance(value, str | int | float | bool):
                out.append(f"{self.source}: {where}: item {n} must be a single value")
            elif problem := _too_long(value, "list_item"):
                out.append(f"{self.source}: {where}: item {n} {problem}")
        return out

    def text_field(self, where: str, key: str, value) -> MappingProxyType | None:
        """Return a bilingual text ({id, en}, or one text for both); record problems."""
        text = _text(value)
        if text is None:
            self.error(where, f"'{key}' must be {{id: ..., en: ...}} (or one text)")
            return None
        for lang, part in text.items():
            if problem := _too_long(part, key):
                self.error(where, f"'{key}' {problem}" if isinstance(value, str)
                           else f"'{key}' '{lang}' {problem}")
                return None
        return text

    def label(self, where: str, label: MappingProxyType) -> MappingProxyType | None:
        """Return `label` when its texts are within limits; record problems otherwise."""
        for key, text in label.items():
            if not isinstance(text, str):
                self.error(where, f"label '{key}' must be text")
                return None
            if problem := _too_long(text, "label"):
                self.error(where, f"label '{key}' {problem}")
                return None
        return label

    def actions(self, actions) -> list[Action]:
        ids = [a.get("id") if isinstance(a, dict) else a for a in actions or []]
        if tuple(ids) != LADDER:
            self.error("actions", f"must be the ladder, lowest rung first: {', '.join(LADDER)}")
        out = []
        for rung, action_id in enumerate(LADDER):
            item = next((a for a in actions or [] if isinstance(a, dict)
                         and a.get("id") == action_id), {})
            label = _label(item.get("label"))
            if item and label is None:
                self.error(f"action {action_id}", "needs label: {id: ..., en: ...}")
            elif label is not None:
                label = self.label(f"action {action_id}", label)
            out.append(Action(action_id, rung, label or MappingProxyType({})))
        return out

    def rung(self, where: str, action_id) -> int:
        if action_id not in LADDER:
            self.error(where, f"unknown action '{action_id}'")
            return 0
        return LADDER.index(action_id)

    def bands(self, track: str, spec) -> tuple[Band, ...]:
        where = f"track {track}"
        bands = spec.get("bands") if isinstance(spec, dict) else None
        if not isinstance(bands, list) or not bands:
            self.error(where, "needs a non-empty list 'bands'")
            return ()
        out, last = [], 0
        for i, b in enumerate(bands):
            here = f"{where} band {i + 1}"
            if not isinstance(b, dict) or not isinstance(b.get("band"), str) or not b["band"]:
                self.error(here, "needs {below: N, band: NAME, action: ACTION}")
                continue
            if problem := _too_long(b["band"], "band"):
                self.error(here, f"'band' {problem}")
                continue
            here = f"{where} band '{b['band']}'"
            below = b.get("below")
            if i < len(bands) - 1 and below is None:
                self.error(here, "has no 'below' limit, so the bands after it are unreachable")
            if i == len(bands) - 1 and below is not None:
                self.error(here, f"is the last band but ends below {below}: scores "
                                 f"{below}-100 would have no band")
            if below is not None:
                if isinstance(below, bool) or not isinstance(below, int) or not 0 < below <= 100:
                    self.error(here, f"'below' must be a whole number 1-100; got {below!r}")
                elif below <= last:
                    self.error(here, f"'below' must increase ({below} after {last}): "
                                     f"the band is unreachable")
                else:
                    last = below
            rung = self.rung(here, b.get("action"))
            if out and rung < out[-1].rung:
                self.error(here, "its action is lower than the band before it")
            out.append(Band(below, b["band"], rung))
        return tuple(out)

    def track_caps(self, tracks, lists: dict) -> dict:
        """Return {track: condition} of the tracks whose points rise above supervisor_review
        only where the condition holds (`above_review_needs`)."""
        caps = {}
        for name, spec in (tracks or {}).items() if isinstance(tracks, dict) else ():
            if name not in TRACKS or not isinstance(spec, dict):
                continue
            for key in sorted(set(spec) - {"bands", "above_review_needs"}):
                self.error(f"track {name}", f"unknown key '{key}'")
            if "above_review_needs" in spec:
                test = self.condition(f"track {name} above_review_needs",
                                      spec["above_review_needs"], lists, allow_dims=False)
                if test is not None:
                    caps[name] = test
        return caps

    def dimension_rule(self, rule) -> tuple[dict, ...]:
        if rule == "ilo_2009":
            return ILO_2009
        combos = rule.get("combinations") if isinstance(rule, dict) else None
        if (not isinstance(combos, list) or not combos
                or not all(isinstance(c, dict) and c and set(c) <= set(SEVERITIES)
                           and all(isinstance(n, int) and n > 0 for n in c.values())
                           for c in combos)):
            self.error("dimension_rule", "must be 'ilo_2009' or {combinations: [{strong: 2}, "
                                         "{medium: 2, weak: 1}, ...]}")
            return ILO_2009
        return tuple(combos)

    def common(self, where: str, item: dict, keys: set, seen: set) -> None:
        for key in sorted(set(item) - keys):
            self.error(where, f"unknown key '{key}'")
        if item.get("id") in seen:
            self.error(where, "duplicate id")
        seen.add(item.get("id"))

    def condition(self, where: str, node, lists: dict, allow_dims: bool) -> Compiled | None:
        if node is None:
            self.error(where, "needs a 'when' condition")
            return None
        try:
            return compile_condition(node, lists, allow_dims)
        except ConditionError as exc:
            self.error(where, str(exc))
            return None

    def indicator(self, i: int, item, lists: dict, seen: set) -> Indicator | None:
        if not isinstance(item, dict) or not isinstance(item.get("id"), str):
            self.error(f"indicator #{i + 1}", "needs a string 'id'")
            return None
        if problem := _too_long(item["id"], "id"):
            self.error(f"indicator #{i + 1}", f"'id' {problem}")
            return None
        where = f"indicator {item['id']}"
        self.common(where, item, INDICATOR_KEYS, seen)
        protective = item.get("protective", False)
        if not isinstance(protective, bool):
            self.error(where, "'protective' must be true or false")
        track = item.get("track", "trafficking" if protective else None)
        if track not in TRACKS:
            self.error(where, f"unknown track '{track}' (one of: {', '.join(TRACKS)})")
        dimension = item.get("dimension")
        if dimension is not None and dimension not in DIMENSIONS:
            self.error(where, f"unknown dimension '{dimension}' (one of: {', '.join(DIMENSIONS)})")
        severity = item.get("severity", "weak" if protective else None)
        if severity not in SEVERITIES:
            self.error(where, f"severity must be one of: {', '.join(SEVERITIES)}")
        points = item.get("points", 0 if protective else None)
        if isinstance(points, bool) or not isinstance(points, int) or not 0 <= points <= 100:
            self.error(where, f"'points' must be a whole number 0-100; got {points!r}")
        label = _label(item.get("label"))
        if label is None:
            self.error(where, "needs label: {id: ..., en: ...}")
        else:
            label = self.label(where, label)
        source = None
        if item.get("source") in (None, "") or item.get("source") == {}:
            self.error(where, "needs a 'source' citing where the indicator comes from")
        else:
            source = self.text_field(where, "source", item["source"])
        rung = self.rung(where, item["min_action"]) if "min_action" in item else 0
        if protective and rung > PROTECTIVE_CAP:
            self.error(where, "a protective indicator may not raise the action above "
                              "in_depth_interview")
        test = self.condition(where, item.get("when"), lists, allow_dims=False)
        if test is None or label is None or source is None:
            return None
        return Indicator(i, item["id"], track, dimension, severity, points, protective, label,
                         source, test, rung)

    def escalation(self, i: int, item, lists: dict, seen: set) -> Escalation | None:
        if not isinstance(item, dict) or not isinstance(item.get("id"), str):
            self.error(f"escalation #{i + 1}", "needs a string 'id'")
            return None
        if problem := _too_long(item["id"], "id"):
            self.error(f"escalation #{i + 1}", f"'id' {problem}")
            return None
        where = f"escalation {item['id']}"
        self.common(where, item, ESCALATION_KEYS, seen)
        rung = self.rung(where, item.get("min_action"))
        label = _label(item.get("label")) if "label" in item else MappingProxyType({})
        if label is None:
            self.error(where, "label must be {id: ..., en: ...}")
        elif label:
            label = self.label(where, label)
        if "source" in item:
            self.text_field(where, "source", item["source"])
        test = self.condition(where, item.get("when"), lists, allow_dims=True)
        if test and test.dimensions == {"abuse_of_vulnerability"} and rung > PROTECTIVE_CAP:
            self.error(where, "a protective dimension alone may not raise the action above "
                              "in_depth_interview")
        if test is None or label is None:
            return None
        return Escalation(item["id"], rung, label, test)

    def min_completeness(self, spec) -> Gate | None:
        if spec is None:
            return None
        below = spec.get("below") if isinstance(spec, dict) else None
        if isinstance(below, bool) or not isinstance(below, int | float) or not 0 < below <= 1:
            self.error("min_completeness", "'below' must be a share between 0 and 1")
            return None
        return self.gate("min_completeness", spec, {"below", "min_action", "label"},
                         float(below))

    def combined(self, spec) -> Gate | None:
        if spec is None:
            return None
        if not isinstance(spec, dict):
            self.error("combined_tracks", "must be {both_at_least: ACTION, min_action: ACTION}")
            return None
        both = self.rung("combined_tracks", spec.get("both_at_least"))
        return self.gate("combined_tracks", spec, {"both_at_least", "min_action", "label"},
                         both)

    def gate(self, where: str, spec: dict, keys: set, value) -> Gate | None:
        for key in sorted(set(spec) - keys):
            self.error(where, f"unknown key '{key}'")
        rung = self.rung(where, spec.get("min_action"))
        label = _label(spec.get("label"))
        if label is None:
            self.error(where, "needs label: {id: ..., en: ...}")
            return None
        return Gate(where, value, rung, label)

    def agencies(self, key: str, name, text: str | None) -> MappingProxyType:
        """Return the agency list `key` names ({normalised name: licence}); record problems."""
        if name is None:
            return MappingProxyType({})
        if not isinstance(name, str) or not name.endswith(".csv"):
            self.error(key, "must name a CSV file beside the rule set")
        elif text is None:
            self.error(key, f"the list file '{name}' was not supplied")
        else:
            table, errors = parse_agencies(text, name)
            self.errors.extend(f"{self.source}: {e}" for e in errors)
            return table
        return MappingProxyType({})

    def model(self, model) -> dict:
        if not isinstance(model, dict) or model.get("mode") not in MODEL_MODES:
            self.error("model", f"'mode' must be one of: {', '.join(MODEL_MODES)}")
            return {"mode": "off"}
        for key in sorted(set(model) - {"mode", "threshold", "action", "path"}):
            self.error("model", f"unknown key '{key}'")
        if model["mode"] == "off":
            return dict(model)
        threshold = model.get("threshold")
        if isinstance(threshold, bool) or not isinstance(threshold, int | float) \
                or not 0 < threshold < 1:
            self.error("model", "'threshold' must be a probability between 0 and 1")
        action = model.get("action", "supervisor_review")
        if self.rung("model", action) > REVIEW_RUNG:  # a model advises people; it never defers
            self.error("model", f"'action' may raise a result at most to "
                                f"{LADDER[REVIEW_RUNG]}; got '{action}'")
        return dict(model) | {"action": action}
