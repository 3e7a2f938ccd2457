"""tensorviz in a marimo app (`marimo run app.py`), as a user sees it.

The app is written by this module: cells that build tensors and end with a widget (TensorView, a traced and an
animated OpPlayer, the memory monitor), cells that print the kernel's values as text (the truth the tooltips are
compared with), and a marimo button that edits a tensor in place — which a view made with `tv.show(..., live=...)`
shows by itself, since marimo has no IPython to tell a view that a cell ran. Read through the stable hooks only.
"""

from __future__ import annotations

import re
import time

import hosts
import lab
import pytest

LIVE = "live=0.2"  # how the live view is made (the test of the live refresh depends on it)

CELLS = [
    """
    import itertools
    import marimo as mo
    import torch
    import tensorviz as tv

    def truth(name, x):
        # the kernel's value of every element, as text: "TRUTH name" then "[i, j, k] = value" lines
        lines = [f"{list(i)} = {x[i].item()!r}" for i in itertools.product(*map(range, x.shape))]
        return mo.plain_text("\\n".join([f"TRUTH {name}", *lines]))
    """,
    """
    t = torch.arange(24.).reshape(2, 3, 4) * 0.5 - 3
    view = tv.show(t, dims="D R C")
    view
    """,
    """
    truth("t", t)
    """,
    f"""
    w = torch.arange(15.).reshape(3, 5) - 7
    wview = tv.show(w, dims="R C", {LIVE})
    wview
    """,
    """
    double = mo.ui.button(label="double w in place", on_change=lambda _: w.mul_(2))
    double
    """,
    """
    double.value  # re-runs on each click: the kernel's values after the edit
    truth("w", w)
    """,
    """
    x = torch.arange(24.).reshape(2, 3, 4) - 11.5
    with tv.trace(dims={x: "D R C"}) as tr:
        y = x.reshape(4, -1)
        z = y.t()
    tr
    """,
    """
    mo.ui.anywidget(tv.animate(lambda a: a.permute(2, 0, 1), torch.randn(2, 3, 4), dims="N H W"))
    """,
    """
    tv.memory() if hasattr(tv, "memory") else mo.plain_text("NO MEMORY MONITOR")
    """,
    """
    mo.plain_text("ALL CELLS RAN")  # the last cell: marimo runs them in order, one at a time
    """,
]


@pytest.fixture(scope="module")
def marimo_server(tmp_path_factory, chromium_path):
    base = tmp_path_factory.mktemp("marimo")
    server = hosts.start_marimo(base, "tensorviz_hosts_app.py", CELLS)
    yield server
    server.stop()


@pytest.fixture(scope="module")
def page(browser, marimo_server):
    """This module's page, on the marimo app; every request it makes is recorded from the start."""
    context = browser.new_context(viewport={"width": 1280, "height": 900}, device_scale_factor=2)
    context.set_default_timeout(30_000)
    pg = context.new_page()
    pg._tv_requests = hosts.record_requests(pg)
    lab.attach(pg, marimo_server)
    yield pg
    context.close()


@pytest.fixture(scope="module")
def app(page):
    """The app, opened, with every cell run (the last cell's output is on the page)."""
    hosts.open_marimo(page, until='pre:has-text("ALL CELLS RAN")')
    return page


def truth_of(page, name: str) -> dict[tuple[int, ...], str]:
    """The kernel's values of tensor ``name`` as the app prints them (index -> value text)."""
    block = page.locator(f'pre:has-text("TRUTH {name}")').first
    block.wait_for(state="attached")
    values = {}
    for line in block.inner_text().splitlines()[1:]:
        m = re.fullmatch(r"\s*\[([-\d, ]*)\] = (\S+)\s*", line)
        if m:
            values[tuple(int(v) for v in m.group(1).split(","))] = m.group(2)
    assert values, f"no values printed for {name}: {block.inner_text()!r}"
    return values


def view_of(page, shape: str):
    """The TensorView whose aria-label names this shape, e.g. ``[2, 3, 4]``."""
    root = page.locator(f'{lab.TENSOR_VIEW}[aria-label*="{shape}"]').first
    root.wait_for(state="attached")
    lab.wait_ready(root)
    return root


@pytest.fixture(scope="module")
def cube(app):
    return view_of(app, "[2, 3, 4]")


def test_cube_shows_its_axes(page, cube):
    lab.screenshot(cube, "marimo-cube-ready")
    assert "float32" in (cube.get_attribute("aria-label") or "")
    hosts.check_axis_labels(cube, [(2, "D"), (3, "R"), (4, "C")])


def test_hover_shows_the_value_the_app_computed(page, cube):
    t = truth_of(page, "t")
    index, _, _ = hosts.check_hover(page, cube, 3, t.__getitem__)
    assert index[0] == 0, f"the front face starts at depth 0, the tooltip says {index}"
    lab.screenshot(cube, "marimo-cube-hover", scroll=False)


def test_depth_slider_draws_the_next_slice(page, cube):
    index = hosts.check_depth_slider(page, cube, truth_of(page, "t").__getitem__)
    assert index[0] == 1
    lab.screenshot(cube, "marimo-cube-depth1", scroll=False)


def test_a_live_view_shows_an_in_place_edit_from_a_marimo_button(page, app):
    root = view_of(page, "[3, 5]")
    handle = root.element_handle()
    before = truth_of(page, "w")
    index, shown, point = hosts.check_hover(page, root, 2, before.__getitem__)
    page.get_by_role("button", name="double w in place").click()
    # the kernel doubled w (its printout re-ran: it reads the button's value) ...
    deadline = time.monotonic() + 15
    while hosts.f32(truth_of(page, "w")[index]) != hosts.f32(shown) * 2:
        assert time.monotonic() < deadline, "the app's printout of w did not change after the click"
        page.wait_for_timeout(100)
    after = truth_of(page, "w")
    assert hosts.f32(after[index]) == hosts.f32(shown) * 2
    # ... and the view, whose cell did not run again, shows the new value at the same spot by itself
    hosts.check_hover(
        page,
        root,
        2,
        after.__getitem__,
        at=[point],
        accept=lambda idx, v: idx == index and v is not None and hosts.f32(v) == hosts.f32(after[index]),
    )
    assert handle.evaluate("el => el.isConnected"), "the view was drawn anew (its cell re-ran), not refreshed"
    lab.screenshot(root, "marimo-live-after-double", scroll=False)


def test_a_displayed_trace_plays_step_by_step(page, app):
    root = page.locator(f'{hosts.PLAYER}[data-op="reshape"], {hosts.PLAYER}[data-op="t"]').first
    root.wait_for(state="attached")
    lab.wait_ready(root)
    assert root.get_attribute("data-steps") == "2"
    hosts.check_axis_labels(root, [(2, "D"), (3, "R"), (4, "C")], where='[data-tensor="input0"]')
    hosts.check_step_forward(root, then_input_sizes=(4, 6))  # z = y.t(), y of shape [4, 6]
    assert root.get_attribute("data-op") == "t"
    lab.screenshot(root, "marimo-trace-step1")


def test_an_animated_permute_shows_its_axes(page, app):
    root = page.locator(f'{hosts.PLAYER}[data-op="permute"]').first
    root.wait_for(state="attached")
    lab.wait_ready(root)
    # the output's axis 0 is the input's axis 2: W, of size 4
    hosts.check_axis_labels(root, [(4, "W"), (2, "N"), (3, "H")], where='[data-tensor="output"]')
    lab.screenshot(root, "marimo-animate")


def test_the_memory_monitor_comes_up(page, app):
    if page.locator('pre:has-text("NO MEMORY MONITOR")').count():
        pytest.fail("tensorviz has no tv.memory() to show", pytrace=False)
    root = page.locator(hosts.MEMORY).first
    try:
        root.wait_for(state="attached", timeout=15_000)
    except Exception:
        pytest.fail(f"no memory monitor on the page; its cell shows: {page.locator('body').inner_text()[-600:]!r}")
    lab.wait_ready(root)
    figures = root.locator("[data-metric]")
    assert figures.count() > 0 and all(t.strip() for t in figures.all_inner_texts()), root.inner_text()[:500]
    lab.screenshot(root, "marimo-memory")


def test_no_request_leaves_the_machine(page, app):
    """Everything the page loaded (marimo's app, the widget code, the kernel's messages) came from this machine."""
    urls = page._tv_requests
    assert any(u.startswith(("ws://127.0.0.1", "http://127.0.0.1")) for u in urls), urls[:20]
    assert hosts.foreign_requests(urls) == []


def test_no_script_errors_on_the_page(page, app):
    errors = [m for m in page._tv_console if m.startswith("[pageerror]") or m.startswith("[error]")]
    assert errors == [], errors
