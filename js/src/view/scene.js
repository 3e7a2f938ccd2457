// Scene: what the picture shows for a tensor and a view state — faces to fetch and where they go, outlines,
// labels. No DOM here; picture.js paints a scene.
import {
  axisColor, axisLabelParts, cubeFaces, fitLabel, cubeGeometry, depthAxis, describePicture, outerLevels,
  placeOuter, planFace, planSegments, positionChipText, splitOuter, cubeOpts, outerCubeOpts,
} from "../layout.js";
import { formatSize } from "../format.js";
import { normalizeWindow, spanText, wholeWindow } from "../zoom.js";

/**
 * @typedef {import("../layout.js").Affine} Affine
 * @typedef {import("../protocol.js").FaceRequest} FaceRequest
 * @typedef {{req: FaceRequest, t: Affine, role: "front"|"top"|"side"|"flat"|"overview", cut: number, cells: boolean,
 *            cellPx: number, text: boolean, shade: number}} Slot
 * @typedef {{kind: "line"|"poly"|"rect", cls: string, pts?: number[][], x?: number, y?: number, w?: number,
 *            h?: number, text?: string, color?: string, anchor?: string, dash?: boolean}} Prim
 * @typedef {import("../layout.js").LabelParts} LabelParts
 * @typedef {{axis: number, text: string, parts: LabelParts, width: number, x: number, y: number, angle: number,
 *            role: string}} AxisLabel
 * @typedef {{text: string, x: number, y: number, cls: string, color?: string, anchor?: string}} Note
 * @typedef {{width: number, height: number, slots: Slot[], prims: Prim[], labels: AxisLabel[], notes: Note[],
 *            description: string, budget: [number, number], hatch: {t: Affine}[],
 *            legend?: {axis: number, text: string, parts: LabelParts, role: string}[],
 *            position?: PositionChip[], zoom: Zoom | null}} Scene
 * @typedef {{slot: number, extent: [number, number], window: import("../zoom.js").Window, zoomed: boolean}} Zoom
 *            the face that can be zoomed (a large 2-d face): its slot, its whole size and the window it shows
 * @typedef {{axis: number, text: string, parts: LabelParts, at: number, size: number}} PositionChip an outer axis
 *            beyond the grid's two: the grid shows the slice at index `at` of it
 */

const M = 34; // margin for an edge label

/**
 * @param {{shape: number[], dims: string[], faceAxes: number[], index: number[], values: boolean,
 *          window?: number[] | null, width?: number, focus?: number[] | null}} s `window`: the zoom window on the face
 *          (rows × columns), null for the whole face; `width`: room for the picture in CSS pixels (sizes the cubes of
 *          rank ≥ 4); `focus`: a full index the picture must show exactly (a long vector shows the cells around it)
 * @returns {Scene}
 */
export function buildScene(s) {
  const rank = s.shape.length;
  /** @type {Scene} */
  const scene = {
    width: 0, height: 0, slots: [], prims: [], labels: [], notes: [], hatch: [],
    description: describePicture(s.shape, s.faceAxes, s.dims, s.index), budget: [1, 1], zoom: null,
  };
  if (rank === 0) scalarScene(scene);
  else if (rank === 1) vectorScene(scene, s);
  else if (rank === 2) matrixScene(scene, s);
  else if (rank === 3) cubeScene(scene, s);
  else outerScene(scene, s);
  fitLabels(scene);
  if (!s.values) {
    scene.hatch = scene.slots.map((sl) => ({ t: sl.t }));
    scene.slots = [];
    scene.zoom = null;
  }
  if (scene.zoom && scene.zoom.zoomed) {
    const [r0, r1, c0, c1] = scene.zoom.window;
    const [H, W] = scene.zoom.extent;
    scene.description += `; zoomed in to ${spanText("rows", r0, r1, H)} and ${spanText("columns", c0, c1, W)}`;
  }
  scene.width = Math.ceil(scene.width);
  scene.height = Math.ceil(scene.height);
  return scene;
}

/** @param {number} axis @param {string[]} dims @param {number[]} shape */
const labelText = (axis, dims, shape) => axisLabelParts(axis, dims[axis], shape[axis]);

/**
 * Arrow along an edge (in the axis color) and the axis label beside it.
 * @param {Scene} scene
 * @param {number} axis
 * @param {LabelParts} parts
 * @param {number[]} from
 * @param {number[]} to
 * @param {number} side which side of the edge: +1 = to the left of the direction of travel, -1 = to the right
 * @param {number} [gap] distance of the arrow from the edge
 * @param {number} [dist] distance of the label's center from the arrow
 * @param {string} [role]
 */
function edgeLabel(scene, axis, parts, from, to, side, gap = 7, dist = 11, role = "") {
  const color = axisColor(axis);
  const dx = to[0] - from[0];
  const dy = to[1] - from[1];
  const len = Math.hypot(dx, dy) || 1;
  const ux = dx / len;
  const uy = dy / len;
  // unit normal pointing to the label side
  const nx = uy * side;
  const ny = -ux * side;
  const a = [from[0] + nx * gap, from[1] + ny * gap];
  const b = [to[0] + nx * gap, to[1] + ny * gap];
  scene.prims.push({ kind: "line", cls: "tv-arrow", pts: [a, b], color });
  const head = 4.5;
  scene.prims.push({
    kind: "poly", cls: "tv-arrowhead", color,
    pts: [[b[0] + ux * 2, b[1] + uy * 2], [b[0] - ux * head * 1.7 + nx * head, b[1] - uy * head * 1.7 + ny * head],
      [b[0] - ux * head * 1.7 - nx * head, b[1] - uy * head * 1.7 - ny * head]],
  });
  let angle = (Math.atan2(dy, dx) * 180) / Math.PI;
  if (angle > 90) angle -= 180;
  if (angle < -90) angle += 180;
  if (Math.abs(angle) > 80) angle = -90;
  const fit = fitLabel(parts, len, Math.abs(angle) < 1);
  let mid = [(a[0] + b[0]) / 2 + nx * dist, (a[1] + b[1]) / 2 + ny * dist];
  if (fit.level && Math.abs(angle) >= 1) {
    // too short an edge for text along it: write it level, beside the edge (above a slanted one)
    if (angle === -90) mid = [(a[0] + b[0]) / 2 + nx * (fit.width / 2 + 4), (a[1] + b[1]) / 2];
    else mid = [Math.max(b[0], (a[0] + b[0]) / 2), Math.min(a[1], b[1]) - 12];
    angle = 0;
  }
  // a level label never leaves the picture on the left or the top
  if (angle === 0) mid = [Math.max(mid[0], fit.width / 2 + 2), Math.max(mid[1], 9)];
  scene.labels.push({ axis, text: parts.head + parts.name + parts.tail, parts, width: fit.width, x: mid[0], y: mid[1], angle, role });
}

/**
 * Left margin needed by a rows label on a vertical edge of length h (level text when the edge is short).
 * @param {LabelParts} parts
 * @param {number} h
 * @param {number} base margin when the label fits upright
 */
function leftRoom(parts, h, base) {
  const fit = fitLabel(parts, h, false);
  return fit.level ? Math.max(base, fit.width + 20) : base;
}

/**
 * Grow the picture so that every label (as laid out, rotated) lies inside it on the right and at the bottom.
 * @param {Scene} scene
 */
function fitLabels(scene) {
  for (const L of scene.labels) {
    const r = (L.angle * Math.PI) / 180;
    const hw = (Math.abs(Math.cos(r)) * L.width + Math.abs(Math.sin(r)) * 16) / 2;
    const hh = (Math.abs(Math.sin(r)) * L.width + Math.abs(Math.cos(r)) * 16) / 2;
    scene.width = Math.max(scene.width, L.x + hw + 4);
    scene.height = Math.max(scene.height, L.y + hh + 4);
  }
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
  scene.notes.push({ text: "0-d: one value, no axes", x, y: y + size + 18, cls: "tv-tick", anchor: "start" });
  scene.width = Math.max(size + 16, 160);
  scene.height = size + 30;
  scene.budget = [1, 1];
}

/** @param {Scene} scene @param {{shape: number[], dims: string[], index: number[], focus?: number[] | null}} s */
function vectorScene(scene, s) {
  const n = s.shape[0];
  const { segments, gap } = planSegments(n, { focus: s.focus ? s.focus[0] : null });
  const shown = segments.reduce((p, [a, b]) => p + (b - a), 0);
  const plan = planFace(1, shown, { maxPx: 600, maxCell: 40, minCell: 4 });
  const cell = plan.cellW;
  const gapW = gap ? 64 : 0;
  const x0 = 12;
  const y0 = gap ? 22 : 10;
  let x = x0;
  const rowH = Math.max(cell, 10);
  segments.forEach(([a, b], i) => {
    if (i > 0) {
      scene.notes.push({ text: "⋯", x: x + gapW / 2, y: y0 + rowH / 2 + 5, cls: "tv-ellipsis", anchor: "middle" });
      scene.notes.push({ text: `${formatSize(segments[i][0] - segments[i - 1][1])} more`, x: x + gapW / 2, y: y0 - 8, cls: "tv-tick", anchor: "middle" });
      x += gapW;
    }
    const w = Math.max(b - a, 1) * cell; // an empty axis still shows one (empty) cell
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
  let y = y0 + rowH + (plan.cells ? 18 : 4);
  let budgetCols = shown;
  if (gap) {
    // every value, block-reduced, under the exact cells
    const w = x - x0;
    const h = 12;
    y += 14;
    scene.notes.push({ text: "all values", x: x0, y: y - 4, cls: "tv-tick", anchor: "start" });
    y += 2;
    scene.slots.push({
      req: { axes: [0], index: [0], window: null }, t: [w, 0, 0, h, x0, y], role: "overview", cut: 0, cells: false,
      cellPx: 1, text: false, shade: 0,
    });
    scene.prims.push({ kind: "rect", cls: "tv-outline tv-outline-thin", x: x0, y, w, h });
    scene.notes.push({ text: "0", x: x0, y: y + h + 12, cls: "tv-tick", anchor: "start" });
    scene.notes.push({ text: String(n - 1), x: x0 + w, y: y + h + 12, cls: "tv-tick", anchor: "end" });
    budgetCols = Math.max(budgetCols, Math.round(w));
    y += h + 22;
  }
  edgeLabel(scene, 0, labelText(0, s.dims, s.shape), [x0, y], [x, y], -1, 0, 12, "cols");
  scene.width = x + 12;
  scene.height = y + 28;
  scene.budget = [1, Math.min(budgetCols, 4096)];
}

/**
 * Label of a face axis: while zoomed, its size is followed by the span shown (`axis 0 · rows 1024–1535 of 2048`).
 * @param {number} axis
 * @param {string[]} dims
 * @param {number[]} shape
 * @param {"rows"|"columns"} what
 * @param {number[] | null} win the zoom window (null: the whole face)
 * @returns {LabelParts}
 */
function faceLabel(axis, dims, shape, what, win) {
  const k = what === "rows" ? 0 : 2;
  return axisLabelParts(axis, dims[axis], win ? spanText(what, win[k], win[k + 1], shape[axis]) : shape[axis]);
}

/**
 * The front face of a 2-d or 3-d picture and its zoom. The face is zoomable when the whole of it is a dense image
 * (not separate cells); `win` is the window shown (clamped; null for the whole face), `rows` × `cols` its size, the
 * labels say the span shown, and `zoom(slot)` is the scene's zoom state once the face is placed in that slot.
 * @param {{shape: number[], dims: string[], faceAxes: number[], window?: number[] | null}} s
 * @param {(rows: number, cols: number) => {maxPx?: number, maxCell?: number, minCell?: number, maxBudget?: number}} opts
 *        plan options for a rows × cols face
 */
function zoomedFace(s, opts) {
  const [ra, ca] = s.faceAxes;
  const H = s.shape[ra];
  const W = s.shape[ca];
  const zoomable = !planFace(H, W, opts(H, W)).cells && H > 1 && W > 1;
  const win = zoomable ? normalizeWindow(s.window, H, W) : null;
  return {
    win,
    rows: win ? win[1] - win[0] : H,
    cols: win ? win[3] - win[2] : W,
    rowsLabel: faceLabel(ra, s.dims, s.shape, "rows", win),
    colsLabel: faceLabel(ca, s.dims, s.shape, "columns", win),
    /** @param {number} slot @returns {Zoom | null} */
    zoom: (slot) => (zoomable ? { slot, extent: [H, W], window: win || wholeWindow(H, W), zoomed: !!win } : null),
  };
}

/** @param {Scene} scene @param {{shape: number[], dims: string[], faceAxes: number[], index: number[], window?: number[] | null}} s */
function matrixScene(scene, s) {
  const [ra, ca] = s.faceAxes;
  const opts = (/** @type {number} */ h, /** @type {number} */ w) => ({ maxPx: 340, maxCell: h <= 8 && w <= 8 ? 44 : 30, minCell: 4, maxBudget: 340 });
  const { win, rows, cols, rowsLabel, colsLabel, zoom } = zoomedFace(s, opts);
  const plan = planFace(rows, cols, opts(rows, cols));
  const first = win ? [win[0], win[2]] : [0, 0];
  const ticked = (plan.cells && plan.cellW >= 12 && rows > 0 && cols > 0) || !!win;
  const tickRoom = ticked ? String(first[0] + plan.rows - 1).length * 6.5 + 8 : 0;
  const x0 = leftRoom(rowsLabel, plan.h, 34) + tickRoom;
  const y0 = 8;
  scene.zoom = zoom(scene.slots.length);
  scene.slots.push({
    req: { axes: [ra, ca], index: s.index.map(() => 0), window: win }, t: [plan.w, 0, 0, plan.h, x0, y0],
    role: "flat", cut: 0, cells: plan.cells, cellPx: plan.cellW, text: plan.cells && plan.cellW >= 34, shade: 0,
  });
  scene.prims.push({ kind: "rect", cls: "tv-outline", x: x0, y: y0, w: plan.w, h: plan.h });
  if (ticked) ticks(scene, plan, x0, y0, first);
  const tickH = ticked ? 14 : 0;
  edgeLabel(scene, ra, rowsLabel, [x0, y0], [x0, y0 + plan.h], -1, 7 + tickRoom, 11, "rows");
  edgeLabel(scene, ca, colsLabel, [x0, y0 + plan.h], [x0 + plan.w, y0 + plan.h], -1, 7 + tickH, 12, "cols");
  scene.width = x0 + plan.w + 16;
  scene.height = y0 + plan.h + tickH + 40;
  scene.budget = plan.budget;
}

/**
 * Index numbers at the ends of a face's edges (first and last row/column).
 * @param {Scene} scene
 * @param {import("../layout.js").FacePlan} plan
 * @param {number} x0
 * @param {number} y0
 * @param {number[]} [first] index of the first row and column shown (a zoom window's start)
 */
function ticks(scene, plan, x0, y0, first = [0, 0]) {
  const [fr, fc] = first;
  // dense (zoomed) faces: the numbers sit at the ends of the edges, not on cell centres
  const ch = plan.cells ? plan.cellH / 2 : 0;
  const cw = plan.cells ? plan.cellW / 2 : 0;
  scene.notes.push({ text: String(fr), x: x0 - 4, y: y0 + Math.max(ch, 5) + 4, cls: "tv-tick", anchor: "end" });
  if (plan.rows > 1) scene.notes.push({ text: String(fr + plan.rows - 1), x: x0 - 4, y: y0 + plan.h - Math.max(ch, 5) + 4, cls: "tv-tick", anchor: "end" });
  scene.notes.push({ text: String(fc), x: x0 + cw, y: y0 + plan.h + 11, cls: "tv-tick", anchor: plan.cells ? "middle" : "start" });
  if (plan.cols > 1) scene.notes.push({ text: String(fc + plan.cols - 1), x: x0 + plan.w - cw, y: y0 + plan.h + 11, cls: "tv-tick", anchor: plan.cells ? "middle" : "end" });
}

/**
 * Slots, outlines (and cut-away wireframe) of one cube.
 * @param {Scene} scene
 * @param {import("../layout.js").CubeGeometry} g
 * @param {{ra: number, ca: number, da: number, index: number[], x: number, y: number, text: boolean,
 *          win?: import("../zoom.js").Window | null}} c `win`: the zoom window of the front face; the top and side faces
 *          then show the same columns and rows (at the window's first row and last column)
 * @returns {number} the slot of the front face
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
  const win = c.win || null;
  const D = g.depth;
  let frontSlot = -1;
  for (const f of faces) {
    /** @type {FaceRequest} */
    let req;
    if (f.role === "front") {
      req = { axes: [c.ra, c.ca], index: base, window: win };
      frontSlot = scene.slots.length;
    }
    else if (f.role === "top") {
      const idx = depthBase.slice();
      idx[c.ra] = win ? win[0] : 0; // the first row
      req = { axes: [c.da, c.ca], index: idx, window: win ? [0, D, win[2], win[3]] : null };
    } else {
      const idx = depthBase.slice();
      idx[c.ca] = win ? win[3] - 1 : cols - 1; // the last column
      req = { axes: [c.da, c.ra], index: idx, window: win ? [0, D, win[0], win[1]] : null };
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
    kind: "line", cls: "tv-edge", pts: [[fx, fy], [X + ex, Y], [X + ex + w, Y], [X + ex + w, Y + h], [fx + w, fy + h]],
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
  return frontSlot;
}

/** @param {Scene} scene @param {{shape: number[], dims: string[], faceAxes: number[], index: number[], window?: number[] | null}} s */
function cubeScene(scene, s) {
  const [ra, ca] = s.faceAxes;
  const da = depthAxis(3, s.faceAxes);
  const { win, rows, cols, rowsLabel, colsLabel, zoom } = zoomedFace(s, cubeOpts);
  const g = cubeGeometry(rows, cols, s.shape[da], cubeOpts(rows, cols));
  const x = leftRoom(rowsLabel, g.front.h, M + 8);
  const y = M + 4;
  scene.zoom = zoom(addCube(scene, g, { ra, ca, da, index: s.index, x, y, text: true, win }));
  const { ex, ey } = g;
  const { w, h } = g.front;
  edgeLabel(scene, da, labelText(da, s.dims, s.shape), [x, y + ey], [x + ex, y], 1, 7, 11, "depth");
  edgeLabel(scene, ra, rowsLabel, [x, y + ey], [x, y + ey + h], -1, 7, 11, "rows");
  edgeLabel(scene, ca, colsLabel, [x, y + ey + h], [x + w, y + ey + h], -1, 7, 12, "cols");
  scene.width = x + g.width + 16;
  scene.height = y + g.height + M + 8;
  scene.budget = g.budget;
}

/** @param {Scene} scene @param {{shape: number[], dims: string[], faceAxes: number[], index: number[], width?: number}} s */
function outerScene(scene, s) {
  const rank = s.shape.length;
  const [ra, ca] = s.faceAxes;
  const da = depthAxis(rank, s.faceAxes);
  // the innermost two outer axes lay out the grid of cubes; any others are fixed at their index (position chips)
  const { grid, fixed } = splitOuter(rank, s.faceAxes);
  const levels = outerLevels(s.shape, grid, s.index, 48);
  const count = levels.reduce((p, L) => p * L.entries.filter((e) => e !== null).length, 1);
  const perRow = levels[levels.length - 1].entries.length;
  const g = cubeGeometry(s.shape[ra], s.shape[ca], s.shape[da], outerCubeOpts(count, perRow, s.shape[ra], s.shape[ca], s.shape[da], s.width));
  const lay = placeOuter(levels, s.index, Math.ceil(g.width), Math.ceil(g.height));
  const hLevels = levels.filter((L) => L.dir === "h");
  const vLevels = levels.filter((L) => L.dir === "v");
  const top = hLevels.length * 30 + 6;
  const left = 8 + vLevels.length * 30;
  // outer-level labels: horizontal levels in rows above, vertical levels in columns on the left
  hLevels.forEach((L, i) => {
    const y = i * 30 + 26;
    edgeLabel(scene, L.axis, labelText(L.axis, s.dims, s.shape), [left, y], [left + Math.max(120, Math.min(lay.width, 260)), y], 1, 0, 10, "outer");
  });
  vLevels.forEach((L, i) => {
    const x = 26 + i * 30;
    edgeLabel(scene, L.axis, labelText(L.axis, s.dims, s.shape), [x, top], [x, top + Math.max(120, Math.min(lay.height, 260))], -1, 0, 10, "outer");
  });
  for (const b of lay.boxes) scene.prims.push({ kind: "rect", cls: "tv-group", x: left + b.x, y: top + b.y, w: b.w, h: b.h, color: axisColor(b.axis) });
  for (const c of lay.cubes) {
    const index = s.index.slice();
    levels.forEach((L, i) => { index[L.axis] = c.outer[i]; });
    if (c.selected) scene.prims.push({ kind: "rect", cls: "tv-selected", x: left + c.x - 5, y: top + c.y - 5, w: g.width + 10, h: g.height + 10 });
    addCube(scene, g, { ra, ca, da, index, x: left + c.x, y: top + c.y, text: true });
  }
  for (const t of lay.tags) scene.notes.push({ text: t.text, x: left + t.x, y: top + t.y + (t.anchor === "end" ? 4 : 0), cls: "tv-tag", color: axisColor(t.axis), anchor: t.anchor });
  for (const gm of lay.gaps) scene.notes.push({ text: gm.text, x: left + gm.x, y: top + gm.y + 5, cls: "tv-ellipsis", anchor: "middle" });
  // legend: what each small cube shows
  const legendItem = (/** @type {number} */ axis, /** @type {string} */ role) => {
    const parts = labelText(axis, s.dims, s.shape);
    return { axis, text: parts.head + parts.name + parts.tail, parts, role };
  };
  scene.legend = [legendItem(da, "depth"), legendItem(ra, "rows"), legendItem(ca, "cols")];
  if (fixed.length) {
    scene.position = fixed.map((axis) => ({
      axis, parts: labelText(axis, s.dims, s.shape), at: s.index[axis], size: s.shape[axis],
      text: positionChipText(axis, s.dims[axis], s.shape[axis], s.index[axis]),
    }));
  }
  scene.width = Math.max(left + lay.width + 12, 300);
  scene.height = top + lay.height + 8;
  scene.budget = g.budget;
}
