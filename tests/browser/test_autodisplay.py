"""`%load_ext tensorviz` in a real JupyterLab page: a cell ending in a tensor shows a TensorView.

What a user sees, through the stable hooks: the view comes up ready, printing still prints text, a scalar stays a
number, and after `%unload_ext tensorviz` a tensor reads as text again.
"""

from __future__ import annotations

import lab
import pytest


@pytest.fixture(scope="module")
def nb(page):
    nb = lab.open_notebook(page, "autodisplay.ipynb")
    assert lab.run_print(page, "import torch\nprint('ok')") == "ok"
    return nb


def outputs(output) -> list[str]:
    """Each output of a cell, in order: "view" for a TensorView, else the text it shows."""
    shown = []
    for item in output.locator(".jp-OutputArea-output").all():
        shown.append("view" if item.locator(lab.TENSOR_VIEW).count() else item.inner_text().strip())
    return shown


def test_a_cell_ending_in_a_tensor_shows_a_view_after_load_ext(page, nb):
    before = lab.run_cell(page, "t = torch.arange(12.0).reshape(3, 4)\nt")
    assert outputs(before) == [lab.run_print(page, "print(repr(t))")]  # without the extension: torch's text
    loaded = lab.run_cell(page, "%load_ext tensorviz")
    assert lab.cell_text_output(loaded) == ""
    out = lab.run_cell(page, "t")
    root = lab.find_widget(out)
    lab.wait_ready(root)
    assert "float32 tensor of shape [3, 4]" in (root.get_attribute("aria-label") or "")
    assert outputs(out) == ["view"]
    lab.screenshot(root, "autodisplay-view")


def test_print_and_scalars_stay_text_while_loaded(page, nb):
    printed = lab.run_cell(page, "print(t)")
    assert outputs(printed) == [lab.run_print(page, "print(str(t))")]
    assert outputs(lab.run_cell(page, "t.sum()")) == ["tensor(66.)"]
    listed = lab.run_cell(page, "[t[0], t[1]]")
    assert outputs(listed) == [lab.run_print(page, "print(repr([t[0], t[1]]))")]


def test_unload_ext_gives_back_plain_text(page, nb):
    lab.run_cell(page, "%unload_ext tensorviz")
    out = lab.run_cell(page, "t * 2")
    assert outputs(out) == [lab.run_print(page, "print(repr(t * 2))")]
    # loading again works as the first time
    lab.run_cell(page, "%load_ext tensorviz")
    root = lab.find_widget(lab.run_cell(page, "t.T"))
    lab.wait_ready(root)
    assert "shape [4, 3]" in (root.get_attribute("aria-label") or "")
