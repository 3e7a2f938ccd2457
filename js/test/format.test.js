import { test } from "node:test";
import assert from "node:assert/strict";
import {
  formatFloat32, formatFloat64, formatValue, formatComplex, formatBytes, formatShape, formatIndex, formatBlock,
  formatCount, formatCompact, sparseNote, sampleText,
} from "../src/format.js";

test("float32 values print as the shortest decimal that reads back as the same float32", () => {
  const f = (x) => formatFloat32(Math.fround(x));
  assert.equal(f(0.1), "0.1");
  assert.equal(f(1 / 3), "0.33333334");
  assert.equal(f(3.14159), "3.14159");
  assert.equal(f(1), "1");
  assert.equal(f(-2.5), "-2.5");
  assert.equal(f(16777216), "16777216");
  assert.equal(f(1e-7), "1e-7");
  assert.equal(f(3.4028234663852886e38), "3.4028235e38");
  // every printed value round-trips
  const arr = new Float32Array(1000);
  for (let i = 0; i < arr.length; i++) arr[i] = (Math.sin(i * 12.9898) * 43758.5453) % 7;
  for (const x of arr) assert.equal(Math.fround(Number(formatFloat32(x))), x, `${x}`);
});

test("float64 values print exactly as JavaScript's shortest round-trip form", () => {
  assert.equal(formatFloat64(0.1), "0.1");
  assert.equal(formatFloat64(1 / 3), "0.3333333333333333");
  assert.equal(formatFloat64(0.1 + 0.2), "0.30000000000000004");
});

test("special values print as nan, inf, -inf", () => {
  for (const fmt of [formatFloat32, formatFloat64]) {
    assert.equal(fmt(NaN), "nan");
    assert.equal(fmt(Infinity), "inf");
    assert.equal(fmt(-Infinity), "-inf");
  }
});

test("values format by their wire encoding: ints, big ints exact, bools, complex", () => {
  assert.equal(formatValue(42, "int32"), "42");
  assert.equal(formatValue(9007199254740993n, "int64"), "9007199254740993");
  assert.equal(formatValue(18446744073709551615n, "uint64"), "18446744073709551615");
  assert.equal(formatValue(true, "bool"), "True");
  assert.equal(formatValue(false, "bool"), "False");
  assert.equal(formatValue([1, -2], "complex128"), "1-2j");
  assert.equal(formatValue([Math.fround(0.1), Math.fround(0.2)], "complex64"), "0.1+0.2j");
  assert.equal(formatComplex(0, NaN), "0+nanj");
  assert.equal(formatValue(Math.fround(0.1), "float32"), "0.1");
});

test("sizes, shapes and indices read the way Python prints them", () => {
  assert.equal(formatBytes(96), "96 B");
  assert.equal(formatBytes(1024), "1 KiB");
  assert.equal(formatBytes(1536), "1.5 KiB");
  assert.equal(formatBytes(16 * 1024 * 1024), "16 MiB");
  assert.equal(formatBytes(null), "n/a");
  assert.equal(formatShape([2, 3, 4]), "[2, 3, 4]");
  assert.equal(formatShape([]), "[]");
  assert.equal(formatIndex([1, 0, 3]), "[1, 0, 3]");
  assert.equal(formatBlock([[0, 16], [32, 48]]), "[0:16, 32:48]");
  assert.equal(formatBlock([2, [0, 16], [5, 6]]), "[2, 0:16, 5]");
  assert.equal(formatCount(4194304), "4,194,304");
  assert.equal(formatCompact(null), "n/a");
  assert.equal(formatCompact(7.0710678), "7.071");
});

test("a sparse tensor's note tells how many values it stores; strided tensors get none", () => {
  assert.equal(sparseNote({ layout: "sparse_coo", nnz: 995, numel: 2000 }), "sparse (coo): 995 stored values (nnz) of 2,000 elements; the others are 0");
  assert.equal(sparseNote({ layout: "sparse_csr", nnz: 1, numel: 1 }), "sparse (csr): 1 stored value (nnz) of 1 element");
  assert.equal(sparseNote({ layout: "strided", nnz: null, numel: 6 }), "");
  assert.equal(sparseNote({ layout: "sparse_coo", nnz: null, numel: 6 }), "");
});

test("a sampled face tells which rows and columns the kernel read; a whole read says nothing", () => {
  assert.equal(sampleText([1, 1]), "");
  assert.equal(sampleText(undefined), "");
  assert.equal(sampleText([4, 1]), "every 4th row");
  assert.equal(sampleText([2, 3]), "every 2nd row and 3rd column");
  assert.equal(sampleText([1, 60], 1), "every 60th value");
  assert.equal(sampleText([11, 21]), "every 11th row and 21st column");
});
