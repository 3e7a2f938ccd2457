"""Exported HTML files opened from file:// in Chromium with every other request blocked (and recorded): each widget
comes up and answers like the live one, with nothing leaving the page. Truth comes from the tensors in this process,
never from the code under test. Screenshots go to tests/browser/screenshots/export-*.png."""

from __future__ import annotations

import json
import math
import os
import re
import subprocess
import sys
from pathlib import Path

import lab
import numpy as np
import pytest
import torch

import tensorviz as tv

ROOT = Path(__file__).resolve().parents[2]
VIEW = lab.TENSOR_VIEW
PLAYER = '.tensorviz[data-widget="op-player"]'
MONITOR = '.tensorviz[data-widget="memory-monitor"]'

pytestmark = pytest.mark.skipif(not (ROOT / "tensorviz/static/standalone.js").exists(), reason="JS not built")


@pytest.fixture(scope="module")
def files(tmp_path_factory):
    """The exported files (and the tensors they were made from)."""
    out = tmp_path_factory.mktemp("exports")
    torch.manual_seed(0)
    cube = torch.randn(3, 5, 6)
    cube[1, 2, 3] = math.nan
    big = torch.randn(2048, 2048)
    x = torch.arange(24.0).reshape(2, 3, 4)
    with tv.trace(dims={x: "D R C"}) as tr:
        for i in range(10):
            x = x.reshape(4, -1) if i % 2 == 0 else x.reshape(2, 3, 4)
    monitor = tv.memory(interval=5)
    made = {
        "cube": tv.save_html(cube, out / "cube.html", dims="D R C"),
        "big": tv.save_html(big, out / "big.html"),
        "player": tv.save_html(tr, out / "player.html"),
        "memory": tv.save_html(monitor, out / "memory.html"),
    }
    devices = monitor.devices
    monitor.close()
    player = tr.player()
    # a budget for the page and about half the steps: the size of all ten, less the last five steps' data
    full = made["player"].read_text(encoding="utf-8")
    data = json.loads(re.search(r'<script type="application/json" id="tv-file-1">(.*?)</script>', full, re.S).group(1))
    small = len(full.encode()) - len(json.dumps(data["steps"][5:]))
    made["some"] = player.save_html(out / "some.html", budget_bytes=small)
    player.close()
    return {"paths": made, "cube": cube, "big": big, "steps": tr.steps, "devices": devices, "dir": out}


@pytest.fixture(scope="module")
def page(browser):
    """A page where only file:// loads: every other request is blocked and recorded in ``page._tv_blocked``."""
    context = browser.new_context(viewport={"width": 1280, "height": 900}, device_scale_factor=2)
    context.set_default_timeout(30_000)
    pg = context.new_page()
    pg._tv_blocked = []
    pg._tv_console = []

    def route(r):
        if r.request.url.startswith("file:"):
            r.continue_()
        else:
            pg._tv_blocked.append(r.request.url)
            r.abort()

    context.route("**/*", route)
    pg.on("console", lambda m: pg._tv_console.append(f"{m.type}: {m.text}"))
    pg.on("pageerror", lambda e: pg._tv_console.append(f"pageerror: {e}"))
    yield pg
    context.close()


def open_file(page, path: Path, selector: str = VIEW):
    page.goto(path.as_uri())
    root = page.locator(selector).first
    lab.wait_ready(root, timeout=30)
    return root


def nothing_left(page) -> None:
    assert page._tv_blocked == [], f"requests left the page: {page._tv_blocked}"
    errors = [m for m in page._tv_console if m.startswith(("pageerror", "error"))]
    assert errors == [], errors


def f32(text: str) -> np.float32:
    return np.float32(float(text.replace("\u2212", "-")))


def same(shown: str | None, truth: float) -> bool:
    if shown is None:
        return False
    a, b = f32(shown), np.float32(truth)
    return bool(a == b or (np.isnan(a) and np.isnan(b)))


# -- a tensor view ------------------------------------------------------------------------------------------------------


def test_an_exported_view_opens_offline_and_hovering_shows_the_tensors_values(page, files):
    cube = files["cube"]
    root = open_file(page, files["paths"]["cube"])
    label = root.get_attribute("aria-label") or ""
    assert "float32" in label and re.search(r"\[\s*3,\s*5,\s*6\s*\]", label), label
    for axis, name in enumerate("DRC"):
        assert name in root.locator(f'[data-axis="{axis}"]').first.inner_text()
    for at in ([(0.3, 0.5)], [(0.6, 0.4)], None):
        index, value, text, _ = lab.hover_cell(page, root, rank=3, at=at)
        assert same(value, cube[index].item()), f"the tooltip says {text!r}, the tensor holds {cube[index].item()}"
    lab.screenshot(page, "html-export-cube-hover", scroll=False)
    note = page.locator('[data-role="export-note"]').first.inner_text()
    assert "every value of the tensor" in note
    nothing_left(page)


def test_the_depth_slider_draws_the_next_slice(page, files):
    cube = files["cube"]
    root = open_file(page, files["paths"]["cube"])
    slider = root.locator('input[type="range"]').first
    assert slider.input_value() == "0"
    slider.focus()
    page.keyboard.press("ArrowRight")
    assert slider.input_value() == "1"

    def front_face_at_depth_1(idx, _value):  # not the top face's first row nor the side face's last column
        return idx[0] == 1 and idx[1] > 0 and idx[2] < 5

    index, value, text, _ = lab.hover_cell(page, root, rank=3, accept=front_face_at_depth_1)
    assert same(value, cube[index].item()), f"{text!r} at {index}: the tensor holds {cube[index].item()}"
    lab.screenshot(page, "html-export-cube-depth1", scroll=False)
    nothing_left(page)


def test_go_to_next_finds_the_nan_from_the_list_the_file_holds(page, files):
    root = open_file(page, files["paths"]["cube"])
    assert "1 NaN" in root.locator('[data-metric="nonfinite"]').inner_text()
    root.locator(".tv-nf-next").click()
    at = root.locator(".tv-nf-at")
    page.wait_for_function("(el) => /NaN at/.test(el.textContent)", arg=at.element_handle(), timeout=10_000)
    assert re.search(r"NaN at \[1,\s*2,\s*3\]", at.inner_text()), at.inner_text()
    assert root.locator('input[type="range"]').first.input_value() == "1", "the view moved to the NaN's depth"
    nothing_left(page)


def test_zooming_past_the_exported_resolution_says_what_the_file_holds(page, files):
    big = files["big"]
    root = open_file(page, files["paths"]["big"])
    (rows, cols), value, text, _ = lab.hover_cell(page, root, rank=2, parse=lab.parse_block_tooltip)
    block = big[rows[0] : rows[1], cols[0] : cols[1]].flatten()
    assert same(value, block[block.abs().argmax()].item()), f"{text!r}: the block's largest |x| differs"
    caption = root.locator(".tv-caption")
    assert "holds blocks" not in caption.inner_text()
    picture = root.locator(".tv-picture").first
    picture.focus()
    for _ in range(9):  # each + halves the window: from 2048 down to a few cells a side
        page.keyboard.press("+")
    page.wait_for_function(
        "(el) => /this exported file holds blocks of 2×2 here/.test(el.textContent)",
        arg=caption.element_handle(),
        timeout=10_000,
    )
    assert "zoom in further" not in caption.inner_text()
    # the cells drawn are the file's 2×2 blocks, each the largest |x| of its block
    (rows, cols), value, text, _ = lab.hover_cell(page, root, rank=2, parse=lab.parse_block_tooltip)
    assert rows[1] - rows[0] == 2 and cols[1] - cols[0] == 2, text
    block = big[rows[0] : rows[1], cols[0] : cols[1]].flatten()
    assert same(value, block[block.abs().argmax()].item()), f"{text!r}: the block's largest |x| differs"
    lab.screenshot(page, "html-export-big-zoomed", scroll=False)
    nothing_left(page)


# -- an op player -------------------------------------------------------------------------------------------------------


def wait_step(root, step: int) -> None:
    root.page.wait_for_function(
        "([el, s]) => el.getAttribute('data-step') === String(s) && el.getAttribute('data-state') === 'ready'",
        arg=[root.element_handle(), step],
        timeout=15_000,
    )


def test_an_exported_player_plays_steps_and_scrubs_offline(page, files):
    root = open_file(page, files["paths"]["player"], PLAYER)
    assert root.get_attribute("data-steps") == "10"
    assert root.get_attribute("data-op") == "reshape"
    root.locator('button[aria-label="Play"]').click()
    page.wait_for_function(
        "(el) => Number(el.getAttribute('data-step')) >= 2", arg=root.element_handle(), timeout=30_000
    )
    root.locator('button[aria-label="Pause"]').click()
    lab.screenshot(root, "html-export-player-playing")
    root.locator('button[aria-label="Step back"]').click()
    now = int(root.get_attribute("data-step"))
    root.locator('button[aria-label="Step forward"]').click()
    wait_step(root, now + 1)
    # scrub: the timeline to step 8, as a drag would set it
    root.locator('input[type="range"].tv-pl-range').evaluate(
        "(el) => { el.value = '8.5'; el.dispatchEvent(new Event('input', {bubbles: true})); }"
    )
    wait_step(root, 8)
    # the step's input is drawn with its own shape: step 8 reshapes [2, 3, 4]
    labels = [root.locator(f'[data-tensor="input0"][data-axis="{a}"]').first.inner_text() for a in range(3)]
    assert [re.findall(r"\d+", t)[-1] for t in labels] == ["2", "3", "4"], labels
    lab.screenshot(root, "html-export-player-step8")
    assert (
        root.locator('[data-role="error"]').count() == 0 or not root.locator('[data-role="error"]').first.is_visible()
    )
    nothing_left(page)


def test_a_player_exported_within_a_small_budget_says_which_steps_it_left_out(page, files):
    root = open_file(page, files["paths"]["some"], PLAYER)
    note = page.locator('[data-role="export-note"]').inner_text()
    kept = int(re.search(r"holds steps 0–(\d+) of 10", note).group(1)) + 1
    assert 0 < kept < 10, note
    root.locator('input[type="range"].tv-pl-range').evaluate(
        "(el) => { el.value = '9'; el.dispatchEvent(new Event('input', {bubbles: true})); }"
    )
    error = root.locator(".tv-error")
    page.wait_for_function(
        "(el) => !el.hidden && /not in this exported file/.test(el.textContent)", arg=error.element_handle()
    )
    assert "step 9" in error.inner_text() and "larger budget_bytes" in error.inner_text()
    lab.screenshot(root, "html-export-player-left-out")
    nothing_left(page)


# -- a memory monitor ---------------------------------------------------------------------------------------------------


def test_an_exported_memory_monitor_shows_its_figures_and_its_buttons_need_the_kernel(page, files):
    root = open_file(page, files["paths"]["memory"], MONITOR)
    device = files["devices"][0]
    allocated = root.locator('[data-metric="allocated"]').first
    assert re.search(r"\d", allocated.inner_text()), allocated.inner_text()
    title = allocated.get_attribute("title") or ""
    assert re.sub(r"\D", "", title.split("bytes")[0]) == str(device["allocated"]), (title, device["allocated"])
    # the controls that ask the kernel are off; saving the picture still works from the file
    buttons = root.locator("button:not(.tv-export-btn)")
    assert buttons.count() >= 1
    for i in range(buttons.count()):
        assert buttons.nth(i).is_disabled()
        assert "Needs the kernel" in (buttons.nth(i).get_attribute("title") or "")
    saves = root.locator('button[aria-label="Save PNG"], button[aria-label="Save SVG"]')
    assert saves.count() == 2 and all(not saves.nth(i).is_disabled() for i in range(2))
    lab.screenshot(root, "html-export-memory")
    nothing_left(page)


# -- a gallery page -----------------------------------------------------------------------------------------------------


def test_a_gallery_page_opens_offline_with_its_widgets_ready(page, files, tmp_path):
    import nbformat

    nb = nbformat.v4.new_notebook()
    nb.cells = [
        nbformat.v4.new_markdown_cell("# Gallery check\n\nA cube, a trace and a box of two views."),
        nbformat.v4.new_code_cell("import torch\nimport tensorviz as tv\nfrom ipywidgets import HBox\nprint('ran')"),
        nbformat.v4.new_code_cell("t = torch.arange(24.0).reshape(2, 3, 4)\ntv.show(t, dims='D R C')"),
        nbformat.v4.new_code_cell("with tv.trace() as tr:\n    y = t.permute(2, 0, 1)\ntr"),
        nbformat.v4.new_code_cell("HBox([tv.show(torch.eye(3)), tv.show(torch.ones(2, 2))])"),
    ]
    (tmp_path / "nb").mkdir()
    nbformat.write(nb, str(tmp_path / "nb" / "check.ipynb"))
    run = subprocess.run(
        [sys.executable, "-m", "tensorviz.gallery", str(tmp_path / "nb"), str(tmp_path / "site")],
        capture_output=True,
        text=True,
        timeout=300,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
    )
    assert run.returncode == 0, run.stderr
    page.goto((tmp_path / "site" / "index.html").as_uri())
    page.locator("a", has_text="Gallery check").click()
    page.wait_for_url("**/check.html")
    roots = page.locator(".tensorviz[data-widget]")
    roots.nth(3).wait_for(state="attached")
    kinds = [roots.nth(i).get_attribute("data-widget") for i in range(roots.count())]
    assert kinds == ["tensor-view", "op-player", "tensor-view", "tensor-view"], kinds
    for i in range(roots.count()):
        roots.nth(i).scroll_into_view_if_needed()
        lab.wait_ready(roots.nth(i))
    # the cube's values are the tensor's
    index, value, text, _ = lab.hover_cell(page, roots.nth(0), rank=3)
    truth = torch.arange(24.0).reshape(2, 3, 4)[index].item()
    assert same(value, truth), f"{text!r}: the tensor holds {truth}"
    assert "ran" in page.locator(".tv-gal-stream").first.inner_text()
    lab.screenshot(page.locator("main"), "html-export-gallery-page")
    nothing_left(page)
