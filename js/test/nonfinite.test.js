import { test } from "node:test";
import assert from "node:assert/strict";
import { countsText, jumpText, whereText } from "../src/view/nonfinite.js";
import { cellOf } from "../src/view/picture.js";
import { windowAround } from "../src/zoom.js";
import { planSegments } from "../src/layout.js";
import { Rpc } from "../src/rpc.js";

test("the bar names only the kinds present, with exact counts", () => {
  assert.equal(countsText({ state: "done", nan: 1, posinf: 0, neginf: 2 }), "1 NaN · 2 −inf");
  assert.equal(countsText({ state: "done", nan: 0, posinf: 12345, neginf: 0 }), "12,345 +inf");
  assert.equal(countsText({ state: "done", nan: 0, posinf: 0, neginf: 0 }), "");
});

test("the bar says where the first ones are", () => {
  assert.equal(whereText({ state: "done", nan: 1, first: [[1234, 4321]] }), "at [1234, 4321]");
  assert.equal(
    whereText({ state: "done", nan: 5, first: [[0, 1], [0, 2], [3, 0], [4, 4], [5, 5]] }),
    "first at [0, 1], [0, 2], [3, 0] …",
  );
  assert.equal(whereText({ state: "done", nan: 2, first: [[0], [7]] }), "first at [0], [7]");
});

test("after a jump the bar says what and where, and which of how many", () => {
  assert.equal(jumpText({ kind: "nonfinite", id: "x", index: [3, 1], value: "nan", ordinal: 2, total: 17, wrapped: false }), "NaN at [3, 1] · 2 of 17");
  assert.equal(jumpText({ kind: "nonfinite", id: "x", index: [0], value: "neginf", ordinal: null, total: 9000, wrapped: true }), "−inf at [0] (from the start again)");
  assert.equal(jumpText({ kind: "nonfinite", id: "x", index: null, value: null, ordinal: null, total: 0, wrapped: false }), "none found");
});

test("going to a cell zooms to a 15 × 15 window around it, kept inside the face", () => {
  assert.deepEqual(windowAround(1234, 4321, 6000, 6000), [1227, 1242, 4314, 4329]);
  assert.deepEqual(windowAround(0, 5999, 6000, 6000), [0, 15, 5985, 6000]);
  assert.deepEqual(windowAround(2, 3, 5, 100), [0, 5, 0, 15]);
});

test("a long vector shows the cells around a focused element between its ends", () => {
  assert.deepEqual(planSegments(100000, { focus: 5000 }).segments, [[0, 10], [4995, 5005], [99990, 100000]]);
  assert.deepEqual(planSegments(100000, { focus: 3 }).segments, [[0, 10], [99990, 100000]]);
  assert.deepEqual(planSegments(100000, { focus: 12 }).segments, [[0, 17], [99990, 100000]]);
  assert.deepEqual(planSegments(30, { focus: 12 }).segments, [[0, 30]]);
});

const face = (meta) => ({ meta, values: { rows: meta.shape[0], cols: meta.shape[1] }, error: null });

test("the highlighted element is found on an exact face, inside its window only", () => {
  const f = face({ axes: [1, 2], index: [4, 0, 0], window: [10, 25, 100, 115], shape: [15, 15], step: [1, 1] });
  assert.deepEqual(cellOf(f, [4, 12, 101]), [2, 1]);
  assert.equal(cellOf(f, [3, 12, 101]), null, "another depth");
  assert.equal(cellOf(f, [4, 9, 101]), null, "above the window");
  const reduced = face({ axes: [0, 1], index: [0, 0], window: [0, 6000, 0, 6000], shape: [286, 286], step: [21, 21] });
  assert.equal(cellOf(reduced, [0, 0]), null, "a block-reduced cell is not the element itself");
  const vec = face({ axes: [0], index: [0], window: [0, 1, 4995, 5005], shape: [1, 10], step: [1, 1] });
  assert.deepEqual(cellOf(vec, [5000]), [0, 5]);
  const scalar = face({ axes: [], index: [], window: [0, 1, 0, 1], shape: [1, 1], step: [1, 1] });
  assert.deepEqual(cellOf(scalar, []), [0, 0]);
});

function fakeModel() {
  const handlers = [];
  return {
    sent: [],
    send(msg) { this.sent.push(msg); },
    on(ev, f) { if (ev === "msg:custom") handlers.push(f); },
    off(ev, f) { const i = handlers.indexOf(f); if (i >= 0) handlers.splice(i, 1); },
    reply(msg) { for (const h of handlers.slice()) h(msg, []); },
  };
}

test("an rpc call resolves with the reply carrying its id and rejects with the kernel's error", async () => {
  const m = fakeModel();
  const rpc = new Rpc(m);
  const a = rpc.call({ kind: "nonfinite", after: null });
  const b = rpc.call({ kind: "nonfinite", after: [1, 2] });
  const [ma, mb] = m.sent;
  assert.notEqual(ma.id, mb.id);
  assert.deepEqual(mb.after, [1, 2]);
  m.reply({ kind: "nonfinite", id: "someone-else", index: [9] });
  m.reply({ kind: "error", id: mb.id, message: "'after': index 9 is out of range" });
  m.reply({ kind: "nonfinite", id: ma.id, index: [0, 3] });
  assert.deepEqual((await a).index, [0, 3]);
  await assert.rejects(b, /index 9 is out of range/);
  rpc.close();
});

test("an rpc call nobody answers is rejected after its timeout, saying why", async () => {
  const rpc = new Rpc(fakeModel(), 20);
  await assert.rejects(rpc.call({ kind: "scan" }), /no reply from the kernel/);
  rpc.close();
});
