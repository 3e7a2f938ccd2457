"""The colors a user sees: every value cell is painted the colormap's color for the kernel's value.

The other browser tests read labels, tooltips and boxes; these read the pixels. Each tensor is shown with
``tv.show`` in a JupyterLab notebook; its cells are found by hovering (the tooltip gives each cell's full index),
the screenshot is sampled there (``pixels``), and each cell's color is compared with the reference colormap in
``pixels`` (the spec, written out as numbers) applied to the value the kernel prints — never with the widget's own
colormap code.
"""

from __future__ import annotations

import itertools
import json
import math

import lab
import pixels
import pytest

TOL = 6  # largest channel difference accepted between a drawn cell and the reference (LUT steps, compositing)

TRUTH_FN = """
import json, itertools, torch, tensorviz as tv
def _truth(x):
    idx = [list(i) for i in itertools.product(*map(range, x.shape))]
    vals = [str(v) for v in x.reshape(-1).tolist()]
    lo = hi = None
    if x.dtype != torch.bool:
        f = x[torch.isfinite(x)] if x.is_floating_point() else x
        if f.numel():
            lo, hi = f.min().item(), f.max().item()
    print(json.dumps({"lo": lo, "hi": hi, "bool": x.dtype == torch.bool, "values": dict(zip(map(str, idx), vals))}))
print("ok")
"""


class Truth:
    """The kernel's own values of a tensor (printed by a cell) and the reference colormap for them."""

    def __init__(self, text: str):
        data = json.loads(text)
        self.values: dict[str, str] = data["values"]
        self.lo, self.hi = data["lo"], data["hi"]
        self.ref = pixels.Reference.for_range(self.lo, self.hi, data["bool"])

    def value(self, index) -> str:
        return self.values[str(list(index))]

    def color(self, index):
        return self.ref.color(self.value(index))

    def indices(self) -> set[tuple]:
        """Every index of the tensor."""
        return {tuple(json.loads(k)) for k in self.values}


@pytest.fixture(scope="module")
def nb(page):
    nb = lab.open_notebook(page, "pixels.ipynb")
    assert lab.run_print(page, TRUTH_FN).endswith("ok")
    return nb


def show(page, var: str, expr: str, dims: str | None = None):
    """Show ``var = expr`` with tv.show; return (widget root, the kernel's truth about var)."""
    out = lab.run_cell(page, f"{var} = {expr}\ntv.show({var}{f', dims={dims!r}' if dims else ''})")
    root = lab.find_widget(out)
    lab.wait_ready(root)
    truth = Truth(lab.run_print(page, f"_truth({var})"))
    root.scroll_into_view_if_needed()
    return root, truth


def fmt(c) -> str:
    return "(" + ", ".join(f"{float(v):.0f}" for v in c) + ")"


def same_value(shown: str | None, truth: str) -> bool:
    if shown is None:
        return False
    a, b = pixels.parse_value(shown), pixels.parse_value(truth)
    if isinstance(a, bool) or isinstance(b, bool):
        return a == b
    return (math.isnan(a) and math.isnan(b)) or a == b or abs(a - b) <= 1e-6 * max(1.0, abs(b))


def assert_cells_match(cells, truth: Truth, expected=None, what: str = "") -> None:
    """Every sampled cell's tooltip shows the kernel's value, and the cell is drawn in the reference color for it
    (``expected(cell)``: default the colormap's color of the value) within TOL."""
    assert cells, "no cell sampled"
    bad = []
    for c in cells:
        v = truth.value(c.index)
        assert same_value(c.value, v), f"the tooltip of {list(c.index)} shows {c.value!r}, the kernel says {v}"
        want = (expected or (lambda c: truth.color(c.index)))(c)
        if pixels.max_diff(c.rgb, want) > TOL:
            bad.append(f"{c.key}: value {v}, drawn {fmt(c.rgb)}, expected {fmt(want)}")
    assert not bad, f"{len(bad)} of {len(cells)} cells {what}have the wrong color:\n" + "\n".join(bad)


def by_index(cells) -> dict:
    return {c.index: c for c in cells}


def near(rgb, want, tol: float = TOL) -> bool:
    return pixels.max_diff(rgb, want) <= tol


# -- diverging ------------------------------------------------------------------------------------


def test_data_with_both_signs_is_drawn_on_the_diverging_map_centred_on_zero(page, nb):
    root, truth = show(page, "m", "torch.tensor([[-3., -1.5, 0., 0.75], [1.5, 3., -0.5, 2.]])")
    cells = pixels.scan_cells(page, root, rank=2, name="pixels-diverging")
    assert {c.index for c in cells} == truth.indices(), "every cell of the 2×4 matrix is drawn large enough to see"
    assert_cells_match(cells, truth)
    cell = by_index(cells)
    assert near(cell[(0, 2)].rgb, pixels.NEUTRAL), f"0 is not the neutral middle: {cell[(0, 2)].rgb}"
    assert near(cell[(0, 0)].rgb, pixels.DIVERGING[0]), f"-3 (the min) is not the darkest blue: {cell[(0, 0)].rgb}"
    assert near(cell[(1, 1)].rgb, pixels.DIVERGING[-1]), f"3 (the max) is not the darkest red: {cell[(1, 1)].rgb}"


def test_lopsided_data_still_centre_zero(page, nb):
    """Values in [-10, 1]: the map runs from -10 to 10, so 0 is neutral, -10 the darkest blue and 1 only a light warm
    tint (not the darkest red, as a map stretched over [-10, 1] would draw it)."""
    root, truth = show(page, "lop", "torch.tensor([[-10., -5., -2.5, 0.], [0.5, 1., -7.5, -1.]])")
    assert (truth.lo, truth.hi) == (-10.0, 1.0)
    cells = pixels.scan_cells(page, root, rank=2, name="pixels-lopsided")
    assert {c.index for c in cells} == truth.indices()
    assert_cells_match(cells, truth)
    cell = by_index(cells)
    assert near(cell[(0, 0)].rgb, (24, 62, 130)), f"-10 is not the darkest blue: {cell[(0, 0)].rgb}"
    assert near(cell[(0, 3)].rgb, (244, 243, 240)), f"0 is not the neutral middle: {cell[(0, 3)].rgb}"
    one = cell[(1, 1)].rgb
    assert near(one, (244, 232, 224)), f"1 of a [-10, 10] map is a light warm tint, drawn {one}"
    assert one[0] > one[2] + 10 and sum(one) > 650, f"1 should be light and warm: {one}"


# -- sequential -----------------------------------------------------------------------------------


def test_one_signed_data_are_drawn_on_the_sequential_map(page, nb):
    root, truth = show(page, "seq", "torch.arange(10.).reshape(2, 5) * 1.5")
    cells = pixels.scan_cells(page, root, rank=2, name="pixels-sequential")
    assert {c.index for c in cells} == truth.indices()
    assert_cells_match(cells, truth)
    cell = by_index(cells)
    assert near(cell[(0, 0)].rgb, pixels.SEQUENTIAL[0]), f"the min is not the dark end: {cell[(0, 0)].rgb}"
    assert near(cell[(1, 4)].rgb, pixels.SEQUENTIAL[-1]), f"the max is not the light end: {cell[(1, 4)].rgb}"


def test_all_negative_data_are_sequential_not_diverging(page, nb):
    root, truth = show(page, "neg", "-torch.arange(6.).reshape(2, 3) - 1")
    assert truth.ref.kind == "sequential"
    cells = pixels.scan_cells(page, root, rank=2)
    assert {c.index for c in cells} == truth.indices()
    assert_cells_match(cells, truth)
    cell = by_index(cells)
    assert near(cell[(1, 2)].rgb, pixels.SEQUENTIAL[0]), f"-6 (the min) is not the dark end: {cell[(1, 2)].rgb}"
    assert near(cell[(0, 0)].rgb, pixels.SEQUENTIAL[-1]), f"-1 (the max) is not the light end: {cell[(0, 0)].rgb}"


def test_vector_cells(page, nb):
    root, truth = show(page, "vec", "torch.tensor([-4., -1., 0., 2., 4.])")
    cells = pixels.scan_cells(page, root, rank=1)
    assert {c.index for c in cells} == truth.indices()
    assert_cells_match(cells, truth)


# -- NaN and infinities ---------------------------------------------------------------------------


def test_nan_and_infinities_have_their_own_colors_where_values_are_written(page, nb):
    root, truth = show(
        page, "sp", "torch.tensor([[float('nan'), float('inf'), float('-inf'), 1.], [0., 2., -1., 0.5]])"
    )
    cells = pixels.scan_cells(page, root, rank=2, name="pixels-specials-written")
    assert {c.index for c in cells} == truth.indices()
    assert_cells_match(cells, truth)
    cell = by_index(cells)
    assert near(cell[(0, 0)].rgb, (255, 0, 200)), f"NaN: {cell[(0, 0)].rgb}"
    assert near(cell[(0, 1)].rgb, (255, 128, 0)), f"+inf: {cell[(0, 1)].rgb}"
    assert near(cell[(0, 2)].rgb, (0, 230, 255)), f"-inf: {cell[(0, 2)].rgb}"
    # the finite values keep the map of the finite range (-1..2: diverging over [-2, 2])
    assert near(cell[(1, 0)].rgb, pixels.NEUTRAL) and near(cell[(1, 1)].rgb, pixels.DIVERGING[-1])


def test_nan_and_infinities_in_cells_with_glyphs(page, nb):
    """Cells too small for written values but large enough for a NaN/∞ glyph: the glyph sits on the special color."""
    root, truth = show(
        page,
        "sp2",
        "sp2 = torch.linspace(-1, 1, 60).reshape(6, 10)\n"
        "sp2[1, 2] = float('nan'); sp2[3, 7] = float('inf'); sp2[4, 4] = float('-inf'); sp2",
    )
    cells = pixels.scan_cells(page, root, rank=2, name="pixels-specials-glyphs")
    assert {c.index for c in cells} == truth.indices()
    assert_cells_match(cells, truth)
    cell = by_index(cells)
    assert near(cell[(1, 2)].rgb, pixels.NAN) and near(cell[(3, 7)].rgb, pixels.POSINF)
    assert near(cell[(4, 4)].rgb, pixels.NEGINF)
    # the same read with the simple API: a 7×7 patch at a hovered point (cells without text)
    finite = [cell[(0, 0)], cell[(2, 5)], cell[(5, 9)]]
    for s, c in zip(pixels.sample_cells(page, root, 2, [(c.x, c.y) for c in finite]), finite, strict=True):
        assert s.index == c.index and same_value(s.value, truth.value(c.index)), (s, c)
        assert near(s.rgb, truth.color(c.index)), f"{c.index}: patch {s.rgb}, expected {fmt(truth.color(c.index))}"


# -- bool and integers ----------------------------------------------------------------------------


def test_bool_tensor_has_two_colors(page, nb):
    root, truth = show(page, "b", "torch.tensor([[True, False, True], [False, False, True]])")
    cells = pixels.scan_cells(page, root, rank=2, name="pixels-bool")
    assert {c.index for c in cells} == truth.indices()
    assert_cells_match(cells, truth)
    cell = by_index(cells)
    assert near(cell[(0, 0)].rgb, (16, 120, 110)) and near(cell[(0, 1)].rgb, (206, 212, 222))


def test_integer_tensors_draw_their_values(page, nb):
    root, truth = show(page, "i", "torch.arange(-6, 6).reshape(3, 4)")
    assert truth.ref.kind == "diverging"
    cells = pixels.scan_cells(page, root, rank=2, name="pixels-int-diverging")
    assert {c.index for c in cells} == truth.indices()
    assert_cells_match(cells, truth)
    assert near(by_index(cells)[(1, 2)].rgb, pixels.NEUTRAL), "the int 0 is the neutral middle"

    root, truth = show(page, "u", "torch.arange(12, dtype=torch.int32).reshape(3, 4) * 7")
    assert truth.ref.kind == "sequential"
    cells = pixels.scan_cells(page, root, rank=2)
    assert {c.index for c in cells} == truth.indices()
    assert_cells_match(cells, truth)


# -- the faces of a cube --------------------------------------------------------------------------


def _edges(line: list[tuple[float, tuple | None]]) -> list[tuple[float, tuple | None, tuple | None]]:
    """Where the index changes along a line of (position, tooltip) points: [(position between, index before, after)]."""
    out = []
    for (p, a), (q, b) in itertools.pairwise(line):
        ia, ib = a[0] if a else None, b[0] if b else None
        if ia != ib:
            out.append(((p + q) / 2, ia, ib))
    return out


def cube_faces_key(page, root, scan: pixels.Scan, rows: int, cols: int, depth: int = 0):
    """A key telling the cube's faces apart: (index, "front" | "top" | "side"). The top face's near row and the
    front face's top row show the same elements, and so do the side face's near column and the front face's last
    column; only where they are drawn tells them apart.

    The front face (at ``depth``) is the rectangle of rows × columns equal cells. Its top and right edges are found
    by hovering pixel by pixel across cells that are on no other face: up column 0 (the edges between rows 2|1 and
    1|0 give the row height and where row 0 begins) and along the last row (the edges between the columns give the
    column width and where the last column begins). The top face lies above it, the side face to its right, beyond
    the edge that recedes from the front face's top-right corner.
    """

    def centroid(index):
        hs = [h for h in scan.hits if h.index == index]
        assert hs, f"cell {index} of the front face was not found"
        return sum(h.x for h in hs) / len(hs), sum(h.y for h in hs) / len(hs)

    x, y2 = centroid((depth, rows - 1, 0))
    height = y2 - centroid((depth, rows - 2, 0))[1]
    ys = [y2 - k for k in range(int(rows * height))]  # from the last row's middle up to the top face
    up = _edges(list(zip(ys, pixels.hover_points(page, 3, [(x, y) for y in ys]), strict=True)))
    tops = [e for e, a, b in up if a and b and a[1] == b[1] + 1]  # row r+1 → row r
    assert len(tops) == rows - 1, f"expected {rows - 1} row edges up column 0, found {up}"
    top = tops[-1] - (tops[-2] - tops[-1])

    x0, y = centroid((depth, rows - 1, 0))
    width = centroid((depth, rows - 1, 1))[0] - x0
    xs = [x0 + k for k in range(int((cols - 1.25) * width))]  # from column 0's middle into the last column
    along = _edges(list(zip(xs, pixels.hover_points(page, 3, [(x, y) for x in xs]), strict=True)))
    cuts = [e for e, a, b in along if a and b and b[2] == a[2] + 1]  # column c → column c+1
    assert len(cuts) == cols - 1, f"expected {cols - 1} column edges along the last row, found {along}"
    right = cuts[-1] + (cuts[-1] - cuts[-2])
    left = cuts[0] - (cuts[1] - cuts[0])

    # the top face recedes up and to the right: its left edge (and the edge it shares with the side face) runs
    # `slope` pixels right per pixel up. Measured on the top face's left edge, near the front and near the back.
    far = min(h.y for h in scan.hits)

    def left_edge(y):
        xs = [left - 2 + k for k in range(int(2 * (top - far)) + 8)]
        found = pixels.hover_points(page, 3, [(x, y) for x in xs])
        return next(x for x, f in zip(xs, found, strict=True) if f and f[0][1:] == (0, 0))

    near_y, far_y = top - 2, far + 2
    slope = (left_edge(far_y) - left_edge(near_y)) / (near_y - far_y)
    assert 0.5 < slope < 3, f"the top face's left edge does not recede up and to the right (slope {slope:.2f})"
    pixels.move_away(page, root)

    def key(h):
        if h.y < top:
            return (h.index, "top" if h.x < right + (top - h.y) * slope else "side")
        return (h.index, "side" if h.x > right else "front")

    return key


# the top face (row 0 of each depth) and the side face (column 3) hold values far from zero: strong colors, on which
# the faces' shades show clearly
CUBE = (
    "torch.tensor([[[8., 7., 6., 5.], [2., 1., -1., 6.], [-2., -3., 0., -7.]],"
    " [[-7.2, -6.3, -5.4, -4.5], [-1.8, -0.9, 0.9, -5.4], [1.8, 2.7, 0., 6.3]]])"
)
SHADE = {"front": None, "top": pixels.TOP_SHADE, "side": pixels.SIDE_SHADE}


def assert_cube_faces(page, root, truth: Truth, depth: int, name: str) -> None:
    """With the front face at ``depth``: the front face is that depth's rows × columns slice, the top face the
    depth × columns slice at row 0 and the side face the depth × rows slice at column 3 (both from ``depth`` back),
    every cell in the colormap's color of its value, covered by its face's shade."""
    # the top face's rows are 16 px deep, and its near row touches the front face's top row (same elements): the
    # scan's own choice of step cannot see that
    scan = pixels.hover_scan(page, root, rank=3, step=4)
    key = cube_faces_key(page, root, scan, rows=3, cols=4, depth=depth)
    cells = pixels.scan_cells(page, root, rank=3, key=key, scan=scan, name=name)
    found = {c.key for c in cells}
    want = (
        {((depth, r, c), "front") for r in range(3) for c in range(4)}
        | {((d, 0, c), "top") for d in range(depth, 2) for c in range(4)}
        | {((d, r, 3), "side") for d in range(depth, 2) for r in range(3)}
    )
    assert found == want, f"missing {sorted(want - found)}, unexpected {sorted(found - want)}"

    def expected(c):
        base = truth.color(c.index)
        over = SHADE[c.key[1]]
        return pixels.blend(base, over) if over else base

    assert_cells_match(cells, truth, expected, what=f"at depth {depth} ")


def test_top_and_side_faces_of_a_cube_match_their_slices(page, nb):
    root, truth = show(page, "cube", CUBE, dims="D R C")
    assert_cube_faces(page, root, truth, depth=0, name="pixels-cube")


def test_the_front_face_follows_the_depth_slider(page, nb):
    root, truth = show(page, "cube2", CUBE, dims="D R C")
    slider = root.locator('input[type="range"]').first
    box = slider.bounding_box()
    slider.click(position={"x": box["width"] - 3, "y": box["height"] / 2})  # the right end: the last depth
    assert slider.input_value() == "1"
    lab.hover_cell(page, root, rank=3, accept=lambda idx, v: idx[0] == 1)  # the redraw has come
    assert_cube_faces(page, root, truth, depth=1, name="pixels-cube-depth1")


# -- theme ----------------------------------------------------------------------------------------


def _pick_theme(page, name: str, light: bool) -> None:
    page.locator(".lm-MenuBar-itemLabel", has_text="Settings").first.click()
    page.locator(".lm-Menu-itemLabel", has_text="Theme").first.hover()
    page.locator(".lm-Menu-itemLabel", has_text=name).first.click()
    page.wait_for_function(
        f"() => document.body.getAttribute('data-jp-theme-light') === '{str(light).lower()}'", timeout=30_000
    )


def test_dark_theme_draws_the_same_cell_colors(page, nb):
    root, truth = show(page, "dk", "torch.tensor([[-2., 0., 1., float('nan')], [2., -1., float('inf'), 0.5]])")
    light = by_index(pixels.scan_cells(page, root, rank=2, name="pixels-theme-light"))
    assert_cells_match(light.values(), truth, what="in the light theme ")
    try:
        _pick_theme(page, "JupyterLab Dark", light=False)
        page.wait_for_timeout(300)  # let the widget follow the theme
        root.scroll_into_view_if_needed()
        dark = by_index(pixels.scan_cells(page, root, rank=2, name="pixels-theme-dark"))
        shot = pixels.screenshot_rgb(root)
        corner = shot.color(shot.x0 + 6, shot.y0 + shot.rgb.shape[0] / shot.scale - 6)
        assert sum(corner) < 3 * 90, f"the widget's background is not dark in the dark theme: {corner}"
    finally:
        _pick_theme(page, "JupyterLab Light", light=True)
    assert set(dark) == set(light)
    assert_cells_match(dark.values(), truth, what="in the dark theme ")
    for idx, c in dark.items():
        assert near(c.rgb, light[idx].rgb, 2), f"{idx}: {light[idx].rgb} in the light theme, {c.rgb} in the dark"
