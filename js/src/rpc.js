// Small request/reply client over anywidget's `msg:custom` for one-off questions to the kernel (not faces: those
// go through FaceClient, which coalesces). Each call gets its own id; the reply with that id settles it.
import { KIND } from "./protocol.js";

let counter = 0;

export class Rpc {
  /**
   * @param {{send: Function, on: Function, off: Function}} model
   * @param {number} [timeoutMs] a call not answered by then is rejected (the kernel may still be busy)
   */
  constructor(model, timeoutMs = 60000) {
    this.model = model;
    this.timeoutMs = timeoutMs;
    this.prefix = `rpc${(++counter).toString(36)}${Math.random().toString(36).slice(2, 7)}`;
    this.n = 0;
    /** @type {Map<string, {resolve: (m: any) => void, reject: (e: Error) => void, timer: any}>} */
    this.pending = new Map();
    this.onMessage = this.onMessage.bind(this);
    model.on("msg:custom", this.onMessage);
  }

  /**
   * Send `content` with a fresh id; resolves with the reply (rejects with the kernel's error message).
   * @param {Record<string, any>} content
   * @returns {Promise<any>}
   */
  call(content) {
    const id = `${this.prefix}:${++this.n}`;
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.pending.delete(id);
        reject(new Error("no reply from the kernel: it may be busy running a cell"));
      }, this.timeoutMs);
      this.pending.set(id, { resolve, reject, timer });
      this.model.send({ ...content, id });
    });
  }

  /** @param {any} msg */
  onMessage(msg) {
    if (!msg || typeof msg !== "object" || typeof msg.id !== "string") return;
    const p = this.pending.get(msg.id);
    if (!p) return;
    this.pending.delete(msg.id);
    clearTimeout(p.timer);
    if (msg.kind === KIND.ERROR) p.reject(new Error(String(msg.message ?? "error")));
    else p.resolve(msg);
  }

  close() {
    for (const p of this.pending.values()) clearTimeout(p.timer);
    this.pending.clear();
    this.model.off("msg:custom", this.onMessage);
  }
}
