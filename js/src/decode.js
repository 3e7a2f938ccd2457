// Face buffers → typed arrays. Pure: no DOM.
import { ENCODINGS } from "./protocol.js";

/** @type {Record<string, any>} */
const CTORS = {
  bool: Uint8Array,
  uint8: Uint8Array,
  int8: Int8Array,
  int16: Int16Array,
  uint16: Uint16Array,
  int32: Int32Array,
  uint32: Uint32Array,
  int64: BigInt64Array,
  uint64: BigUint64Array,
  float32: Float32Array,
  float64: Float64Array,
  complex64: Float32Array,
  complex128: Float64Array,
};

const LITTLE_ENDIAN = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;

/**
 * @typedef {Int8Array|Uint8Array|Int16Array|Uint16Array|Int32Array|Uint32Array|Float32Array|Float64Array|
 *           BigInt64Array|BigUint64Array} NumArray
 * @typedef {{data: NumArray, encoding: string, complex: boolean, rows: number, cols: number, count: number}} Decoded
 */

/**
 * Turn one face buffer (DataView, ArrayBuffer or typed array; byteOffset respected) into a typed array.
 * Copies when the bytes are not aligned for the element type.
 * @param {ArrayBuffer | ArrayBufferView | null | undefined} buffer
 * @param {{encoding: string, shape: number[]}} meta
 * @returns {Decoded}
 */
export function decodeFace(buffer, meta) {
  const enc = ENCODINGS[meta.encoding];
  if (!enc) throw new Error(`unknown encoding ${JSON.stringify(meta.encoding)}`);
  const shape = meta.shape || [];
  const rows = shape.length >= 2 ? shape[0] : 1;
  const cols = shape.length >= 2 ? shape[1] : shape.length === 1 ? shape[0] : 1;
  const count = rows * cols;
  const n = enc.complex ? count * 2 : count;
  const Ctor = CTORS[meta.encoding];
  /** @type {ArrayBuffer} */ let ab;
  let offset = 0;
  let length = 0;
  if (!buffer) {
    ab = new ArrayBuffer(0);
  } else if (buffer instanceof ArrayBuffer) {
    ab = buffer;
    length = buffer.byteLength;
  } else if (ArrayBuffer.isView(buffer)) {
    ab = /** @type {ArrayBuffer} */ (buffer.buffer);
    offset = buffer.byteOffset;
    length = buffer.byteLength;
  } else {
    throw new Error("face buffer is not binary");
  }
  const need = n * enc.bytes;
  if (length < need) {
    throw new Error(`face buffer holds ${length} bytes, expected ${need} (${meta.encoding} ${shape.join("×")})`);
  }
  let data;
  if (offset % enc.bytes === 0) {
    data = new Ctor(ab, offset, n);
  } else {
    const copy = new Uint8Array(need);
    copy.set(new Uint8Array(ab, offset, need));
    data = new Ctor(copy.buffer, 0, n);
  }
  if (!LITTLE_ENDIAN && enc.bytes > 1) data = swapToHost(data, enc.bytes, n, Ctor);
  return { data, encoding: meta.encoding, complex: enc.complex, rows, cols, count };
}

/** Big-endian hosts only (practically never): reread the little-endian bytes. */
function swapToHost(data, bytes, n, Ctor) {
  const src = new Uint8Array(data.buffer, data.byteOffset, n * bytes);
  const dst = new Uint8Array(n * bytes);
  for (let i = 0; i < n; i++) for (let b = 0; b < bytes; b++) dst[i * bytes + b] = src[i * bytes + bytes - 1 - b];
  return new Ctor(dst.buffer, 0, n);
}

/**
 * Value at a flat cell index as a JS number (BigInt → Number for colors; complex → magnitude or phase).
 * @param {Decoded} face
 * @param {number} i
 * @param {"magnitude"|"phase"} [part]
 */
export function numberAt(face, i, part = "magnitude") {
  const d = face.data;
  if (face.complex) {
    const re = /** @type {number} */ (d[2 * i]);
    const im = /** @type {number} */ (d[2 * i + 1]);
    return part === "phase" ? Math.atan2(im, re) : Math.hypot(re, im);
  }
  const v = d[i];
  return typeof v === "bigint" ? Number(v) : v;
}

/**
 * Raw value at a flat index, for exact display: number, bigint, boolean, or [re, im].
 * @param {Decoded} face
 * @param {number} i
 * @returns {number | bigint | boolean | [number, number]}
 */
export function rawAt(face, i) {
  const d = face.data;
  if (face.complex) return [/** @type {number} */ (d[2 * i]), /** @type {number} */ (d[2 * i + 1])];
  if (face.encoding === "bool") return d[i] !== 0;
  return d[i];
}
