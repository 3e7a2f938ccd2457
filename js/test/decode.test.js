import { test } from "node:test";
import assert from "node:assert/strict";
import { decodeFace, numberAt, rawAt } from "../src/decode.js";
import { decodeStep } from "../src/player/data.js";

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

// -- every buffer form a host hands over --------------------------------------------------------------------
// JupyterLab and Notebook 7 hand widget buffers over as DataView, VS Code as DataView or ArrayBuffer, Colab as
// Uint8Array, often a view into a larger buffer that starts at a byteOffset not aligned for the element type.

/** The bytes of `typed` in each form a frontend may deliver; `offset` places them inside a larger buffer. */
function hostForms(typed, offset) {
  const bytes = new Uint8Array(typed.buffer, typed.byteOffset, typed.byteLength);
  const inside = (n) => {
    const ab = new ArrayBuffer(n + bytes.length + 7);
    new Uint8Array(ab).fill(0xa5); // junk around the face: reading outside the view shows up as wrong values
    new Uint8Array(ab, n, bytes.length).set(bytes);
    return ab;
  };
  return {
    "DataView at 0": new DataView(inside(0), 0, bytes.length),
    [`DataView at ${offset}`]: new DataView(inside(offset), offset, bytes.length),
    "ArrayBuffer": bytes.slice().buffer,
    "Uint8Array at 0": new Uint8Array(inside(0), 0, bytes.length),
    [`Uint8Array at ${offset}`]: new Uint8Array(inside(offset), offset, bytes.length),
    [`Uint8Array at ${offset * 8}`]: new Uint8Array(inside(offset * 8), offset * 8, bytes.length), // aligned, not at 0
  };
}

test("TensorView faces decode from every host's buffer form, unaligned Uint8Array views included", () => {
  const cases = [
    ["float32", new Float32Array([1.5, -2, NaN, Infinity, -0.25, 6]), [2, 3]],
    ["float64", new Float64Array([1e300, -5e-324, 0.1, -Infinity]), [2, 2]],
    ["int32", new Int32Array([-70000, 9, 2 ** 31 - 1, -(2 ** 31)]), [1, 4]],
    ["int16", new Int16Array([-300, 7, 32767]), [3]],
    ["int64", new BigInt64Array([-(2n ** 62n), 5n, -1n]), [1, 3]],
    ["uint8", new Uint8Array([0, 250, 3]), [3, 1]],
    ["complex64", new Float32Array([3, 4, 0, -1]), [1, 2]],
    ["complex128", new Float64Array([1, -1, 2.5, 0]), [2, 1]],
  ];
  for (const [encoding, src, shape] of cases) {
    const want = Array.from(src);
    for (const offset of [1, 3, 5]) {
      for (const [form, buf] of Object.entries(hostForms(src, offset))) {
        const face = decodeFace(buf, { encoding, shape });
        const what = `${encoding} from a ${form}`;
        assert.ok(face.data instanceof src.constructor, what);
        assert.deepEqual(Array.from(face.data), want, what);
        assert.equal(face.count, shape.reduce((p, n) => p * n, 1), what);
      }
    }
  }
});

test("a face decoded from an unaligned Uint8Array reads only its own bytes and leaves them as they were", () => {
  const src = new Float32Array([7, 8, 9]);
  const forms = hostForms(src, 3);
  const u8 = forms["Uint8Array at 3"];
  const before = Array.from(new Uint8Array(u8.buffer));
  const face = decodeFace(u8, { encoding: "float32", shape: [1, 3] });
  assert.deepEqual(Array.from(face.data), [7, 8, 9]);
  assert.equal(numberAt(face, 2), 9);
  assert.deepEqual(Array.from(new Uint8Array(u8.buffer)), before);
  // too few bytes in the view is an error even when the buffer beyond it is big enough
  assert.throws(() => decodeFace(new Uint8Array(u8.buffer, 3, 11), { encoding: "float32", shape: [1, 3] }), /holds 11 bytes, expected 12/);
});

test("the player's values and int32 provenance decode from every host's buffer form", () => {
  const vals = new Float32Array([1, 2, 3, 4, 5, 6]);
  const src = new Int32Array([5, 4, 3, 2, 1, 0]);
  const win = new Int32Array([0, -1, 2, 2147483647, -2147483648, 1]);
  const msg = {
    kind: "step", step: 1, mode: "exact", value_kind: "float",
    tensors: [
      { role: "input", i: 0, shape: [2, 3], grid: [2, 3], encoding: "float32", buffer: 0 },
      { role: "output", i: 0, shape: [6], grid: [6], encoding: "float32", buffer: 0 },
    ],
    sources: [{ k: 1, buffer: 1 }], winners: [{ buffer: 2 }], broadcast: [false],
  };
  for (const offset of [1, 2, 3, 6]) {
    const forms = [hostForms(vals, offset), hostForms(src, offset), hostForms(win, offset)];
    for (const form of Object.keys(forms[0])) {
      const d = decodeStep(msg, forms.map((f) => f[form]));
      const what = `buffers as a ${form}`;
      assert.deepEqual(Array.from(d.tensors[0].values.data), [1, 2, 3, 4, 5, 6], what);
      assert.ok(d.sources[0] instanceof Int32Array, what);
      assert.deepEqual(Array.from(d.sources[0]), [5, 4, 3, 2, 1, 0], what);
      assert.deepEqual(Array.from(d.winners[0]), Array.from(win), what);
    }
  }
});
