"""The example notebooks, run top to bottom in JupyterLab: every picture they show comes up drawn."""

from __future__ import annotations

import json
import pathlib

import lab
import pytest

EXAMPLES = pathlib.Path(__file__).parent.parent.parent / "examples"


PLAYER = '.tensorviz[data-widget="op-player"]'


MONITOR = '.tensorviz[data-widget="memory-monitor"]'


@pytest.mark.parametrize(
    ("name", "views", "players", "monitors"),
    [
        ("tour", 15, 0, 0),
        ("operations", 3, 13, 0),
        ("shape_errors", 0, 16, 0),
        ("models", 0, 5, 0),
        ("memory", 0, 0, 2),
        ("creating", 15, 1, 0),
        ("training", 10, 1, 0),
        ("data", 6, 1, 0),
    ],
)
def test_every_view_in_an_example_notebook_is_drawn(page, name, views, players, monitors):
    server = page._tv_server
    source = EXAMPLES / f"{name}.ipynb"
    (server.root / source.name).write_text(source.read_text())
    page.goto(server.url(f"/lab/tree/{source.name}?reset"))
    nb = lab.notebook(page)
    nb.locator(".jp-Cell").first.wait_for(state="visible")
    lab.dismiss_popups(page)
    lab.wait_kernel_idle(page)

    page.locator(".lm-MenuBar-itemLabel", has_text="Run").first.click()
    page.locator(".lm-Menu-itemLabel", has_text="Run All Cells").first.click()

    code_cells = sum(c["cell_type"] == "code" for c in json.loads(source.read_text())["cells"])
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
    if name == "shape_errors":  # every failure is drawn and explained, its conflicting axes marked where it has any
        explained = nb.locator('[data-role="error"]')
        assert explained.count() >= 16, f"{explained.count()} failing steps explained"
        assert nb.locator('[data-conflict="true"]').count() >= 10

    roots = nb.locator(lab.TENSOR_VIEW)
    count = roots.count()
    assert count >= views, f"{source.name} shows {count} tensor views"
    for i in range(count):
        root = roots.nth(i)
        root.scroll_into_view_if_needed()  # views fetch their values once visible
        lab.wait_ready(root, timeout=30)
        label = root.get_attribute("aria-label") or ""
        assert "tensor of shape" in label, label
    watched = nb.locator(MONITOR)
    assert watched.count() >= monitors, f"{source.name} shows {watched.count()} memory monitors"
    for i in range(watched.count()):
        root = watched.nth(i)
        root.scroll_into_view_if_needed()
        lab.wait_ready(root, timeout=30)
        lab.screenshot(root, f"{name}-monitor-{i:02d}")
    played = nb.locator(PLAYER)
    assert played.count() >= players, f"{source.name} shows {played.count()} op players"
    for i in range(played.count()):
        root = played.nth(i)
        root.scroll_into_view_if_needed()
        lab.wait_ready(root, timeout=60)
        assert int(root.get_attribute("data-steps") or 0) >= 1, root.inner_text()[:300]
        # mid-way through its first step: elements in flight
        root.locator('input[type="range"]').first.evaluate(
            "el => { el.value = '0.5'; el.dispatchEvent(new Event('input', {bubbles: true})); }"
        )
        lab.screenshot(root, f"{name}-player-{i:02d}")
    if name == "tour":
        lab.screenshot(roots.nth(3), "tour-cube")
        lab.screenshot(roots.nth(4), "tour-image-batch")
    else:
        for i, cell in enumerate(nb.locator(".jp-CodeCell").all()):
            if cell.locator(lab.TENSOR_VIEW).count():
                lab.screenshot(cell.locator(".jp-OutputArea").first, f"{name}-{i:02d}")
