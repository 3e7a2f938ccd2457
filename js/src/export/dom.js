// Thin DOM part of the exports: read what a view shows (its SVG outlines and text with their computed styles, its
// HTML axis labels with their text, color, font, rotation and place) as plain picture items (svg.js), and hand files to
// the user (a download) or to the kernel. Everything that decides what a file holds is in the pure modules.

/**
 * @typedef {import("./svg.js").Item} Item
 * @typedef {import("./svg.js").TextItem} TextItem
 */

/** @param {string} v */
const px = (v) => {
  const n = parseFloat(v);
  return Number.isFinite(n) ? n : 0;
};

/** @param {string} v */
const paint = (v) => (!v || v === "none" || v === "transparent" || /rgba\([^)]*,\s*0\)$/.test(v) ? null : v);

/** @param {string} v @returns {number[] | null} */
const dashes = (v) => {
  if (!v || v === "none") return null;
  const d = v.split(/[\s,]+/).map(px).filter((n) => n >= 0);
  return d.length && d.some((n) => n > 0) ? d : null;
};

/** @param {CSSStyleDeclaration} cs */
function fontOf(cs) {
  return { family: cs.fontFamily, size: px(cs.fontSize) || 12, weight: cs.fontWeight || "400", style: cs.fontStyle };
}

/**
 * Picture items of an SVG layer, in document order, with the styles the page computes for them (theme colors,
 * classes): rects, polylines and polygons become rects and paths, text becomes text. Hidden elements are left out.
 * @param {Element} layer
 * @returns {Item[]}
 */
export function readSvgLayer(layer) {
  /** @type {Item[]} */
  const items = [];
  for (const el of layer.querySelectorAll("rect, polyline, polygon, line, circle, path, text")) {
    const cs = getComputedStyle(el);
    if (cs.display === "none" || cs.visibility === "hidden") continue;
    const opacity = Number(cs.opacity || 1);
    if (!(opacity > 0)) continue;
    const style = {
      fill: paint(cs.fill),
      stroke: paint(cs.stroke),
      strokeWidth: px(cs.strokeWidth || "1"),
      dash: dashes(cs.strokeDasharray),
      opacity,
      fillOpacity: Number(cs.fillOpacity || 1),
      strokeOpacity: Number(cs.strokeOpacity || 1),
    };
    const tag = el.tagName.toLowerCase();
    const num = (/** @type {string} */ a) => Number(el.getAttribute(a) || 0);
    if (tag === "rect") {
      items.push({ kind: "rect", x: num("x"), y: num("y"), w: num("width"), h: num("height"), rx: num("rx"), ...style });
    } else if (tag === "polyline" || tag === "polygon") {
      const vals = (el.getAttribute("points") || "").trim().split(/[\s,]+/).map(Number);
      const pts = [];
      for (let i = 0; i + 1 < vals.length; i += 2) pts.push([vals[i], vals[i + 1]]);
      items.push({ kind: "path", pts, closed: tag === "polygon", linecap: cs.strokeLinecap, linejoin: cs.strokeLinejoin, ...style });
    } else if (tag === "circle") {
      // a polygon of 24 sides: the same on a canvas and in the file
      const [cx, cy, r] = [num("cx"), num("cy"), num("r")];
      const pts = Array.from({ length: 24 }, (_, k) => [cx + r * Math.cos((k * Math.PI) / 12), cy + r * Math.sin((k * Math.PI) / 12)]);
      items.push({ kind: "path", pts, closed: true, ...style });
    } else if (tag === "line") {
      items.push({ kind: "path", pts: [[num("x1"), num("y1")], [num("x2"), num("y2")]], closed: false, linecap: cs.strokeLinecap, ...style });
    } else if (tag === "text") {
      const anchor = cs.textAnchor === "middle" ? "middle" : cs.textAnchor === "end" ? "end" : "start";
      items.push({
        kind: "text", text: el.textContent || "", x: num("x"), y: num("y"), anchor, color: style.fill || "#000",
        font: fontOf(cs), opacity: opacity * style.fillOpacity,
      });
    }
    // paths (icons) are not part of a picture
  }
  return items;
}

/** Degrees of the rotate() in an element's inline transform. @param {string} t */
export function rotationOf(t) {
  const m = /rotate\(\s*(-?[\d.]+)deg\s*\)/.exec(t || "");
  return m ? Number(m[1]) : 0;
}

/**
 * Text items of HTML labels placed in a layer by `left`/`top` (their centre: `translate(-50%, -50%)`) and a rotation:
 * each label's whole text, in its computed color, font and opacity, with a halo of `halo` (their text-shadow); `key`
 * says whose label it is (the player's `data-tensor`).
 * @param {Element} layer
 * @param {string | null} halo
 * @returns {TextItem[]}
 */
export function readLabels(layer, halo) {
  /** @type {TextItem[]} */
  const items = [];
  for (const child of layer.children) {
    const el = /** @type {HTMLElement} */ (child);
    const cs = getComputedStyle(el);
    if (cs.display === "none" || cs.visibility === "hidden" || el.hidden) continue;
    const text = (el.textContent || "").trim();
    if (!text) continue;
    items.push({
      kind: "text", text, x: px(el.style.left), y: px(el.style.top), anchor: "middle", baseline: "middle",
      angle: rotationOf(el.style.transform), color: cs.color, font: fontOf(cs), opacity: Number(cs.opacity || 1), halo,
      key: el.dataset.tensor || "",
    });
  }
  return items;
}

/** The background color a view is drawn on (its root's, or white). @param {Element} root */
export function backgroundOf(root) {
  const bg = paint(getComputedStyle(root).backgroundColor);
  return bg || "#ffffff";
}

/**
 * Bytes of a canvas as a PNG file.
 * @param {HTMLCanvasElement} canvas
 * @returns {Promise<Uint8Array>}
 */
export function canvasPng(canvas) {
  return new Promise((resolve, reject) => {
    canvas.toBlob((blob) => {
      if (!blob) reject(new Error("the browser could not encode the PNG (the picture may be too large)"));
      else blob.arrayBuffer().then((b) => resolve(new Uint8Array(b)), reject);
    }, "image/png");
  });
}

/**
 * A `data:image/png;base64,…` URL of cells, one pixel per cell (for a large face in an SVG file).
 * @param {number} rows
 * @param {number} cols
 * @param {Uint32Array | number[]} colors packed, row-major
 * @param {number} from first row
 */
export function cellsDataUrl(rows, cols, colors, from = 0) {
  const c = document.createElement("canvas");
  c.width = cols;
  c.height = Math.max(1, rows - from);
  const ctx = c.getContext("2d");
  if (!ctx) return null;
  const img = ctx.createImageData(c.width, c.height);
  const px32 = new Uint32Array(img.data.buffer);
  for (let i = from; i < rows; i++) for (let j = 0; j < cols; j++) px32[(i - from) * cols + j] = Number(colors[i * cols + j]) >>> 0;
  ctx.putImageData(img, 0, 0);
  return c.toDataURL("image/png");
}

/**
 * Hand a file to the user: a download through an `<a download>` with a blob URL.
 * @param {Uint8Array | string} data
 * @param {string} name
 * @param {string} mime
 */
export function download(data, name, mime) {
  const blob = new Blob([/** @type {BlobPart} */ (data)], { type: mime });
  const url = URL.createObjectURL(blob);
  const a = document.createElement("a");
  a.href = url;
  a.download = name;
  a.rel = "noopener";
  a.style.display = "none";
  document.body.append(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 60_000);
}

/** @param {number} ms */
export const sleep = (ms) => new Promise((r) => setTimeout(r, Math.max(0, ms)));

/** A file name part from free text (an op name, a shape). @param {string} s */
export function slug(s) {
  return String(s).replace(/[^\w.-]+/g, "-").replace(/-+/g, "-").replace(/^-|-$/g, "").slice(0, 60) || "tensor";
}
