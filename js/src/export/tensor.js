// Files of a TensorView's picture as the user sees it: PNG at 2× (cells painted anew at that pixel ratio, outlines,
// ticks and axis labels drawn over them) and SVG (cells as rects, text as text). Thin: reads the picture and the DOM,
// the pure modules (svg.js, faces.js, draw.js) decide what is drawn.
import { buildSvg, needsImage } from "./svg.js";
import { drawItems } from "./draw.js";
import { exactFace, faceItem, specialItems, valueTexts } from "./faces.js";
import { backgroundOf, canvasPng, cellsDataUrl, readLabels, readSvgLayer, slug } from "./dom.js";
import { Exports, waitUntil } from "./ui.js";

/**
 * @typedef {import("../view/picture.js").Picture} Picture
 * @typedef {import("./svg.js").Item} Item
 */

/**
 * What the picture shows besides its cells, as items: the boxes under the cells, the outlines, ticks and notes over
 * them, the axis labels.
 * @param {Picture} picture
 * @param {Element} root the widget's root (its background and theme)
 */
export function pictureLayers(picture, root) {
  const scene = picture.scene;
  const background = backgroundOf(root);
  return {
    width: scene ? scene.width : 0,
    height: scene ? scene.height : 0,
    background,
    back: readSvgLayer(picture.svgBack),
    front: readSvgLayer(picture.svg),
    labels: readLabels(picture.labels, background),
  };
}

/**
 * The picture as a PNG file at `scale` device pixels per CSS pixel.
 * @param {Picture} picture
 * @param {Element} root
 * @param {number} [scale]
 * @returns {Promise<Uint8Array>}
 */
export function tensorPng(picture, root, scale = 2) {
  const L = pictureLayers(picture, root);
  const canvas = document.createElement("canvas");
  canvas.width = Math.max(1, Math.ceil(L.width * scale));
  canvas.height = Math.max(1, Math.ceil(L.height * scale));
  const ctx = canvas.getContext("2d");
  if (!ctx) return Promise.reject(new Error("no 2-d canvas in this browser"));
  ctx.fillStyle = L.background;
  ctx.fillRect(0, 0, canvas.width, canvas.height);
  ctx.setTransform(scale, 0, 0, scale, 0, 0);
  drawItems(ctx, L.back);
  ctx.setTransform(1, 0, 0, 1, 0, 0);
  ctx.drawImage(picture.renderCells(scale), 0, 0);
  ctx.setTransform(scale, 0, 0, scale, 0, 0);
  drawItems(ctx, [...L.front, ...L.labels]);
  return canvasPng(canvas);
}

/**
 * The picture as an SVG file.
 * @param {Picture} picture
 * @param {Element} root
 * @param {{title?: string}} [opts]
 * @returns {string}
 */
export function tensorSvg(picture, root, opts = {}) {
  const L = pictureLayers(picture, root);
  const scene = picture.scene;
  /** @type {Item[]} */
  const cells = [];
  /** @type {Item[]} */
  const texts = [];
  const last = picture.last;
  const mono = getComputedStyle(root).getPropertyValue("--jp-code-font-family").trim() || "monospace";
  if (scene && last) {
    for (const { slot, result, wrote } of picture.painted) {
      if (!result.values || result.values.rows <= 0 || result.values.cols <= 0) continue;
      const item = faceItem(slot, result, last.cmap, last.part);
      if (needsImage(item)) item.image = cellsDataUrl(item.rows, item.cols, item.colors, item.from);
      cells.push(item);
      const written = wrote && exactFace(result);
      if (written) texts.push(...valueTexts(slot, result, last.cmap, last.part, mono));
      texts.push(...specialItems(slot, result, !written, mono));
    }
  } else if (scene) {
    // faces without values: their outline filled
    const fill = getComputedStyle(root).getPropertyValue("--tv-bg3").trim() || "#eeeeee";
    for (const { t } of scene.hatch) {
      const pts = [[t[4], t[5]], [t[0] + t[4], t[1] + t[5]], [t[0] + t[2] + t[4], t[1] + t[3] + t[5]], [t[2] + t[4], t[3] + t[5]]];
      cells.push({ kind: "path", pts, closed: true, fill, stroke: null });
    }
  }
  return buildSvg({
    width: L.width, height: L.height, background: L.background, title: opts.title,
    description: scene ? scene.description : "",
    items: [...L.back, ...cells, ...texts, ...L.front, ...L.labels],
  });
}

/**
 * The export buttons and kernel answers of a TensorView (`Save PNG`, `Save SVG`).
 * @param {any} view the TensorView: its model, picture, root, state, and how it draws (visible, refresh)
 */
export function tensorExports(view) {
  /** The picture as drawn: a view never scrolled into sight draws itself first. */
  const drawn = () => {
    if (!view.visible) {
      view.visible = true;
      if (view.io) view.io.disconnect();
      view.refresh();
    }
    return waitUntil(
      () => view.root.dataset.state === "error" || (view.root.dataset.state === "ready" && (!!view.picture.last || !view.state.values)),
      30000, "the view has not drawn its values yet: the kernel may be busy running a cell",
    ).then(() => {
      if (view.root.dataset.state === "error") throw new Error(`the view shows an error: ${view.errorEl.textContent || "no picture"}`);
    });
  };
  const name = (/** @type {string} */ ext) => {
    const info = view.state ? view.state.info : {};
    const shape = view.state && view.state.shape.length ? view.state.shape.join("x") : "scalar";
    return `tensor-${slug(info.dtype || "values")}-${shape}.${ext}`;
  };
  const title = () => view.root.getAttribute("aria-label") || "tensor";
  return new Exports(view.model, [
    {
      format: "png", label: "PNG", title: "Save the picture as a PNG image at 2× (for slides)",
      make: async (/** @type {Record<string, any>} */ o) => {
        await drawn();
        const scale = Number.isFinite(Number(o.scale)) ? Math.max(0.5, Math.min(4, Number(o.scale))) : 2;
        return { data: await tensorPng(view.picture, view.root, scale), name: name("png") };
      },
    },
    {
      format: "svg", label: "SVG", title: "Save the picture as an SVG drawing (cells, outlines and labels as shapes and text)",
      make: async () => {
        await drawn();
        return { data: tensorSvg(view.picture, view.root, { title: title() }), name: name("svg") };
      },
    },
  ], { label: "Save the picture" });
}
