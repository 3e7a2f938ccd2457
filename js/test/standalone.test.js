import { test } from "node:test";
import assert from "node:assert/strict";
import { cutFace, faceExtent, nextNonfinite, plan, sampling, READ_LIMIT } from "../src/standalone/slicer.js";
import { StandInModel } from "../src/standalone/model.js";
import { BYTES, prepare, revive } from "../src/standalone/answers.js";

const ALL = { mode: "all", k: 1, origin: 0, read: 1 };

/** A held copy with every value: `values` row-major over `shape`. */
function exact(shape, values, encoding = "float32") {
  const Ctor = { float32: Float32Array, float64: Float64Array, int32: Int32Array, int8: Int8Array, uint8: Uint8Array,
    bool: Uint8Array, int64: BigInt64Array, uint64: BigUint64Array, complex64: Float32Array }[encoding];
  return { shape, encoding, held: shape.slice(), axes: shape.map(() => ALL), values: new Ctor(values), refusal: null, sampleReads: true };
}
const face = (axes, index, window = null) => ({ axes, index, window });
const arr = (d) => Array.from(d);

test("plan and sampling agree with the kernel's (slicing.plan / slicing.sampling doctests)", () => {
  assert.deepEqual([plan(100, 256), plan(8192, 512), plan(1000, 256)], [[1, 100], [16, 512], [4, 250]]);
  assert.deepEqual(sampling(2048, 2048, 8, 8), [1, 1]);
  assert.deepEqual(sampling(32768, 32768, 64, 64), [64, 1]);
  assert.deepEqual(sampling(1, 1e9, 1, 1e6), [1, 60]);
  assert.equal(READ_LIMIT, 1 << 24);
  assert.deepEqual([faceExtent([], []), faceExtent([0], [7]), faceExtent([2, 0], [3, 4, 5])], [[1, 1], [1, 7], [5, 3]]);
});

test("a face within budget is the slice itself, rows along axes[0] (transposed when axes[0] > axes[1])", () => {
  const h = exact([2, 2, 3], [0, 1, 2, 3, 4, 5, 10, 11, 12, 13, 14, 15]);
  const a = cutFace(h, face([1, 2], [1, 0, 0]), [8, 8]);
  assert.deepEqual(arr(a.data), [10, 11, 12, 13, 14, 15]);
  assert.deepEqual(a.meta.shape, [2, 3]);
  assert.deepEqual(a.meta.step, [1, 1]);
  assert.deepEqual(a.meta.window, [0, 2, 0, 3]);
  const t = cutFace(h, face([2, 0], [0, 1, 0]), [8, 8]);
  assert.deepEqual(arr(t.data), [3, 13, 4, 14, 5, 15]);
  assert.equal(t.meta.note, undefined);
});

test("block reduction keeps the element of largest magnitude, sign kept, the larger on a tie, NaN before all", () => {
  const h = exact([2, 4], [1, -5, 3, 3, 2, 4, -3, NaN]);
  const r = cutFace(h, face([0, 1], [0, 0]), [1, 2]);
  assert.deepEqual(r.meta.step, [2, 2]);
  assert.deepEqual(r.meta.shape, [1, 2]);
  assert.equal(r.data[0], -5);
  assert.ok(Number.isNaN(r.data[1]));
  const tie = cutFace(exact([1, 2], [-2, 2]), face([0, 1], [0, 0]), [1, 1]);
  assert.equal(tie.data[0], 2);
  const inf = cutFace(exact([1, 3], [-Infinity, 7, Infinity]), face([0, 1], [0, 0]), [1, 1]);
  assert.equal(inf.data[0], Infinity);
});

test("integers never negate: int64 extremes, unsigned and bool take the largest", () => {
  const min = -(2n ** 63n);
  const big = cutFace(exact([1, 2], [min, 5n], "int64"), face([0, 1], [0, 0]), [1, 1]);
  assert.equal(big.data[0], min);
  const u = cutFace(exact([1, 3], [3, 250, 7], "uint8"), face([0, 1], [0, 0]), [1, 1]);
  assert.equal(u.data[0], 250);
  const b = cutFace(exact([1, 3], [0, 1, 0], "bool"), face([0, 1], [0, 0]), [1, 1]);
  assert.equal(b.data[0], 1);
  const i8 = cutFace(exact([1, 2], [-128, 127], "int8"), face([0, 1], [0, 0]), [1, 1]);
  assert.equal(i8.data[0], -128);
});

test("complex: the first element of largest |z| (both parts)", () => {
  const h = exact([1, 3], [3, 4, 0, 5, 1, 1], "complex64");
  const r = cutFace(h, face([0, 1], [0, 0]), [1, 1]);
  assert.deepEqual(arr(r.data), [3, 4]);
});

test("windows, vectors and scalars", () => {
  const h = exact([4, 4], Array.from({ length: 16 }, (_, i) => i));
  const w = cutFace(h, face([0, 1], [0, 0], [1, 3, 2, 4]), [8, 8]);
  assert.deepEqual(arr(w.data), [6, 7, 10, 11]);
  assert.deepEqual(w.meta.window, [1, 3, 2, 4]);
  const v = cutFace(exact([5], [1, 2, 3, 4, 5]), face([0], [0], [0, 1, 1, 4]), [1, 8]);
  assert.deepEqual(arr(v.data), [2, 3, 4]);
  const s = cutFace(exact([], [42]), face([], []), [1, 1]);
  assert.deepEqual(arr(s.data), [42]);
  assert.deepEqual(s.meta.extent, [1, 1]);
});

test("a reduced copy: aligned requests reduce its blocks; a finer one gets the blocks and says so", () => {
  // an 8×8 tensor held in 2×2 blocks: a 4×4 copy
  const values = Float32Array.from({ length: 16 }, (_, i) => i);
  const blk = { mode: "block", k: 2, origin: 0, read: 1 };
  const h = { shape: [8, 8], encoding: "float32", held: [4, 4], axes: [blk, blk], values, refusal: null, sampleReads: true };
  const whole = cutFace(h, face([0, 1], [0, 0]), [2, 2]);
  assert.deepEqual(whole.meta.step, [4, 4]);
  assert.deepEqual(arr(whole.data), [5, 7, 13, 15]);
  assert.equal(whole.meta.note, undefined);
  const fine = cutFace(h, face([0, 1], [0, 0], [3, 6, 0, 4]), [64, 64]);
  assert.deepEqual(fine.meta.step, [2, 2]);
  assert.deepEqual(fine.meta.window, [2, 6, 0, 4], "the window grows to whole blocks");
  assert.deepEqual(arr(fine.data), [4, 5, 8, 9]);
  assert.match(fine.meta.note.join(), /holds blocks of 2×2 here/);
});

test("every k-th index: the nearest held slice is shown, and its index; a face along such an axis reads every k-th", () => {
  // [6, 2] held as rows 1, 4 (every 3rd from 1)
  const smp = { mode: "sample", k: 3, origin: 1, read: 1 };
  const h = { shape: [6, 2], encoding: "float32", held: [2, 2], axes: [smp, ALL], values: new Float32Array([10, 11, 40, 41]), refusal: null, sampleReads: true };
  const row = cutFace(h, face([1], [5, 0]), [1, 8]);
  assert.deepEqual(arr(row.data), [40, 41]);
  assert.deepEqual(row.meta.index, [4, 0]);
  assert.match(row.meta.note.join(), /every 3rd index of axis 0: the nearest one held is shown/);
  const held = cutFace(h, face([1], [1, 0]), [1, 8]);
  assert.equal(held.meta.note, undefined, "a held index needs no note");
  const col = cutFace(h, face([0, 1], [0, 0]), [8, 8]);
  assert.deepEqual(col.meta.window, [1, 5, 0, 2]);
  assert.deepEqual(col.meta.sample, [3, 1]);
  assert.deepEqual(arr(col.data), [10, 11, 40, 41]);
});

test("a tensor without values: every face is refused with the reason", () => {
  const h = { shape: [2, 3], encoding: "uint8", held: [2, 3], axes: [ALL, ALL], values: null, refusal: "meta tensors have no values", sampleReads: true };
  const r = cutFace(h, face([0, 1], [0, 0]), [8, 8]);
  assert.equal(r.data, null);
  assert.equal(r.meta.error, "meta tensors have no values");
  assert.deepEqual(r.meta.shape, [0, 0]);
});

test("Go to next answers from the list the file holds, in row-major order, wrapping around", () => {
  const list = { indices: [[0, 3], [2, 1]], kinds: ["nan", "posinf"], total: 2 };
  const first = nextNonfinite(list, [3, 4], null, "a");
  assert.deepEqual([first.index, first.value, first.ordinal, first.total, first.wrapped], [[0, 3], "nan", 1, 2, false]);
  const second = nextNonfinite(list, [3, 4], [0, 3], "b");
  assert.deepEqual([second.index, second.ordinal], [[2, 1], 2]);
  const again = nextNonfinite(list, [3, 4], [2, 1], "c");
  assert.deepEqual([again.index, again.wrapped, again.id], [[0, 3], true, "c"]);
  assert.equal(nextNonfinite({ indices: [], kinds: [], total: 0 }, [3, 4], null, "d").index, null);
});

test("the stand-in model: set fires change at once, send is answered later with DataView buffers", async () => {
  const m = new StandInModel({ index: [0, 0] }, (c) => ({ msg: { kind: "echo", id: c.id }, buffers: [new Float32Array([1, 2])] }));
  const changes = [];
  const fn = () => changes.push(m.get("index"));
  m.on("change:index", fn);
  m.set("index", [1, 0]);
  m.set("index", [1, 0]);
  assert.deepEqual(changes, [[1, 0]], "one event per real change");
  m.off("change:index", fn);
  m.set("index", [2, 0]);
  assert.equal(changes.length, 1);
  const got = [];
  m.on("msg:custom", (msg, buffers) => got.push([msg, buffers]));
  m.send({ kind: "x", id: "q1" });
  assert.equal(got.length, 0, "never answered inside send");
  await new Promise((r) => setTimeout(r, 5));
  assert.equal(got.length, 1);
  assert.equal(got[0][0].id, "q1");
  assert.ok(got[0][1][0] instanceof DataView);
  assert.equal(got[0][1][0].getFloat32(4, true), 2);
  m.save_changes();
});

test("an answer that throws becomes an error reply with the request's id", async () => {
  const m = new StandInModel({}, () => { throw new Error("boom"); });
  const got = [];
  m.on("msg:custom", (msg) => got.push(msg));
  m.send({ id: "z" });
  await new Promise((r) => setTimeout(r, 5));
  assert.deepEqual(got, [{ kind: "error", id: "z", message: "boom" }]);
});

test("prepared answers: faces and next from a tensor view's payload; scan needs the kernel", () => {
  const values = Buffer.from(new Float32Array([1, 2, 3, NaN]).buffer).toString("base64");
  const p = prepare({
    kind: "tensor-view", state: { info: { shape: [2, 2] } }, summary: "s",
    held: { shape: [2, 2], encoding: "float32", held: [2, 2], axes: [ALL, ALL], values, refusal: null },
    nonfinite: { indices: [[1, 1]], kinds: ["nan"], total: 1 },
  });
  const r = p.answer({ kind: "faces", id: "f", budget: [8, 8], faces: [face([0, 1], [0, 0])] });
  assert.equal(r.msg.kind, "faces");
  assert.equal(r.msg.id, "f");
  assert.equal(r.buffers[0].getFloat32(8, true), 3);
  assert.deepEqual(p.answer({ kind: "nonfinite", id: "n", after: null }).msg.index, [1, 1]);
  const scan = p.answer({ kind: "scan", id: "s" });
  assert.equal(scan.msg.kind, "error");
  assert.match(scan.msg.message, /needs the kernel/);
});

test("prepared answers: a player's held steps with their buffers, the steps left out say so", () => {
  const buf = Buffer.from(new Int32Array([7]).buffer).toString("base64");
  const p = prepare({
    kind: "op-player", state: { timeline: [{}, {}], current: 0 },
    steps: [{ meta: { kind: "step", step: 0 }, buffers: [buf] }, null],
    left_out: "step {step} is not in this exported file",
  });
  const ok = p.answer({ kind: "step", id: "a", step: 0 });
  assert.deepEqual([ok.msg.id, ok.msg.step], ["a", 0]);
  assert.equal(new DataView(ok.buffers[0].buffer).getInt32(0, true), 7);
  const out = p.answer({ kind: "step", id: "b", step: 1 });
  assert.equal(out.msg.kind, "error");
  assert.equal(out.msg.message, "step 1 is not in this exported file");
});

test("bytes in a trait come back as DataViews; a memory monitor's actions need the kernel", () => {
  const v = revive({ a: [{ [BYTES]: Buffer.from([1, 2, 3]).toString("base64") }], b: 1 });
  assert.ok(v.a[0] instanceof DataView);
  assert.equal(v.a[0].getUint8(2), 3);
  const p = prepare({ kind: "memory-monitor", state: { devices: [] } });
  assert.match(p.answer({ kind: "action", id: "m", action: "pause" }).msg.message, /needs the kernel/);
});
