// Request client for face slices over anywidget's `msg:custom`.
// At most one request in flight per view; a newer request replaces the pending one (latest wins).
import { KIND, facesRequest } from "./protocol.js";
import { decodeFace } from "./decode.js";

/**
 * @typedef {import("./protocol.js").FaceRequest} FaceRequest
 * @typedef {import("./protocol.js").FaceMeta} FaceMeta
 * @typedef {import("./decode.js").Decoded} Decoded
 * @typedef {{meta: FaceMeta, values: Decoded | null, error: string | null}} FaceResult
 * @typedef {{budget: [number, number], faces: FaceRequest[], onReply: (faces: FaceResult[], revision: number) => void,
 *            onError: (message: string) => void, onSlow?: () => void}} Job
 */

let viewCounter = 0;
/** After this long without a reply the view says it is waiting; the request stays in flight, because a
 * kernel busy with a long cell answers once the cell is done. */
export const SLOW_REPLY_MS = 5000;

export class FaceClient {
  /**
   * @param {{send: Function, on: Function, off: Function}} model
   */
  constructor(model) {
    this.model = model;
    this.token = `tv${(++viewCounter).toString(36)}${Math.random().toString(36).slice(2, 8)}`;
    this.n = 0;
    /** @type {{id: string, job: Job, timer: any} | null} */
    this.inflight = null;
    /** @type {Job | null} */
    this.pending = null;
    this.closed = false;
    this.onMessage = this.onMessage.bind(this);
    model.on("msg:custom", this.onMessage);
  }

  /**
   * Ask for faces; the callbacks run once, unless a newer request replaces this one before it is sent.
   * @param {Job} job
   */
  request(job) {
    if (this.closed) return;
    if (this.inflight) {
      this.pending = job;
      return;
    }
    this.send(job);
  }

  /** @param {Job} job */
  send(job) {
    const id = `${this.token}:${++this.n}`;
    const timer = setTimeout(() => {
      if (this.inflight && this.inflight.id === id && job.onSlow) job.onSlow();
    }, SLOW_REPLY_MS);
    this.inflight = { id, job, timer };
    this.model.send(facesRequest(id, job.budget, job.faces));
  }

  next() {
    const job = this.pending;
    this.pending = null;
    if (job && !this.closed) this.send(job);
  }

  /**
   * @param {any} msg
   * @param {Array<DataView | ArrayBuffer>} [buffers]
   */
  onMessage(msg, buffers) {
    if (!msg || typeof msg !== "object" || !this.inflight || msg.id !== this.inflight.id) return;
    const { job, timer } = this.inflight;
    clearTimeout(timer);
    this.inflight = null;
    const superseded = this.pending !== null;
    try {
      if (msg.kind === KIND.ERROR) {
        if (!superseded) job.onError(String(msg.message ?? "error"));
      } else if (msg.kind === KIND.FACES && !superseded) {
        const metas = Array.isArray(msg.faces) ? msg.faces : [];
        /** @type {FaceResult[]} */
        const out = metas.map((meta, i) => {
          if (meta.error) return { meta, values: null, error: String(meta.error) };
          try {
            return { meta, values: decodeFace(buffers ? buffers[i] : null, meta), error: null };
          } catch (e) {
            return { meta, values: null, error: String(e && e.message ? e.message : e) };
          }
        });
        job.onReply(out, Number(msg.revision ?? 0));
      }
    } finally {
      this.next();
    }
  }

  close() {
    this.closed = true;
    if (this.inflight) clearTimeout(this.inflight.timer);
    this.inflight = null;
    this.pending = null;
    this.model.off("msg:custom", this.onMessage);
  }
}
