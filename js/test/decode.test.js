import { test } from "node:test";
import assert from "node:assert/strict";
import { decodeFace, numberAt, rawAt } from "../src/decode.js";

/** Bytes of a typed array placed at `offset` inside a bigger buffer, as a DataView (like anywidget). */
function framed(typed, offset) {
  const bytes = new Uint8Array(typed.buffer, typed.byteOffset, typed.byteLength);
  const ab = new ArrayBuffer(offset + bytes.length + 5);
  new Uint8Array(ab, offset, bytes.length).set(bytes);
  return new DataView(ab, offset, bytes.length);
}

test("float32 faces decode from a DataView that starts at an unaligned offset", () => {
  const src = new Float32Array([1.5, -2, NaN, Infinity, 0.1, 6]);
  const face = decodeFace(framed(src, 3), { encoding: "float32", shape: [2, 3] });
  assert.ok(face.data instanceof Float32Array);
  assert.equal(face.rows, 2);
  assert.equal(face.cols, 3);
  assert.deepEqual(Array.from(face.data), Array.from(src));
});

test("aligned buffers are viewed without copying, and byteOffset is respected", () => {
  const src = new Float64Array([1, 2, 3, 4]);
  const dv = framed(src, 8);
  const face = decodeFace(dv, { encoding: "float64", shape: [1, 4] });
  assert.equal(face.data.buffer, dv.buffer);
  assert.deepEqual(Array.from(face.data), [1, 2, 3, 4]);
});

test("every encoding decodes to its typed array", () => {
  const cases = [
    ["int8", Int8Array, [-1, 2]], ["uint8", Uint8Array, [250, 3]], ["int16", Int16Array, [-300, 7]],
    ["uint16", Uint16Array, [60000, 1]], ["int32", Int32Array, [-70000, 9]], ["uint32", Uint32Array, [4e9, 2]],
    ["int64", BigInt64Array, [-(2n ** 62n), 5n]], ["uint64", BigUint64Array, [2n ** 64n - 1n, 0n]],
  ];
  for (const [enc, Ctor, vals] of cases) {
    const face = decodeFace(framed(new Ctor(vals), 1), { encoding: enc, shape: [1, 2] });
    assert.ok(face.data instanceof Ctor, enc);
    assert.deepEqual(Array.from(face.data), vals, enc);
  }
});

test("bool faces are one byte per value and read as True/False", () => {
  const face = decodeFace(new Uint8Array([1, 0, 1]), { encoding: "bool", shape: [1, 3] });
  assert.equal(rawAt(face, 0), true);
  assert.equal(rawAt(face, 1), false);
  assert.equal(numberAt(face, 2), 1);
});

test("complex faces are interleaved re, im; magnitude and phase come from them", () => {
  const face = decodeFace(framed(new Float32Array([3, 4, 0, -1]), 2), { encoding: "complex64", shape: [1, 2] });
  assert.equal(face.count, 2);
  assert.deepEqual(rawAt(face, 0), [3, 4]);
  assert.equal(numberAt(face, 0, "magnitude"), 5);
  assert.equal(numberAt(face, 1, "phase"), -Math.PI / 2);
});

test("scalar and 1-d shapes decode as one row", () => {
  assert.equal(decodeFace(new Float32Array([7]), { encoding: "float32", shape: [] }).count, 1);
  const v = decodeFace(new Float32Array([1, 2, 3]), { encoding: "float32", shape: [3] });
  assert.equal(v.rows, 1);
  assert.equal(v.cols, 3);
});

test("a short buffer or unknown encoding is a clear error", () => {
  assert.throws(() => decodeFace(new Float32Array([1]), { encoding: "float32", shape: [2, 2] }), /expected 16/);
  assert.throws(() => decodeFace(new Uint8Array(4), { encoding: "float16", shape: [1, 2] }), /unknown encoding/);
});
