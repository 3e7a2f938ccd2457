"""NaN and infinities are never hidden, in a real JupyterLab page.

A 6000 × 6000 tensor with one NaN and one +inf on rows the face's row sample does not read: the header gives the
exact counts and where they are, the reduced face still marks them, and "Go to next" (button and key N) moves the
view until the exact cell is drawn and ringed, its tooltip showing the kernel's value. Rank 3 (the depth slider
moves) and a long vector (the cells around the NaN come into view) too. Read through the stable hooks
(`[data-role="tooltip"]`, `[data-role="highlight"]`, `data-state`) and visible text.
"""

from __future__ import annotations

import re

import lab
import pytest

NEXT = 'button[aria-label="Go to the next NaN or infinity"]'


def highlight(root, index: str, timeout: float = 30.0):
    """The ring around the element ``index`` (e.g. "[1234, 4321]"), once drawn."""
    ring = root.locator(f'[data-role="highlight"][data-index="{index}"]')
    ring.wait_for(state="attached", timeout=timeout * 1000)
    return ring


def hover_ring(page, root, ring, rank: int):
    """Hover the middle of the ringed cell; the tooltip's (index, value)."""
    box = ring.bounding_box()
    assert box and box["width"] >= 6 and box["height"] >= 6, f"the ringed cell is too small to be a zoomed cell: {box}"
    page.mouse.move(box["x"] + box["width"] / 2 - 2, box["y"] + box["height"] / 2 - 2)
    page.mouse.move(box["x"] + box["width"] / 2, box["y"] + box["height"] / 2)
    page.wait_for_selector(f"{lab.TOOLTIP} >> visible=true", timeout=5_000)
    text = lab._visible_tooltip_text(page) or ""
    parsed = lab.parse_tooltip(text, rank)
    assert parsed, f"tooltip without a full index: {text!r}"
    return parsed


@pytest.fixture(scope="module")
def big(page):
    lab.open_notebook(page, "nonfinite.ipynb")
    out = lab.run_cell(
        page,
        "import torch, tensorviz as tv\n"
        "torch.manual_seed(0)\n"
        "big = torch.randn(6000, 6000)\n"
        "big[1234, 4321] = float('nan')\n"
        "big[5999, 1] = float('inf')\n"
        "view = tv.show(big)\n"
        "view",
    )
    root = lab.find_widget(out, lab.TENSOR_VIEW)
    lab.wait_ready(root, timeout=60)
    return root


def test_header_gives_exact_counts_and_where_although_stats_are_sampled(page, big):
    bar = big.locator(".tv-nonfinite")
    bar.locator('[data-metric="nonfinite"]').wait_for(timeout=30_000)  # after "checking…"
    text = bar.inner_text()
    assert "1 NaN" in text and "1 +inf" in text, text
    assert "[1234, 4321]" in text and "[5999, 1]" in text, text
    assert "sampled" in big.locator(".tv-stats").inner_text()  # the statistics are from a sample; the counts are not
    # the kernel agrees, as plain data
    truth = lab.run_print(page, "f = view.find_nonfinite(limit=5)\nprint(f.nan, f.posinf, f.neginf, f.indices)")
    assert truth == "1 1 0 ((1234, 4321), (5999, 1))", truth


def test_the_sampled_face_still_marks_them_and_says_so(page, big):
    caption = big.locator(".tv-caption")
    page.wait_for_function("(el) => /marked on their cells from the exact count/.test(el.innerText)", arg=caption.element_handle(), timeout=30_000)
    assert "every 3rd row" in caption.inner_text(), caption.inner_text()
    lab.screenshot(big, "nonfinite-6000-whole")
    # the NaN's block: its tooltip covers [1234, 4321] and says NaN
    found = lab.hover_cell(
        page, big, rank=2, parse=lab.parse_block_tooltip,
        accept=lambda ranges, v: ranges[0][0] <= 1234 < ranges[0][1] and ranges[1][0] <= 4321 < ranges[1][1],
        at=_points_near(big, page, 1234 / 6000, 4321 / 6000),
    )
    assert found[1] is not None and found[1].lower() == "nan", found[2]


def _points_near(root, page, fr: float, fc: float):
    """Candidate hover points (fractions of the value canvas) around a face position, found from two block tooltips."""
    a = lab.hover_cell(page, root, rank=2, parse=lab.parse_block_tooltip, at=[(0.3, 0.3)])
    b = lab.hover_cell(page, root, rank=2, parse=lab.parse_block_tooltip, at=[(0.7, 0.7)])
    (ra, ca), (rb, cb) = a[0], b[0]
    # linear map from face rows/columns to canvas fractions, from the two blocks' middles
    ya, yb = (ra[0] + ra[1]) / 2 / 6000, (rb[0] + rb[1]) / 2 / 6000
    xa, xb = (ca[0] + ca[1]) / 2 / 6000, (cb[0] + cb[1]) / 2 / 6000
    fx = 0.3 + (fc - xa) * (0.4 / (xb - xa))
    fy = 0.3 + (fr - ya) * (0.4 / (yb - ya))
    step = 0.002
    return [(fx + dx * step, fy + dy * step) for dy in (0, -1, 1, -2, 2) for dx in (0, -1, 1, -2, 2)]


def test_go_to_next_zooms_to_the_exact_cell_and_rings_it(page, big):
    big.locator(NEXT).click()
    ring = highlight(big, "[1234, 4321]")
    lab.wait_ready(big)
    index, value = hover_ring(page, big, ring, rank=2)
    lab.screenshot(lab.cell_of(big), "nonfinite-goto-nan", scroll=False)
    assert index == (1234, 4321) and value is not None and value.lower() == "nan", (index, value)
    assert re.search(r"NaN at \[1234, 4321\] · 1 of 2", big.locator(".tv-nonfinite").inner_text())
    assert "exact values" in big.locator(".tv-caption").inner_text()


def test_key_n_goes_on_to_the_inf_and_then_wraps(page, big):
    big.locator(".tv-picture").focus()
    page.keyboard.press("n")
    ring = highlight(big, "[5999, 1]")
    index, value = hover_ring(page, big, ring, rank=2)
    assert index == (5999, 1) and value is not None and value.lower() in ("inf", "+inf"), (index, value)
    assert lab.run_print(page, "print(big[5999, 1].item())") == "inf"
    big.locator(".tv-picture").focus()
    page.keyboard.press("n")
    highlight(big, "[1234, 4321]")
    assert "from the start again" in big.locator(".tv-nonfinite").inner_text()


def test_rank_3_moves_the_depth_slider_and_a_long_vector_brings_the_cell_into_view(page, big):
    out = lab.run_cell(
        page,
        "cube = torch.zeros(3, 2000, 2000)\ncube[2, 1500, 17] = float('-inf')\ncv = tv.show(cube, dims='D R C')\ncv",
    )
    root = lab.find_widget(out, lab.TENSOR_VIEW)
    lab.wait_ready(root, timeout=60)
    root.locator(NEXT).click()
    ring = highlight(root, "[2, 1500, 17]")
    index, value = hover_ring(page, root, ring, rank=3)
    assert index == (2, 1500, 17) and value is not None and value.replace("\u2212", "-").lower() == "-inf"
    assert lab.run_print(page, "print(cv.index[0])") == "2"  # the depth index followed
    lab.screenshot(root, "nonfinite-goto-cube")

    out = lab.run_cell(page, "vec = torch.arange(100000.)\nvec[50000] = float('nan')\nvv = tv.show(vec)\nvv")
    root = lab.find_widget(out, lab.TENSOR_VIEW)
    lab.wait_ready(root, timeout=60)
    assert root.locator('[data-role="highlight"]').count() == 0
    root.locator(NEXT).click()
    ring = highlight(root, "[50000]")
    index, value = hover_ring(page, root, ring, rank=1)
    assert index == (50000,) and value is not None and value.lower() == "nan"
    lab.screenshot(root, "nonfinite-goto-vector")
