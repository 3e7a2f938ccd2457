"""Read what a widget draws: its colors, from a screenshot, at cells found by hovering them.

Labels, tooltips and boxes say nothing about colors; this module looks at the pixels. It works for any widget
that shows the stable tooltip hook (``[data-role="tooltip"]`` holding a cell's full index and value):

1. ``hover_scan`` hovers a grid of points over the widget (pointer events dispatched in the page, thousands per
   round trip) and records what the tooltip says at each: the widget's own hit-testing answers, nothing is read
   from its internals;
2. ``cell_points`` turns those hits into the cells drawn: a point well inside each and the grid points of its
   interior (several cells per index where the same element is drawn twice, e.g. on the front and the top face of a
   cube: pass ``key`` to tell them apart);
3. ``scan_cells`` then hovers each cell's point with the real mouse, reads the tooltip, moves the pointer away so
   the tooltip hides, takes a screenshot and returns each cell's dominant color: the most frequent color over its
   interior, so a value written in the cell or a NaN glyph does not count.

``sample_cells(page, root, rank, points)`` is the simple form: hover given points, screenshot, and the most frequent
color of a 7×7 device-pixel patch at each. ``screenshot_rgb`` and ``color_at`` are the pieces underneath.
Coordinates are viewport CSS pixels (what ``page.mouse`` takes) of the page as it is scrolled when the scan starts;
``Shot`` maps them to device pixels of the screenshot.

The second half is an independent reference for tensorviz's colormaps: the ramp stops written out as numbers
(the spec), interpolated here, the special and bool colors, the diverging and sequential rules, the face shades.
Expected colors come from it and the kernel's values, never from the code under test.
"""

from __future__ import annotations

import io
import math
import re
from collections import Counter
from collections.abc import Callable, Hashable, Iterable, Sequence
from dataclasses import dataclass
from typing import NamedTuple

import lab
import numpy as np
from PIL import Image

RGB = tuple[int, int, int]

# ---------------------------------------------------------------------------------------------
# Screenshots as arrays
# ---------------------------------------------------------------------------------------------


@dataclass
class Shot:
    """A screenshot decoded to an H×W×3 uint8 array; (x0, y0) is the viewport CSS point of its top-left pixel and
    ``scale`` the device pixels per CSS pixel (the page's devicePixelRatio)."""

    rgb: np.ndarray
    x0: float
    y0: float
    scale: float

    def device(self, x: float, y: float) -> tuple[float, float]:
        """Device pixel (column, row) of a viewport CSS point."""
        return (x - self.x0) * self.scale, (y - self.y0) * self.scale

    def color(self, x: float, y: float, size: int = 7) -> RGB:
        """Dominant color of the size×size device-pixel patch around a viewport CSS point."""
        px, py = self.device(x, y)
        return color_at(self.rgb, px, py, size)

    def region_color(self, points: Iterable[tuple[float, float]], size: int) -> RGB:
        """Dominant color of the union of size×size device-pixel patches around viewport CSS points (a cell's
        interior, sampled on a grid: its fill outnumbers the strokes of any value written over it)."""
        patches = [_patch(self.rgb, *self.device(x, y), size) for x, y in points]
        if not patches:
            raise AssertionError("no points to sample")
        return _mode(np.concatenate(patches))


def decode_png(png: bytes) -> np.ndarray:
    """PNG bytes → H×W×3 uint8 array (alpha dropped: screenshots are opaque)."""
    with Image.open(io.BytesIO(png)) as im:
        return np.asarray(im.convert("RGB"), dtype=np.uint8).copy()


def screenshot_rgb(locator, name: str | None = None) -> Shot:
    """Screenshot of the part of ``locator`` inside the viewport, where it is now (no scrolling, so points found
    by hovering stay valid). With ``name`` the PNG is also saved as tests/browser/screenshots/<name>.png."""
    page = locator.page
    box = locator.bounding_box()
    if box is None:
        raise AssertionError("the element to photograph is not visible")
    vp = page.viewport_size
    x0, y0 = max(0.0, box["x"]), max(0.0, box["y"])
    x1, y1 = min(float(vp["width"]), box["x"] + box["width"]), min(float(vp["height"]), box["y"] + box["height"])
    if x1 - x0 < 1 or y1 - y0 < 1:
        raise AssertionError(f"the element is outside the viewport: {box}")
    clip = {"x": x0, "y": y0, "width": x1 - x0, "height": y1 - y0}
    png = page.screenshot(clip=clip, animations="disabled", caret="hide")
    if name:
        lab.SCREENSHOT_DIR.mkdir(parents=True, exist_ok=True)
        (lab.SCREENSHOT_DIR / f"{name}.png").write_bytes(png)
    rgb = decode_png(png)
    return Shot(rgb=rgb, x0=x0, y0=y0, scale=rgb.shape[1] / clip["width"])


def _patch(img: np.ndarray, x: float, y: float, size: int) -> np.ndarray:
    """The size×size patch of an H×W×3 array centered on device pixel (x, y), as rows of RGB."""
    h, w = img.shape[:2]
    cx, cy, r = math.floor(x), math.floor(y), size // 2
    xa, xb, ya, yb = max(0, cx - r), min(w, cx - r + size), max(0, cy - r), min(h, cy - r + size)
    if xa >= xb or ya >= yb:
        raise AssertionError(f"point ({x:.1f}, {y:.1f}) is outside the {w}×{h} screenshot")
    return img[ya:yb, xa:xb].reshape(-1, img.shape[2])[:, :3]


def _mode(pixels: np.ndarray) -> RGB:
    counts = Counter(map(tuple, pixels.tolist()))
    return tuple(int(c) for c in counts.most_common(1)[0][0])  # type: ignore[return-value]


def color_at(img: np.ndarray, x: float, y: float, size: int = 7) -> RGB:
    """The most frequent color of the size×size patch centered on device pixel (x, y) of an H×W×3 array.

    A cell's fill is one exact color; text, glyphs and anti-aliased edges spread over many colors, so the mode of a
    patch is the fill even where a few strokes of a written value cross it (not where a glyph's stroke covers the
    patch: ``Shot.region_color`` samples a whole cell).
    """
    return _mode(_patch(img, x, y, size))


def max_diff(a: Sequence[float], b: Sequence[float]) -> float:
    """Largest difference over the three channels."""
    return max(abs(float(p) - float(q)) for p, q in zip(a[:3], b[:3], strict=True))


# ---------------------------------------------------------------------------------------------
# Finding cells by hovering
# ---------------------------------------------------------------------------------------------


class Hit(NamedTuple):
    """What the tooltip said with the pointer at viewport point (x, y); (i, j) is the point's place in the scan grid."""

    x: float
    y: float
    i: int
    j: int
    index: tuple
    value: str | None


class Sample(NamedTuple):
    """What ``sample_cells`` read at a point: the tooltip's index and value, and the patch's dominant color."""

    index: tuple
    value: str | None
    rgb: RGB


class CellColor(NamedTuple):
    """One drawn cell: its group key, the index and value its tooltip shows, its dominant color, where it was read."""

    key: Hashable
    index: tuple
    value: str | None
    rgb: RGB
    x: float
    y: float


# Dispatches the events a browser sends when the pointer moves to each point (on the element there) and reads
# the visible tooltip: thousands of points in one round trip. The widget's own handlers answer.
_SCAN_JS = """([points, sel]) => {
  const visible = (el) => !!(el && el.getClientRects().length && getComputedStyle(el).visibility !== 'hidden');
  const out = [];
  for (const [x, y] of points) {
    const el = document.elementFromPoint(x, y);
    if (!el) { out.push(null); continue; }
    const init = {clientX: x, clientY: y, bubbles: true, cancelable: true, composed: true, view: window};
    el.dispatchEvent(new PointerEvent('pointermove', {...init, pointerId: 1, pointerType: 'mouse', isPrimary: true}));
    el.dispatchEvent(new MouseEvent('mousemove', init));
    let text = null;
    for (const t of document.querySelectorAll(sel)) if (visible(t)) { text = t.innerText; break; }
    out.push(text);
  }
  return out;
}"""


_VISIBLE_TIP_JS = """sel => {
  for (const t of document.querySelectorAll(sel)) if (t.getClientRects().length) return t.innerText;
  return null;
}"""


def _tooltip_gone(page, timeout: float = 5.0) -> None:
    page.wait_for_function(
        "sel => [...document.querySelectorAll(sel)].every(t => !t.getClientRects().length)",
        arg=lab.TOOLTIP,
        timeout=timeout * 1000,
        polling=25,
    )


def move_away(page, root) -> None:
    """Move the pointer off the widget (beside it, inside the viewport) and wait until no tooltip shows.

    The pointer first crosses the widget's picture (the largest canvas), so that leaving it is a real mouse leave
    even when the pointer was elsewhere (e.g. after a ``hover_scan``, which does not move the real pointer).
    """
    pic = lab.value_canvas_box(root)
    page.mouse.move(pic["x"] + pic["width"] / 2, pic["y"] + pic["height"] / 2)
    box = root.bounding_box()
    vp = page.viewport_size
    if box and box["x"] + box["width"] + 12 < vp["width"]:
        x = box["x"] + box["width"] + 8
    elif box and box["x"] > 12:
        x = box["x"] - 8
    else:
        x = 2
    y = min(max(box["y"] + 10 if box else 2, 2), vp["height"] - 2)
    page.mouse.move(x, y)
    _tooltip_gone(page)


@dataclass
class Scan:
    """The points of a ``hover_scan`` grid where a tooltip showed a cell; grid point (i, j) is at viewport
    (x0 + (j + 0.5) * step, y0 + (i + 0.5) * step)."""

    hits: list[Hit]
    x0: float
    y0: float
    step: float

    def grid(self, x: float, y: float) -> tuple[int, int]:
        """The grid point nearest to a viewport point."""
        return round((y - self.y0) / self.step - 0.5), round((x - self.x0) / self.step - 0.5)


def parse_cell(text: str, rank: int):
    """(index, value text) from a tooltip: ``lab.parse_tooltip``, also reading ``True``/``False`` (bool cells)."""
    parsed = lab.parse_tooltip(text, rank)
    if parsed and parsed[1] is None:
        m = re.search(r"\b(True|False|true|false)\b", text)
        if m:
            return parsed[0], m.group(1)
    return parsed


def hover_points(page, rank: int, points: Sequence[tuple[float, float]], parse=None) -> list[tuple | None]:
    """What the tooltip says, (index, value) or None, with the pointer at each viewport point: events dispatched
    in the page at the element under each point (thousands in one round trip; the real pointer does not move, and
    the last tooltip stays up until the pointer leaves: see ``move_away``)."""
    texts: list[str | None] = []
    for k in range(0, len(points), 2000):
        texts += page.evaluate(_SCAN_JS, [[[x, y] for x, y in points[k : k + 2000]], lab.TOOLTIP])
    return [(parse or parse_cell)(t, rank) if t else None for t in texts]


def _scan_grid(page, region: dict, step: float, rank: int, parse) -> Scan:
    """One pass of ``hover_scan`` over a viewport box (clipped to the viewport)."""
    vp = page.viewport_size
    xa, ya = max(region["x"], 0.0), max(region["y"], 0.0)
    xb = min(region["x"] + region["width"], float(vp["width"]))
    yb = min(region["y"] + region["height"], float(vp["height"]))
    nx, ny = int((xb - xa) // step), int((yb - ya) // step)
    grid = [(i, j, xa + (j + 0.5) * step, ya + (i + 0.5) * step) for i in range(ny) for j in range(nx)]
    read = hover_points(page, rank, [(x, y) for *_, x, y in grid], parse)
    hits = [Hit(x, y, i, j, *p) for (i, j, x, y), p in zip(grid, read, strict=True) if p]
    return Scan(hits, xa, ya, step)


def hover_scan(
    page, root, rank: int, step: float | None = None, region: dict | None = None, parse=None, coarse: float = 8.0
) -> Scan:
    """Hover a grid of points ``step`` CSS pixels apart over the widget's cells and keep the points where the tooltip
    showed an index of ``rank`` entries.

    Each point costs the widget a tooltip update (a few ms), so a first pass ``coarse`` pixels apart over ``region``
    (a viewport box; default: the widget's largest canvas, scrolled into view) finds where the cells are, and the
    second pass covers only that. The default step is a quarter of the smallest cell's extent seen by the first pass
    (2 to 6 pixels), so that every cell has grid points at least one step inside it. Pass ``step`` where cells that
    show the same index touch (the front and top faces of a cube): the first pass cannot tell them apart.
    ``parse(text, rank) -> (index, value) | None`` reads a tooltip (default ``parse_cell``).
    """
    if region is None:
        root.scroll_into_view_if_needed()
        region = lab.value_canvas_box(root)
    first = _scan_grid(page, region, coarse, rank, parse)
    if first.hits:
        if step is None:
            extents = []
            for comp in _components(first.hits, key=lambda h: h.index):
                if len(comp) > 1:
                    rows = max(h.i for h in comp) - min(h.i for h in comp) + 1
                    cols = max(h.j for h in comp) - min(h.j for h in comp) + 1
                    extents.append(min(rows, cols) * coarse)
            step = min(6.0, max(2.0, math.floor(min(extents, default=8.0) / 4)))
        x0 = max(region["x"], min(h.x for h in first.hits) - coarse)
        y0 = max(region["y"], min(h.y for h in first.hits) - coarse)
        x1 = min(region["x"] + region["width"], max(h.x for h in first.hits) + coarse)
        y1 = min(region["y"] + region["height"], max(h.y for h in first.hits) + coarse)
        region = {"x": x0, "y": y0, "width": x1 - x0, "height": y1 - y0}
    scan = _scan_grid(page, region, step or 3.0, rank, parse)
    move_away(page, root)
    return scan


def _components(hits: list[Hit], key: Callable[[Hit], Hashable]) -> list[list[Hit]]:
    """Connected parts (4-neighbours on the scan grid) of the hits that share a key."""
    where = {(h.i, h.j): h for h in hits}
    seen: set = set()
    comps = []
    for start, h0 in where.items():
        if start in seen:
            continue
        k0 = key(h0)
        seen.add(start)
        stack, comp = [start], []
        while stack:
            i, j = stack.pop()
            comp.append(where[(i, j)])
            for q in ((i + 1, j), (i - 1, j), (i, j + 1), (i, j - 1)):
                if q in where and q not in seen and key(where[q]) == k0:
                    seen.add(q)
                    stack.append(q)
        if k0 is not None:
            comps.append(comp)
    return comps


class Cell(NamedTuple):
    """A drawn cell found by a scan: its group key, one of its hits, a point well inside it (the centroid) and the
    grid points of its interior (at least ``margin`` CSS pixels from its edges)."""

    key: Hashable
    hit: Hit
    x: float
    y: float
    inner: list[tuple[float, float]]


def cell_points(
    scan: Scan, key: Callable[[Hit], Hashable] | None = None, margin: float | None = None, min_points: int = 4
) -> list[Cell]:
    """The cells a scan found, each with a point well inside it.

    Hits are grouped by ``key(hit)`` (default: the index; None leaves a hit out) into connected parts; a part is a
    cell when its centroid lies inside it with the points ``margin`` CSS pixels (default: one scan step) left, right,
    above and below, and it has at least ``min_points`` grid points. Its interior is the grid points that pass the
    same test: a patch of one step around each holds that cell only (cells are convex).
    """
    key = key or (lambda h: h.index)
    margin = scan.step if margin is None else margin
    out = []
    for comp in _components(scan.hits, key):
        if len(comp) < min_points:
            continue
        cells = {(h.i, h.j) for h in comp}

        def deep(x, y, cells=cells):
            probes = [(x, y), (x - margin, y), (x + margin, y), (x, y - margin), (x, y + margin)]
            return all(scan.grid(px, py) in cells for px, py in probes)

        cx = sum(h.x for h in comp) / len(comp)
        cy = sum(h.y for h in comp) / len(comp)
        if deep(cx, cy):
            out.append(Cell(key(comp[0]), comp[0], cx, cy, [(h.x, h.y) for h in comp if deep(h.x, h.y)]))
    return out


def read_tooltips(page, root, rank: int, points: Sequence[tuple[float, float]], parse=None) -> list[tuple]:
    """Hover each viewport point with the mouse and read the tooltip's (index, value) ((None, None) where none
    showed); then move the pointer away so the tooltip hides."""
    read = []
    for x, y in points:
        page.mouse.move(x - 2, y - 2)
        page.mouse.move(x, y)
        text = None
        try:
            text = page.wait_for_function(_VISIBLE_TIP_JS, arg=lab.TOOLTIP, timeout=2_000, polling=20).json_value()
        except Exception:
            pass
        parsed = (parse or parse_cell)(text, rank) if text else None
        read.append(parsed or (None, None))
    move_away(page, root)
    return read


def sample_cells(
    page, root, rank: int, points: Sequence[tuple[float, float]], size: int = 7, name: str | None = None, parse=None
) -> list[Sample]:
    """Hover each viewport point with the mouse, read the tooltip's (index, value), move the pointer away so the
    tooltip hides, screenshot the widget and return [(index, value_text, dominant rgb of a size×size device-pixel
    patch)] (index None where no tooltip showed). ``name`` saves the screenshot under tests/browser/screenshots/."""
    read = read_tooltips(page, root, rank, points, parse)
    shot = screenshot_rgb(root, name)
    return [Sample(idx, val, shot.color(x, y, size)) for (idx, val), (x, y) in zip(read, points, strict=True)]


def scan_cells(
    page,
    root,
    rank: int,
    step: float | None = None,
    key: Callable[[Hit], Hashable] | None = None,
    name: str | None = None,
    margin: float | None = None,
    parse=None,
    scan: Scan | None = None,
) -> list[CellColor]:
    """Every cell of the widget large enough to sample: its key, index, value and dominant color (the most frequent
    color over its interior, so a value written in it or a NaN glyph does not count).

    Cells are found by ``hover_scan`` and ``cell_points``, then hovered again with the real mouse at their centers:
    a cell whose tooltip then disagrees with the scan is an error. ``scan`` reuses an earlier ``hover_scan`` of the
    page as it is now (e.g. one that ``key`` was built from).
    """
    if scan is None:
        scan = hover_scan(page, root, rank, step, parse=parse)
    cells = cell_points(scan, key, margin=margin)
    if not cells:
        raise AssertionError(f"no cell large enough to sample ({len(scan.hits)} points hit a cell)")
    read = read_tooltips(page, root, rank, [(c.x, c.y) for c in cells], parse)
    shot = screenshot_rgb(root, name)
    tile = max(1, math.ceil(scan.step * shot.scale))
    out = []
    for c, (index, value) in zip(cells, read, strict=True):
        if index != c.hit.index:
            raise AssertionError(f"hovering ({c.x:.1f}, {c.y:.1f}) showed {index}, the scan found {c.hit.index} there")
        out.append(CellColor(c.key, index, value, shot.region_color(c.inner, tile), c.x, c.y))
    return out


# ---------------------------------------------------------------------------------------------
# Reference colormaps (the spec, written out as numbers; interpolation of our own)
# ---------------------------------------------------------------------------------------------

# Diverging: cool blue (most negative) → neutral (zero) → warm red (most positive); 11 stops evenly spaced.
DIVERGING = (
    (24, 62, 130), (46, 104, 176), (102, 153, 208), (168, 199, 230), (226, 234, 242),
    (244, 243, 240),
    (244, 222, 208), (236, 168, 140), (214, 104, 84), (178, 46, 48), (120, 14, 32),
)  # fmt: skip
NEUTRAL = DIVERGING[5]

# Sequential: dark indigo (min) → warm yellow (max); 10 stops evenly spaced.
SEQUENTIAL = (
    (40, 18, 84), (58, 44, 128), (58, 78, 150), (46, 110, 156), (34, 138, 152),
    (36, 164, 138), (72, 188, 110), (132, 206, 80), (196, 220, 62), (250, 230, 80),
)  # fmt: skip

NAN = (255, 0, 200)
POSINF = (255, 128, 0)
NEGINF = (0, 230, 255)
BOOL_FALSE = (206, 212, 222)
BOOL_TRUE = (16, 120, 110)

# A cube's faces are shaded over their cells: the top lit, the side in shadow.
TOP_SHADE = ((255, 255, 255), 0.1)
SIDE_SHADE = ((0, 0, 0), 0.14)


def ramp(stops: Sequence[Sequence[int]], t: float) -> tuple[float, float, float]:
    """Piecewise-linear color at t in [0, 1] (clamped) through evenly spaced stops."""
    t = min(1.0, max(0.0, t))
    pos = t * (len(stops) - 1)
    k = min(int(pos), len(stops) - 2)
    f = pos - k
    a, b = stops[k], stops[k + 1]
    return (a[0] + (b[0] - a[0]) * f, a[1] + (b[1] - a[1]) * f, a[2] + (b[2] - a[2]) * f)


def blend(color: Sequence[float], over: tuple[Sequence[int], float]) -> tuple[float, float, float]:
    """``color`` covered by a translucent layer (rgb, alpha), as source-over compositing does."""
    (r, g, b), a = over
    return (color[0] * (1 - a) + r * a, color[1] * (1 - a) + g * a, color[2] * (1 - a) + b * a)


@dataclass(frozen=True)
class Reference:
    """The colormap a tensor's view must use, from the finite min and max of its values (as the kernel reports)."""

    kind: str  # "diverging" | "sequential" | "bool"
    lo: float
    hi: float

    @classmethod
    def for_range(cls, vmin: float | None, vmax: float | None, is_bool: bool = False) -> Reference:
        if is_bool:
            return cls("bool", 0.0, 1.0)
        lo = 0.0 if vmin is None or not math.isfinite(vmin) else float(vmin)
        hi = 1.0 if vmax is None or not math.isfinite(vmax) else float(vmax)
        if lo < 0 < hi:
            m = max(-lo, hi)  # symmetric around zero: zero is the neutral middle
            return cls("diverging", -m, m)
        return cls("sequential", lo, hi)

    def color(self, v: float | bool | str) -> tuple[float, float, float]:
        if isinstance(v, str):
            v = parse_value(v)
        if self.kind == "bool":
            return BOOL_TRUE if v else BOOL_FALSE
        v = float(v)
        if math.isnan(v):
            return NAN
        if v == math.inf:
            return POSINF
        if v == -math.inf:
            return NEGINF
        span = self.hi - self.lo
        t = (v - self.lo) / span if span > 0 else 0.5
        return ramp(DIVERGING if self.kind == "diverging" else SEQUENTIAL, t)


def parse_value(text: str) -> float | bool:
    """A value as the kernel or the tooltip writes it: ``-1.5``, ``−1.5``, ``nan``, ``-inf``, ``True``."""
    s = text.strip().replace("\u2212", "-").replace("\u221e", "inf")
    low = s.lower()
    if low in ("true", "false"):
        return low == "true"
    return float(low)
