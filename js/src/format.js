// Number, size, shape and index formatting. Pure: no DOM.

/**
 * Shortest decimal that reads back as the same float32.
 * @param {number} x a float32 value (as a JS number)
 */
export function formatFloat32(x) {
  const special = formatSpecial(x);
  if (special !== null) return special;
  if (x === 0) return Object.is(x, -0) ? "-0" : "0";
  const f = Math.fround(x);
  for (let p = 1; p <= 9; p++) {
    const s = f.toPrecision(p);
    if (Math.fround(Number(s)) === f) return tidy(s);
  }
  return tidy(f.toPrecision(9));
}

/**
 * float64: JS's own shortest round-trip representation.
 * @param {number} x
 */
export function formatFloat64(x) {
  const special = formatSpecial(x);
  if (special !== null) return special;
  if (x === 0) return Object.is(x, -0) ? "-0" : "0";
  return String(x);
}

/** @param {number} x */
function formatSpecial(x) {
  if (Number.isNaN(x)) return "nan";
  if (x === Infinity) return "inf";
  if (x === -Infinity) return "-inf";
  return null;
}

/**
 * Canonical form of a toPrecision/String result: plain digits for moderate exponents,
 * "1.5e-7" style (no "+", no trailing zeros) otherwise.
 * @param {string} s
 */
function tidy(s) {
  const n = Number(s);
  const a = Math.abs(n);
  if (a >= 1e-5 && a < 1e16) {
    // Number → String gives the shortest digits for this decimal, no exponent in this range.
    return String(n);
  }
  let [mant, exp] = s.toLowerCase().split("e");
  if (exp === undefined) return s;
  if (mant.includes(".")) mant = mant.replace(/0+$/, "").replace(/\.$/, "");
  return `${mant}e${exp.replace("+", "")}`;
}

/**
 * Format one value exactly as the kernel sent it.
 * @param {number | bigint | boolean | [number, number]} v
 * @param {string} encoding wire encoding of the face
 */
export function formatValue(v, encoding) {
  if (typeof v === "boolean") return v ? "True" : "False";
  if (typeof v === "bigint") return v.toString();
  if (Array.isArray(v)) return formatComplex(v[0], v[1], encoding === "complex64" ? formatFloat32 : formatFloat64);
  if (encoding === "float32" || encoding === "complex64") return formatFloat32(v);
  if (encoding === "float64" || encoding === "complex128") return formatFloat64(v);
  if (encoding === "bool") return v ? "True" : "False";
  return String(v);
}

/**
 * Complex number as `a+bj` (Python style).
 * @param {number} re
 * @param {number} im
 * @param {(x: number) => string} [fmt]
 */
export function formatComplex(re, im, fmt = formatFloat64) {
  const a = fmt(re);
  const b = fmt(im);
  const sign = b.startsWith("-") ? "" : "+";
  return `${a}${sign}${b}j`;
}

/**
 * A value meant for a tick or a stats line: compact, about 4 significant digits.
 * @param {number | null | undefined} x
 */
export function formatCompact(x) {
  if (x === null || x === undefined) return "n/a";
  const special = formatSpecial(x);
  if (special !== null) return special;
  if (x === 0) return "0";
  if (Number.isInteger(x) && Math.abs(x) < 1e6) return String(x);
  const a = Math.abs(x);
  if (a >= 1e-3 && a < 1e6) return String(Number(x.toPrecision(4)));
  return tidy(x.toPrecision(3));
}

/**
 * Whole numbers with thin thousands separators: 10000 → "10,000".
 * @param {number} n
 */
export function formatCount(n) {
  if (n === null || n === undefined || !Number.isFinite(n)) return "n/a";
  return Math.round(n).toString().replace(/\B(?=(\d{3})+(?!\d))/g, ",");
}

/**
 * Bytes in B / KiB / MiB / GiB / TiB.
 * @param {number | null | undefined} n
 */
export function formatBytes(n) {
  if (n === null || n === undefined || !Number.isFinite(n)) return "n/a";
  const units = ["B", "KiB", "MiB", "GiB", "TiB", "PiB"];
  let u = 0;
  let v = n;
  while (Math.abs(v) >= 1024 && u < units.length - 1) {
    v /= 1024;
    u++;
  }
  if (u === 0) return `${n} B`;
  const s = v >= 100 ? v.toFixed(0) : v >= 10 ? v.toFixed(1) : v.toFixed(2);
  return `${String(Number(s))} ${units[u]}`;
}

/**
 * `[2, 3, 4]`; a 0-d shape is `[]`.
 * @param {ArrayLike<number>} shape
 */
export function formatShape(shape) {
  return `[${Array.from(shape).join(", ")}]`;
}

/** Full index of one element: `[1, 0, 3]` (written as a shape is). */
export const formatIndex = formatShape;

/**
 * Index that may contain ranges: numbers stay, [start, stop) pairs become `start:stop`.
 * @param {Array<number | [number, number]>} parts
 */
export function formatBlock(parts) {
  return `[${parts.map((p) => (Array.isArray(p) ? (p[1] - p[0] === 1 ? String(p[0]) : `${p[0]}:${p[1]}`) : String(p))).join(", ")}]`;
}

/** Size of an axis in a description: 64 → "64", 1000000 → "1,000,000". */
export const formatSize = formatCount;

/**
 * The note beside the picture of a sparse tensor: how many values it stores. Empty for strided tensors.
 * @param {{layout?: string, nnz?: number | null, numel?: number}} info
 */
export function sparseNote(info) {
  if (!info.layout || info.layout === "strided" || info.nnz === null || info.nnz === undefined) return "";
  const n = info.nnz;
  let s = `sparse (${info.layout.replace(/^sparse_/, "")}): ${formatCount(n)} stored value${n === 1 ? "" : "s"} (nnz)`;
  if (Number.isFinite(info.numel) && /** @type {number} */ (info.numel) > 0) {
    s += ` of ${formatCount(/** @type {number} */ (info.numel))} element${info.numel === 1 ? "" : "s"}`;
    if (n < /** @type {number} */ (info.numel)) s += "; the others are 0";
  }
  return s;
}

/** @param {number} n */
function ordinal(n) {
  const tens = n % 100;
  const suffix = tens >= 11 && tens <= 13 ? "th" : ({ 1: "st", 2: "nd", 3: "rd" })[n % 10] || "th";
  return `${n}${suffix}`;
}

/**
 * Which elements of a block-reduced face the kernel read, or "" when it read them all.
 * @param {number[] | undefined} sample row and column strides of the elements read
 * @param {number} rank rank of the face (1: columns only)
 */
export function sampleText(sample, rank = 2) {
  const [fr, fc] = sample || [1, 1];
  const parts = [];
  if (fr > 1 && rank > 1) parts.push(`${ordinal(fr)} row`);
  if (fc > 1) parts.push(rank > 1 ? `${ordinal(fc)} column` : `${ordinal(fc)} value`);
  return parts.length ? `every ${parts.join(" and ")}` : "";
}
