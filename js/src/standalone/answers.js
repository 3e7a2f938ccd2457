// What an exported file answers in place of the kernel, per widget kind, from the data the file holds. Pure: no DOM.
import { answerFaces, nextNonfinite, typedValues } from "./slicer.js";

/**
 * @typedef {import("./slicer.js").Held} Held
 * @typedef {import("./model.js").Reply} Reply
 * @typedef {{kind: string, state: Record<string, any>, answer: (content: any) => Reply | null, summary: string}} Prepared
 */

/** Marker of bytes inside a trait's value (the kernel would send them as a binary buffer). */
export const BYTES = "$tensorviz_bytes";

/** @param {string} text base64 @returns {Uint8Array} */
export function fromBase64(text) {
  const bin = atob(text);
  const out = new Uint8Array(bin.length);
  for (let i = 0; i < bin.length; i++) out[i] = bin.charCodeAt(i);
  return out;
}

/**
 * A trait's value with its bytes markers turned into DataViews (as a kernel's binary buffers arrive).
 * @param {any} value
 * @returns {any}
 */
export function revive(value) {
  if (Array.isArray(value)) return value.map(revive);
  if (value && typeof value === "object") {
    if (typeof value[BYTES] === "string" && Object.keys(value).length === 1) {
      const b = fromBase64(value[BYTES]);
      return new DataView(b.buffer, b.byteOffset, b.byteLength);
    }
    /** @type {Record<string, any>} */
    const out = {};
    for (const [k, v] of Object.entries(value)) out[k] = revive(v);
    return out;
  }
  return value;
}

const NEEDS_KERNEL = "this needs the kernel: the file is an export, a picture of the widget when it was saved";

/** @param {any} content @param {string} message @returns {Reply} */
function refuse(content, message) {
  return { msg: { kind: "error", id: content && typeof content === "object" ? content.id ?? null : null, message } };
}

/**
 * The held copy of a tensor from the file's description of it.
 * @param {any} d
 * @returns {Held}
 */
export function heldFrom(d) {
  return {
    shape: d.shape.map(Number), encoding: String(d.encoding), held: d.held.map(Number), axes: d.axes,
    values: typeof d.values === "string" ? typedValues(d.encoding, fromBase64(d.values)) : null,
    refusal: d.refusal || null, sampleReads: d.sample_reads !== false, names: d.names || undefined,
  };
}

/**
 * @param {any} payload {kind: "tensor-view", state, held, nonfinite, summary}
 * @returns {Prepared}
 */
export function prepareTensorView(payload) {
  const held = heldFrom(payload.held);
  const list = payload.nonfinite || { indices: [], kinds: [], total: 0 };
  return {
    kind: "tensor-view",
    state: revive(payload.state),
    summary: String(payload.summary || ""),
    answer(content) {
      const kind = content && content.kind;
      if (kind === "faces") return answerFaces(held, content);
      if (kind === "nonfinite") return { msg: nextNonfinite(list, held.shape, content.after ?? null, content.id) };
      if (kind === "scan") return refuse(content, `counting NaN/inf over the whole tensor: ${NEEDS_KERNEL}`);
      return refuse(content, `unknown message kind ${JSON.stringify(kind)}`);
    },
  };
}

/**
 * @param {any} payload {kind: "op-player", state, steps: ({meta, buffers: string[]} | null)[], left_out, summary}
 * @returns {Prepared}
 */
export function prepareOpPlayer(payload) {
  const steps = Array.isArray(payload.steps) ? payload.steps : [];
  /** @type {Map<number, Uint8Array[]>} */
  const decoded = new Map();
  return {
    kind: "op-player",
    state: revive(payload.state),
    summary: String(payload.summary || ""),
    answer(content) {
      const i = content && content.step;
      if (!content || content.kind !== "step" || !Number.isInteger(i)) return refuse(content, "unknown message");
      const s = steps[i];
      if (!s) {
        const why = payload.left_out || "step {step} is not in this exported file";
        return refuse(content, String(why).replace("{step}", String(i)));
      }
      if (typeof s.error === "string") return refuse(content, s.error);
      if (!decoded.has(i)) decoded.set(i, (s.buffers || []).map((/** @type {string} */ b) => fromBase64(b)));
      return { msg: { ...s.meta, id: content.id }, buffers: decoded.get(i) };
    },
  };
}

/**
 * @param {any} payload {kind: "memory-monitor", state, summary}
 * @returns {Prepared}
 */
export function prepareMemoryMonitor(payload) {
  return {
    kind: "memory-monitor",
    state: revive(payload.state),
    summary: String(payload.summary || ""),
    answer: (content) => refuse(content, NEEDS_KERNEL),
  };
}

/** @param {any} payload @returns {Prepared} */
export function prepare(payload) {
  if (payload.kind === "tensor-view") return prepareTensorView(payload);
  if (payload.kind === "op-player") return prepareOpPlayer(payload);
  if (payload.kind === "memory-monitor") return prepareMemoryMonitor(payload);
  throw new Error(`unknown widget kind ${JSON.stringify(payload.kind)}`);
}
