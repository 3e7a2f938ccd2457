// The one tooltip of a view: full index and exact value of the cell under the pointer.
import { h } from "./picture.js";

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
   * @param {{index: string, label: string}} hit
   * @param {number} x position inside the root element
   * @param {number} y
   * @param {number} maxX width of the root element
   */
  show(hit, x, y, maxX) {
    this.indexEl.textContent = hit.index;
    this.valueEl.textContent = hit.label;
    this.el.hidden = false;
    const w = this.el.offsetWidth || 120;
    const left = x + 14 + w > maxX ? Math.max(4, x - 14 - w) : x + 14;
    this.el.style.left = `${left}px`;
    this.el.style.top = `${y + 16}px`;
  }

  hide() {
    this.el.hidden = true;
  }
}
