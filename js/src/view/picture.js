// Paints a scene: SVG for outlines and text, Canvas 2D for cells, HTML for the axis labels.
// Keeps each painted face's transform for hit-testing.
import { applyAffine, axisColor, cellAt, invertAffine, LABEL_LEVEL_MAX } from "../layout.js";
import { inkFor } from "../colormap.js";
import { numberAt, rawAt } from "../decode.js";
import { drawItems } from "../export/draw.js";
import { specialItems } from "../export/faces.js";
import { formatBlock, formatCompact, formatCount, formatValue, sampleText } from "../format.js";

const SVG_NS = "http://www.w3.org/2000/svg";

/**
 * @typedef {import("./scene.js").Scene} Scene
 * @typedef {import("./scene.js").Slot} Slot
 * @typedef {import("../faces.js").FaceResult} FaceResult
 * @typedef {import("../colormap.js").Colormap} Colormap
 * @typedef {{slot: Slot, result: FaceResult, wrote?: boolean}} Painted
 * @typedef {{index: string, value: string, block: boolean, label: string, extent: string}} Hit
 */

/**
 * @param {string} tag
 * @param {Record<string, string | number>} attrs
 */
function svg(tag, attrs) {
  const el = document.createElementNS(SVG_NS, tag);
  for (const [k, v] of Object.entries(attrs)) el.setAttribute(k, String(v));
  return el;
}

/**
 * @param {string} tag
 * @param {string} cls
 * @param {string} [text]
 */
export function h(tag, cls, text) {
  const el = document.createElement(tag);
  if (cls) el.className = cls;
  if (text !== undefined) el.textContent = text;
  return el;
}

/**
 * An axis label element (`data-axis`): its text is the full label; on screen only the name is cut short (with an
 * ellipsis) when the label would be wider than `maxW`, so the axis number and size always show.
 * @param {number} axis
 * @param {import("../layout.js").LabelParts} parts
 * @param {string} cls
 * @param {number} maxW CSS pixels
 */
export function axisLabel(axis, parts, cls, maxW) {
  const el = h("span", cls);
  el.dataset.axis = String(axis);
  el.style.color = axisColor(axis);
  const full = parts.head + parts.name + parts.tail;
  el.title = full;
  el.append(h("span", "tv-axis-fixed", parts.head));
  if (parts.name) {
    const name = h("span", "tv-axis-name", parts.name);
    // however narrow, a cut name keeps its first letter before the ellipsis
    if (parts.name.length > 2) name.style.minWidth = "1.6em";
    el.append(name, h("span", "tv-axis-fixed", parts.tail));
    // a little slack over the layout's estimate (digits run wider than its average letter, and a zoomed face's label
    // holds many): the name is cut only when it really does not fit
    const digits = (full.match(/[0-9–]/g) || []).length;
    el.style.maxWidth = `${Math.ceil(maxW + 2 + digits * 0.8)}px`;
  }
  return el;
}

/** Read a theme color from CSS variables, with a fallback. */
function themeColor(/** @type {Element} */ el, /** @type {string} */ name, /** @type {string} */ fallback) {
  const v = getComputedStyle(el).getPropertyValue(name).trim();
  return v || fallback;
}

export class Picture {
  constructor() {
    this.el = h("div", "tv-picture");
    this.el.setAttribute("role", "img");
    this.el.tabIndex = 0;
    this.el.setAttribute("data-lm-suppress-shortcuts", "true");
    this.canvas = /** @type {HTMLCanvasElement} */ (h("canvas", "tv-canvas"));
    this.svg = /** @type {SVGSVGElement} */ (svg("svg", { class: "tv-svg", "aria-hidden": "true" }));
    /** group boxes go under the canvas, outlines and text over it */
    this.svgBack = /** @type {SVGSVGElement} */ (svg("svg", { class: "tv-svg tv-svg-back", "aria-hidden": "true" }));
    this.labels = h("div", "tv-labels");
    /** The rectangle a zoom drag selects (shown while dragging). */
    this.selectEl = h("div", "tv-zoom-select");
    this.selectEl.hidden = true;
    this.el.append(this.svgBack, this.canvas, this.svg, this.labels, this.selectEl);
    /** What each small cube shows (rank ≥ 4); placed above the picture by the view. */
    this.legendEl = h("div", "tv-legend");
    this.legendEl.hidden = true;
    /** Where the grid of cubes sits on the outer axes beyond its two (rank ≥ 6); placed above the picture. */
    this.positionEl = h("div", "tv-position");
    this.positionEl.hidden = true;
    /** @type {Scene | null} */
    this.scene = null;
    /** @type {Painted[]} */
    this.painted = [];
    /** device pixels per CSS pixel of the canvas (set with each scene) */
    this.dpr = 1;
    /** @type {Element | null} the ring around a highlighted element */
    this.highlightEl = null;
    /** @type {{results: FaceResult[], cmap: Colormap, part: "magnitude"|"phase"} | null} what was painted last (exports) */
    this.last = null;
  }

  /**
   * Draw the structure of a scene (outlines, labels, empty faces).
   * @param {Scene} scene
   */
  setScene(scene) {
    this.scene = scene;
    this.painted = [];
    this.last = null;
    const { width, height } = scene;
    this.el.style.width = `${width}px`;
    this.el.style.height = `${height}px`;
    this.el.setAttribute("aria-label", scene.description);
    const dpr = Math.max(1, Math.min(3, globalThis.devicePixelRatio || 1));
    this.dpr = dpr;
    this.canvas.width = Math.ceil(width * dpr);
    this.canvas.height = Math.ceil(height * dpr);
    this.canvas.style.width = `${width}px`;
    this.canvas.style.height = `${height}px`;
    for (const layer of [this.svg, this.svgBack]) {
      layer.setAttribute("width", String(width));
      layer.setAttribute("height", String(height));
      layer.setAttribute("viewBox", `0 0 ${width} ${height}`);
      layer.replaceChildren();
    }
    this.labels.replaceChildren();
    const ctx = this.canvas.getContext("2d");
    if (ctx) ctx.clearRect(0, 0, this.canvas.width, this.canvas.height);
    this.paintHatch(scene);
    this.drawPrims(scene);
  }

  /** @param {Scene} scene */
  drawPrims(scene) {
    const back = svg("g", { class: "tv-back" });
    const front = svg("g", { class: "tv-front" });
    for (const p of scene.prims) {
      let el;
      if (p.kind === "rect") {
        el = svg("rect", { x: p.x, y: p.y, width: p.w, height: p.h, rx: p.cls.includes("tv-group") || p.cls.includes("tv-selected") ? 6 : 0 });
      } else {
        const points = p.pts.map((q) => q.map((v) => v.toFixed(2)).join(",")).join(" ");
        el = svg(p.kind === "line" ? "polyline" : "polygon", { points });
      }
      el.setAttribute("class", p.cls);
      if (p.color) {
        if (p.cls === "tv-arrowhead") el.setAttribute("style", `fill:${p.color}`);
        else el.setAttribute("style", `stroke:${p.color}`);
      }
      // the wireframe of the cut-away front part goes behind the cells: it shows around them, never across them
      (p.cls === "tv-group" || p.cls === "tv-wire" ? back : front).append(el);
    }
    for (const n of scene.notes) {
      const t = svg("text", { x: n.x.toFixed(1), y: n.y.toFixed(1), "text-anchor": n.anchor || "start", class: n.cls });
      if (n.color) t.setAttribute("style", `fill:${n.color}`);
      t.textContent = n.text;
      front.append(t);
    }
    this.svgBack.append(back);
    this.svg.append(front);
    for (const L of scene.labels) {
      const el = axisLabel(L.axis, L.parts, `tv-axis-label tv-axis-${L.role}`, L.width);
      el.style.left = `${L.x.toFixed(1)}px`;
      el.style.top = `${L.y.toFixed(1)}px`;
      el.style.transform = `translate(-50%, -50%) rotate(${L.angle.toFixed(1)}deg)`;
      this.labels.append(el);
    }
    this.drawPosition(scene);
    this.legendEl.replaceChildren();
    this.legendEl.hidden = !scene.legend;
    if (scene.legend) {
      const box = this.legendEl;
      box.append(h("span", "tv-legend-title", "each cube:"));
      const arrows = { depth: "↗ depth", rows: "↓ rows", cols: "→ columns" };
      for (const L of scene.legend) {
        const item = h("span", "tv-legend-item");
        const lab = axisLabel(L.axis, L.parts, "tv-axis-label tv-axis-static", LABEL_LEVEL_MAX);
        item.append(lab, h("span", "tv-legend-role", arrows[/** @type {"depth"|"rows"|"cols"} */ (L.role)] || L.role));
        box.append(item);
      }
    }
  }

  /**
   * One chip per fixed outer axis, in its axis color: `axis 0 · N · 2 = [1]`. The chip is that axis's label.
   * @param {Scene} scene
   */
  drawPosition(scene) {
    const box = this.positionEl;
    box.replaceChildren();
    box.hidden = !scene.position;
    if (!scene.position) return;
    box.append(h("span", "tv-legend-title", "all cubes at:"));
    for (const c of scene.position) {
      const chip = axisLabel(c.axis, c.parts, "tv-axis-label tv-axis-static tv-pos-chip", LABEL_LEVEL_MAX);
      chip.style.removeProperty("max-width");
      chip.style.borderColor = axisColor(c.axis);
      chip.append(h("span", "tv-pos-at", ` = [${c.at}]`));
      chip.title = `${c.text}: the cubes show index ${c.at} of axis ${c.axis} (0 to ${Math.max(0, c.size - 1)}); its slider below moves it`;
      box.append(chip);
    }
  }

  /** Faces without values: hatched. @param {Scene} scene */
  paintHatch(scene) {
    if (!scene.hatch.length) return;
    const ctx = this.canvas.getContext("2d");
    if (!ctx) return;
    const dpr = this.dpr;
    const fill = themeColor(this.el, "--jp-layout-color2", "#eeeeee");
    const line = themeColor(this.el, "--jp-border-color1", "#bdbdbd");
    const tile = document.createElement("canvas");
    tile.width = tile.height = Math.round(8 * dpr);
    const tctx = tile.getContext("2d");
    if (!tctx) return;
    tctx.fillStyle = fill;
    tctx.fillRect(0, 0, tile.width, tile.height);
    tctx.strokeStyle = line;
    tctx.lineWidth = dpr;
    tctx.beginPath();
    tctx.moveTo(0, tile.height);
    tctx.lineTo(tile.width, 0);
    tctx.stroke();
    const pattern = ctx.createPattern(tile, "repeat");
    ctx.setTransform(1, 0, 0, 1, 0, 0);
    for (const { t } of scene.hatch) {
      const pts = [applyAffine(t, 0, 0), applyAffine(t, 1, 0), applyAffine(t, 1, 1), applyAffine(t, 0, 1)];
      ctx.beginPath();
      pts.forEach(([x, y], i) => (i ? ctx.lineTo(x * dpr, y * dpr) : ctx.moveTo(x * dpr, y * dpr)));
      ctx.closePath();
      ctx.fillStyle = pattern || fill;
      ctx.fill();
    }
  }

  /**
   * Paint face values.
   * @param {FaceResult[]} results one per scene slot
   * @param {Colormap} cmap
   * @param {"magnitude"|"phase"} part
   */
  paint(results, cmap, part) {
    const scene = this.scene;
    const ctx = this.canvas.getContext("2d");
    if (!scene || !ctx) return;
    const dpr = this.dpr;
    ctx.setTransform(1, 0, 0, 1, 0, 0);
    ctx.clearRect(0, 0, this.canvas.width, this.canvas.height);
    this.painted = [];
    this.last = { results, cmap, part };
    const font = themeColor(this.el, "--jp-code-font-family", "ui-monospace, Menlo, Consolas, monospace");
    scene.slots.forEach((slot, i) => {
      const r = results[i];
      if (!r || !r.values) return;
      const face = r.values;
      const rows = face.rows;
      const cols = face.cols;
      if (rows <= 0 || cols <= 0) return;
      const exact = !r.meta.step || (r.meta.step[0] === 1 && r.meta.step[1] === 1);
      let k = 1;
      if (slot.cells && exact) k = Math.max(1, Math.min(Math.round(slot.cellPx * dpr), Math.floor(2048 / Math.max(rows, cols))));
      const gap = k >= 8 && slot.cellPx >= 8 ? Math.max(1, Math.round(dpr)) : 0;
      const img = document.createElement("canvas");
      img.width = cols * k;
      img.height = rows * k;
      const ictx = img.getContext("2d");
      if (!ictx) return;
      const data = ictx.createImageData(img.width, img.height);
      const px = new Uint32Array(data.data.buffer);
      for (let y = 0; y < rows; y++) {
        for (let x = 0; x < cols; x++) {
          const c = cmap.packed(numberAt(face, y * cols + x, part));
          if (k === 1) {
            px[y * cols + x] = c;
          } else {
            for (let yy = 0; yy < k - gap; yy++) {
              const row = (y * k + yy) * img.width + x * k;
              px.fill(c, row, row + k - gap);
            }
          }
        }
      }
      ictx.putImageData(data, 0, 0);
      const [a, b, c, d, e, f] = slot.t;
      ctx.setTransform((a / img.width) * dpr, (b / img.width) * dpr, (c / img.height) * dpr, (d / img.height) * dpr, e * dpr, f * dpr);
      ctx.imageSmoothingEnabled = false;
      const sy = Math.min(img.height, Math.round(slot.cut * rows) * k);
      if (sy < img.height) {
        ctx.drawImage(img, 0, sy, img.width, img.height - sy, 0, sy, img.width, img.height - sy);
        if (slot.shade) {
          ctx.fillStyle = slot.shade > 0 ? `rgba(255,255,255,${slot.shade})` : `rgba(0,0,0,${-slot.shade})`;
          ctx.fillRect(0, sy, img.width, img.height - sy);
        }
      }
      ctx.setTransform(1, 0, 0, 1, 0, 0);
      const wrote = slot.text && exact && this.paintText(ctx, slot, r, cmap, part, font);
      this.paintSpecials(ctx, slot, r, font, !wrote);
      this.painted.push({ slot, result: r, wrote: !!wrote });
    });
  }

  /**
   * NaN and ±inf stay visible: a glyph in large cells of flat faces, a dot in cells smaller than a few pixels. The
   * marks are the picture items an SVG export writes (export/faces.js `specialItems`), drawn at the pixel ratio.
   * @param {CanvasRenderingContext2D} ctx
   * @param {Slot} slot
   * @param {FaceResult} r
   * @param {string} font
   * @param {boolean} glyphs whether large cells may get a NaN/inf glyph (not when values are written out)
   */
  paintSpecials(ctx, slot, r, font, glyphs) {
    const marks = specialItems(slot, r, glyphs, font);
    if (!marks.length) return;
    ctx.setTransform(this.dpr, 0, 0, this.dpr, 0, 0);
    drawItems(ctx, marks);
    ctx.setTransform(1, 0, 0, 1, 0, 0);
  }

  /**
   * Values as text inside large cells (only when every value fits).
   * @param {CanvasRenderingContext2D} ctx
   * @param {Slot} slot
   * @param {FaceResult} r
   * @param {Colormap} cmap
   * @param {"magnitude"|"phase"} part
   * @param {string} font
   * @returns {boolean} whether the values were written
   */
  paintText(ctx, slot, r, cmap, part, font) {
    const face = r.values;
    const [a, , , d, e, f] = slot.t;
    const cw = a / face.cols;
    const ch = d / face.rows;
    const dpr = this.dpr;
    const size = Math.max(9, Math.min(13, Math.floor(ch * 0.36)));
    ctx.font = `${size * dpr}px ${font}`;
    ctx.textAlign = "center";
    ctx.textBaseline = "middle";
    const texts = [];
    for (let i = 0; i < face.count; i++) {
      const s = formatValue(rawAt(face, i), face.encoding);
      if (ctx.measureText(s).width > (cw - 5) * dpr) return false;
      texts.push(s);
    }
    texts.forEach((s, i) => {
      const y = Math.floor(i / face.cols);
      const x = i % face.cols;
      ctx.fillStyle = inkFor(cmap.rgb(numberAt(face, i, part)));
      ctx.fillText(s, (e + (x + 0.5) * cw) * dpr, (f + (y + 0.5) * ch) * dpr);
    });
    return true;
  }

  /**
   * The cells as painted now, on a new canvas at `dpr` device pixels per CSS pixel (a PNG export at 2×): the same
   * paint, into another canvas; the view's own canvas is left as it is.
   * @param {number} dpr
   * @returns {HTMLCanvasElement}
   */
  renderCells(dpr) {
    const out = /** @type {HTMLCanvasElement} */ (document.createElement("canvas"));
    const scene = this.scene;
    if (!scene) return out;
    out.width = Math.ceil(scene.width * dpr);
    out.height = Math.ceil(scene.height * dpr);
    const keep = { canvas: this.canvas, dpr: this.dpr, painted: this.painted, last: this.last };
    this.canvas = out;
    this.dpr = dpr;
    try {
      if (keep.last) this.paint(keep.last.results, keep.last.cmap, keep.last.part);
      else this.paintHatch(scene);
    } finally {
      Object.assign(this, keep);
    }
    return out;
  }

  /**
   * Ring one element (a full index) where a painted flat or front face shows it as its own cell; returns whether it
   * is drawn. The ring is `[data-role="highlight"]` with the index in `data-index`.
   * @param {number[] | null} index
   * @returns {boolean}
   */
  showHighlight(index) {
    if (this.highlightEl) this.highlightEl.remove();
    this.highlightEl = null;
    if (!index) return false;
    for (const { slot, result } of this.painted) {
      if (slot.role !== "flat" && slot.role !== "front") continue;
      const cell = cellOf(result, index);
      if (!cell) continue;
      const [i, j] = cell;
      const { rows, cols } = result.values;
      const pts = [[j, i], [j + 1, i], [j + 1, i + 1], [j, i + 1]].map(([u, v]) => applyAffine(slot.t, u / cols, v / rows));
      const ring = svg("polygon", { points: pts.map((q) => q.map((v) => v.toFixed(2)).join(",")).join(" "), class: "tv-highlight" });
      ring.setAttribute("data-role", "highlight");
      ring.setAttribute("data-index", formatBlock(index));
      this.svg.append(ring);
      this.highlightEl = ring;
      return true;
    }
    return false;
  }

  /**
   * Show (or hide, with null) the zoom selection rectangle, in picture pixels.
   * @param {{x: number, y: number, w: number, h: number} | null} r
   */
  showSelection(r) {
    this.selectEl.hidden = !r;
    if (!r) return;
    Object.assign(this.selectEl.style, { left: `${r.x}px`, top: `${r.y}px`, width: `${r.w}px`, height: `${r.h}px` });
  }

  /**
   * What slot `i` of the painted scene shows: its transform and the face the kernel sent (null before it is painted).
   * @param {number} i
   * @returns {Painted | null}
   */
  paintedSlot(i) {
    const slot = this.scene && this.scene.slots[i];
    return (slot && this.painted.find((p) => p.slot === slot)) || null;
  }

  /**
   * The value cell under a point (picture coordinates), front-most first.
   * @param {number} x
   * @param {number} y
   * @returns {Hit | null}
   */
  hit(x, y) {
    for (let i = this.painted.length - 1; i >= 0; i--) {
      const { slot, result } = this.painted[i];
      const uv = invertAffine(slot.t, x, y);
      if (!uv) continue;
      const face = result.values;
      const cell = cellAt(uv[0], uv[1], face.rows, face.cols);
      if (!cell) continue;
      if (slot.cut > 0 && uv[1] < Math.round(slot.cut * face.rows) / face.rows) continue;
      return describeCell(result, cell[0], cell[1]);
    }
    return null;
  }
}

/**
 * The cell [row, column] of a face that holds exactly the element at a full index, or null (not on this face, outside
 * its window, or inside a block-reduced cell).
 * @param {FaceResult} r
 * @param {number[]} index
 * @returns {[number, number] | null}
 */
export function cellOf(r, index) {
  const { meta, values } = r;
  if (!values || !meta) return null;
  const axes = meta.axes || [];
  const step = meta.step || [1, 1];
  if (step[0] !== 1 || step[1] !== 1) return null;
  const at = meta.index || [];
  if (index.length !== at.length) return null;
  for (let a = 0; a < index.length; a++) if (!axes.includes(a) && index[a] !== at[a]) return null;
  const row = axes.length === 2 ? index[axes[0]] : 0;
  const col = axes.length ? index[axes[axes.length - 1]] : 0;
  const win = meta.window || [0, values.rows, 0, values.cols];
  if (row < win[0] || row >= win[1] || col < win[2] || col >= win[3]) return null;
  const i = row - win[0];
  const j = col - win[2];
  return i < values.rows && j < values.cols ? [i, j] : null;
}

/**
 * Full index (or index ranges for a block-reduced cell) and the value, as the kernel sent it.
 * @param {FaceResult} r
 * @param {number} i row in the sent grid
 * @param {number} j column in the sent grid
 * @returns {Hit}
 */
export function describeCell(r, i, j) {
  const { meta, values } = r;
  const axes = meta.axes || [];
  const step = meta.step || [1, 1];
  const win = meta.window || [0, values.rows, 0, values.cols];
  const block = step[0] !== 1 || step[1] !== 1;
  const rowRange = [win[0] + i * step[0], Math.min(win[0] + (i + 1) * step[0], win[1])];
  const colRange = [win[2] + j * step[1], Math.min(win[2] + (j + 1) * step[1], win[3])];
  /** @type {Array<number | [number, number]>} */
  const parts = (meta.index || []).slice();
  if (axes.length === 2) {
    parts[axes[0]] = block ? /** @type {[number, number]} */ (rowRange) : rowRange[0];
    parts[axes[1]] = block ? /** @type {[number, number]} */ (colRange) : colRange[0];
  } else if (axes.length === 1) {
    parts[axes[0]] = block ? /** @type {[number, number]} */ (colRange) : colRange[0];
  }
  const flat = i * values.cols + j;
  const value = formatValue(rawAt(values, flat), values.encoding);
  const index = formatBlock(parts);
  let label = value;
  let extent = "";
  if (block) {
    const cols = colRange[1] - colRange[0];
    const count = axes.length === 2 ? (rowRange[1] - rowRange[0]) * cols : cols;
    extent = `${formatCount(count)} element${count === 1 ? "" : "s"}`;
    const read = sampleText(meta.sample, axes.length);
    extent += read ? `, ${read} read` : "";
    label = `largest |x| ${read ? "of those read" : "in block"}: ${value}`;
  }
  if (values.complex) label = `${block ? "largest |z| in block: " : ""}${value}  (|z| = ${formatCompact(numberAt(values, flat, "magnitude"))})`;
  return { index, value, block, label, extent };
}
