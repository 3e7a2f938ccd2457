import { test } from "node:test";
import assert from "node:assert/strict";
import { FaceClient, SLOW_REPLY_MS } from "../src/faces.js";

function fakeModel() {
  const handlers = [];
  return {
    sent: [],
    handlers,
    send(msg) { this.sent.push(msg); },
    on(ev, f) { if (ev === "msg:custom") handlers.push(f); },
    off(ev, f) { const i = handlers.indexOf(f); if (i >= 0) handlers.splice(i, 1); },
    reply(msg, buffers) { for (const h of handlers.slice()) h(msg, buffers); },
  };
}
const face = { axes: [0, 1], index: [0, 0], window: null };
const meta = { axes: [0, 1], index: [0, 0], window: [0, 1, 0, 2], extent: [1, 2], shape: [1, 2], step: [1, 1], encoding: "float32", error: null };

test("request ids are unique per view and replies for other ids are ignored", () => {
  const m = fakeModel();
  const a = new FaceClient(m);
  const b = new FaceClient(m);
  const got = [];
  a.request({ budget: [8, 8], faces: [face], onReply: (f) => got.push(["a", f]), onError: () => {} });
  b.request({ budget: [8, 8], faces: [face], onReply: (f) => got.push(["b", f]), onError: () => {} });
  const [ma, mb] = m.sent;
  assert.notEqual(ma.id, mb.id);
  assert.equal(ma.kind, "faces");
  m.reply({ kind: "faces", id: "someone-else:1", revision: 0, faces: [meta] }, [new DataView(new ArrayBuffer(8))]);
  assert.equal(got.length, 0);
  m.reply({ kind: "faces", id: mb.id, revision: 0, faces: [meta] }, [new DataView(new Float32Array([1, 2]).buffer)]);
  assert.equal(got.length, 1);
  assert.equal(got[0][0], "b");
  assert.deepEqual(Array.from(got[0][1][0].values.data), [1, 2]);
  a.close();
  b.close();
});

test("one request in flight; newer requests replace the pending one (latest wins)", () => {
  const m = fakeModel();
  const c = new FaceClient(m);
  const got = [];
  const job = (name) => ({ budget: [8, 8], faces: [face], onReply: () => got.push(name), onError: () => {} });
  c.request(job("first"));
  c.request(job("second"));
  c.request(job("third"));
  assert.equal(m.sent.length, 1, "only one in flight");
  m.reply({ kind: "faces", id: m.sent[0].id, revision: 0, faces: [meta] }, [new Float32Array([1, 2])]);
  assert.deepEqual(got, [], "a superseded reply is not drawn");
  assert.equal(m.sent.length, 2, "the latest pending request goes out next");
  m.reply({ kind: "faces", id: m.sent[1].id, revision: 0, faces: [meta] }, [new Float32Array([1, 2])]);
  assert.deepEqual(got, ["third"]);
  c.close();
});

test("an error reply for our id reaches onError; the client keeps working", () => {
  const m = fakeModel();
  const c = new FaceClient(m);
  const errors = [];
  c.request({ budget: [8, 8], faces: [face], onReply: () => {}, onError: (e) => errors.push(e) });
  m.reply({ kind: "error", id: m.sent[0].id, message: "index 9 is out of range" });
  assert.deepEqual(errors, ["index 9 is out of range"]);
  c.request({ budget: [8, 8], faces: [face], onReply: () => {}, onError: () => {} });
  assert.equal(m.sent.length, 2);
  c.close();
});

test("a face with an error comes back without values, the others decode", () => {
  const m = fakeModel();
  const c = new FaceClient(m);
  let out;
  c.request({ budget: [8, 8], faces: [face, face], onReply: (f) => (out = f), onError: () => {} });
  m.reply({ kind: "faces", id: m.sent[0].id, revision: 3, faces: [{ ...meta, error: "boom" }, meta] },
    [new DataView(new ArrayBuffer(0)), new Float32Array([5, 6])]);
  assert.equal(out[0].values, null);
  assert.equal(out[0].error, "boom");
  assert.deepEqual(Array.from(out[1].values.data), [5, 6]);
  c.close();
});

test("close removes the message listener", () => {
  const m = fakeModel();
  const c = new FaceClient(m);
  assert.equal(m.handlers.length, 1);
  c.close();
  assert.equal(m.handlers.length, 0);
});

test("a kernel busy with a long cell: the view says it is waiting and still draws the late reply", (t) => {
  t.mock.timers.enable({ apis: ["setTimeout"] });
  const m = fakeModel();
  const c = new FaceClient(m);
  const events = [];
  c.request({
    budget: [8, 8], faces: [face],
    onReply: () => events.push("reply"), onError: (e) => events.push(`error: ${e}`), onSlow: () => events.push("slow"),
  });
  t.mock.timers.tick(SLOW_REPLY_MS * 20); // minutes: a training loop in the next cell
  assert.deepEqual(events, ["slow"]);
  m.reply({ kind: "faces", id: m.sent[0].id, revision: 0, faces: [meta] }, [new Float32Array([1, 2])]);
  assert.deepEqual(events, ["slow", "reply"]);
  c.close();
});
