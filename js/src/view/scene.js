// Scene: what the picture shows for a tensor and a view state — faces to fetch and where they go, outlines,
// labels. No DOM here; picture.js paints a scene.
import {
  axisColor, axisLabelText, cubeFaces, cubeGeometry, depthAxis, describePicture, outerAxes, outerLevels,
  placeOuter, planFace, planSegments, thumbSize,
} from "../layout.js";
import { formatSize } from "../format.js";

/**
 * @typedef {import("../layout.js").Affine} Affine
 * @typedef {import("../protocol.js").FaceRequest} FaceRequest
 * @typedef {{req: FaceRequest, t: Affine, role: "front"|"top"|"side"|"flat"|"overview", cut: number, cells: boolean,
 *            cellPx: number, text: boolean, shade: number}} Slot
 * @typedef {{kind: "line"|"poly"|"rect"|"text", cls: string, pts?: number[][], x?: number, y?: number, w?: number,
 *            h?: number, text?: string, color?: string, anchor?: string, dash?: boolean}} Prim
 * @typedef {{axis: number, text: string, x: number, y: number, angle: number, role: string}} AxisLabel
 * @typedef {{text: string, x: number, y: number, cls: string, color?: string, anchor?: string}} Note
 * @typedef {{width: number, height: number, slots: Slot[], prims: Prim[], labels: AxisLabel[], notes: Note[],
 *            description: string, budget: [number, number], hatch: {t: Affine}[],
 *            legend?: {axis: number, text: string, role: string}[]}} Scene
 */

const M = 30; // margin for an edge label

/**
 * @param {{shape: number[], dims: string[], faceAxes: number[], index: number[], values: boolean}} s
 * @returns {Scene}
 */
export function buildScene(s) {
  const rank = s.shape.length;
  /** @type {Scene} */
  const scene = {
    width: 0, height: 0, slots: [], prims: [], labels: [], notes: [], hatch: [],
    description: describePicture(s.shape, s.faceAxes, s.dims), budget: [1, 1],
  };
  if (rank === 0) scalarScene(scene);
  else if (rank === 1) vectorScene(scene, s);
  else if (rank === 2) matrixScene(scene, s);
  else if (rank === 3) cubeScene(scene, s);
  else outerScene(scene, s);
  if (!s.values) {
    scene.hatch = scene.slots.map((sl) => ({ t: sl.t }));
    scene.slots = [];
  }
  scene.width = Math.ceil(scene.width);
  scene.height = Math.ceil(scene.height);
  return scene;
}

/** @param {number} axis @param {string[]} dims @param {number[]} shape */
const labelText = (axis, dims, shape) => axisLabelText(axis, dims[axis], shape[axis]);

/**
 * Arrow along an edge (in the axis color) and the axis label beside it.
 * @param {Scene} scene
 * @param {number} axis
 * @param {string} text
 * @param {number[]} from
 * @param {number[]} to
 * @param {number} offset distance of the label from the edge (sign: which side)
 * @param {string} role
 */
function edgeLabel(scene, axis, text, from, to, offset, role) {
  const color = axisColor(axis);
  const dx = to[0] - from[0];
  const dy = to[1] - from[1];
  const len = Math.hypot(dx, dy) || 1;
  const ux = dx / len;
  const uy = dy / len;
  // normal pointing to the label side
  const nx = uy * Math.sign(offset);
  const ny = -ux * Math.sign(offset);
  const gap = 7;
  const a = [from[0] + nx * gap, from[1] + ny * gap];
  const b = [to[0] + nx * gap, to[1] + ny * gap];
  scene.prims.push({ kind: "line", cls: "tv-arrow", pts: [a, b], color });
  const head = 5;
  scene.prims.push({
    kind: "poly", cls: "tv-arrowhead", color,
    pts: [b, [b[0] - ux * head * 1.6 + nx * head * 0.8, b[1] - uy * head * 1.6 + ny * head * 0.8],
      [b[0] - ux * head * 1.6 - nx * head * 0.8, b[1] - uy * head * 1.6 - ny * head * 0.8]],
  });
  let angle = (Math.atan2(dy, dx) * 180) / Math.PI;
  if (angle > 90) angle -= 180;
  if (angle < -90) angle += 180;
  if (Math.abs(angle) > 80) angle = -90;
  const mid = [(a[0] + b[0]) / 2 + nx * Math.abs(offset) * 0.55, (a[1] + b[1]) / 2 + ny * Math.abs(offset) * 0.55];
  scene.labels.push({ axis, text, x: mid[0], y: mid[1], angle, role });
}

/** @param {Scene} scene */
function scalarScene(scene) {
  const size = 64;
  const x = 8;
  const y = 8;
  scene.slots.push({
    req: { axes: [], index: [], window: null }, t: [size, 0, 0, size, x, y], role: "flat", cut: 0, cells: true,
    cellPx: size, text: true, shade: 0,
  });
  scene.prims.push({ kind: "rect", cls: "tv-outline", x, y, w: size, h: size });
  scene.notes.push({ text: "0-d · one value", x: x + size / 2, y: y + size + 18, cls: "tv-tag", anchor: "middle" });
  scene.width = size + 16;
  scene.height = size + 30;
  scene.budget = [1, 1];
}

/** @param {Scene} scene @param {{shape: number[], dims: string[], index: number[]}} s */
function vectorScene(scene, s) {
  const n = s.shape[0];
  const { segments, gap } = planSegments(n);
  const shown = segments.reduce((p, [a, b]) => p + (b - a), 0);
  const plan = planFace(1, shown, { maxPx: 600, maxCell: 40, minCell: 4 });
  const cell = plan.cellW;
  const gapW = gap ? 44 : 0;
  const x0 = 12;
  const y0 = 10;
  let x = x0;
  const rowH = Math.max(cell, 10);
  segments.forEach(([a, b], i) => {
    if (i > 0) {
      scene.notes.push({ text: "⋯", x: x + gapW / 2, y: y0 + rowH / 2 + 5, cls: "tv-ellipsis", anchor: "middle" });
      scene.notes.push({ text: `${formatSize(segments[i][0] - segments[i - 1][1])} more`, x: x + gapW / 2, y: y0 + rowH + 13, cls: "tv-tick", anchor: "middle" });
      x += gapW;
    }
    const w = (b - a) * cell;
    scene.slots.push({
      req: { axes: [0], index: [0], window: gap ? [0, 1, a, b] : null }, t: [w, 0, 0, rowH, x, y0], role: "flat",
      cut: 0, cells: plan.cells, cellPx: cell, text: plan.cells && cell >= 34, shade: 0,
    });
    scene.prims.push({ kind: "rect", cls: "tv-outline", x, y: y0, w, h: rowH });
    if (plan.cells) {
      scene.notes.push({ text: String(a), x: x + cell / 2, y: y0 + rowH + 13, cls: "tv-tick", anchor: "middle" });
      if (b - a > 1) scene.notes.push({ text: String(b - 1), x: x + w - cell / 2, y: y0 + rowH + 13, cls: "tv-tick", anchor: "middle" });
    }
    x += w;
  });
  let y = y0 + rowH + 18;
  let budgetCols = shown;
  if (gap) {
    const w = x - x0;
    const h = 10;
    y += 4;
    scene.slots.push({
      req: { axes: [0], index: [0], window: null }, t: [w, 0, 0, h, x0, y], role: "overview", cut: 0, cells: false,
      cellPx: 1, text: false, shade: 0,
    });
    scene.prims.push({ kind: "rect", cls: "tv-outline tv-outline-thin", x: x0, y, w, h });
    scene.notes.push({ text: "0", x: x0, y: y + h + 12, cls: "tv-tick", anchor: "start" });
    scene.notes.push({ text: String(n - 1), x: x0 + w, y: y + h + 12, cls: "tv-tick", anchor: "end" });
    scene.notes.push({ text: "all values, block-reduced", x: x0 + w / 2, y: y + h + 12, cls: "tv-tick", anchor: "middle" });
    budgetCols = Math.max(budgetCols, Math.round(w));
    y += h + 16;
  }
  edgeLabel(scene, 0, labelText(0, s.dims, s.shape), [x0, y], [x, y], -M, "cols");
  scene.width = x + 12;
  scene.height = y + M + 4;
  scene.budget = [1, Math.min(budgetCols, 4096)];
}

/** @param {Scene} scene @param {{shape: number[], dims: string[], faceAxes: number[], index: number[]}} s */
function matrixScene(scene, s) {
  const [ra, ca] = s.faceAxes;
  const H = s.shape[ra];
  const W = s.shape[ca];
  const plan = planFace(H, W, { maxPx: 340, maxCell: H <= 8 && W <= 8 ? 44 : 30, minCell: 4, maxBudget: 340 });
  const x0 = M + 8;
  const y0 = 8;
  scene.slots.push({
    req: { axes: [ra, ca], index: s.index.map(() => 0), window: null }, t: [plan.w, 0, 0, plan.h, x0, y0],
    role: "flat", cut: 0, cells: plan.cells, cellPx: plan.cellW, text: plan.cells && plan.cellW >= 34, shade: 0,
  });
  scene.prims.push({ kind: "rect", cls: "tv-outline", x: x0, y: y0, w: plan.w, h: plan.h });
  ticks(scene, plan, x0, y0);
  edgeLabel(scene, ra, labelText(ra, s.dims, s.shape), [x0, y0], [x0, y0 + plan.h], M, "rows");
  edgeLabel(scene, ca, labelText(ca, s.dims, s.shape), [x0, y0 + plan.h + 12], [x0 + plan.w, y0 + plan.h + 12], -M, "cols");
  scene.width = x0 + plan.w + 16;
  scene.height = y0 + plan.h + 12 + M + 6;
  scene.budget = plan.budget;
}

/**
 * Index numbers at the ends of a face's edges (first and last row/column).
 * @param {Scene} scene
 * @param {import("../layout.js").FacePlan} plan
 * @param {number} x0
 * @param {number} y0
 */
function ticks(scene, plan, x0, y0) {
  if (!plan.cells || plan.cellW < 12) return;
  scene.notes.push({ text: "0", x: x0 - 4, y: y0 + plan.cellH / 2 + 4, cls: "tv-tick", anchor: "end" });
  if (plan.rows > 1) scene.notes.push({ text: String(plan.rows - 1), x: x0 - 4, y: y0 + plan.h - plan.cellH / 2 + 4, cls: "tv-tick", anchor: "end" });
  scene.notes.push({ text: "0", x: x0 + plan.cellW / 2, y: y0 + plan.h + 11, cls: "tv-tick", anchor: "middle" });
  if (plan.cols > 1) scene.notes.push({ text: String(plan.cols - 1), x: x0 + plan.w - plan.cellW / 2, y: y0 + plan.h + 11, cls: "tv-tick", anchor: "middle" });
}

/**
 * Slots, outlines (and cut-away wireframe) of one cube.
 * @param {Scene} scene
 * @param {import("../layout.js").CubeGeometry} g
 * @param {{ra: number, ca: number, da: number, index: number[], x: number, y: number, text: boolean}} c
 */
function addCube(scene, g, c) {
  const { faces, cut } = cubeFaces(g, c.index[c.da], c.x, c.y);
  const base = c.index.slice();
  base[c.ra] = 0;
  base[c.ca] = 0;
  const depthBase = base.slice();
  depthBase[c.da] = 0;
  const { w, h } = g.front;
  const cols = g.front.cols;
  for (const f of faces) {
    /** @type {FaceRequest} */
    let req;
    if (f.role === "front") req = { axes: [c.ra, c.ca], index: base, window: null };
    else if (f.role === "top") {
      const idx = depthBase.slice();
      idx[c.ra] = 0; // the first row
      req = { axes: [c.da, c.ca], index: idx, window: null };
    } else {
      const idx = depthBase.slice();
      idx[c.ca] = cols - 1; // the last column
      req = { axes: [c.da, c.ra], index: idx, window: null };
    }
    scene.slots.push({
      req, t: f.t, role: f.role, cut: f.role === "front" ? 0 : cut, cells: g.front.cells,
      cellPx: g.front.cellW, text: f.role === "front" && c.text && g.front.cells && g.front.cellW >= 34,
      shade: f.role === "top" ? 0.1 : f.role === "side" ? -0.14 : 0,
    });
  }
  const { ex, ey } = g;
  const X = c.x;
  const Y = c.y;
  const fx = X + cut * ex;
  const fy = Y + ey - cut * ey;
  // back outline of the solid part
  scene.prims.push({
    kind: "poly", cls: "tv-edge", pts: [[fx, fy], [X + ex, Y], [X + ex + w, Y], [X + ex + w, Y + h], [fx + w, fy + h]],
  });
  scene.prims.push({ kind: "line", cls: "tv-edge", pts: [[fx + w, fy], [X + ex + w, Y]] });
  scene.prims.push({ kind: "rect", cls: "tv-outline", x: fx, y: fy, w, h });
  if (cut > 0) {
    // the part in front of the selected depth: a light wireframe
    scene.prims.push({ kind: "poly", cls: "tv-wire", pts: [[X, Y + ey], [X + w, Y + ey], [X + w, Y + ey + h], [X, Y + ey + h]] });
    scene.prims.push({ kind: "line", cls: "tv-wire", pts: [[X, Y + ey], [fx, fy]] });
    scene.prims.push({ kind: "line", cls: "tv-wire", pts: [[X + w, Y + ey], [fx + w, fy]] });
    scene.prims.push({ kind: "line", cls: "tv-wire", pts: [[X + w, Y + ey + h], [fx + w, fy + h]] });
    scene.prims.push({ kind: "line", cls: "tv-wire", pts: [[X, Y + ey + h], [fx, fy + h]] });
  }
}

/** @param {Scene} scene @param {{shape: number[], dims: string[], faceAxes: number[], index: number[]}} s */
function cubeScene(scene, s) {
  const [ra, ca] = s.faceAxes;
  const da = depthAxis(3, s.faceAxes);
  const g = cubeGeometry(s.shape[ra], s.shape[ca], s.shape[da], {
    maxPx: 260, maxCell: s.shape[ra] <= 6 && s.shape[ca] <= 6 ? 40 : 28, minCell: 4, maxBudget: 260, maxDepthPx: 150,
  });
  const x = M + 8;
  const y = M + 4;
  addCube(scene, g, { ra, ca, da, index: s.index, x, y, text: true });
  const { ex, ey } = g;
  const { w, h } = g.front;
  edgeLabel(scene, da, labelText(da, s.dims, s.shape), [x, y + ey], [x + ex, y], M * 0.8, "depth");
  edgeLabel(scene, ra, labelText(ra, s.dims, s.shape), [x, y + ey], [x, y + ey + h], M, "rows");
  edgeLabel(scene, ca, labelText(ca, s.dims, s.shape), [x, y + ey + h], [x + w, y + ey + h], -M, "cols");
  scene.notes.push({
    text: `${s.index[da]}`, x: x + (s.shape[da] > 0 ? s.index[da] / s.shape[da] : 0) * ex + 3,
    y: y + ey - (s.shape[da] > 0 ? s.index[da] / s.shape[da] : 0) * ey - 4, cls: "tv-depth-tag", color: axisColor(da), anchor: "start",
  });
  scene.width = x + g.width + 16;
  scene.height = y + g.height + M + 8;
  scene.budget = g.budget;
}

/** @param {Scene} scene @param {{shape: number[], dims: string[], faceAxes: number[], index: number[]}} s */
function outerScene(scene, s) {
  const rank = s.shape.length;
  const [ra, ca] = s.faceAxes;
  const da = depthAxis(rank, s.faceAxes);
  const outs = outerAxes(rank, s.faceAxes);
  const levels = outerLevels(s.shape, outs, s.index, 48);
  const count = levels.reduce((p, L) => p * L.entries.filter((e) => e !== null).length, 1);
  const side = thumbSize(count);
  const g = cubeGeometry(s.shape[ra], s.shape[ca], s.shape[da], {
    maxPx: side, maxCell: 14, minCell: 2, maxBudget: Math.max(16, side), maxDepthPx: side * 0.6,
  });
  const lay = placeOuter(levels, s.index, Math.ceil(g.width), Math.ceil(g.height));
  const hLevels = levels.filter((L) => L.dir === "h");
  const vLevels = levels.filter((L) => L.dir === "v");
  const legendH = 30;
  const top = legendH + hLevels.length * 24 + 4;
  const left = 10 + vLevels.length * 26;
  // outer-level labels: horizontal levels in rows above, vertical levels in columns on the left
  hLevels.forEach((L, i) => {
    const y = legendH + i * 24 + 14;
    edgeLabel(scene, L.axis, labelText(L.axis, s.dims, s.shape), [left, y], [left + Math.min(lay.width, 220), y], -0.01, "outer");
  });
  vLevels.forEach((L, i) => {
    const x = 12 + i * 26;
    edgeLabel(scene, L.axis, labelText(L.axis, s.dims, s.shape), [x, top], [x, top + Math.min(lay.height, 220)], 0.01, "outer");
  });
  for (const b of lay.boxes) scene.prims.push({ kind: "rect", cls: "tv-group", x: left + b.x, y: top + b.y, w: b.w, h: b.h, color: axisColor(b.axis) });
  for (const c of lay.cubes) {
    const index = s.index.slice();
    levels.forEach((L, i) => { index[L.axis] = c.outer[i]; });
    if (c.selected) scene.prims.push({ kind: "rect", cls: "tv-selected", x: left + c.x - 5, y: top + c.y - 5, w: g.width + 10, h: g.height + 10 });
    addCube(scene, g, { ra, ca, da, index, x: left + c.x, y: top + c.y, text: false });
  }
  for (const t of lay.tags) scene.notes.push({ text: t.text, x: left + t.x, y: top + t.y + (t.anchor === "end" ? 4 : 0), cls: "tv-tag", color: axisColor(t.axis), anchor: t.anchor });
  for (const gm of lay.gaps) scene.notes.push({ text: gm.text, x: left + gm.x, y: top + gm.y + 5, cls: "tv-ellipsis", anchor: "middle" });
  // legend: what each small cube shows
  scene.legend = [
    { axis: da, text: labelText(da, s.dims, s.shape), role: "depth" },
    { axis: ra, text: labelText(ra, s.dims, s.shape), role: "rows" },
    { axis: ca, text: labelText(ca, s.dims, s.shape), role: "cols" },
  ];
  scene.width = Math.max(left + lay.width + 12, 420);
  scene.height = top + lay.height + 8;
  scene.budget = g.budget;
}
