"""The docs follow the code: generated parts of docs/ match what the commands generate now."""

from pathlib import Path

from ews.engine.describe import MARKER, render_table

ROOT = Path(__file__).resolve().parents[1]


def test_rules_doc_table_is_generated_from_the_default_rule_set():
    doc = (ROOT / "docs" / "rules.md").read_text(encoding="utf-8")
    assert MARKER in doc, "docs/rules.md lost the marker line of the generated table"
    written = doc.split(MARKER, 1)[1].strip()
    assert written == render_table(ROOT / "rules" / "tppo_pmi.yaml").strip(), (
        "docs/rules.md is stale: run `ews rules table rules/tppo_pmi.yaml --into docs/rules.md`")


def test_design_doc_checklist_table_is_generated_from_the_registry():
    from ews.checklist.describe import END, MARKER, render_fields_table

    doc = (ROOT / "docs" / "design.md").read_text(encoding="utf-8")
    assert MARKER in doc and END in doc, "docs/design.md lost the markers of the table"
    written = doc.split(MARKER, 1)[1].split(END, 1)[0].strip()
    assert written == render_fields_table().strip(), (
        "docs/design.md is stale: run `python -m ews.checklist.describe`")



def _repository_files():
    import subprocess

    out = subprocess.run(["git", "ls-files", "-co", "--exclude-standard"], cwd=ROOT,
                         capture_output=True, text=True, check=True).stdout.split()
    return [p for p in out if not p.startswith("tests/browser/vendor/")
            and not p.endswith((".png", ".mo", ".ico"))]


def test_nothing_refers_to_documents_outside_the_repository():
    banned = ("DESIGN" + ".md", "../" + "shared", "/work/" + "shared")
    found = []
    for rel in _repository_files():
        path = ROOT / rel
        if not path.is_file():
            continue
        text = path.read_text(encoding="utf-8", errors="replace")
        found += [f"{rel}: {b}" for b in banned if b in text]
    assert found == []


def test_links_and_images_of_the_docs_exist():
    import re

    missing = []
    for doc in [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))]:
        for target in re.findall(r"\]\(([^)#\s]+)(?:#[^)]*)?\)", doc.read_text(encoding="utf-8")):
            if "://" in target:
                continue
            if not (doc.parent / target).exists():
                missing.append(f"{doc.relative_to(ROOT)} -> {target}")
    assert missing == []
