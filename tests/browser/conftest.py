"""Fixtures for the real-browser tests: one JupyterLab server and one Chromium per session.

The server runs with throw-away config/data/runtime dirs, so nothing the user has installed or
configured leaks in, and nothing is installed globally. The kernelspec ``python3`` is written into
the temporary data dir and points at ``sys.executable`` (the venv's python).
"""

from __future__ import annotations

import os
import shutil
import sys
from typing import NoReturn

import pytest

_HERE = os.path.dirname(os.path.abspath(__file__))
if _HERE not in sys.path:  # `import lab` works whatever pytest's import mode
    sys.path.insert(0, _HERE)

import lab  # noqa: E402


def _find_chromium() -> str | None:
    env = os.environ.get("TENSORVIZ_CHROMIUM")
    if env:
        return env if os.path.exists(env) else None
    for cand in ("/usr/bin/chromium", "/usr/bin/chromium-browser", "/usr/bin/google-chrome"):
        if os.path.exists(cand):
            return cand
    return shutil.which("chromium")


def _skip_or_fail(reason: str) -> NoReturn:
    if os.environ.get("CI"):
        pytest.fail(f"browser tests must not skip in CI: {reason}", pytrace=False)
    pytest.skip(reason)


@pytest.fixture(scope="session")
def chromium_path() -> str:
    path = _find_chromium()
    if path is None:
        _skip_or_fail("no Chromium found (set TENSORVIZ_CHROMIUM to its path)")
    return path


@pytest.fixture(scope="session")
def lab_server(tmp_path_factory, chromium_path):
    """A running JupyterLab server (a ``lab.LabServer``) shared by the whole session."""
    base = tmp_path_factory.mktemp("jupyterlab")
    server = lab.LabServer(base)
    try:
        server.start()
    except Exception as exc:  # the server's log tail is part of the message
        server.stop()
        pytest.fail(f"JupyterLab did not start: {exc}\n--- server log tail ---\n{server.log_tail()}", pytrace=False)
    yield server
    server.stop()


@pytest.fixture(scope="session")
def browser(chromium_path):
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        _skip_or_fail("playwright is not installed")
    with sync_playwright() as pw:
        b = pw.chromium.launch(executable_path=chromium_path, args=lab.CHROMIUM_ARGS)
        yield b
        b.close()


@pytest.fixture(scope="module")
def page(browser, lab_server, request):
    """A fresh browser page per test module (tests in a module usually share one notebook)."""
    context = browser.new_context(viewport={"width": 1280, "height": 900}, device_scale_factor=2)
    context.set_default_timeout(30_000)
    pg = context.new_page()
    lab.attach(pg, lab_server)
    yield pg
    lab.shutdown_kernels(lab_server)
    context.close()


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item, call):
    outcome = yield
    rep = outcome.get_result()
    if rep.when != "call" or not rep.failed:
        return
    # On failure: keep a picture of the page and show the server's last log lines.
    pg = item.funcargs.get("page")
    if pg is not None:
        try:
            lab.screenshot(pg, f"FAILED-{item.name}")
        except Exception:
            pass
    server = item.funcargs.get("lab_server") or getattr(pg, "_tv_server", None)
    if server is not None:
        rep.sections.append(("JupyterLab server log (tail)", server.log_tail()))
    if pg is not None and getattr(pg, "_tv_console", None):
        rep.sections.append(("browser console (tail)", "\n".join(pg._tv_console[-40:])))


def pytest_configure(config):
    config.addinivalue_line("markers", "browser: drives a real JupyterLab page in Chromium (tests/browser)")


def pytest_collection_modifyitems(config, items):
    for item in items:
        if _HERE in str(getattr(item, "path", item.fspath)):
            item.add_marker(pytest.mark.browser)
