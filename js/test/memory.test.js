import { test } from "node:test";
import assert from "node:assert/strict";
import { chartOf, niceMax } from "../src/memory/chart.js";

test("the axis maximum is a round number at or above the largest figure", () => {
  assert.equal(niceMax(0), 1);
  assert.equal(niceMax(7), 10);
  assert.equal(niceMax(1.5e9), 2e9);
  assert.equal(niceMax(2.2e6), 2.5e6);
  assert.equal(niceMax(5e3), 5e3);
});

test("the timeline runs left to right in time and bottom to top in bytes, and marks the peak", () => {
  const c = chartOf({ t: [0, 1, 2, 4], allocated: [0, 50, 100, 20], reserved: [0, 100, 100, 100] }, 400, 100);
  assert.equal(c.max, 100);
  assert.equal(c.allocated, "0.0,100.0 100.0,50.0 200.0,0.0 400.0,80.0");
  assert.equal(c.reserved.split(" ").length, 4);
  assert.deepEqual(c.peak, { x: 200, y: 0, value: 100, t: 2 });
  assert.deepEqual(c.ticks.map((t) => t.value), [0, 50, 100]);
});

test("unknown figures leave gaps instead of zeros", () => {
  const c = chartOf({ t: [0, 1, 2], allocated: [null, 10, null], reserved: [null, null, null] }, 100, 10);
  assert.equal(c.allocated, "50.0,0.0");
  assert.equal(c.reserved, "");
  assert.equal(c.peak.value, 10);
});
