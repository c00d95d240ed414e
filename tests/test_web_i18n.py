"""Every page string has an Indonesian translation (and every translation a page string), and
the shipped .mo matches the .po."""

import subprocess
import sys
from pathlib import Path

import pytest
from babel.messages.mofile import read_mo
from babel.messages.pofile import read_po

ROOT = Path(__file__).resolve().parents[1]
PO = ROOT / "ews/translations/id/LC_MESSAGES/messages.po"
MO = PO.with_suffix(".mo")


@pytest.fixture(scope="module")
def extracted(tmp_path_factory):
    pot = tmp_path_factory.mktemp("i18n") / "messages.pot"
    pybabel = Path(sys.executable).with_name("pybabel")
    subprocess.run([str(pybabel), "-q", "extract", "-F", "babel.cfg", "-k", "_l", "-o",
                    str(pot), "."], cwd=ROOT, check=True)
    with pot.open("rb") as fh:
        return read_po(fh)


def test_every_message_is_translated(extracted):
    with PO.open("rb") as fh:
        catalog = read_po(fh)
    missing = []
    for m in extracted:
        if not m.id:
            continue
        t = catalog.get(m.id)
        strings = t.string if t is not None and isinstance(t.string, tuple) else (
            (t.string,) if t is not None else ("",))
        if t is None or not all(strings) or t.fuzzy:
            missing.append(m.id)
    assert not missing, f"untranslated in {PO.name}: {missing}"
    # and nothing else: an entry no page uses any more is a stale text nobody checks
    used = {m.id if isinstance(m.id, str) else m.id[0] for m in extracted if m.id}
    unused = [m.id for m in catalog if m.id and (m.id if isinstance(m.id, str)
                                                 else m.id[0]) not in used]
    assert not unused, f"unused in {PO.name} (delete them): {unused}"


def _table(catalog) -> dict:
    return {tuple(m.id) if isinstance(m.id, list | tuple) else m.id:
            tuple(m.string) if isinstance(m.string, list | tuple) else m.string
            for m in catalog if m.id}


def test_compiled_catalog_is_current():
    with PO.open("rb") as fh:
        po = _table(read_po(fh))
    with MO.open("rb") as fh:
        mo = _table(read_mo(fh))
    assert mo == po, "run: .venv/bin/pybabel compile -d ews/translations"
