// A picture as one self-contained SVG file: value cells as <rect>s (a large face as one embedded PNG <image>), outlines
// as paths, axis labels and ticks as <text>. Pure: builds a string from plain data (no DOM), so it is tested in node.
// The same items are drawn onto a canvas by draw.js (PNG, video and GIF frames), so every export shows one picture.

/**
 * Packed colors are little-endian RGBA words (the Uint32 view of ImageData), as the colormaps make them.
 * @typedef {[number, number, number, number, number, number]} Affine face units → picture px: x = a·u + c·v + e
 * @typedef {{family: string, size: number, weight?: string | number, style?: string}} Font
 * @typedef {{kind: "rect", x: number, y: number, w: number, h: number, rx?: number, fill?: string | null,
 *            stroke?: string | null, strokeWidth?: number, dash?: number[] | null, opacity?: number,
 *            fillOpacity?: number, strokeOpacity?: number}} RectItem
 * @typedef {{kind: "path", pts: number[][], closed: boolean, fill?: string | null, stroke?: string | null,
 *            strokeWidth?: number, dash?: number[] | null, opacity?: number, fillOpacity?: number,
 *            strokeOpacity?: number, linecap?: string, linejoin?: string}} PathItem a polyline or polygon
 * @typedef {{kind: "text", text: string, x: number, y: number, anchor?: "start" | "middle" | "end",
 *            baseline?: "alphabetic" | "middle", angle?: number, color: string, font: Font, opacity?: number,
 *            halo?: string | null, key?: string}} TextItem `angle` in degrees about (x, y); `halo`: a thin outline in
 *            that color keeps the text readable over lines (the on-screen labels' text-shadow); `key`: whose label it is
 *            (not written)
 * @typedef {{kind: "cells", t: Affine, rows: number, cols: number, colors: Uint32Array | number[], from?: number,
 *            gap?: number, shade?: number, image?: string | null, label?: string}} CellsItem a face of value cells:
 *            cell (i, j) covers face units [j/cols, (j+1)/cols] × [i/rows, (i+1)/rows]; rows above `from` are cut away
 *            (a cube's front part); `gap`: share of a cell left empty between cells; `shade` > 0 lightens, < 0
 *            darkens; `image`: a data:image/png URL of the face (one pixel per cell) used instead of rects
 * @typedef {RectItem | PathItem | TextItem | CellsItem} Item
 * @typedef {{width: number, height: number, background?: string | null, title?: string, description?: string,
 *            items: Item[]}} Picture
 */

/** Faces with more cells than this are embedded as one PNG image (with a note in the file's <desc>). */
export const MAX_RECT_CELLS = 16384;

/**
 * Whether a face is written as an embedded image rather than one <rect> per cell.
 * @param {CellsItem} item
 */
export function needsImage(item) {
  return cellCount(item) > MAX_RECT_CELLS;
}

/** @param {CellsItem} item */
function cellCount(item) {
  return Math.max(0, item.rows - (item.from || 0)) * Math.max(0, item.cols);
}

/** `#rrggbb` of a packed color. @param {number} c */
export function packedHex(c) {
  const hex = (/** @type {number} */ v) => v.toString(16).padStart(2, "0");
  return `#${hex(c & 255)}${hex((c >>> 8) & 255)}${hex((c >>> 16) & 255)}`;
}

/** Escape text for XML content and attribute values. @param {string} s */
export function xmlEscape(s) {
  return String(s)
    .replace(/&/g, "&amp;")
    .replace(/</g, "&lt;")
    .replace(/>/g, "&gt;")
    .replace(/"/g, "&quot;")
    // characters XML 1.0 does not allow at all
    // eslint-disable-next-line no-control-regex
    .replace(/[\u0000-\u0008\u000b\u000c\u000e-\u001f\ufffe\uffff]/g, "");
}

/** A number written short: at most two decimals, no trailing zeros. @param {number} v */
export function num(v) {
  if (!Number.isFinite(v)) return "0";
  const r = Math.round(v * 100) / 100;
  return String(Object.is(r, -0) ? 0 : r);
}

/** A number for a transform matrix (more precision: cell units are small). @param {number} v */
function fine(v) {
  if (!Number.isFinite(v)) return "0";
  return String(Math.round(v * 1e5) / 1e5);
}

/**
 * A color safe to put in an attribute: CSS color syntax only (names, #hex, rgb()/rgba()/hsl()); anything else (a
 * url(), a var()) becomes `fallback`, so that no file can refer outside itself.
 * @param {string | null | undefined} c
 * @param {string} [fallback]
 */
export function safeColor(c, fallback = "none") {
  if (!c) return fallback;
  const s = String(c).trim();
  if (/^#[0-9a-f]{3,8}$/i.test(s)) return s;
  if (/^(rgba?|hsla?)\([-0-9.,%\s/a-z]*\)$/i.test(s) && !/url|var|\\/i.test(s)) return s;
  if (/^[a-z]{3,20}$/i.test(s)) return s;
  return fallback;
}

/**
 * A font family list by names only (no url(), no @font-face): quotes made single, anything odd dropped.
 * @param {string} family
 */
export function safeFamily(family) {
  const names = String(family || "")
    .split(",")
    .map((n) => n.trim().replace(/^["']|["']$/g, ""))
    .filter((n) => n && /^[\w \-.]+$/.test(n) && !/url\s*\(/i.test(n));
  if (!names.length) return "sans-serif";
  return names.map((n) => (/^[\w-]+$/.test(n) ? n : `'${n}'`)).join(", ");
}

/** @param {Record<string, string | number | null | undefined>} attrs */
function attrs(attrs) {
  let out = "";
  for (const [k, v] of Object.entries(attrs)) {
    if (v === null || v === undefined || v === "") continue;
    out += ` ${k}="${xmlEscape(String(v))}"`;
  }
  return out;
}

/** @param {RectItem | PathItem} it */
function paintAttrs(it) {
  const stroke = safeColor(it.stroke, "none");
  return {
    fill: safeColor(it.fill, "none"),
    stroke,
    "stroke-width": stroke !== "none" && it.strokeWidth !== undefined ? num(it.strokeWidth) : null,
    "stroke-dasharray": stroke !== "none" && it.dash && it.dash.length ? it.dash.map(num).join(" ") : null,
    "stroke-linecap": stroke !== "none" ? it.kind === "path" ? it.linecap || null : null : null,
    "stroke-linejoin": stroke !== "none" && it.kind === "path" ? it.linejoin || null : null,
    opacity: it.opacity !== undefined && it.opacity < 1 ? num(it.opacity) : null,
    "fill-opacity": it.fillOpacity !== undefined && it.fillOpacity < 1 ? num(it.fillOpacity) : null,
    "stroke-opacity": it.strokeOpacity !== undefined && it.strokeOpacity < 1 ? num(it.strokeOpacity) : null,
  };
}

/** @param {TextItem} it */
function textSvg(it) {
  const f = it.font;
  const a = {
    x: num(it.x),
    y: num(it.y),
    "text-anchor": it.anchor && it.anchor !== "start" ? it.anchor : null,
    "dominant-baseline": it.baseline === "middle" ? "central" : null,
    transform: it.angle ? `rotate(${num(it.angle)} ${num(it.x)} ${num(it.y)})` : null,
    fill: safeColor(it.color, "black"),
    "font-family": safeFamily(f.family),
    "font-size": num(f.size),
    "font-weight": f.weight && String(f.weight) !== "400" && String(f.weight) !== "normal" ? String(f.weight) : null,
    "font-style": f.style && f.style !== "normal" ? f.style : null,
    opacity: it.opacity !== undefined && it.opacity < 1 ? num(it.opacity) : null,
    stroke: it.halo ? safeColor(it.halo, "none") : null,
    "stroke-width": it.halo ? "3" : null,
    "stroke-linejoin": it.halo ? "round" : null,
    "stroke-opacity": it.halo ? "0.85" : null,
    "paint-order": it.halo ? "stroke" : null,
  };
  return `<text${attrs(a)}>${xmlEscape(it.text)}</text>`;
}

/**
 * A face of cells: one group whose transform maps cell units (column j, row i) to the picture, then one <rect> per cell
 * (or one embedded image).
 * @param {CellsItem} it
 */
function cellsSvg(it) {
  const { rows, cols } = it;
  const from = Math.max(0, Math.min(rows, Math.round(it.from || 0)));
  if (rows <= 0 || cols <= 0 || from >= rows) return "";
  const [a, b, c, d, e, f] = it.t;
  const m = `matrix(${fine(a / cols)} ${fine(b / cols)} ${fine(c / rows)} ${fine(d / rows)} ${fine(e)} ${fine(f)})`;
  const level = Math.abs(b) < 1e-9 && Math.abs(c) < 1e-9;
  const parts = [`<g${attrs({ transform: m, "data-face": it.label || null, "shape-rendering": level ? "crispEdges" : null })}>`];
  if (it.image) {
    parts.push(`<image${attrs({ x: 0, y: from, width: cols, height: rows - from, preserveAspectRatio: "none", style: "image-rendering:pixelated;image-rendering:crisp-edges" })} href="${xmlEscape(it.image)}"/>`);
  } else {
    const gap = Math.max(0, Math.min(0.5, it.gap || 0));
    // without gaps, cells overlap a hair so that no seams show between them at any zoom
    const size = gap > 0 ? num(1 - gap) : "1.01";
    for (let i = from; i < rows; i++) {
      for (let j = 0; j < cols; j++) {
        const color = packedHex(Number(it.colors[i * cols + j]) >>> 0);
        parts.push(`<rect x="${j}" y="${i}" width="${size}" height="${size}" fill="${color}"/>`);
      }
    }
  }
  if (it.shade) {
    const s = it.shade;
    parts.push(`<rect${attrs({ x: 0, y: from, width: cols, height: rows - from, fill: s > 0 ? "#ffffff" : "#000000", "fill-opacity": num(Math.abs(s)) })}/>`);
  }
  parts.push("</g>");
  return parts.join("");
}

/**
 * @param {Item} it
 * @returns {string}
 */
function itemSvg(it) {
  if (it.kind === "rect") {
    return `<rect${attrs({ x: num(it.x), y: num(it.y), width: num(Math.max(0, it.w)), height: num(Math.max(0, it.h)), rx: it.rx ? num(it.rx) : null, ...paintAttrs(it) })}/>`;
  }
  if (it.kind === "path") {
    if (!it.pts.length) return "";
    const d = it.pts.map((p, i) => `${i ? "L" : "M"}${num(p[0])} ${num(p[1])}`).join("") + (it.closed ? "Z" : "");
    return `<path${attrs({ d, ...paintAttrs(it) })}/>`;
  }
  if (it.kind === "text") return it.text ? textSvg(it) : "";
  if (it.kind === "cells") return cellsSvg(it);
  return "";
}

/**
 * The SVG file of a picture. Cells in the colors given, text as text, no reference to anything outside the file.
 * @param {Picture} pic
 * @returns {string}
 */
export function buildSvg(pic) {
  const w = Math.max(1, Math.ceil(pic.width));
  const h = Math.max(1, Math.ceil(pic.height));
  const images = pic.items.filter((it) => it.kind === "cells" && it.image).length;
  const notes = [];
  if (pic.description) notes.push(pic.description);
  if (images) {
    notes.push(`${images === 1 ? "One face is" : `${images} faces are`} embedded as a PNG image (one pixel per cell) instead of one rect per cell: ${images === 1 ? "it has" : "they have"} more than ${MAX_RECT_CELLS} cells.`);
  }
  const out = [
    '<?xml version="1.0" encoding="UTF-8"?>',
    `<svg xmlns="http://www.w3.org/2000/svg" width="${w}" height="${h}" viewBox="0 0 ${w} ${h}">`,
  ];
  if (pic.title) out.push(`<title>${xmlEscape(pic.title)}</title>`);
  if (notes.length) out.push(`<desc>${xmlEscape(notes.join(" "))}</desc>`);
  if (pic.background) out.push(`<rect width="100%" height="100%" fill="${xmlEscape(safeColor(pic.background, "white"))}"/>`);
  for (const it of pic.items) {
    const s = itemSvg(it);
    if (s) out.push(s);
  }
  out.push("</svg>");
  return out.join("\n") + "\n";
}
