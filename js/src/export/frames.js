// The op player's frame at step time t, painted onto any Canvas 2D context: the player paints its canvas with it, and
// the video and GIF exports paint their offscreen canvases with it, frame by frame at a fixed rate, so a file shows
// the very frames the player shows. Pure: a function of the stage, the colors and t (element paths from
// motion.js's frameAt); only the context's own API is used, so it runs in node against a recording context.
import { frameAt, motionAt } from "../player/motion.js";
import { unpackCss } from "../player/colors.js";

/**
 * @typedef {import("../player/stage.js").Stage} Stage
 * @typedef {import("../player/motion.js").Frame} Frame
 * @typedef {{stage: Stage, inColors: Uint32Array[], outColors: Uint32Array | null | undefined,
 *            leave: Float64Array[] | null, arrive: Float64Array, winners: boolean, failed: boolean, reduced: boolean,
 *            ink?: string, errorColor?: string, slotColor?: string | null, css?: (c: number) => string}} FrameState
 *   `leave[i][e]`: when input cell e is first left (motion time; Infinity: never); `arrive[j]`: when output cell j is
 *   filled; `slotColor`: paint the empty cells in this color first (the player copies a layer of them instead)
 */

/** CSS colors of packed colors, cached (a frame sets thousands of fill styles from a few hundred colors). */
export function cssCache() {
  /** @type {Map<number, string>} */
  const cache = new Map();
  return (/** @type {number} */ c) => {
    let v = cache.get(c);
    if (v === undefined) {
      v = unpackCss(c);
      if (cache.size > 8192) cache.clear();
      cache.set(c, v);
    }
    return v;
  };
}

/**
 * Paint the elements at step time `t`: each at its input cell, in flight, or at its output cell; then the rings of a
 * max/argmax's winners and a failed reshape's shortfall. The context's transform is set to `scale` (device px per
 * CSS px); nothing is cleared first.
 * @param {CanvasRenderingContext2D} ctx
 * @param {FrameState} s
 * @param {number} t step time in [0, 1]
 * @param {number} scale
 * @param {Frame} [scratch] reused arrays (the frame is returned)
 * @returns {Frame | undefined}
 */
export function paintStepFrame(ctx, s, t, scale, scratch) {
  const st = s.stage;
  const css = s.css || cssCache();
  ctx.setTransform(scale, 0, 0, scale, 0, 0);
  ctx.globalAlpha = 1;
  if (s.slotColor) {
    ctx.fillStyle = s.slotColor;
    for (const p of st.placed) for (let e = 0; e < p.xs.length; e++) ctx.fillRect(p.xs[e], p.ys[e], p.size, p.size);
  }
  const u = motionAt(t);
  const tr = st.tracks;
  let frame = scratch;
  // inputs: an element is drawn at its cell until it leaves; one that nothing takes (not selected by an index)
  // dims as the others leave; without motion (an op without element paths) the inputs fade into the output
  const fade = tr ? 1 : 1 - u;
  st.inputs.forEach((p, i) => {
    const cols = s.inColors[i];
    const leave = s.leave ? s.leave[i] : null;
    const dim = Math.max(0.25, 1 - 0.75 * u);
    for (const pass of [0, 1]) {
      ctx.globalAlpha = pass ? dim : fade;
      for (let e = 0; e < p.xs.length; e++) {
        const unused = !!(tr && leave && leave[e] === Infinity);
        if (unused !== !!pass) continue;
        if (leave && !unused && u > leave[e]) continue;
        ctx.fillStyle = css(cols[e]);
        ctx.fillRect(p.xs[e], p.ys[e], p.size, p.size);
      }
    }
  });
  const out = st.output;
  if (out && s.outColors) {
    ctx.globalAlpha = tr ? 1 : u;
    for (let j = 0; j < out.xs.length; j++) {
      const arrived = tr ? u >= s.arrive[j] && (u > 0 || s.arrive[j] <= 0) : u > 0;
      if (!arrived) continue;
      ctx.fillStyle = css(s.outColors[j]);
      ctx.fillRect(out.xs[j], out.ys[j], out.size, out.size);
    }
  }
  if (tr && u > 0 && u < 1) {
    const converge = tr.n > (out ? out.xs.length : 0);
    const f = frameAt(tr, t, { reduced: s.reduced, converge }, scratch);
    frame = f;
    /** @type {number[]} */
    const ghosts = [];
    let alpha = -1;
    for (let m = 0; m < tr.n; m++) {
      const span = tr.end[m] - tr.start[m];
      const local = span > 0 ? (u - tr.start[m]) / span : 1;
      if (local <= 0 || local >= 1) continue;
      if (f.alpha[m] !== alpha) {
        alpha = f.alpha[m];
        ctx.globalAlpha = alpha;
      }
      ctx.fillStyle = css(f.color[m]);
      const size = f.size[m];
      const shift = tr.s0[m] === tr.s1[m] ? (tr.s1[m] - size) / 2 : 0;
      ctx.fillRect(f.x[m] + shift, f.y[m] + shift, size, size);
      if (tr.ghost[m]) ghosts.push(m);
    }
    if (ghosts.length) {
      // a broadcast element's copies: dashed outlines (stride 0, the same element)
      ctx.globalAlpha = 0.9;
      ctx.strokeStyle = "rgba(255,255,255,0.9)";
      ctx.lineWidth = 1;
      ctx.setLineDash([2, 2]);
      for (const m of ghosts) {
        const size = f.size[m];
        const shift = tr.s0[m] === tr.s1[m] ? (tr.s1[m] - size) / 2 : 0;
        ctx.strokeRect(f.x[m] + shift + 0.5, f.y[m] + shift + 0.5, size - 1, size - 1);
      }
      ctx.setLineDash([]);
    }
  }
  // the winner of a max/argmax keeps a ring once it has landed
  if (tr && out && u >= 1 && s.winners) {
    ctx.globalAlpha = 1;
    ctx.strokeStyle = s.ink || "#222";
    ctx.lineWidth = 2;
    for (let m = 0; m < tr.n; m++) {
      if (!tr.winner[m]) continue;
      const p = st.inputs[tr.operand[m]];
      ctx.strokeRect(p.xs[tr.src[m]] - 1, p.ys[tr.src[m]] - 1, p.size + 2, p.size + 2);
    }
  }
  if (s.failed && u >= 1) paintShortfall(ctx, s);
  ctx.globalAlpha = 1;
  return frame;
}

/**
 * The count that fails, at the end of a failed reshape: the places left empty and the elements left over, outlined in
 * the error color.
 * @param {CanvasRenderingContext2D} ctx
 * @param {FrameState} s
 */
export function paintShortfall(ctx, s) {
  const st = s.stage;
  ctx.globalAlpha = 1;
  ctx.strokeStyle = s.errorColor || "#d32f2f";
  ctx.lineWidth = 2;
  ctx.setLineDash([3, 2]);
  const out = st.output;
  if (out && out.t.places) {
    for (let j = 0; j < out.xs.length; j++) {
      if (s.arrive[j] === Infinity) ctx.strokeRect(out.xs[j] + 1, out.ys[j] + 1, out.size - 2, out.size - 2);
    }
    st.inputs.forEach((p, i) => {
      const leave = s.leave ? s.leave[i] : null;
      if (!leave || i > 0) return;
      for (let e = 0; e < p.xs.length; e++) if (leave[e] === Infinity) ctx.strokeRect(p.xs[e] - 1, p.ys[e] - 1, p.size + 2, p.size + 2);
    });
  }
  ctx.setLineDash([]);
}

/**
 * When each input cell is left (first track out) and each output cell filled (last track in), in motion time.
 * @param {Stage} st
 * @returns {{leave: Float64Array[], arrive: Float64Array}}
 */
export function occupancy(st) {
  const tr = st.tracks;
  const leave = st.inputs.map((p) => new Float64Array(p.xs.length).fill(Infinity));
  const arrive = new Float64Array(st.output ? st.output.xs.length : 0).fill(tr ? -1 : 1);
  if (!tr) return { leave, arrive };
  const fed = new Uint8Array(arrive.length);
  for (let m = 0; m < tr.n; m++) {
    const L = leave[tr.operand[m]];
    if (tr.start[m] < L[tr.src[m]]) L[tr.src[m]] = tr.start[m];
    if (tr.end[m] > arrive[tr.dst[m]]) arrive[tr.dst[m]] = tr.end[m];
    fed[tr.dst[m]] = 1;
  }
  // an output cell nothing travels to (e.g. a reduction over an empty axis) is simply there at the end; a place a
  // failed reshape cannot fill stays empty
  const places = !!(st.output && st.output.t.places);
  for (let j = 0; j < fed.length; j++) if (!fed[j]) arrive[j] = places ? Infinity : 1;
  return { leave, arrive };
}

/**
 * Step times of the frames of a clip of `seconds` at `fps`: the first at 0, the last at 1 (both ends shown).
 * @param {number} seconds
 * @param {number} fps
 * @returns {number[]}
 */
export function frameTimes(seconds, fps) {
  const n = Math.max(2, Math.round(seconds * fps) + 1);
  return Array.from({ length: n }, (_, k) => k / (n - 1));
}

/**
 * Where the axis labels that travel with their axes are at motion progress u (a permute's axes rotate to their new
 * places): [{run, x, y}] in CSS px, eased like the player's moving copies. Empty when nothing travels.
 * @param {Stage} st
 * @param {boolean} travelAxes
 * @param {number} u
 * @returns {{run: import("../player/stage.js").Run, x: number, y: number}[]}
 */
export function travelLabels(st, travelAxes, u) {
  const out = st.output;
  const input = st.inputs[0];
  if (!out || !input || !travelAxes || !(u > 0 && u < 1)) return [];
  const p = u < 0.5 ? 4 * u * u * u : 1 - Math.pow(-2 * u + 2, 3) / 2;
  const moving = [];
  for (const r of out.runs) {
    const o = out.t.origin[r.axis];
    if (o === null || o === undefined) continue;
    const from = input.runs.find((q) => q.axis === o);
    if (!from) continue;
    const a = from.at; // from where the input's label sits to where the output's will
    const b = r.at;
    moving.push({ run: r, x: a[0] + (b[0] - a[0]) * p, y: a[1] + (b[1] - a[1]) * p });
  }
  return moving;
}

/**
 * A Canvas 2D stand-in that records what is painted as picture items (svg.js): the rects of a frame become <rect>s of
 * an SVG file, and a test can compare frames. Supports what paintStepFrame uses (a scale transform, fills and
 * strokes of rects, alpha, dashes).
 */
export class RecordingContext {
  constructor() {
    /** @type {import("./svg.js").RectItem[]} */
    this.items = [];
    this.fillStyle = "#000";
    this.strokeStyle = "#000";
    this.globalAlpha = 1;
    this.lineWidth = 1;
    /** @type {number[]} */
    this.dash = [];
    this.k = 1;
  }

  /** @param {number} a @param {number} _b @param {number} _c @param {number} _d @param {number} _e @param {number} _f */
  setTransform(a, _b, _c, _d, _e, _f) {
    this.k = a || 1;
  }

  /** @param {number[]} d */
  setLineDash(d) {
    this.dash = d.slice();
  }

  /** @param {number} x @param {number} y @param {number} w @param {number} h */
  fillRect(x, y, w, h) {
    this.items.push({ kind: "rect", x, y, w, h, fill: String(this.fillStyle), opacity: this.globalAlpha });
  }

  /** @param {number} x @param {number} y @param {number} w @param {number} h */
  strokeRect(x, y, w, h) {
    this.items.push({
      kind: "rect", x, y, w, h, fill: null, stroke: String(this.strokeStyle), strokeWidth: this.lineWidth,
      dash: this.dash.length ? this.dash.slice() : null, opacity: this.globalAlpha,
    });
  }
}
