import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync, existsSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { KIND, ENCODINGS, LIMITS, facesRequest } from "../src/protocol.js";

const py = fileURLToPath(new URL("../../tensorviz/protocol.py", import.meta.url));

test("requests are clamped to the protocol limits", () => {
  const faces = Array.from({ length: 600 }, () => ({ axes: [0], index: [0], window: null }));
  const msg = facesRequest("x".repeat(100), [0, 99999], faces);
  assert.equal(msg.kind, KIND.FACES);
  assert.equal(msg.id.length, LIMITS.MAX_ID_LENGTH);
  assert.deepEqual(msg.budget, [1, LIMITS.MAX_BUDGET]);
  assert.equal(msg.faces.length, LIMITS.MAX_FACES);
});

test("mirrors tensorviz/protocol.py: kinds, encodings and limits", { skip: !existsSync(py) }, () => {
  const src = readFileSync(py, "utf8");
  const constant = (name) => {
    const m = src.match(new RegExp(`^${name}\\s*=\\s*(.+?)(\\s*#.*)?$`, "m"));
    return m ? m[1].trim() : null;
  };
  assert.equal(constant("FACES"), JSON.stringify(KIND.FACES));
  assert.equal(constant("ERROR"), JSON.stringify(KIND.ERROR));
  assert.equal(Number(constant("MAX_BUDGET")), LIMITS.MAX_BUDGET);
  assert.equal(Number(constant("MAX_FACES")), LIMITS.MAX_FACES);
  assert.equal(Number(constant("MAX_ID_LENGTH")), LIMITS.MAX_ID_LENGTH);
  assert.equal(constant("MAX_CELLS"), "1 << 24");
  assert.equal(LIMITS.MAX_CELLS, 1 << 24);
  const block = src.slice(src.indexOf("ENCODINGS = ("), src.indexOf(")", src.indexOf("ENCODINGS = (")));
  const pyEnc = [...block.matchAll(/"(\w+)"/g)].map((m) => m[1]);
  assert.deepEqual(pyEnc.sort(), Object.keys(ENCODINGS).sort());
});
