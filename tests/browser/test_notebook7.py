"""tensorviz in Jupyter Notebook 7 (`jupyter notebook`, a notebook at /notebooks/<file>), as a user sees it.

The same user-level checks as in JupyterLab: axis labels, a hovered value equal to the kernel's (printed by another
cell), the depth slider drawing the next slice, an in-place edit showing after the cell, the OpPlayer stepping, and no
request leaving the machine. Notebook 7's notebook is JupyterLab's notebook widget, so `lab`'s cell helpers drive it.
"""

from __future__ import annotations

import hosts
import lab
import pytest

CUBE = 't = torch.arange(24.).reshape(2, 3, 4) * 0.5 - 3\nview = tv.show(t, dims="D R C")\nview'
TRACE = (
    "x = torch.arange(24.).reshape(2, 3, 4) - 11.5\n"
    "with tv.trace(dims={x: 'D R C'}) as tr:\n"
    "    y = x.reshape(4, -1)\n"
    "    z = y.t()\n"
    "tr"
)


@pytest.fixture(scope="module")
def nb7_server(tmp_path_factory, chromium_path):
    server = hosts.NotebookServer(tmp_path_factory.mktemp("notebook7"))
    try:
        server.start()
    except Exception as exc:
        server.stop()
        pytest.fail(
            f"jupyter notebook did not start: {exc}\n--- server log tail ---\n{server.log_tail()}", pytrace=False
        )
    yield server
    server.stop()


@pytest.fixture(scope="module")
def page(browser, nb7_server):
    """This module's page, on the Notebook 7 server; every request it makes is recorded from the start."""
    context = browser.new_context(viewport={"width": 1280, "height": 900}, device_scale_factor=2)
    context.set_default_timeout(30_000)
    pg = context.new_page()
    pg._tv_requests = hosts.record_requests(pg)
    lab.attach(pg, nb7_server)
    yield pg
    lab.shutdown_kernels(nb7_server)
    context.close()


@pytest.fixture(scope="module")
def nb(page):
    nb = hosts.open_notebook7(page, "hosts_notebook7.ipynb")
    page._tv_console_before = len(page._tv_console)  # Notebook 7's own messages while it opened
    text = lab.run_print(page, "import torch, tensorviz as tv\nprint('ok')")
    assert text == "ok", text
    return nb


_cube_failure: list[str] = []


@pytest.fixture(scope="module")
def cube(page, nb):
    if _cube_failure:
        pytest.fail(f"the cube view did not come up (see the first test): {_cube_failure[0]}", pytrace=False)
    try:
        root = lab.find_widget(lab.run_cell(page, CUBE), lab.TENSOR_VIEW)
        lab.wait_ready(root)
    except Exception as exc:
        _cube_failure.append(str(exc).splitlines()[0][:500])
        raise
    return root


def kernel_value(page, var: str):
    return lambda index: lab.run_print(page, f"print({var}[{', '.join(map(str, index))}].item())")


def test_the_page_is_notebook_7_not_lab(page, nb):
    assert "/notebooks/hosts_notebook7.ipynb" in page.url, page.url
    assert page.evaluate("() => window.jupyterapp.name") == "Jupyter Notebook"
    assert page.evaluate("() => document.body.dataset.notebook") == "notebooks"  # Notebook 7's notebook page


def test_cube_shows_its_axes(page, cube):
    lab.screenshot(cube, "nb7-cube-ready")
    label = cube.get_attribute("aria-label") or ""
    assert "float32" in label and "[2, 3, 4]" in label, label
    hosts.check_axis_labels(cube, [(2, "D"), (3, "R"), (4, "C")])


def test_hover_shows_the_kernels_value(page, cube):
    index, _, _ = hosts.check_hover(page, cube, 3, kernel_value(page, "t"))
    lab.screenshot(lab.cell_of(cube), "nb7-cube-hover", scroll=False)
    assert index[0] == 0, f"the front face starts at depth 0, the tooltip says {index}"


def test_depth_slider_draws_the_next_slice(page, cube):
    index = hosts.check_depth_slider(page, cube, kernel_value(page, "t"))
    assert index[0] == 1
    lab.screenshot(lab.cell_of(cube), "nb7-cube-depth1", scroll=False)
    assert lab.run_print(page, "print(view.index[0])") == "1"  # the kernel sees the index the user picked


def test_in_place_edit_shows_after_the_cell(page, cube):
    index, before, point = hosts.check_hover(page, cube, 3, kernel_value(page, "t"))
    lab.run_cell(page, "t.mul_(2)")
    truth = kernel_value(page, "t")(index)
    assert hosts.f32(truth) == hosts.f32(before) * 2
    hosts.check_hover(
        page,
        cube,
        3,
        lambda _: truth,
        at=[point],
        accept=lambda idx, v: idx == index and hosts.f32(v) == hosts.f32(truth),
    )


def test_a_traced_reshape_steps_forward(page, nb):
    root = lab.find_widget(lab.run_cell(page, TRACE), hosts.PLAYER)
    lab.wait_ready(root)
    assert root.get_attribute("data-op") == "reshape" and root.get_attribute("data-steps") == "2"
    hosts.check_axis_labels(root, [(2, "D"), (3, "R"), (4, "C")], where='[data-tensor="input0"]')
    hosts.check_step_forward(root, then_input_sizes=(4, 6))  # z = y.t(), y of shape [4, 6]
    assert root.get_attribute("data-op") == "t"
    lab.screenshot(root, "nb7-player-step1")


def test_no_request_leaves_the_machine(page, nb):
    """Everything the page loaded (the app, the widget bundles, kernel traffic) came from this machine."""
    urls = page._tv_requests
    assert any("/notebooks/" in u for u in urls) and any("/api/kernels" in u for u in urls), urls[:20]
    assert hosts.foreign_requests(urls) == []


def test_no_script_errors_from_the_widgets(page, nb):
    """No uncaught exception and no console error since the notebook opened (Notebook 7 logs a few of its own
    while it loads: a 404 for the language-server status the harness switches off, a settings-schema error)."""
    since = page._tv_console[page._tv_console_before :]
    errors = [m for m in since if m.startswith("[pageerror]") or m.startswith("[error]")]
    assert errors == [], errors
