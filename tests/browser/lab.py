"""Helpers to drive a real JupyterLab page the way a user does (used by tests and benchmarks).

It starts a quiet, isolated JupyterLab server, opens notebooks, runs cells with Shift+Enter, reads
outputs and takes screenshots. The last section reads tensorviz widgets through their stable hooks only
(root `.tensorviz[data-widget]` with `data-state`/`aria-label`, `[data-axis]`, `[data-role="tooltip"]`).
"""

from __future__ import annotations

import json
import os
import re
import secrets
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Callable
from pathlib import Path
from typing import IO

import numpy as np

CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
]

HERE = Path(__file__).resolve().parent
SCREENSHOT_DIR = HERE / "screenshots"

KERNELSPEC = {"name": "python3", "display_name": "Python 3", "language": "python"}

# JupyterLab user settings that keep the page quiet and every cell in the DOM.
_LAB_SETTINGS = {
    "@jupyterlab/apputils-extension/notification.jupyterlab-settings": {
        "fetchNews": "false",
        "checkForUpdates": False,
    },
    "@jupyterlab/notebook-extension/tracker.jupyterlab-settings": {
        "windowingMode": "none",
        "kernelShutdown": True,
    },
    "@jupyterlab/codemirror-extension/plugin.jupyterlab-settings": {
        "defaultConfig": {"autoClosingBrackets": False},
    },
    "@jupyterlab/apputils-extension/sessionDialogs.jupyterlab-settings": {
        "skipKernelRestartDialog": True,
    },
}

_SERVER_CONFIG = {
    "ServerApp": {
        "open_browser": False,
        "jpserver_extensions": {"jupyter_lsp": False, "jupyter_server_terminals": False},
    },
    "LabApp": {
        "news_url": None,
        "check_for_updates_class": "jupyterlab.NeverCheckForUpdate",
        "expose_app_in_browser": True,
        "extension_manager": "readonly",
    },
    "LabServerApp": {"extra_labextensions_path": []},
}


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def spawn(cmd: list[str], cwd: Path, env: dict, log_path: Path) -> tuple[subprocess.Popen, IO[bytes]]:
    """Start a server in its own process group, its output going to ``log_path``."""
    log = open(log_path, "wb")
    proc = subprocess.Popen(cmd, cwd=cwd, env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
    return proc, log


def wait_until(proc: subprocess.Popen, ready: Callable[[], bool], timeout: float, what: str) -> None:
    """Poll ``ready()`` (connection errors count as not yet) until it is true; fail if ``proc`` exits or time runs out."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"{what} exited with code {proc.returncode}")
        try:
            if ready():
                return
        except (urllib.error.URLError, ConnectionError, OSError):
            pass
        time.sleep(0.1)
    raise RuntimeError(f"{what} did not answer within {timeout:.0f} s")


def stop_process(proc: subprocess.Popen | None) -> None:
    """Stop a server started by :func:`spawn` and everything it started (its process group)."""
    if proc is None or proc.poll() is not None:
        return
    try:
        os.killpg(proc.pid, signal.SIGTERM)
        proc.wait(timeout=10)
    except (ProcessLookupError, subprocess.TimeoutExpired):
        try:
            os.killpg(proc.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
        proc.wait(timeout=5)


class LabServer:
    """A JupyterLab server in its own process group with throw-away Jupyter dirs under ``base``."""

    def __init__(self, base: Path, python: str = sys.executable, kernel_python: str | None = None):
        self.base = Path(base)
        self.python = python
        # the kernel may run in another environment (an install test): then it imports what is installed there,
        # not the checkout
        self.kernel_python = kernel_python or python
        self.repo_on_path = kernel_python is None
        self.root = self.base / "root"
        self.log_path = self.base / "server.log"
        self.port = free_port()
        self.token = secrets.token_hex(16)
        self.proc: subprocess.Popen | None = None
        self._log: IO[bytes] | None = None

    # -- urls -------------------------------------------------------------------------------
    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def url(self, path: str) -> str:
        sep = "&" if "?" in path else "?"
        return f"{self.base_url}{path}{sep}token={self.token}"

    def api(self, method: str, path: str, body: dict | None = None, timeout: float = 10.0):
        data = None if body is None else json.dumps(body).encode()
        req = urllib.request.Request(
            f"{self.base_url}{path}",
            data=data,
            method=method,
            headers={"Authorization": f"token {self.token}", "Content-Type": "application/json"},
        )
        with urllib.request.urlopen(req, timeout=timeout) as resp:
            raw = resp.read()
        return json.loads(raw) if raw else None

    # -- lifecycle --------------------------------------------------------------------------
    def _prepare_dirs(self) -> dict:
        cfg, data, runtime, ipy = (self.base / n for n in ("config", "data", "runtime", "ipython"))
        for d in (self.root, cfg, data, runtime, ipy):
            d.mkdir(parents=True, exist_ok=True)
        (cfg / "jupyter_server_config.json").write_text(json.dumps(_SERVER_CONFIG, indent=1))
        settings = cfg / "lab" / "user-settings"
        for rel, value in _LAB_SETTINGS.items():
            f = settings / rel
            f.parent.mkdir(parents=True, exist_ok=True)
            f.write_text(json.dumps(value, indent=1))
        spec = data / "kernels" / "python3"
        spec.mkdir(parents=True, exist_ok=True)
        (spec / "kernel.json").write_text(
            json.dumps(
                {
                    "argv": [self.kernel_python, "-m", "ipykernel_launcher", "-f", "{connection_file}"],
                    "display_name": "Python 3",
                    "language": "python",
                    "metadata": {"debugger": False},
                },
                indent=1,
            )
        )
        env = {k: v for k, v in os.environ.items() if not k.startswith("JUPYTER")}
        env.update(
            JUPYTER_PATH=str(data),  # our kernelspec wins over any other `python3`
            JUPYTER_CONFIG_DIR=str(cfg),
            JUPYTER_DATA_DIR=str(data),
            JUPYTER_RUNTIME_DIR=str(runtime),
            JUPYTER_PLATFORM_DIRS="1",
            IPYTHONDIR=str(ipy),
            PYTHONUNBUFFERED="1",
            # the kernel can import the project being tested from the repo checkout
            PYTHONPATH=os.pathsep.join(
                p for p in ((str(HERE.parent.parent) if self.repo_on_path else ""), env.get("PYTHONPATH", "")) if p
            ),
            MPLBACKEND="agg",
        )
        return env

    APP = "lab"  # the Jupyter app served (a subclass may serve another: "notebook")
    EXTRA_FLAGS: tuple[str, ...] = ()

    def command(self) -> list[str]:
        cmd = [
            self.python, "-m", "jupyter", self.APP,
            "--no-browser",
            f"--port={self.port}",
            "--port-retries=0",
            f"--IdentityProvider.token={self.token}",
            f"--ServerApp.root_dir={self.root}",
            "--ServerApp.ip=127.0.0.1",
            "--ServerApp.open_browser=False",
            "--ServerApp.terminals_enabled=False",
            *self.EXTRA_FLAGS,
            "--LabApp.check_for_updates_class=jupyterlab.NeverCheckForUpdate",
        ]  # fmt: skip
        if hasattr(os, "geteuid") and os.geteuid() == 0:
            cmd.append("--allow-root")
        return cmd

    def start(self, timeout: float = 60.0) -> None:
        env = self._prepare_dirs()
        cmd = self.command()
        self.proc, self._log = spawn(cmd, self.root, env, self.log_path)
        wait_until(self.proc, lambda: self.api("GET", "/api/status", timeout=2) is not None, timeout, " ".join(cmd[2:4]))

    def stop(self) -> None:
        stop_process(self.proc)
        if self._log is not None:
            self._log.close()
            self._log = None

    def log_tail(self, lines: int = 60) -> str:
        try:
            text = self.log_path.read_text(errors="replace")
        except OSError:
            return "(no server log)"
        return "\n".join(text.splitlines()[-lines:])


def shutdown_kernels(server: LabServer) -> None:
    """Stop every session and kernel the server runs (between test modules)."""
    try:
        for s in server.api("GET", "/api/sessions") or []:
            server.api("DELETE", f"/api/sessions/{s['id']}")
        for k in server.api("GET", "/api/kernels") or []:
            server.api("DELETE", f"/api/kernels/{k['id']}")
    except Exception:
        pass


# ---------------------------------------------------------------------------------------------
# Page helpers
# ---------------------------------------------------------------------------------------------

_KERNEL_STATE_JS = """() => {
  const app = window.jupyterapp;
  if (app) {
    const w = app.shell.currentWidget;
    const ctx = w && w.sessionContext;
    const k = ctx && ctx.session && ctx.session.kernel;
    if (!k) return 'no-kernel';
    if (k.connectionStatus !== 'connected') return k.connectionStatus;
    return k.status;
  }
  const bar = document.querySelector('.jp-StatusBar-Widget');
  const m = bar && /\\|\\s*(\\w+)/.exec(bar.textContent || '');
  return m ? m[1].toLowerCase() : 'unknown';
}"""


def attach(page, server: LabServer) -> None:
    """Remember the server on the page, collect console messages and record (and dismiss) dialogs."""
    page._tv_server = server
    page._tv_console = []
    page._tv_dialogs = []
    page.on("console", lambda m: page._tv_console.append(f"[{m.type}] {m.text}"))
    page.on("pageerror", lambda e: page._tv_console.append(f"[pageerror] {e}"))

    def on_dialog(d):
        try:
            if d.type == "beforeunload":  # leaving a notebook with unsaved changes: just leave
                d.accept()
                return
            page._tv_dialogs.append(f"{d.type}: {d.message}")
            d.dismiss()
        except Exception:
            pass

    page.on("dialog", on_dialog)


def dialogs(page) -> list[str]:
    """Native browser dialogs (alert/confirm/prompt) seen on this page so far."""
    return list(getattr(page, "_tv_dialogs", []))


def dismiss_popups(page) -> None:
    """Close JupyterLab dialogs and toast notifications that could cover the notebook."""
    for _ in range(3):
        dlg = page.locator(".jp-Dialog")
        if dlg.count() == 0:
            break
        reject = dlg.locator("button.jp-mod-reject")
        if reject.count():
            reject.first.click()
        else:
            page.keyboard.press("Escape")
        try:
            dlg.first.wait_for(state="detached", timeout=2_000)
        except Exception:
            pass
    toasts = page.locator(".Toastify__toast .jp-toast-dismiss, .Toastify__close-button")
    for i in range(toasts.count()):
        try:
            toasts.nth(i).click(timeout=1_000)
        except Exception:
            pass


def wait_kernel_idle(page, timeout: float = 60.0) -> None:
    """Wait until the current notebook's kernel is connected and idle."""
    page.wait_for_function(f"() => ({_KERNEL_STATE_JS})() === 'idle'", timeout=timeout * 1000, polling=100)


def write_notebook(path: Path, cells=()) -> None:
    """Write an nbformat v4 notebook with a python3 kernelspec (so Lab opens no kernel dialog)."""
    nb_cells = []
    for i, src in enumerate(cells):
        nb_cells.append(
            {"cell_type": "code", "id": f"c{i}", "metadata": {}, "source": src, "outputs": [], "execution_count": None}
        )
    nb = {
        "nbformat": 4,
        "nbformat_minor": 5,
        "metadata": {
            "kernelspec": KERNELSPEC,
            "language_info": {"name": "python"},
        },
        "cells": nb_cells,
    }
    path.write_text(json.dumps(nb, indent=1))


def open_with_tensorviz(page, name: str):
    """Open notebook ``name`` (see :func:`open_notebook`) with torch and tensorviz imported in its kernel."""
    nb = open_notebook(page, name)
    text = run_print(page, "import torch, tensorviz as tv\nprint('ok')")
    assert text == "ok", text
    return nb


def open_notebook(page, name: str, cells=(), timeout: float = 60.0):
    """Write notebook ``name`` into the server root, open it in JupyterLab, wait for an idle kernel.

    ``cells`` are code sources placed in the notebook unexecuted. Returns the notebook locator.
    """
    server: LabServer = page._tv_server
    write_notebook(server.root / name, cells)
    # "reset": start from an empty workspace (no notebooks reopened from earlier pages)
    page.goto(server.url(f"/lab/tree/{name}?reset"))
    nb = page.locator(".jp-NotebookPanel:not(.lm-mod-hidden) .jp-Notebook")
    nb.locator(".jp-Cell").first.wait_for(state="visible", timeout=timeout * 1000)
    dismiss_popups(page)
    wait_kernel_idle(page, timeout)
    dismiss_popups(page)
    return nb


def notebook(page):
    return page.locator(".jp-NotebookPanel:not(.lm-mod-hidden) .jp-Notebook").first


def _prompts(page) -> list[str]:
    return notebook(page).locator(".jp-Cell .jp-InputArea-prompt").all_inner_texts()


def _exec_count(prompt: str) -> int | None:
    m = re.search(r"\[\s*(\d+)\s*\]", prompt)
    return int(m.group(1)) if m else None


def _cell_source(page, index: int) -> str | None:
    return page.evaluate(
        """(i) => {
          const app = window.jupyterapp; const w = app && app.shell.currentWidget;
          const cell = w && w.content && w.content.widgets[i];
          return cell ? cell.model.sharedModel.getSource() : null;
        }""",
        index,
    )


def run_cell(page, code: str, timeout: float = 60.0, on_submit=None):
    """Run ``code`` like a user: put it in an empty cell at the end (adding one if needed), press
    Shift+Enter and wait until the cell has its execution count. Returns the cell's output area locator
    (the cell itself is ``locator.locator('xpath=ancestor::div[contains(@class,"jp-Cell ")][1]')``,
    or use ``last_run_cell(page)``). ``on_submit()`` is called right before Shift+Enter is pressed.
    """
    dismiss_popups(page)
    nb = notebook(page)
    cells = nb.locator(".jp-Cell")
    n = cells.count()
    idx = n - 1
    last = cells.nth(idx)
    last_src = (last.locator(".cm-content").text_content() or "").strip()
    last_is_fresh_code = "jp-CodeCell" in (last.get_attribute("class") or "") and not last_src
    if not last_is_fresh_code or _exec_count(last.locator(".jp-InputArea-prompt").inner_text()) is not None:
        # select the last cell in command mode and insert a new one below with "b"
        last.locator(".jp-InputArea-prompt").click()
        page.keyboard.press("Escape")
        page.keyboard.press("b")
        cells.nth(n).wait_for(state="attached")
        idx = n
    cell = cells.nth(idx)
    editor = cell.locator(".cm-content")
    editor.click()
    page.keyboard.press("ControlOrMeta+a")
    page.keyboard.insert_text(code)
    src = _cell_source(page, idx)
    if src is not None and src.strip() != code.strip():
        raise AssertionError(f"cell {idx} holds {src!r} instead of {code!r}")
    before = max((c for c in map(_exec_count, _prompts(page)) if c is not None), default=0)
    page._tv_last_cell = idx
    if on_submit is not None:
        on_submit()
    page._tv_run_started = time.perf_counter()
    page.keyboard.press("Shift+Enter")
    prompt = cell.locator(".jp-InputArea-prompt")
    page.wait_for_function(
        """([el, before]) => { const m = /\\[\\s*(\\d+)\\s*\\]/.exec(el.textContent || '');
                               return m && Number(m[1]) > before; }""",
        arg=[prompt.element_handle(), before],
        timeout=timeout * 1000,
        polling=50,
    )
    return cell.locator(".jp-OutputArea")


def cell_of(locator):
    """The notebook cell holding ``locator`` (e.g. a widget in its output)."""
    return locator.locator('xpath=ancestor::div[contains(concat(" ", normalize-space(@class), " "), " jp-Cell ")][1]')


def last_run_cell(page):
    return notebook(page).locator(".jp-Cell").nth(page._tv_last_cell)


def cell_text_output(output) -> str:
    """The text a user reads in a cell's output area (stdout, results, tracebacks)."""
    parts = output.locator(".jp-OutputArea-output").all_inner_texts()
    return "\n".join(p.strip("\n") for p in parts).strip()


def run_print(page, code: str, timeout: float = 60.0) -> str:
    """Run a cell and return its printed text (used to ask the kernel for the truth)."""
    return cell_text_output(run_cell(page, code, timeout))


def screenshot(target, name: str, scroll: bool = True) -> Path:
    """Save a PNG of a page or a locator under tests/browser/screenshots/<name>.png.

    ``scroll=False`` takes a locator's picture where it is on screen, without scrolling (the mouse and a
    hover tooltip stay put); the part outside the viewport is left out.
    """
    SCREENSHOT_DIR.mkdir(parents=True, exist_ok=True)
    safe = re.sub(r"[^A-Za-z0-9_.-]+", "_", name)
    path = SCREENSHOT_DIR / f"{safe}.png"
    if not scroll and hasattr(target, "page") and not callable(getattr(target, "goto", None)):
        page = target.page
        box = target.bounding_box()
        vp = page.viewport_size
        x0, y0 = max(0, box["x"]), max(0, box["y"])
        x1, y1 = min(vp["width"], box["x"] + box["width"]), min(vp["height"], box["y"] + box["height"])
        page.screenshot(path=str(path), clip={"x": x0, "y": y0, "width": x1 - x0, "height": y1 - y0})
        return path
    if scroll:
        try:
            target.scroll_into_view_if_needed(timeout=5_000)
        except Exception:
            pass
    target.screenshot(path=str(path), animations="disabled")
    return path


# ---------------------------------------------------------------------------------------------
# tensorviz stable hooks
# ---------------------------------------------------------------------------------------------

TENSOR_VIEW = '.tensorviz[data-widget="tensor-view"]'
TOOLTIP = '[data-role="tooltip"]'
_INDEX_RE = re.compile(r"\[\s*(-?\d+(?:\s*,\s*-?\d+)*)\s*\]")
_NUMBER_RE = re.compile(r"(?<![\w.])[-+\u2212]?(?:nan|inf|(?:\d+\.?\d*|\.\d+)(?:e[-+\u2212]?\d+)?)(?![\w.])", re.I)


def find_widget(output, selector: str = TENSOR_VIEW, timeout: float = 15.0):
    """The first widget root matching ``selector`` in a cell's output area, once it is in the DOM.

    Fails with what the output area shows instead (e.g. a traceback or a "bundle missing" text).
    """
    root = output.locator(selector).first
    try:
        root.wait_for(state="attached", timeout=timeout * 1000)
    except Exception:
        shown = cell_text_output(output)
        raise AssertionError(
            f"no {selector} in the cell's output after {timeout:.0f} s; the output shows: {shown[-2000:]!r}"
        ) from None
    return root


def wait_state(root, states=("ready", "error"), timeout: float = 30.0) -> str:
    """Wait until a widget root's data-state is one of ``states``; return it."""
    root.wait_for(state="attached", timeout=timeout * 1000)
    root.page.wait_for_function(
        "([el, states]) => states.includes(el.getAttribute('data-state'))",
        arg=[root.element_handle(timeout=timeout * 1000), list(states)],
        timeout=timeout * 1000,
        polling=25,
    )
    return root.get_attribute("data-state")


def wait_ready(root, timeout: float = 30.0) -> None:
    """Wait for data-state="ready"; fail with the widget's text when it reached "error" instead."""
    state = wait_state(root, ("ready", "error"), timeout)
    if state != "ready":
        raise AssertionError(f"widget reached data-state={state!r}: {root.inner_text()!r}")


def parse_tooltip(text: str, rank: int | None = None):
    """(index tuple, value string) from a tooltip's text like ``[1, 0, 3] -1.5``; None if it has no index.

    The value is the first number after the index (or before it, when nothing follows).
    """
    best = None
    for m in _INDEX_RE.finditer(text):
        idx = tuple(int(v) for v in re.split(r"\s*,\s*", m.group(1).strip()))
        if rank is None or len(idx) == rank:
            best = m
            break
    if best is None:
        return None
    idx = tuple(int(v) for v in re.split(r"\s*,\s*", best.group(1).strip()))
    after = _NUMBER_RE.findall(text[best.end() :])
    before = _NUMBER_RE.findall(text[: best.start()])
    value = after[0] if after else (before[-1] if before else None)
    if value is not None:
        value = value.replace("\u2212", "-")
    return idx, value


_BLOCK_RE = re.compile(r"\[\s*(-?\d+(?::-?\d+)?(?:\s*,\s*-?\d+(?::-?\d+)?)*)\s*\]")


def parse_block_tooltip(text: str, rank: int):
    """For a block-reduced cell, e.g. ``[77:84, 2009:2016] max |x| = -3.14``: (((77, 84), (2009, 2016)), "-3.14").

    Plain entries ``i`` become ``(i, i + 1)``. None when the text holds no index of ``rank`` entries.
    """
    for m in _BLOCK_RE.finditer(text):
        parts = re.split(r"\s*,\s*", m.group(1).strip())
        if len(parts) != rank:
            continue
        ranges = []
        for part in parts:
            a, _, b = part.partition(":")
            ranges.append((int(a), int(b) if b else int(a) + 1))
        after = _NUMBER_RE.findall(text[m.end() :])
        value = after[-1].replace("\u2212", "-") if after else None
        return tuple(ranges), value
    return None


def _visible_tooltip_text(page) -> str | None:
    tips = page.locator(TOOLTIP)
    for i in range(tips.count()):
        t = tips.nth(i)
        try:
            if t.is_visible():
                return t.inner_text()
        except Exception:
            continue
    return None


def value_canvas_box(root) -> dict:
    """Bounding box of the widget's largest visible canvas (where the values are drawn)."""
    best, area = None, 0.0
    canv = root.locator("canvas")
    for i in range(canv.count()):
        box = canv.nth(i).bounding_box()
        if box and box["width"] * box["height"] > area:
            best, area = box, box["width"] * box["height"]
    if best is None:
        raise AssertionError("the widget has no visible canvas")
    return best


def f32(s: str) -> np.float32:
    """A value as written in the page (a Unicode minus included), as float32."""
    return np.float32(float(s.replace("\u2212", "-")))


def assert_same_value(shown: str | None, truth: str, what: str = "") -> None:
    """The value a tooltip shows equals the kernel's (as float32; NaN equals NaN)."""
    assert shown is not None, f"the tooltip shows no value {what}"
    a, b = f32(shown), f32(truth)
    assert a == b or (np.isnan(a) and np.isnan(b)), f"the tooltip shows {shown} but the kernel says {truth} {what}"


def shows_size(text: str, n: int) -> bool:
    """Whether a label shows the number n, written plainly or with thousands separators (1,000 / 1 000)."""
    plain = re.sub(r"(?<=\d)[,\u202f\u2009\u00a0 '](?=\d{3}\b)", "", text)
    return re.search(rf"(?<![\d.]){n}(?![\d.])", plain) is not None


def hover_points(n: int = 9):
    """Points to try as fractions of the canvas box: center first, then a grid from the middle outwards."""
    grid = [((i + 0.5) / n, (j + 0.5) / n) for i in range(n) for j in range(n)]
    grid.sort(key=lambda p: (p[0] - 0.5) ** 2 + (p[1] - 0.5) ** 2)
    return [(0.5, 0.5), *grid]


def hover_cell(page, root, rank: int, at=None, accept=None, timeout: float = 10.0, parse=None):
    """Move the mouse over the widget's values until the tooltip shows a full index.

    Tries the points ``at`` (fractions (fx, fy) of the largest canvas; default: a grid, center first)
    until the tooltip's parsed (index, value) satisfies ``accept`` (default: any), retrying until
    ``timeout``. Returns (index, value, text, (fx, fy)); the point can be passed back as ``at=[point]``
    to hover the same spot later, even after the page has scrolled. ``parse(text, rank)`` replaces
    ``parse_tooltip`` (e.g. ``parse_block_tooltip`` for block-reduced faces).
    """
    deadline = time.monotonic() + timeout
    last_text = None
    while True:
        root.scroll_into_view_if_needed()
        box = value_canvas_box(root)
        for fx, fy in at or hover_points():
            x, y = box["x"] + fx * box["width"], box["y"] + fy * box["height"]
            page.mouse.move(x - 3, y - 3)
            page.mouse.move(x, y)
            try:
                page.wait_for_selector(f"{TOOLTIP} >> visible=true", timeout=300)
            except Exception:
                continue
            text = _visible_tooltip_text(page)
            last_text = text
            parsed = (parse or parse_tooltip)(text or "", rank)
            if parsed and (accept is None or accept(*parsed)):
                return parsed[0], parsed[1], text, (fx, fy)
        if time.monotonic() > deadline:
            raise AssertionError(f"no acceptable tooltip while hovering the values; last tooltip: {last_text!r}")
        page.wait_for_timeout(200)


# A minimal anywidget: the anchor that tensorviz's timings and bytes are compared with.
BARE_WIDGET_CLASS = '''
import anywidget, traitlets
class Bare(anywidget.AnyWidget):
    _esm = """
    export default { render({ model, el }) {
      const d = document.createElement("div");
      d.className = "bare-widget";
      d.textContent = "bare " + model.get("n");
      el.appendChild(d);
      d.dataset.state = "ready";
    } };
    """
    n = traitlets.Int(7).tag(sync=True)
'''
