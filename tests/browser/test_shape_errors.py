"""Shape errors explained with a picture, in a real JupyterLab page.

The user's cell raises torch's own error; the trace, displayed, opens on the failing step and draws it: the
explanation with its numbers (`[data-role="error"]`), the labels of the axes in conflict (`data-conflict="true"`),
and for a reshape the counting that fails (elements travelling into places that they cannot fill).
"""

from __future__ import annotations

import lab
import pixels
import pytest

PLAYER = '.tensorviz[data-widget="op-player"]'


def player_after(page, code: str):
    out = lab.run_cell(page, code)
    root = lab.find_widget(out, PLAYER)
    lab.wait_ready(root)
    return root, out


def scrub(root, value: float) -> None:
    rng = root.locator('input[type="range"]').first
    rng.evaluate("(el, v) => { el.value = String(v); el.dispatchEvent(new Event('input', {bubbles: true})); }", value)


def conflicts(root) -> set[tuple[str, int]]:
    labels = root.locator('[data-conflict="true"]')
    return {(labels.nth(i).get_attribute("data-tensor"), int(labels.nth(i).get_attribute("data-axis"))) for i in range(labels.count())}


@pytest.fixture(scope="module")
def nb(page):
    return lab.open_with_tensorviz(page, "shape_errors.ipynb")


def test_a_bad_reshape_shows_twelve_elements_failing_to_fill_fifteen_places(page, nb):
    code = (
        "x = torch.arange(12.)\n"
        "with tv.trace() as tr:\n"
        "    try:\n"
        "        y = x.view(5, 3)\n"
        "    except RuntimeError as e:\n"
        "        print(type(e).__name__, e)\n"
        "tr"
    )
    root, out = player_after(page, code)
    assert "RuntimeError shape '[5, 3]' is invalid for input of size 12" in lab.cell_text_output(out)
    assert root.get_attribute("data-op") == "view"
    err = root.locator('[data-role="error"]')
    text = err.inner_text()
    assert "12 elements cannot fill 5 × 3 = 15 places" in text, text
    assert "shape '[5, 3]' is invalid for input of size 12" in text  # torch's own words too
    assert "x.view(4, 3)" in text
    scrub(root, 0.5)
    lab.screenshot(root, "error-reshape-mid")
    scrub(root, 0.999)
    page.wait_for_timeout(80)
    lab.screenshot(root, "error-reshape-end")
    assert "3 places left empty" in root.locator(".tv-caption").inner_text()
    # the three empty places are outlined in the error color: count red dashed pixels in the places picture
    shot = pixels.screenshot_rgb(root.locator(".tv-stage"))
    rgb = shot.rgb.astype(int)
    reddish = (rgb[..., 0] > 170) & (rgb[..., 1] < 90) & (rgb[..., 2] < 90)
    assert reddish.sum() > 60, f"no empty place is marked ({int(reddish.sum())} red pixels)"
    # the result of the fix, run by the user, works
    assert lab.run_print(page, "print(x.view(4, 3).shape)") == "torch.Size([4, 3])"


def test_a_bad_cat_marks_the_axis_that_does_not_match(page, nb):
    code = (
        "a, b = torch.zeros(2, 3), torch.ones(2, 4)\n"
        "with tv.trace() as tr2:\n"
        "    try:\n"
        "        torch.cat([a, b], dim=0)\n"
        "    except RuntimeError as e:\n"
        "        pass\n"
        "tr2"
    )
    root, _ = player_after(page, code)
    assert root.get_attribute("data-op") == "cat"
    text = root.locator('[data-role="error"]').inner_text()
    assert "axis 1 is 3 in input 0, 4 in input 1" in text, text
    assert conflicts(root) == {("input0", 1), ("input1", 1)}
    lab.screenshot(root, "error-cat")


def test_a_broadcasting_error_marks_the_pair_that_is_neither_equal_nor_one(page, nb):
    code = (
        "p, q = torch.zeros(2, 3), torch.zeros(2)\n"
        "with tv.trace(dims={p: 'rows cols', q: 'n'}) as tr3:\n"
        "    try:\n"
        "        p + q\n"
        "    except RuntimeError:\n"
        "        pass\n"
        "tr3"
    )
    root, _ = player_after(page, code)
    text = root.locator('[data-role="error"]').inner_text()
    assert "[2, 3] and [2] cannot broadcast" in text, text
    assert conflicts(root) == {("input0", 1), ("input1", 0)}
    marked = root.locator('[data-conflict="true"][data-tensor="input0"]').first.inner_text()
    assert "cols" in marked and "3" in marked
    assert "x.add(y[:, None])" in text
    lab.screenshot(root, "error-broadcast")
