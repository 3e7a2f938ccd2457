import { test } from "node:test";
import assert from "node:assert/strict";
import { makeColormap, gradientStops, SPECIAL_COLORS, BOOL_COLORS } from "../src/colormap.js";

const dist = (a, b) => Math.hypot(a[0] - b[0], a[1] - b[1], a[2] - b[2]);
const lum = (c) => 0.2126 * c[0] + 0.7152 * c[1] + 0.0722 * c[2];

test("data with both signs gets a diverging map whose neutral middle is zero", () => {
  const cm = makeColormap({ min: -2, max: 5 });
  assert.equal(cm.mode, "diverging");
  const zero = cm.rgb(0);
  // neutral: nearly grey and light
  assert.ok(Math.max(...zero) - Math.min(...zero) < 16, `zero is not neutral: ${zero}`);
  assert.ok(lum(zero) > 220);
  // symmetric range: -5 and 5 equally far from neutral, on opposite hues
  const neg = cm.rgb(-5);
  const pos = cm.rgb(5);
  assert.ok(neg[2] > neg[0], "negative end is cool (blue)");
  assert.ok(pos[0] > pos[2], "positive end is warm (red)");
  assert.ok(Math.abs(lum(neg) - lum(pos)) < 40);
});

test("one-signed data gets a sequential map whose lightness rises steadily", () => {
  const cm = makeColormap({ min: 0, max: 10 });
  assert.equal(cm.mode, "sequential");
  let prev = -1;
  for (let v = 0; v <= 10; v += 0.5) {
    const l = lum(cm.rgb(v));
    assert.ok(l > prev, `lightness not increasing at ${v}`);
    prev = l;
  }
  assert.equal(makeColormap({ min: -3, max: -1 }).mode, "sequential");
});

test("a constant tensor maps to one color (no division by zero)", () => {
  const cm = makeColormap({ min: 4, max: 4 });
  assert.deepEqual(cm.rgb(4), cm.rgb(4));
  assert.ok(cm.rgb(4).every(Number.isFinite));
});

test("NaN, +inf and -inf get three distinct colors that no ramp color is close to", () => {
  const specials = [SPECIAL_COLORS.nan, SPECIAL_COLORS.posinf, SPECIAL_COLORS.neginf];
  for (let i = 0; i < 3; i++) for (let j = i + 1; j < 3; j++) assert.ok(dist(specials[i], specials[j]) > 150);
  for (const cm of [makeColormap({ min: -1, max: 1 }), makeColormap({ min: 0, max: 1 })]) {
    assert.deepEqual(cm.rgb(NaN), SPECIAL_COLORS.nan);
    assert.deepEqual(cm.rgb(Infinity), SPECIAL_COLORS.posinf);
    assert.deepEqual(cm.rgb(-Infinity), SPECIAL_COLORS.neginf);
    for (let t = 0; t <= 1; t += 1 / 256) {
      const c = cm.rgb(cm.lo + t * (cm.hi - cm.lo));
      for (const s of specials) assert.ok(dist(c, s) > 90, `${cm.mode} ramp color ${c} too close to ${s}`);
    }
  }
});

test("bool tensors get exactly two colors", () => {
  const cm = makeColormap({ valueKind: "bool" });
  assert.equal(cm.mode, "bool");
  assert.deepEqual(cm.rgb(0), BOOL_COLORS.false);
  assert.deepEqual(cm.rgb(1), BOOL_COLORS.true);
  assert.ok(dist(BOOL_COLORS.false, BOOL_COLORS.true) > 150);
});

test("complex phase uses a cyclic map: -pi and pi look the same", () => {
  const cm = makeColormap({ valueKind: "complex", part: "phase", min: 0, max: 3 });
  assert.equal(cm.mode, "cyclic");
  assert.ok(dist(cm.rgb(-Math.PI), cm.rgb(Math.PI)) < 8);
  assert.ok(dist(cm.rgb(0), cm.rgb(Math.PI)) > 60);
  assert.equal(makeColormap({ valueKind: "complex", part: "magnitude", min: 0, max: 3 }).mode, "sequential");
});

test("the color-bar gradient runs from the low color to the high color", () => {
  const cm = makeColormap({ min: -1, max: 1 });
  const stops = gradientStops(cm, 8);
  assert.equal(stops[0].offset, 0);
  assert.equal(stops.at(-1).offset, 1);
  assert.equal(stops[0].color, cm.css(-1));
  assert.equal(stops[4].color, cm.css(0));
  assert.equal(stops.at(-1).color, cm.css(1));
});

test("packed colors are opaque RGBA for ImageData (little-endian)", () => {
  const cm = makeColormap({ min: 0, max: 1 });
  const p = cm.packed(0.5);
  const c = cm.rgb(0.5);
  assert.equal(p >>> 24, 255);
  assert.equal(p & 255, c[0]);
  assert.equal((p >>> 8) & 255, c[1]);
  assert.equal((p >>> 16) & 255, c[2]);
});
