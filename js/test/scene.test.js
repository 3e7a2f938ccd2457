import { test } from "node:test";
import assert from "node:assert/strict";
import { buildScene } from "../src/view/scene.js";

const base = (shape, extra = {}) => ({
  shape, dims: shape.map(() => ""), faceAxes: shape.length >= 2 ? [shape.length - 2, shape.length - 1] : shape.length ? [0] : [],
  index: shape.map(() => 0), values: true, ...extra,
});

test("exactly one axis label per axis, for every rank", () => {
  for (const shape of [[], [5], [3, 4], [2, 3, 4], [2, 3, 4, 5], [2, 3, 4, 5, 6], [2, 2, 2, 2, 2, 2, 2]]) {
    const s = buildScene(base(shape));
    const axes = [...s.labels.map((l) => l.axis), ...(s.legend || []).map((l) => l.axis)].sort();
    assert.deepEqual(axes, shape.map((_, i) => i), `shape [${shape}]`);
  }
});

test("axis labels carry the user's names as plain text", () => {
  const s = buildScene(base([2, 3, 4], { dims: ["<b>N</b>", "H", "W"] }));
  assert.ok(s.labels.some((l) => l.text === "axis 0 · <b>N</b> · 2"));
});

test("a cube fetches three faces: front at the depth index, top at row 0, side at the last column", () => {
  const s = buildScene(base([5, 3, 4], { index: [2, 0, 0] }));
  const by = Object.fromEntries(s.slots.map((sl) => [sl.role, sl.req]));
  assert.deepEqual(by.front.axes, [1, 2]);
  assert.equal(by.front.index[0], 2);
  assert.deepEqual(by.top.axes, [0, 2]);
  assert.equal(by.top.index[1], 0);
  assert.deepEqual(by.side.axes, [0, 1]);
  assert.equal(by.side.index[2], 3);
});

test("rank >= 4 fetches faces only for the cubes drawn, at most 48 of them", () => {
  const s = buildScene(base([1000, 7, 3, 8, 8]));
  assert.ok(s.slots.length <= 48 * 3);
  assert.equal(s.slots.length % 3, 0);
  assert.ok(s.slots.length <= 512, "one request holds all faces");
});

test("a long vector asks for its first and last cells exactly plus an overview", () => {
  const s = buildScene(base([10000]));
  const windows = s.slots.map((sl) => sl.req.window);
  assert.deepEqual(windows, [[0, 1, 0, 10], [0, 1, 9990, 10000], null]);
});

test("without values (meta, empty) the structure is drawn hatched and nothing is fetched", () => {
  const s = buildScene(base([2, 3, 4], { values: false }));
  assert.equal(s.slots.length, 0);
  assert.equal(s.hatch.length, 3);
  assert.equal(s.labels.length, 3);
});

test("the budget asks for about the face's pixel size, never more than the face has", () => {
  assert.deepEqual(buildScene(base([3, 4])).budget, [3, 4]);
  const big = buildScene(base([2048, 2048])).budget;
  assert.ok(big[0] <= 400 && big[1] <= 400 && big[0] >= 128);
});

test("long axis names keep every label inside the picture, with its size", () => {
  for (const dims of [["<img src=x onerror=alert(1)>", "b", "c"], ["batch_of_images_from_loader", "height_in_pixels", "w"]]) {
    for (const shape of [[4, 32, 32], [6, 8, 10], [5, 6, 3]]) {
      const s = buildScene(base(shape.slice(0, dims.length), { dims }));
      for (const L of s.labels) {
        assert.ok(L.text.includes(dims[L.axis]) && L.parts.tail.endsWith(String(shape[L.axis])), L.text);
        const r = (L.angle * Math.PI) / 180;
        const hw = (Math.abs(Math.cos(r)) * L.width) / 2;
        const hh = (Math.abs(Math.sin(r)) * L.width) / 2;
        assert.ok(L.x - hw >= -1 && L.y - hh >= -1, `${L.text} at ${L.x},${L.y} (${L.angle}°, ${L.width}px) in [${shape}]`);
        assert.ok(L.x + hw <= s.width && L.y + hh <= s.height, `${L.text} past the picture's right or bottom`);
      }
    }
  }
});
