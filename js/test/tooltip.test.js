import { test } from "node:test";
import assert from "node:assert/strict";
import { describeCell } from "../src/view/picture.js";
import { placeTooltip, TOOLTIP_OFFSET } from "../src/view/tooltip.js";
import { decodeFace } from "../src/decode.js";

const result = (meta, typed) => ({ meta, values: decodeFace(typed, meta), error: null });

test("an exact cell tells its full index and its value as the kernel sent it", () => {
  const meta = { axes: [1, 2], index: [1, 0, 0], window: [0, 2, 0, 3], extent: [2, 3], shape: [2, 3], step: [1, 1], encoding: "float32", error: null };
  const r = result(meta, new Float32Array([0, 0.1, 0.2, 0.3, 0.4, 0.5]));
  const hit = describeCell(r, 1, 2);
  assert.equal(hit.index, "[1, 1, 2]");
  assert.equal(hit.value, "0.5");
  assert.equal(hit.block, false);
});

test("rows along a higher axis than columns (axes [2, 0]) put each index on its own axis", () => {
  const meta = { axes: [2, 0], index: [0, 3, 0], window: [0, 4, 0, 2], extent: [4, 2], shape: [4, 2], step: [1, 1], encoding: "int64", error: null };
  const r = result(meta, new BigInt64Array([0n, 1n, 2n, 3n, 4n, 5n, 6n, 7n]));
  assert.equal(describeCell(r, 3, 1).index, "[1, 3, 3]");
  assert.equal(describeCell(r, 3, 1).value, "7");
});

test("a block-reduced cell tells its index ranges and that it shows the largest magnitude", () => {
  const meta = { axes: [0, 1], index: [0, 0], window: [0, 40, 0, 40], extent: [40, 40], shape: [3, 3], step: [16, 16], encoding: "float32", error: null };
  const r = result(meta, new Float32Array([1, 2, 3, 4, -5.5, 6, 7, 8, NaN]));
  const hit = describeCell(r, 1, 1);
  assert.equal(hit.index, "[16:32, 16:32]");
  assert.equal(hit.label, "largest |x| in block: -5.5");
  assert.equal(hit.extent, "256 elements");
  assert.equal(describeCell(r, 2, 2).index, "[32:40, 32:40]", "the last block is clipped to the face");
  assert.equal(describeCell(r, 2, 2).value, "nan");
});

test("a windowed 1-d face counts from the window's start", () => {
  const meta = { axes: [0], index: [0], window: [0, 1, 9990, 10000], extent: [1, 10000], shape: [1, 10], step: [1, 1], encoding: "float64", error: null };
  const r = result(meta, new Float64Array(10).map((_, i) => i / 10));
  assert.equal(describeCell(r, 0, 3).index, "[9993]");
  assert.equal(describeCell(r, 0, 3).value, "0.3");
});

test("a clipped last block counts only the elements it covers; an exact cell has no extent", () => {
  const meta = { axes: [0, 1], index: [0, 0], window: [0, 40, 0, 40], extent: [40, 40], shape: [3, 3], step: [16, 16], encoding: "float32", error: null };
  const r = result(meta, new Float32Array(9));
  assert.equal(describeCell(r, 2, 2).extent, "64 elements", "8 × 8");
  assert.equal(describeCell(r, 0, 2).extent, "128 elements", "16 × 8");
  const exact = result({ ...meta, window: [0, 3, 0, 3], extent: [3, 3], step: [1, 1] }, new Float32Array(9));
  assert.equal(describeCell(exact, 1, 1).extent, "");
});

test("a block of a long vector tells its range and how many values it covers", () => {
  const meta = { axes: [0], index: [0], window: [0, 1, 0, 10000], extent: [1, 10000], shape: [1, 625], step: [1, 16], encoding: "float32", error: null };
  const r = result(meta, new Float32Array(625).fill(-1.25));
  const hit = describeCell(r, 0, 2);
  assert.equal(hit.index, "[32:48]");
  assert.equal(hit.extent, "16 elements");
  assert.equal(hit.label, "largest |x| in block: -1.25");
});

test("the tooltip sits below right of the pointer, off the hovered cell", () => {
  assert.deepEqual(placeTooltip(100, 50, 120, 40, 800, 600), [100 + TOOLTIP_OFFSET, 50 + TOOLTIP_OFFSET]);
});

test("the tooltip flips left and up near the right and bottom edges, and stays inside when neither side fits", () => {
  assert.deepEqual(placeTooltip(750, 580, 120, 40, 800, 600), [750 - TOOLTIP_OFFSET - 120, 580 - TOOLTIP_OFFSET - 40]);
  const [x, y] = placeTooltip(60, 20, 150, 40, 160, 50);
  assert.ok(x >= 0 && x + 150 <= 160, `x ${x}`);
  assert.ok(y >= 0 && y + 40 <= 50, `y ${y}`);
});

test("a cell of a face reduced from a sample says which elements were read", () => {
  const meta = { axes: [0, 1], index: [0, 0], window: [0, 8192, 0, 8192], extent: [8192, 8192], shape: [512, 512], step: [16, 16], sample: [4, 1], encoding: "float32", error: null };
  const r = result(meta, new Float32Array(512 * 512).fill(-2.5));
  const hit = describeCell(r, 1, 2);
  assert.equal(hit.index, "[16:32, 32:48]");
  assert.equal(hit.label, "largest |x| of those read: -2.5");
  assert.equal(hit.extent, "256 elements, every 4th row read");
});
