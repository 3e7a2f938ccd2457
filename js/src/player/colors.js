// Element colors of a step: by value (the TensorView colormap over the step's values) or by source position (each
// operand its own hue, lighter towards its last element), so an element can be followed by eye. Pure: no DOM.
import { makeColormap } from "../colormap.js";
import { numberAt } from "../decode.js";

/**
 * @typedef {import("../decode.js").Decoded} Decoded
 * @typedef {import("../colormap.js").Colormap} Colormap
 */

/** Hues of the operands in source mode (degrees): blue, orange, green, violet, then around. */
const OPERAND_HUES = [212, 28, 140, 276, 350, 180];

/**
 * Pack an RGB triple for a Uint32 view of ImageData (little-endian RGBA).
 * @param {number} r @param {number} g @param {number} b
 */
export function pack(r, g, b) {
  return ((255 << 24) | (Math.round(b) << 16) | (Math.round(g) << 8) | Math.round(r)) >>> 0;
}

/** @param {number} c packed */
export function unpackCss(c) {
  return `rgb(${c & 255}, ${(c >>> 8) & 255}, ${(c >>> 16) & 255})`;
}

/**
 * HSL (degrees, 0..1, 0..1) to packed RGB.
 * @param {number} hue @param {number} s @param {number} l
 */
export function hsl(hue, s, l) {
  const k = (/** @type {number} */ n) => (n + hue / 30) % 12;
  const a = s * Math.min(l, 1 - l);
  const f = (/** @type {number} */ n) => l - a * Math.max(-1, Math.min(k(n) - 3, Math.min(9 - k(n), 1)));
  return pack(f(0) * 255, f(8) * 255, f(4) * 255);
}

/**
 * Color of element `e` of `count` in operand `operand` when coloring by source position.
 * @param {number} operand
 * @param {number} e
 * @param {number} count
 */
export function sourceColor(operand, e, count) {
  const hue = OPERAND_HUES[operand % OPERAND_HUES.length];
  const u = count > 1 ? e / (count - 1) : 0.5;
  return hsl(hue, 0.62, 0.3 + 0.45 * u);
}

/**
 * One colormap for every tensor of a step (so that a value keeps its color as it travels): over the finite values
 * of all of them, diverging when they have both signs.
 * @param {(Decoded | null)[]} values
 * @param {string} valueKind
 * @returns {Colormap}
 */
export function stepColormap(values, valueKind) {
  let lo = Infinity;
  let hi = -Infinity;
  for (const v of values) {
    if (!v) continue;
    for (let i = 0; i < v.count; i++) {
      const x = numberAt(v, i);
      if (Number.isFinite(x)) {
        if (x < lo) lo = x;
        if (x > hi) hi = x;
      }
    }
  }
  if (lo > hi) lo = hi = 0;
  return makeColormap({ valueKind, min: lo, max: hi });
}

/**
 * Packed colors of every cell of one tensor.
 * @param {Decoded | null} values
 * @param {number} count cells
 * @param {Colormap | null} cmap null: no values known (a neutral grey)
 */
export function valueColors(values, count, cmap) {
  const out = new Uint32Array(count);
  for (let i = 0; i < count; i++) out[i] = values && cmap ? cmap.packed(numberAt(values, i)) : pack(176, 182, 192);
  return out;
}
