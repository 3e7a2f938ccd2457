"""Watching shape operations happen, in a real JupyterLab page.

A user traces real torch code with `tv.trace()` / `tv.animate`, and the OpPlayer replays each step: Play, Pause,
Step forward and back, the timeline range, Loop, keyboard. Read through the DESIGN hooks (root
`[data-widget="op-player"]` with `data-state`, `data-step`, `data-steps`, `data-op`; `aria-label`s on the buttons;
`[data-axis]` labels; `[data-role="tooltip"]`) and the pixels drawn; the truth comes from torch in the kernel.
"""

from __future__ import annotations

import re

import lab
import numpy as np
import pixels
import pytest

PLAYER = '.tensorviz[data-widget="op-player"]'


def player_root(output):
    return lab.find_widget(output, PLAYER)


def wait_step(root, step: int, timeout: float = 15.0) -> None:
    root.page.wait_for_function(
        "([el, s]) => el.getAttribute('data-step') === String(s) && el.getAttribute('data-state') === 'ready'",
        arg=[root.element_handle(), step],
        timeout=timeout * 1000,
        polling=20,
    )


def scrub(root, value: float) -> None:
    """Set the timeline range like a user dragging it (an input event)."""
    rng = root.locator('input[type="range"]').first
    rng.evaluate("(el, v) => { el.value = String(v); el.dispatchEvent(new Event('input', {bubbles: true})); }", value)


def stage_box(root):
    box = root.locator(".tv-stage").bounding_box()
    assert box, "the player has no stage"
    return box


def _parse_where(text: str, rank: int):
    """(("input" | "output", index), value) from a player tooltip (its extent says whose cell it is)."""
    if rank == 0:  # a 0-d tensor's one element: index []
        m = re.search(r"\[\]\s*(?:·\s*\w+(?:\s+\d+)?)?\s*([-+\u2212]?[\d.]+(?:e[-+]?\d+)?|nan|inf)", text)
        parsed = ((), m.group(1)) if m else None
    else:
        parsed = pixels.parse_cell(text, rank)
    if not parsed:
        return None
    return ("output" if "output" in text else "input", parsed[0]), parsed[1]


def player_cells(page, root, rank: int) -> dict[tuple[str, tuple[int, ...]], tuple[str | None, tuple[float, float]]]:
    """Every cell whose tooltip shows a full index of ``rank`` entries: (whose, index) -> (value, a point inside)."""
    root.locator(".tv-stage").scroll_into_view_if_needed()
    scan = pixels.hover_scan(page, root, rank, region=stage_box(root), parse=_parse_where)
    cells = {}
    for c in pixels.cell_points(scan):
        cells[c.hit.index] = (c.hit.value, (c.x, c.y))
    return cells


@pytest.fixture(scope="module")
def nb(page):
    return lab.open_with_tensorviz(page, "op_player.ipynb")


def test_a_traced_reshape_plays_and_its_last_frame_is_torchs_result(page, nb):
    out = lab.run_cell(
        page,
        "x = torch.arange(24.).reshape(2, 3, 4) - 11.5\n"
        "with tv.trace(dims={x: 'D R C'}) as tr:\n"
        "    y = x.reshape(4, -1)\n"
        "    z = y.t()\n"
        "tr",
    )
    root = player_root(out)
    lab.wait_ready(root)
    assert root.get_attribute("data-steps") == "2"
    assert root.get_attribute("data-step") == "0" and root.get_attribute("data-op") == "reshape"
    lab.screenshot(root, "player-reshape-start")
    # the first frame: the input's axes are labelled with their names and sizes
    for axis, (name, size) in enumerate([("D", 2), ("R", 3), ("C", 4)]):
        label = root.locator(f'[data-tensor="input0"][data-axis="{axis}"]').first.inner_text()
        assert name in label and str(size) in label, label
    assert "-1" in root.inner_text() and "6" in root.inner_text()  # the inferred size is said
    # mid-way: elements in flight (frames differ from both ends)
    scrub(root, 0.5)
    lab.screenshot(root, "player-reshape-mid")
    scrub(root, 0.999)
    page.wait_for_timeout(100)
    lab.screenshot(root, "player-reshape-end")
    assert root.get_attribute("data-step") == "0", "0.999 is still the first step, at its end"
    cells = player_cells(page, root, rank=2)
    outs = {idx: vp for (where, idx), vp in cells.items() if where == "output"}
    assert sorted(outs) == [(r, c) for r in range(4) for c in range(6)], sorted(outs)
    truth = np.arange(24.0).reshape(4, 6) - 11.5
    for idx, (v, _) in outs.items():
        assert float(v.replace("\u2212", "-")) == truth[idx], (idx, v)
    # and the pixels: the output cells are drawn in the colormap's colors of those values
    shot = pixels.screenshot_rgb(root, "player-reshape-end-pixels")
    ref = pixels.Reference.for_range(-11.5, 11.5)
    for idx, (v, (x, y)) in outs.items():
        got = shot.color(x, y)
        want = ref.color(truth[idx])
        assert pixels.max_diff(got, want) <= 6, f"output cell {idx} ({v}) drawn {got}, expected {want}"


def test_play_step_and_the_range_move_data_step(page, nb):
    root = lab.find_widget(lab.last_run_cell(page), PLAYER)
    scrub(root, 0)
    wait_step(root, 0)
    root.locator('button[aria-label="Step forward"]').click()
    wait_step(root, 1)
    assert root.get_attribute("data-op") == "t"
    root.locator('button[aria-label="Step back"]').click()
    wait_step(root, 0)
    scrub(root, 1.2)
    wait_step(root, 1)
    scrub(root, 0)
    wait_step(root, 0)
    root.locator('button[aria-label="Play"]').click()
    wait_step(root, 1, timeout=20)  # plays on into the next step
    root.locator('button[aria-label="Pause"]').click()
    # keyboard: arrows step, space plays
    root.locator(".tv-stage").focus()
    page.keyboard.press("ArrowLeft")
    wait_step(root, 0)
    page.keyboard.press("ArrowRight")
    wait_step(root, 1)
    loop = root.locator('button[aria-label="Loop"]')
    loop.click()
    assert loop.get_attribute("aria-pressed") == "true"


def test_a_permute_moves_the_axis_labels_to_their_new_places(page, nb):
    out = lab.run_cell(page, "p = tv.animate(lambda t: t.permute(2, 0, 1), torch.randn(2, 3, 4), dims='N H W')\np")
    root = player_root(out)
    lab.wait_ready(root)
    assert root.get_attribute("data-op") == "permute"
    # the output's axis 0 is the input's axis 2 (W, size 4), in the same color
    out0 = root.locator('[data-tensor="output"][data-axis="0"]').first
    in2 = root.locator('[data-tensor="input0"][data-axis="2"]').first
    assert "W" in out0.inner_text() and "4" in out0.inner_text(), out0.inner_text()
    assert out0.evaluate("e => getComputedStyle(e).color") == in2.evaluate("e => getComputedStyle(e).color")
    scrub(root, 0.5)
    travelling = root.locator(".tv-axis-travel")
    assert travelling.count() == 3, "the three axis labels travel while the elements move"
    lab.screenshot(root, "player-permute-mid")
    assert re.search(r"non-contiguous view", root.inner_text())
    # the kernel side: the same steps as plain data, and the step shown
    assert lab.run_print(page, "print(p.current, len(p.steps), p.steps[0].op, p.steps[0].is_view)") == "0 1 permute True"


OPS = """a = torch.arange(6.).reshape(2, 3) - 2
b = torch.arange(6., 12.).reshape(2, 3)
bias = torch.tensor([10., 20., 30.])
with tv.trace() as ops:
    st = torch.stack([a, b])
    ca = torch.cat([a, b], dim=1)
    bc = a + bias
    sm = a.sum(dim=1)
    am = b.argmax()
    sq = a.unsqueeze(0)
    ix = b[:, 1]
ops"""

# step number in the trace above, op name, the result's variable, rank of the result
CASES = [(0, "stack", "st", 3), (1, "cat", "ca", 2), (2, "add", "bc", 2), (3, "sum", "sm", 1), (4, "argmax", "am", 0),
         (5, "unsqueeze", "sq", 3), (6, "getitem", "ix", 1)]  # fmt: skip


@pytest.fixture(scope="module")
def ops_player(page, nb):
    out = lab.run_cell(page, OPS)
    root = player_root(out)
    lab.wait_ready(root)
    assert root.get_attribute("data-steps") == "7", root.get_attribute("data-steps")
    return root


@pytest.mark.parametrize(("step", "op", "var", "rank"), CASES, ids=[c[1] for c in CASES])
def test_each_op_moves_every_element_to_torchs_result(page, ops_player, step, op, var, rank):
    root = ops_player
    scrub(root, step)
    wait_step(root, step)
    assert root.get_attribute("data-op") == op
    for frac, when in ((0.35, "early"), (0.55, "mid")):
        scrub(root, step + frac)
        page.wait_for_timeout(60)
        lab.screenshot(root, f"player-{op}-{when}")
    scrub(root, step + 0.999)
    page.wait_for_timeout(60)
    lab.screenshot(root, f"player-{op}-end")
    truth = lab.run_print(page, f"import json; print(json.dumps({var}.tolist()))")
    want = np.array(__import__("json").loads(truth), dtype=float)
    cells = player_cells(page, root, rank=rank)
    outs = {idx: v for (where, idx), (v, _) in cells.items() if where == "output"}
    assert len(outs) == want.size, f"{op}: {len(outs)} output cells hovered, torch's result has {want.size}"
    for idx, v in outs.items():
        assert float(v.replace("\u2212", "-")) == want[idx], f"{op}: output {idx} shows {v}, torch says {want[idx]}"


def _gap_colors(root) -> int:
    """Vivid pixels between the inputs' pages and the output's (elements in flight)."""
    pages = root.locator(".tv-pl-page")
    boxes = [pages.nth(i).bounding_box() for i in range(pages.count())]
    stage = stage_box(root)
    mid = stage["x"] + stage["width"] / 2
    left = max(b["x"] + b["width"] for b in boxes if b["x"] + b["width"] / 2 < mid)
    right = min(b["x"] for b in boxes if b["x"] + b["width"] / 2 >= mid)
    shot = pixels.screenshot_rgb(root.locator(".tv-stage"))
    x0, x1 = shot.device(left + 3, stage["y"])[0], shot.device(right - 3, stage["y"])[0]
    region = shot.rgb[:, int(x0) : int(x1)].astype(int)
    vivid = (region.max(axis=2) - region.min(axis=2)) > 60
    return int(vivid.sum())


def test_reduced_motion_fades_instead_of_moving(page, nb):
    code = "rm = tv.animate(lambda t: t.reshape(6, 4), torch.randn(2, 3, 4))\nrm"
    out = lab.run_cell(page, code)
    moving = player_root(out)
    lab.wait_ready(moving)
    moving.locator('select[aria-label="Color elements by"]').select_option("source")
    scrub(moving, 0.5)
    page.wait_for_timeout(60)
    in_flight = _gap_colors(moving)
    assert in_flight > 200, f"with motion, elements cross the gap mid-step ({in_flight} vivid pixels)"
    page.emulate_media(reduced_motion="reduce")
    try:
        out = lab.run_cell(page, code)
        still = player_root(out)
        lab.wait_ready(still)
        still.locator('select[aria-label="Color elements by"]').select_option("source")
        scrub(still, 0.5)
        page.wait_for_timeout(60)
        lab.screenshot(still, "player-reduced-motion-mid")
        assert _gap_colors(still) == 0, "with reduced motion nothing travels across the gap"
    finally:
        page.emulate_media(reduced_motion="no-preference")


def test_a_model_forward_reads_as_its_layers_and_a_matmul_plays(page, nb):
    code = (
        "net = torch.nn.Sequential(torch.nn.Conv2d(3, 4, 3), torch.nn.ReLU(), torch.nn.Flatten(), torch.nn.Linear(16, 2))\n"
        "img = torch.randn(1, 3, 4, 4)\n"
        "with tv.trace(dims={img: 'N C H W'}) as fwd:\n"
        "    logits = net(img)\n"
        "fwd"
    )
    out = lab.run_cell(page, code)
    root = player_root(out)
    lab.wait_ready(root)
    groups = [g.strip() for g in root.locator(".tv-pl-group").all_inner_texts()]
    assert any("Conv2d" in g for g in groups) and any("Linear" in g for g in groups), groups
    rows = root.locator(".tv-pl-row").all_inner_texts()
    assert any("conv2d" in r and "[1, 3, 4, 4]" in r for r in rows), rows
    assert any("linear" in r and "[1, 2]" in r for r in rows), rows
    # clicking a step shows it; conv2d has no element paths: it says so, and still draws both ends
    conv = root.locator(".tv-pl-row", has_text="conv2d").first
    conv.click()
    wait_step(root, int(conv.get_attribute("data-step-row")))
    assert "not animated element by element" in root.locator(".tv-caption").inner_text()
    lab.screenshot(root, "player-model-conv2d")
    # a matrix product: each output cell gathers a row of one input and a column of the other
    out = lab.run_cell(page, "mm = tv.animate(lambda a, b: a @ b, torch.randn(2, 3), torch.randn(3, 4))\nmm")
    root = player_root(out)
    lab.wait_ready(root)
    assert root.get_attribute("data-op") == "matmul"
    scrub(root, 0.5)
    lab.screenshot(root, "player-matmul-mid")
    scrub(root, 0.999)
    truth = np.array(__import__("json").loads(lab.run_print(page, "import json; print(json.dumps(mm.steps[0].values('output').tolist()))")))
    cells = player_cells(page, root, rank=2)
    outs = {idx: float(v.replace("\u2212", "-")) for (where, idx), (v, _) in cells.items() if where == "output"}
    assert len(outs) == 8
    for idx, v in outs.items():
        assert v == pytest.approx(truth[idx], rel=1e-6), (idx, v, truth[idx])
