"""The docs follow the code: generated parts of docs/ match what the commands generate now."""

from pathlib import Path

from ews.engine.cli import render_table
from ews.engine.describe import MARKER

ROOT = Path(__file__).resolve().parents[1]


def test_rules_doc_table_is_generated_from_the_default_rule_set():
    doc = (ROOT / "docs" / "rules.md").read_text(encoding="utf-8")
    assert MARKER in doc, "docs/rules.md lost the marker line of the generated table"
    written = doc.split(MARKER, 1)[1].strip()
    assert written == render_table(ROOT / "rules" / "tppo_pmi.yaml").strip(), (
        "docs/rules.md is stale: run `ews rules table rules/tppo_pmi.yaml --into docs/rules.md`")
