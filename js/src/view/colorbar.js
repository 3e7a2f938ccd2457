// Color bar: the colormap over the global value range, with special-value swatches.
import { h } from "./picture.js";
import { gradientCss, rgbCss, SPECIAL_COLORS, BOOL_COLORS } from "../colormap.js";
import { formatCompact, formatCount } from "../format.js";

/**
 * @param {string} color
 * @param {string} text
 */
function swatch(color, text) {
  const el = h("span", "tv-swatch");
  const box = h("span", "tv-swatch-box");
  box.style.background = color;
  el.append(box, h("span", "tv-swatch-text", text));
  return el;
}

/**
 * @param {import("../colormap.js").Colormap} cmap
 * @param {{nan?: number, posinf?: number, neginf?: number} | null} counts
 * @param {string} caption what the colors show
 */
export function renderColorbar(cmap, counts, caption) {
  const el = h("div", "tv-colorbar");
  el.append(h("span", "tv-colorbar-caption", caption));
  if (cmap.mode === "bool") {
    el.append(swatch(rgbCss(BOOL_COLORS.false), "False"), swatch(rgbCss(BOOL_COLORS.true), "True"));
  } else if (cmap.mode !== "cyclic" && cmap.lo === cmap.hi) {
    // one value everywhere: a ramp from it to itself says nothing; its one color does
    const one = swatch(cmap.css(cmap.lo), `every value ${formatCompact(cmap.lo)}`);
    one.dataset.role = "constant";
    el.append(one);
  } else {
    const wrap = h("span", "tv-ramp-wrap");
    const ramp = h("span", "tv-ramp");
    ramp.style.background = gradientCss(cmap);
    wrap.append(ramp);
    const ticks = h("span", "tv-ramp-ticks");
    /** @type {[number, string][]} */
    let marks;
    if (cmap.mode === "cyclic") marks = [[0, "−π"], [0.5, "0"], [1, "π"]];
    else if (cmap.mode === "diverging") marks = [[0, formatCompact(cmap.lo)], [0.5, "0"], [1, formatCompact(cmap.hi)]];
    else marks = [[0, formatCompact(cmap.lo)], [1, formatCompact(cmap.hi)]];
    for (const [t, text] of marks) {
      const tick = h("span", "tv-ramp-tick", text);
      tick.style.left = `${t * 100}%`;
      if (t === 0) tick.classList.add("tv-first");
      if (t === 1) tick.classList.add("tv-last");
      ticks.append(tick);
    }
    wrap.append(ticks);
    el.append(wrap);
  }
  if (counts) {
    if (counts.nan) el.append(swatch(rgbCss(SPECIAL_COLORS.nan), `NaN (${formatCount(counts.nan)})`));
    if (counts.posinf) el.append(swatch(rgbCss(SPECIAL_COLORS.posinf), `+inf (${formatCount(counts.posinf)})`));
    if (counts.neginf) el.append(swatch(rgbCss(SPECIAL_COLORS.neginf), `−inf (${formatCount(counts.neginf)})`));
  }
  return el;
}
