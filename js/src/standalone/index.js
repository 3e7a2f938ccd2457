// The standalone bundle of an exported file: mounts each widget held in the page with its own render code (the same
// modules the notebook runs) over a stand-in model that answers from the data the file holds. No network: no import(),
// no fetch; the page's data sits in <script type="application/json"> elements.
//
// Each widget's host is an element `[data-tensorviz-export="<id>"]` and its data the JSON element with that id.
import tensorView from "../tensor_view.js";
import opPlayer from "../op_player.js";
import memoryMonitor from "../memory_monitor.js";
import { StandInModel } from "./model.js";
import { prepare } from "./answers.js";

/** @type {Record<string, {render: (ctx: {model: any, el: HTMLElement}) => any}>} */
const WIDGETS = { "tensor-view": tensorView, "op-player": opPlayer, "memory-monitor": memoryMonitor };

const NEEDS_KERNEL = "Needs the kernel: this is a static picture exported from a notebook";

/**
 * Mount one widget into `host` from its exported data.
 * @param {HTMLElement} host
 * @param {any} payload
 * @returns {{model: StandInModel, destroy: () => void}}
 */
export function mount(host, payload) {
  const p = prepare(payload);
  const model = new StandInModel(p.state, p.answer);
  const slot = document.createElement("div");
  slot.className = "tv-file-widget";
  host.append(slot);
  const widget = WIDGETS[p.kind];
  const cleanup = widget.render({ model, el: slot });
  if (p.kind === "memory-monitor") {
    // its controls ask the kernel; saving the picture as PNG / SVG works from the file itself
    for (const b of slot.querySelectorAll("button:not(.tv-export-btn)")) {
      const btn = /** @type {HTMLButtonElement} */ (b);
      btn.disabled = true;
      btn.title = NEEDS_KERNEL;
      btn.setAttribute("aria-description", NEEDS_KERNEL);
    }
  }
  if (p.summary) {
    const note = document.createElement("p");
    note.className = "tv-file-note";
    note.dataset.role = "export-note";
    note.textContent = p.summary;
    host.append(note);
  }
  return { model, destroy: () => (typeof cleanup === "function" ? cleanup() : undefined) };
}

/**
 * Mount every exported widget of a document (each once).
 * @param {Document} [doc]
 */
export function mountAll(doc = document) {
  const mounted = [];
  for (const el of doc.querySelectorAll("[data-tensorviz-export]")) {
    const host = /** @type {HTMLElement} */ (el);
    if (host.dataset.mounted) continue;
    host.dataset.mounted = "true";
    const source = doc.getElementById(host.dataset.tensorvizExport || "");
    try {
      if (!source) throw new Error("its data is missing from the file");
      mounted.push(mount(host, JSON.parse(source.textContent || "{}")));
    } catch (e) {
      const err = document.createElement("div");
      err.className = "tv-file-error";
      err.dataset.role = "error";
      err.textContent = `tensorviz: this widget could not be shown: ${/** @type {Error} */ (e).message || e}`;
      host.append(err);
    }
  }
  return mounted;
}

if (typeof document !== "undefined") {
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", () => mountAll());
  else mountAll();
}
