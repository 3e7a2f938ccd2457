import { test } from "node:test";
import assert from "node:assert/strict";
import {
  AXIS_COLORS, axisColor, axisLabelText, axisLabelParts, fitLabel, labelMinWidth, LABEL_LEVEL_MAX, applyAffine, cellAt, cubeFaces, cubeGeometry, depthAxis, describePicture,
  invertAffine, normalizeFaceAxes, normalizeIndex, outerAxes, outerLevels, placeOuter, planFace, planSegments,
  positionChipText, splitOuter, visibleIndices, cubeOpts, outerCubeOpts, thumbSize, sliderValueText,
} from "../src/layout.js";

test("each axis keeps one color; neighbouring axes differ", () => {
  assert.equal(new Set(AXIS_COLORS).size, AXIS_COLORS.length);
  assert.equal(axisColor(2), axisColor(2));
  assert.equal(axisColor(12), axisColor(2));
  for (let i = 0; i < 9; i++) assert.notEqual(axisColor(i), axisColor(i + 1));
});

test("the label text is the axis number, its name when given, and its size", () => {
  assert.equal(axisLabelText(2, "W", 64), "axis 2 · W · 64");
  assert.equal(axisLabelText(0, "", 10000), "axis 0 · 10000");
});

test("an axis of 10000 shows its first and last cells with a gap between", () => {
  const v = visibleIndices(10000, 9, 0);
  assert.equal(v[0], 0);
  assert.equal(v.at(-1), 9999);
  assert.ok(v.includes(null), "a gap marks the hidden indices");
  assert.equal(v.filter((x) => x !== null).length, 9);
  const seg = planSegments(10000);
  assert.equal(seg.gap, true);
  assert.deepEqual(seg.segments[0], [0, 10]);
  assert.deepEqual(seg.segments[1], [9990, 10000]);
  assert.deepEqual(planSegments(12).segments, [[0, 12]]);
});

test("the selected index stays visible on a long axis", () => {
  const v = visibleIndices(100, 5, 50);
  assert.ok(v.includes(50));
  assert.ok(v.includes(0) && v.includes(99));
  assert.deepEqual(visibleIndices(4, 9, 2), [0, 1, 2, 3]);
});

test("small faces get separate readable cells; large faces become a dense image with a pixel budget", () => {
  const small = planFace(3, 4);
  assert.equal(small.cells, true);
  assert.ok(small.cellW >= 18 && small.cellW <= 28);
  assert.equal(small.cellW, small.cellH, "cells are square");
  assert.deepEqual(small.budget, [3, 4]);
  const big = planFace(2048, 2048, { maxPx: 256 });
  assert.equal(big.cells, false);
  assert.equal(big.w, 256);
  assert.deepEqual(big.budget, [256, 256]);
  const thin = planFace(3, 10000, { maxPx: 300, maxBudget: 512 });
  assert.ok(thin.h >= 20, "a 3-row face stays tall enough to see its rows");
  assert.deepEqual(thin.budget, [3, 300]);
});

test("face and depth axes: the depth is the highest axis not in the face", () => {
  assert.deepEqual(normalizeFaceAxes(3, null), [1, 2]);
  assert.deepEqual(normalizeFaceAxes(3, [0, 0]), [1, 2]);
  assert.deepEqual(normalizeFaceAxes(1, []), [0]);
  assert.equal(depthAxis(3, [1, 2]), 0);
  assert.equal(depthAxis(4, [0, 1]), 3);
  assert.deepEqual(outerAxes(5, [3, 4]), [0, 1]);
  assert.deepEqual(normalizeIndex([2, 3], [5, -1]), [1, 0]);
});

test("a 3-d layout puts the front face in front: painted last, lowest-left, and the others recede up-right", () => {
  const g = cubeGeometry(3, 4, 2);
  const { faces } = cubeFaces(g, 0, 0, 0);
  assert.deepEqual(faces.map((f) => f.role), ["top", "side", "front"]);
  const front = faces.find((f) => f.role === "front").t;
  const top = faces.find((f) => f.role === "top").t;
  const side = faces.find((f) => f.role === "side").t;
  const [fx, fy] = applyAffine(front, 0, 0);
  // front face: its top-left corner sits at the front of the top face, on the left of the box
  assert.deepEqual([fx, fy], applyAffine(top, 0, 0));
  assert.equal(fx, 0);
  // the back of the top face is up and to the right
  const [bx, by] = applyAffine(top, 0, 1);
  assert.ok(bx > fx && by < fy);
  // side face touches the front face's right edge
  assert.deepEqual(applyAffine(side, 0, 0), applyAffine(front, 1, 0));
  assert.deepEqual(applyAffine(side, 1, 0), applyAffine(front, 1, 1));
});

test("moving the depth index moves the front face back into the cube", () => {
  const g = cubeGeometry(3, 4, 10);
  const a = cubeFaces(g, 0);
  const b = cubeFaces(g, 5);
  const fa = applyAffine(a.faces[2].t, 0, 0);
  const fb = applyAffine(b.faces[2].t, 0, 0);
  assert.ok(fb[0] > fa[0] && fb[1] < fa[1]);
  assert.equal(b.cut, 0.5);
  assert.equal(a.cut, 0);
});

test("hit-testing inverts each face's transform", () => {
  const g = cubeGeometry(3, 4, 5);
  for (const { t } of cubeFaces(g, 2, 10, 20).faces) {
    const [x, y] = applyAffine(t, 0.3, 0.7);
    const [u, v] = invertAffine(t, x, y);
    assert.ok(Math.abs(u - 0.3) < 1e-9 && Math.abs(v - 0.7) < 1e-9);
  }
  assert.deepEqual(cellAt(0.3, 0.7, 3, 4), [2, 1]);
  assert.equal(cellAt(1.2, 0.5, 3, 4), null);
});

test("rank >= 4: at most 48 cubes, long outer axes keep first and last with an ellipsis", () => {
  const shape = [100, 50, 3, 8, 8];
  const levels = outerLevels(shape, [0, 1], [0, 0, 0, 0, 0], 48);
  const count = levels.reduce((p, L) => p * L.entries.filter((e) => e !== null).length, 1);
  assert.ok(count <= 48, `${count} cubes`);
  for (const L of levels) {
    assert.ok(L.entries.includes(null));
    assert.equal(L.entries.find((e) => e !== null), 0);
    assert.equal(L.entries.at(-1), shape[L.axis] - 1);
  }
  // innermost outer axis horizontal, the next vertical
  assert.equal(levels[1].dir, "h");
  assert.equal(levels[0].dir, "v");
});

test("nested outer axes: cubes are placed without overlap and the selected one is marked", () => {
  const shape = [2, 3, 4, 5, 6, 7];
  const index = [1, 2, 0, 0, 0, 0];
  const levels = outerLevels(shape, [0, 1, 2], index, 48);
  const lay = placeOuter(levels, index, 40, 30);
  assert.equal(lay.cubes.length, 2 * 3 * 4);
  assert.equal(lay.cubes.filter((c) => c.selected).length, 1);
  assert.deepEqual(lay.cubes.find((c) => c.selected).outer, [1, 2, 0]);
  for (let i = 0; i < lay.cubes.length; i++) {
    for (let j = i + 1; j < lay.cubes.length; j++) {
      const a = lay.cubes[i];
      const b = lay.cubes[j];
      assert.ok(Math.abs(a.x - b.x) >= 40 || Math.abs(a.y - b.y) >= 30, "cubes overlap");
    }
  }
  assert.ok(lay.boxes.length === 2, "the third level groups with a box");
  assert.ok(lay.width > 0 && lay.height > 0);
});

test("every picture has a text description", () => {
  assert.equal(describePicture([2, 3, 4], [1, 2]), "3-d cube: 2 matrices (axis 0) of 3 rows (axis 1) × 4 columns (axis 2)");
  assert.equal(describePicture([], []), "0-d tensor: a single value");
  assert.match(describePicture([5], [0], ["T"]), /5 elements \(axis 0 T\)/);
  assert.match(describePicture([2, 3, 4, 5], [2, 3]), /^4-d: 2 \(axis 0\) cubes/);
});

test("an axis label's parts: only the name may be cut; head and tail hold the axis number and size", () => {
  assert.deepEqual(axisLabelParts(0, "batch", 4), { head: "axis 0 · ", name: "batch", tail: " · 4" });
  assert.deepEqual(axisLabelParts(3, "", 7), { head: "axis 3 · 7", name: "", tail: "" });
});

test("a label goes along an edge long enough for its narrowest form, its width cut to the edge", () => {
  const p = axisLabelParts(0, "batch_of_images_from_loader", 4);
  const fit = fitLabel(p, 200, false);
  assert.equal(fit.level, false);
  assert.ok(fit.width <= 200 && fit.width >= labelMinWidth(p));
  const short = fitLabel(p, 40, false);
  assert.equal(short.level, true, "too short an edge: level text");
  assert.ok(short.width <= LABEL_LEVEL_MAX);
  assert.ok(short.width >= labelMinWidth(p), "never narrower than head, a bit of the name and the tail");
  const plain = fitLabel(axisLabelParts(1, "", 32), 300, false);
  assert.equal(plain.level, false);
});

test("outer axes: the innermost two make the grid, the rest are fixed at their index", () => {
  assert.deepEqual(splitOuter(4, [2, 3]), { grid: [0], fixed: [] });
  assert.deepEqual(splitOuter(5, [3, 4]), { grid: [0, 1], fixed: [] });
  assert.deepEqual(splitOuter(6, [4, 5]), { grid: [1, 2], fixed: [0] });
  assert.deepEqual(splitOuter(10, [8, 9]), { grid: [5, 6], fixed: [0, 1, 2, 3, 4] });
  // other face axes: the grid axes are the outer ones right before the depth axis
  assert.deepEqual(splitOuter(6, [0, 1]), { grid: [3, 4], fixed: [2] });
  assert.deepEqual(splitOuter(3, [1, 2]), { grid: [], fixed: [] });
  assert.equal(positionChipText(0, "N", 2, 1), "axis 0 · N · 2 = [1]");
  assert.equal(positionChipText(3, "", 40, 17), "axis 3 · 40 = [17]");
});

test("the description of a rank >= 6 picture names the slice its cubes show", () => {
  assert.equal(
    describePicture([2, 3, 4, 5], [2, 3], ["N", "C", "H", "W"]),
    "4-d: 2 (axis 0 N) cubes, each 3 matrices (axis 1 C) of 4 rows (axis 2 H) × 5 columns (axis 3 W)",
  );
  assert.equal(
    describePicture([2, 2, 3, 2, 4, 5], [4, 5], [], [1, 0, 2, 0, 0, 0]),
    "6-d: 2 (axis 1) × 3 (axis 2) cubes for axis 0 = 1; each 2 matrices (axis 3) of 4 rows (axis 4) × 5 columns (axis 5)",
  );
});

test("a few cubes of rank ≥ 4 are as large as a lone 3-d cube", () => {
  for (const count of [1, 2, 3]) {
    assert.deepEqual(outerCubeOpts(count, count, 1, 3, 2, 640), cubeOpts(1, 3));
    assert.deepEqual(outerCubeOpts(count, count, 16, 16, 3, 1400), cubeOpts(16, 16));
  }
  // the same cells as the 3-d cube: values fit in them (34 px or more)
  assert.ok(cubeGeometry(1, 3, 2, outerCubeOpts(1, 1, 1, 3, 2, 640)).front.cellW >= 34);
});

test("cubes of rank ≥ 4 shrink step by step with their count, down to thumbnails", () => {
  const sides = [1, 3, 4, 6, 9, 12, 16, 24, 32, 48].map(thumbSize);
  for (let i = 1; i < sides.length; i++) assert.ok(sides[i] <= sides[i - 1], `count step ${i}`);
  assert.equal(thumbSize(1), cubeOpts(4, 4).maxPx);
  assert.ok(thumbSize(48) <= 48);
  // with room to spare the side follows the count only
  assert.equal(outerCubeOpts(12, 3, 16, 16, 3, 5000).maxPx, thumbSize(12));
  // smaller cubes get smaller cells (never under 14 px caps) and may show 2 px cells
  const small = outerCubeOpts(48, 12, 4, 4, 3, 5000);
  assert.ok(small.maxCell >= 14 && small.maxCell < cubeOpts(4, 4).maxCell);
  assert.equal(small.minCell, 2);
  assert.ok(small.maxDepthPx < small.maxPx);
});

test("cubes of rank ≥ 4 fit the room: a row of them stays within the width", () => {
  for (const [count, perRow] of [[1, 1], [3, 3], [6, 3], [12, 3], [24, 12], [48, 12]]) {
    for (const width of [320, 450, 640, 900]) {
      const o = outerCubeOpts(count, perRow, 16, 16, 3, width);
      const g = cubeGeometry(16, 16, 3, o);
      assert.ok(o.maxPx <= thumbSize(count));
      if (o.maxPx > 24) assert.ok(perRow * g.width <= width - 48, `${count} cubes, ${perRow} a row, ${width} px: ${g.width}`);
    }
  }
  // narrower room: never larger cubes
  assert.ok(outerCubeOpts(3, 3, 4, 4, 3, 450).maxPx <= outerCubeOpts(3, 3, 4, 4, 3, 900).maxPx);
  // the README picture [4, 3, 16, 16] (4 cubes in a row) stays at least as large as its old 96 px thumbnails
  assert.ok(outerCubeOpts(4, 4, 16, 16, 3, 864).maxPx >= 96);
});

test("slider value text: index of last index, or the length-1 hint", () => {
  assert.equal(sliderValueText(2, 16), "2 / 15");
  assert.equal(sliderValueText(0, 2), "0 / 1");
  assert.equal(sliderValueText(0, 1), "length 1");
  assert.equal(sliderValueText(0, 0), "empty");
});
