import { test } from "node:test";
import assert from "node:assert/strict";
import { arrange, rowMajorStrides, unravel } from "../src/player/arrange.js";
import { buildTracks, ease, frameAt, HOLD_IN, HOLD_OUT, mixPacked, motionAt, arrivedCells } from "../src/player/motion.js";
import { buildStage, runColor, cellUnder } from "../src/player/stage.js";
import { labelWidth } from "../src/layout.js";
import { describeStep, groupSteps, shapesText } from "../src/player/timeline.js";
import { decodeStep } from "../src/player/data.js";
import { hsl, pack, sourceColor } from "../src/player/colors.js";

test("a matrix: the last axis runs across, the one before down, one cell pitch apart", () => {
  const a = arrange([2, 3]);
  assert.equal(a.count, 6);
  assert.deepEqual([a.xs[0], a.ys[0]], [0, 0]);
  assert.deepEqual([a.xs[2], a.ys[2]], [2, 0]);
  assert.deepEqual([a.xs[3], a.ys[3]], [0, 1]);
  assert.deepEqual([a.width, a.height], [3, 2]);
  assert.deepEqual(a.runs.map((r) => [r.axis, r.role]), [[1, "cols"], [0, "rows"]]);
});

test("a 3-d tensor: its matrices step up and to the right, each page whole and apart from the others", () => {
  const a = arrange([2, 3, 4]);
  // element [1, 0, 0] is on the second page: to the right of the whole first page, and higher
  assert.ok(a.xs[12] >= 4 + 1, `second page starts at x = ${a.xs[12]}`);
  assert.ok(a.ys[12] < a.ys[0], "the second page is higher (it recedes)");
  // within a page the layout is the matrix's
  assert.equal(a.xs[13] - a.xs[12], 1);
  assert.equal(a.ys[16] - a.ys[12], 1);
  assert.equal(a.pages.length, 2);
  // no two elements share a cell
  const seen = new Set();
  for (let i = 0; i < a.count; i++) seen.add(`${a.xs[i]},${a.ys[i]}`);
  assert.equal(seen.size, 24);
  assert.deepEqual(a.runs.map((r) => r.role), ["cols", "rows", "depth"]);
});

test("rank 4 and 5: cubes side by side, then rows of them; every axis gets an arrow", () => {
  const a = arrange([2, 2, 3, 4]);
  const b = arrange([2, 2, 2, 3, 4]);
  assert.equal(a.count, 48);
  assert.equal(a.pages.length, 4);
  assert.ok(a.xs[24] > a.xs[23], "the second cube (axis 0 = 1) is to the right of the first");
  assert.ok(b.ys[48] > b.ys[47], "axis 0 of rank 5 stacks the rows of cubes");
  assert.deepEqual(b.runs.map((r) => r.axis).sort(), [0, 1, 2, 3, 4]);
  assert.equal(arrange([]).count, 1);
  assert.equal(arrange([5]).width, 5);
});

test("row-major helpers", () => {
  assert.deepEqual(rowMajorStrides([2, 3, 4]), [12, 4, 1]);
  assert.deepEqual(unravel(23, [2, 3, 4]), [1, 2, 3]);
  assert.deepEqual(unravel(0, []), []);
});

test("a step holds its inputs, moves, then holds its output", () => {
  assert.equal(motionAt(0), 0);
  assert.equal(motionAt(HOLD_IN), 0);
  assert.equal(motionAt((HOLD_IN + HOLD_OUT) / 2), 0.5);
  assert.equal(motionAt(HOLD_OUT), 1);
  assert.equal(motionAt(1), 1);
  assert.equal(ease(0), 0);
  assert.equal(ease(1), 1);
  assert.equal(ease(0.5), 0.5);
  assert.ok(ease(0.25) < 0.25 && ease(0.75) > 0.75, "slow in, slow out");
});

const placed = (xs, ys, size = 10) => ({ xs: Float64Array.from(xs), ys: Float64Array.from(ys), size });

test("reshape tracks: each element flies from its input cell to its output cell, in row-major order", () => {
  // [1, 2] -> [2, 1]: element e of the input lands in output cell e
  const tr = buildTracks({
    inputs: [placed([0, 20], [0, 0])],
    output: placed([100, 100], [0, 20]),
    sources: [Int32Array.from([0, 1])],
    k: [1],
    stagger: 0.5,
    inColors: [Uint32Array.from([pack(255, 0, 0), pack(0, 0, 255)])],
    outColors: Uint32Array.from([pack(255, 0, 0), pack(0, 0, 255)]),
  });
  assert.equal(tr.n, 2);
  const f0 = frameAt(tr, 0);
  assert.deepEqual([f0.x[0], f0.y[0], f0.x[1], f0.y[1]], [0, 0, 20, 0]);
  const f1 = frameAt(tr, 1);
  assert.deepEqual([f1.x[0], f1.y[0], f1.x[1], f1.y[1]], [100, 0, 100, 20]);
  // 40% into the motion: the first element (it left first) is on its way, the second has not left yet
  const mid = frameAt(tr, HOLD_IN + (HOLD_OUT - HOLD_IN) * 0.4);
  const along0 = (mid.x[0] - 0) / 100;
  const along1 = (mid.x[1] - 20) / 80;
  assert.ok(along0 > along1, `first ${along0} vs second ${along1}`);
  assert.ok(along0 > 0 && along0 < 1, `first element ${along0} of the way`);
  assert.equal(along1, 0);
  // colors travel with the elements
  assert.equal(mid.color[0], pack(255, 0, 0));
  const done = arrivedCells(tr, 1, 2);
  assert.deepEqual(Array.from(done), [1, 1]);
  assert.deepEqual(Array.from(arrivedCells(tr, 0, 2)), [0, 0]);
});

test("a reduction's contributors converge on their result cell and take its color at the end", () => {
  const red = pack(200, 0, 0);
  const tr = buildTracks({
    inputs: [placed([0, 10, 20], [0, 0, 0])],
    output: placed([50], [40]),
    sources: [Int32Array.from([0, 1, 2])],
    k: [3],
    inColors: [Uint32Array.from([pack(0, 0, 0), pack(0, 0, 0), pack(0, 0, 0)])],
    outColors: Uint32Array.from([red]),
    winners: [Int32Array.from([2])],
  });
  assert.equal(tr.n, 3);
  assert.deepEqual(Array.from(tr.winner), [0, 0, 1]);
  const end = frameAt(tr, 1, { converge: true });
  for (let m = 0; m < 3; m++) {
    assert.deepEqual([end.x[m], end.y[m]], [50, 40]);
    assert.equal(end.color[m], red);
  }
});

test("a broadcast operand sends ghosted copies of one element; -1 sources send nothing", () => {
  const tr = buildTracks({
    inputs: [placed([0, 10], [0, 0]), placed([0], [30])],
    output: placed([60, 70], [0, 0]),
    sources: [Int32Array.from([0, 1]), Int32Array.from([0, 0])],
    k: [1, 1],
    broadcast: [false, true],
    inColors: [new Uint32Array(2), new Uint32Array(1)],
    outColors: new Uint32Array(2),
  });
  assert.equal(tr.n, 4);
  assert.deepEqual(Array.from(tr.ghost), [0, 0, 0, 1], "the second copy of the broadcast element is a ghost");
  const cat = buildTracks({
    inputs: [placed([0], [0]), placed([0], [20])],
    output: placed([50, 60], [0, 0]),
    sources: [Int32Array.from([0, -1]), Int32Array.from([-1, 0])],
    k: [1, 1],
    inColors: [new Uint32Array(1), new Uint32Array(1)],
    outColors: new Uint32Array(2),
  });
  assert.equal(cat.n, 2);
  assert.deepEqual(Array.from(cat.dst), [0, 1]);
  assert.deepEqual(Array.from(cat.operand), [0, 1]);
});

test("broadcasting in two phases: the stretched copies spread over the output and wait, then the others come in", () => {
  // [2] + [1] -> [2]: input 1's one element is stretched (stride 0) to both output cells
  const blue = pack(0, 0, 255);
  const out = [pack(10, 10, 10), pack(20, 20, 20)];
  const tr = buildTracks({
    inputs: [placed([0, 10], [0, 0]), placed([0], [30])],
    output: placed([60, 70], [0, 0]),
    sources: [Int32Array.from([0, 1]), Int32Array.from([0, 0])],
    k: [1, 1],
    broadcast: [false, true],
    stretch: 0.5,
    inColors: [Uint32Array.from([pack(255, 0, 0), pack(255, 0, 0)]), Uint32Array.from([blue])],
    outColors: Uint32Array.from(out),
  });
  // the stretched copies come first (drawn under the elements that meet them)
  assert.deepEqual(Array.from(tr.operand), [1, 1, 0, 0]);
  assert.deepEqual(Array.from(tr.ghost), [0, 1, 0, 0]);
  const at = (u) => HOLD_IN + (HOLD_OUT - HOLD_IN) * u;
  // a quarter in: the copies are on their way, input 0 has not left
  let f = frameAt(tr, at(0.25));
  assert.ok(f.x[0] > 0 && f.x[0] < 60 && f.y[0] < 30, `copy 0 on its way: ${f.x[0]}, ${f.y[0]}`);
  assert.deepEqual([f.x[2], f.x[3]], [0, 10], "input 0 waits");
  // past the stretch: both copies sit on their output cells in the broadcast operand's color, input 0 still waits
  f = frameAt(tr, at(0.5));
  assert.deepEqual([f.x[0], f.y[0], f.x[1], f.y[1]], [60, 0, 70, 0]);
  assert.deepEqual([f.color[0], f.color[1]], [blue, blue]);
  assert.deepEqual([f.x[2], f.x[3]], [0, 10]);
  assert.ok(tr.start[2] >= 0.5 && tr.end[0] === 1, "input 0 leaves once the stretch is done; the copies wait to the end");
  // three quarters in: input 0 is on its way, the copies have not moved
  f = frameAt(tr, at(0.75));
  assert.ok(f.x[2] > 0 && f.x[2] < 60, `input 0 on its way: ${f.x[2]}`);
  assert.deepEqual([f.x[0], f.x[1]], [60, 70]);
  // the end: every track on its cell in the output's color (the combined value)
  f = frameAt(tr, 1);
  assert.deepEqual(Array.from(f.x), [60, 70, 60, 70]);
  assert.deepEqual(Array.from(f.color), [out[0], out[1], out[0], out[1]]);
  // without stretch, all leave together and nothing waits
  const once = buildTracks({
    inputs: [placed([0, 10], [0, 0]), placed([0], [30])], output: placed([60, 70], [0, 0]),
    sources: [Int32Array.from([0, 1]), Int32Array.from([0, 0])], k: [1, 1], broadcast: [false, true],
    inColors: [new Uint32Array(2), new Uint32Array(1)], outColors: new Uint32Array(2),
  });
  assert.deepEqual(Array.from(once.operand), [0, 0, 1, 1]);
  assert.deepEqual(Array.from(once.land), Array.from(once.end));
  assert.equal(once.start[0], once.start[2]);
});

test("reduced motion: nothing moves, elements fade out at the input and in at the output", () => {
  const tr = buildTracks({
    inputs: [placed([0], [0])], output: placed([100], [50]), sources: [Int32Array.from([0])], k: [1],
    inColors: [new Uint32Array(1)], outColors: new Uint32Array(1),
  });
  const early = frameAt(tr, HOLD_IN + (HOLD_OUT - HOLD_IN) * 0.25, { reduced: true });
  assert.deepEqual([early.x[0], early.y[0]], [0, 0]);
  assert.ok(early.alpha[0] < 1 && early.alpha[0] > 0);
  const late = frameAt(tr, HOLD_IN + (HOLD_OUT - HOLD_IN) * 0.75, { reduced: true });
  assert.deepEqual([late.x[0], late.y[0]], [100, 50]);
  assert.ok(late.alpha[0] > 0 && late.alpha[0] < 1);
});

test("colors mix channel by channel; source colors differ per operand and along each one", () => {
  assert.equal(mixPacked(pack(0, 0, 0), pack(200, 100, 50), 0.5), pack(100, 50, 25));
  assert.equal(mixPacked(pack(1, 2, 3), pack(4, 5, 6), 0), pack(1, 2, 3));
  assert.equal(hsl(0, 1, 0.5), pack(255, 0, 0));
  assert.equal(hsl(120, 1, 0.5), pack(0, 255, 0));
  assert.notEqual(sourceColor(0, 0, 10), sourceColor(1, 0, 10));
  assert.notEqual(sourceColor(0, 0, 10), sourceColor(0, 9, 10));
});

const tensor = (role, i, shape, origin) => ({
  role, i, shape, grid: shape, steps: shape.map(() => 1), dims: shape.map(() => ""),
  origin: origin || shape.map((_, a) => a), values: null, encoding: "float32",
});

test("the stage puts inputs left and the output right, one cell size for all, inside the room given", () => {
  const st = buildStage({
    tensors: [tensor("input", 0, [2, 3, 4]), tensor("output", 0, [4, 6], [null, null])],
    sources: [Int32Array.from({ length: 24 }, (_, i) => i)], k: [1],
  }, { width: 700 });
  assert.ok(st.width <= 700, `stage ${st.width} px wide`);
  assert.equal(st.inputs.length, 1);
  assert.ok(st.output.box.x > st.inputs[0].box.x + st.inputs[0].box.w, "the output is right of the input");
  assert.equal(st.inputs[0].size, st.output.size);
  assert.equal(st.tracks.n, 24);
  // hit-testing finds the cell under a point
  const p = st.output;
  assert.equal(cellUnder(p, p.xs[7] + 1, p.ys[7] + 1), 7);
  assert.equal(cellUnder(p, p.box.x - 5, p.box.y - 5), -1);
});

test("axis labels beside short edges do not run into each other; with room they sit at their arrow's middle", () => {
  // a flatten of images [N, C, H, W] = [2, 3, 4, 4]: the first cube's H edge (rows) is 4 cells short, and its
  // W label, centred under a 4-cell face, reaches left past the corner, where the H label came down
  const named = (t, dims) => ({ ...t, dims });
  const st = buildStage({
    tensors: [named(tensor("input", 0, [2, 3, 4, 4]), ["N", "C", "H", "W"]), named(tensor("output", 0, [2, 48], [0, null]), ["N", "C·H·W"])],
    sources: [Int32Array.from({ length: 96 }, (_, i) => i)], k: [1],
  }, { width: 830 });
  // the boxes of the labels on screen (estimated widths, 16 px line), written out here from the arrows
  const box = (r) => {
    const w = labelWidth(r.parts.head + r.parts.name + r.parts.tail);
    const vertical = Math.abs(r.to[0] - r.from[0]) < 0.5;
    const [hw, hh] = vertical ? [8, w / 2] : [w / 2, 8];
    return { x0: r.at[0] - hw, x1: r.at[0] + hw, y0: r.at[1] - hh, y1: r.at[1] + hh };
  };
  const hit = (a, b) => a.x0 < b.x1 && b.x0 < a.x1 && a.y0 < b.y1 && b.y0 < a.y1;
  let checked = 0;
  for (const p of st.placed) {
    const rows = p.runs.find((r) => r.role === "rows");
    const cols = p.runs.find((r) => r.role === "cols");
    if (!rows || !cols) continue;
    checked++;
    assert.ok(!hit(box(rows), box(cols)), `${p.title}: rows label ${JSON.stringify(box(rows))} overlaps cols label ${JSON.stringify(box(cols))}`);
    assert.ok(box(rows).y0 >= 0, `${p.title}: the rows label stays inside the stage`);
  }
  assert.equal(checked, 2);
  const input = st.inputs[0].runs.find((r) => r.role === "rows");
  const edge = Math.abs(input.to[1] - input.from[1]);
  assert.ok(labelWidth(input.parts.head + input.parts.name + input.parts.tail) > edge, "the case is a label longer than its edge");
  // a matrix with room: each label at its arrow's middle, 11 px (rows) or 10 px (cols) to the side
  const wide = buildStage({ tensors: [tensor("input", 0, [6, 8])], sources: [], k: [] }, { width: 700 });
  const [r, c] = ["rows", "cols"].map((role) => wide.inputs[0].runs.find((q) => q.role === role));
  assert.deepEqual(r.at, [r.from[0] - 11, (r.from[1] + r.to[1]) / 2]);
  assert.deepEqual(c.at, [(c.from[0] + c.to[0]) / 2, c.from[1] + 10]);
});

test("an output axis keeps the color of the input axis it came from", () => {
  const out = tensor("output", 0, [4, 2, 3], [2, 0, 1]);
  const inp = tensor("input", 0, [2, 3, 4]);
  assert.equal(runColor(out, 0), runColor(inp, 2));
  assert.equal(runColor(out, 1), runColor(inp, 0));
  const unsq = tensor("output", 0, [2, 1, 3], [0, null, 1]);
  assert.equal(runColor(unsq, 1), "#8a8f98", "a new axis among kept ones is neutral");
  assert.equal(runColor(unsq, 2), runColor(inp, 1));
});

test("the timeline reads as op and shapes, grouped by module", () => {
  const s = (op, module, ins, out, extra = {}) => ({
    index: 0, op, kind: "reshape", inputs: ins.map((shape) => ({ shape })), output: out ? { shape: out } : null,
    is_view: true, why: "", source: null, module, notes: [], error: null, ...extra,
  });
  assert.equal(shapesText(s("reshape", null, [[2, 3, 4]], [4, 6])), "[2, 3, 4] → [4, 6]");
  assert.equal(shapesText(s("add", null, [[2, 3], [3]], [2, 3], { kind: "elementwise" })), "[2, 3], [3] → [2, 3]");
  assert.equal(shapesText(s("view", null, [[12]], null, { error: { type: "RuntimeError", message: "bad" } })), "[12] ✗");
  assert.match(describeStep(s("reshape", null, [[2, 3]], [6])), /reshape \(reshape\): \[2, 3\] → \[6\], a view/);
  const groups = groupSteps([s("a", "m.0 (Conv2d)", [], null), s("b", "m.0 (Conv2d)", [], null), s("c", null, [], null), s("d", "m.1 (ReLU)", [], null)]);
  assert.deepEqual(groups, [{ module: "m.0 (Conv2d)", steps: [0, 1] }, { module: null, steps: [2] }, { module: "m.1 (ReLU)", steps: [3] }]);
});

test("a step's reply decodes: values per tensor, provenance per input (any buffer form)", () => {
  const vals = new Float32Array([1, 2, 3, 4, 5, 6]);
  const src = new Int32Array([0, 1, 2, 3, 4, 5]);
  // a Uint8Array view with a non-zero byteOffset, as some frontends hand buffers over
  const padded = new Uint8Array(4 + src.byteLength);
  padded.set(new Uint8Array(src.buffer), 4);
  const d = decodeStep({
    kind: "step", step: 3, mode: "exact", stagger: 0.6, notes: ["n"], value_kind: "float", travel_axes: false,
    tensors: [
      { role: "input", i: 0, shape: [2, 3], grid: [2, 3], steps: [1, 1], dims: ["", ""], origin: [0, 1], encoding: "float32", buffer: 0 },
      { role: "output", i: 0, shape: [6], grid: [6], steps: [1], dims: [""], origin: [null], encoding: "float32", buffer: null },
    ],
    sources: [{ k: 1, buffer: 1 }], winners: [null], broadcast: [false],
  }, [new DataView(vals.buffer), new Uint8Array(padded.buffer, 4, src.byteLength)]);
  assert.equal(d.step, 3);
  assert.deepEqual(Array.from(d.tensors[0].values.data), [1, 2, 3, 4, 5, 6]);
  assert.equal(d.tensors[1].values, null);
  assert.deepEqual(Array.from(d.sources[0]), [0, 1, 2, 3, 4, 5]);
  assert.deepEqual(d.tensors[1].origin, [null]);
  assert.deepEqual(d.notes, ["n"]);
});
