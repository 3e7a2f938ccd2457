"""The harness itself: a notebook opens, cells run with Shift+Enter, printed text and a bare
anywidget show up. If these fail, the tensorviz browser tests cannot say anything."""

import re

import lab
import pytest

BARE_WIDGET = lab.BARE_WIDGET_CLASS + "Bare()\n"


@pytest.fixture(scope="module")
def nb(page):
    return lab.open_notebook(page, "harness.ipynb")


def test_printed_text_is_read_back(page, nb):
    assert lab.run_print(page, "print(6 * 7)") == "42"
    multi = "x = 0\nfor i in range(3):\n    x += i\nprint('x =', x)"
    assert lab.run_print(page, multi) == "x = 3"


def test_kernel_is_the_venv_python(page, nb):
    import sys

    assert lab.run_print(page, "import sys; print(sys.prefix)") == sys.prefix


def test_error_is_shown(page, nb):
    text = lab.run_print(page, "raise ValueError('nope')")
    assert re.search(r"ValueError\W+nope", text), text


def test_bare_anywidget_renders(page, nb):
    out = lab.run_cell(page, BARE_WIDGET)
    w = out.locator(".bare-widget[data-state=ready]")
    w.wait_for()
    assert w.inner_text() == "bare 7"
    lab.screenshot(lab.last_run_cell(page), "harness-bare-anywidget")
