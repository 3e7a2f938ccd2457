// Files of the memory monitor: its figures (one line per device) over its timeline chart, as PNG (2×) or SVG. Thin:
// reads the monitor's DOM; svg.js and draw.js make the files.
import { buildSvg } from "./svg.js";
import { drawItems } from "./draw.js";
import { backgroundOf, canvasPng, readSvgLayer } from "./dom.js";
import { Exports } from "./ui.js";

/**
 * @typedef {import("./svg.js").Item} Item
 * @typedef {import("./svg.js").TextItem} TextItem
 */

/**
 * Move items by (dx, dy).
 * @param {Item[]} items
 * @param {number} dx
 * @param {number} dy
 * @returns {Item[]}
 */
export function shiftItems(items, dx, dy) {
  return items.map((it) => {
    if (it.kind === "rect" || it.kind === "text") return { ...it, x: it.x + dx, y: it.y + dy };
    if (it.kind === "path") return { ...it, pts: it.pts.map((p) => [p[0] + dx, p[1] + dy]) };
    return { ...it, t: /** @type {import("./svg.js").Affine} */ ([it.t[0], it.t[1], it.t[2], it.t[3], it.t[4] + dx, it.t[5] + dy]) };
  });
}

/**
 * The monitor as picture items: a line of figures per device (or the replay's), the legend, the chart.
 * @param {HTMLElement} root
 */
function monitorPicture(root) {
  const cs = getComputedStyle(root);
  const font = { family: cs.fontFamily, size: 12 };
  const fg = cs.color || "#222";
  /** @type {TextItem[]} */
  const lines = [];
  let y = 16;
  const line = (/** @type {string} */ text, /** @type {string} */ color, /** @type {number} */ size = 12, /** @type {string} */ weight = "400") => {
    lines.push({ kind: "text", text, x: 8, y, color, font: { ...font, size, weight } });
    y += size + 8;
  };
  const banner = root.querySelector(".tv-mem-banner");
  const said = banner ? [...banner.children].map((c) => (c.textContent || "").trim()).filter(Boolean) : [];
  if (said.length) line(said.join(": "), fg, 12, "600");
  for (const card of root.querySelectorAll(".tv-mem-device, .tv-mem-replay .tv-mem-figures")) {
    const title = card.querySelector(".tv-mem-title");
    if (title) line((title.textContent || "").trim(), fg, 13, "600");
    const figs = [...card.querySelectorAll(".tv-mem-figure")].map((f) => {
      const label = f.querySelector(".tv-fact-label");
      const value = f.querySelector("[data-metric]");
      return `${label ? label.textContent : ""} ${value ? value.textContent : ""}`.trim();
    });
    if (figs.length) line(figs.join("   ·   "), fg, 12);
  }
  const legend = root.querySelector(".tv-mem-legend");
  /** @type {Item[]} */
  const swatches = [];
  if (legend) {
    let x = 8;
    for (const key of legend.children) {
      const kcs = getComputedStyle(key);
      // a key's line sample is its ::before
      const sample = getComputedStyle(key, "::before").backgroundColor;
      if (sample && !/rgba\([^)]*,\s*0\)$/.test(sample) && sample !== "transparent") {
        swatches.push({ kind: "rect", x, y: y - 5, w: 14, h: 3, fill: sample });
        x += 19;
      }
      const text = (key.textContent || "").trim();
      lines.push({ kind: "text", text, x, y, color: kcs.color, font: { ...font, size: 11 } });
      x += text.length * 6 + 18;
    }
    y += 12;
  }
  const chart = /** @type {SVGSVGElement | null} */ (root.querySelector(".tv-mem-svg"));
  let width = 420;
  /** @type {Item[]} */
  let chartItems = [];
  if (chart) {
    const vb = (chart.getAttribute("viewBox") || "0 0 0 0").split(/\s+/).map(Number);
    chartItems = shiftItems(readSvgLayer(chart), 8 - vb[0], y - vb[1]);
    width = Math.max(width, vb[2] + 16);
    y += vb[3] + 8;
  } else {
    line("(no timeline yet)", fg, 11);
  }
  for (const L of lines) width = Math.max(width, L.x + L.text.length * L.font.size * 0.55 + 16);
  return { width: Math.ceil(width), height: Math.ceil(y + 4), background: backgroundOf(root), items: [...swatches, ...lines, ...chartItems] };
}

/**
 * The export buttons and kernel answers of a memory monitor (`Save PNG`, `Save SVG`).
 * @param {any} view the MemoryMonitorView: its model and root
 */
export function memoryExports(view) {
  const stamp = () => new Date().toISOString().replace(/[:.]/g, "-").slice(0, 19);
  return new Exports(view.model, [
    {
      format: "png", label: "PNG", title: "Save the figures and the timeline as a PNG image at 2×",
      make: async (/** @type {Record<string, any>} */ o) => {
        const pic = monitorPicture(view.root);
        const scale = Number.isFinite(Number(o.scale)) ? Math.max(0.5, Math.min(4, Number(o.scale))) : 2;
        const canvas = document.createElement("canvas");
        canvas.width = Math.ceil(pic.width * scale);
        canvas.height = Math.ceil(pic.height * scale);
        const ctx = canvas.getContext("2d");
        if (!ctx) throw new Error("no 2-d canvas in this browser");
        ctx.fillStyle = pic.background;
        ctx.fillRect(0, 0, canvas.width, canvas.height);
        ctx.setTransform(scale, 0, 0, scale, 0, 0);
        drawItems(ctx, pic.items);
        return { data: await canvasPng(canvas), name: `memory-${stamp()}.png` };
      },
    },
    {
      format: "svg", label: "SVG", title: "Save the figures and the timeline as an SVG drawing",
      make: async () => {
        const pic = monitorPicture(view.root);
        return { data: buildSvg({ ...pic, title: view.root.getAttribute("aria-label") || "memory" }), name: `memory-${stamp()}.svg` };
      },
    },
  ], { label: "Save the memory figures" });
}
