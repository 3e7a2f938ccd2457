// Zoom windows on a 2-d face. Pure: no DOM.
// A window is [r0, r1, c0, c1]: half-open rows and columns in face coordinates (the protocol's `window`).
import { invertAffine } from "./layout.js";

/** @typedef {[number, number, number, number]} Window */

/** Fewest rows (or columns) a zoom window keeps, unless the face itself is smaller. */
export const MIN_SPAN = 4;
/** Zoom factor of one `+` / `-` key press. */
export const KEY_FACTOR = 2;
/** Share of the window one Shift+arrow press pans by. */
export const PAN_SHARE = 0.25;

/**
 * The whole face as a window.
 * @param {number} rows
 * @param {number} cols
 * @returns {Window}
 */
export const wholeWindow = (rows, cols) => [0, Math.max(1, rows), 0, Math.max(1, cols)];

/**
 * Whether a window covers the whole face (then no window need be asked for).
 * @param {number[] | null | undefined} win
 * @param {number} rows
 * @param {number} cols
 */
export function isWhole(win, rows, cols) {
  return !win || (win[0] <= 0 && win[1] >= rows && win[2] <= 0 && win[3] >= cols);
}

/**
 * One axis of a window: integer, at least `min(MIN_SPAN, n)` long, inside [0, n); a window sliding out of the face is
 * moved back in, keeping its length.
 * @param {number} a
 * @param {number} b
 * @param {number} n
 * @returns {[number, number]}
 */
function clampSpan(a, b, n) {
  n = Math.max(1, Math.floor(n));
  if (!Number.isFinite(a)) a = 0;
  if (!Number.isFinite(b)) b = n;
  if (b < a) [a, b] = [b, a];
  let len = Math.min(n, Math.max(Math.min(MIN_SPAN, n), Math.round(b - a)));
  let start = Math.round(a - (len - (b - a)) / 2); // a widened span grows around its middle
  start = Math.max(0, Math.min(n - len, start));
  return [start, start + len];
}

/**
 * A valid window of a rows × cols face: integers, inside the face, at least MIN_SPAN long on each side.
 * @param {number[]} win
 * @param {number} rows
 * @param {number} cols
 * @returns {Window}
 */
export function clampWindow(win, rows, cols) {
  const [r0, r1] = clampSpan(win[0], win[1], rows);
  const [c0, c1] = clampSpan(win[2], win[3], cols);
  return [r0, r1, c0, c1];
}

/**
 * The window to ask for: `win` clamped to the face, or null when there is none or it covers the whole face.
 * @param {number[] | null | undefined} win
 * @param {number} rows
 * @param {number} cols
 * @returns {Window | null}
 */
export function normalizeWindow(win, rows, cols) {
  const w = win ? clampWindow(win, rows, cols) : null;
  return w && !isWhole(w, rows, cols) ? w : null;
}

/**
 * One axis of a zoom: the point at fraction `f` of the span stays where it is.
 * @param {number} a
 * @param {number} b
 * @param {number} n
 * @param {number} factor > 1 zooms in
 * @param {number} f
 * @returns {[number, number]}
 */
function zoomSpan(a, b, n, factor, f) {
  const len = b - a;
  let next = Math.round(len / factor);
  // never stuck: each step in or out changes the length by at least one (until the limits)
  if (factor > 1) next = Math.min(next, len - 1);
  else if (factor < 1) next = Math.max(next, len + 1);
  next = Math.max(Math.min(MIN_SPAN, n), Math.min(n, next));
  const fixed = a + Math.max(0, Math.min(1, f)) * len;
  const start = Math.round(fixed - Math.max(0, Math.min(1, f)) * next);
  return clampSpan(start, start + next, n);
}

/**
 * Zoom a window by `factor` (> 1 in, < 1 out) around the point at fractions (fu across, fv down) of the window,
 * which stays put. Keeps the window's aspect as long as neither side hits its limit.
 * @param {number[]} win
 * @param {number} rows
 * @param {number} cols
 * @param {number} factor
 * @param {number} [fu] 0..1 across the columns (default: the centre)
 * @param {number} [fv] 0..1 down the rows
 * @returns {Window}
 */
export function zoomAt(win, rows, cols, factor, fu = 0.5, fv = 0.5) {
  const w = clampWindow(win, rows, cols);
  if (!(factor > 0) || factor === 1) return w;
  const [r0, r1] = zoomSpan(w[0], w[1], rows, factor, fv);
  const [c0, c1] = zoomSpan(w[2], w[3], cols, factor, fu);
  return [r0, r1, c0, c1];
}

/**
 * Move a window by (dr rows, dc columns), stopping at the face's edges; its size never changes.
 * @param {number[]} win
 * @param {number} rows
 * @param {number} cols
 * @param {number} dr
 * @param {number} dc
 * @returns {Window}
 */
export function panWindow(win, rows, cols, dr, dc) {
  const w = clampWindow(win, rows, cols);
  const hr = w[1] - w[0];
  const hc = w[3] - w[2];
  const r0 = Math.max(0, Math.min(rows - hr, w[0] + Math.round(dr)));
  const c0 = Math.max(0, Math.min(cols - hc, w[2] + Math.round(dc)));
  return [r0, r0 + hr, c0, c0 + hc];
}

/**
 * Rows and columns one pan step moves (a quarter of the window, at least one) for an arrow key.
 * @param {number[]} win
 * @param {string} key ArrowUp / ArrowDown / ArrowLeft / ArrowRight
 * @returns {[number, number] | null} [dr, dc]
 */
export function panStep(win, key) {
  const sr = Math.max(1, Math.round((win[1] - win[0]) * PAN_SHARE));
  const sc = Math.max(1, Math.round((win[3] - win[2]) * PAN_SHARE));
  if (key === "ArrowUp") return [-sr, 0];
  if (key === "ArrowDown") return [sr, 0];
  if (key === "ArrowLeft") return [0, -sc];
  if (key === "ArrowRight") return [0, sc];
  return null;
}

/**
 * The window a rectangle covers, given in face-unit coordinates of the shown window (u across, v down, 0..1; points
 * outside are clipped to the face). Every element the rectangle touches is inside.
 * @param {number[]} win the window shown
 * @param {number} rows face rows
 * @param {number} cols face columns
 * @param {number} u0
 * @param {number} v0
 * @param {number} u1
 * @param {number} v1
 * @returns {Window}
 */
export function rectToWindow(win, rows, cols, u0, v0, u1, v1) {
  const c = (/** @type {number} */ x) => Math.max(0, Math.min(1, x));
  const [ua, ub] = [c(Math.min(u0, u1)), c(Math.max(u0, u1))];
  const [va, vb] = [c(Math.min(v0, v1)), c(Math.max(v0, v1))];
  const hr = win[1] - win[0];
  const hc = win[3] - win[2];
  const eps = 1e-9; // an edge exactly on a cell border does not take the next cell
  const r0 = win[0] + Math.floor(va * hr + eps);
  const r1 = win[0] + Math.ceil(vb * hr - eps);
  const c0 = win[2] + Math.floor(ua * hc + eps);
  const c1 = win[2] + Math.ceil(ub * hc - eps);
  return clampWindow([r0, Math.max(r0 + 1, r1), c0, Math.max(c0 + 1, c1)], rows, cols);
}

/**
 * A drag between two picture pixels → the window it selects on a face drawn with transform `t` showing `win`; null
 * when the drag is too small (under `minPx` on both sides: a click, not a drag) or the transform is degenerate.
 * @param {import("./layout.js").Affine} t
 * @param {number[]} win
 * @param {number} rows
 * @param {number} cols
 * @param {[number, number]} a
 * @param {[number, number]} b
 * @param {number} [minPx]
 * @returns {Window | null}
 */
export function dragToWindow(t, win, rows, cols, a, b, minPx = 4) {
  if (Math.abs(a[0] - b[0]) < minPx && Math.abs(a[1] - b[1]) < minPx) return null;
  const p = invertAffine(t, a[0], a[1]);
  const q = invertAffine(t, b[0], b[1]);
  if (!p || !q) return null;
  return rectToWindow(win, rows, cols, p[0], p[1], q[0], q[1]);
}

/**
 * The rectangle of a drag clipped to a face drawn with an axis-aligned transform `t` (picture pixels).
 * @param {import("./layout.js").Affine} t
 * @param {[number, number]} a
 * @param {[number, number]} b
 * @returns {{x: number, y: number, w: number, h: number}}
 */
export function dragRect(t, a, b) {
  const fx0 = Math.min(t[4], t[4] + t[0]);
  const fx1 = Math.max(t[4], t[4] + t[0]);
  const fy0 = Math.min(t[5], t[5] + t[3]);
  const fy1 = Math.max(t[5], t[5] + t[3]);
  const cx = (/** @type {number} */ x) => Math.max(fx0, Math.min(fx1, x));
  const cy = (/** @type {number} */ y) => Math.max(fy0, Math.min(fy1, y));
  const x0 = cx(Math.min(a[0], b[0]));
  const x1 = cx(Math.max(a[0], b[0]));
  const y0 = cy(Math.min(a[1], b[1]));
  const y1 = cy(Math.max(a[1], b[1]));
  return { x: x0, y: y0, w: x1 - x0, h: y1 - y0 };
}

/**
 * Zoom factor of a wheel event: one notch (100 px) zooms by about 1.26×; scrolling up (negative delta) zooms in.
 * @param {number} deltaY
 * @param {number} [deltaMode] 0 pixels, 1 lines, 2 pages
 */
export function wheelFactor(deltaY, deltaMode = 0) {
  const px = deltaY * (deltaMode === 1 ? 33 : deltaMode === 2 ? 400 : 1);
  const capped = Math.max(-300, Math.min(300, px));
  return Math.pow(2, -capped / 300);
}

/**
 * What a zoomed axis shows: `rows 1024–1535 of 2048` (inclusive, as a user counts them).
 * @param {"rows"|"columns"} what
 * @param {number} a first index shown
 * @param {number} b one past the last index shown
 * @param {number} n length of the axis
 */
export function spanText(what, a, b, n) {
  return b - a === 1 ? `${what.replace(/s$/, "")} ${a} of ${n}` : `${what} ${a}–${b - 1} of ${n}`;
}

/** Rows (and columns) of the window that "go to" a cell zooms to: small enough that every cell is exact and written. */
export const FOCUS_SPAN = 15;

/**
 * A window of at most `span` × `span` cells around cell (r, c) of a rows × cols face, the cell as near its middle as
 * the face's edges allow.
 * @param {number} r
 * @param {number} c
 * @param {number} rows
 * @param {number} cols
 * @param {number} [span]
 * @returns {Window}
 */
export function windowAround(r, c, rows, cols, span = FOCUS_SPAN) {
  const around = (/** @type {number} */ i, /** @type {number} */ n) => {
    const len = Math.min(n, span);
    const start = Math.max(0, Math.min(n - len, i - Math.floor(len / 2)));
    return [start, start + len];
  };
  const [r0, r1] = around(r, rows);
  const [c0, c1] = around(c, cols);
  return [r0, r1, c0, c1];
}
