"""Servers and page helpers for the notebook hosts beside JupyterLab: Jupyter Notebook 7 and marimo.

Notebook 7 is JupyterLab's notebook widget in a one-document shell: ``NotebookServer`` starts ``jupyter notebook``
with the same throw-away Jupyter dirs, settings and kernelspec as ``lab.LabServer``, and ``lab.run_cell`` and the
other page helpers of ``lab`` drive its cells as they are (``open_notebook7`` opens ``/notebooks/<file>``).

marimo runs a Python file as an app: ``MarimoServer`` starts ``marimo run <file>.py --headless`` on 127.0.0.1 with an
access token, its config and cache dirs throw-away, and the checkout importable. ``marimo_app`` writes such a file
from cell sources. In ``marimo run`` every cell runs when the page connects; cells show their last expression.
"""

from __future__ import annotations

import os
import re
import secrets
import subprocess
import sys
import textwrap
import time
import urllib.error
import urllib.request
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import IO
from urllib.parse import urlsplit

import lab
import pytest

LOCAL_HOSTS = ("127.0.0.1", "localhost", "[::1]", "::1")


# ---------------------------------------------------------------------------------------------
# Jupyter Notebook 7
# ---------------------------------------------------------------------------------------------


class NotebookServer(lab.LabServer):
    """A Jupyter Notebook 7 server (``jupyter notebook``): LabServer's dirs, settings and kernelspec, another app."""

    APP = "notebook"
    # window.jupyterapp, as lab's helpers expect
    EXTRA_FLAGS = ("--JupyterNotebookApp.expose_app_in_browser=True",)


def open_notebook7(page, name: str, cells=(), timeout: float = 60.0):
    """Write notebook ``name`` into the server root, open it at ``/notebooks/<name>``, wait for an idle kernel.

    Returns the notebook locator; ``lab.run_cell`` and the other helpers of ``lab`` work on the page as in Lab.
    """
    server: NotebookServer = page._tv_server
    lab.write_notebook(server.root / name, cells)
    page.goto(server.url(f"/notebooks/{name}"))
    nb = lab.notebook(page)
    nb.locator(".jp-Cell").first.wait_for(state="visible", timeout=timeout * 1000)
    lab.dismiss_popups(page)
    lab.wait_kernel_idle(page, timeout)
    lab.dismiss_popups(page)
    return nb


# ---------------------------------------------------------------------------------------------
# marimo
# ---------------------------------------------------------------------------------------------


def marimo_app(cells: Iterable[str]) -> str:
    """The source of a marimo app whose cells are ``cells`` (plain code; a cell shows its last expression).

    Each cell becomes an ``@app.cell`` function; marimo works out what each cell defines and uses when it loads
    the file, so the functions take no parameters and return nothing here.
    """
    parts = ["import marimo\n\napp = marimo.App()\n"]
    for src in cells:
        body = textwrap.indent(textwrap.dedent(src).strip("\n"), "    ")
        parts.append(f"\n@app.cell\ndef _():\n{body}\n    return\n")
    parts.append('\n\nif __name__ == "__main__":\n    app.run()\n')
    return "\n".join(parts)


class MarimoServer:
    """``marimo run <app>`` in its own process group, on 127.0.0.1 with an access token, dirs under ``base``."""

    def __init__(self, base: Path, app: Path, python: str = sys.executable):
        self.base = Path(base)
        self.app = Path(app)
        self.python = python
        self.root = self.app.parent
        self.log_path = self.base / "marimo.log"
        self.port = lab.free_port()
        self.token = secrets.token_hex(16)
        self.proc: subprocess.Popen | None = None
        self._log: IO[bytes] | None = None

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def url(self, path: str = "/") -> str:
        sep = "&" if "?" in path else "?"
        return f"{self.base_url}{path}{sep}access_token={self.token}"

    def _env(self) -> dict:
        home = self.base / "home"
        for d in ("config", "cache", "state", "data"):
            (home / d).mkdir(parents=True, exist_ok=True)
        env = {k: v for k, v in os.environ.items() if not k.startswith(("MARIMO", "JUPYTER"))}
        env.update(
            XDG_CONFIG_HOME=str(home / "config"),  # no user marimo.toml leaks in
            XDG_CACHE_HOME=str(home / "cache"),
            XDG_STATE_HOME=str(home / "state"),
            XDG_DATA_HOME=str(home / "data"),
            MARIMO_SKIP_UPDATE_CHECK="1",
            PYTHONUNBUFFERED="1",
            PYTHONPATH=os.pathsep.join(p for p in (str(lab.HERE.parent.parent), env.get("PYTHONPATH", "")) if p),
            MPLBACKEND="agg",
        )
        return env

    def start(self, timeout: float = 60.0) -> None:
        self.base.mkdir(parents=True, exist_ok=True)
        cmd = [
            self.python, "-m", "marimo", "run", str(self.app),
            "--headless",
            "--host", "127.0.0.1",
            "--port", str(self.port),
            "--token-password", self.token,
        ]  # fmt: skip
        self.proc, self._log = lab.spawn(cmd, self.root, self._env(), self.log_path)

        def ready() -> bool:
            with urllib.request.urlopen(f"{self.base_url}/health", timeout=2) as resp:
                return resp.status == 200

        lab.wait_until(self.proc, ready, timeout, "marimo run")

    def stop(self) -> None:
        lab.stop_process(self.proc)
        if self._log is not None:
            self._log.close()
            self._log = None

    def log_tail(self, lines: int = 60) -> str:
        try:
            text = self.log_path.read_text(errors="replace")
        except OSError:
            return "(no marimo log)"
        return "\n".join(text.splitlines()[-lines:])


def start_marimo(base: Path, name: str, cells) -> MarimoServer:
    """Write the cells as marimo app ``name`` under ``base`` and serve it with ``marimo run``; fail the tests with the
    server's log when it does not start."""
    app = base / "app" / name
    app.parent.mkdir()
    app.write_text(marimo_app(cells))
    server = MarimoServer(base, app)
    try:
        server.start()
    except Exception as exc:
        server.stop()
        pytest.fail(f"marimo run did not start: {exc}\n--- marimo log tail ---\n{server.log_tail()}", pytrace=False)
    return server


def open_marimo(page, until: str, timeout: float = 90.0) -> None:
    """Open the app; return once an element matching ``until`` (e.g. the last cell's output) is on the page.

    ``marimo run`` starts the app's kernel when the page connects and runs every cell then, in order.
    """
    server: MarimoServer = page._tv_server
    page.goto(server.url("/"))
    page.locator(until).first.wait_for(state="attached", timeout=timeout * 1000)


# ---------------------------------------------------------------------------------------------
# What the page asks of the network
# ---------------------------------------------------------------------------------------------


def record_requests(page) -> list[str]:
    """Start recording the URL of every request the page (and its workers) makes; returns the live list."""
    urls: list[str] = []
    page.on("request", lambda r: urls.append(r.url))
    return urls


def is_local(url: str) -> bool:
    """Whether ``url`` stays on this machine: http(s)/ws(s) to 127.0.0.1 or localhost, or a data:/blob: URL."""
    scheme = url.split(":", 1)[0].lower()
    if scheme in ("data", "blob"):
        return True
    host = urlsplit(url).hostname or ""
    return host in LOCAL_HOSTS or host.endswith(".localhost")


def foreign_requests(urls: Iterable[str]) -> list[str]:
    """The recorded URLs that leave the machine (query strings cut, since they may hold tokens)."""
    return sorted({re.sub(r"[?#].*", "", u) for u in urls if not is_local(u)})


# ---------------------------------------------------------------------------------------------
# The user-level checks every host must pass (read through the stable hooks only)
# ---------------------------------------------------------------------------------------------

PLAYER = '.tensorviz[data-widget="op-player"]'
MEMORY = '.tensorviz[data-widget="memory-monitor"]'


# the checks of what a view shows, shared with the JupyterLab tests
f32, assert_same_value, shows_size = lab.f32, lab.assert_same_value, lab.shows_size


def check_axis_labels(root, axes, where: str = "") -> None:
    """Each ``[data-axis=i]`` label holds the axis size and its name; ``axes`` is [(size, name), ...].

    ``where`` narrows the labels, e.g. ``[data-tensor="input0"]`` for a player's first input.
    """
    for axis, (size, name) in enumerate(axes):
        el = root.locator(f'{where}[data-axis="{axis}"]').first
        text = el.inner_text()
        assert shows_size(text, size), f"axis {axis} label {text!r} lacks its size {size}"
        assert re.search(rf"\b{re.escape(name)}\b", text), f"axis {axis} label {text!r} lacks its name {name}"


def check_hover(page, root, rank: int, truth: Callable[[tuple[int, ...]], str], accept=None, at=None):
    """Hover the values until the tooltip shows a full index (one ``accept`` likes) and check that its value is
    ``truth(index)``, the kernel's. Returns (index, value, point) — ``point`` hovers the same spot again."""
    index, value, text, point = lab.hover_cell(page, root, rank=rank, accept=accept, at=at)
    assert_same_value(value, truth(index), f"at {index} ({text!r})")
    return index, value, point


def depth_slider(root):
    """The range input that moves the front face along axis 0 (labelled for axis 0 or its name D)."""
    sliders = root.locator('input[type="range"]')
    for i in range(sliders.count()):
        label = sliders.nth(i).get_attribute("aria-label") or ""
        if re.search(r"axis\s*0\b|\bD\b", label):
            return sliders.nth(i)
    labels = [sliders.nth(i).get_attribute("aria-label") for i in range(sliders.count())]
    raise AssertionError(f"no range input labelled for axis 0 / D; range inputs' labels: {labels}")


def check_depth_slider(page, root, truth: Callable[[tuple[int, ...]], str]) -> tuple[int, ...]:
    """Click the depth slider's far end like a user: the front face shows the next slice, with the kernel's values.

    The cube's top and side faces show cells of every depth too (the first row, the last column): the tooltip must
    come from the front face itself, a cell off its first row and last column, at depth 1.
    """
    slider = depth_slider(root)
    assert slider.input_value() == "0"
    slider.scroll_into_view_if_needed()
    box = slider.bounding_box()
    slider.click(position={"x": box["width"] - 3, "y": box["height"] / 2})
    assert slider.input_value() == "1"
    last_col = int(re.findall(r"\d+", root.get_attribute("aria-label") or "")[-1]) - 1  # "... [2, 3, 4] ..."

    def on_the_front_face_at_depth_1(idx, _value):
        return idx[0] == 1 and idx[1] > 0 and idx[2] < last_col

    index, _, _ = check_hover(page, root, 3, truth, accept=on_the_front_face_at_depth_1)
    return index


def check_step_forward(root, then_input_sizes, timeout: float = 15.0) -> None:
    """The player's ``Step forward`` moves ``data-step`` on by one and draws that step: its first input's axis
    labels show ``then_input_sizes`` (they come with the step's data from the kernel)."""
    lab.wait_ready(root)
    start = int(root.get_attribute("data-step"))
    steps = int(root.get_attribute("data-steps"))
    assert start + 1 < steps, f"the player has {steps} steps, at step {start}"
    root.locator('button[aria-label="Step forward"]').click()
    root.page.wait_for_function(
        "([el, s]) => el.getAttribute('data-step') === String(s) && el.getAttribute('data-state') === 'ready'",
        arg=[root.element_handle(), start + 1],
        timeout=timeout * 1000,
        polling=20,
    )
    deadline = time.monotonic() + timeout
    while True:
        labels = [
            root.locator(f'[data-tensor="input0"][data-axis="{axis}"]').first.inner_text()
            for axis in range(len(then_input_sizes))
        ]
        if all(shows_size(text, n) for text, n in zip(labels, then_input_sizes, strict=True)):
            return
        if time.monotonic() > deadline:
            raise AssertionError(
                f"step {start + 1} was not drawn: its input's axis labels read {labels}, expected sizes "
                f"{list(then_input_sizes)}; the player says {root.inner_text()[:300]!r}"
            )
        root.page.wait_for_timeout(50)
