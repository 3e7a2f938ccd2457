"""The memory monitor in a real JupyterLab page, on a machine without CUDA: it says so, shows the CPU process, names a
large tensor in its census, draws its timeline (and a plotly FigureWidget of it), and replays a recorded allocator
snapshot with its peak. Read through the DESIGN hooks: root `[data-widget="memory-monitor"]`, `[data-metric]`."""

from __future__ import annotations

import re

import lab
import pytest

MONITOR = '.tensorviz[data-widget="memory-monitor"]'


@pytest.fixture(scope="module")
def nb(page):
    return lab.open_with_tensorviz(page, "memory.ipynb")


def test_the_live_monitor_says_no_cuda_and_names_a_large_tensor(page, nb):
    out = lab.run_cell(page, "weights = torch.randn(2048, 1024)\nmon = tv.memory(interval=0.25)\nmon")
    root = lab.find_widget(out, MONITOR)
    lab.wait_ready(root)
    text = root.inner_text()
    assert "no CUDA device" in text, text
    # the CPU process: real figures, where they come from
    allocated = root.locator('[data-metric="allocated"]').first
    assert re.search(r"\d", allocated.inner_text()) and "n/a" not in allocated.inner_text()
    total = root.locator('[data-metric="total"]').first
    assert re.search(r"GiB|MiB", total.inner_text())
    # the census names the 8 MiB tensor
    root.locator("tr", has_text="weights").first.wait_for(timeout=15_000)
    row = root.locator("tr", has_text="weights").first.inner_text()
    assert "[2048, 1024]" in row and "8 MiB" in row and "float32" in row, row
    # the timeline grows while the monitor polls
    page.wait_for_function("(el) => el.querySelectorAll('.tv-mem-svg polyline').length >= 1", arg=root.element_handle(), timeout=15_000)
    # and the plotly figure of the same timeline sits under it
    lab.last_run_cell(page).locator(".js-plotly-plot").first.wait_for(timeout=30_000)
    lab.screenshot(lab.last_run_cell(page), "memory-monitor-live")
    # deleting the tensor removes it from the census after a refresh
    lab.run_cell(page, "del weights")
    root.locator('button[aria-label="Look for live tensors again"]').click()
    page.wait_for_function("(el) => !/weights/.test(el.innerText)", arg=root.element_handle(), timeout=15_000)
    # closing it in the notebook stops its polling thread
    code = (
        "import time\nthread = mon._thread\nmon.close()\n"
        "for _ in range(100):\n    if not thread.is_alive(): break\n    time.sleep(0.05)\n"
        "print(thread.is_alive())"
    )
    assert lab.run_print(page, code) == "False"


def test_a_replayed_snapshot_shows_its_peak(page, nb):
    out = lab.run_cell(
        page,
        "snap = tv.synthetic_snapshot(20000, seed=3)\nrep = tv.memory(replay=snap)\nrep",
    )
    root = lab.find_widget(out, MONITOR)
    lab.wait_ready(root)
    peak_text = root.locator('[data-metric="peak"]').first.inner_text()
    truth = lab.run_print(page, "print(tv.read_snapshot(snap).peak_allocated)")
    shown = root.locator('[data-metric="peak"]').first.get_attribute("title") or ""
    assert f"{int(truth):,}" in shown, (shown, truth)
    assert re.search(r"MiB|GiB", peak_text)
    assert "replay" in root.inner_text() and "alive at the peak" in root.inner_text()
    root.locator(".tv-mem-peak").first.wait_for()  # the peak marked on the timeline
    lab.screenshot(root, "memory-monitor-replay")
