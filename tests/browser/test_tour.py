"""The tour notebook, run top to bottom in JupyterLab: every picture it shows comes up drawn."""

from __future__ import annotations

import json
import pathlib

import lab

TOUR = pathlib.Path(__file__).parent.parent.parent / "examples" / "tour.ipynb"


def test_every_widget_in_the_tour_is_drawn(page):
    server = page._tv_server
    (server.root / "tour.ipynb").write_text(TOUR.read_text())
    page.goto(server.url("/lab/tree/tour.ipynb?reset"))
    nb = lab.notebook(page)
    nb.locator(".jp-Cell").first.wait_for(state="visible")
    lab.dismiss_popups(page)
    lab.wait_kernel_idle(page)

    page.locator(".lm-MenuBar-itemLabel", has_text="Run").first.click()
    page.locator(".lm-Menu-itemLabel", has_text="Run All Cells").first.click()

    code_cells = sum(c["cell_type"] == "code" for c in json.loads(TOUR.read_text())["cells"])
    # All cells have run once every code cell has an execution count and the kernel is idle.
    page.wait_for_function(
        f"() => [...document.querySelectorAll('.jp-CodeCell .jp-InputArea-prompt')]"
        f".filter(p => /\\[\\d+\\]/.test(p.textContent)).length >= {code_cells}",
        timeout=120_000,
    )
    lab.wait_kernel_idle(page)
    errors = nb.locator(".jp-OutputArea-output[data-mime-type='application/vnd.jupyter.stderr']")
    tracebacks = [t for t in errors.all_inner_texts() if "Traceback" in t or "Error" in t]
    assert not tracebacks, tracebacks

    roots = nb.locator(lab.TENSOR_VIEW)
    count = roots.count()
    assert count >= 15, f"the tour shows {count} tensor views"
    for i in range(count):
        root = roots.nth(i)
        root.scroll_into_view_if_needed()  # views fetch their values once visible
        lab.wait_ready(root, timeout=30)
        label = root.get_attribute("aria-label") or ""
        assert "tensor of shape" in label, label
    lab.screenshot(roots.nth(3), "tour-cube")
    lab.screenshot(roots.nth(4), "tour-image-batch")
