import { test } from "node:test";
import assert from "node:assert/strict";
import {
  MIN_SPAN, clampWindow, dragRect, dragToWindow, isWhole, panStep, panWindow, rectToWindow, spanText, wheelFactor,
  wholeWindow, zoomAt, normalizeWindow,
} from "../src/zoom.js";
import { buildScene } from "../src/view/scene.js";
import { describeCell } from "../src/view/picture.js";
import { decodeFace } from "../src/decode.js";

test("a window is clamped into the face, keeps its size when it slides in, and never gets smaller than MIN_SPAN", () => {
  assert.deepEqual(clampWindow([10, 20, 30, 40], 100, 100), [10, 20, 30, 40]);
  assert.deepEqual(clampWindow([-5, 5, 95, 105], 100, 100), [0, 10, 90, 100], "slid back in, same size");
  assert.deepEqual(clampWindow([-50, 500, 0, 100], 100, 100), [0, 100, 0, 100], "at most the whole face");
  const tiny = clampWindow([50, 51, 50, 51], 100, 100);
  assert.equal(tiny[1] - tiny[0], MIN_SPAN);
  assert.ok(tiny[0] <= 50 && tiny[1] > 50, "grown around the cell");
  assert.deepEqual(clampWindow([0, 1, 0, 1], 2, 3), [0, 2, 0, 3], "a face smaller than MIN_SPAN: the whole face");
  assert.deepEqual(clampWindow([20, 10, 40, 30], 100, 100), [10, 20, 30, 40], "reversed ends");
  for (const w of clampWindow([3.4, 17.8, 0.2, 9.9], 100, 100)) assert.ok(Number.isInteger(w));
});

test("whole windows", () => {
  assert.deepEqual(wholeWindow(2048, 512), [0, 2048, 0, 512]);
  assert.equal(isWhole(null, 10, 10), true);
  assert.equal(isWhole([0, 10, 0, 10], 10, 10), true);
  assert.equal(isWhole([0, 9, 0, 10], 10, 10), false);
});

test("the window to ask for: clamped, and null for none or the whole face", () => {
  assert.equal(normalizeWindow(null, 100, 200), null);
  assert.equal(normalizeWindow([0, 100, 0, 200], 100, 200), null);
  assert.equal(normalizeWindow([-5, 500, -1, 999], 100, 200), null);
  assert.deepEqual(normalizeWindow([10, 20, 30, 60], 100, 200), [10, 20, 30, 60]);
  assert.deepEqual(normalizeWindow([10, 11, 30, 31], 100, 200), clampWindow([10, 11, 30, 31], 100, 200));
});

test("zooming in keeps the point under the pointer where it is", () => {
  const w = zoomAt([0, 2048, 0, 2048], 2048, 2048, 2, 0.25, 0.75);
  assert.deepEqual(w, [768, 1792, 256, 1280]);
  // the row at 3/4 of the old window (1536) is at 3/4 of the new one
  assert.equal(w[0] + 0.75 * (w[1] - w[0]), 1536);
  assert.equal(w[2] + 0.25 * (w[3] - w[2]), 512);
  assert.deepEqual(zoomAt([0, 2048, 0, 2048], 2048, 2048, 2), [512, 1536, 512, 1536], "default: the centre");
});

test("zooming out stops at the whole face; zooming in stops at MIN_SPAN; small steps never get stuck", () => {
  assert.deepEqual(zoomAt([512, 1536, 512, 1536], 2048, 2048, 0.25), [0, 2048, 0, 2048]);
  assert.deepEqual(zoomAt([0, 2000, 100, 2048], 2048, 2048, 0.5, 1, 1), [0, 2048, 0, 2048]);
  const min = zoomAt([100, 104, 100, 104], 2048, 2048, 8);
  assert.equal(min[1] - min[0], MIN_SPAN);
  const w = zoomAt([100, 110, 100, 110], 2048, 2048, 1.04);
  assert.equal(w[1] - w[0], 9, "a tiny wheel step still zooms by one row");
  const out = zoomAt([100, 110, 100, 110], 2048, 2048, 1 / 1.04);
  assert.equal(out[1] - out[0], 11);
  // zooming out near an edge slides the window back into the face
  assert.deepEqual(zoomAt([0, 100, 1948, 2048], 2048, 2048, 0.5, 0, 1), [0, 200, 1848, 2048]);
});

test("panning moves the window by whole rows and columns and stops at the edges, keeping its size", () => {
  assert.deepEqual(panWindow([100, 200, 300, 400], 2048, 2048, 25, -25), [125, 225, 275, 375]);
  assert.deepEqual(panWindow([100, 200, 300, 400], 2048, 2048, -500, 5000), [0, 100, 1948, 2048]);
  assert.deepEqual(panStep([100, 200, 300, 340], "ArrowDown"), [25, 0]);
  assert.deepEqual(panStep([100, 200, 300, 340], "ArrowLeft"), [0, -10]);
  assert.deepEqual(panStep([0, 2, 0, 2], "ArrowUp"), [-1, 0], "at least one");
  assert.equal(panStep([0, 2, 0, 2], "Home"), null);
});

test("a rectangle in face units covers every element it touches", () => {
  // the whole face shown: 2048 rows over v in [0, 1]
  assert.deepEqual(rectToWindow([0, 2048, 0, 2048], 2048, 2048, 0.5, 0.25, 0.75, 0.5), [512, 1024, 1024, 1536]);
  // a zoomed window: fractions of the window, offset by its start
  assert.deepEqual(rectToWindow([1000, 1100, 200, 300], 2048, 2048, 0.1, 0.1, 0.505, 0.5), [1010, 1050, 210, 251]);
  // drawn backwards and past the face: clipped
  assert.deepEqual(rectToWindow([0, 100, 0, 100], 100, 100, 1.5, 0.9, 0.8, -2), [0, 90, 80, 100]);
});

test("a drag in picture pixels becomes a window of the face; a click is not a drag", () => {
  // a 340 × 340 face at (40, 8) showing the whole 2048 × 2048 face
  const t = /** @type {[number, number, number, number, number, number]} */ ([340, 0, 0, 340, 40, 8]);
  const win = dragToWindow(t, [0, 2048, 0, 2048], 2048, 2048, [40 + 170, 8 + 170], [40 + 180, 8 + 185]);
  assert.deepEqual(win, [1024, Math.ceil((185 / 340) * 2048), 1024, Math.ceil((180 / 340) * 2048)]);
  assert.equal(dragToWindow(t, [0, 2048, 0, 2048], 2048, 2048, [100, 100], [102, 101]), null);
  // on a zoomed window, the same pixels pick rows of the window
  const z = dragToWindow(t, [1000, 1340, 0, 340], 2048, 2048, [40, 8], [40 + 34, 8 + 17]);
  assert.deepEqual(z, [1000, 1017, 0, 34]);
  // the rectangle shown while dragging stays on the face
  assert.deepEqual(dragRect(t, [100, 100], [500, -20]), { x: 100, y: 8, w: 280, h: 92 });
});

test("the wheel zooms in when scrolled up, out when scrolled down, a notch at a time", () => {
  assert.ok(wheelFactor(-100) > 1.2 && wheelFactor(-100) < 1.3);
  assert.ok(wheelFactor(100) < 1);
  assert.equal(wheelFactor(-100000), 2, "a burst is capped");
  assert.ok(wheelFactor(-3, 1) > 1.2, "line mode counts lines");
});

test("a zoomed axis says which rows it shows, as a user counts them", () => {
  assert.equal(spanText("rows", 1024, 1536, 2048), "rows 1024–1535 of 2048");
  assert.equal(spanText("columns", 7, 8, 10), "column 7 of 10");
});

const base = (shape, extra = {}) => ({
  shape, dims: shape.map(() => ""), faceAxes: [shape.length - 2, shape.length - 1], index: shape.map(() => 0), values: true,
  ...extra,
});

test("a large matrix is zoomable; a zoom window is asked for with the same pixel budget, and labels show the span", () => {
  const whole = buildScene(base([2048, 2048]));
  assert.ok(whole.zoom && !whole.zoom.zoomed);
  assert.deepEqual(whole.zoom.window, [0, 2048, 0, 2048]);
  assert.equal(whole.slots[0].req.window, null);
  const z = buildScene(base([2048, 2048], { window: [1024, 1536, 0, 512] }));
  assert.equal(z.zoom.zoomed, true);
  assert.deepEqual(z.slots[z.zoom.slot].req.window, [1024, 1536, 0, 512]);
  assert.deepEqual(z.budget, whole.budget, "same pixels, same budget");
  const rows = z.labels.find((l) => l.axis === 0);
  assert.ok(rows.text.includes("rows 1024–1535 of 2048"), rows.text);
  assert.ok(z.labels.find((l) => l.axis === 1).text.includes("columns 0–511 of 2048"));
  assert.ok(z.notes.some((n) => n.text === "1024") && z.notes.some((n) => n.text === "1535"), "ticks at the ends");
  assert.match(z.description, /zoomed in to rows 1024–1535 of 2048/);
  // a small window: exact cells, values written when they fit
  const small = buildScene(base([2048, 2048], { window: [1000, 1006, 7, 13] }));
  const slot = small.slots[small.zoom.slot];
  assert.equal(slot.cells, true);
  assert.equal(slot.text, true);
  assert.deepEqual(small.budget, [6, 6]);
  // a window over the whole face is no window
  assert.equal(buildScene(base([2048, 2048], { window: [0, 2048, 0, 2048] })).slots[0].req.window, null);
});

test("small faces are not zoomable and ignore a window", () => {
  const s = buildScene(base([3, 4], { window: [0, 1, 0, 1] }));
  assert.equal(s.zoom, null);
  assert.equal(s.slots[0].req.window, null);
  assert.equal(buildScene(base([10000])).zoom, null, "a vector has its own segments");
});

test("a cube's front face zooms; top and side faces show the same columns and rows; the depth index is kept", () => {
  const s = buildScene(base([8, 1000, 1200], { index: [5, 0, 0], window: [100, 200, 300, 420] }));
  const by = Object.fromEntries(s.slots.map((sl) => [sl.role, sl.req]));
  assert.equal(s.slots[s.zoom.slot].role, "front");
  assert.deepEqual(by.front.window, [100, 200, 300, 420]);
  assert.equal(by.front.index[0], 5);
  assert.deepEqual(by.top.window, [0, 8, 300, 420]);
  assert.equal(by.top.index[1], 100, "the top face is the window's first row");
  assert.deepEqual(by.side.window, [0, 8, 100, 200]);
  assert.equal(by.side.index[2], 419, "the side face is the window's last column");
});

test("hovering a cell of a window reports the full index counted from the window's start", () => {
  const meta = {
    axes: [0, 1], index: [0, 0], window: [1000, 1004, 250, 254], extent: [2048, 2048], shape: [4, 4], step: [1, 1],
    encoding: "float32", error: null,
  };
  const r = { meta, values: decodeFace(new Float32Array(16).map((_, i) => i), meta), error: null };
  const hit = describeCell(r, 2, 3);
  assert.equal(hit.index, "[1002, 253]");
  assert.equal(hit.value, "11");
  const reduced = { ...meta, window: [1000, 1400, 0, 400], shape: [4, 4], step: [100, 100] };
  const rr = { meta: reduced, values: decodeFace(new Float32Array(16), reduced), error: null };
  assert.equal(describeCell(rr, 1, 2).index, "[1100:1200, 200:300]");
});
