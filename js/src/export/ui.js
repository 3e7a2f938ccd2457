// The export buttons of a view (`Save PNG`, `Save SVG`, and for the op player `Save WebM`, `Save GIF`: a download of
// what is shown) and the answers to the kernel's export requests (view.save_png(...) in Python: the same file, sent
// back over the widget's messages). One export at a time per view; both paths make the file the same way.
import { EXPORT, EXPORT_MIME } from "../protocol.js";
import { download } from "./dom.js";

/**
 * @typedef {{data: Uint8Array | string, name: string}} ExportFile
 * @typedef {(text: string) => void} Progress
 * @typedef {{format: keyof typeof EXPORT_MIME, label: string, title: string,
 *            make: (options: Record<string, any>, progress: Progress) => Promise<ExportFile>,
 *            unavailable?: () => string | null}} Producer `unavailable`: why this browser cannot make it (or null)
 * @typedef {{send: (content: any, callbacks?: any, buffers?: any[]) => void, on: Function, off: Function}} Model
 */

const SVG_NS = "http://www.w3.org/2000/svg";
let views = 0;

/** A download arrow drawn inline (fonts differ in which symbols they have). */
function downloadIcon() {
  const el = document.createElementNS(SVG_NS, "svg");
  el.setAttribute("viewBox", "0 0 16 16");
  el.setAttribute("width", "12");
  el.setAttribute("height", "12");
  el.setAttribute("aria-hidden", "true");
  el.setAttribute("class", "tv-export-icon");
  const p = document.createElementNS(SVG_NS, "path");
  p.setAttribute("d", "M7 1h2v7.2l2.6-2.6 1.4 1.4L8 12 3 7l1.4-1.4L7 8.2zM2 13h12v2H2z");
  p.setAttribute("fill", "currentColor");
  el.append(p);
  return el;
}

/** @param {number} n */
function sizeText(n) {
  if (n < 1024) return `${n} B`;
  if (n < 1024 * 1024) return `${(n / 1024).toFixed(n < 10240 ? 1 : 0)} kB`;
  return `${(n / 1024 / 1024).toFixed(1)} MB`;
}

/** @param {Uint8Array | string} data */
function bytesOf(data) {
  return typeof data === "string" ? new TextEncoder().encode(data) : data;
}

export class Exports {
  /**
   * @param {Model} model
   * @param {Producer[]} producers
   * @param {{label?: string}} [opts] `label`: what the group of buttons saves (its aria-label)
   */
  constructor(model, producers, opts = {}) {
    this.model = model;
    this.producers = producers;
    this.viewId = `view${(++views).toString(36)}${Math.random().toString(36).slice(2, 8)}`;
    /** @type {Promise<any>} exports run one after another */
    this.queue = Promise.resolve();
    this.busy = 0;
    this.el = document.createElement("div");
    this.el.className = "tv-export";
    this.el.setAttribute("role", "group");
    this.el.setAttribute("aria-label", opts.label || "Save what is shown");
    this.el.setAttribute("data-lm-suppress-shortcuts", "true");
    /** @type {HTMLButtonElement[]} */
    this.buttons = producers.map((p) => {
      const b = document.createElement("button");
      b.type = "button";
      b.className = "tv-toggle tv-export-btn";
      b.dataset.format = p.format;
      b.append(downloadIcon(), document.createTextNode(p.label));
      b.setAttribute("aria-label", `Save ${p.label}`);
      b.setAttribute("data-lm-suppress-shortcuts", "true");
      const why = p.unavailable ? p.unavailable() : null;
      b.title = why || p.title;
      if (why) b.disabled = true;
      b.addEventListener("keydown", (ev) => ev.stopPropagation());
      b.addEventListener("click", () => this.save(p.format));
      return b;
    });
    this.status = document.createElement("span");
    this.status.className = "tv-export-status";
    this.status.setAttribute("role", "status");
    this.status.setAttribute("aria-live", "polite");
    this.el.append(...this.buttons, this.status);
    this.onMessage = this.onMessage.bind(this);
    model.on("msg:custom", this.onMessage);
    this.announce(EXPORT.OPEN);
  }

  /** Tell the kernel this view is there (or gone), and what it can save. @param {string} event */
  announce(event) {
    try {
      this.model.send({ kind: EXPORT.KIND, id: this.viewId, event, formats: this.producers.filter((p) => !(p.unavailable && p.unavailable())).map((p) => p.format) });
    } catch {
      /* a closed comm: nobody to tell */
    }
  }

  /** @param {string} text @param {boolean} [error] */
  setStatus(text, error = false) {
    this.status.textContent = text;
    this.status.classList.toggle("tv-export-error", error);
  }

  /**
   * Make a file (one export at a time).
   * @param {string} format
   * @param {Record<string, any>} options
   * @returns {Promise<ExportFile>}
   */
  make(format, options) {
    const p = this.producers.find((q) => q.format === format);
    if (!p) return Promise.reject(new Error(`this view does not save ${JSON.stringify(format)} files; it saves ${this.producers.map((q) => q.format).join(", ")}`));
    const why = p.unavailable ? p.unavailable() : null;
    if (why) return Promise.reject(new Error(why));
    const run = async () => {
      this.busy++;
      for (const b of this.buttons) b.disabled = true;
      this.setStatus(`saving ${p.label}…`);
      try {
        return await p.make(options || {}, (text) => this.setStatus(text));
      } finally {
        this.busy--;
        if (!this.busy) this.buttons.forEach((b, i) => { b.disabled = !!(this.producers[i].unavailable && this.producers[i].unavailable()); });
      }
    };
    const job = this.queue.then(run, run);
    this.queue = job.catch(() => {});
    return job;
  }

  /** A button: make the file and download it. @param {string} format */
  async save(format) {
    const mime = EXPORT_MIME[/** @type {keyof typeof EXPORT_MIME} */ (format)];
    try {
      const file = await this.make(format, {});
      download(file.data, file.name, mime);
      this.setStatus(`saved ${file.name} (${sizeText(bytesOf(file.data).length)})`);
    } catch (e) {
      this.setStatus(`could not save: ${String(/** @type {Error} */ (e).message || e)}`, true);
    }
  }

  /**
   * A request from the kernel: make the file and send it back in parts (or say why not).
   * @param {any} msg
   */
  onMessage(msg) {
    if (!msg || typeof msg !== "object" || msg.kind !== EXPORT.KIND || typeof msg.format !== "string" || msg.event) return;
    if (typeof msg.id !== "string" && typeof msg.id !== "number") return;
    const id = msg.id;
    const format = msg.format;
    const options = msg.options && typeof msg.options === "object" ? msg.options : {};
    this.make(format, options).then(
      (file) => {
        const bytes = bytesOf(file.data);
        const parts = Math.max(1, Math.ceil(bytes.length / EXPORT.CHUNK));
        for (let part = 0; part < parts; part++) {
          const chunk = bytes.slice(part * EXPORT.CHUNK, (part + 1) * EXPORT.CHUNK);
          this.model.send(
            { kind: EXPORT.KIND, id, view: this.viewId, format, error: null, name: file.name, mime: EXPORT_MIME[/** @type {keyof typeof EXPORT_MIME} */ (format)], size: bytes.length, part, parts },
            undefined,
            [chunk.buffer],
          );
        }
        this.setStatus(`sent ${file.name} to the kernel (${sizeText(bytes.length)})`);
      },
      (e) => {
        const message = String(/** @type {Error} */ (e).message || e);
        this.model.send({ kind: EXPORT.KIND, id, view: this.viewId, format, error: message, part: 0, parts: 0 });
        this.setStatus(`could not save for the kernel: ${message}`, true);
      },
    );
  }

  destroy() {
    this.model.off("msg:custom", this.onMessage);
    this.announce(EXPORT.CLOSED);
    this.el.remove();
  }
}

/**
 * Resolves once `ready()` holds (checked every 50 ms), rejects after `timeoutMs` with `message`.
 * @param {() => boolean} ready
 * @param {number} timeoutMs
 * @param {string} message
 */
export function waitUntil(ready, timeoutMs, message) {
  return new Promise((resolve, reject) => {
    const t0 = Date.now();
    const check = () => {
      let ok = false;
      try {
        ok = ready();
      } catch {
        ok = false;
      }
      if (ok) resolve(undefined);
      else if (Date.now() - t0 > timeoutMs) reject(new Error(message));
      else setTimeout(check, 50);
    };
    check();
  });
}
