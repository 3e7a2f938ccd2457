import { test } from "node:test";
import assert from "node:assert/strict";
import { buildSvg, MAX_RECT_CELLS, needsImage, packedHex, safeColor, safeFamily, xmlEscape } from "../src/export/svg.js";
import { faceColors, faceItem, specialItems, valueTexts } from "../src/export/faces.js";
import { buildPalette, ColorIndex, encodeGif, GifEncoder, lzwEncode, medianCut, PaletteBuilder, tableBits } from "../src/export/gif.js";
import { children, muxWebm, readSize, webmDuration, withDuration, writeSize } from "../src/export/webm.js";
import { frameTimes, occupancy, paintStepFrame, RecordingContext, travelLabels } from "../src/export/frames.js";
import { makeColormap } from "../src/colormap.js";
import { decodeFace } from "../src/decode.js";
import { buildStage } from "../src/player/stage.js";
import { frameAt, motionAt } from "../src/player/motion.js";
import { valueColors } from "../src/player/colors.js";

// -- the SVG file ------------------------------------------------------------------------------------------------------

/** A face as the kernel sends it: float32 values, rows × cols. */
function face(values, rows, cols, step = [1, 1]) {
  return { meta: { step, axes: [0, 1], index: [0, 0], window: null }, values: decodeFace(new Float32Array(values), { encoding: "float32", shape: [rows, cols] }), error: null };
}

const slot = (t, extra = {}) => ({ req: { axes: [0, 1], index: [0, 0], window: null }, t, role: "flat", cut: 0, cells: true, cellPx: 30, text: true, shade: 0, ...extra });

/** Attributes of every element `tag` in an SVG string. */
function elements(svg, tag) {
  return [...svg.matchAll(new RegExp(`<${tag}\\b([^>]*?)/?>`, "g"))].map((m) => Object.fromEntries([...m[1].matchAll(/([\w:-]+)="([^"]*)"/g)].map((a) => [a[1], a[2]])));
}

const hex = (rgb) => `#${rgb.map((v) => v.toString(16).padStart(2, "0")).join("")}`;

test("svg: every cell of a face is a rect in its colormap color, at its row and column", () => {
  const values = [-3, -1, 0, 1, 2, 3];
  const cmap = makeColormap({ min: -3, max: 3 });
  const item = faceItem(slot([90, 0, 0, 60, 40, 10]), face(values, 2, 3), cmap, "magnitude");
  const svg = buildSvg({ width: 200, height: 100, background: "#ffffff", items: [item] });
  const rects = elements(svg, "rect").filter((r) => r.x !== undefined && r.fill && r.fill.startsWith("#") && r.width !== "100%");
  assert.equal(rects.length, 6);
  for (let i = 0; i < 6; i++) {
    const r = rects.find((q) => Number(q.y) === Math.floor(i / 3) && Number(q.x) === i % 3);
    assert.ok(r, `cell ${i} has a rect`);
    assert.equal(r.fill, hex(cmap.rgb(values[i])), `cell ${i} (${values[i]})`);
  }
  // the cells sit where the picture puts the face: a 90 × 60 px face at (40, 10) of 3 × 2 cells
  assert.match(svg, /transform="matrix\(30 0 0 30 40 10\)"/);
  // diverging map: the negative end is blue, the positive end red
  const neg = cmap.rgb(-3);
  const pos = cmap.rgb(3);
  assert.ok(neg[2] > neg[0] && pos[0] > pos[2]);
});

test("svg: cut-away rows are left out, a shaded face gets its shade, large cells keep a gap", () => {
  const cmap = makeColormap({ min: 0, max: 11 });
  const values = Array.from({ length: 12 }, (_, i) => i);
  const item = faceItem(slot([120, 0, 30, -30, 0, 0], { cut: 0.5, shade: -0.14, role: "top" }), face(values, 4, 3), cmap, "magnitude");
  assert.equal(item.from, 2);
  const svg = buildSvg({ width: 200, height: 100, items: [item] });
  const cells = elements(svg, "rect").filter((r) => r.fill && r.fill.startsWith("#") && r["fill-opacity"] === undefined);
  assert.equal(cells.length, 6, "rows 2 and 3 only");
  assert.ok(cells.every((r) => Number(r.y) >= 2));
  const shade = elements(svg, "rect").find((r) => r["fill-opacity"]);
  assert.equal(shade.fill, "#000000");
  assert.equal(shade["fill-opacity"], "0.14");
  assert.ok(cells.every((r) => Number(r.width) < 1), "a gap between large cells, as on screen");
  assert.ok(!/crispEdges/.test(svg), "a slanted face is not drawn with crisp edges");
});

test("svg: axis labels and ticks are text with their font, color, anchor and rotation; nothing refers outside", () => {
  const svg = buildSvg({
    width: 300, height: 200, background: "rgb(255, 255, 255)", title: "float32 tensor [2, 3]",
    description: "a 2 × 3 matrix & more <values>",
    items: [
      { kind: "path", pts: [[10, 10], [10, 100]], closed: false, stroke: "#e0663a", strokeWidth: 1.5, linecap: "round", opacity: 0.9 },
      { kind: "rect", x: 20, y: 20, w: 90, h: 60, stroke: "rgba(0, 0, 0, 0.54)", fill: "none" },
      { kind: "text", text: "axis 0 · rows · 2", x: 12, y: 50, anchor: "middle", baseline: "middle", angle: -90, color: "rgb(224, 102, 58)", font: { family: 'system-ui, -apple-system, "Segoe UI", url(http://evil.example/f.woff)', size: 11.5, weight: "600" }, halo: "#ffffff" },
      { kind: "text", text: "0", x: 18, y: 25, anchor: "end", color: "rgba(0,0,0,0.38)", font: { family: "ui-monospace, Menlo", size: 10 } },
    ],
  });
  const texts = [...svg.matchAll(/<text([^>]*)>([^<]*)<\/text>/g)];
  assert.equal(texts.length, 2);
  assert.equal(texts[0][2], "axis 0 · rows · 2");
  assert.match(texts[0][1], /transform="rotate\(-90 12 50\)"/);
  assert.match(texts[0][1], /font-weight="600"/);
  assert.match(texts[0][1], /fill="rgb\(224, 102, 58\)"/);
  assert.match(texts[0][1], /paint-order="stroke"/);
  assert.match(texts[0][1], /font-family="system-ui, -apple-system, 'Segoe UI'"/);
  assert.match(texts[1][1], /text-anchor="end"/);
  assert.match(svg, /<title>float32 tensor \[2, 3\]<\/title>/);
  assert.match(svg, /<desc>a 2 × 3 matrix &amp; more &lt;values&gt;<\/desc>/);
  assert.match(svg, /<path d="M10 10L10 100"/);
  // no external reference of any kind: no href, no url(), no @import; the namespace is the only URL
  assert.ok(!/href=/.test(svg) && !/url\(/i.test(svg) && !/@import/.test(svg), svg);
  assert.deepEqual([...svg.matchAll(/https?:\/\/[^"\s]*/g)].map((m) => m[0]), ["http://www.w3.org/2000/svg"]);
});

test("svg: colors and fonts that could refer outside are dropped, text is escaped", () => {
  assert.equal(safeColor("url(#x)"), "none");
  assert.equal(safeColor("var(--a)"), "none");
  assert.equal(safeColor("rgb(1, 2, 3)"), "rgb(1, 2, 3)");
  assert.equal(safeColor("#abc"), "#abc");
  assert.equal(safeFamily("url(http://x/y.woff), Menlo"), "Menlo");
  assert.equal(safeFamily(""), "sans-serif");
  assert.equal(xmlEscape('a<b>&"c"\u0001'), "a&lt;b&gt;&amp;&quot;c&quot;");
  assert.equal(packedHex(0xff030201), "#010203");
});

test("svg: a face with more cells than rects allow is one embedded PNG image, and the file says so", () => {
  const rows = 200;
  const cols = Math.ceil((MAX_RECT_CELLS + 1) / rows);
  const big = { kind: "cells", t: [400, 0, 0, 300, 0, 0], rows, cols, colors: new Uint32Array(rows * cols) };
  assert.ok(needsImage(big));
  assert.ok(!needsImage({ ...big, rows: 10, cols: 10 }));
  const svg = buildSvg({ width: 400, height: 300, items: [{ ...big, image: "data:image/png;base64,iVBORw0KGgo=" }] });
  assert.equal(elements(svg, "rect").length, 0);
  const img = elements(svg, "image");
  assert.equal(img.length, 1);
  assert.match(img[0].href, /^data:image\/png;base64,/);
  assert.match(svg, /<desc>[^<]*embedded as a PNG image[^<]*<\/desc>/);
});

test("svg: the values written in large cells are text, in the ink that reads on each cell", () => {
  const cmap = makeColormap({ min: -3, max: 3 });
  const r = face([-3, 0, 3, 1.5], 2, 2);
  const texts = valueTexts(slot([80, 0, 0, 80, 10, 20]), r, cmap, "magnitude", "Menlo");
  assert.deepEqual(texts.map((t) => t.text), ["-3", "0", "3", "1.5"]);
  assert.deepEqual([texts[1].x, texts[1].y], [70, 40]); // centre of row 0, column 1
  assert.equal(texts[0].color, "rgba(255, 255, 255, 0.95)", "light ink on the dark blue end");
  assert.equal(texts[1].color, "rgba(20, 24, 32, 0.92)", "dark ink on the pale middle");
  assert.deepEqual(Array.from(faceColors(r, cmap, "magnitude")), [-3, 0, 3, 1.5].map((v) => cmap.packed(v)));
});

test("svg: NaN and ±inf keep their marks: glyphs in large cells, dots in tiny ones, none over written values", () => {
  const r = face([NaN, 1, Infinity, -Infinity], 2, 2);
  // 40 px cells: a glyph at each special cell's centre (NaN in white on its dark cell, ∞ in dark ink)
  const glyphs = specialItems(slot([80, 0, 0, 80, 10, 20]), r, true, "Menlo");
  assert.deepEqual(glyphs.map((g) => [g.kind, g.text, g.x, g.y]), [["text", "NaN", 30, 40], ["text", "+∞", 30, 80], ["text", "−∞", 70, 80]]);
  assert.equal(glyphs[0].color, "#ffffff");
  assert.equal(glyphs[1].color, "rgba(20, 24, 32, 0.9)");
  // values written out: they say it already
  assert.deepEqual(specialItems(slot([80, 0, 0, 80, 10, 20]), r, false, "Menlo"), []);
  // 3 px cells: a white square and a dot in the special's own color, centred on the cell
  const dots = specialItems(slot([6, 0, 0, 6, 0, 0]), r, true, "Menlo");
  assert.equal(dots.length, 6);
  assert.deepEqual([dots[1].x, dots[1].y, dots[1].w, dots[1].fill], [1.5 - 3, 1.5 - 3, 6, "rgb(255, 0, 200)"]);
  // a cube's front part cut away: no marks on rows not drawn; an integer face has no NaN
  assert.deepEqual(specialItems(slot([80, 0, 0, 80, 10, 20], { cut: 0.5 }), r, true, "Menlo").map((g) => g.text), ["+∞", "−∞"]);
  const ints = { ...r, values: decodeFace(new Int32Array([1, 2, 3, 4]), { encoding: "int32", shape: [2, 2] }) };
  assert.deepEqual(specialItems(slot([80, 0, 0, 80, 10, 20]), ints, true, "Menlo"), []);
  // and the file writes them as text
  const svg = buildSvg({ width: 100, height: 100, items: glyphs });
  assert.deepEqual(elements(svg, "text").length, 3);
  assert.match(svg, />NaN</);
  assert.match(svg, />\+∞</);
});

// -- the GIF encoder ---------------------------------------------------------------------------------------------------

/** Read `n` bits at a time, least significant first (GIF's order). */
function bitReader(bytes) {
  let pos = 0;
  return (n) => {
    let v = 0;
    for (let i = 0; i < n; i++) {
      const byte = bytes[pos >> 3];
      if (byte === undefined) return -1;
      v |= ((byte >> (pos & 7)) & 1) << i;
      pos++;
    }
    return v;
  };
}

/** A GIF LZW decoder written from the specification, for the round trip. */
function lzwDecode(codes, minCodeSize) {
  const clear = 1 << minCodeSize;
  const eoi = clear + 1;
  const read = bitReader(codes);
  let size = minCodeSize + 1;
  let next = eoi + 1;
  let dict = [];
  const reset = () => {
    dict = Array.from({ length: eoi + 1 }, (_, i) => [i]);
    size = minCodeSize + 1;
    next = eoi + 1;
  };
  reset();
  const out = [];
  let prev = null;
  let sawClear = false;
  let sawEnd = false;
  for (;;) {
    const code = read(size);
    if (code < 0) break;
    if (code === clear) {
      reset();
      prev = null;
      sawClear = true;
      continue;
    }
    if (code === eoi) {
      sawEnd = true;
      break;
    }
    let entry;
    if (code < next) entry = dict[code];
    else if (code === next && prev) entry = prev.concat(prev[0]);
    else throw new Error(`bad code ${code} (next ${next})`);
    for (const v of entry) out.push(v);
    if (prev && next < 4096) {
      dict[next++] = prev.concat(entry[0]);
      if (next === 1 << size && size < 12) size++;
    }
    prev = entry;
  }
  return { out, sawClear, sawEnd };
}

/** Parse a GIF: screen, palette, loop, frames (delays, rectangles, transparency) and each composed picture. */
function decodeGif(bytes) {
  let p = 0;
  const u8 = () => bytes[p++];
  const u16 = () => {
    const v = bytes[p] | (bytes[p + 1] << 8);
    p += 2;
    return v;
  };
  const ascii = (n) => String.fromCharCode(...bytes.subarray(p, (p += n)));
  const blocks = () => {
    const parts = [];
    for (let n = u8(); n; n = u8()) parts.push(...bytes.subarray(p, (p += n)));
    return Uint8Array.from(parts);
  };
  const header = ascii(6);
  const width = u16();
  const height = u16();
  const packed = u8();
  u8();
  u8();
  const gctSize = packed & 0x80 ? 2 << (packed & 7) : 0;
  const palette = bytes.subarray(p, (p += 3 * gctSize));
  let loop = null;
  let gce = null;
  const frames = [];
  const screen = new Int16Array(width * height).fill(-1);
  for (;;) {
    const b = u8();
    if (b === 0x3b) break;
    if (b === 0x21) {
      const label = u8();
      if (label === 0xf9) {
        assert.equal(u8(), 4);
        const pk = u8();
        const delay = u16();
        const ti = u8();
        assert.equal(u8(), 0);
        gce = { disposal: (pk >> 2) & 7, transparent: pk & 1 ? ti : -1, delay };
      } else if (label === 0xff) {
        const id = ascii(u8());
        const data = blocks();
        if (id === "NETSCAPE2.0") loop = data[1] | (data[2] << 8);
      } else blocks();
    } else if (b === 0x2c) {
      const x = u16();
      const y = u16();
      const w = u16();
      const h = u16();
      assert.equal(u8() & 0x80, 0, "no local color table");
      const min = u8();
      const { out, sawClear, sawEnd } = lzwDecode(blocks(), min);
      assert.ok(sawClear && sawEnd, "starts with a clear code and ends with end-of-information");
      assert.equal(out.length, w * h);
      for (let i = 0; i < out.length; i++) {
        if (out[i] === gce.transparent) continue;
        screen[(y + Math.floor(i / w)) * width + x + (i % w)] = out[i];
      }
      frames.push({ x, y, w, h, ...gce, indices: out, screen: screen.slice() });
      gce = null;
    } else throw new Error(`unexpected block 0x${b.toString(16)} at ${p - 1}`);
  }
  const rgbOf = (screenIdx) => Array.from(screenIdx, (i) => [palette[i * 3], palette[i * 3 + 1], palette[i * 3 + 2]]);
  return { header, width, height, gctSize, palette, loop, frames, rgbOf, trailer: p === bytes.length };
}

/** An RGBA frame from a function of (x, y) → [r, g, b]. */
function rgbaFrame(w, h, fn) {
  const out = new Uint8ClampedArray(w * h * 4);
  for (let y = 0; y < h; y++) {
    for (let x = 0; x < w; x++) {
      const [r, g, b] = fn(x, y);
      out.set([r, g, b, 255], (y * w + x) * 4);
    }
  }
  return out;
}

test("lzw: the code stream decodes back to the indices, through table clears, for every code size", () => {
  let seed = 7;
  const rand = () => ((seed = (seed * 1103515245 + 12345) >>> 0) / 2 ** 32);
  for (const min of [2, 3, 4, 5, 8]) {
    for (const n of [0, 1, 2, 17, 5000, 70000]) {
      const alphabet = 1 << min;
      // runs and noise: long runs grow long codes, noise fills the table up (and clears it)
      const data = new Uint8Array(n);
      for (let i = 0; i < n; i++) data[i] = rand() < 0.7 && i ? data[i - 1] : Math.floor(rand() * alphabet);
      const { out, sawEnd } = lzwDecode(lzwEncode(data, min), min);
      assert.ok(sawEnd);
      assert.deepEqual(Uint8Array.from(out), data, `min code size ${min}, ${n} indices`);
    }
  }
});

test("gif: header, logical screen, palette, loop extension, frames with delays; the pictures come back", () => {
  const w = 20;
  const h = 10;
  const red = [200, 30, 40];
  const blue = [20, 60, 200];
  const white = [255, 255, 255];
  const f0 = rgbaFrame(w, h, () => white);
  const f1 = rgbaFrame(w, h, (x, y) => (x >= 4 && x < 8 && y >= 2 && y < 6 ? red : white));
  const f2 = rgbaFrame(w, h, (x, y) => (x >= 4 && x < 8 && y >= 2 && y < 6 ? red : x >= 12 && y >= 5 ? blue : white));
  const bytes = encodeGif({ width: w, height: h, frames: [{ rgba: f0, delay: 100 }, { rgba: f1, delay: 100 }, { rgba: f1, delay: 100 }, { rgba: f2, delay: 250 }] });
  const gif = decodeGif(bytes);
  assert.equal(gif.header, "GIF89a");
  assert.deepEqual([gif.width, gif.height], [w, h]);
  assert.ok(gif.trailer, "ends with the trailer, nothing after it");
  assert.equal(gif.gctSize, 4, "three colors and the transparent index: a table of 4");
  assert.equal(gif.loop, 0, "loops for ever");
  // the unchanged third frame lengthens the second
  assert.deepEqual(gif.frames.map((f) => f.delay), [10, 20, 25]);
  // later frames store only the rectangle that changed
  assert.deepEqual([gif.frames[1].x, gif.frames[1].y, gif.frames[1].w, gif.frames[1].h], [4, 2, 4, 4]);
  assert.deepEqual([gif.frames[2].x, gif.frames[2].y, gif.frames[2].w, gif.frames[2].h], [12, 5, 8, 5]);
  assert.ok(gif.frames.slice(1).every((f) => f.transparent >= 0 && f.disposal === 1));
  // two spots change: the pixels between them, inside the rectangle, are stored as "unchanged" (transparent)
  const g0 = rgbaFrame(w, h, () => white);
  const g1 = rgbaFrame(w, h, (x, y) => ((x === 1 && y === 1) || (x === 18 && y === 8) ? red : white));
  const two = decodeGif(encodeGif({ width: w, height: h, frames: [{ rgba: g0, delay: 100 }, { rgba: g1, delay: 100 }] }));
  const f = two.frames[1];
  assert.deepEqual([f.x, f.y, f.w, f.h], [1, 1, 18, 8]);
  assert.equal(f.indices.filter((i) => i === f.transparent).length, 18 * 8 - 2);
  // every composed picture is exactly the frame given
  for (const [k, src] of [[0, f0], [1, f1], [2, f2]]) {
    const rgb = gif.rgbOf(gif.frames[k].screen);
    for (let i = 0; i < w * h; i++) assert.deepEqual(rgb[i], Array.from(src.subarray(i * 4, i * 4 + 3)), `frame ${k} pixel ${i}`);
  }
});

test("gif: more than 255 colors: the most frequent stay exact, the rest go to near colors", () => {
  const w = 64;
  const h = 64;
  // a large area in two exact colors, and a gradient of 2048 colors in a band
  const frame = rgbaFrame(w, h, (x, y) => (y < 32 ? (x < 32 ? [214, 104, 84] : [46, 104, 176]) : [x * 4, (y - 32) * 8, (x * y) % 256]));
  const pal = buildPalette([frame]);
  assert.ok(pal.count <= 255);
  const bytes = encodeGif({ width: w, height: h, frames: [{ rgba: frame, delay: 100 }] });
  const gif = decodeGif(bytes);
  assert.equal(gif.gctSize, 256);
  const rgb = gif.rgbOf(gif.frames[0].screen);
  assert.deepEqual(rgb[0], [214, 104, 84], "a frequent color is kept exactly");
  assert.deepEqual(rgb[40], [46, 104, 176]);
  let worst = 0;
  for (let i = 32 * w; i < w * h; i++) {
    const src = frame.subarray(i * 4, i * 4 + 3);
    worst = Math.max(worst, ...[0, 1, 2].map((k) => Math.abs(rgb[i][k] - src[k])));
  }
  assert.ok(worst <= 64, `the gradient stays near its colors (worst channel off by ${worst})`);
});

test("gif: the palette helpers: median cut splits by the widest channel, indices map to the nearest color", () => {
  const cut = medianCut([[0x000000, 5], [0x0000ff, 5], [0xff0000, 5], [0xff00ff, 5]], 2);
  assert.equal(cut.length, 2);
  const b = new PaletteBuilder();
  b.add(Uint8Array.from([10, 20, 30, 255, 10, 20, 30, 255, 200, 0, 0, 255]));
  const pal = b.build();
  assert.equal(pal.count, 2);
  assert.deepEqual(Array.from(pal.colors.subarray(0, 3)), [10, 20, 30], "the most frequent first");
  const ix = new ColorIndex(pal);
  assert.equal(ix.index(10, 20, 30), 0);
  assert.equal(ix.index(190, 10, 5), 1);
  assert.deepEqual([tableBits(2), tableBits(3), tableBits(255), tableBits(256)], [1, 2, 8, 8]);
  assert.throws(() => new GifEncoder({ width: 0, height: 5, palette: pal }), /1 to 65535/);
  assert.throws(() => new GifEncoder({ width: 2, height: 2, palette: pal }).finish(), /at least one frame/);
});

// -- WebM duration -----------------------------------------------------------------------------------------------------

/** An EBML element: id bytes, a size of `len` bytes, data. */
function el(id, data, len = 0) {
  const ids = [];
  for (let v = id; v > 0; v = Math.floor(v / 256)) ids.unshift(v % 256);
  const body = Uint8Array.from(data);
  const size = len ? writeSize(body.length, len) : writeSize(body.length, 1 + (body.length >= 127 ? 1 : 0));
  return Uint8Array.from([...ids, ...size, ...body]);
}
const cat = (...parts) => Uint8Array.from(parts.flatMap((p) => Array.from(p)));

test("webm: a live recording without a duration gets one in its Info, the rest of the file unchanged", () => {
  const ebml = el(0x1a45dfa3, el(0x4282, [...Buffer.from("webm")]));
  const info = el(0x1549a966, cat(el(0x2ad7b1, [0x0f, 0x42, 0x40]), el(0x4d80, [...Buffer.from("Chrome")])), 8);
  const tracks = el(0x1654ae6b, [1, 2, 3]);
  const cluster = Uint8Array.from([0x1f, 0x43, 0xb6, 0x75, 0x01, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xe7, 0x81, 0x00]);
  const segment = cat([0x18, 0x53, 0x80, 0x67, 0x01, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff], info, tracks, cluster);
  const file = cat(ebml, segment);
  assert.equal(webmDuration(file), null, "MediaRecorder writes no duration");
  const fixed = withDuration(file, 2400);
  assert.ok(Math.abs(webmDuration(fixed) - 2400) < 1e-6, `duration ${webmDuration(fixed)}`);
  assert.equal(fixed.length, file.length + 11);
  // what follows the Info element is byte for byte the same
  assert.deepEqual(fixed.subarray(fixed.length - tracks.length - cluster.length), cat(tracks, cluster));
  // a second pass sets the duration in place
  const again = withDuration(fixed, 1000);
  assert.equal(again.length, fixed.length);
  assert.ok(Math.abs(webmDuration(again) - 1000) < 1e-6);
  // another timecode scale (half a millisecond): the duration is written in its units
  const info2 = el(0x1549a966, cat(el(0x2ad7b1, [0x07, 0xa1, 0x20]), el(0x4d80, [...Buffer.from("x")])), 8);
  const file2 = cat(ebml, cat([0x18, 0x53, 0x80, 0x67, 0x01, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff], info2, tracks, cluster));
  const fixed2 = withDuration(file2, 2400);
  const at = fixed2.length - tracks.length - cluster.length - 8;
  assert.equal(new DataView(fixed2.buffer, fixed2.byteOffset + at, 8).getFloat64(0), 4800, "4,800 units of 0.5 ms");
  assert.ok(Math.abs(webmDuration(fixed2) - 2400) < 1e-6);
  // not a WebM file: left alone
  const junk = Uint8Array.from([1, 2, 3, 4]);
  assert.equal(withDuration(junk, 5), junk);
  assert.deepEqual(readSize(Uint8Array.from([0x81]), 0), { size: 1, len: 1, unknown: false });
  assert.equal(children(fixed, 0, fixed.length).length, 2);
});

test("webm: encoded frames are muxed into clusters of blocks, one per key frame, with cues and a duration", () => {
  const fps = 30;
  const frames = Array.from({ length: 75 }, (_, g) => ({
    data: Uint8Array.from([g, g + 1, g + 2]), timestamp: Math.round((g * 1e6) / fps), key: g % 60 === 0,
  }));
  const file = muxWebm({ width: 640, height: 360, codec: "V_VP8", frames, fps });
  const top = children(file, 0, file.length);
  assert.deepEqual(top.map((c) => c.id), [0x1a45dfa3, 0x18538067]);
  const docType = children(file, top[0].dataAt, top[0].dataAt + top[0].size).find((c) => c.id === 0x4282);
  assert.equal(Buffer.from(file.subarray(docType.dataAt, docType.dataAt + docType.size)).toString(), "webm");
  const seg = top[1];
  const kids = children(file, seg.dataAt, seg.dataAt + seg.size);
  assert.deepEqual(kids.map((c) => c.id), [0x114d9b74, 0x1549a966, 0x1654ae6b, 0x1f43b675, 0x1f43b675, 0x1c53bb6b]);
  assert.ok(Math.abs(webmDuration(file) - 2500) < 0.01, `${webmDuration(file)} ms`);
  // every frame is a SimpleBlock of track 1, at its time, key frames flagged, its bytes kept
  const blocks = [];
  for (const cl of kids.filter((c) => c.id === 0x1f43b675)) {
    const parts = children(file, cl.dataAt, cl.dataAt + cl.size);
    const time = file[parts[0].dataAt + parts[0].size - 1] + (parts[0].size > 1 ? file[parts[0].dataAt] * 256 : 0);
    for (const b of parts.slice(1)) {
      assert.equal(b.id, 0xa3);
      const d = file.subarray(b.dataAt, b.dataAt + b.size);
      blocks.push({ t: time + ((d[1] << 8) | d[2]), key: !!(d[3] & 0x80), data: Array.from(d.subarray(4)) });
    }
  }
  assert.equal(blocks.length, 75);
  blocks.forEach((b, g) => {
    assert.equal(b.t, Math.round((g * 1000) / fps));
    assert.equal(b.key, g % 60 === 0);
    assert.deepEqual(b.data, [g, g + 1, g + 2]);
  });
  // cues and the seek head point at what they name (positions from the segment's data)
  const seek = children(file, kids[0].dataAt, kids[0].dataAt + kids[0].size);
  const positions = seek.map((sk) => {
    const [, pos] = children(file, sk.dataAt, sk.dataAt + sk.size);
    return Number(Buffer.from(file.subarray(pos.dataAt, pos.dataAt + pos.size)).readBigUInt64BE());
  });
  assert.deepEqual(positions.map((p) => kids.find((k) => k.at === seg.dataAt + p).id), [0x1549a966, 0x1654ae6b, 0x1c53bb6b]);
  const cues = children(file, kids[5].dataAt, kids[5].dataAt + kids[5].size);
  assert.equal(cues.length, 2);
  assert.throws(() => muxWebm({ width: 2, height: 2, codec: "V_VP8", frames: [{ data: new Uint8Array(1), timestamp: 0, key: false }], fps }), /key frame/);
});

// -- player frames ---------------------------------------------------------------------------------------------------

const tensor = (role, i, shape, origin) => ({
  role, i, shape, grid: shape, steps: shape.map(() => 1), dims: shape.map(() => ""),
  origin: origin || shape.map((_, a) => a), values: null, encoding: "float32",
});

/** A transpose of a 2 × 3 matrix, its cells colored by value. */
function transposeState() {
  const inValues = decodeFace(new Float32Array([0, 1, 2, 3, 4, 5]), { encoding: "float32", shape: [1, 6] });
  const outValues = decodeFace(new Float32Array([0, 3, 1, 4, 2, 5]), { encoding: "float32", shape: [1, 6] });
  const cmap = makeColormap({ min: 0, max: 5 });
  const inColors = [valueColors(inValues, 6, cmap)];
  const outColors = valueColors(outValues, 6, cmap);
  // output cell j (row-major in 3 × 2) comes from input element (j % 2) * 3 + floor(j / 2)
  const sources = [Int32Array.from({ length: 6 }, (_, j) => (j % 2) * 3 + Math.floor(j / 2))];
  const stage = buildStage({ tensors: [tensor("input", 0, [2, 3]), tensor("output", 0, [3, 2], [1, 0])], sources, k: [1], inColors, outColors }, { width: 600 });
  return { stage, inColors, outColors, ...occupancy(stage), winners: false, failed: false, reduced: false, slotColor: "#eeeeee" };
}

test("frames: painting the same step time twice gives the same frame; the moving cells are frameAt's", () => {
  const s = transposeState();
  for (const t of frameTimes(2.4, 30)) {
    const a = new RecordingContext();
    const b = new RecordingContext();
    paintStepFrame(a, s, t, 1);
    paintStepFrame(b, s, t, 1);
    assert.deepEqual(a.items, b.items, `t = ${t}`);
  }
  // mid-way the travelling cells are where the element paths put them
  const t = 0.5;
  const rec = new RecordingContext();
  paintStepFrame(rec, s, t, 1);
  const f = frameAt(s.stage.tracks, t, { converge: false });
  const u = motionAt(t);
  let moving = 0;
  for (let m = 0; m < s.stage.tracks.n; m++) {
    const tr = s.stage.tracks;
    if (u <= tr.start[m] || u >= tr.end[m]) continue;
    moving++;
    assert.ok(rec.items.some((r) => Math.abs(r.x - f.x[m]) < 1e-9 && Math.abs(r.y - f.y[m]) < 1e-9), `track ${m} drawn at its path`);
  }
  assert.ok(moving > 0, "something is in flight at t = 0.5");
  // first frame: every input cell in its color, no output; last: every output cell in its color
  const first = new RecordingContext();
  paintStepFrame(first, s, 0, 1);
  const colored = (items) => items.filter((r) => r.fill !== "#eeeeee");
  const inCells = colored(first.items);
  assert.equal(inCells.length, 6);
  assert.ok(inCells.every((r) => r.x < s.stage.output.box.x));
  const last = new RecordingContext();
  paintStepFrame(last, s, 1, 1);
  const outCells = colored(last.items).filter((r) => r.x >= s.stage.output.box.x);
  assert.equal(outCells.length, 6);
  const out = s.stage.output;
  for (let j = 0; j < 6; j++) {
    const r = outCells.find((q) => q.x === out.xs[j] && q.y === out.ys[j]);
    const c = s.outColors[j];
    assert.equal(r.fill, `rgb(${c & 255}, ${(c >>> 8) & 255}, ${(c >>> 16) & 255})`);
  }
});

test("frames: a clip's frame times cover the step from its first to its last frame at the rate asked", () => {
  const ts = frameTimes(2.4, 30);
  assert.equal(ts.length, 73);
  assert.equal(ts[0], 0);
  assert.equal(ts[ts.length - 1], 1);
  assert.ok(ts.every((t, i) => i === 0 || t > ts[i - 1]));
  assert.equal(frameTimes(0, 30).length, 2);
});

test("frames: a transposed matrix's axis labels travel to their new places and nowhere else", () => {
  const s = transposeState();
  assert.deepEqual(travelLabels(s.stage, true, 0), []);
  assert.deepEqual(travelLabels(s.stage, false, 0.5), []);
  const mid = travelLabels(s.stage, true, 0.5);
  assert.equal(mid.length, 2);
  const end = travelLabels(s.stage, true, 0.999);
  for (const m of end) {
    const r = m.run;
    // where the output's own label sits: beside its arrow's middle (10 px under a columns arrow, 11 px left of rows)
    const mid = [(r.from[0] + r.to[0]) / 2, (r.from[1] + r.to[1]) / 2];
    const want = r.role === "cols" ? [mid[0], mid[1] + 10] : [mid[0] - 11, mid[1]];
    assert.ok(Math.abs(m.x - want[0]) < 1 && Math.abs(m.y - want[1]) < 1, `${r.role}: ${[m.x, m.y]} vs ${want}`);
  }
});
