"""Zooming into a large face in a real JupyterLab page, the way a user does it.

The user drags a rectangle on a block-reduced 2048 × 2048 face until its cells are exact, reads a value in the
tooltip, and resets the zoom. Everything asserted is read through the stable hooks (root `.tensorviz` with
`data-state`, `[data-axis]`, `[data-role="tooltip"]`, the `Reset zoom` button) and visible text; the truth about
values is printed by the kernel.
"""

from __future__ import annotations

import re

import lab
import numpy as np
import pytest

SPAN_RE = re.compile(r"(rows|columns)\s+(\d+)\s*[–-]\s*(\d+)\s+of\s+(\d+)")


def f32(s: str) -> np.float32:
    return np.float32(float(s.replace("\u2212", "-")))


def assert_same_f32(shown: str | None, truth: str, what: str = "") -> None:
    assert shown is not None, f"tooltip shows no value {what}"
    a, b = f32(shown), f32(truth)
    assert a == b or (np.isnan(a) and np.isnan(b)), f"tooltip shows {shown} but the kernel says {truth} {what}"


def shown_span(root, axis: int):
    """(first, last) index an axis label says is visible (`rows 1024–1535 of 2048`), or None when it shows no span."""
    text = root.locator(f'[data-axis="{axis}"]').first.inner_text()
    m = SPAN_RE.search(text)
    if not m:
        return None
    assert int(m.group(4)) == 2048, text
    return int(m.group(2)), int(m.group(3))


def drag(page, box, a, b, shot: str | None = None):
    """Press at fraction ``a`` of ``box``, move to ``b`` in small steps, release (screenshot before releasing)."""
    page.mouse.move(box["x"] + a[0] * box["width"], box["y"] + a[1] * box["height"])
    page.mouse.down()
    page.mouse.move(box["x"] + b[0] * box["width"], box["y"] + b[1] * box["height"], steps=8)
    if shot:
        lab.screenshot(page, shot)
    page.mouse.up()


@pytest.fixture(scope="module")
def big(page):
    lab.open_notebook(page, "zoom.ipynb")
    out = lab.run_cell(
        page,
        "import torch, tensorviz as tv\ntorch.manual_seed(0)\nbig = torch.randn(2048, 2048)\nview = tv.show(big)\nview",
    )
    root = lab.find_widget(out, lab.TENSOR_VIEW)
    lab.wait_ready(root, timeout=30)
    return root


def test_drag_to_exact_cells_then_reset(page, big):
    root = big
    lab.screenshot(root, "zoom-2048-whole")
    assert shown_span(root, 0) is None and shown_span(root, 1) is None, "no zoom before the first drag"
    # the whole face is block-reduced: its tooltip names a block
    lab.hover_cell(page, root, rank=2, parse=lab.parse_block_tooltip)

    # Drag small rectangles around the middle of the picture until the face is exact (a tooltip without ranges).
    # The first drag may leave the face still reduced; each further drag narrows it.
    root.scroll_into_view_if_needed()
    exact = None
    for attempt in range(4):
        box = lab.value_canvas_box(root)
        before = shown_span(root, 0)
        label_before = root.locator('[data-axis="0"]').first.inner_text()
        drag(page, box, (0.45, 0.42), (0.5, 0.47), shot="zoom-2048-dragging" if attempt == 0 else None)
        page.wait_for_function(
            "([el, before]) => { const t = el.querySelector('[data-axis=\"0\"]').innerText;"
            " return /rows\\s+\\d+/.test(t) && t !== before; }",
            arg=[root.element_handle(), label_before],
            timeout=15_000,
        )
        lab.wait_ready(root)
        rows, cols = shown_span(root, 0), shown_span(root, 1)
        assert rows and cols, "the labels show the visible rows and columns"
        assert 0 < rows[0] <= rows[1] < 2048 and 0 < cols[0] <= cols[1] < 2048, (rows, cols)
        if before:
            assert rows[1] - rows[0] < before[1] - before[0], f"a drag narrows the window: {before} -> {rows}"

        def exact_cell(idx, v, rows=rows, cols=cols):
            return rows[0] <= idx[0] <= rows[1] and cols[0] <= idx[1] <= cols[1]

        try:
            exact = lab.hover_cell(page, root, rank=2, accept=exact_cell, timeout=3)
            if ":" not in exact[2]:
                break
        except AssertionError:
            pass
        exact = None
    assert exact is not None, "dragging never got the face down to exact cells"
    index, value, text, _ = exact
    lab.screenshot(lab.cell_of(root), "zoom-2048-exact-hover", scroll=False)
    rows, cols = shown_span(root, 0), shown_span(root, 1)
    assert rows[0] >= 500 and cols[0] >= 500, f"the window lies near the middle of the face: {rows} × {cols}"
    assert rows[0] <= index[0] <= rows[1] and cols[0] <= index[1] <= cols[1], (index, rows, cols, text)
    truth = lab.run_print(page, f"print(big[{index[0]}, {index[1]}].item())")
    assert_same_f32(value, truth, f"at {index} of the zoomed face ({text!r})")
    lab.screenshot(root, "zoom-2048-exact")

    # Reset: the whole face again, whose cells are blocks the kernel agrees with
    root.get_by_role("button", name="Reset zoom").click()
    page.wait_for_function(
        "el => !/rows\\s+\\d+/.test(el.querySelector('[data-axis=\"0\"]').textContent)",
        arg=root.element_handle(),
        timeout=15_000,
    )
    lab.wait_ready(root)
    (br, bc), bvalue, btext, _ = lab.hover_cell(
        page, root, rank=2, parse=lab.parse_block_tooltip, accept=lambda r, v: r[0][1] - r[0][0] > 1
    )
    lab.screenshot(lab.cell_of(root), "zoom-2048-reset-hover", scroll=False)
    assert ":" in btext, btext
    truth = lab.run_print(
        page, f"blk = big[{br[0]}:{br[1]}, {bc[0]}:{bc[1]}].flatten()\nprint(blk[blk.abs().argmax()].item())"
    )
    assert_same_f32(bvalue, truth, f"for the block {br}×{bc} after the reset ({btext!r})")
    assert shown_span(root, 0) is None and shown_span(root, 1) is None


def test_keyboard_zoom_pans_and_resets(page, big):
    """`+` on the focused picture zooms in around the centre, Shift+arrows pan, `0` resets."""
    root = big
    pic = root.locator('[role="img"]').first
    pic.focus()
    page.keyboard.press("+")
    page.wait_for_function(
        "el => /rows\\s+\\d+/.test(el.querySelector('[data-axis=\"0\"]').textContent)", arg=root.element_handle()
    )
    rows = shown_span(root, 0)
    assert rows == (512, 1535), rows
    page.keyboard.press("Shift+ArrowDown")
    page.wait_for_function(
        "el => /rows 768/.test(el.querySelector('[data-axis=\"0\"]').textContent)", arg=root.element_handle()
    )
    assert shown_span(root, 0) == (768, 1791)
    assert shown_span(root, 1) == (512, 1535), "panning down leaves the columns alone"
    page.keyboard.press("0")
    page.wait_for_function(
        "el => !/rows\\s+\\d+/.test(el.querySelector('[data-axis=\"0\"]').textContent)", arg=root.element_handle()
    )
    lab.wait_ready(root)
