// A small stand-in for anywidget's model, so that the widgets' own render code runs in a file with no kernel:
// get/set/on/off/send/save_changes and `msg:custom`. Pure: no DOM.
//
// `set` fires `change:<name>` at once when the value changed (as the real model does); `send` hands the message to an
// answering function and delivers its reply later, as a kernel's reply arrives: asynchronously, with its buffers as
// DataViews (as JupyterLab hands them over).

/**
 * @typedef {{msg: any, buffers?: Array<ArrayBuffer | ArrayBufferView>}} Reply
 * @typedef {(content: any) => Reply | null | undefined} Answer
 */

/** @param {ArrayBuffer | ArrayBufferView} b */
function asDataView(b) {
  if (b instanceof DataView) return b;
  if (ArrayBuffer.isView(b)) return new DataView(b.buffer, b.byteOffset, b.byteLength);
  return new DataView(b);
}

export class StandInModel {
  /**
   * @param {Record<string, any>} state the widget's traits
   * @param {Answer} [answer] what the kernel would reply to a message (null: no reply)
   */
  constructor(state, answer) {
    /** @type {Record<string, any>} */
    this.state = { ...state };
    this.answer = answer || (() => null);
    /** @type {Map<string, Function[]>} */
    this.handlers = new Map();
    /** messages sent, in order (what a kernel would have received) */
    this.sent = [];
  }

  /** @param {string} name */
  get(name) {
    return this.state[name];
  }

  /** @param {string} name @param {any} value */
  set(name, value) {
    const before = this.state[name];
    this.state[name] = value;
    if (JSON.stringify(before) !== JSON.stringify(value)) this.emit(`change:${name}`, this, value);
  }

  /** @param {string} name @param {Function} fn */
  on(name, fn) {
    const list = this.handlers.get(name) || [];
    list.push(fn);
    this.handlers.set(name, list);
  }

  /** @param {string} name @param {Function} fn */
  off(name, fn) {
    const list = this.handlers.get(name);
    if (!list) return;
    const i = list.indexOf(fn);
    if (i >= 0) list.splice(i, 1);
  }

  save_changes() {}

  /**
   * A message to the "kernel": answered after the current task, never inside the call.
   * @param {any} content
   * @param {any} [_callbacks]
   * @param {any[]} [_buffers]
   */
  send(content, _callbacks, _buffers) {
    this.sent.push(content);
    setTimeout(() => {
      let reply;
      try {
        reply = this.answer(content);
      } catch (e) {
        const id = content && typeof content === "object" ? content.id ?? null : null;
        reply = { msg: { kind: "error", id, message: String(/** @type {Error} */ (e).message || e) } };
      }
      if (reply) this.emit("msg:custom", reply.msg, (reply.buffers || []).map(asDataView));
    }, 0);
  }

  /** @param {string} name @param {...any} args */
  emit(name, ...args) {
    for (const fn of (this.handlers.get(name) || []).slice()) fn(...args);
  }
}
