// The one tooltip of a view: full index and exact value of the cell under the pointer.
import { h } from "./picture.js";

/** Distance of the tooltip from the pointer, so that the hovered cell and its neighbours stay visible. */
export const TOOLTIP_OFFSET = 14;

/**
 * Where a tooltip of size (w, h) goes for a pointer at (x, y): below and to the right of it, flipped to the other
 * side along an axis where it would leave the box [0, maxX] × [0, maxY], and kept inside the box when neither side
 * fits. Pure: unit-tested.
 * @param {number} x
 * @param {number} y
 * @param {number} w
 * @param {number} h
 * @param {number} maxX
 * @param {number} maxY
 * @param {number} [off]
 * @returns {[number, number]} left, top
 */
export function placeTooltip(x, y, w, h, maxX, maxY, off = TOOLTIP_OFFSET) {
  const along = (/** @type {number} */ p, /** @type {number} */ size, /** @type {number} */ max) => {
    if (p + off + size <= max) return p + off;
    if (p - off - size >= 0) return p - off - size;
    return Math.max(0, Math.min(max - size, p + off));
  };
  return [along(x, w, maxX), along(y, h, maxY)];
}

export class Tooltip {
  constructor() {
    this.el = h("div", "tv-tooltip");
    this.el.dataset.role = "tooltip";
    this.el.setAttribute("role", "tooltip");
    this.indexEl = h("div", "tv-tooltip-index");
    this.valueEl = h("div", "tv-tooltip-value");
    this.el.append(this.indexEl, this.valueEl);
    this.el.hidden = true;
  }

  /**
   * @param {{index: string, label: string, extent?: string}} hit
   * @param {number} x pointer position inside the positioning box (the root element)
   * @param {number} y
   * @param {{x0: number, y0: number, x1: number, y1: number}} box the area the tooltip must stay in (same coordinates)
   */
  show(hit, x, y, box) {
    this.indexEl.replaceChildren(hit.index);
    if (hit.extent) this.indexEl.append(h("span", "tv-tooltip-extent", ` · ${hit.extent}`));
    this.valueEl.textContent = hit.label;
    this.el.hidden = false;
    const w = this.el.offsetWidth || 120;
    const hh = this.el.offsetHeight || 40;
    const [left, top] = placeTooltip(x - box.x0, y - box.y0, w, hh, box.x1 - box.x0, box.y1 - box.y0);
    this.el.style.left = `${Math.round(left + box.x0)}px`;
    this.el.style.top = `${Math.round(top + box.y0)}px`;
  }

  hide() {
    this.el.hidden = true;
  }
}
