// The stage of one step: where each operand and the output sit, how large a cell is, the axis arrows and labels
// (one color per axis, following the axis through the op), and each element's track. Pure: no DOM.
import { arrange } from "./arrange.js";
import { axisColor, axisLabelParts, labelWidth } from "../layout.js";
import { buildTracks } from "./motion.js";

/**
 * @typedef {import("./arrange.js").Arrangement} Arrangement
 * @typedef {import("./motion.js").Tracks} Tracks
 * @typedef {import("../decode.js").Decoded} Decoded
 * @typedef {{role: "input"|"output", i: number, shape: number[], grid: number[], steps: number[], dims: string[],
 *            origin: (number | null)[], values: Decoded | null, encoding: string, note?: string, places?: boolean}} StepTensor
 *   one tensor of a step as the kernel sent it: `grid` the cells drawn (the shape itself, or blocks of `steps`
 *   elements along each axis when it is large), `origin[a]`: the input axis output axis `a` came from (null: a new one)
 * @typedef {{axis: number, parts: import("../layout.js").LabelParts, color: string, from: [number, number],
 *            to: [number, number], side: number, role: string, at: [number, number]}} Run an axis arrow in CSS pixels;
 *   `at`: the centre of its label
 * @typedef {{t: StepTensor, arr: Arrangement, x0: number, y0: number, xs: Float64Array, ys: Float64Array,
 *            size: number, runs: Run[], pages: {x: number, y: number, w: number, h: number}[], title: string,
 *            box: {x: number, y: number, w: number, h: number}, top: number}} Placed `top`: room above `box` for the
 *   title and the labels
 * @typedef {{width: number, height: number, cell: number, placed: Placed[], inputs: Placed[], output: Placed | null,
 *            tracks: Tracks | null, arrow: {x0: number, x1: number, y: number}}} Stage
 */

/** Room around a tensor for its labels (CSS px): left (rows), top (depth), bottom (columns), per outer level. */
const PAD = { left: 40, top: 30, bottom: 30, right: 10, level: 26, title: 18 };
/** The gap between inputs and output, where the op's arrow goes. */
const MIDDLE = 84;
/** A wider gap when a broadcast operand's stretch is said beside it. */
const MIDDLE_STRETCH = 170;
export const MAX_CELL = 26;
export const MIN_CELL = 2;

/**
 * Room a tensor needs besides its cells.
 * @param {Arrangement} arr
 */
function chrome(arr) {
  const outer = Math.max(0, arr.rank - 3);
  const v = Math.floor(outer / 2); // vertical outer levels add room on the left
  const hz = outer - v; // horizontal ones above
  return {
    left: (arr.rank >= 2 ? PAD.left : 10) + v * PAD.level,
    top: PAD.title + (arr.rank >= 3 ? PAD.top : 6) + hz * PAD.level,
    bottom: PAD.bottom,
    right: PAD.right,
  };
}

/**
 * Color of an axis of a tensor in this step: an output axis that came from an input axis keeps that axis's color
 * (so a permute's axes visibly travel); a new axis gets a neutral color when others keep theirs.
 * @param {StepTensor} t
 * @param {number} a
 */
export function runColor(t, a) {
  if (t.role === "input") return axisColor(a);
  const o = t.origin ? t.origin[a] : undefined;
  if (o === null && t.origin.some((x) => x !== null)) return "#8a8f98";
  return axisColor(o === null || o === undefined ? a : o);
}

/**
 * Lay out a step: inputs stacked on the left, the output on the right, one cell size for all (so that an element
 * keeps its size while it travels), as large as fits in `width` × `maxHeight`.
 * @param {{tensors: StepTensor[], sources: (Int32Array | null)[], k: number[], winners?: (Int32Array | null)[],
 *          broadcast?: boolean[], stagger?: number, delay?: number, stretch?: number, inColors?: Uint32Array[],
 *          outColors?: Uint32Array}} s
 * @param {{width?: number, maxHeight?: number}} [room]
 * @returns {Stage}
 */
export function buildStage(s, room = {}) {
  const width = Math.max(320, room.width ?? 860);
  const maxHeight = Math.max(200, room.maxHeight ?? 520);
  const ins = s.tensors.filter((t) => t.role === "input");
  const out = s.tensors.find((t) => t.role === "output") || null;
  const arrIn = ins.map((t) => arrange(t.grid));
  const arrOut = out ? arrange(out.grid) : null;
  const chIn = arrIn.map(chrome);
  const chOut = arrOut ? chrome(arrOut) : null;
  const inW = Math.max(1, ...arrIn.map((a) => a.width));
  const inH = arrIn.reduce((p, a) => p + a.height, 0) || 1;
  const inFixW = Math.max(0, ...chIn.map((c) => c.left + c.right));
  const inFixH = chIn.reduce((p, c) => p + c.top + c.bottom, 0);
  const outW = arrOut ? arrOut.width : 0;
  const outH = arrOut ? arrOut.height : 0;
  const outFixW = chOut ? chOut.left + chOut.right : 0;
  const outFixH = chOut ? chOut.top + chOut.bottom : 0;
  const middle = s.stretch && s.broadcast && s.broadcast.some(Boolean) ? MIDDLE_STRETCH : MIDDLE;
  const byW = (width - inFixW - outFixW - (out ? middle : 0)) / Math.max(1, inW + outW);
  const byH = Math.min((maxHeight - inFixH) / inH, arrOut ? (maxHeight - outFixH) / Math.max(1, outH) : Infinity);
  const cell = Math.max(MIN_CELL, Math.min(MAX_CELL, Math.floor(Math.min(byW, byH) * 4) / 4));

  /** @type {Placed[]} */
  const placed = [];
  let y = 0;
  const colIn = inFixW + inW * cell;
  ins.forEach((t, i) => {
    const arr = arrIn[i];
    const ch = chIn[i];
    placed.push(place(t, arr, ch.left, y + ch.top, cell, title(t, ins.length), ch.top));
    y += ch.top + arr.height * cell + ch.bottom;
  });
  const inTotalH = y;
  let outPlaced = null;
  if (out && arrOut && chOut) {
    const h = chOut.top + arrOut.height * cell + chOut.bottom;
    const oy = Math.max(0, (inTotalH - h) / 2);
    outPlaced = place(out, arrOut, colIn + middle + chOut.left, oy + chOut.top, cell, out.places ? "places" : "output", chOut.top);
    placed.push(outPlaced);
  }
  const height = Math.ceil(Math.max(inTotalH, outPlaced ? outPlaced.box.y + outPlaced.box.h + chOut.bottom : 0));
  const totalW = Math.ceil(outPlaced ? outPlaced.box.x + outPlaced.box.w + (chOut ? chOut.right : 0) + 8 : colIn + 8);
  const inputs = placed.filter((p) => p.t.role === "input");
  const midY = outPlaced ? outPlaced.box.y + outPlaced.box.h / 2 : inTotalH / 2;
  let tracks = null;
  if (outPlaced && s.sources.some(Boolean)) {
    tracks = buildTracks({
      inputs: inputs.map((p) => ({ xs: p.xs, ys: p.ys, size: p.size })),
      output: { xs: outPlaced.xs, ys: outPlaced.ys, size: outPlaced.size },
      sources: s.sources, k: s.k, stagger: s.stagger ?? 0, delay: s.delay ?? 0, winners: s.winners, broadcast: s.broadcast,
      stretch: s.stretch ?? 0,
      inColors: s.inColors || inputs.map((p) => new Uint32Array(p.xs.length)),
      outColors: s.outColors || new Uint32Array(outPlaced.xs.length),
    });
  }
  return {
    width: Math.max(totalW, 200), height: Math.max(height, 60), cell, placed, inputs, output: outPlaced, tracks,
    arrow: { x0: colIn + 10, x1: colIn + middle - 14, y: midY },
  };
}

/** @param {StepTensor} t @param {number} n how many inputs */
function title(t, n) {
  return n > 1 ? `input ${t.i}` : "input";
}

/**
 * Place one tensor's arrangement at (x0, y0) with `cell` px per cell pitch.
 * @param {StepTensor} t
 * @param {Arrangement} arr
 * @param {number} x0
 * @param {number} y0
 * @param {number} cell
 * @param {string} name
 * @param {number} top room above the cells for the title and labels (CSS px)
 * @returns {Placed}
 */
function place(t, arr, x0, y0, cell, name, top) {
  const xs = new Float64Array(arr.count);
  const ys = new Float64Array(arr.count);
  for (let e = 0; e < arr.count; e++) {
    xs[e] = x0 + arr.xs[e] * cell;
    ys[e] = y0 + arr.ys[e] * cell;
  }
  const gap = cell >= 5 ? Math.max(1, Math.round(cell * 0.14)) : 0;
  /** @type {Run[]} */
  const runs = arr.runs.map((r) => ({
    axis: r.axis,
    parts: axisLabelParts(r.axis, t.dims[r.axis] || "", t.shape[r.axis]),
    color: runColor(t, r.axis),
    from: [x0 + r.from[0] * cell, y0 + r.from[1] * cell],
    to: [x0 + r.to[0] * cell, y0 + r.to[1] * cell],
    side: r.side,
    role: r.role,
    at: /** @type {[number, number]} */ ([0, 0]),
  }));
  // the outer axes laid across the top keep to the rows of room made for them above the cube's depth labels,
  // whatever the cell size (in cells they would crowd into those labels when cells are small)
  let level = 0;
  for (const r of runs) {
    if (r.role !== "outer" || Math.abs(r.from[1] - r.to[1]) > 1) continue;
    r.from[1] = r.to[1] = y0 - (arr.rank >= 3 ? PAD.top : 6) - 4 - level * PAD.level;
    level++;
  }
  placeLabels(runs);
  return {
    t, arr, x0, y0, xs, ys, size: cell - gap, runs, top,
    pages: arr.pages.map((p) => ({ x: x0 + p.x * cell, y: y0 + p.y * cell, w: p.w * cell - gap, h: p.h * cell - gap })),
    title: name,
    box: { x: x0, y: y0, w: arr.width * cell, h: arr.height * cell },
  };
}

/** Height of an axis label's line box (CSS px), for the overlap test. */
const LABEL_LINE = 16;

/**
 * Where a run's label sits: beside the middle of its arrow, on its side.
 * @param {Run} r
 * @returns {[number, number]}
 */
export function runLabelAt(r) {
  const [ax, ay] = r.from;
  const [bx, by] = r.to;
  const len = Math.hypot(bx - ax, by - ay) || 1;
  const nx = ((by - ay) / len) * r.side;
  const ny = (-(bx - ax) / len) * r.side;
  const off = r.role === "cols" ? 10 : 11;
  return [(ax + bx) / 2 + nx * off, (ay + by) / 2 + ny * off];
}

/**
 * The labels of one tensor's arrows, placed so that they do not overlap: beside a short edge a label is longer than
 * its edge, and the rows label (written down the left edge) would run into the columns label under the tensor when
 * that one, centred under a narrow face, reaches left past the corner. Then either the rows label moves up so that
 * it ends above the columns label (never above the stage's top), or the columns label moves right so that it starts
 * past the rows label: whichever moves less (beside a cube, always the second: above it are its depth labels).
 * @param {Run[]} runs
 */
export function placeLabels(runs) {
  const full = (/** @type {Run} */ r) => labelWidth(r.parts.head + r.parts.name + r.parts.tail) + 4;
  for (const r of runs) {
    r.at = runLabelAt(r);
    // a level label wider than a short edge near the stage's left side stays inside the stage
    if (Math.abs(r.to[1] - r.from[1]) < 1) r.at[0] = Math.max(r.at[0], full(r) / 2 + 2);
  }
  const rows = runs.find((r) => r.role === "rows");
  const cols = runs.find((r) => r.role === "cols");
  if (!rows || !cols || Math.abs(rows.to[0] - rows.from[0]) > 0.5) return;
  const wr = full(rows);
  const wc = full(cols);
  const depth = runs.find((r) => r.role === "depth");
  const colsTop = cols.at[1] - LABEL_LINE / 2;
  const apart =
    rows.at[0] + LABEL_LINE / 2 <= cols.at[0] - wc / 2 || rows.at[0] - LABEL_LINE / 2 >= cols.at[0] + wc / 2 ||
    rows.at[1] + wr / 2 <= colsTop;
  if (!apart) {
    // the smaller of two moves: the rows label up until it ends above the columns label, or the columns label right
    // until it starts past the rows label (beside a tiny face the first would lift the label far from its edge; beside
    // a cube it would lift it into the depth labels)
    const up = Math.max(wr / 2 + 2, colsTop - 2 - wr / 2);
    const right = rows.at[0] + LABEL_LINE / 2 + 4 + wc / 2;
    if (!depth && rows.at[1] - up <= right - cols.at[0]) rows.at[1] = up;
    else cols.at[0] = right;
  }
  // a rows label longer than a small cube's edge reaches up to the depth label: that one slides up along its arrow
  if (depth) slideClear(depth, full(depth), boxOf(rows, wr));
}

/**
 * The box a label covers on screen (its text as a line, turned with its arrow).
 * @param {Run} r
 * @param {number} w its width
 */
function boxOf(r, w) {
  const len = Math.hypot(r.to[0] - r.from[0], r.to[1] - r.from[1]) || 1;
  const c = Math.abs((r.to[0] - r.from[0]) / len);
  const s = Math.abs((r.to[1] - r.from[1]) / len);
  const hw = (c * w + s * LABEL_LINE) / 2;
  const hh = (s * w + c * LABEL_LINE) / 2;
  return { x0: r.at[0] - hw, x1: r.at[0] + hw, y0: r.at[1] - hh, y1: r.at[1] + hh };
}

/**
 * Move a label along its arrow (towards its end) until it is clear of `box`, as far as its arrow's end at most.
 * @param {Run} r
 * @param {number} w its width
 * @param {{x0: number, x1: number, y0: number, y1: number}} box
 */
function slideClear(r, w, box) {
  const len = Math.hypot(r.to[0] - r.from[0], r.to[1] - r.from[1]) || 1;
  const ux = (r.to[0] - r.from[0]) / len;
  const uy = (r.to[1] - r.from[1]) / len;
  const hit = () => {
    const b = boxOf(r, w);
    return b.x0 < box.x1 && box.x0 < b.x1 && b.y0 < box.y1 && box.y0 < b.y1;
  };
  for (let moved = 0; moved < len / 2 && hit(); moved += 3) {
    r.at[0] += ux * 3;
    r.at[1] += uy * 3;
  }
}

/**
 * The cell of a placed tensor under a point, or −1.
 * @param {Placed} p
 * @param {number} x
 * @param {number} y
 */
export function cellUnder(p, x, y) {
  const cell = p.size;
  // arrangement units → candidate cell by search over pages (few) then direct arithmetic within the page
  for (let e = 0; e < p.xs.length; e++) {
    const dx = x - p.xs[e];
    const dy = y - p.ys[e];
    if (dx >= 0 && dy >= 0 && dx < cell && dy < cell) return e;
  }
  return -1;
}
