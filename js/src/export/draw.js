// Draw picture items (see svg.js) onto a Canvas 2D context: outlines, arrows, text with its rotation and halo. Only the
// context's own API is used (no DOM), so the PNG, the video and the GIF frames draw the same items as the SVG file.

/**
 * @typedef {import("./svg.js").Item} Item
 * @typedef {import("./svg.js").Font} Font
 */

/** CSS font shorthand of a font. @param {Font} f */
export function fontCss(f) {
  return `${f.style && f.style !== "normal" ? `${f.style} ` : ""}${f.weight || 400} ${f.size}px ${f.family || "sans-serif"}`;
}

/**
 * @param {CanvasRenderingContext2D} ctx
 * @param {import("./svg.js").RectItem | import("./svg.js").PathItem} it
 * @param {() => void} trace
 */
function paintShape(ctx, it, trace) {
  const base = it.opacity ?? 1;
  if (it.fill && it.fill !== "none") {
    ctx.globalAlpha = base * (it.fillOpacity ?? 1);
    ctx.fillStyle = it.fill;
    ctx.beginPath();
    trace();
    ctx.fill();
  }
  if (it.stroke && it.stroke !== "none" && (it.strokeWidth ?? 1) > 0) {
    ctx.globalAlpha = base * (it.strokeOpacity ?? 1);
    ctx.strokeStyle = it.stroke;
    ctx.lineWidth = it.strokeWidth ?? 1;
    ctx.setLineDash(it.dash && it.dash.length ? it.dash : []);
    ctx.lineCap = /** @type {CanvasLineCap} */ ((it.kind === "path" && it.linecap) || "butt");
    ctx.lineJoin = /** @type {CanvasLineJoin} */ ((it.kind === "path" && it.linejoin) || "miter");
    ctx.beginPath();
    trace();
    ctx.stroke();
    ctx.setLineDash([]);
  }
  ctx.globalAlpha = 1;
}

/**
 * Draw items in picture px; the context's current transform maps them to its pixels (e.g. a scale of 2 for 2×).
 * Cells items are not drawn here (the views paint their cells themselves, at the export's pixel ratio).
 * @param {CanvasRenderingContext2D} ctx
 * @param {Item[]} items
 */
export function drawItems(ctx, items) {
  for (const it of items) {
    if (it.kind === "rect") {
      const r = Math.max(0, Math.min(it.rx || 0, it.w / 2, it.h / 2));
      paintShape(ctx, it, () => {
        if (r > 0 && typeof ctx.roundRect === "function") ctx.roundRect(it.x, it.y, it.w, it.h, r);
        else ctx.rect(it.x, it.y, it.w, it.h);
      });
    } else if (it.kind === "path") {
      if (!it.pts.length) continue;
      paintShape(ctx, it, () => {
        it.pts.forEach((p, i) => (i ? ctx.lineTo(p[0], p[1]) : ctx.moveTo(p[0], p[1])));
        if (it.closed) ctx.closePath();
      });
    } else if (it.kind === "text") {
      drawText(ctx, it);
    }
  }
}

/**
 * @param {CanvasRenderingContext2D} ctx
 * @param {import("./svg.js").TextItem} it
 */
export function drawText(ctx, it) {
  if (!it.text) return;
  ctx.save();
  ctx.translate(it.x, it.y);
  if (it.angle) ctx.rotate((it.angle * Math.PI) / 180);
  ctx.font = fontCss(it.font);
  ctx.textAlign = it.anchor === "middle" ? "center" : it.anchor === "end" ? "right" : "left";
  ctx.textBaseline = it.baseline === "middle" ? "middle" : "alphabetic";
  const alpha = it.opacity ?? 1;
  if (it.halo) {
    ctx.globalAlpha = alpha * 0.85;
    ctx.strokeStyle = it.halo;
    ctx.lineWidth = 3;
    ctx.lineJoin = "round";
    ctx.strokeText(it.text, 0, 0);
  }
  ctx.globalAlpha = alpha;
  ctx.fillStyle = it.color;
  ctx.fillText(it.text, 0, 0);
  ctx.restore();
}
