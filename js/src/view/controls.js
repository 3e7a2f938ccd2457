// Controls: row/column axis pickers for the front face, one index slider per other axis, complex part toggle.
import { h } from "./picture.js";
import { axisColor, depthAxis, sliderValueText, splitOuter } from "../layout.js";

/**
 * @typedef {{onFaceAxes: (axes: number[]) => void, onIndex: (axis: number, value: number) => void,
 *            onPart: (part: "magnitude"|"phase") => void}} ControlHandlers
 */

/**
 * @param {{shape: number[], dims: string[], faceAxes: number[], index: number[], complex: boolean, part: string}} s
 * @param {ControlHandlers} on
 * @returns {HTMLElement}
 */
export function renderControls(s, on) {
  const el = h("div", "tv-controls");
  const grid = h("div", "tv-controls-grid");
  // JupyterLab's command-mode shortcuts (arrow keys move between cells) must leave these controls alone:
  // Lumino checks the focused element itself for this attribute
  const own = (/** @type {HTMLElement} */ c) => {
    c.setAttribute("data-lm-suppress-shortcuts", "true");
    c.addEventListener("keydown", (ev) => ev.stopPropagation());
    return c;
  };
  const rank = s.shape.length;
  const name = (/** @type {number} */ a) => (s.dims[a] ? ` · ${s.dims[a]}` : "");
  if (rank >= 2) {
    const row = h("div", "tv-control-row tv-face-pickers");
    ["rows", "columns"].forEach((what, k) => {
      const lab = h("label", "tv-picker");
      lab.append(h("span", "tv-control-name", what));
      const sel = /** @type {HTMLSelectElement} */ (own(h("select", "tv-select")));
      sel.setAttribute("aria-label", `${what} axis of the front face`);
      for (let a = 0; a < rank; a++) {
        const opt = /** @type {HTMLOptionElement} */ (h("option", "", `axis ${a}${name(a)} · ${s.shape[a]}`));
        opt.value = String(a);
        sel.append(opt);
      }
      sel.value = String(s.faceAxes[k]);
      sel.title = sel.options[sel.selectedIndex] ? sel.options[sel.selectedIndex].text : "";
      sel.style.borderColor = axisColor(s.faceAxes[k]);
      sel.style.color = axisColor(s.faceAxes[k]);
      sel.addEventListener("change", () => {
        const a = Number(sel.value);
        const next = s.faceAxes.slice();
        const other = 1 - k;
        if (next[other] === a) next[other] = next[k]; // already used: swap
        next[k] = a;
        on.onFaceAxes(next);
      });
      lab.append(sel);
      row.append(lab);
    });
    grid.append(row);
  }
  const da = depthAxis(rank, s.faceAxes);
  const fixed = rank >= 4 ? splitOuter(rank, s.faceAxes).fixed : [];
  for (let a = 0; a < rank; a++) {
    if (s.faceAxes.includes(a)) continue;
    const n = s.shape[a];
    const row = h("label", "tv-control-row tv-slider");
    row.style.setProperty("--tv-axis-color", axisColor(a));
    const title = h("span", "tv-control-name", `axis ${a}${name(a)}`);
    title.style.color = axisColor(a);
    title.title = `axis ${a}${name(a)} · ${n}`;
    const role = h("span", "tv-control-role", a === da ? "depth" : fixed.includes(a) ? "slice" : "cube");
    const input = /** @type {HTMLInputElement} */ (own(h("input", "tv-range")));
    input.type = "range";
    input.min = "0";
    input.max = String(Math.max(0, n - 1));
    input.step = "1";
    input.value = String(s.index[a] ?? 0);
    input.disabled = n <= 1;
    input.dataset.tvAxis = String(a);
    input.setAttribute("aria-label", `index on axis ${a}${s.dims[a] ? ` (${s.dims[a]})` : ""}`);
    const out = h("output", "tv-range-value", sliderValueText(Number(input.value), n));
    out.dataset.tvAxis = String(a);
    if (n <= 1) {
      // nothing to move: the control stays (it is the axis's control) but reads as fixed
      row.classList.add("tv-slider-fixed");
      const why = n === 1 ? `axis ${a} has length 1: its only index is 0` : `axis ${a} is empty`;
      input.title = why;
      out.title = why;
      input.setAttribute("aria-description", why);
    }
    input.addEventListener("input", () => {
      out.textContent = sliderValueText(Number(input.value), n);
      on.onIndex(a, Number(input.value));
    });
    row.append(title, role, input, out);
    grid.append(row);
  }
  if (s.complex) {
    const row = h("div", "tv-control-row tv-part");
    row.setAttribute("role", "radiogroup");
    row.setAttribute("aria-label", "complex part");
    row.append(h("span", "tv-control-name", "show"));
    for (const p of /** @type {("magnitude"|"phase")[]} */ (["magnitude", "phase"])) {
      const b = /** @type {HTMLButtonElement} */ (own(h("button", "tv-toggle", p)));
      b.type = "button";
      b.setAttribute("role", "radio");
      b.setAttribute("aria-checked", String(s.part === p));
      b.addEventListener("click", () => on.onPart(p));
      row.append(b);
    }
    grid.append(row);
  }
  if (grid.childElementCount) el.append(grid);
  return el;
}
