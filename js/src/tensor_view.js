// TensorView frontend entry (anywidget): `export default { initialize, render }`.
// Uses only model.get/set/on/off/send/save_changes and `msg:custom`, so a small stand-in model can drive it
// outside Jupyter.
import { TRAIT, COMPLEX_PART } from "./protocol.js";
import { FaceClient } from "./faces.js";
import { makeColormap } from "./colormap.js";
import { numberAt } from "./decode.js";
import { depthAxis, normalizeFaceAxes, normalizeIndex } from "./layout.js";
import { formatShape, sparseNote } from "./format.js";
import { buildScene } from "./view/scene.js";
import { Picture, h } from "./view/picture.js";
import { renderHeader } from "./view/header.js";
import { renderControls } from "./view/controls.js";
import { renderColorbar } from "./view/colorbar.js";
import { Tooltip } from "./view/tooltip.js";

/**
 * @typedef {{get: (k: string) => any, set: (k: string, v: any) => void, on: Function, off: Function,
 *            send: (content: any, callbacks?: any, buffers?: any[]) => void, save_changes: () => void}} Model
 * @typedef {import("./faces.js").FaceResult} FaceResult
 */

const CACHE_MAX = 1200;

class TensorView {
  /**
   * @param {Model} model
   * @param {HTMLElement} host
   */
  constructor(model, host) {
    this.model = model;
    this.host = host;
    this.client = new FaceClient(model);
    /** @type {Map<string, FaceResult>} */
    this.cache = new Map();
    this.visible = false;
    this.drawnOnce = false;
    this.firstError = "";
    /** @type {Array<[string, Function]>} */
    this.listeners = [];

    this.root = h("div", "tensorviz");
    this.root.dataset.widget = "tensor-view";
    this.root.dataset.state = "loading";
    // keep JupyterLab's notebook shortcuts (arrow keys in command mode) away from our controls
    this.root.setAttribute("data-lm-suppress-shortcuts", "true");
    this.headerSlot = h("div", "tv-header-slot");
    this.errorEl = h("div", "tv-error");
    this.errorEl.hidden = true;
    this.noteEl = h("div", "tv-values-note");
    this.noteEl.hidden = true;
    this.picture = new Picture();
    this.scroll = h("div", "tv-scroll");
    this.scroll.append(this.picture.el);
    this.captionEl = h("div", "tv-caption");
    this.sparseEl = h("div", "tv-sparse-note");
    this.colorbarSlot = h("div", "tv-colorbar-slot");
    this.controlsSlot = h("div", "tv-controls-slot");
    this.statusEl = h("div", "tv-status");
    this.statusEl.setAttribute("role", "status");
    this.statusEl.setAttribute("aria-live", "polite");
    this.tooltip = new Tooltip();
    const body = h("div", "tv-body");
    body.append(this.picture.legendEl, this.picture.positionEl, this.scroll, this.sparseEl, this.captionEl, this.colorbarSlot);
    this.root.append(this.headerSlot, this.errorEl, this.noteEl, body, this.controlsSlot, this.statusEl, this.tooltip.el);
    host.append(this.root);

    this.onPointer = this.onPointer.bind(this);
    this.onLeave = () => this.tooltip.hide();
    this.onKey = this.onKey.bind(this);
    this.picture.el.addEventListener("mousemove", this.onPointer);
    this.picture.el.addEventListener("mouseleave", this.onLeave);
    this.picture.el.addEventListener("keydown", this.onKey);

    this.listen(`change:${TRAIT.INFO}`, () => this.rebuild());
    this.listen(`change:${TRAIT.DIMS}`, () => this.rebuild());
    this.listen(`change:${TRAIT.FACE_AXES}`, () => this.syncFromModel());
    this.listen(`change:${TRAIT.INDEX}`, () => this.syncFromModel());
    this.listen(`change:${TRAIT.COMPLEX_PART}`, () => this.rebuild());
    this.listen(`change:${TRAIT.REVISION}`, () => {
      this.cache.clear();
      this.refresh();
    });
    this.listen(`change:${TRAIT.ERROR}`, () => this.showError());

    this.rebuild();
    this.observeVisibility();
  }

  /** @param {string} name @param {Function} fn */
  listen(name, fn) {
    this.model.on(name, fn);
    this.listeners.push([name, fn]);
  }

  observeVisibility() {
    const IO = globalThis.IntersectionObserver;
    if (!IO) {
      this.visible = true;
      this.refresh();
      return;
    }
    this.io = new IO((entries) => {
      if (entries.some((e) => e.isIntersecting) && !this.visible) {
        this.visible = true;
        this.refresh();
      }
    });
    this.io.observe(this.root);
  }

  /** Read traits into a consistent view state. */
  readState() {
    const info = this.model.get(TRAIT.INFO) || {};
    const shape = Array.isArray(info.shape) ? info.shape.map(Number) : [];
    const rank = shape.length;
    const dimsRaw = this.model.get(TRAIT.DIMS);
    const dims = shape.map((_, i) => (Array.isArray(dimsRaw) && typeof dimsRaw[i] === "string" ? dimsRaw[i] : ""));
    const faceAxes = normalizeFaceAxes(rank, this.model.get(TRAIT.FACE_AXES));
    const index = normalizeIndex(shape, this.model.get(TRAIT.INDEX));
    const part = this.model.get(TRAIT.COMPLEX_PART) === COMPLEX_PART.PHASE ? "phase" : "magnitude";
    return { info, shape, dims, faceAxes, index, part, values: info.values !== false && rank >= 0 && !!info.dtype };
  }

  rebuild() {
    this.state = this.readState();
    const { info, shape } = this.state;
    this.root.setAttribute("aria-label", `${info.dtype || "unknown"} tensor of shape ${formatShape(shape)} on ${info.device || "n/a"}`);
    this.headerSlot.replaceChildren(renderHeader(info));
    this.noteEl.hidden = this.state.values;
    this.noteEl.textContent = this.state.values ? "" : info.values_note || "no values to show: only the structure";
    this.sparseEl.textContent = sparseNote(info);
    this.renderControls();
    this.showError();
    this.refresh();
  }

  renderControls() {
    const s = this.state;
    this.controlsSlot.replaceChildren(
      renderControls(
        { shape: s.shape, dims: s.dims, faceAxes: s.faceAxes, index: s.index, complex: s.info.value_kind === "complex", part: s.part },
        {
          onFaceAxes: (axes) => {
            this.model.set(TRAIT.FACE_AXES, axes);
            this.model.save_changes();
            this.syncFromModel();
          },
          onIndex: (axis, value) => this.setIndex(axis, value),
          onPart: (p) => {
            this.model.set(TRAIT.COMPLEX_PART, p);
            this.model.save_changes();
            if (this.state.part !== p) this.rebuild();
          },
        },
      ),
    );
  }

  /** @param {number} axis @param {number} value */
  setIndex(axis, value) {
    const index = this.state.index.slice();
    const n = this.state.shape[axis];
    index[axis] = Math.max(0, Math.min(n - 1, value));
    if (index[axis] === this.state.index[axis]) return;
    this.model.set(TRAIT.INDEX, index);
    this.model.save_changes();
    this.syncFromModel();
  }

  /** face_axes / index changed (here or in the kernel): update controls in place or rebuild them. */
  syncFromModel() {
    const prev = this.state;
    const next = this.readState();
    const axesChanged = JSON.stringify(prev.faceAxes) !== JSON.stringify(next.faceAxes);
    const indexChanged = JSON.stringify(prev.index) !== JSON.stringify(next.index);
    if (!axesChanged && !indexChanged) return;
    this.state = next;
    if (axesChanged) this.renderControls();
    else {
      for (const input of this.controlsSlot.querySelectorAll("input.tv-range")) {
        const el = /** @type {HTMLInputElement} */ (input);
        const a = Number(el.dataset.tvAxis);
        if (Number(el.value) !== next.index[a]) el.value = String(next.index[a]);
      }
      for (const out of this.controlsSlot.querySelectorAll("output.tv-range-value")) {
        const el = /** @type {HTMLElement} */ (out);
        const a = Number(el.dataset.tvAxis);
        el.textContent = `${next.index[a]} / ${Math.max(0, next.shape[a] - 1)}`;
      }
    }
    this.refresh();
  }

  showError() {
    const err = this.model.get(TRAIT.ERROR);
    const msg = typeof err === "string" && err ? err : this.firstError;
    this.errorEl.hidden = !msg;
    this.errorEl.textContent = msg || "";
    if (msg) this.root.dataset.state = "error";
    else if (this.root.dataset.state === "error") this.root.dataset.state = this.drawnOnce ? "ready" : "loading";
  }

  /**
   * Cache key of a face: what was asked (face-axis entries of the index do not matter) and the data revision.
   * @param {import("./protocol.js").FaceRequest} req
   * @param {number[]} budget
   * @param {number} revision
   */
  key(req, budget, revision) {
    const idx = req.index.slice();
    for (const a of req.axes) idx[a] = 0;
    return JSON.stringify([req.axes, idx, req.window, budget, revision]);
  }

  refresh() {
    const s = this.state;
    const scene = buildScene({ shape: s.shape, dims: s.dims, faceAxes: s.faceAxes, index: s.index, values: s.values });
    this.scene = scene;
    if (!s.values) {
      this.tooltip.hide();
      this.picture.setScene(scene);
      this.captionEl.textContent = "";
      this.colorbarSlot.replaceChildren();
      this.drawnOnce = true;
      if (this.root.dataset.state !== "error") this.root.dataset.state = "ready";
      return;
    }
    // the structure shows while the first values load; later, the last picture stays until the new one is ready
    if (!this.drawnOnce) this.picture.setScene(scene);
    if (!this.visible) return;
    const revision = Number(this.model.get(TRAIT.REVISION) ?? 0);
    const keys = scene.slots.map((sl) => this.key(sl.req, scene.budget, revision));
    const have = keys.map((k) => this.cache.get(k));
    if (have.every(Boolean)) {
      this.paint(scene, /** @type {FaceResult[]} */ (have));
      return;
    }
    const missing = [];
    const missingKeys = [];
    const seen = new Set();
    scene.slots.forEach((sl, i) => {
      if (have[i] || seen.has(keys[i])) return;
      seen.add(keys[i]);
      missing.push(sl.req);
      missingKeys.push(keys[i]);
    });
    this.client.request({
      budget: scene.budget,
      faces: missing,
      onReply: (results) => {
        this.setStatus("");
        results.forEach((r, i) => {
          if (missingKeys[i]) this.cache.set(missingKeys[i], r);
        });
        if (this.cache.size > CACHE_MAX) {
          const drop = [...this.cache.keys()].slice(0, this.cache.size - CACHE_MAX);
          for (const k of drop) this.cache.delete(k);
        }
        if (this.scene === scene) {
          const all = keys.map((k) => this.cache.get(k));
          if (all.every(Boolean)) this.paint(scene, /** @type {FaceResult[]} */ (all));
          else this.refresh();
        }
      },
      onError: (message) => {
        if (!this.drawnOnce) {
          this.firstError = message;
          this.showError();
        } else {
          this.setStatus(message);
        }
      },
    });
  }

  /** @param {string} text */
  setStatus(text) {
    this.statusEl.textContent = text;
    this.statusEl.classList.toggle("tv-status-on", !!text);
  }

  /**
   * @param {import("./view/scene.js").Scene} scene
   * @param {FaceResult[]} results
   */
  paint(scene, results) {
    const s = this.state;
    const cmap = this.colormap(results);
    if (this.picture.scene !== scene) {
      this.tooltip.hide();
      this.picture.setScene(scene);
    }
    this.picture.paint(results, cmap, /** @type {"magnitude"|"phase"} */ (s.part));
    this.renderColorbar(results, cmap);
    // say when a face is block-reduced
    const notes = new Set();
    const faceErrors = [];
    results.forEach((r, i) => {
      if (r.error) faceErrors.push(r.error);
      const st = r.meta && r.meta.step;
      if (st && (st[0] !== 1 || st[1] !== 1)) {
        const role = scene.slots[i].role;
        const what = role === "overview" ? "overview" : role === "flat" ? "face" : `${role} face`;
        const cells = s.shape.length === 1 ? `${st[1]} values` : `a ${st[0]}×${st[1]} block`;
        notes.add(`${what}: each cell shows the largest |x| of ${cells}`);
      }
    });
    this.captionEl.textContent = [...notes].join(" · ");
    if (faceErrors.length) this.setStatus(faceErrors[0]);
    this.drawnOnce = true;
    this.firstError = "";
    this.showError();
    if (this.root.dataset.state !== "error") this.root.dataset.state = "ready";
  }

  /** @param {FaceResult[]} results */
  colormap(results) {
    const s = this.state;
    const stats = s.info.stats;
    let min = stats ? stats.min : null;
    let max = stats ? stats.max : null;
    if (!stats || min === null || max === null) {
      // no global stats: the range of the faces shown
      min = Infinity;
      max = -Infinity;
      for (const r of results) {
        if (!r || !r.values) continue;
        for (let i = 0; i < r.values.count; i++) {
          const v = numberAt(r.values, i, "magnitude");
          if (Number.isFinite(v)) {
            if (v < min) min = v;
            if (v > max) max = v;
          }
        }
      }
      if (min > max) min = max = 0;
    }
    // a sparse tensor's stats cover its stored values; the entries it does not store are 0 and show as 0
    const info = s.info;
    if (info.layout && info.layout !== "strided" && Number(info.nnz) < Number(info.numel)) {
      min = Math.min(/** @type {number} */ (min), 0);
      max = Math.max(/** @type {number} */ (max), 0);
    }
    return makeColormap({ valueKind: s.info.value_kind, min, max, part: s.part });
  }

  /**
   * @param {FaceResult[]} results
   * @param {import("./colormap.js").Colormap} [cmap]
   */
  renderColorbar(results, cmap) {
    const s = this.state;
    if (!s.values || !cmap) {
      if (!s.values) this.colorbarSlot.replaceChildren();
      return;
    }
    const stats = s.info.stats;
    let caption = s.info.value_kind === "complex" ? (s.part === "phase" ? "phase (rad)" : "|z|") : "values";
    if (cmap.mode !== "bool" && cmap.mode !== "cyclic") caption += stats ? "" : " (range of shown faces)";
    this.colorbarSlot.replaceChildren(renderColorbar(cmap, stats, caption));
    void results;
  }

  /** @param {MouseEvent} ev */
  onPointer(ev) {
    const rect = this.picture.el.getBoundingClientRect();
    const hit = this.picture.hit(ev.clientX - rect.left, ev.clientY - rect.top);
    if (!hit) {
      this.tooltip.hide();
      return;
    }
    // the tooltip is placed in the root's padding box; it stays inside both the widget and the viewport
    const rr = this.root.getBoundingClientRect();
    const ox = rr.left + this.root.clientLeft;
    const oy = rr.top + this.root.clientTop;
    const x0 = Math.max(0, -ox);
    const y0 = Math.max(0, -oy);
    const x1 = Math.min(this.root.clientWidth || rr.width, (globalThis.innerWidth || Infinity) - ox);
    const y1 = Math.min(this.root.clientHeight || rr.height, (globalThis.innerHeight || Infinity) - oy);
    this.tooltip.show(hit, ev.clientX - ox, ev.clientY - oy, { x0, y0, x1, y1 });
  }

  /** @param {KeyboardEvent} ev */
  onKey(ev) {
    ev.stopPropagation();
    const s = this.state;
    const da = depthAxis(s.shape.length, s.faceAxes);
    if (da < 0) return;
    const cur = s.index[da];
    let next = cur;
    if (ev.key === "ArrowRight" || ev.key === "ArrowUp") next = cur + 1;
    else if (ev.key === "ArrowLeft" || ev.key === "ArrowDown") next = cur - 1;
    else if (ev.key === "Home") next = 0;
    else if (ev.key === "End") next = s.shape[da] - 1;
    else return;
    ev.preventDefault();
    this.setIndex(da, next);
  }

  destroy() {
    for (const [name, fn] of this.listeners) this.model.off(name, fn);
    this.listeners = [];
    if (this.io) this.io.disconnect();
    this.client.close();
    this.picture.el.removeEventListener("mousemove", this.onPointer);
    this.picture.el.removeEventListener("mouseleave", this.onLeave);
    this.picture.el.removeEventListener("keydown", this.onKey);
    this.root.remove();
  }
}

export default {
  /** @param {{model: Model}} _ctx */
  initialize(_ctx) {},
  /**
   * @param {{model: Model, el: HTMLElement}} ctx
   * @returns {() => void}
   */
  render({ model, el }) {
    const view = new TensorView(model, el);
    return () => view.destroy();
  },
};
