"""A user's session with tensorviz.show in a real JupyterLab page.

Everything asserted is what a user sees, read through the stable hooks (root `.tensorviz` with
`data-state` and `aria-label`, `[data-axis]`, `[data-role="tooltip"]`) and visible text. The truth
about values comes from the kernel, printed by another cell, never from the widget's internals.
"""

from __future__ import annotations

import re

import lab
import pixels
import pytest

CUBE = 't = torch.arange(24.).reshape(2, 3, 4) * 0.5 - 3\nview = tv.show(t, dims="D R C")\nview'


f32, shows_size = lab.f32, lab.shows_size


def kernel_value(page, var: str, index) -> str:
    """The kernel's own value of var[index], printed by a new cell."""
    return lab.run_print(page, f"print({var}[{', '.join(map(str, index))}].item())")


def view_root(output):
    return lab.find_widget(output, lab.TENSOR_VIEW)


@pytest.fixture(scope="module")
def nb(page):
    nb = lab.open_notebook(page, "tensor_view.ipynb")
    text = lab.run_print(page, "import torch, tensorviz as tv\nprint('ok', torch.__version__)")
    assert text.startswith("ok"), text
    return nb


_cube_failure: list[str] = []


@pytest.fixture(scope="module")
def cube(page, nb):
    """The 2×3×4 tensor shown with dims "D R C" (D is the depth axis, R×C the front face)."""
    if _cube_failure:  # don't wait again for every test that needs it
        pytest.fail(f"the cube view did not come up (see the first test): {_cube_failure[0]}", pytrace=False)
    try:
        out = lab.run_cell(page, CUBE)
        root = view_root(out)
        lab.wait_ready(root, timeout=30)
    except Exception as exc:
        _cube_failure.append(str(exc).splitlines()[0][:500])
        raise
    return root


# -- the cube -------------------------------------------------------------------------------------


def test_cube_tells_dtype_shape_device_and_axes(page, cube):
    lab.screenshot(cube, "cube-ready")
    label = cube.get_attribute("aria-label") or ""
    assert "float32" in label and "cpu" in label, label
    assert re.search(r"\[\s*2,\s*3,\s*4\s*\]", label), label
    for axis, (size, name) in enumerate([(2, "D"), (3, "R"), (4, "C")]):
        el = cube.locator(f'[data-axis="{axis}"]').first
        text = el.inner_text()
        assert shows_size(text, size), f"axis {axis} label {text!r} lacks its size {size}"
        assert re.search(rf"\b{name}\b", text), f"axis {axis} label {text!r} lacks its name {name}"


def test_hover_shows_index_and_the_kernels_value(page, cube):
    index, value, text, _ = lab.hover_cell(page, cube, rank=3)
    lab.screenshot(lab.cell_of(cube), "cube-hover", scroll=False)  # the view's cell, tooltip included
    assert all(0 <= i < n for i, n in zip(index, (2, 3, 4), strict=True)), text
    assert index[0] == 0, f"the front face starts at depth 0, tooltip says {text!r}"
    lab.assert_same_value(value, kernel_value(page, "t", index), f"at {index} ({text!r})")


def _depth_slider(root):
    sliders = root.locator('input[type="range"]')
    for i in range(sliders.count()):
        label = sliders.nth(i).get_attribute("aria-label") or ""
        if re.search(r"axis\s*0\b|\bD\b", label):
            return sliders.nth(i)
    labels = [sliders.nth(i).get_attribute("aria-label") for i in range(sliders.count())]
    raise AssertionError(f"no range input labelled for axis 0 / D; range inputs' labels: {labels}")


def test_depth_slider_draws_the_next_slice(page, cube):
    slider = _depth_slider(cube)
    assert slider.input_value() == "0"
    box = slider.bounding_box()
    slider.click(position={"x": box["width"] - 3, "y": box["height"] / 2})  # the right end: the last depth
    assert slider.input_value() == "1"
    # Hover again until the redraw has come: the tooltip's depth index must be the new one, on the front face itself
    # (the cube's top and side faces show depth-1 cells at any depth: off the first row and the last column only)
    index, value, text, _ = lab.hover_cell(
        page, cube, rank=3, accept=lambda idx, v: idx[0] == 1 and idx[1] > 0 and idx[2] < 3
    )
    lab.screenshot(lab.cell_of(cube), "cube-depth1-hover", scroll=False)
    lab.assert_same_value(value, kernel_value(page, "t", index), f"at {index} after moving to depth 1 ({text!r})")
    # the kernel sees the index the user picked (two-way trait)
    assert lab.run_print(page, "print(view.index[0])") == "1"


def test_in_place_edit_refreshes_the_view(page, cube):
    index, before, _, point = lab.hover_cell(page, cube, rank=3)
    lab.run_cell(page, "t.mul_(2)")
    truth = kernel_value(page, "t", index)
    assert f32(truth) == f32(before) * 2
    # the same spot now shows the doubled value (polls until the refreshed face is drawn)
    lab.hover_cell(
        page, cube, rank=3, at=[point], accept=lambda idx, v: idx == index and v is not None and f32(v) == f32(truth)
    )
    lab.screenshot(lab.cell_of(cube), "cube-after-mul", scroll=False)
    # still the cube's cell (the output of the earlier cell)
    assert cube.get_attribute("data-state") == "ready"


def test_an_in_place_shape_change_redraws_the_new_shape(page, nb):
    out = lab.run_cell(page, "sq = torch.arange(6.).reshape(1, 6)\nvsq = tv.show(sq, dims='one six')\nvsq")
    root = view_root(out)
    lab.wait_ready(root)
    assert root.locator('[data-axis="1"]').count() >= 1
    lab.run_cell(page, "sq.squeeze_()\nprint(tuple(sq.shape))")
    # the view follows: one axis, its label without the old names, and every cell hovers to torch's value
    # (the last picture stays on screen until the new shape's faces have arrived and are drawn)
    page.wait_for_function(
        "(el) => /shape \\[6\\]/.test(el.getAttribute('aria-label') || '') && el.dataset.state === 'ready'"
        " && el.querySelectorAll('[data-axis=\"1\"]').length === 0",
        arg=root.element_handle(),
        timeout=20_000,
    )
    assert "one" not in root.locator('[data-axis="0"]').first.inner_text()
    index, value, _, _ = lab.hover_cell(page, root, rank=1, timeout=20)
    assert float(value) == float(index[0]), (index, value)
    assert root.get_attribute("data-state") == "ready" and not root.locator(".tv-error:visible").count()


def test_a_constant_tensor_says_its_one_value_instead_of_a_ramp_from_it_to_itself(page, nb):
    root = view_root(lab.run_cell(page, "vz = tv.show(torch.full((2, 3), 7.0))\nvz"))
    lab.wait_ready(root)
    one = root.locator('.tv-colorbar [data-role="constant"]')
    one.wait_for(timeout=20_000)
    assert one.inner_text().strip() == "every value 7"
    assert root.locator(".tv-colorbar .tv-ramp").count() == 0
    # the swatch is the cells' own color
    _, value, _, (fx, fy) = lab.hover_cell(page, root, rank=2)
    assert float(value) == 7.0
    page.mouse.move(0, 0)  # no tooltip over the cell
    swatch = one.locator(".tv-swatch-box").evaluate("(el) => getComputedStyle(el).backgroundColor")
    box = lab.value_canvas_box(root)
    shot = pixels.screenshot_rgb(root.locator(".tv-picture"))
    got = shot.color(box["x"] + fx * box["width"], box["y"] + fy * box["height"], size=9)
    want = tuple(int(v) for v in re.findall(r"\d+", swatch)[:3])
    assert pixels.max_diff(got, want) <= 6, (got, want)


# -- hostile names, big and bad inputs ---------------------------------------------------------------


def test_axis_name_is_shown_as_text_not_html(page, nb):
    evil = "<img src=x onerror=alert(1)>"
    out = lab.run_cell(page, f"tv.show(torch.zeros(2, 3), dims=[{evil!r}, 'b'])")
    root = view_root(out)
    lab.wait_ready(root)
    lab.screenshot(root, "axis-name-html")
    assert evil in root.locator('[data-axis="0"]').first.inner_text()
    assert out.locator("img").count() == 0
    page.wait_for_timeout(300)  # give an injected onerror handler the chance to fire
    assert lab.dialogs(page) == []


def test_meta_tensor_of_a_billion_elements(page, nb):
    out = lab.run_cell(page, "tv.show(torch.empty(1000, 1000, 1000, device='meta'), dims='A B C')")
    root = view_root(out)
    lab.wait_ready(root, timeout=30)
    lab.screenshot(root, "meta-1e9-ready")
    label = root.get_attribute("aria-label") or ""
    assert "meta" in label and re.search(r"\[\s*1000,\s*1000,\s*1000\s*\]", label), label
    for axis in range(3):
        text = root.locator(f'[data-axis="{axis}"]').first.inner_text()
        assert shows_size(text, 1000), f"axis {axis} label {text!r} lacks its size 1000"


def test_2048_square_float32(page, nb):
    out = lab.run_cell(page, "torch.manual_seed(0)\nbig = torch.randn(2048, 2048)\ntv.show(big)")
    root = view_root(out)
    lab.wait_ready(root, timeout=30)
    lab.screenshot(root, "big-2048-ready")
    label = root.get_attribute("aria-label") or ""
    assert "float32" in label and re.search(r"\[\s*2048,\s*2048\s*\]", label), label
    for axis in (0, 1):
        text = root.locator(f'[data-axis="{axis}"]').first.inner_text()
        assert shows_size(text, 2048), f"axis {axis} label {text!r} lacks its size 2048"
    # A cell of the reduced picture covers a block; its tooltip names the block and the value kept
    # (the element of largest magnitude, sign kept), which the kernel must agree with.
    (rows, cols), value, text, _ = lab.hover_cell(page, root, rank=2, parse=lab.parse_block_tooltip)
    lab.screenshot(lab.cell_of(root), "big-2048-hover", scroll=False)
    assert 0 <= rows[0] < rows[1] <= 2048 and 0 <= cols[0] < cols[1] <= 2048, text
    truth = lab.run_print(
        page,
        f"blk = big[{rows[0]}:{rows[1]}, {cols[0]}:{cols[1]}].flatten()\nprint(blk[blk.abs().argmax()].item())",
    )
    lab.assert_same_value(value, truth, f"for the block {rows}×{cols} ({text!r})")


def test_wrong_number_of_dims_is_a_clear_value_error(page, nb):
    out = lab.run_cell(page, 'tv.show(torch.zeros(2, 3, 4), dims="A B")')
    lab.screenshot(lab.last_run_cell(page), "bad-dims-error")
    text = lab.cell_text_output(out)
    assert "ValueError" in text, text
    assert re.search(r"\b3\b", text) and "dims" in text, f"the message should say 3 names are needed: {text!r}"
    assert out.locator(lab.TENSOR_VIEW).count() == 0


# -- keyboard (last: JupyterLab may act on keys the widget lets through) ---------------------------------


def test_depth_slider_answers_the_keyboard(page, cube):
    """A keyboard user focuses the slider and presses the arrow keys (JupyterLab must not eat them)."""
    slider = _depth_slider(cube)
    start = int(slider.input_value())
    slider.focus()
    page.keyboard.press("ArrowLeft" if start > 0 else "ArrowRight")
    moved = int(slider.input_value())
    page.keyboard.press("ArrowRight" if start > 0 else "ArrowLeft")
    back = int(slider.input_value())
    page.keyboard.press("Escape")
    assert (moved, back) == (1 - start, start), (
        f"arrow keys on the focused depth slider: {start} -> {moved} -> {back}. JupyterLab's command-mode "
        "shortcuts (ArrowLeft/Right: notebook:move-cursor-heading-*) preventDefault the keys unless the focused "
        "control itself carries data-lm-suppress-shortcuts (on the widget root it is not enough) or its keydown "
        "stops propagating"
    )


def test_no_script_errors_on_the_page(page, nb):
    """No uncaught exception and no console error on the page (JupyterLab's own 404 for its LSP status,
    whose server extension the harness switches off, is the one known line)."""
    errors = [
        m
        for m in page._tv_console
        if m.startswith("[pageerror]") or (m.startswith("[error]") and "Failed to load resource" not in m)
    ]
    assert errors == [], errors


def test_stats_of_a_large_tensor_say_they_are_sampled(page, nb):
    out = lab.run_cell(page, "tv.show(torch.randn(4100, 1100))")
    root = view_root(out)
    lab.wait_ready(root, timeout=30)
    text = root.inner_text()
    assert re.search(r"sampled", text, re.I), text[:500]
    assert shows_size(text, 1048576) and shows_size(text, 4510000), text[:500]


def test_a_face_too_big_to_read_whole_says_it_is_a_sample(page, nb):
    out = lab.run_cell(page, "huge = torch.randn(6000, 6000)\ntv.show(huge)")
    root = view_root(out)
    lab.wait_ready(root, timeout=30)
    text = root.inner_text()
    assert re.search(r"read from every \d+(st|nd|rd|th) row", text), text[-800:]
    assert "zoom in to read every element" in text
    lab.screenshot(root, "sampled-6000")
