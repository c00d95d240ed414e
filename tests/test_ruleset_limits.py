"""Hostile rule-set uploads: alias bombs, deep nesting and huge scalars are refused up front."""

from __future__ import annotations

import time

import pytest
from sqlalchemy import select

from ews.engine import RuleSetError, parse_ruleset
from ews.engine.loader import MAX_DEPTH
from ews.store.models import RuleSetRecord

from .rulesets import MINI, with_change


def problems(text: str) -> list[str]:
    with pytest.raises(RuleSetError) as info:
        parse_ruleset(text, source="test.yaml")
    return info.value.errors


def alias_bomb(where: str = "description") -> str:
    """Return a ~30 KB rule set whose nine levels of anchors expand to ~16 million items."""
    levels = [f"a0: &a0 [{', '.join(['xxxxxxxxxx'] * 2400)}]"]
    for i in range(1, 9):
        levels.append(f"a{i}: &a{i} [{', '.join([f'*a{i - 1}'] * 3)}]")
    bomb = "\n".join("  " + line for line in levels)
    if where == "lists":
        return MINI.replace("lists:\n", f"lists:\n{bomb}\n", 1)
    return MINI.replace("description: test}", "sources: {\n" + ",\n".join(levels)
                        + "}, description: *a8}", 1)


@pytest.mark.parametrize("where", ["description", "lists"])
def test_alias_bomb_is_refused_quickly_with_the_line(where):
    text = alias_bomb(where)
    assert 25_000 < len(text) < 40_000
    start = time.perf_counter()
    found = problems(text)
    assert time.perf_counter() - start < 1
    assert len(found) == 1 and "aliases" in found[0] and "line " in found[0]


def test_deep_yaml_is_refused_with_the_line():
    found = problems(MINI + "\nx: " + "[" * 2000 + "]" * 2000 + "\n")
    assert f"deeper than {MAX_DEPTH}" in found[0] and "line " in found[0]


def test_deeply_nested_not_is_refused():
    node: dict = {"field": "offer_unrealistic", "eq": True}
    for _ in range(3000):
        node = {"not": node}
    # Built as data (bypassing the YAML depth cap) to reach the condition compiler itself.
    from ews.engine.conditions import MAX_CONDITION_DEPTH, ConditionError, compile_condition

    with pytest.raises(ConditionError, match=f"deeper than {MAX_CONDITION_DEPTH}"):
        compile_condition(node, {}, False)
    text = MINI.replace("when: {field: job_changed, eq: true}",
                        "when: " + "{not: " * 40 + "{field: job_changed, eq: true}"
                        + "}" * 40, 1)
    assert any("indicator D1S" in p and "deeper than" in p for p in problems(text))


@pytest.mark.parametrize("path, value, message", [
    ("ruleset.description", "x" * 2001, "ruleset: 'description' is longer than 2000"),
    ("ruleset.description", ["a", "b"], "ruleset: 'description' must be {id: ..., en: ...}"),
    ("ruleset.description", {"id": "x" * 2001, "en": "y"},
     "ruleset: 'description' 'id' is longer than 2000"),
    ("indicators.0.source", {"id": "Sumber"}, "'source' must be {id: ..., en: ...}"),
    ("ruleset.version", "9" * 51, "ruleset: 'version' is longer than 50"),
    ("indicators.0.label", {"id": "x" * 301, "en": "y"}, "indicator D1S: label 'id' is "
     "longer than 300"),
    ("indicators.0.source", "s" * 501, "indicator D1S: 'source' is longer than 500"),
    ("indicators.0.id", "D" * 65, "indicator #1: 'id' is longer than 64"),
    ("lists.scam", ["KH", "M" * 101], "list scam: item 2 is longer than 100"),
    ("lists.scam", ["KH", ["MM"]], "list scam: item 2 must be a single value"),
    ("lists.scam", ["KH"] * 1001, "list scam: more than 1000 items"),
    ("lists." + "n" * 65, ["KH"], "lists: list names are texts of at most 64"),
    ("tracks.trafficking.bands.0.band", "b" * 17, "track trafficking band 1: 'band' is "
     "longer than 16"),
])
def test_every_scalar_is_checked_for_type_and_size(path, value, message):
    found = problems(with_change(path, value))
    assert any(p.startswith("test.yaml: ") and message in p for p in found), found


def test_document_size_is_capped():
    found = problems(MINI + "\n#" + "x" * 600_000 + "\n")
    assert "larger than" in found[0]


def test_upload_of_a_bomb_is_refused_and_the_list_is_unaffected(client, db, accounts):
    analyst = accounts["analyst"]
    resp = client.post("/api/v1/rulesets", json={"text": alias_bomb("lists")},
                       headers=analyst.headers)
    assert resp.status_code == 422 and resp.mimetype == "application/problem+json"
    assert "aliases" in resp.get_json()["errors"]["text"][0]
    deep = client.post("/api/v1/rulesets", headers=analyst.headers,
                       json={"text": MINI + "\nx: " + "[" * 2000 + "]" * 2000 + "\n"})
    assert deep.status_code == 422 and "deeper than" in deep.get_json()["errors"]["text"][0]
    assert db.scalars(select(RuleSetRecord.ruleset_id)).all() == ["tppo-pmi-default"]
    listing = client.get("/api/v1/rulesets", headers=accounts["officer"].headers)
    assert listing.status_code == 200 and len(listing.get_data()) < 10_000
