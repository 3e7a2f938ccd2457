"""Every example notebook runs top to bottom in a fresh kernel without an error."""

from __future__ import annotations

import pathlib

import nbformat
import pytest
from nbclient import NotebookClient

EXAMPLES = sorted((pathlib.Path(__file__).parent.parent / "examples").glob("*.ipynb"))
PICTURES = {"models": 5, "memory": 3, "data": 7}  # how many widgets a notebook shows at least (default 8)


@pytest.mark.parametrize("path", EXAMPLES, ids=[p.stem for p in EXAMPLES])
def test_example_notebook_runs(path):
    nb = nbformat.read(path, as_version=4)
    assert nb.metadata.get("kernelspec", {}).get("name") == "python3", "JupyterLab would ask for a kernel"
    NotebookClient(nb, timeout=120, kernel_name="python3", resources={"metadata": {"path": str(path.parent)}}).execute()
    errors = [o for c in nb.cells if c.cell_type == "code" for o in c.get("outputs", []) if o.output_type == "error"]
    assert not errors, errors
    widgets = sum(
        "application/vnd.jupyter.widget-view+json" in o.get("data", {}) for c in nb.cells for o in c.get("outputs", [])
    )
    assert widgets >= PICTURES.get(path.stem, 8), f"{path.name} should display its pictures"


def test_there_is_a_tour_and_a_lesson_for_operations_errors_and_models():
    names = {p.name for p in EXAMPLES}
    assert {"tour.ipynb", "operations.ipynb", "shape_errors.ipynb", "models.ipynb"} <= names
