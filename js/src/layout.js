// Geometry of the tensor picture for every rank. Pure: no DOM.
// Units are CSS pixels; affine transforms map face-unit coordinates (u across columns, v down rows,
// both in [0, 1]) to picture pixels: x = a·u + c·v + e, y = b·u + d·v + f.

import { formatSize } from "./format.js";

/** One fixed hue per axis (axis i always gets AXIS_COLORS[i % 10]); readable on light and dark. */
export const AXIS_COLORS = Object.freeze([
  "#e0663a", // 0 orange
  "#2f8fd8", // 1 blue
  "#2aa876", // 2 green
  "#a463d8", // 3 violet
  "#d4a017", // 4 amber
  "#e0508c", // 5 pink
  "#1fa3b3", // 6 teal
  "#8c7a5b", // 7 umber
  "#6d7fe0", // 8 indigo
  "#7fae2a", // 9 olive
]);

/** @param {number} axis */
export function axisColor(axis) {
  return AXIS_COLORS[((axis % AXIS_COLORS.length) + AXIS_COLORS.length) % AXIS_COLORS.length];
}

/**
 * Text of an axis label: `axis 2 · W · 64` (name left out when empty). The size is written in plain digits
 * so that it reads (and searches) exactly as Python prints it.
 * @param {number} axis
 * @param {string | undefined} name
 * @param {number} size
 */
export function axisLabelText(axis, name, size) {
  const p = axisLabelParts(axis, name, size);
  return p.head + p.name + p.tail;
}

/**
 * An axis label in three parts: `head` and `tail` always show in full (they hold the axis number and size); only
 * the user's `name` may be cut short on screen (with an ellipsis), never the size.
 * @typedef {{head: string, name: string, tail: string}} LabelParts
 * @param {number} axis
 * @param {string | undefined} name
 * @param {number | string} size the axis length, or what a zoomed face shows of it (`rows 1024–1535 of 2048`)
 * @returns {LabelParts}
 */
export function axisLabelParts(axis, name, size) {
  return name ? { head: `axis ${axis} · `, name, tail: ` · ${size}` } : { head: `axis ${axis} · ${size}`, name: "", tail: "" };
}

/** Estimated width of axis-label text in CSS pixels (bold 11.5px sans); used to make room, never to cut text. */
export const LABEL_CHAR_PX = 6.6;
/** Widest a label written level (beside a short edge, or under a narrow face) may grow before its name is cut. */
export const LABEL_LEVEL_MAX = 170;

/** @param {string} text */
export const labelWidth = (text) => text.length * LABEL_CHAR_PX;

/**
 * Narrowest form of a label: head, one character of the name, an ellipsis, tail.
 * @param {LabelParts} p
 */
export function labelMinWidth(p) {
  return labelWidth(p.head + p.tail) + (p.name ? Math.min(p.name.length, 2) * LABEL_CHAR_PX : 0);
}

/**
 * How a label sits beside an edge of length `len`: along it (upright or slanted) when even its narrowest form fits,
 * its name cut to the edge's length; otherwise level. A label along a level edge may be wider than the edge, up to
 * LABEL_LEVEL_MAX. `width` is the on-screen width the layout must make room for (also the CSS max-width).
 * @param {LabelParts} p
 * @param {number} len
 * @param {boolean} levelEdge whether the edge itself is level (the label is then level anyway)
 * @returns {{level: boolean, width: number}}
 */
export function fitLabel(p, len, levelEdge) {
  const full = labelWidth(p.head + p.name + p.tail);
  const min = labelMinWidth(p);
  if (levelEdge) return { level: true, width: Math.min(full, Math.max(len - 8, LABEL_LEVEL_MAX, min)) };
  if (len >= min + 8) return { level: false, width: Math.min(full, len - 8) };
  return { level: true, width: Math.min(full, Math.max(LABEL_LEVEL_MAX, min)) };
}

/**
 * Valid face axes for a rank (falls back to the last two axes).
 * @param {number} rank
 * @param {number[] | null | undefined} faceAxes
 */
export function normalizeFaceAxes(rank, faceAxes) {
  const want = Math.min(rank, 2);
  const fa = Array.isArray(faceAxes) ? faceAxes.filter((a) => Number.isInteger(a) && a >= 0 && a < rank) : [];
  if (fa.length === want && new Set(fa).size === want) return fa.slice();
  if (want === 0) return [];
  if (want === 1) return [0];
  return [rank - 2, rank - 1];
}

/**
 * Depth axis of the cube: the highest axis not in the face, or -1 for rank < 3.
 * @param {number} rank
 * @param {number[]} faceAxes
 */
export function depthAxis(rank, faceAxes) {
  if (rank < 3) return -1;
  for (let a = rank - 1; a >= 0; a--) if (!faceAxes.includes(a)) return a;
  return -1;
}

/**
 * Outer axes (rank ≥ 4): neither face nor depth, ascending.
 * @param {number} rank
 * @param {number[]} faceAxes
 */
export function outerAxes(rank, faceAxes) {
  const d = depthAxis(rank, faceAxes);
  const out = [];
  for (let a = 0; a < rank; a++) if (!faceAxes.includes(a) && a !== d) out.push(a);
  return out;
}

/**
 * How the outer axes are shown (rank ≥ 4): the innermost two (at most) lay out a grid of cubes (the last one
 * horizontally, the one before it vertically); any further outer axes are fixed at their selected index and shown as
 * position chips above the grid (`fixed`, ascending).
 * @param {number} rank
 * @param {number[]} faceAxes
 * @returns {{grid: number[], fixed: number[]}}
 */
export function splitOuter(rank, faceAxes) {
  const outs = outerAxes(rank, faceAxes);
  const cut = Math.max(0, outs.length - 2);
  return { grid: outs.slice(cut), fixed: outs.slice(0, cut) };
}

/**
 * Text of a position chip: the axis label and the index the grid shows on it, e.g. `axis 0 · N · 2 = [1]`.
 * @param {number} axis
 * @param {string | undefined} name
 * @param {number} size
 * @param {number} at
 */
export function positionChipText(axis, name, size, at) {
  return `${axisLabelText(axis, name, size)} = [${at}]`;
}

/**
 * Valid index: one integer per axis, clamped into range.
 * @param {number[]} shape
 * @param {number[] | null | undefined} index
 */
export function normalizeIndex(shape, index) {
  return shape.map((n, i) => {
    const v = Array.isArray(index) && Number.isFinite(index[i]) ? Math.trunc(index[i]) : 0;
    return Math.max(0, Math.min(Math.max(0, n - 1), v));
  });
}

/**
 * Which indices of an axis of length n to draw when at most k fit: first and last ones, the selected one,
 * and `null` where a gap (ellipsis) stands for omitted indices.
 * @param {number} n
 * @param {number} k
 * @param {number} [selected]
 * @returns {(number | null)[]}
 */
export function visibleIndices(n, k, selected = 0) {
  if (n <= 0) return [];
  k = Math.max(1, Math.floor(k));
  if (n <= k) return Array.from({ length: n }, (_, i) => i);
  const sel = Math.max(0, Math.min(n - 1, selected));
  const pick = new Set([sel]);
  if (k >= 2) pick.add(0);
  if (k >= 3 || (k === 2 && sel === 0)) pick.add(n - 1);
  let head = 1;
  let tail = n - 2;
  let fromHead = true;
  while (pick.size < k && head <= tail) {
    if (fromHead) pick.add(head++);
    else pick.add(tail--);
    fromHead = !fromHead;
  }
  const sorted = [...pick].sort((a, b) => a - b);
  /** @type {(number | null)[]} */
  const out = [];
  if (sorted[0] > 0) out.push(null);
  sorted.forEach((v, i) => {
    if (i > 0 && v - sorted[i - 1] > 1) out.push(null);
    out.push(v);
  });
  if (sorted[sorted.length - 1] < n - 1) out.push(null);
  return out;
}

/**
 * @typedef {{rows: number, cols: number, w: number, h: number, cells: boolean, cellW: number, cellH: number,
 *            gap: number, budget: [number, number]}} FacePlan
 */

/**
 * Pixel size of a rows × cols face. Small faces show separate cells (square, with a thin gap when large enough);
 * large faces become a dense image of at most maxPx on the long side, and ask the kernel for about one value
 * per pixel (`budget`).
 * @param {number} rows
 * @param {number} cols
 * @param {{maxPx?: number, maxCell?: number, minCell?: number, maxBudget?: number}} [opts]
 * @returns {FacePlan}
 */
export function planFace(rows, cols, { maxPx = 240, maxCell = 28, minCell = 4, maxBudget = 256 } = {}) {
  rows = Math.max(1, rows);
  cols = Math.max(1, cols);
  const s = Math.min(maxCell, maxPx / Math.max(rows, cols));
  if (s >= minCell) {
    const cell = s >= 10 ? Math.floor(s) : s;
    return {
      rows, cols, w: cols * cell, h: rows * cell, cells: true, cellW: cell, cellH: cell,
      gap: cell >= 8 ? 1 : 0, budget: [rows, cols],
    };
  }
  const scale = maxPx / Math.max(rows, cols);
  const minSide = (/** @type {number} */ n) => Math.min(n * 12, maxPx * 0.3);
  const w = Math.round(Math.max(cols * scale, minSide(cols)));
  const h = Math.round(Math.max(rows * scale, minSide(rows)));
  return {
    rows, cols, w, h, cells: false, cellW: w / cols, cellH: h / rows, gap: 0,
    budget: [Math.min(rows, Math.ceil(h), maxBudget), Math.min(cols, Math.ceil(w), maxBudget)],
  };
}

/**
 * A long 1-d axis: the first and last `k` cells exactly (with a gap between), else every cell. With `focus` (an
 * element to show, e.g. a NaN gone to), the cells around it are shown too, between the ends.
 * @param {number} n
 * @param {{maxCells?: number, keep?: number, focus?: number | null}} [opts]
 * @returns {{segments: [number, number][], gap: boolean}}
 */
export function planSegments(n, { maxCells = 40, keep = 10, focus = null } = {}) {
  if (n <= maxCells) return { segments: [[0, n]], gap: false };
  /** @type {[number, number][]} */
  const wanted = [[0, keep], [n - keep, n]];
  if (focus !== null && Number.isFinite(focus) && focus >= 0 && focus < n) {
    const a = Math.max(0, Math.min(n - keep, Math.round(focus) - Math.floor(keep / 2)));
    wanted.push([a, a + keep]);
  }
  wanted.sort((p, q) => p[0] - q[0]);
  /** @type {[number, number][]} */
  const segments = [];
  for (const [a, b] of wanted) {
    const last = segments[segments.length - 1];
    if (last && a <= last[1]) last[1] = Math.max(last[1], b);
    else segments.push([a, b]);
  }
  return { segments, gap: segments.length > 1 };
}

/** @typedef {[number, number, number, number, number, number]} Affine */

/**
 * @typedef {{front: FacePlan, depth: number, depthLen: number, ex: number, ey: number, width: number,
 *            height: number, depthCells: boolean, budget: [number, number]}} CubeGeometry
 */

/**
 * Geometry of a cube for a rows × cols front face and a depth axis of length `depth`.
 * The receding edge goes up and to the right.
 * @param {number} rows
 * @param {number} cols
 * @param {number} depth
 * @param {{maxPx?: number, maxCell?: number, minCell?: number, maxDepthPx?: number, maxBudget?: number}} [opts]
 * @returns {CubeGeometry}
 */
export function cubeGeometry(rows, cols, depth, opts = {}) {
  const front = planFace(rows, cols, opts);
  const maxDepthPx = opts.maxDepthPx ?? Math.max(front.w, front.h) * 0.75;
  const per = front.cells ? Math.max(front.cellW * 0.7, 3) : 3;
  const floor = depth > 1 ? Math.min(28, maxDepthPx) : Math.min(12, maxDepthPx);
  const depthLen = Math.max(floor, Math.min(maxDepthPx, Math.max(1, depth) * per));
  const ex = Math.round(depthLen * 0.82);
  const ey = Math.round(depthLen * 0.57);
  const maxBudget = opts.maxBudget ?? 256;
  const depthBudget = Math.min(depth, Math.max(1, Math.ceil(depthLen)), maxBudget);
  const depthCells = depthLen / Math.max(1, depth) >= 3;
  const side = Math.max(front.budget[0], front.budget[1]);
  return {
    front, depth, depthLen, ex, ey, width: front.w + ex, height: front.h + ey, depthCells,
    budget: [Math.max(front.budget[0], depthCells ? depth : depthBudget), Math.max(front.budget[1], side)],
  };
}

/**
 * Where the three visible faces of a cube go, in paint order (back faces first, the front face last).
 * The front face sits at the plane of the selected depth index; `cut` is the fraction of the depth in front of
 * it (drawn as a light wireframe), so top and side faces are painted only from `cut` backwards.
 * @param {CubeGeometry} g
 * @param {number} depthIndex
 * @param {number} [x0] left of the cube's bounding box
 * @param {number} [y0] top of the cube's bounding box
 * @returns {{faces: {role: "top"|"side"|"front", t: Affine}[], cut: number, box: {x: number, y: number, w: number, h: number}}}
 */
export function cubeFaces(g, depthIndex, x0 = 0, y0 = 0) {
  const { w, h } = g.front;
  const cut = g.depth > 0 ? Math.max(0, Math.min(g.depth - 1, depthIndex)) / g.depth : 0;
  return {
    faces: [
      // top face: rows = depth (v, receding), cols = column axis (u)
      { role: "top", t: [w, 0, g.ex, -g.ey, x0, y0 + g.ey] },
      // side face: rows = depth (v, receding), cols = row axis (u, downwards)
      { role: "side", t: [0, h, g.ex, -g.ey, x0 + w, y0 + g.ey] },
      // front face at the selected depth
      { role: "front", t: [w, 0, 0, h, x0 + cut * g.ex, y0 + g.ey - cut * g.ey] },
    ],
    cut,
    box: { x: x0, y: y0, w: g.width, h: g.height },
  };
}

/**
 * Apply an affine transform to face-unit coordinates.
 * @param {Affine} t
 * @param {number} u
 * @param {number} v
 * @returns {[number, number]}
 */
export function applyAffine(t, u, v) {
  return [t[0] * u + t[2] * v + t[4], t[1] * u + t[3] * v + t[5]];
}

/**
 * Inverse: picture pixel → face-unit coordinates (u, v), or null for a degenerate transform.
 * @param {Affine} t
 * @param {number} x
 * @param {number} y
 * @returns {[number, number] | null}
 */
export function invertAffine(t, x, y) {
  const [a, b, c, d, e, f] = t;
  const det = a * d - b * c;
  if (Math.abs(det) < 1e-12) return null;
  const dx = x - e;
  const dy = y - f;
  return [(d * dx - c * dy) / det, (-b * dx + a * dy) / det];
}

/**
 * Cell under face-unit coordinates, or null outside.
 * @param {number} u
 * @param {number} v
 * @param {number} rows
 * @param {number} cols
 * @returns {[number, number] | null}
 */
export function cellAt(u, v, rows, cols) {
  if (!(u >= 0 && u < 1 && v >= 0 && v < 1)) return null;
  return [Math.min(rows - 1, Math.floor(v * rows)), Math.min(cols - 1, Math.floor(u * cols))];
}

/**
 * @typedef {{axis: number, dir: "h"|"v", entries: (number | null)[]}} OuterLevel
 * @typedef {{outer: number[], x: number, y: number, selected: boolean}} PlacedCube
 * @typedef {{text: string, axis: number, x: number, y: number, anchor: "middle"|"end"|"start", rotate: boolean}} IndexTag
 * @typedef {{x: number, y: number, text: string, dir: "h"|"v"}} GapMark
 * @typedef {{x: number, y: number, w: number, h: number, axis: number}} GroupBox
 * @typedef {{levels: OuterLevel[], cubes: PlacedCube[], tags: IndexTag[], gaps: GapMark[], boxes: GroupBox[],
 *            width: number, height: number}} OuterLayout
 */

/**
 * Choose which outer indices to draw so that at most `maxCubes` cubes appear: long axes keep their first,
 * last and selected entries with an ellipsis between.
 * @param {number[]} shape
 * @param {number[]} axes outer axes, ascending
 * @param {number[]} index full index
 * @param {number} [maxCubes]
 * @returns {OuterLevel[]} outermost first; the innermost level runs horizontally, the next vertically, …
 */
export function outerLevels(shape, axes, index, maxCubes = 48) {
  // a row holds at most 12 cubes, a column at most 8
  const ks = axes.map((a, i) => Math.min(shape[a], (axes.length - 1 - i) % 2 === 0 ? 12 : 8));
  const product = () => ks.reduce((p, k) => p * Math.max(1, k), 1);
  while (product() > maxCubes) {
    let j = 0;
    for (let i = 1; i < ks.length; i++) if (ks[i] >= ks[j]) j = i;
    if (ks[j] <= 1) break;
    ks[j] = ks[j] > 6 ? Math.max(5, Math.ceil(ks[j] / 2)) : ks[j] - 1;
  }
  return axes.map((a, i) => ({
    axis: a,
    dir: /** @type {"h"|"v"} */ ((axes.length - 1 - i) % 2 === 0 ? "h" : "v"),
    entries: visibleIndices(shape[a], ks[i], index[a]),
  }));
}

/**
 * Place cubes of size cw × ch for nested outer levels. Innermost level: a row of cubes with index tags
 * below; next level: a column of such rows with tags on the left; higher levels alternate and draw a box
 * around each group with its tag above (horizontal) or on the left (vertical).
 * @param {OuterLevel[]} levels
 * @param {number[]} index full index (for the selected cube)
 * @param {number} cw
 * @param {number} ch
 * @returns {OuterLayout}
 */
export function placeOuter(levels, index, cw, ch) {
  /** @type {PlacedCube[]} */ const cubes = [];
  /** @type {IndexTag[]} */ const tags = [];
  /** @type {GapMark[]} */ const gaps = [];
  /** @type {GroupBox[]} */ const boxes = [];
  const TAG = 16;
  const GAP = 22;

  /**
   * @param {number} li
   * @param {number[]} prefix
   * @param {number} x
   * @param {number} y
   * @param {boolean} place
   * @returns {{w: number, h: number}}
   */
  function block(li, prefix, x, y, place) {
    if (li === levels.length) {
      if (place) {
        const selected = levels.every((L, i) => index[L.axis] === prefix[i]);
        cubes.push({ outer: prefix.slice(), x, y, selected });
      }
      return { w: cw, h: ch };
    }
    const L = levels[li];
    const innermost = li === levels.length - 1;
    const boxed = levels.length - 1 - li >= 2;
    const pad = boxed ? 10 : 0;
    const space = innermost ? Math.max(10, Math.round(cw * 0.18)) : boxed ? 16 : 14;
    const child = block(li + 1, prefix.concat(0), 0, 0, false);
    let cx = x;
    let cy = y;
    let w = 0;
    let h = 0;
    if (L.dir === "h") {
      const top = innermost ? 0 : TAG;
      cy = y + top + pad;
      cx = x + pad;
      L.entries.forEach((e, i) => {
        if (i > 0) cx += space;
        if (e === null) {
          if (place) gaps.push({ x: cx + GAP / 2, y: cy + child.h / 2, text: "⋯", dir: "h" });
          cx += GAP;
          return;
        }
        if (place) {
          block(li + 1, prefix.concat(e), cx, cy, true);
          if (innermost) tags.push({ text: String(e), axis: L.axis, x: cx + child.w / 2, y: cy + child.h + 13, anchor: "middle", rotate: false });
          else tags.push({ text: String(e), axis: L.axis, x: cx + child.w / 2, y: y + top - 4, anchor: "middle", rotate: false });
          if (boxed) boxes.push({ x: cx - pad, y: cy - pad, w: child.w + 2 * pad, h: child.h + 2 * pad, axis: L.axis });
        }
        cx += child.w;
      });
      w = cx - x + pad;
      h = top + child.h + 2 * pad + (innermost ? TAG : 0);
    } else {
      const left = TAG + 4;
      cx = x + left + pad;
      cy = y + pad;
      L.entries.forEach((e, i) => {
        if (i > 0) cy += space;
        if (e === null) {
          if (place) gaps.push({ x: cx + child.w / 2, y: cy + GAP / 2, text: "⋮", dir: "v" });
          cy += GAP;
          return;
        }
        if (place) {
          block(li + 1, prefix.concat(e), cx, cy, true);
          tags.push({ text: String(e), axis: L.axis, x: x + left - 6, y: cy + child.h / 2, anchor: "end", rotate: false });
          if (boxed) boxes.push({ x: cx - pad, y: cy - pad, w: child.w + 2 * pad, h: child.h + 2 * pad, axis: L.axis });
        }
        cy += child.h;
      });
      w = left + child.w + 2 * pad;
      h = cy - y + pad;
    }
    return { w, h };
  }

  const size = block(0, [], 0, 0, true);
  return { levels, cubes, tags, gaps, boxes, width: size.w, height: size.h };
}

/**
 * Options for a lone 3-d cube (`cubeGeometry`): large faces become a dense image of at most 260 px, small ones
 * (at most 6 × 6) get cells up to 40 px, large enough to write the values in.
 * @param {number} rows
 * @param {number} cols
 */
export function cubeOpts(rows, cols) {
  return { maxPx: 260, maxCell: rows <= 6 && cols <= 6 ? 40 : 28, minCell: 4, maxBudget: 260, maxDepthPx: 150 };
}

/** Width assumed for the picture when the widget cannot measure the room it has. */
export const DEFAULT_PICTURE_WIDTH = 640;

/**
 * Largest front-face side for the small cubes of rank ≥ 4 by how many are drawn: a few get the size of a lone 3-d
 * cube (260), then they shrink step by step to thumbnails.
 * @param {number} count cubes drawn
 */
export function thumbSize(count) {
  if (count <= 3) return 260;
  if (count <= 4) return 200;
  if (count <= 6) return 160;
  if (count <= 9) return 120;
  if (count <= 16) return 84;
  if (count <= 24) return 64;
  if (count <= 32) return 52;
  return 40;
}

/**
 * `cubeGeometry` options for the cubes of rank ≥ 4: from the number of cubes drawn (`thumbSize`), shrunk until a
 * row of `perRow` of them (with the space between) fits `width` pixels. At full size (1–3 cubes with room) they are
 * exactly the lone 3-d cube's options, so small faces get cells large enough for their values; smaller cubes scale
 * the cell cap down (never under 14 px) and may draw cells down to 2 px.
 * @param {number} count cubes drawn
 * @param {number} perRow grid entries in a row (cubes and gaps)
 * @param {number} rows front face rows
 * @param {number} cols front face columns
 * @param {number} depth depth axis length
 * @param {number} [width] room for the picture in CSS pixels
 * @returns {{maxPx: number, maxCell: number, minCell: number, maxBudget: number, maxDepthPx: number}}
 */
export function outerCubeOpts(count, perRow, rows, cols, depth, width = DEFAULT_PICTURE_WIDTH) {
  const full = cubeOpts(rows, cols);
  /** @param {number} side */
  const opts = (side) => {
    if (side >= full.maxPx) return full;
    const k = side / full.maxPx;
    return {
      maxPx: side,
      maxCell: Math.max(14, Math.floor(full.maxCell * Math.min(1, k * 1.6))),
      minCell: side >= 120 ? 4 : 2,
      maxBudget: Math.max(16, side),
      maxDepthPx: Math.round(side * 0.58),
    };
  };
  const n = Math.max(1, perRow);
  // room for the outer-axis labels and index tags on the left and the margin on the right
  const room = Math.max(200, width) - 64;
  let side = thumbSize(count);
  for (;;) {
    const o = opts(side);
    const cw = cubeGeometry(rows, cols, depth, o).width;
    if (side <= 24 || n * cw + (n - 1) * Math.max(10, cw * 0.18) <= room) return o;
    side = Math.max(24, Math.floor(side * 0.9));
  }
}

/**
 * Text beside an index slider: `2 / 15` (index / last index), or `length 1` for an axis with nothing to move.
 * @param {number} index
 * @param {number} n axis length
 */
export function sliderValueText(index, n) {
  if (n <= 1) return n === 1 ? "length 1" : "empty";
  return `${index} / ${n - 1}`;
}

/**
 * Screen-reader description of the picture.
 * @param {number[]} shape
 * @param {number[]} faceAxes
 * @param {string[]} [dims]
 * @param {number[]} [index] the selected index (names the slice the grid of cubes shows for rank ≥ 6)
 */
export function describePicture(shape, faceAxes, dims = [], index = []) {
  const rank = shape.length;
  const nm = (/** @type {number} */ a) => (dims[a] ? ` ${dims[a]}` : "");
  const part = (/** @type {number} */ a, /** @type {string} */ one, /** @type {string} */ many) =>
    `${formatSize(shape[a])} ${shape[a] === 1 ? one : many} (axis ${a}${nm(a)})`;
  if (rank === 0) return "0-d tensor: a single value";
  if (rank === 1) return `1-d row of ${part(0, "element", "elements")}`;
  const [r, c] = faceAxes;
  if (rank === 2) return `2-d grid: ${part(r, "row", "rows")} × ${part(c, "column", "columns")}`;
  const d = depthAxis(rank, faceAxes);
  const body = `${part(d, "matrix", "matrices")} of ${part(r, "row", "rows")} × ${part(c, "column", "columns")}`;
  if (rank === 3) return `3-d cube: ${body}`;
  const { grid, fixed } = splitOuter(rank, faceAxes);
  const outs = grid.map((a) => `${formatSize(shape[a])} (axis ${a}${nm(a)})`);
  const at = fixed.map((a) => `axis ${a}${nm(a)} = ${Number.isInteger(index[a]) ? index[a] : 0}`);
  if (!at.length) return `${rank}-d: ${outs.join(" × ")} cubes, each ${body}`;
  return `${rank}-d: ${outs.join(" × ")} cubes for ${at.join(", ")}; each ${body}`;
}
