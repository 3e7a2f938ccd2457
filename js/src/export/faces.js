// A TensorView face as picture items: its cells in the colormap's colors (svg.js `cells`), and the values written in
// large cells as text, placed as picture.js places them. Pure (no DOM): tested in node with the real colormaps.
import { numberAt, rawAt } from "../decode.js";
import { formatValue } from "../format.js";
import { applyAffine } from "../layout.js";
import { inkFor, rgbCss, specialRgb } from "../colormap.js";

/**
 * @typedef {import("../view/scene.js").Slot} Slot
 * @typedef {import("../faces.js").FaceResult} FaceResult
 * @typedef {import("../colormap.js").Colormap} Colormap
 */

/**
 * Packed colors of every cell of a face, row-major.
 * @param {FaceResult} r
 * @param {Colormap} cmap
 * @param {"magnitude" | "phase"} part
 */
export function faceColors(r, cmap, part) {
  const face = r.values;
  const out = new Uint32Array(face.rows * face.cols);
  for (let i = 0; i < out.length; i++) out[i] = cmap.packed(numberAt(face, i, part));
  return out;
}

/** Whether a face holds one element per cell (not blocks). @param {FaceResult} r */
export const exactFace = (r) => !r.meta || !r.meta.step || (r.meta.step[0] === 1 && r.meta.step[1] === 1);

/**
 * A painted face as a cells item: where it is (the slot's transform), its colors, the rows cut away, the gap between
 * large cells and the shade of a cube's top and side.
 * @param {Slot} slot
 * @param {FaceResult} r
 * @param {Colormap} cmap
 * @param {"magnitude" | "phase"} part
 * @returns {import("./svg.js").CellsItem}
 */
export function faceItem(slot, r, cmap, part) {
  const { rows, cols } = r.values;
  const big = slot.cells && exactFace(r) && slot.cellPx >= 8;
  return {
    kind: "cells", t: slot.t, rows, cols, colors: faceColors(r, cmap, part),
    from: Math.min(rows, Math.round(slot.cut * rows)), gap: big ? 1 / slot.cellPx : 0, shade: slot.shade || 0,
    label: slot.role,
  };
}

/**
 * The values written inside a face's cells (as the picture writes them when they all fit): centred text in the ink
 * that reads on the cell's color.
 * @param {Slot} slot
 * @param {FaceResult} r
 * @param {Colormap} cmap
 * @param {"magnitude" | "phase"} part
 * @param {string} family monospace font family
 * @returns {import("./svg.js").TextItem[]}
 */
export function valueTexts(slot, r, cmap, part, family) {
  const face = r.values;
  const ch = slot.t[3] / face.rows;
  const size = Math.max(9, Math.min(13, Math.floor(ch * 0.36)));
  /** @type {import("./svg.js").TextItem[]} */
  const out = [];
  for (let i = 0; i < face.count; i++) {
    const y = Math.floor(i / face.cols);
    const x = i % face.cols;
    const [px, py] = applyAffine(slot.t, (x + 0.5) / face.cols, (y + 0.5) / face.rows);
    out.push({
      kind: "text", text: formatValue(rawAt(face, i), face.encoding), x: px, y: py, anchor: "middle", baseline: "middle",
      color: inkFor(cmap.rgb(numberAt(face, i, part))), font: { family, size },
    });
  }
  return out;
}

/** How many NaN/inf marks one face gets at most (as the picture draws them). */
const MAX_SPECIALS = 400;

/**
 * NaN and ±inf as the picture marks them (picture.js `paintSpecials`), as picture items: a glyph (`NaN`, `+∞`, `−∞`)
 * in large cells of a flat or front face when the values are not written out, a dot in the special color on a white
 * square in cells smaller than 4 px; nothing in between (the cell's own color shows it). Float faces only.
 * @param {Slot} slot
 * @param {FaceResult} r
 * @param {boolean} glyphs whether large cells may get a glyph (not when the values are written out)
 * @param {string} family font family of the glyphs
 * @returns {Array<import("./svg.js").TextItem | import("./svg.js").RectItem>}
 */
export function specialItems(slot, r, glyphs, family) {
  const face = r.values;
  if (!face || (face.encoding !== "float32" && face.encoding !== "float64")) return [];
  const [a, b, c, d] = slot.t;
  const cw = Math.hypot(a, b) / face.cols;
  const ch = Math.hypot(c, d) / face.rows;
  const small = Math.min(cw, ch) < 4;
  const glyph = !small && glyphs && Math.min(cw, ch) >= 18 && (slot.role === "flat" || slot.role === "front");
  if (!small && !glyph) return [];
  const fromRow = Math.min(face.rows, Math.round((slot.cut || 0) * face.rows));
  /** @type {Array<import("./svg.js").TextItem | import("./svg.js").RectItem>} */
  const out = [];
  let drawn = 0;
  for (let i = 0; i < face.count && drawn < MAX_SPECIALS; i++) {
    const v = /** @type {number} */ (face.data[i]);
    if (Number.isFinite(v)) continue;
    const y = Math.floor(i / face.cols);
    if (y < fromRow) continue;
    const x = i % face.cols;
    const [px, py] = applyAffine(slot.t, (x + 0.5) / face.cols, (y + 0.5) / face.rows);
    drawn++;
    if (glyph) {
      out.push({
        kind: "text", text: Number.isNaN(v) ? "NaN" : v > 0 ? "+∞" : "−∞", x: px, y: py, anchor: "middle",
        baseline: "middle", color: Number.isNaN(v) ? "#ffffff" : "rgba(20, 24, 32, 0.9)",
        font: { family, size: Math.min(13, Math.floor(ch * 0.4)), weight: 600 },
      });
    } else {
      out.push({ kind: "rect", x: px - 4, y: py - 4, w: 8, h: 8, fill: "#ffffff", fillOpacity: 0.9 });
      out.push({ kind: "rect", x: px - 3, y: py - 3, w: 6, h: 6, fill: rgbCss(/** @type {import("../colormap.js").RGB} */ (specialRgb(v))) });
    }
  }
  return out;
}
