"""The analysts' notebooks run top to bottom on `ews demo` data (and stay output-free)."""

from pathlib import Path

import nbformat
import pytest
from nbclient import NotebookClient

from ews.demo.local import demo_database

NOTEBOOKS = sorted((Path(__file__).resolve().parent.parent / "notebooks").glob("*.ipynb"))


@pytest.fixture(scope="module")
def demo_url(tmp_path_factory):
    """Build the notebooks' small demo database once (what each builds when run alone)."""
    return demo_database(tmp_path_factory.mktemp("notebook-demo"), n=4000, seed=7)


def test_there_are_at_least_three_notebooks():
    assert len(NOTEBOOKS) >= 3


def test_demo_database_is_built_once_and_reused(demo_url, tmp_path):
    path = Path(demo_url.removeprefix("sqlite:///"))
    stamp = path.stat().st_mtime_ns
    assert demo_database(path.parent) == demo_url and path.stat().st_mtime_ns == stamp
    with pytest.raises(RuntimeError, match="ews demo failed"):
        demo_database(tmp_path / "bad", offices="P")  # an office code of one letter


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.stem)
def test_notebook_runs_on_demo_data_and_is_stored_without_outputs(path, demo_url,
                                                                  monkeypatch):
    nb = nbformat.read(path, as_version=4)
    assert all(not c.get("outputs") and not c.get("execution_count")
               for c in nb.cells if c.cell_type == "code"), "clear the outputs before committing"
    source = "\n".join(c.source for c in nb.cells if c.cell_type == "code")
    assert "demo_database(" in source and "synthetic" not in source
    monkeypatch.setenv("EWS_NOTEBOOK_DATABASE_URL", demo_url)
    NotebookClient(nb, timeout=300, kernel_name="python3",
                   resources={"metadata": {"path": str(path.parent)}}).execute()
    outputs = [o for c in nb.cells if c.cell_type == "code" for o in c.get("outputs", [])]
    assert outputs and not any(o.get("output_type") == "error" for o in outputs)
    assert "4000 interviews" in str(outputs[0]) + str(outputs[1:3])


def test_the_model_notebook_chooses_its_estimator_on_a_validation_period():
    nb = nbformat.read(next(p for p in NOTEBOOKS if p.stem.startswith("03_")), as_version=4)
    source = "\n".join(c.source for c in nb.cells if c.cell_type == "code")
    # the comparison runs on the last training months (ews.learn.selection), never on the
    # test period whose figures the card then reports
    assert "choose_and_evaluate(" in source and ".pr_auc)" not in source
