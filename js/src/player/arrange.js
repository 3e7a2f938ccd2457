// Where every element of a tensor sits in the op player's picture. Pure: no DOM.
//
// The last axis runs across (columns), the one before it down (rows): a matrix, as in TensorView. The third from
// last is the cube's depth: its matrices ("pages") step up and to the right along the cube's receding edge, each
// page drawn whole so that no element hides behind another while it moves. Further axes alternate: the fourth from
// last lays cubes side by side, the fifth stacks those rows, and so on, each level with a wider gap. Every element
// gets a square cell; positions are in layout units (one unit = one cell pitch) and scaled by the caller.

/**
 * @typedef {{axis: number, from: [number, number], to: [number, number], side: number, role: string}} AxisRun
 *   an axis drawn as an arrow from `from` to `to` (units) with its label on `side` (+1 left of travel, −1 right)
 * @typedef {{x: number, y: number, w: number, h: number}} Box
 * @typedef {{shape: number[], rank: number, count: number, xs: Float64Array, ys: Float64Array, width: number,
 *            height: number, pages: Box[], runs: AxisRun[], wrap?: number}} Arrangement
 *   `wrap`: a long 1-d tensor is drawn in rows of this many cells
 */

/** Gap between cells, in cell pitches. */
export const CELL_GAP = 0.14;
/** Gap between pages of a cube (along the depth), in cell pitches. */
const PAGE_GAP = 1.1;
/** Rise of each page along the depth, as a share of the page's height. */
const PAGE_RISE = 0.32;
/** Gap between cubes (rank ≥ 4) grows with the level. */
const LEVEL_GAP = [2.2, 2.6, 3.2, 3.8];

/**
 * Row-major strides of a shape (in elements).
 * @param {number[]} shape
 */
export function rowMajorStrides(shape) {
  const st = new Array(shape.length).fill(1);
  for (let a = shape.length - 2; a >= 0; a--) st[a] = st[a + 1] * Math.max(1, shape[a + 1]);
  return st;
}

/**
 * Full index of flat (row-major) position `flat`.
 * @param {number} flat
 * @param {number[]} shape
 */
export function unravel(flat, shape) {
  const out = new Array(shape.length);
  for (let a = shape.length - 1; a >= 0; a--) {
    const n = Math.max(1, shape[a]);
    out[a] = flat % n;
    flat = Math.floor(flat / n);
  }
  return out;
}

/**
 * Lay out every element of `shape`. `xs[i]`, `ys[i]` is the top-left corner of element i (row-major) in cell
 * pitches; a cell is `1 - CELL_GAP` wide. `pages` are the outlines of the matrices; `runs` the axis arrows.
 * @param {number[]} shape
 * @returns {Arrangement}
 */
export function arrange(shape) {
  const rank = shape.length;
  const count = shape.reduce((p, n) => p * n, 1);
  const xs = new Float64Array(count);
  const ys = new Float64Array(count);
  /** @type {Box[]} */
  const pages = [];
  /** @type {AxisRun[]} */
  const runs = [];
  if (rank === 0) {
    pages.push({ x: 0, y: 0, w: 1, h: 1 });
    return { shape, rank, count, xs, ys, width: 1, height: 1, pages, runs };
  }
  if (rank === 1 && shape[0] > WRAP) return wrapped(shape[0], xs, ys, pages, runs);
  const C = shape[rank - 1];
  const R = rank >= 2 ? shape[rank - 2] : 1;
  const D = rank >= 3 ? shape[rank - 3] : 1;
  const pageW = Math.max(1, C);
  const pageH = Math.max(1, R);
  // a cube: D pages stepping right by a page and a gap, rising by a share of a page
  const stepX = rank >= 3 ? pageW + PAGE_GAP : 0;
  const rise = rank >= 3 && D > 1 ? Math.max(0.6, pageH * PAGE_RISE) : 0;
  const cubeW = pageW + stepX * Math.max(0, D - 1);
  const cubeH = pageH + rise * Math.max(0, D - 1);

  // outer levels (axes rank-4 down to 0): alternate across / down
  /** @type {{axis: number, n: number, dir: "h"|"v", gap: number}[]} */
  const levels = [];
  for (let a = rank - 4, k = 0; a >= 0; a--, k++) {
    levels.push({ axis: a, n: shape[a], dir: k % 2 === 0 ? "h" : "v", gap: LEVEL_GAP[Math.min(LEVEL_GAP.length - 1, Math.floor(k / 2))] });
  }
  // size of one block at each level, from the cube outwards
  let bw = cubeW;
  let bh = cubeH;
  /** @type {{w: number, h: number}[]} */
  const blockSize = [];
  for (const L of levels) {
    blockSize.push({ w: bw, h: bh });
    if (L.dir === "h") bw = bw * Math.max(1, L.n) + L.gap * Math.max(0, L.n - 1);
    else bh = bh * Math.max(1, L.n) + L.gap * Math.max(0, L.n - 1);
  }
  const width = bw;
  const height = bh;

  const outerCount = levels.reduce((p, L) => p * L.n, 1);
  const inner = D * R * C;
  for (let o = 0; o < outerCount; o++) {
    // origin of this cube: walk the outer levels (innermost level varies fastest)
    let ox = 0;
    let oy = 0;
    let rem = o;
    for (let k = 0; k < levels.length; k++) {
      const L = levels[k];
      const i = rem % L.n;
      rem = Math.floor(rem / L.n);
      if (L.dir === "h") ox += i * (blockSize[k].w + L.gap);
      else oy += i * (blockSize[k].h + L.gap);
    }
    for (let d = 0; d < D; d++) {
      const px = ox + d * stepX;
      const py = oy + (D - 1 - d) * rise;
      pages.push({ x: px, y: py, w: pageW, h: pageH });
      const base = o * inner + d * R * C;
      for (let r = 0; r < R; r++) {
        for (let c = 0; c < C; c++) {
          xs[base + r * C + c] = px + c;
          ys[base + r * C + c] = py + r;
        }
      }
    }
  }

  // axis arrows around the first cube (top-left of the picture); outer levels along the picture's edges
  const last = rank - 1;
  const firstPageY = (D - 1) * rise;
  runs.push({ axis: last, from: [0, firstPageY + pageH + 0.5], to: [pageW, firstPageY + pageH + 0.5], side: -1, role: "cols" });
  if (rank >= 2) runs.push({ axis: rank - 2, from: [-0.5, firstPageY], to: [-0.5, firstPageY + pageH], side: -1, role: "rows" });
  if (rank >= 3) {
    runs.push({ axis: rank - 3, from: [0, firstPageY - 0.5], to: [stepX * Math.max(0, D - 1) + Math.min(pageW, 2), -0.5], side: 1, role: "depth" });
  }
  for (const L of levels) {
    if (L.dir === "h") runs.push({ axis: L.axis, from: [0, -1.2 - runs.length * 0.01], to: [width, -1.2], side: 1, role: "outer" });
    else runs.push({ axis: L.axis, from: [-1.6, 0], to: [-1.6, height], side: -1, role: "outer" });
  }
  return { shape, rank, count, xs, ys, width, height, pages, runs };
}

/** A 1-d tensor longer than this wraps into rows (read like text: row-major order stays visible). */
export const WRAP = 64;

/**
 * A long 1-d tensor in rows of `w` cells, read left to right and top to bottom.
 * @param {number} n
 * @param {Float64Array} xs
 * @param {Float64Array} ys
 * @param {Box[]} pages
 * @param {AxisRun[]} runs
 * @returns {Arrangement}
 */
function wrapped(n, xs, ys, pages, runs) {
  const w = Math.max(WRAP, Math.ceil(Math.sqrt(n * 3)));
  const rows = Math.ceil(n / w);
  for (let i = 0; i < n; i++) {
    xs[i] = i % w;
    ys[i] = Math.floor(i / w);
  }
  pages.push({ x: 0, y: 0, w, h: rows });
  runs.push({ axis: 0, from: [0, rows + 0.5], to: [w, rows + 0.5], side: -1, role: "cols" });
  return { shape: [n], rank: 1, count: n, xs, ys, width: w, height: rows, pages, runs, wrap: w };
}
