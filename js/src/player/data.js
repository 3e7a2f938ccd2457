// A step's data as the kernel sends it: JSON plus binary buffers (values of each tensor, provenance of each input).
import { decodeFace } from "../decode.js";
import { PLAYER_KIND, PLAYER_TRAIT } from "../protocol.js";

export { PLAYER_KIND, PLAYER_TRAIT };

/**
 * @typedef {{shape: number[], dims?: string[], dtype?: string, device?: string, strides?: number[] | null,
 *            is_contiguous?: boolean, storage?: number | null}} MetaSummary
 * @typedef {{index: number, op: string, kind: string, func?: string, inputs: MetaSummary[], output: MetaSummary | null,
 *            is_view: boolean | null, why: string, source: {file: string, line: number, code: string, where?: string} | null,
 *            module: string | null, notes: string[], error: {type: string, message: string} | null}} StepSummary
 * @typedef {import("./stage.js").StepTensor} StepTensor
 * @typedef {{step: number, mode: string, tensors: StepTensor[], sources: (Int32Array | null)[], k: number[],
 *            winners: (Int32Array | null)[], broadcast: boolean[], stagger: number, notes: string[],
 *            valueKind: string, travelAxes: boolean, delay: number, phase: string, stretch: number, stretchText: string,
 *            colorOutByWinner: boolean,
 *            error: StepErrorData | null}} StepData
 * @typedef {{type: string, message: string, explanation: string | null, axes: number[][], fix: string | null,
 *            picture: any}} StepErrorData
 *   `phase`: what happens before the elements move (shown during `delay`); `stretch`: share of the motion in which
 *   broadcast operands spread over the output first, `stretchText` said beside them meanwhile
 */

/**
 * Turn a buffer (DataView, ArrayBuffer or typed array, any byteOffset) into an Int32Array.
 * @param {any} buf
 * @param {number} count
 */
export function int32s(buf, count) {
  const face = decodeFace(buf, { encoding: "int32", shape: [1, count] });
  return /** @type {Int32Array} */ (face.data);
}

/**
 * Decode the kernel's reply for one step.
 * @param {any} msg
 * @param {any[]} buffers
 * @returns {StepData}
 */
export function decodeStep(msg, buffers) {
  const count = (/** @type {number[]} */ g) => g.reduce((p, n) => p * n, 1);
  /** @type {StepTensor[]} */
  const tensors = (msg.tensors || []).map((/** @type {any} */ t) => {
    const grid = (t.grid || t.shape || []).map(Number);
    const n = count(grid);
    const values = t.buffer !== null && t.buffer !== undefined ? decodeFace(buffers[t.buffer], { encoding: t.encoding, shape: [1, n] }) : null;
    return {
      role: t.role === "output" ? "output" : "input",
      i: Number(t.i || 0),
      shape: (t.shape || []).map(Number),
      grid,
      steps: (t.steps || grid.map(() => 1)).map(Number),
      dims: Array.isArray(t.dims) ? t.dims.map(String) : grid.map(() => ""),
      origin: Array.isArray(t.origin) ? t.origin.map((/** @type {any} */ o) => (o === null ? null : Number(o))) : grid.map(() => null),
      values,
      encoding: String(t.encoding || "float32"),
      note: t.note || undefined,
      places: !!t.places,
    };
  });
  const out = tensors.find((t) => t.role === "output");
  const outCount = out ? count(out.grid) : 0;
  const srcs = Array.isArray(msg.sources) ? msg.sources : [];
  const sources = srcs.map((/** @type {any} */ s) => (s && s.buffer !== null && s.buffer !== undefined ? int32s(buffers[s.buffer], outCount * Number(s.k || 1)) : null));
  const k = srcs.map((/** @type {any} */ s) => Number((s && s.k) || 1));
  const wins = Array.isArray(msg.winners) ? msg.winners : [];
  const winners = srcs.map((/** @type {any} */ _s, /** @type {number} */ i) => {
    const w = wins[i];
    return w && w.buffer !== null && w.buffer !== undefined ? int32s(buffers[w.buffer], outCount) : null;
  });
  return {
    step: Number(msg.step),
    mode: String(msg.mode || "exact"),
    tensors,
    sources,
    k,
    winners,
    broadcast: Array.isArray(msg.broadcast) ? msg.broadcast.map(Boolean) : srcs.map(() => false),
    stagger: Number(msg.stagger || 0),
    notes: Array.isArray(msg.notes) ? msg.notes.map(String) : [],
    valueKind: String(msg.value_kind || "float"),
    travelAxes: !!msg.travel_axes,
    delay: Number(msg.delay || 0),
    phase: String(msg.phase || ""),
    stretch: Number(msg.stretch || 0),
    stretchText: String(msg.stretch_text || ""),
    colorOutByWinner: !!msg.index_result,
    error: msg.error && typeof msg.error === "object" ? {
      type: String(msg.error.type || "Error"),
      message: String(msg.error.message || ""),
      explanation: msg.error.explanation ? String(msg.error.explanation) : null,
      axes: Array.isArray(msg.error.axes) ? msg.error.axes.map((/** @type {any} */ a) => [Number(a[0]), Number(a[1])]) : [],
      fix: msg.error.fix ? String(msg.error.fix) : null,
      picture: msg.error.picture || null,
    } : null,
  };
}
