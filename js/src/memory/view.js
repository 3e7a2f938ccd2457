// The memory monitor: per device, allocated / reserved / peak / total as bars with their figures (each says where it
// comes from; unknown ones read "n/a" with the reason), a timeline, the largest live tensors by name, and a replayed
// allocator snapshot. Reuses TensorView's parts: element helper, number formats, the widget's CSS.
import { h } from "../view/picture.js";
import { formatBytes, formatCount, formatShape } from "../format.js";
import { chartOf } from "./chart.js";
import { MEMORY_TRAIT, MEMORY_ACTION } from "../protocol.js";
import { memoryExports } from "../export/memory.js";

const SVG_NS = "http://www.w3.org/2000/svg";
const METRICS = /** @type {const} */ (["allocated", "reserved", "peak", "total", "free"]);
const METRIC_TEXT = { allocated: "allocated", reserved: "reserved (cached)", peak: "peak", total: "total", free: "free" };

/** @param {string} tag @param {Record<string, string | number>} attrs */
function svg(tag, attrs) {
  const el = document.createElementNS(SVG_NS, tag);
  for (const [k, v] of Object.entries(attrs)) el.setAttribute(k, String(v));
  return el;
}

/**
 * @typedef {{device: string, name?: string | null, allocated?: number | null, reserved?: number | null,
 *            peak?: number | null, total?: number | null, free?: number | null, sources?: Record<string, string>,
 *            notes?: Record<string, string>}} Device
 * @typedef {{get: (k: string) => any, set: (k: string, v: any) => void, on: Function, off: Function,
 *            send: (content: any) => void, save_changes: () => void}} Model
 */

/**
 * One figure: `data-metric` holds the number (or "n/a"), its title says where it comes from or why it is unknown.
 * @param {string} metric
 * @param {number | null | undefined} value
 * @param {string | undefined} source
 * @param {string | undefined} note
 */
export function figure(metric, value, source, note) {
  const el = h("span", "tv-mem-figure");
  el.append(h("span", "tv-fact-label", METRIC_TEXT[/** @type {keyof typeof METRIC_TEXT} */ (metric)] || metric));
  const known = value !== null && value !== undefined && Number.isFinite(value);
  const v = h("span", `tv-fact-value${known ? "" : " tv-mem-na"}`, known ? formatBytes(/** @type {number} */ (value)) : "n/a");
  v.dataset.metric = metric;
  v.title = known ? `${formatCount(/** @type {number} */ (value))} bytes${source ? ` · from the ${source}` : ""}` : note || "unknown";
  el.append(v);
  if (known && source) el.append(h("span", "tv-mem-source", source));
  if (!known && note) el.append(h("span", "tv-mem-why", note));
  return el;
}

/**
 * Float64 values from a binary trait value (DataView, ArrayBuffer or a typed array, any byteOffset).
 * @param {any} buf
 * @returns {Float64Array}
 */
export function float64s(buf) {
  if (!buf) return new Float64Array(0);
  if (Array.isArray(buf)) return Float64Array.from(buf);
  const ab = buf instanceof ArrayBuffer ? buf : buf.buffer;
  const off = buf instanceof ArrayBuffer ? 0 : buf.byteOffset;
  const len = buf.byteLength;
  if (off % 8 === 0) return new Float64Array(ab, off, Math.floor(len / 8));
  return new Float64Array(new Uint8Array(ab, off, len).slice().buffer);
}

/**
 * The timeline of a replayed snapshot (downsampled: each point the largest of its bucket, so the peak survives) in
 * the live series' form.
 * @param {any} r
 */
export function replaySeries(r) {
  const s = Array.isArray(r.series) ? r.series[0] : null;
  if (!s) return null;
  const t0 = float64s(s.times);
  const first = t0.length ? t0[0] : 0;
  const scale = s.unit === "us" ? 1e-6 : 1;
  const t = Array.from(t0, (v) => (v - first) * scale);
  const name = r.peak_device || `cuda:${s.device}`;
  return { t, devices: { [name]: { allocated: Array.from(float64s(s.allocated_max)), reserved: Array.from(float64s(s.reserved_max)) } } };
}

export class MemoryMonitorView {
  /** @param {Model} model @param {HTMLElement} host */
  constructor(model, host) {
    this.model = model;
    this.root = h("div", "tensorviz tv-memory");
    this.root.dataset.widget = "memory-monitor";
    this.root.dataset.state = "loading";
    this.root.setAttribute("data-lm-suppress-shortcuts", "true");
    this.banner = h("div", "tv-mem-banner");
    this.devicesEl = h("div", "tv-mem-devices");
    this.chartEl = h("div", "tv-mem-chart");
    this.controls = h("div", "tv-mem-controls");
    this.censusEl = h("div", "tv-mem-census");
    this.replayEl = h("div", "tv-mem-replay");
    this.root.append(this.banner, this.replayEl, this.devicesEl, this.chartEl, this.controls, this.censusEl);
    // Save PNG / Save SVG of the figures and the timeline, and the same files for the kernel (monitor.save_png)
    this.exports = memoryExports(this);
    this.chartEl.after(this.exports.el);
    host.append(this.root);
    this.pauseBtn = this.button("Pause", "Pause polling", () => this.act(this.paused() ? MEMORY_ACTION.RESUME : MEMORY_ACTION.PAUSE));
    this.resetBtn = this.button("Reset peak", "Reset the peak to what is allocated now", () => this.act(MEMORY_ACTION.RESET_PEAK));
    this.censusBtn = this.button("Refresh census", "Look for live tensors again", () => this.act(MEMORY_ACTION.CENSUS));
    this.controls.append(this.pauseBtn, this.resetBtn, this.censusBtn);
    this.handlers = Object.values(MEMORY_TRAIT).map((name) => {
      const fn = () => this.render();
      model.on(`change:${name}`, fn);
      return /** @type {[string, Function]} */ ([`change:${name}`, fn]);
    });
    this.n = 0;
    this.render();
  }

  /** @param {string} text @param {string} label @param {() => void} fn */
  button(text, label, fn) {
    const b = /** @type {HTMLButtonElement} */ (h("button", "tv-toggle tv-mem-btn", text));
    b.type = "button";
    b.setAttribute("aria-label", label);
    b.title = label;
    b.addEventListener("click", fn);
    b.addEventListener("keydown", (ev) => ev.stopPropagation());
    return b;
  }

  paused() {
    return !!this.model.get(MEMORY_TRAIT.PAUSED);
  }

  /** @param {string} action */
  act(action) {
    this.model.send({ kind: "action", id: `mem:${++this.n}`, action });
  }

  render() {
    const m = this.model;
    const devices = /** @type {Device[]} */ (m.get(MEMORY_TRAIT.DEVICES) || []);
    const cuda = String(m.get(MEMORY_TRAIT.CUDA) || "");
    const replay = m.get(MEMORY_TRAIT.REPLAY) || {};
    const replaying = !!(replay && replay.file);
    this.root.setAttribute("aria-label", replaying ? `memory replay of ${replay.file}` : `memory of ${devices.map((d) => d.device).join(", ") || "no device"}`);
    this.banner.replaceChildren();
    if (replaying) this.banner.append(h("span", "tv-mem-mode", "replay of a recorded allocator snapshot"));
    else if (cuda === "no CUDA device") this.banner.append(h("span", "tv-mem-nocuda", "no CUDA device"), h("span", "tv-mem-hint", "showing the CPU process and the live tensors"));
    else if (cuda === "not initialized") this.banner.append(h("span", "tv-mem-nocuda", "CUDA is not initialized yet"), h("span", "tv-mem-hint", "nothing is read that would create a context; figures appear once your code uses the GPU"));
    this.renderDevices(replaying ? [] : devices);
    this.renderReplay(replaying ? replay : null);
    this.renderChart(replaying ? replaySeries(replay) : m.get(MEMORY_TRAIT.SERIES), replaying);
    this.renderCensus(replaying ? null : m.get(MEMORY_TRAIT.CENSUS));
    if (replaying) this.renderAlive(replay);
    this.pauseBtn.textContent = this.paused() ? "Resume" : "Pause";
    this.pauseBtn.setAttribute("aria-label", this.paused() ? "Resume polling" : "Pause polling");
    this.controls.hidden = replaying;
    this.resetBtn.disabled = !devices.some((d) => d.device.startsWith("cuda") && d.peak !== null && d.peak !== undefined);
    this.root.dataset.state = "ready";
  }

  /** @param {Device[]} devices */
  renderDevices(devices) {
    this.devicesEl.replaceChildren();
    for (const d of devices) {
      const card = h("div", "tv-mem-device");
      card.dataset.device = d.device;
      const title = h("div", "tv-mem-title");
      title.append(h("span", "tv-mem-name", d.device), h("span", "tv-mem-model", d.name || ""));
      card.append(title);
      // a bar: reserved over total, allocated over reserved (when known)
      const total = d.total ?? null;
      if (total && total > 0) {
        const bar = h("div", "tv-mem-bar");
        const part = (/** @type {number | null | undefined} */ v, /** @type {string} */ cls) => {
          if (v === null || v === undefined) return;
          const seg = h("span", cls);
          seg.style.width = `${Math.min(100, (v / total) * 100).toFixed(2)}%`;
          bar.append(seg);
        };
        part(d.reserved, "tv-mem-reserved");
        part(d.allocated, "tv-mem-allocated");
        card.append(bar);
      }
      const figs = h("div", "tv-mem-figures");
      for (const metric of METRICS) {
        figs.append(figure(metric, d[metric], d.sources ? d.sources[metric] : undefined, d.notes ? d.notes[metric] : undefined));
      }
      card.append(figs);
      this.devicesEl.append(card);
    }
  }

  /**
   * @param {any} series {t: [...], devices: {name: {allocated: [...], reserved: [...]}}}
   * @param {boolean} replaying
   */
  renderChart(series, replaying) {
    this.chartEl.replaceChildren();
    if (!series || !Array.isArray(series.t) || series.t.length < 2) return;
    const width = 520;
    const height = 120;
    const names = Object.keys(series.devices || {});
    const name = names.find((n) => n.startsWith("cuda")) || names[0];
    if (!name) return;
    const s = series.devices[name];
    const c = chartOf({ t: series.t, allocated: s.allocated || [], reserved: s.reserved || [] }, width, height);
    const box = svg("svg", { width: width + 70, height: height + 26, viewBox: `-62 -6 ${width + 70} ${height + 26}`, class: "tv-mem-svg", role: "img" });
    // live, the chart knows only the samples it polled (the figures above give the allocator's own peak)
    const peakWord = replaying ? "peak" : "highest polled";
    box.setAttribute("aria-label", `${replaying ? "replayed" : "live"} memory of ${name}: allocated${c.reserved ? " and reserved" : ""} over time, ${peakWord} ${c.peak ? formatBytes(c.peak.value) : "n/a"}`);
    for (const t of c.ticks) {
      box.append(svg("line", { x1: 0, x2: width, y1: t.y, y2: t.y, class: "tv-mem-grid" }));
      const label = svg("text", { x: -6, y: t.y + 4, "text-anchor": "end", class: "tv-mem-tick" });
      label.textContent = formatBytes(t.value);
      box.append(label);
    }
    if (c.reserved) box.append(svg("polyline", { points: c.reserved, class: "tv-mem-line-reserved" }));
    if (c.allocated) box.append(svg("polyline", { points: c.allocated, class: "tv-mem-line-allocated" }));
    if (c.peak) {
      box.append(svg("circle", { cx: c.peak.x, cy: c.peak.y, r: 3.5, class: "tv-mem-peak" }));
      const label = svg("text", { x: Math.min(width - 4, c.peak.x + 6), y: Math.max(10, c.peak.y - 6), class: "tv-mem-peak-label", "text-anchor": c.peak.x > width - 120 ? "end" : "start" });
      label.textContent = `${peakWord} ${formatBytes(c.peak.value)}`;
      box.append(label);
    }
    const legend = h("div", "tv-mem-legend");
    legend.append(h("span", "tv-mem-key tv-mem-key-allocated", "allocated"));
    if (c.reserved) legend.append(h("span", "tv-mem-key tv-mem-key-reserved", "reserved")); // CPU memory has none
    legend.append(h("span", "tv-mem-hint", `${name} · ${replaying ? "whole trace" : "last minutes"}`));
    this.chartEl.append(legend, box);
  }

  /** @param {any} census {entries: [...], totals: {...}} */
  renderCensus(census) {
    this.censusEl.replaceChildren();
    if (!census || !Array.isArray(census.entries)) return;
    const head = h("div", "tv-mem-census-head");
    head.append(h("span", "tv-mem-census-title", "largest live tensors"));
    const totals = census.totals || {};
    for (const [dev, bytes] of Object.entries(totals)) {
      const t = h("span", "tv-mem-total");
      t.append(h("span", "tv-fact-label", dev), h("span", "tv-fact-value", formatBytes(Number(bytes))));
      t.dataset.total = dev;
      head.append(t);
    }
    this.censusEl.append(head);
    const table = h("table", "tv-mem-table");
    const hr = h("tr", "");
    for (const c of ["names", "shape", "dtype", "device", "storage", "held by"]) hr.append(h("th", c === "storage" ? "tv-mem-bytes" : "", c));
    table.append(hr);
    for (const e of census.entries) {
      const tr = h("tr", "");
      const names = Array.isArray(e.names) && e.names.length ? e.names.join(", ") : "—";
      const shared = e.tensors > 1 ? ` (+${e.tensors - 1} view${e.tensors > 2 ? "s" : ""})` : "";
      tr.append(
        h("td", "tv-mem-names", names),
        h("td", "tv-mem-mono", `${formatShape(e.shape || [])}${shared}`),
        h("td", "tv-mem-mono", String(e.dtype || "")),
        h("td", "tv-mem-mono", String(e.device || "")),
        h("td", "tv-mem-mono tv-mem-bytes", formatBytes(Number(e.nbytes))),
        h("td", "tv-mem-held", e.held_by || ""),
      );
      table.append(tr);
    }
    this.censusEl.append(table);
  }

  /** @param {any} r */
  renderReplay(r) {
    this.replayEl.replaceChildren();
    if (!r) return;
    const top = h("div", "tv-mem-figures");
    top.append(
      h("span", "tv-mem-file", String(r.file)),
      figure("peak", r.peak_allocated, "replay", undefined),
      figure("reserved", r.peak_reserved, "replay", undefined),
      h("span", "tv-mem-hint", `${formatCount(Number(r.events || 0))} events${r.peak_device ? ` · peak on ${r.peak_device}` : ""}${r.synthetic ? " · synthetic (generated, not recorded)" : ""}`),
    );
    this.replayEl.append(top);
    for (const f of r.flags || []) {
      const text = typeof f === "string" ? f : String(f.message || f.kind || "");
      if (text && (typeof f === "string" || f.level !== "info")) this.replayEl.append(h("div", "tv-mem-flag", `⚑ ${text}`));
      else if (text) this.replayEl.append(h("div", "tv-mem-note", text));
    }
  }

  /**
   * What was alive at the peak, largest first: the first rows, the rest behind a disclosure.
   * @param {any} r
   */
  renderAlive(r) {
    if (!Array.isArray(r.alive) || !r.alive.length) return;
    const head = h("div", "tv-mem-census-head");
    const count = Number(r.alive_count || r.alive.length);
    head.append(h("span", "tv-mem-census-title", "alive at the peak"), h("span", "tv-mem-hint", `${formatCount(count)} allocations, ${formatBytes(Number(r.alive_bytes || 0))}`));
    this.censusEl.append(head);
    const table = (/** @type {any[]} */ rows) => {
      const t = h("table", "tv-mem-table");
      const hr = h("tr", "");
      for (const c of ["size", "allocated at (first user frame)"]) hr.append(h("th", "", c));
      t.append(hr);
      for (const a of rows) {
        const tr = h("tr", "");
        const frame = Array.isArray(a.frames) && a.frames.length ? a.frames[0] : null;
        const where = frame ? `${String(frame.filename).split(/[\\/]/).slice(-2).join("/")}:${frame.line} ${frame.name || ""}` : "(no frames recorded)";
        const cell = h("td", "tv-mem-mono", where);
        if (frame) cell.title = `${frame.filename}:${frame.line}`;
        tr.append(h("td", "tv-mem-mono tv-mem-bytes", formatBytes(Number(a.size))), cell);
        t.append(tr);
      }
      return t;
    };
    const FIRST = 8;
    this.censusEl.append(table(r.alive.slice(0, FIRST)));
    if (r.alive.length > FIRST) {
      const more = h("details", "tv-mem-more");
      more.append(h("summary", "", `${r.alive.length - FIRST} more`), table(r.alive.slice(FIRST)));
      this.censusEl.append(more);
    }
  }

  destroy() {
    for (const [name, fn] of this.handlers) this.model.off(name, fn);
    this.exports.destroy();
    this.root.remove();
  }
}
