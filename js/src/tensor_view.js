// TensorView frontend entry (anywidget): `export default { initialize, render }`.
// Uses only model.get/set/on/off/send/save_changes and `msg:custom`, so a small stand-in model can drive it
// outside Jupyter.
import { TRAIT, COMPLEX_PART, KIND, SCAN_STATE } from "./protocol.js";
import { FaceClient } from "./faces.js";
import { Rpc } from "./rpc.js";
import { makeColormap } from "./colormap.js";
import { numberAt } from "./decode.js";
import { DEFAULT_PICTURE_WIDTH, depthAxis, invertAffine, normalizeFaceAxes, normalizeIndex, sliderValueText } from "./layout.js";
import {
  dragRect, dragToWindow, KEY_FACTOR, normalizeWindow, panStep, panWindow, spanText, wheelFactor, windowAround, zoomAt,
} from "./zoom.js";
import { formatShape, sampleText, sparseNote } from "./format.js";
import { buildScene } from "./view/scene.js";
import { Picture, h } from "./view/picture.js";
import { renderHeader } from "./view/header.js";
import { renderControls } from "./view/controls.js";
import { renderColorbar } from "./view/colorbar.js";
import { jumpText, renderNonfinite } from "./view/nonfinite.js";
import { Tooltip } from "./view/tooltip.js";
import { tensorExports } from "./export/tensor.js";

/**
 * @typedef {{get: (k: string) => any, set: (k: string, v: any) => void, on: Function, off: Function,
 *            send: (content: any, callbacks?: any, buffers?: any[]) => void, save_changes: () => void}} Model
 * @typedef {import("./faces.js").FaceResult} FaceResult
 */

const CACHE_MAX = 1200;
/** Bytes of face values the cache keeps at most (zooming makes many distinct faces). */
const CACHE_BYTES = 192 * 1024 * 1024;
const ZOOM_HELP =
  "Zoom: drag a rectangle on the face; Ctrl+wheel (pinch) or + / − zoom around the pointer or the centre; " +
  "Shift+arrow keys pan the zoomed face; 0 resets the zoom";

/**
 * Face-unit coordinates of a picture pixel on a face drawn with transform `t`, or null off the face.
 * @param {import("./layout.js").Affine} t
 * @param {[number, number]} p
 */
function faceUV(t, p) {
  const uv = invertAffine(t, p[0], p[1]);
  return uv && uv[0] >= 0 && uv[0] <= 1 && uv[1] >= 0 && uv[1] <= 1 ? uv : null;
}

class TensorView {
  /**
   * @param {Model} model
   * @param {HTMLElement} host
   */
  constructor(model, host) {
    this.model = model;
    this.host = host;
    this.client = new FaceClient(model);
    this.rpc = new Rpc(model);
    /** @type {number[] | null} the element last gone to ("Go to next NaN"): ringed wherever it is drawn exactly */
    this.highlight = null;
    /** @type {number[] | null} an element the picture must show exactly (a long vector keeps its cells in view) */
    this.focus = null;
    /** @type {Map<string, FaceResult>} */
    this.cache = new Map();
    this.cacheBytes = 0;
    /** @type {import("./zoom.js").Window | null} zoom window on the face (null: the whole face); per view */
    this.zoom = null;
    /** face the zoom belongs to (shape and face axes): another face drops it */
    this.zoomKey = "";
    /** @type {{start: [number, number], t: import("./layout.js").Affine, win: number[], extent: number[], id: number} | null} */
    this.drag = null;
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
    this.nonfiniteSlot = h("div", "tv-nonfinite-slot");
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
    this.zoomBar = h("div", "tv-zoombar");
    this.zoomBar.hidden = true;
    this.zoomStateEl = h("span", "tv-zoom-state");
    this.zoomStateEl.setAttribute("aria-live", "polite");
    this.zoomHintEl = h("span", "tv-zoom-hint", "drag on the face to zoom in · Ctrl+wheel or + / − · Shift+arrows pan");
    this.resetBtn = /** @type {HTMLButtonElement} */ (h("button", "tv-toggle tv-zoom-reset", "Reset zoom"));
    this.resetBtn.type = "button";
    this.resetBtn.setAttribute("aria-label", "Reset zoom");
    this.resetBtn.title = "Show the whole face again (key 0 on the picture)";
    this.resetBtn.setAttribute("data-lm-suppress-shortcuts", "true");
    this.resetBtn.addEventListener("keydown", (ev) => ev.stopPropagation());
    this.resetBtn.addEventListener("click", () => this.setZoom(null));
    this.zoomBar.append(this.resetBtn, this.zoomStateEl, this.zoomHintEl);
    this.statusEl = h("div", "tv-status");
    this.statusEl.setAttribute("role", "status");
    this.statusEl.setAttribute("aria-live", "polite");
    this.tooltip = new Tooltip();
    const body = h("div", "tv-body");
    body.append(this.picture.legendEl, this.picture.positionEl, this.scroll, this.zoomBar, this.sparseEl, this.captionEl, this.colorbarSlot);
    this.root.append(this.headerSlot, this.nonfiniteSlot, this.errorEl, this.noteEl, body, this.controlsSlot, this.statusEl, this.tooltip.el);
    // Save PNG / Save SVG, and the same files for the kernel (view.save_png)
    this.exports = tensorExports(this);
    this.root.insertBefore(this.exports.el, this.statusEl);
    host.append(this.root);

    // every DOM listener on the picture goes with this signal when the view is destroyed
    this.domListeners = new AbortController();
    const signal = this.domListeners.signal;
    const pic = this.picture.el;
    pic.addEventListener("mousemove", (ev) => this.onPointer(ev), { signal });
    pic.addEventListener("mouseleave", () => this.tooltip.hide(), { signal });
    pic.addEventListener("keydown", (ev) => this.onKey(ev), { signal });
    pic.addEventListener("pointerdown", (ev) => this.onDown(ev), { signal });
    pic.addEventListener("pointermove", (ev) => this.onMove(ev), { signal });
    pic.addEventListener("pointerup", (ev) => this.onUp(ev), { signal });
    pic.addEventListener("pointercancel", () => this.endDrag(), { signal });
    pic.addEventListener("wheel", (ev) => this.onWheel(ev), { signal, passive: false });

    this.listen(`change:${TRAIT.INFO}`, () => this.rebuild());
    this.listen(`change:${TRAIT.DIMS}`, () => this.rebuild());
    this.listen(`change:${TRAIT.FACE_AXES}`, () => this.syncFromModel());
    this.listen(`change:${TRAIT.INDEX}`, () => this.syncFromModel());
    this.listen(`change:${TRAIT.COMPLEX_PART}`, () => this.rebuild());
    this.listen(`change:${TRAIT.REVISION}`, () => {
      this.cache.clear();
      this.cacheBytes = 0;
      this.refresh();
    });
    this.listen(`change:${TRAIT.ERROR}`, () => this.showError());
    this.listen(`change:${TRAIT.NONFINITE}`, () => {
      this.renderNonfiniteBar();
      if (this.lastCmap) this.renderColorbar(this.lastCmap);
    });

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
    // once seen, the view stays "visible" (it fetches from then on): the observer has done its job
    this.io = new IO((entries) => {
      if (entries.some((e) => e.isIntersecting) && !this.visible) {
        this.visible = true;
        this.io.disconnect();
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
    return { info, shape, dims, faceAxes, index, part, values: info.values !== false && !!info.dtype };
  }

  rebuild() {
    this.state = this.readState();
    const { info, shape } = this.state;
    this.root.setAttribute("aria-label", `${info.dtype || "unknown"} tensor of shape ${formatShape(shape)} on ${info.device || "n/a"}`);
    this.headerSlot.replaceChildren(renderHeader(info));
    this.renderNonfiniteBar();
    this.noteEl.hidden = this.state.values;
    this.noteEl.textContent = this.state.values ? "" : info.values_note || "no values to show: only the structure";
    this.sparseEl.textContent = sparseNote(info);
    this.renderControls();
    this.showError();
    this.refresh();
  }

  /** The NaN / ±inf bar, from the `nonfinite` trait (exact counts, or "checking…"). */
  renderNonfiniteBar() {
    const st = this.model.get(TRAIT.NONFINITE);
    const info = this.state ? this.state.info : {};
    const bar = renderNonfinite(st, {
      sampled: !!(info.stats && info.stats.sampled),
      onNext: () => this.gotoNext(),
      onScan: () => {
        this.rpc.call({ kind: KIND.SCAN }).catch((e) => this.setStatus(String(e.message || e)));
      },
    });
    this.nonfiniteSlot.replaceChildren(...(bar ? [bar] : []));
    this.nonfiniteAt = bar ? bar.querySelector(".tv-nf-at") : null;
    this.picture.el.setAttribute("aria-keyshortcuts", this.keyShortcuts());
  }

  /** Whether the tensor is known to hold NaN or infinities (then N goes to the next one). */
  hasNonfinite() {
    const st = this.model.get(TRAIT.NONFINITE);
    return !!st && st.state === SCAN_STATE.DONE && (st.nan || 0) + (st.posinf || 0) + (st.neginf || 0) > 0;
  }

  /** Ask the kernel where the next NaN / ±inf after the one gone to last is, and show it. */
  async gotoNext() {
    let reply;
    try {
      reply = await this.rpc.call({ kind: KIND.NONFINITE, after: this.highlight });
    } catch (e) {
      this.setStatus(String(/** @type {Error} */ (e).message || e));
      return;
    }
    if (this.nonfiniteAt) this.nonfiniteAt.textContent = jumpText(reply);
    if (Array.isArray(reply.index)) this.goTo(reply.index);
  }

  /**
   * Move the view to one element: the sliders of the other axes to its index, the face zoomed in until its cell is
   * exact (or a long vector showing the cells around it), and the cell ringed once drawn.
   * @param {number[]} index full index
   */
  goTo(index) {
    const s = this.state;
    if (index.length !== s.shape.length) return;
    this.highlight = index.slice();
    this.focus = index.slice();
    if (this.scene && this.scene.zoom && s.shape.length >= 2) {
      const [ra, ca] = s.faceAxes;
      this.zoom = windowAround(index[ra], index[ca], s.shape[ra], s.shape[ca]);
      this.zoomKey = this.faceKey();
    }
    const next = s.index.slice();
    for (let a = 0; a < s.shape.length; a++) if (!s.faceAxes.includes(a)) next[a] = index[a];
    if (JSON.stringify(next) !== JSON.stringify(s.index)) {
      this.model.set(TRAIT.INDEX, next);
      this.model.save_changes();
    }
    const before = this.state;
    this.syncFromModel();
    if (this.state === before) this.refresh();
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
        el.textContent = sliderValueText(next.index[a], next.shape[a]);
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

  /** Which face a zoom belongs to: another shape or other face axes drop it (another depth index keeps it). */
  faceKey() {
    return JSON.stringify([this.state.shape, this.state.faceAxes]);
  }

  /**
   * Show a window of the zoomable face (null: the whole face). Repeated calls (wheel) only ask for the latest.
   * @param {number[] | null} win
   */
  setZoom(win) {
    const z = this.scene && this.scene.zoom;
    if (!z) return;
    const norm = normalizeWindow(win, z.extent[0], z.extent[1]);
    if (JSON.stringify(norm) === JSON.stringify(this.zoom)) return;
    this.zoom = norm;
    this.zoomKey = this.faceKey();
    this.refresh();
  }

  /** @param {import("./view/scene.js").Scene} scene */
  updateZoomBar(scene) {
    const z = scene.zoom;
    this.zoomBar.hidden = !z;
    this.picture.el.classList.toggle("tv-zoomable", !!z);
    const da = depthAxis(this.state.shape.length, this.state.faceAxes);
    const depthHelp = da >= 0 ? "Arrow keys move the depth index (Home/End: first/last). " : "";
    const nfHelp = this.hasNonfinite() ? " N goes to the next NaN or infinity." : "";
    if (z) this.picture.el.title = `${depthHelp}${ZOOM_HELP}${nfHelp}`;
    else if (depthHelp || nfHelp) this.picture.el.title = `${depthHelp}${nfHelp}`.trim();
    else this.picture.el.removeAttribute("title");
    this.picture.el.setAttribute("aria-keyshortcuts", this.keyShortcuts());
    if (!z) return;
    const [r0, r1, c0, c1] = z.window;
    const [H, W] = z.extent;
    this.resetBtn.disabled = !z.zoomed;
    this.zoomStateEl.textContent = z.zoomed ? `${spanText("rows", r0, r1, H)} × ${spanText("columns", c0, c1, W)}` : "";
  }

  /**
   * Room for the picture in CSS pixels, less the widget's padding: the host's width when it is a block in normal
   * flow (an output area); side by side in a flex row (an ipywidgets HBox), where the host's width follows its
   * content, an even share of the row; the default when not laid out yet or in any other container.
   */
  pictureRoom() {
    const host = this.host;
    const parent = host && host.parentElement;
    if (!host || !parent || !host.isConnected) return DEFAULT_PICTURE_WIDTH;
    const cs = globalThis.getComputedStyle ? globalThis.getComputedStyle(parent) : null;
    const display = cs ? cs.display : "block";
    let w = 0;
    if (/flex/.test(display)) {
      if (cs && !/column/.test(cs.flexDirection)) w = Math.min(parent.clientWidth / Math.max(1, parent.childElementCount), DEFAULT_PICTURE_WIDTH + 36);
    } else if (!/grid/.test(display)) w = host.clientWidth;
    return w > 0 ? Math.max(280, Math.min(1600, w - 36)) : DEFAULT_PICTURE_WIDTH;
  }

  refresh() {
    const s = this.state;
    if (this.zoom && this.zoomKey !== this.faceKey()) this.zoom = null;
    const scene = buildScene({
      shape: s.shape, dims: s.dims, faceAxes: s.faceAxes, index: s.index, values: s.values, window: this.zoom,
      width: this.pictureRoom(), focus: this.focus,
    });
    this.scene = scene;
    this.updateZoomBar(scene);
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
          if (missingKeys[i]) this.cachePut(missingKeys[i], r);
        });
        if (this.scene === scene) {
          const all = keys.map((k) => this.cache.get(k));
          if (all.every(Boolean)) this.paint(scene, /** @type {FaceResult[]} */ (all));
          else this.refresh();
        }
      },
      onSlow: () => this.setStatus("waiting for the kernel: it may be busy running a cell"),
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

  /**
   * Keep a face; the oldest go first when the cache holds too many faces or bytes.
   * @param {string} key
   * @param {FaceResult} r
   */
  cachePut(key, r) {
    const size = (/** @type {FaceResult | undefined} */ f) => (f && f.values ? f.values.data.byteLength : 0);
    if (this.cache.has(key)) {
      this.cacheBytes -= size(this.cache.get(key));
      this.cache.delete(key);
    }
    this.cache.set(key, r);
    this.cacheBytes += size(r);
    for (const [k, v] of this.cache) {
      if (this.cache.size <= CACHE_MAX && this.cacheBytes <= CACHE_BYTES) break;
      if (k === key) continue;
      this.cache.delete(k);
      this.cacheBytes -= size(v);
    }
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
    this.picture.showHighlight(this.highlight);
    this.renderColorbar(cmap);
    // say when a face is block-reduced
    const notes = new Set();
    const faceErrors = [];
    const z = scene.zoom;
    const scan = this.model.get(TRAIT.NONFINITE) || {};
    results.forEach((r, i) => {
      if (r.error) faceErrors.push(r.error);
      const unread = r.meta ? Number(r.meta.unread_nonfinite || 0) : 0;
      const where = scene.slots[i].role === "overview" ? "overview" : "face";
      if (unread > 0) {
        notes.add(`${unread === 1 ? "a NaN/±inf" : `${unread} NaN/±inf`} of this ${where} in rows not read ${unread === 1 ? "is" : "are"} marked on ${unread === 1 ? "its cell" : "their cells"} from the exact count`);
      }
      if (r.meta && r.meta.nonfinite_unknown) {
        notes.add(
          scan.state === SCAN_STATE.CHECKING
            ? "NaN/±inf in rows this sample does not read may not show until the count is done"
            : "the tensor holds more NaN/±inf than are marked: those in rows not read may not show (Go to next finds them)",
        );
      }
      const st = r.meta && r.meta.step;
      const role = scene.slots[i].role;
      const what = role === "overview" ? "overview" : role === "flat" ? "face" : `${role} face`;
      const read = sampleText(r.meta && r.meta.sample, s.shape.length);
      // a reply that holds less than was asked (an exported file) says what it holds: zooming in will not help there
      const held = r.meta && Array.isArray(r.meta.note) ? r.meta.note.map(String) : [];
      for (const n of held) notes.add(n);
      const sampled = read ? ` read from ${read}${held.length ? "" : " (a sample: zoom in to read every element)"}` : "";
      if (z && z.zoomed && i === z.slot && st) {
        // the zoomed face says whether it is exact yet
        notes.add(
          st[0] === 1 && st[1] === 1
            ? `zoomed ${what}: exact values, one cell per element`
            : `zoomed ${what}: still reduced, each cell shows the largest |x| of a ${st[0]}×${st[1]} block${sampled}${held.length ? "" : "; zoom in further for exact values"}`,
        );
        return;
      }
      if (st && (st[0] !== 1 || st[1] !== 1)) {
        const cells = s.shape.length === 1 ? `${st[1]} values` : `a ${st[0]}×${st[1]} block`;
        notes.add(`${what}: each cell shows the largest |x| of ${cells}${sampled}`);
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

  /** @param {import("./colormap.js").Colormap} cmap */
  renderColorbar(cmap) {
    this.lastCmap = cmap;
    const s = this.state;
    const stats = s.info.stats;
    let caption = s.info.value_kind === "complex" ? (s.part === "phase" ? "phase (rad)" : "|z|") : "values";
    if (cmap.mode !== "bool" && cmap.mode !== "cyclic") caption += stats ? "" : " (range of shown faces)";
    // the swatches count NaN / ±inf exactly once the kernel has counted them (sampled statistics may miss them)
    const scan = this.model.get(TRAIT.NONFINITE);
    const counts = scan && scan.state === SCAN_STATE.DONE ? scan : stats && !stats.sampled ? stats : null;
    this.colorbarSlot.replaceChildren(renderColorbar(cmap, counts, caption));
  }

  /** @param {MouseEvent} ev */
  onPointer(ev) {
    const hit = this.picture.hit(...this.at(ev));
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

  /**
   * Picture pixel of a pointer event.
   * @param {{clientX: number, clientY: number}} ev
   * @returns {[number, number]}
   */
  at(ev) {
    const rect = this.picture.el.getBoundingClientRect();
    return [ev.clientX - rect.left, ev.clientY - rect.top];
  }

  /**
   * The zoomable face under a picture pixel, as drawn now (the window it shows and where it is), or null.
   * @param {[number, number]} p
   */
  drawnZoomFace(p) {
    const scene = this.picture.scene;
    const z = scene && scene.zoom;
    const painted = z && this.picture.paintedSlot(z.slot);
    if (!painted || !painted.result.meta || !painted.result.meta.window) return null;
    const uv = faceUV(painted.slot.t, p);
    if (!uv) return null;
    return { t: painted.slot.t, win: painted.result.meta.window, extent: z.extent, uv };
  }

  /** @param {PointerEvent} ev */
  onDown(ev) {
    if (ev.button !== 0 || !this.scene || !this.scene.zoom) return;
    const p = this.at(ev);
    const face = this.drawnZoomFace(p);
    if (!face) return;
    ev.preventDefault(); // no text selection, no native drag
    this.picture.el.focus({ preventScroll: true });
    try {
      this.picture.el.setPointerCapture(ev.pointerId);
    } catch {
      /* synthetic events have no capturable pointer */
    }
    this.drag = { start: p, t: face.t, win: face.win, extent: face.extent, id: ev.pointerId };
  }

  /** @param {PointerEvent} ev */
  onMove(ev) {
    if (!this.drag || ev.pointerId !== this.drag.id) return;
    this.tooltip.hide();
    this.picture.showSelection(dragRect(this.drag.t, this.drag.start, this.at(ev)));
  }

  /** @param {PointerEvent} ev */
  onUp(ev) {
    const d = this.drag;
    if (!d || ev.pointerId !== d.id) return;
    this.endDrag();
    const win = dragToWindow(d.t, d.win, d.extent[0], d.extent[1], d.start, this.at(ev));
    if (win) this.setZoom(win);
  }

  endDrag() {
    if (this.drag) {
      try {
        this.picture.el.releasePointerCapture(this.drag.id);
      } catch {
        /* already released */
      }
    }
    this.drag = null;
    this.picture.showSelection(null);
  }

  /** @param {WheelEvent} ev */
  onWheel(ev) {
    const scene = this.scene;
    const z = scene && scene.zoom;
    // A plain wheel scrolls the notebook, as everywhere else on the page; Ctrl/⌘+wheel (and a trackpad
    // pinch, which browsers report as ctrl+wheel) zooms the face, as on web maps.
    if (!z || this.drag || !(ev.ctrlKey || ev.metaKey)) return;
    const slot = scene.slots[z.slot];
    const uv = slot && faceUV(slot.t, this.at(ev));
    if (!uv) return;
    const factor = wheelFactor(ev.deltaY, ev.deltaMode);
    if (factor === 1 || (factor < 1 && !z.zoomed)) return; // nothing to zoom out of: the page scrolls
    ev.preventDefault();
    this.tooltip.hide();
    // the window asked for last (maybe not drawn yet): fast wheeling goes on from where it got to
    this.setZoom(zoomAt(z.window, z.extent[0], z.extent[1], factor, uv[0], uv[1]));
  }

  /**
   * Zoom keys on the focused picture: `+`/`-` zoom around the centre, `0` resets, Shift+arrows pan.
   * @param {KeyboardEvent} ev
   * @returns {boolean} whether the key was a zoom key
   */
  handleZoomKey(ev) {
    const z = this.scene && this.scene.zoom;
    if (!z || ev.ctrlKey || ev.metaKey || ev.altKey) return false;
    const [H, W] = z.extent;
    if (ev.key === "+" || ev.key === "=") this.setZoom(zoomAt(z.window, H, W, KEY_FACTOR));
    else if (ev.key === "-" || ev.key === "_") this.setZoom(zoomAt(z.window, H, W, 1 / KEY_FACTOR));
    else if (ev.key === "0") this.setZoom(null);
    else if (ev.shiftKey && z.zoomed && ev.key.startsWith("Arrow")) {
      const d = panStep(z.window, ev.key);
      if (!d) return false;
      this.setZoom(panWindow(z.window, H, W, d[0], d[1]));
    } else return false;
    return true;
  }

  /** The keys the focused picture answers (aria-keyshortcuts). */
  keyShortcuts() {
    const keys = [];
    const z = this.scene && this.scene.zoom;
    if (z) keys.push("+ - 0 Shift+ArrowUp Shift+ArrowDown Shift+ArrowLeft Shift+ArrowRight");
    if (this.hasNonfinite()) keys.push("N");
    return keys.join(" ");
  }

  /** @param {KeyboardEvent} ev */
  onKey(ev) {
    ev.stopPropagation();
    if (this.handleZoomKey(ev)) {
      ev.preventDefault();
      return;
    }
    if ((ev.key === "n" || ev.key === "N") && !ev.ctrlKey && !ev.metaKey && !ev.altKey && this.hasNonfinite()) {
      ev.preventDefault();
      this.gotoNext();
      return;
    }
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
    this.rpc.close();
    this.exports.destroy();
    this.domListeners.abort();
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
