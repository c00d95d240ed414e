"""No import circles between the modules of `ews/` (read with `ast`, nothing imported).

A circle works only while every module on it happens to be imported in a lucky order, and it
hides which layer depends on which. Function-level imports count: they are dependencies too.
"""

import subprocess
import sys

from tests.imports import ROOT, Import, components, cycles, graph


def _shown(cycle: tuple[str, ...]) -> str:
    return " -> ".join((*cycle, cycle[0]))


def test_no_import_circles_between_modules():
    found = sorted(cycles(graph()))
    assert not found, "import circles in ews/:\n" + "\n".join(_shown(c) for c in found)


def test_the_graph_finds_a_circle_through_a_function_level_import():
    edges = {"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}
    assert components(edges) == [["a", "b", "c"]]
    assert cycles(edges) == [("a", "b", "c")]


def test_function_level_and_relative_imports_are_read():
    seen = {(i.source, i.target): i for i in graph_imports()}
    # `ews/web/__init__.py` imports the review pages inside init_app, relatively.
    assert seen[("ews.web", "ews.web.rules")].in_function
    assert ("ews.web", "ews.web.pages") in seen  # `from . import ... pages`
    assert ("ews.api.reports", "ews.reports") in seen  # the package __init__ runs first


def graph_imports() -> tuple[Import, ...]:
    from tests.imports import imports

    return imports()


def test_starting_the_api_does_not_import_scikit_learn(tmp_path):
    code = ("import sys\nfrom ews import create_app\n"
            f"create_app({{'TESTING': True, 'DATABASE_URL': 'sqlite:///{tmp_path}/x.db', "
            "'SECRET_KEY': 's', 'PII_KEY': 'p', 'RULES_PATH': 'rules/tppo_pmi.yaml'})\n"
            "print(sorted(m for m in sys.modules if m.split('.')[0] == 'sklearn')[:3])\n")
    done = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True,
                          text=True, check=False, env={"PYTHONPATH": str(ROOT)})
    assert done.returncode == 0, done.stderr[-2000:]
    assert done.stdout.strip().splitlines()[-1] == "[]"
