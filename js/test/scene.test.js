import { test } from "node:test";
import assert from "node:assert/strict";
import { buildScene } from "../src/view/scene.js";

const base = (shape, extra = {}) => ({
  shape, dims: shape.map(() => ""), faceAxes: shape.length >= 2 ? [shape.length - 2, shape.length - 1] : shape.length ? [0] : [],
  index: shape.map(() => 0), values: true, ...extra,
});

test("exactly one axis label per axis, for every rank", () => {
  for (const shape of [[], [5], [3, 4], [2, 3, 4], [2, 3, 4, 5], [2, 3, 4, 5, 6], [2, 2, 2, 2, 2, 2, 2], Array(10).fill(2), Array(12).fill(2)]) {
    const s = buildScene(base(shape));
    const axes = [...s.labels.map((l) => l.axis), ...(s.legend || []).map((l) => l.axis), ...(s.position || []).map((c) => c.axis)]
      .sort((a, b) => a - b);
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

test("rank 4 and 5: every outer axis lays out the grid, no position chips", () => {
  const r4 = buildScene(base([2, 3, 4, 5]));
  assert.equal(r4.position, undefined);
  assert.equal(r4.slots.length, 2 * 3);
  const r5 = buildScene(base([2, 3, 4, 5, 6]));
  assert.equal(r5.position, undefined);
  assert.equal(r5.slots.length, 2 * 3 * 3);
  assert.deepEqual(r5.labels.filter((l) => l.role === "outer").map((l) => l.axis).sort(), [0, 1]);
});

test("rank >= 6: the innermost two outer axes make the grid, the others are position chips at their index", () => {
  const shape = Array(10).fill(2);
  const index = [1, 0, 1, 0, 0, 1, 0, 0, 0, 0];
  const s = buildScene(base(shape, { index, dims: ["N", "", "", "", "", "", "", "", "", ""] }));
  assert.deepEqual(s.position.map((c) => c.axis), [0, 1, 2, 3, 4]);
  assert.equal(s.position[0].text, "axis 0 · N · 2 = [1]");
  assert.deepEqual(s.position.map((c) => c.at), [1, 0, 1, 0, 0]);
  // outer labels with arrows only for the two grid axes
  assert.deepEqual(s.labels.filter((l) => l.role === "outer").map((l) => l.axis).sort(), [5, 6]);
  // the grid is 2 × 2 cubes, three faces each; every request carries the chip axes' indices
  assert.equal(s.slots.length, 4 * 3);
  for (const sl of s.slots) assert.deepEqual(sl.req.index.slice(0, 5), [1, 0, 1, 0, 0]);
  const fronts = s.slots.filter((sl) => sl.role === "front").map((sl) => sl.req.index.slice(5, 7).join(","));
  assert.deepEqual(fronts.sort(), ["0,0", "0,1", "1,0", "1,1"]);
  // no stray group boxes or ellipses: the picture stays within a notebook's width
  assert.ok(!s.prims.some((p) => p.cls === "tv-group"));
  assert.ok(s.width <= 700, `${s.width}px wide`);
  assert.match(s.description, /^10-d: 2 \(axis 5\) × 2 \(axis 6\) cubes for axis 0 N = 1, axis 1 = 0, axis 2 = 1, axis 3 = 0, axis 4 = 0; each /);
});

test("rank 7 with long axes: at most 48 cubes in the grid and it fits a notebook's width", () => {
  const s = buildScene(base([30, 2, 50, 20, 3, 6, 6], { index: [7, 1, 0, 0, 0, 0, 0] }));
  assert.deepEqual(s.position.map((c) => [c.axis, c.at]), [[0, 7], [1, 1]]);
  assert.ok(s.slots.length <= 48 * 3);
  assert.ok(s.width <= 700, `${s.width}px wide`);
  for (const sl of s.slots) assert.deepEqual(sl.req.index.slice(0, 2), [7, 1]);
});

test("rank ≥ 4 with one small cube: drawn like the 3-d cube, values written in its cells", () => {
  const r4 = buildScene(base([1, 2, 1, 3], { width: 640 }));
  const r3 = buildScene(base([2, 1, 3]));
  const front4 = r4.slots.find((sl) => sl.role === "front");
  const front3 = r3.slots.find((sl) => sl.role === "front");
  assert.equal(front4.cellPx, front3.cellPx);
  assert.ok(front4.text);
  // many cubes: thumbnails without text
  const many = buildScene(base([100, 3, 4, 5], { width: 640 }));
  const f = many.slots.find((sl) => sl.role === "front");
  assert.ok(f.cellPx < front3.cellPx);
  assert.equal(f.text, false);
});
