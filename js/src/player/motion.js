// Element paths of one step, as pure functions of the step's progress t in [0, 1]. No DOM: frames are computed here
// and only painted elsewhere, so a frame at t = 0, ½ and 1 is tested without a browser (and a video export would
// render the very same frames).
//
// A step plays in three parts: the inputs hold still, then every element travels from its cell in an input to its
// cell in the output, then the output holds still. Each moving element is a *track*: one per (output cell, operand,
// contributor) that the kernel's provenance names. Tracks of one output cell converge on it (element-wise ops combine
// their operands' cells; reductions combine every contributor); a broadcast operand's element feeds several output
// cells at once, each a ghosted copy (stride 0: no new memory). With `stretch`, broadcasting plays in two phases: the
// broadcast operands' copies first spread over the output's cells and wait there, then the other operands come in and
// the matching cells combine.

/** Share of a step spent holding the inputs, and where the output starts holding. */
export const HOLD_IN = 0.12;
export const HOLD_OUT = 0.88;

/**
 * @typedef {{xs: Float64Array | number[], ys: Float64Array | number[], size: number}} Placed
 *   cell positions (top-left, CSS px) and the cell size of one tensor as drawn
 * @typedef {{n: number, x0: Float64Array, y0: Float64Array, x1: Float64Array, y1: Float64Array, s0: Float64Array,
 *            s1: Float64Array, start: Float64Array, land: Float64Array, end: Float64Array, from: Uint32Array,
 *            to: Uint32Array, operand: Uint8Array, src: Int32Array, dst: Int32Array, ghost: Uint8Array,
 *            winner: Uint8Array}} Tracks
 *   a track leaves at motion progress `start`, reaches its output cell at `land` and is there until `end` (`land` =
 *   `end` but for the stretched copies of a broadcast operand, which wait at the output for the other operands)
 * @typedef {{x: Float64Array, y: Float64Array, size: Float64Array, alpha: Float64Array, color: Uint32Array}} Frame
 */

/** Smooth start and stop (cubic in-out). @param {number} u */
export function ease(u) {
  const v = Math.max(0, Math.min(1, u));
  return v < 0.5 ? 4 * v * v * v : 1 - Math.pow(-2 * v + 2, 3) / 2;
}

/**
 * Motion progress of the whole step at step time t: 0 while the inputs hold, 1 once the output holds.
 * @param {number} t
 */
export function motionAt(t) {
  return Math.max(0, Math.min(1, (t - HOLD_IN) / (HOLD_OUT - HOLD_IN)));
}

/**
 * Build the tracks of a step.
 * @param {{inputs: Placed[], output: Placed, sources: (Int32Array | null)[], k: number[], stagger?: number, delay?: number,
 *          inColors: Uint32Array[], outColors: Uint32Array, winners?: (Int32Array | null)[], broadcast?: boolean[],
 *          stretch?: number}} s
 *   `sources[i]`: for each output cell, `k[i]` source cells in input i (−1: none), row-major; `stagger`: share of the
 *   motion by which the last output cell starts later than the first (elements leave in row-major order); `delay`:
 *   share of the motion before anything leaves;
 *   `inColors[i][c]` / `outColors[c]`: packed colors of input and output cells; `winners[i]`: per output cell, which
 *   contributor (0..k−1) wins a max/argmax (−1 none); `broadcast[i]`: input i is broadcast (its copies are ghosts);
 *   `stretch`: share of the motion in which the broadcast operands spread over the output first (0: all move at once)
 * @returns {Tracks}
 */
export function buildTracks(s) {
  const outCount = s.output.xs.length;
  let n = 0;
  s.sources.forEach((src, i) => {
    if (!src) return;
    for (let j = 0; j < src.length; j++) if (src[j] >= 0) n++;
    void i;
  });
  const t = {
    n,
    x0: new Float64Array(n), y0: new Float64Array(n), x1: new Float64Array(n), y1: new Float64Array(n),
    s0: new Float64Array(n), s1: new Float64Array(n), start: new Float64Array(n), land: new Float64Array(n),
    end: new Float64Array(n),
    from: new Uint32Array(n), to: new Uint32Array(n), operand: new Uint8Array(n), src: new Int32Array(n),
    dst: new Int32Array(n), ghost: new Uint8Array(n), winner: new Uint8Array(n),
  };
  const stagger = Math.max(0, Math.min(0.8, s.stagger ?? 0));
  // a first phase without motion (a stack first gives each input its new axis, then joins them)
  const delay = Math.max(0, Math.min(0.6, s.delay ?? 0));
  const span = 1 - delay;
  const isBroadcast = (/** @type {number} */ i) => !!(s.broadcast && s.broadcast[i]);
  const stretch = s.broadcast && s.broadcast.some(Boolean) ? Math.max(0, Math.min(0.8, s.stretch ?? 0)) : 0;
  // two phases: the broadcast operands in [delay, mid) (then they wait at the output), the others in [mid, 1]
  const mid = delay + stretch * span;
  // the broadcast operands' tracks first, so that they are drawn under the elements that come to meet them
  const order = s.sources.map((_, i) => i);
  if (stretch > 0) order.sort((a, b) => Number(isBroadcast(b)) - Number(isBroadcast(a)) || a - b);
  let m = 0;
  for (const i of order) {
    const src = s.sources[i];
    if (!src) continue;
    const k = Math.max(1, s.k[i] || 1);
    const inp = s.inputs[i];
    const win = s.winners ? s.winners[i] : null;
    const first = stretch > 0 && isBroadcast(i);
    const from = stretch > 0 && !first ? mid : delay;
    const room = stretch > 0 ? (first ? mid - delay : 1 - mid) : span;
    // a source element seen before (broadcast, or one element in several outputs) sends a ghosted copy
    const seen = new Uint8Array(inp.xs.length);
    for (let j = 0; j < outCount; j++) {
      const start = from + (outCount > 1 ? (stagger * room * j) / (outCount - 1) : 0);
      for (let c = 0; c < k; c++) {
        const e = src[j * k + c];
        if (e < 0) continue;
        t.x0[m] = inp.xs[e];
        t.y0[m] = inp.ys[e];
        t.s0[m] = inp.size;
        t.x1[m] = s.output.xs[j];
        t.y1[m] = s.output.ys[j];
        t.s1[m] = s.output.size;
        t.start[m] = start;
        t.land[m] = start + (1 - stagger) * room;
        t.end[m] = first ? 1 : t.land[m];
        t.from[m] = s.inColors[i][e] ?? 0;
        t.to[m] = s.outColors[j] ?? t.from[m];
        t.operand[m] = i;
        t.src[m] = e;
        t.dst[m] = j;
        t.ghost[m] = seen[e] && (s.broadcast ? s.broadcast[i] : false) ? 1 : 0;
        seen[e] = 1;
        t.winner[m] = win && win[j] === c ? 1 : 0;
        m++;
      }
    }
  }
  return t;
}

/**
 * Mix two packed RGBA colors (little-endian ABGR words) at share u of the second.
 * @param {number} a
 * @param {number} b
 * @param {number} u
 */
export function mixPacked(a, b, u) {
  if (u <= 0) return a;
  if (u >= 1) return b;
  const r = Math.round((a & 255) * (1 - u) + (b & 255) * u);
  const g = Math.round(((a >>> 8) & 255) * (1 - u) + ((b >>> 8) & 255) * u);
  const bl = Math.round(((a >>> 16) & 255) * (1 - u) + ((b >>> 16) & 255) * u);
  return ((255 << 24) | (bl << 16) | (g << 8) | r) >>> 0;
}

/**
 * Where every track is at step time t. Tracks that converge (several per output cell) shrink as they arrive and take
 * the output's color in the last third of their flight; with `reduced` (prefers-reduced-motion) nothing moves: each
 * track fades out at its input cell and in at its output cell.
 * @param {Tracks} tr
 * @param {number} t step time in [0, 1]
 * @param {{reduced?: boolean, converge?: boolean}} [opts]
 * @param {Frame} [out] reused arrays
 * @returns {Frame}
 */
export function frameAt(tr, t, opts = {}, out) {
  const f = out && out.x.length >= tr.n ? out : {
    x: new Float64Array(tr.n), y: new Float64Array(tr.n), size: new Float64Array(tr.n),
    alpha: new Float64Array(tr.n), color: new Uint32Array(tr.n),
  };
  const u = motionAt(t);
  for (let i = 0; i < tr.n; i++) {
    const span = tr.end[i] - tr.start[i];
    const local = span > 0 ? Math.max(0, Math.min(1, (u - tr.start[i]) / span)) : u >= tr.start[i] ? 1 : 0;
    const p = ease(local);
    if (opts.reduced) {
      // cross-fade in place: first half at the input (fading out), second half at the output (fading in)
      const atOut = p >= 0.5;
      f.x[i] = atOut ? tr.x1[i] : tr.x0[i];
      f.y[i] = atOut ? tr.y1[i] : tr.y0[i];
      f.size[i] = atOut ? tr.s1[i] : tr.s0[i];
      f.alpha[i] = atOut ? (p - 0.5) * 2 : 1 - p * 2;
      f.color[i] = atOut ? tr.to[i] : tr.from[i];
      continue;
    }
    // where it is: on its way until it lands (a stretched copy lands early and waits); its color and opacity follow
    // the whole span, so a waiting copy takes the output's color as the others arrive
    const lspan = tr.land[i] - tr.start[i];
    const q = tr.land[i] >= tr.end[i] ? p : ease(lspan > 0 ? Math.max(0, Math.min(1, (u - tr.start[i]) / lspan)) : 1);
    f.x[i] = tr.x0[i] + (tr.x1[i] - tr.x0[i]) * q;
    f.y[i] = tr.y0[i] + (tr.y1[i] - tr.y0[i]) * q;
    f.size[i] = tr.s0[i] + (tr.s1[i] - tr.s0[i]) * q;
    if (opts.converge && !tr.winner[i]) f.size[i] *= 1 - 0.45 * Math.sin(Math.PI * Math.min(1, q * 1.05)) * (q < 1 ? 1 : 0);
    f.alpha[i] = tr.ghost[i] ? 0.55 + 0.45 * p : 1;
    f.color[i] = mixPacked(tr.from[i], tr.to[i], Math.max(0, (p - 0.66) * 3));
  }
  return f;
}

/**
 * Index of the track nearest the top of the draw order for each output cell at the end (for hit-testing the last
 * frame). Pure helper for tests: which output cells have arrived by step time t.
 * @param {Tracks} tr
 * @param {number} t
 * @param {number} outCount
 */
export function arrivedCells(tr, t, outCount) {
  const u = motionAt(t);
  const done = new Uint8Array(outCount);
  const left = new Int32Array(outCount);
  for (let i = 0; i < tr.n; i++) left[tr.dst[i]]++;
  for (let i = 0; i < tr.n; i++) if (u >= tr.end[i]) left[tr.dst[i]]--;
  for (let j = 0; j < outCount; j++) done[j] = left[j] === 0 ? 1 : 0;
  return done;
}
