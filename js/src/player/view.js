// The op player: one traced step at a time, every element travelling from its cell in the inputs to its cell in the
// output. Reuses TensorView's picture parts: axis labels and colors, colormap and color bar, tooltip, value format.
import { axisLabel, h } from "../view/picture.js";
import { Tooltip } from "../view/tooltip.js";
import { renderColorbar } from "../view/colorbar.js";
import { rawAt } from "../decode.js";
import { formatBlock, formatShape, formatValue } from "../format.js";
import { unravel } from "./arrange.js";
import { buildStage, cellUnder } from "./stage.js";
import { HOLD_IN, HOLD_OUT, motionAt } from "./motion.js";
import { occupancy, paintStepFrame } from "../export/frames.js";
import { playerExports } from "../export/player.js";
import { sourceColor, stepColormap, unpackCss, valueColors } from "./colors.js";
import { describeStep, groupSteps, shapesText, stepDuration } from "./timeline.js";
import { decodeStep, PLAYER_KIND, PLAYER_TRAIT } from "./data.js";

const SVG_NS = "http://www.w3.org/2000/svg";

/**
 * @typedef {import("./data.js").StepData} StepData
 * @typedef {import("./data.js").StepSummary} StepSummary
 * @typedef {import("./stage.js").Stage} Stage
 * @typedef {import("./stage.js").Placed} Placed
 * @typedef {{get: (k: string) => any, set: (k: string, v: any) => void, on: Function, off: Function,
 *            send: (content: any, callbacks?: any, buffers?: any[]) => void, save_changes: () => void}} Model
 */

/** @param {string} tag @param {Record<string, string | number>} attrs */
function svg(tag, attrs) {
  const el = document.createElementNS(SVG_NS, tag);
  for (const [k, v] of Object.entries(attrs)) el.setAttribute(k, String(v));
  return el;
}

/** Icon paths (a 16 × 16 box) drawn inline: fonts differ in which media symbols they have. */
const ICONS = {
  back: "M3 3h2v10H3zM13 3v10L6 8z",
  play: "M4 2.5v11L13.5 8z",
  pause: "M4 3h3v10H4zM9 3h3v10H9z",
  forward: "M11 3h2v10h-2zM3 3v10l7-5z",
  loop: "M4 6a4 4 0 0 1 7-2.5L12.5 2v4.5H8l1.8-1.8A2.6 2.6 0 0 0 5.4 6zM12 10a4 4 0 0 1-7 2.5L3.5 14V9.5H8l-1.8 1.8A2.6 2.6 0 0 0 10.6 10z",
};

/**
 * An icon as inline SVG (currentColor).
 * @param {keyof typeof ICONS} name
 */
function icon(name) {
  const el = svg("svg", { viewBox: "0 0 16 16", width: 14, height: 14, "aria-hidden": "true", class: "tv-pl-icon" });
  el.append(svg("path", { d: ICONS[name], fill: "currentColor" }));
  return el;
}

/** @param {string} text @param {string} label @param {string} [cls] @param {keyof typeof ICONS} [ic] */
function button(text, label, cls = "", ic) {
  const b = /** @type {HTMLButtonElement} */ (h("button", `tv-toggle tv-pl-btn ${cls}`.trim(), ic ? "" : text));
  if (ic) {
    b.append(icon(ic));
    if (text) b.append(h("span", "tv-pl-btn-text", text));
  }
  b.type = "button";
  b.setAttribute("aria-label", label);
  b.title = label;
  b.setAttribute("data-lm-suppress-shortcuts", "true");
  return b;
}

/**
 * Why a step failed: torch's own message, the explanation with its numbers, and a fix that runs
 * (`[data-role="error"]`).
 * @param {{type: string, message: string, explanation?: string | null, fix?: string | null}} e
 */
export function renderError(e) {
  const box = h("div", "tv-pl-error");
  box.dataset.role = "error";
  box.setAttribute("role", "alert");
  if (e.explanation) box.append(h("div", "tv-pl-error-why", e.explanation));
  const msg = h("div", "tv-pl-error-msg");
  msg.append(h("span", "tv-pl-error-type", `${e.type}: `), h("span", "", e.message));
  box.append(msg);
  if (e.fix) {
    const fix = h("div", "tv-pl-fix");
    fix.append(h("span", "tv-pl-fix-label", "fix: "), h("code", "tv-pl-code", e.fix), h("span", "tv-pl-fix-note", "  (x, y, … are the inputs in order)"));
    box.append(fix);
  }
  return box;
}

const reducedMotionQuery = () =>
  typeof globalThis.matchMedia === "function" ? globalThis.matchMedia("(prefers-reduced-motion: reduce)") : null;

export class OpPlayerView {
  /**
   * @param {Model} model
   * @param {HTMLElement} host
   */
  constructor(model, host) {
    this.model = model;
    this.host = host;
    /** @type {Map<number, StepData>} */
    this.cache = new Map();
    /** @type {Map<number, Promise<StepData>>} */
    this.loading = new Map();
    this.n = 0;
    this.t = 0;
    this.step = 0;
    this.playing = false;
    this.loop = false;
    this.speed = 1;
    this.colorMode = "value";
    this.reduced = !!(reducedMotionQuery() && reducedMotionQuery()?.matches);
    /** @type {Stage | null} */
    this.stage = null;
    /** @type {StepData | null} */
    this.data = null;
    this.raf = 0;
    this.lastTs = 0;
    this.idCounter = 0;
    this.token = `pl${Math.random().toString(36).slice(2, 8)}`;
    /** @type {Map<string, {resolve: (v: any) => void, reject: (e: Error) => void}>} */
    this.pending = new Map();
    this.drawnOnce = false;

    this.root = h("div", "tensorviz tv-player");
    this.root.dataset.widget = "op-player";
    this.root.dataset.state = "loading";
    this.root.dataset.step = "0";
    this.root.dataset.steps = "0";
    this.root.tabIndex = -1;
    this.root.setAttribute("data-lm-suppress-shortcuts", "true");

    this.head = h("div", "tv-pl-head");
    this.stageEl = h("div", "tv-stage");
    this.stageEl.setAttribute("role", "img");
    this.stageEl.tabIndex = 0;
    this.stageEl.setAttribute("data-lm-suppress-shortcuts", "true");
    this.canvas = /** @type {HTMLCanvasElement} */ (h("canvas", "tv-pl-canvas"));
    this.svgEl = /** @type {SVGSVGElement} */ (svg("svg", { class: "tv-svg", "aria-hidden": "true" }));
    this.labels = h("div", "tv-labels");
    this.travel = h("div", "tv-labels tv-travel");
    /** @type {HTMLElement[] | null} badges beside the broadcast operands while their copies spread over the output */
    this.phaseEls = null;
    this.stageEl.append(this.svgEl, this.canvas, this.labels, this.travel);
    this.caption = h("div", "tv-caption");
    // what a step does before its elements move (a stack's new axis), said once above the picture
    this.phaseLine = h("div", "tv-pl-phase tv-pl-phase-line");
    this.phaseLine.hidden = true;
    this.errorEl = h("div", "tv-error");
    this.errorEl.hidden = true;
    this.colorbarSlot = h("div", "tv-colorbar-slot");

    const controls = h("div", "tv-pl-controls");
    this.backBtn = button("", "Step back", "", "back");
    this.playBtn = button("", "Play", "tv-pl-play", "play");
    this.fwdBtn = button("", "Step forward", "", "forward");
    this.loopBtn = button("Loop", "Loop", "", "loop");
    this.loopBtn.setAttribute("aria-pressed", "false");
    this.speedSel = /** @type {HTMLSelectElement} */ (h("select", "tv-select tv-pl-speed"));
    this.speedSel.setAttribute("aria-label", "Speed");
    for (const [v, text] of [["0.5", "½×"], ["1", "1×"], ["2", "2×"], ["4", "4×"]]) {
      const o = /** @type {HTMLOptionElement} */ (h("option", "", text));
      o.value = v;
      this.speedSel.append(o);
    }
    this.speedSel.value = "1";
    this.colorSel = /** @type {HTMLSelectElement} */ (h("select", "tv-select tv-pl-color"));
    this.colorSel.setAttribute("aria-label", "Color elements by");
    this.colorSel.title = "Color elements by their value, or by where they come from (each input its own hue)";
    for (const [v, text] of [["value", "by value"], ["source", "by source"]]) {
      const o = /** @type {HTMLOptionElement} */ (h("option", "", text));
      o.value = v;
      this.colorSel.append(o);
    }
    this.range = /** @type {HTMLInputElement} */ (h("input", "tv-range tv-pl-range"));
    this.range.type = "range";
    this.range.min = "0";
    this.range.step = "0.001";
    this.range.value = "0";
    this.range.setAttribute("aria-label", "Timeline: step and progress");
    this.rangeOut = h("output", "tv-range-value tv-pl-where", "");
    controls.append(this.backBtn, this.playBtn, this.fwdBtn, this.loopBtn, this.speedSel, this.colorSel, this.range, this.rangeOut);
    for (const c of [this.backBtn, this.playBtn, this.fwdBtn, this.loopBtn, this.speedSel, this.colorSel, this.range]) {
      c.setAttribute("data-lm-suppress-shortcuts", "true");
    }

    this.list = h("ol", "tv-pl-steps");
    this.list.setAttribute("aria-label", "Traced steps");
    this.tooltip = new Tooltip();
    this.root.append(this.head, this.errorEl, this.phaseLine, this.stageEl, this.caption, this.colorbarSlot, controls, this.list, this.tooltip.el);
    // Save PNG / SVG (the frame shown), WebM / GIF (the step played), and the same files for the kernel
    this.exports = playerExports(this);
    this.root.insertBefore(this.exports.el, this.list);
    host.append(this.root);

    this.dom = new AbortController();
    const signal = this.dom.signal;
    this.backBtn.addEventListener("click", () => this.go(this.step - 1, 0), { signal });
    this.fwdBtn.addEventListener("click", () => this.go(this.step + 1, 0), { signal });
    this.playBtn.addEventListener("click", () => (this.playing ? this.pause() : this.play()), { signal });
    this.loopBtn.addEventListener("click", () => this.setLoop(!this.loop), { signal });
    this.speedSel.addEventListener("change", () => { this.speed = Number(this.speedSel.value) || 1; }, { signal });
    this.colorSel.addEventListener("change", () => {
      this.colorMode = this.colorSel.value === "source" ? "source" : "value";
      this.rebuildStage();
    }, { signal });
    this.range.addEventListener("input", () => {
      const v = Number(this.range.value);
      const s = Math.min(this.n - 1, Math.floor(v));
      this.pause();
      this.go(s, Math.min(1, v - s));
    }, { signal });
    this.root.addEventListener("keydown", (ev) => this.onKey(ev), { signal });
    this.stageEl.addEventListener("mousemove", (ev) => this.onPointer(ev), { signal });
    this.stageEl.addEventListener("mouseleave", () => this.tooltip.hide(), { signal });
    this.list.addEventListener("click", (ev) => {
      const li = /** @type {HTMLElement | null} */ (/** @type {HTMLElement} */ (ev.target).closest("[data-step-row]"));
      if (li) this.go(Number(li.dataset.stepRow), 0);
    }, { signal });

    this.onMessage = this.onMessage.bind(this);
    model.on("msg:custom", this.onMessage);
    this.onSteps = () => this.readSteps();
    model.on(`change:${PLAYER_TRAIT.STEPS}`, this.onSteps);
    this.readSteps();
  }

  /** The steps trait changed (or first read): rebuild the list and show the current step. */
  readSteps() {
    /** @type {StepSummary[]} */
    this.steps = Array.isArray(this.model.get(PLAYER_TRAIT.STEPS)) ? this.model.get(PLAYER_TRAIT.STEPS) : [];
    this.n = this.steps.length;
    this.cache.clear();
    this.root.dataset.steps = String(this.n);
    this.range.max = String(Math.max(0, this.n - 0.001));
    this.renderList();
    const start = Number(this.model.get(PLAYER_TRAIT.CURRENT) ?? 0);
    this.go(Math.max(0, Math.min(this.n - 1, Number.isInteger(start) ? start : 0)), 0);
    if (!this.n) {
      this.head.replaceChildren(h("div", "tv-pl-empty", "no torch operations were traced"));
      this.root.dataset.state = "ready";
    }
  }

  renderList() {
    this.list.replaceChildren();
    for (const g of groupSteps(this.steps)) {
      if (g.module) {
        const head = h("li", "tv-pl-group", g.module);
        head.setAttribute("role", "presentation");
        this.list.append(head);
      }
      for (const i of g.steps) {
        const s = this.steps[i];
        const li = h("li", "tv-pl-row");
        li.dataset.stepRow = String(i);
        if (s.error) li.classList.add("tv-pl-row-error");
        li.append(h("span", "tv-pl-row-n", String(i)), h("span", "tv-pl-row-op", s.op), h("span", "tv-pl-row-shapes", shapesText(s)));
        if (s.is_view !== null && s.is_view !== undefined) li.append(h("span", `tv-pl-chip ${s.is_view ? "tv-pl-view" : "tv-pl-copy"}`, s.is_view ? "view" : "copy"));
        this.list.append(li);
      }
    }
  }

  /**
   * Show step `i` at time `t` (fetching its data first when needed).
   * @param {number} i
   * @param {number} t
   */
  go(i, t) {
    if (!this.n) return;
    i = Math.max(0, Math.min(this.n - 1, i));
    const changed = i !== this.step || !this.data;
    this.step = i;
    this.t = Math.max(0, Math.min(1, t));
    const s = this.steps[i];
    this.root.dataset.step = String(i);
    this.root.dataset.op = s ? s.op : "";
    this.root.setAttribute("aria-label", s ? `op player: step ${i} of ${this.n}, ${describeStep(s)}` : "op player");
    this.syncRange();
    if (this.model.get(PLAYER_TRAIT.CURRENT) !== i) {
      this.model.set(PLAYER_TRAIT.CURRENT, i);
      this.model.save_changes();
    }
    for (const row of this.list.querySelectorAll(".tv-pl-row")) {
      const r = /** @type {HTMLElement} */ (row);
      const on = Number(r.dataset.stepRow) === i;
      r.classList.toggle("tv-pl-current", on);
      if (on) r.setAttribute("aria-current", "step");
      else r.removeAttribute("aria-current");
    }
    if (changed) {
      this.renderHead();
      const have = this.cache.get(i);
      if (have) this.show(have);
      else {
        this.data = null;
        this.fetch(i).then((d) => { if (this.step === i) this.show(d); }, (e) => this.fail(String(e.message || e)));
      }
      this.fetch(i + 1).catch(() => {}); // the next step is likely wanted next
    } else this.paint();
  }

  syncRange() {
    this.range.value = String(Math.min(Number(this.range.max), this.step + Math.min(0.999, this.t)));
    this.rangeOut.textContent = `step ${this.step + 1} / ${this.n}`;
  }

  renderHead() {
    const s = this.steps[this.step];
    this.head.replaceChildren();
    if (!s) return;
    const top = h("div", "tv-pl-title");
    top.append(h("span", "tv-pl-op", s.op), h("span", "tv-pl-shapes", shapesText(s)));
    if (s.is_view !== null && s.is_view !== undefined) {
      top.append(h("span", `tv-pl-chip ${s.is_view ? "tv-pl-view" : "tv-pl-copy"}`, s.is_view ? "view" : "copy"));
    }
    if (s.module) top.append(h("span", "tv-chip tv-pl-module", s.module));
    this.head.append(top);
    if (s.why && !s.error) this.head.append(h("div", "tv-pl-why", s.why));
    if (s.source) {
      const src = h("div", "tv-pl-source");
      // a notebook cell by its number (In [8], line 4); a file by its name
      const where = s.source.where ? `${s.source.where}, line ${s.source.line}` : `${s.source.file.split(/[\\/]/).pop()}:${s.source.line}`;
      src.append(h("span", "tv-pl-where", where), h("code", "tv-pl-code", s.source.code || ""));
      this.head.append(src);
    }
    for (const note of s.notes || []) this.head.append(h("div", "tv-pl-note", note));
    if (s.error) this.head.append(renderError(s.error));
  }

  /**
   * Ask the kernel for a step's pictures and provenance (cached).
   * @param {number} i
   * @returns {Promise<StepData>}
   */
  fetch(i) {
    if (i < 0 || i >= this.n) return Promise.reject(new Error("no such step"));
    const have = this.cache.get(i);
    if (have) return Promise.resolve(have);
    const going = this.loading.get(i);
    if (going) return going;
    const id = `${this.token}:${++this.idCounter}`;
    const p = new Promise((resolve, reject) => {
      this.pending.set(id, { resolve, reject });
      this.model.send({ kind: PLAYER_KIND.STEP, id, step: i });
    }).then((/** @type {any} */ r) => {
      const d = decodeStep(r.msg, r.buffers);
      this.cache.set(i, d);
      this.loading.delete(i);
      return d;
    }, (e) => {
      this.loading.delete(i);
      throw e;
    });
    this.loading.set(i, /** @type {Promise<StepData>} */ (p));
    return /** @type {Promise<StepData>} */ (p);
  }

  /** @param {any} msg @param {any[]} [buffers] */
  onMessage(msg, buffers) {
    if (!msg || typeof msg !== "object") return;
    const p = this.pending.get(msg.id);
    if (!p) return;
    this.pending.delete(msg.id);
    if (msg.kind === PLAYER_KIND.ERROR) p.reject(new Error(String(msg.message ?? "error")));
    else p.resolve({ msg, buffers: buffers || [] });
  }

  /** @param {string} message */
  fail(message) {
    this.errorEl.hidden = false;
    this.errorEl.textContent = message;
    if (!this.drawnOnce) this.root.dataset.state = "error";
  }

  /** @param {StepData} d */
  show(d) {
    this.data = d;
    this.errorEl.hidden = true;
    this.rebuildStage();
  }

  /**
   * Room for the stage: the host's width in an output area; side by side in a flex row (an ipywidgets HBox), where
   * the host's width follows its content, an even share of the row; else a default.
   */
  room() {
    const host = this.host;
    const parent = host && host.parentElement;
    if (!host || !parent || !host.isConnected) return 860;
    const cs = globalThis.getComputedStyle ? globalThis.getComputedStyle(parent) : null;
    let w = host.clientWidth;
    if (cs && /flex/.test(cs.display) && !/column/.test(cs.flexDirection)) {
      w = parent.clientWidth / Math.max(1, parent.childElementCount);
      // side by side (an ipywidgets HBox): an even share of the row, which a long source line must not widen
      host.style.flex = "1 1 0";
      host.style.minWidth = "0";
    }
    return w > 0 ? Math.max(360, Math.min(1400, w - 40)) : 860;
  }

  rebuildStage() {
    const d = this.data;
    if (!d) return;
    const cmap = this.colorMode === "value" ? stepColormap(d.tensors.map((t) => t.values), d.valueKind) : null;
    const ins = d.tensors.filter((t) => t.role === "input");
    const out = d.tensors.find((t) => t.role === "output") || null;
    const count = (/** @type {number[]} */ g) => g.reduce((p, n) => p * n, 1);
    const inColors = ins.map((t, i) => {
      const n = count(t.grid);
      if (cmap && t.values) return valueColors(t.values, n, cmap);
      const c = new Uint32Array(n);
      for (let e = 0; e < n; e++) c[e] = sourceColor(i, e, n);
      return c;
    });
    let outColors;
    if (out) {
      const n = count(out.grid);
      // an argmax's result is an index, not a value: it takes the color of the element it points at
      const own = cmap && out.values && !d.colorOutByWinner;
      outColors = own ? valueColors(out.values, n, cmap) : new Uint32Array(n);
      if (d.colorOutByWinner) {
        d.winners.forEach((w, i) => {
          const src = d.sources[i];
          if (!w || !src) return;
          for (let j = 0; j < n; j++) outColors[j] = inColors[i][src[j * d.k[i] + w[j]]] ?? outColors[j];
        });
      }
      if (!own && !d.colorOutByWinner) {
        // no values of its own (or coloring by source): the color of the first element that lands there
        d.sources.forEach((src, i) => {
          if (!src) return;
          const k = d.k[i];
          for (let j = 0; j < n; j++) {
            if (outColors[j]) continue;
            for (let c = 0; c < k; c++) {
              const e = src[j * k + c];
              if (e >= 0) {
                outColors[j] = inColors[i][e];
                break;
              }
            }
          }
        });
      }
    }
    this.stage = buildStage(
      { tensors: d.tensors, sources: d.sources, k: d.k, winners: d.winners, broadcast: d.broadcast, stagger: d.stagger, delay: d.delay,
        stretch: d.stretch, inColors, outColors },
      { width: this.room() },
    );
    this.inColors = inColors;
    this.outColors = outColors;
    this.prepareOccupancy();
    this.drawStatic();
    this.caption.textContent = d.notes.join(" · ");
    this.phaseLine.hidden = !d.phase;
    this.phaseLine.textContent = d.phase;
    if (this.phaseEls) for (const el of this.phaseEls) el.remove(); // placed on the previous stage
    this.phaseEls = null;
    if (cmap) this.colorbarSlot.replaceChildren(renderColorbar(cmap, null, "values"));
    else this.colorbarSlot.replaceChildren(h("span", "tv-pl-legend", "each operand in its own hue, lighter towards its last element (row-major)"));
    this.paint();
    this.drawnOnce = true;
    this.root.dataset.state = "ready";
  }

  /** When each input cell is left (first track out) and each output cell filled (last track in), in motion time. */
  prepareOccupancy() {
    if (!this.stage) return;
    const { leave, arrive } = occupancy(this.stage);
    this.leave = leave;
    this.arrive = arrive;
  }

  /** Outlines, axis arrows and labels of the stage (they do not move). */
  drawStatic() {
    const st = this.stage;
    if (!st) return;
    const { width, height } = st;
    this.stageEl.style.width = `${width}px`;
    this.stageEl.style.height = `${height}px`;
    const dpr = Math.max(1, Math.min(3, globalThis.devicePixelRatio || 1));
    this.dpr = dpr;
    this.canvas.width = Math.ceil(width * dpr);
    this.canvas.height = Math.ceil(height * dpr);
    this.canvas.style.width = `${width}px`;
    this.canvas.style.height = `${height}px`;
    this.svgEl.setAttribute("width", String(width));
    this.svgEl.setAttribute("height", String(height));
    this.svgEl.setAttribute("viewBox", `0 0 ${width} ${height}`);
    this.svgEl.replaceChildren();
    this.labels.replaceChildren();
    this.travel.replaceChildren();
    const g = svg("g", {});
    for (const p of st.placed) {
      for (const pg of p.pages) g.append(svg("rect", { x: pg.x - 2, y: pg.y - 2, width: pg.w + 4, height: pg.h + 4, rx: 3, class: "tv-pl-page" }));
      // the cube's receding edges: first page's corners to the last page's
      if (p.arr.rank >= 3 && p.pages.length > 1) {
        const D = p.arr.shape[p.arr.rank - 3];
        for (let o = 0; o + D - 1 < p.pages.length; o += D) {
          const a = p.pages[o];
          const b = p.pages[o + D - 1];
          for (const [cx, cy] of [[0, 0], [1, 0], [1, 1], [0, 1]]) {
            g.append(svg("line", { x1: a.x - 2 + cx * (a.w + 4), y1: a.y - 2 + cy * (a.h + 4), x2: b.x - 2 + cx * (b.w + 4), y2: b.y - 2 + cy * (b.h + 4), class: "tv-wire" }));
          }
        }
      }
      const title = svg("text", { x: p.box.x, y: p.box.y - p.top + 13, class: "tv-pl-tensor-title" });
      const t = p.t;
      const wrap = p.arr.wrap ? ` · in rows of ${p.arr.wrap}` : "";
      title.textContent = `${p.title} ${formatShape(t.shape)}${t.steps.some((s) => s > 1) ? ` · blocks of ${t.steps.join("×")}` : ""}${wrap}`;
      g.append(title);
      for (const r of p.runs) this.drawRun(g, r, p);
    }
    // the op's arrow between inputs and output (crossed out when the op failed)
    const failed = !!(this.data && this.data.error);
    if (st.output) {
      const { x0, x1, y } = st.arrow;
      g.append(svg("line", { x1: x0, y1: y, x2: x1, y2: y, class: "tv-pl-arrow" }));
      g.append(svg("polygon", { points: `${x1 + 8},${y} ${x1 - 2},${y - 6} ${x1 - 2},${y + 6}`, class: "tv-pl-arrowhead" }));
      const op = svg("text", { x: (x0 + x1) / 2, y: y - 10, "text-anchor": "middle", class: "tv-pl-arrow-op" });
      op.textContent = this.steps[this.step] ? `${failed ? "✗ " : ""}${this.steps[this.step].op}` : "";
      if (failed) op.setAttribute("class", "tv-pl-arrow-op tv-pl-failed");
      g.append(op);
    }
    this.svgEl.append(g);
    this.stageEl.setAttribute("aria-label", this.steps[this.step] ? describeStep(this.steps[this.step]) : "");
  }

  /**
   * An axis arrow with its label (`data-axis`; `data-tensor` says whose: `input0`, `input1`, …, `output`).
   * @param {Element} g
   * @param {import("./stage.js").Run} r
   * @param {Placed} p
   */
  drawRun(g, r, p) {
    const [ax, ay] = r.from;
    const [bx, by] = r.to;
    g.append(svg("line", { x1: ax, y1: ay, x2: bx, y2: by, class: "tv-arrow", style: `stroke:${r.color}` }));
    const len = Math.hypot(bx - ax, by - ay) || 1;
    const ux = (bx - ax) / len;
    const uy = (by - ay) / len;
    g.append(svg("polygon", {
      points: `${bx + ux * 2},${by + uy * 2} ${bx - ux * 7 + uy * 4},${by - uy * 7 - ux * 4} ${bx - ux * 7 - uy * 4},${by - uy * 7 + ux * 4}`,
      class: "tv-arrowhead", style: `fill:${r.color}`,
    }));
    const label = axisLabel(r.axis, r.parts, `tv-axis-label tv-axis-${r.role}`, Math.max(130, len + 30));
    label.style.color = r.color;
    label.dataset.tensor = p.t.role === "output" ? (p.t.places ? "places" : "output") : `input${p.t.i}`;
    const err = this.data && this.data.error;
    if (err && p.t.role === "input" && err.axes.some(([i, a]) => i === p.t.i && a === r.axis)) {
      // an axis in conflict: marked for the eye (and for tests: data-conflict)
      label.dataset.conflict = "true";
      label.classList.add("tv-conflict");
    }
    let angle = (Math.atan2(by - ay, bx - ax) * 180) / Math.PI;
    if (angle > 90) angle -= 180;
    if (angle < -90) angle += 180;
    const [mx, my] = r.at;
    label.style.left = `${mx.toFixed(1)}px`;
    label.style.top = `${my.toFixed(1)}px`;
    label.style.transform = `translate(-50%, -50%) rotate(${angle.toFixed(1)}deg)`;
    this.labels.append(label);
  }

  /** CSS color of a packed color (cached: a frame sets thousands of fill styles from a few hundred colors). @param {number} c */
  css(c) {
    let v = this.cssCache.get(c);
    if (v === undefined) {
      v = unpackCss(c);
      if (this.cssCache.size > 8192) this.cssCache.clear();
      this.cssCache.set(c, v);
    }
    return v;
  }

  /** The empty cells of every tensor, drawn once per stage into a layer that each frame copies. */
  slotLayer() {
    const st = this.stage;
    if (!st) return null;
    if (this.slots && this.slotsFor === st) return this.slots;
    const dpr = this.dpr || 1;
    const layer = document.createElement("canvas");
    layer.width = this.canvas.width;
    layer.height = this.canvas.height;
    const lctx = layer.getContext("2d");
    if (!lctx) return null;
    lctx.setTransform(dpr, 0, 0, dpr, 0, 0);
    const style = getComputedStyle(this.root);
    lctx.fillStyle = style.getPropertyValue("--tv-bg3").trim() || "#eeeeee";
    for (const p of st.placed) for (let e = 0; e < p.xs.length; e++) lctx.fillRect(p.xs[e], p.ys[e], p.size, p.size);
    this.ink = style.getPropertyValue("--tv-fg").trim() || "#222";
    this.errorColor = style.getPropertyValue("--tv-error").trim() || "#d32f2f";
    this.slots = layer;
    this.slotsFor = st;
    return layer;
  }

  /** What a frame is painted from (export/frames.js): the stage, colors, when cells are left and filled. */
  frameState() {
    if (!this.cssCache) this.cssCache = new Map();
    return /** @type {import("../export/frames.js").FrameState} */ ({
      stage: this.stage, inColors: this.inColors, outColors: this.outColors, leave: this.leave, arrive: this.arrive,
      winners: !!(this.data && this.data.winners.some(Boolean)), failed: !!(this.data && this.data.error),
      reduced: this.reduced, ink: this.ink, errorColor: this.errorColor, css: (/** @type {number} */ c) => this.css(c),
    });
  }

  /** Paint the elements at the current time: each is at its input cell, in flight, or at its output cell. */
  paint() {
    const st = this.stage;
    const ctx = this.canvas.getContext("2d");
    if (!st || !ctx || !this.inColors) return;
    const dpr = this.dpr || 1;
    ctx.setTransform(1, 0, 0, 1, 0, 0);
    ctx.globalAlpha = 1;
    ctx.clearRect(0, 0, this.canvas.width, this.canvas.height);
    const layer = this.slotLayer();
    if (layer) ctx.drawImage(layer, 0, 0);
    // the same frame the video and GIF exports paint (export/frames.js)
    this.frame = paintStepFrame(ctx, this.frameState(), this.t, dpr, this.frame);
    const u = motionAt(this.t);
    this.paintTravel(u);
    this.paintPhase(u);
  }

  /**
   * What a step does besides moving its elements: a stack's new axis (the line above the picture, lit while it lasts),
   * a broadcast operand's stretch (a badge beside it while its copies spread over the output).
   * @param {number} u motion progress
   */
  paintPhase(u) {
    const d = this.data;
    const st = this.stage;
    this.phaseLine.classList.toggle("tv-on", !!(d && d.phase && this.t > 0 && u <= d.delay + 0.05));
    const stretchEnd = d ? d.delay + d.stretch * (1 - d.delay) : 0;
    const stretching = !!(d && st && d.stretch > 0 && d.stretchText && u > 0 && u <= stretchEnd + 0.05);
    if (!stretching) {
      if (this.phaseEls) for (const el of this.phaseEls) el.remove();
      this.phaseEls = null;
      return;
    }
    if (!this.phaseEls && st && d) {
      this.phaseEls = [];
      st.inputs.forEach((p, i) => {
        if (!d.broadcast[i]) return;
        // a shape is never cut across lines
        const el = h("div", "tv-pl-phase", d.stretchText.replace(/\[[^\]]*\]/g, (m) => m.replace(/ /g, "\u00a0")));
        el.dataset.role = "stretch";
        const left = p.box.x + p.box.w + 8;
        const y = p.box.y + p.box.h / 2;
        el.style.left = `${left}px`;
        el.style.top = `${y}px`;
        el.style.transform = "translateY(-50%)";
        // beside the output (its labels included) it stays in the gap before it, wrapping there; above or below it,
        // it may run on
        const o = st.output && st.output.box;
        if (o && y + 14 > o.y - 34 && y - 14 < o.y + o.h + 34) el.style.maxWidth = `${Math.max(120, o.x - 54 - left)}px`;
        this.stageEl.append(el);
        /** @type {HTMLElement[]} */ (this.phaseEls).push(el);
      });
    }
    for (const el of this.phaseEls || []) el.style.opacity = String(Math.min(1, u / 0.1));
  }


  /**
   * Axis labels travelling with their axes (a permute's axes rotate to their new places), as moving copies.
   * @param {number} u motion progress
   */
  paintTravel(u) {
    const st = this.stage;
    const d = this.data;
    if (!st || !d || !st.output || !d.travelAxes) {
      this.travel.replaceChildren();
      return;
    }
    const out = st.output;
    const input = st.inputs[0];
    if (!input) return;
    const moving = u > 0 && u < 1;
    this.labels.classList.toggle("tv-pl-labels-moving", moving);
    if (!moving) {
      this.travel.replaceChildren();
      return;
    }
    if (!this.travel.childElementCount) {
      for (const r of out.runs) {
        const o = out.t.origin[r.axis];
        if (o === null || o === undefined) continue;
        const from = input.runs.find((q) => q.axis === o);
        if (!from) continue;
        const el = axisLabel(r.axis, r.parts, "tv-axis-label tv-axis-travel", 160);
        el.style.color = r.color;
        el.setAttribute("aria-hidden", "true");
        el.removeAttribute("data-axis");
        el.dataset.from = JSON.stringify(from.at); // from where the input's label sits to where the output's will
        el.dataset.to = JSON.stringify(r.at);
        this.travel.append(el);
      }
    }
    const p = u < 0.5 ? 4 * u * u * u : 1 - Math.pow(-2 * u + 2, 3) / 2;
    for (const child of this.travel.children) {
      const el = /** @type {HTMLElement} */ (child);
      const a = JSON.parse(el.dataset.from || "[0,0]");
      const b = JSON.parse(el.dataset.to || "[0,0]");
      el.style.left = `${(a[0] + (b[0] - a[0]) * p).toFixed(1)}px`;
      el.style.top = `${(a[1] + (b[1] - a[1]) * p).toFixed(1)}px`;
      el.style.transform = "translate(-50%, -50%)";
    }
  }

  play() {
    if (!this.n) return;
    if (this.step >= this.n - 1 && this.t >= 1 && !this.loop) this.go(0, 0);
    this.playing = true;
    this.playBtn.replaceChildren(icon("pause"));
    this.playBtn.setAttribute("aria-label", "Pause");
    this.playBtn.title = "Pause";
    this.lastTs = 0;
    const tick = (/** @type {number} */ ts) => {
      if (!this.playing) return;
      const dt = this.lastTs ? Math.min(0.1, (ts - this.lastTs) / 1000) : 0;
      this.lastTs = ts;
      if (this.data && this.data.step === this.step) {
        const dur = stepDuration(this.steps[this.step]) / this.speed;
        this.t += dt / dur;
        if (this.t >= 1) {
          if (this.step < this.n - 1) this.go(this.step + 1, 0);
          else if (this.loop) this.go(0, 0);
          else {
            this.t = 1;
            this.paint();
            this.syncRange();
            this.pause();
            return;
          }
        } else {
          this.paint();
          this.syncRange();
        }
      }
      this.raf = requestAnimationFrame(tick);
    };
    this.raf = requestAnimationFrame(tick);
  }

  pause() {
    this.playing = false;
    if (this.raf) cancelAnimationFrame(this.raf);
    this.raf = 0;
    this.playBtn.replaceChildren(icon("play"));
    this.playBtn.setAttribute("aria-label", "Play");
    this.playBtn.title = "Play";
  }

  /** @param {boolean} on */
  setLoop(on) {
    this.loop = on;
    this.loopBtn.setAttribute("aria-pressed", on ? "true" : "false");
    this.loopBtn.classList.toggle("tv-pl-on", on);
  }

  /** @param {KeyboardEvent} ev */
  onKey(ev) {
    const target = /** @type {HTMLElement} */ (ev.target);
    ev.stopPropagation();
    if (target && (target.tagName === "SELECT" || target.tagName === "INPUT")) return;
    if (ev.key === " " || ev.key === "k") {
      ev.preventDefault();
      if (this.playing) this.pause();
      else this.play();
    } else if (ev.key === "ArrowRight" || ev.key === ".") {
      ev.preventDefault();
      this.go(this.step + 1, 0);
    } else if (ev.key === "ArrowLeft" || ev.key === ",") {
      ev.preventDefault();
      this.go(this.step - 1, 0);
    } else if (ev.key === "Home") {
      this.go(0, 0);
    } else if (ev.key === "End") {
      this.go(this.n - 1, 1);
    } else if (ev.key === "l" || ev.key === "L") {
      this.setLoop(!this.loop);
    }
  }

  /** @param {MouseEvent} ev */
  onPointer(ev) {
    const st = this.stage;
    const d = this.data;
    if (!st || !d) return;
    const rect = this.stageEl.getBoundingClientRect();
    const x = ev.clientX - rect.left;
    const y = ev.clientY - rect.top;
    const u = motionAt(this.t);
    /** @type {{p: Placed, e: number} | null} */
    let hit = null;
    if (u <= 0 || !st.tracks) {
      for (const p of st.inputs) {
        const e = cellUnder(p, x, y);
        if (e >= 0) hit = { p, e };
      }
    }
    if (!hit && st.output && u >= 1) {
      const e = cellUnder(st.output, x, y);
      if (e >= 0) hit = { p: st.output, e };
    }
    if (!hit) {
      this.tooltip.hide();
      return;
    }
    const t = hit.p.t;
    const idx = unravel(hit.e, t.grid);
    const blocky = t.steps.some((s) => s > 1);
    /** @type {Array<number | [number, number]>} */
    const parts = idx.map((v, a) => (t.steps[a] > 1 ? /** @type {[number, number]} */ ([v * t.steps[a], Math.min(t.shape[a], (v + 1) * t.steps[a])]) : v * t.steps[a]));
    const value = t.values ? formatValue(rawAt(t.values, hit.e), t.values.encoding) : "n/a (values not kept)";
    const rr = this.root.getBoundingClientRect();
    this.tooltip.show(
      { index: formatBlock(parts), label: blocky ? `block of ${t.steps.join("×")}: ${value}` : value, extent: t.role === "output" ? "output" : `input ${t.i}` },
      ev.clientX - rr.left, ev.clientY - rr.top,
      { x0: 0, y0: 0, x1: this.root.clientWidth || rr.width, y1: this.root.clientHeight || rr.height },
    );
  }

  destroy() {
    this.pause();
    this.dom.abort();
    this.model.off("msg:custom", this.onMessage);
    this.model.off(`change:${PLAYER_TRAIT.STEPS}`, this.onSteps);
    this.exports.destroy();
    this.pending.clear();
    this.root.remove();
  }
}

export { HOLD_IN, HOLD_OUT };
