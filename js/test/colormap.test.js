// Colormap tests. The expected colors are written out here as numbers (the spec: the ramp stops, the special and bool
// colors) or interpolated by hand between them; none is recomputed by the code under test.
import { test } from "node:test";
import assert from "node:assert/strict";
import { makeColormap, gradientStops, inkFor, SPECIAL_COLORS, BOOL_COLORS } from "../src/colormap.js";

// Diverging stops, spelled out: darkest blue (−m), …, neutral (0), …, darkest red (+m); 11 evenly spaced.
const BLUE_END = [24, 62, 130];
const BLUE_2 = [102, 153, 208]; // stop 2 of 10: t = 0.2
const NEUTRAL = [244, 243, 240]; // stop 5: t = 0.5
const RED_8 = [214, 104, 84]; // stop 8: t = 0.8
const RED_END = [120, 14, 32];
// Sequential ends: dark indigo (min) and warm yellow (max).
const SEQ_LO = [40, 18, 84];
const SEQ_HI = [250, 230, 80];

const NAN = [255, 0, 200];
const POSINF = [255, 128, 0];
const NEGINF = [0, 230, 255];
const FALSE = [206, 212, 222];
const TRUE = [16, 120, 110];

const dist = (a, b) => Math.hypot(a[0] - b[0], a[1] - b[1], a[2] - b[2]);
const lum = (c) => 0.2126 * c[0] + 0.7152 * c[1] + 0.0722 * c[2];

/**
 * Every channel within `tol` of the expected color. The colormap reads a 256-entry table, so a value between table
 * entries is off the exact interpolation by up to about two units; stops that fall on table entries are exact.
 */
function near(actual, expected, tol, what = "") {
  const diff = Math.max(...actual.map((v, i) => Math.abs(v - expected[i])));
  assert.ok(diff <= tol, `${what}: ${actual} is not within ${tol} of ${expected}`);
}

test("data with both signs: diverging over [-m, m], ends and stops are the written-out colors", () => {
  const cm = makeColormap({ min: -1, max: 1 });
  assert.equal(cm.mode, "diverging");
  assert.deepEqual([cm.lo, cm.hi], [-1, 1]);
  assert.deepEqual(cm.rgb(-1), BLUE_END);
  assert.deepEqual(cm.rgb(1), RED_END);
  assert.deepEqual(cm.rgb(-0.6), BLUE_2);
  assert.deepEqual(cm.rgb(0.6), RED_8);
  // zero is the neutral stop (the table has no entry at exactly t = 0.5: half a step off at most)
  near(cm.rgb(0), NEUTRAL, 1, "0");
  // -0.5 is t = 0.25, halfway between stop 2 [102, 153, 208] and stop 3 [168, 199, 230]: by hand [135, 176, 219]
  near(cm.rgb(-0.5), [135, 176, 219], 1, "-0.5");
  // 0.25 is t = 0.625, a quarter of the way from stop 6 [244, 222, 208] to stop 7 [236, 168, 140]: [242, 208.5, 191]
  near(cm.rgb(0.25), [242, 208.5, 191], 1.5, "0.25");
});

test("lopsided data (values in [-10, 1]) still centre zero: the map runs over [-10, 10]", () => {
  const cm = makeColormap({ min: -10, max: 1 });
  assert.equal(cm.mode, "diverging");
  assert.deepEqual([cm.lo, cm.hi], [-10, 10]);
  assert.deepEqual(cm.rgb(-10), BLUE_END, "-10 is the darkest blue");
  near(cm.rgb(0), NEUTRAL, 1, "0 is neutral");
  // 1 is t = 0.55, halfway between the neutral stop [244, 243, 240] and stop 6 [244, 222, 208]: a light warm tint
  near(cm.rgb(1), [244, 232.5, 224], 1, "1");
  assert.deepEqual(cm.rgb(10), RED_END);
  // and the other way round: values in [-1, 10] put -1 on a light cool tint, 10 on the darkest red
  const flip = makeColormap({ min: -1, max: 10 });
  assert.deepEqual([flip.lo, flip.hi], [-10, 10]);
  near(flip.rgb(-1), [235, 238.5, 241], 1, "-1"); // t = 0.45: halfway between stop 4 [226, 234, 242] and neutral
  assert.deepEqual(flip.rgb(10), RED_END);
});

test("one-signed data: sequential from the min (dark indigo) to the max (warm yellow)", () => {
  const cm = makeColormap({ min: 0, max: 10 });
  assert.equal(cm.mode, "sequential");
  assert.deepEqual(cm.rgb(0), SEQ_LO);
  assert.deepEqual(cm.rgb(10), SEQ_HI);
  // 5 is t = 0.5: halfway between stop 4 [34, 138, 152] and stop 5 [36, 164, 138] of the 10 stops
  near(cm.rgb(5), [35, 151, 145], 1, "5");
  // out-of-range values are clamped to the ends
  assert.deepEqual(cm.rgb(-3), SEQ_LO);
  assert.deepEqual(cm.rgb(12), SEQ_HI);
  // all-negative data are one-signed too: sequential, the most negative value dark
  const neg = makeColormap({ min: -3, max: -1 });
  assert.equal(neg.mode, "sequential");
  assert.deepEqual(neg.rgb(-3), SEQ_LO);
  assert.deepEqual(neg.rgb(-1), SEQ_HI);
  // lightness rises steadily along the ramp
  let prev = -1;
  for (let v = 0; v <= 10; v += 0.5) {
    const l = lum(cm.rgb(v));
    assert.ok(l > prev, `lightness not increasing at ${v}`);
    prev = l;
  }
});

test("a constant tensor maps to the middle of the sequential ramp (no division by zero)", () => {
  const cm = makeColormap({ min: 4, max: 4 });
  assert.equal(cm.mode, "sequential");
  near(cm.rgb(4), [35, 151, 145], 1, "constant");
});

test("missing range: a float tensor without stats is drawn over [0, 1]", () => {
  const cm = makeColormap({});
  assert.deepEqual([cm.mode, cm.lo, cm.hi], ["sequential", 0, 1]);
  assert.deepEqual(cm.rgb(0), SEQ_LO);
  assert.deepEqual(cm.rgb(1), SEQ_HI);
});

test("NaN, +inf and -inf get their own colors, on every map", () => {
  assert.deepEqual(SPECIAL_COLORS.nan, NAN);
  assert.deepEqual(SPECIAL_COLORS.posinf, POSINF);
  assert.deepEqual(SPECIAL_COLORS.neginf, NEGINF);
  for (const cm of [makeColormap({ min: -1, max: 1 }), makeColormap({ min: 0, max: 1 })]) {
    assert.deepEqual(cm.rgb(NaN), NAN);
    assert.deepEqual(cm.rgb(Infinity), POSINF);
    assert.deepEqual(cm.rgb(-Infinity), NEGINF);
    // and no color of the ramp is close to them
    for (let t = 0; t <= 1; t += 1 / 256) {
      const c = cm.rgb(cm.lo + t * (cm.hi - cm.lo));
      for (const s of [NAN, POSINF, NEGINF]) assert.ok(dist(c, s) > 90, `${cm.mode} ramp color ${c} too close to ${s}`);
    }
  }
});

test("bool tensors get exactly two colors: False muted slate, True teal", () => {
  const cm = makeColormap({ valueKind: "bool" });
  assert.equal(cm.mode, "bool");
  assert.deepEqual(cm.rgb(0), FALSE);
  assert.deepEqual(cm.rgb(1), TRUE);
  assert.deepEqual(cm.rgb(false), FALSE);
  assert.deepEqual(cm.rgb(true), TRUE);
  assert.deepEqual(BOOL_COLORS, { false: FALSE, true: TRUE });
});

test("complex phase uses a cyclic map: -pi and pi look the same", () => {
  const cm = makeColormap({ valueKind: "complex", part: "phase", min: 0, max: 3 });
  assert.equal(cm.mode, "cyclic");
  assert.ok(dist(cm.rgb(-Math.PI), cm.rgb(Math.PI)) < 8);
  assert.ok(dist(cm.rgb(0), cm.rgb(Math.PI)) > 60);
  assert.equal(makeColormap({ valueKind: "complex", part: "magnitude", min: 0, max: 3 }).mode, "sequential");
});

test("css colors and the color-bar gradient run from the low color to the high color", () => {
  const cm = makeColormap({ min: -1, max: 1 });
  assert.equal(cm.css(-1), "rgb(24, 62, 130)");
  assert.equal(cm.css(1), "rgb(120, 14, 32)");
  const stops = gradientStops(cm, 8);
  assert.equal(stops.length, 9);
  assert.equal(stops[0].offset, 0);
  assert.equal(stops[0].color, "rgb(24, 62, 130)");
  assert.equal(stops.at(-1).offset, 1);
  assert.equal(stops.at(-1).color, "rgb(120, 14, 32)");
  const mid = stops[4].color.match(/\d+/g).map(Number);
  near(mid, NEUTRAL, 1, "the gradient's middle");
  const bool = gradientStops(makeColormap({ valueKind: "bool" }));
  assert.deepEqual(
    bool.map((s) => s.color),
    ["rgb(206, 212, 222)", "rgb(206, 212, 222)", "rgb(16, 120, 110)", "rgb(16, 120, 110)"],
  );
});

test("packed colors are opaque RGBA for ImageData (little-endian: R in the low byte)", () => {
  const cm = makeColormap({ min: -1, max: 1 });
  assert.equal(cm.packed(-1), 0xff823e18); // A=255, B=130, G=62, R=24
  assert.equal(cm.packed(1), 0xff200e78); // A=255, B=32, G=14, R=120
  assert.equal(cm.packed(NaN), 0xffc800ff); // A=255, B=200, G=0, R=255
  // as the bytes of a Uint32Array written into ImageData
  const bytes = new Uint8ClampedArray(new Uint32Array([cm.packed(-1), cm.packed(Infinity)]).buffer);
  assert.deepEqual([...bytes], [24, 62, 130, 255, 255, 128, 0, 255]);
});

test("written values are dark on light cells and light on dark cells", () => {
  assert.match(inkFor(NEUTRAL), /rgba\(20, 24, 32/);
  assert.match(inkFor(SEQ_HI), /rgba\(20, 24, 32/);
  assert.match(inkFor(BLUE_END), /rgba\(255, 255, 255/);
  assert.match(inkFor(RED_END), /rgba\(255, 255, 255/);
});
