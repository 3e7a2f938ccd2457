// Faces for an exported file: the kernel's slicer (`cut_face` in tensorviz/slicing.py) run on the copy of a tensor the
// file holds. Pure: no DOM, no network.
//
// An export holds either every value of the tensor (then every face is cut exactly as the kernel cuts it: the same
// window, blocks, largest |x| per block, NaN first, and the same row sampling above READ_LIMIT), or a reduced copy:
// along some axes blocks of k indices (each the largest |x| of its block, as the kernel reduces), along others every
// k-th index. A face asked for finer than the copy holds is answered with what it holds, and its `note` says so.

export const READ_LIMIT = 1 << 24;

/**
 * How an exported copy holds one axis of the tensor.
 *   "all":    every index;
 *   "block":  blocks of `k` indices from 0, each the largest |x| of its block (of every `read`-th index read);
 *   "sample": every `k`-th index from `origin`, exactly.
 * @typedef {{mode: "all"|"block"|"sample", k: number, origin: number, read: number}} AxisHold
 * @typedef {Int8Array|Uint8Array|Int16Array|Uint16Array|Int32Array|Uint32Array|Float32Array|Float64Array|
 *           BigInt64Array|BigUint64Array} NumArray
 * @typedef {{shape: number[], encoding: string, held: number[], axes: AxisHold[], values: NumArray | null,
 *            refusal: string | null, sampleReads: boolean, names?: string[]}} Held
 *   `held`: the copy's shape (row-major, the tensor's axis order); `values`: its values in the wire encoding (complex
 *   interleaved); `refusal`: why there are no values (every face says it); `sampleReads`: whether a face too large to
 *   read whole is reduced from a sample of rows (strided tensors, as the kernel does); `names`: axis names for notes
 * @typedef {{axes: number[], index: number[], window: number[] | null}} FaceRequest
 * @typedef {{axes: number[], index: number[], window: number[], extent: number[], shape: number[], step: number[],
 *            sample: number[], encoding: string, error: string | null, note?: string[]}} FaceMeta
 */

/** @type {Record<string, any>} */
const CTORS = {
  bool: Uint8Array, uint8: Uint8Array, int8: Int8Array, int16: Int16Array, uint16: Uint16Array, int32: Int32Array,
  uint32: Uint32Array, int64: BigInt64Array, uint64: BigUint64Array, float32: Float32Array, float64: Float64Array,
  complex64: Float32Array, complex128: Float64Array,
};

/**
 * The values of a copy from its little-endian bytes (copied into an aligned buffer).
 * @param {string} encoding
 * @param {Uint8Array} bytes
 * @returns {NumArray}
 */
export function typedValues(encoding, bytes) {
  const Ctor = CTORS[encoding];
  if (!Ctor) throw new Error(`unknown encoding ${JSON.stringify(encoding)}`);
  const copy = new Uint8Array(bytes.byteLength);
  copy.set(bytes);
  return new Ctor(copy.buffer, 0, bytes.byteLength / Ctor.BYTES_PER_ELEMENT);
}

/**
 * Block size and number of cells to show `extent` elements in at most `budget` cells (slicing.plan).
 * @param {number} extent
 * @param {number} budget
 * @returns {[number, number]}
 */
export function plan(extent, budget) {
  const step = Math.max(1, Math.ceil(extent / budget));
  return [step, Math.ceil(extent / step)];
}

/**
 * Row and column strides so that reducing a rows × cols face reads at most READ_LIMIT elements (slicing.sampling).
 * @param {number} rows
 * @param {number} cols
 * @param {number} sr
 * @param {number} sc
 * @returns {[number, number]}
 */
export function sampling(rows, cols, sr, sc) {
  if (rows * cols <= READ_LIMIT) return [1, 1];
  const fr = Math.min(sr, Math.ceil((rows * cols) / READ_LIMIT));
  const read = Math.ceil(rows / fr) * cols;
  const fc = read > READ_LIMIT ? Math.min(sc, Math.ceil(read / READ_LIMIT)) : 1;
  return [fr, fc];
}

/**
 * Rows and columns of the whole face: [1, 1] for a scalar, [1, n] for a vector (protocol.face_extent).
 * @param {number[]} axes
 * @param {number[]} shape
 * @returns {[number, number]}
 */
export function faceExtent(axes, shape) {
  if (axes.length === 0) return [1, 1];
  if (axes.length === 1) return [1, shape[axes[0]]];
  return [shape[axes[0]], shape[axes[1]]];
}

/** @type {AxisHold} */
const EVERY = { mode: "all", k: 1, origin: 0, read: 1 };

/**
 * One direction of a face (its rows or its columns) planned on the copy.
 * @typedef {{a: number, b: number, step: number, sample: number, cells: number, e0: number, es: number, eEnd: number,
 *            stride: number, hold: AxisHold, finer: boolean}} Dim
 *   [a, b): the window answered (tensor indices); `step`, `sample`: as the kernel reports them; cell c reduces the
 *   copy's indices e0 + c·es … min(eEnd, e0 + (c+1)·es) − 1, every `stride`-th; `finer`: asked finer than held
 */

/**
 * @param {AxisHold} hold
 * @param {number} n the axis length (1 for a missing direction)
 * @param {number} w0
 * @param {number} w1
 * @param {number} budget
 * @returns {Dim}
 */
function planDim(hold, n, w0, w1, budget) {
  const [s] = plan(w1 - w0, budget);
  const k = hold.k;
  if (hold.mode === "all" || k <= 1) {
    return { a: w0, b: w1, step: s, sample: 1, cells: Math.ceil((w1 - w0) / s), e0: w0, es: s, eEnd: w1, stride: 1, hold, finer: false };
  }
  let step = Math.max(k, Math.ceil(s / k) * k);
  if (hold.mode === "block") {
    const a = Math.floor(w0 / k) * k;
    const b = Math.min(n, Math.ceil(w1 / k) * k);
    while (Math.ceil((b - a) / step) > budget) step += k;
    const cells = Math.ceil((b - a) / step);
    return { a, b, step, sample: hold.read || 1, cells, e0: a / k, es: step / k, eEnd: Math.ceil(b / k), stride: 1, hold, finer: s < k };
  }
  // "sample": held indices o + j·k; the window answered runs from the first held one in it to the last
  const o = hold.origin;
  const count = Math.max(1, Math.ceil((n - o) / k));
  let j0 = Math.max(0, Math.ceil((w0 - o) / k));
  let j1 = Math.min(count - 1, Math.floor((w1 - 1 - o) / k));
  if (j0 > j1) {
    const j = Math.max(0, Math.min(count - 1, Math.round(((w0 + w1 - 1) / 2 - o) / k)));
    j0 = j1 = j;
  }
  const a = o + j0 * k;
  const b = o + j1 * k + 1;
  return { a, b, step, sample: k, cells: Math.ceil((b - a) / step), e0: j0, es: step / k, eEnd: j1 + 1, stride: 1, hold, finer: true };
}

/**
 * Which held index stands for index `i` of an axis the face does not run along, and the index it really is.
 * @param {AxisHold} hold
 * @param {number} n
 * @param {number} i
 * @returns {[number, number]} [index into the copy, tensor index shown]
 */
function fixedIndex(hold, n, i) {
  if (hold.mode === "all" || hold.k <= 1) return [i, i];
  if (hold.mode === "block") return [Math.floor(i / hold.k), i];
  const count = Math.max(1, Math.ceil((n - hold.origin) / hold.k));
  const j = Math.max(0, Math.min(count - 1, Math.round((i - hold.origin) / hold.k)));
  return [j, hold.origin + j * hold.k];
}

/** @param {Held} held @param {number} axis */
function axisName(held, axis) {
  const name = held.names && held.names[axis];
  return name ? `axis ${axis} (${name})` : `axis ${axis}`;
}

/**
 * The face `req` of the held copy, reduced to `budget` cells, as the kernel would send it: its description and its
 * values (row-major, the wire encoding; null for a refused face).
 * @param {Held} held
 * @param {FaceRequest} req
 * @param {[number, number]} budget
 * @returns {{meta: FaceMeta, data: NumArray | null}}
 */
export function cutFace(held, req, budget) {
  const shape = held.shape;
  const rank = shape.length;
  const axes = req.axes.slice();
  const extent = faceExtent(axes, shape);
  const window = req.window ? req.window.slice() : [0, extent[0], 0, extent[1]];
  const rowAxis = axes.length === 2 ? axes[0] : -1;
  const colAxis = axes.length ? axes[axes.length - 1] : -1;
  const hold = (/** @type {number} */ a) => (a < 0 ? EVERY : held.axes[a] || EVERY);
  const rows = planDim(hold(rowAxis), extent[0], window[0], window[1], budget[0]);
  const cols = planDim(hold(colAxis), extent[1], window[2], window[3], budget[1]);
  const exact = rows.hold.mode === "all" || rows.hold.k <= 1;
  if (exact && (cols.hold.mode === "all" || cols.hold.k <= 1) && held.sampleReads) {
    // as the kernel: a face too large to read whole is reduced from every fr-th row (and fc-th column) of each block
    const [fr, fc] = sampling(rows.b - rows.a, cols.b - cols.a, rows.step, cols.step);
    for (const [d, f] of /** @type {Array<[Dim, number]>} */ ([[rows, fr], [cols, fc]])) {
      if (f === 1) continue;
      d.step = Math.ceil(d.step / f) * f;
      d.es = d.step;
      d.cells = Math.ceil((d.b - d.a) / d.step);
      d.stride = f;
      d.sample = f;
    }
  }
  const index = req.index.slice();
  const shownIndex = index.slice();
  const notes = [];
  // strides of the copy (row-major over its held shape)
  const strides = new Array(rank).fill(1);
  for (let a = rank - 2; a >= 0; a--) strides[a] = strides[a + 1] * held.held[a + 1];
  let base = 0;
  for (let a = 0; a < rank; a++) {
    if (axes.includes(a)) continue;
    const h = hold(a);
    const [e, shown] = fixedIndex(h, shape[a], index[a]);
    base += e * strides[a];
    shownIndex[a] = shown;
    // the notes do not name indices: the faces of a grid of cubes say the same once (the tooltips give the index)
    if (h.mode === "sample" && h.k > 1 && shown !== index[a]) {
      notes.push(`this exported file holds every ${ordinal(h.k)} index of ${axisName(held, a)}: the nearest one held is shown`);
    } else if (h.mode === "block" && h.k > 1) {
      notes.push(`this exported file holds ${axisName(held, a)} in blocks of ${h.k}: a face at one of its indices shows the largest |x| of its block`);
    }
  }
  for (const [d, axis] of /** @type {Array<[Dim, number]>} */ ([[rows, rowAxis], [cols, colAxis]])) {
    if (axis < 0 || d.hold.mode !== "sample" || d.hold.k <= 1) continue;
    notes.push(`this exported file holds every ${ordinal(d.hold.k)} index of ${axisName(held, axis)}`);
  }
  const blocky = [rows, cols].filter((d) => d.hold.mode === "block" && d.hold.k > 1);
  if (blocky.some((d) => d.finer)) {
    const ks = axes.length === 2 ? `${rows.hold.mode === "block" ? rows.hold.k : 1}×${cols.hold.mode === "block" ? cols.hold.k : 1}` : `${cols.hold.k}`;
    notes.push(`this exported file holds blocks of ${ks} here: each cell is the largest |x| of its block; the kernel has the single elements`);
  }
  /** @type {FaceMeta} */
  const meta = {
    axes, index: shownIndex, window: [rows.a, rows.b, cols.a, cols.b], extent, shape: [rows.cells, cols.cells],
    step: [rows.step, cols.step], sample: [rows.sample, cols.sample], encoding: held.encoding, error: null,
  };
  if (notes.length) meta.note = notes;
  const refusal = held.refusal || (held.values ? null : "this exported file holds no values of this tensor");
  if (refusal) {
    const { note: _note, ...rest } = meta;
    return { meta: { ...rest, window, index, shape: [0, 0], encoding: "uint8", sample: [1, 1], error: refusal }, data: null };
  }
  const data = reduceFace(held, base, rowAxis < 0 ? 0 : strides[rowAxis], colAxis < 0 ? 0 : strides[colAxis], rows, cols);
  return { meta, data };
}

/** "2nd", "3rd", "4th" @param {number} k */
function ordinal(k) {
  const tens = k % 100;
  const suffix = tens >= 11 && tens <= 13 ? "th" : k % 10 === 1 ? "st" : k % 10 === 2 ? "nd" : k % 10 === 3 ? "rd" : "th";
  return `${k}${suffix}`;
}

/**
 * Each cell of the face: its block's element of largest magnitude (sign kept, the larger one on a tie, NaN first;
 * unsigned and bool: the largest; complex: the first of largest |z|), as slicing._reduce keeps it.
 * @param {Held} held
 * @param {number} base offset of the face in the copy
 * @param {number} rs copy stride of the face's rows
 * @param {number} cs copy stride of its columns
 * @param {Dim} rows
 * @param {Dim} cols
 * @returns {NumArray}
 */
function reduceFace(held, base, rs, cs, rows, cols) {
  const enc = held.encoding;
  const src = /** @type {any} */ (held.values);
  const complex = enc === "complex64" || enc === "complex128";
  const n = rows.cells * cols.cells;
  const out = new CTORS[enc](complex ? 2 * n : n);
  const kind = complex ? "complex" : enc === "float32" || enc === "float64" ? "float" : enc === "bool" || enc.startsWith("uint") ? "max" : "signed";
  const big = enc === "int64" || enc === "uint64";
  const f32 = enc === "complex64";
  for (let ci = 0; ci < rows.cells; ci++) {
    const r0 = rows.e0 + ci * rows.es;
    const r1 = Math.min(rows.eEnd, r0 + rows.es);
    for (let cj = 0; cj < cols.cells; cj++) {
      const c0 = cols.e0 + cj * cols.es;
      const c1 = Math.min(cols.eEnd, c0 + cols.es);
      const o = ci * cols.cells + cj;
      if (kind === "complex") {
        let best = -1;
        let bestAbs = -Infinity;
        for (let r = r0; r < r1 && !Number.isNaN(bestAbs); r += rows.stride) {
          for (let c = c0; c < c1; c += cols.stride) {
            const p = base + r * rs + c * cs;
            const m = f32 ? Math.fround(Math.hypot(src[2 * p], src[2 * p + 1])) : Math.hypot(src[2 * p], src[2 * p + 1]);
            if (Number.isNaN(m)) {
              best = p;
              bestAbs = NaN;
              break;
            }
            if (m > bestAbs) {
              best = p;
              bestAbs = m;
            }
          }
        }
        out[2 * o] = src[2 * best];
        out[2 * o + 1] = src[2 * best + 1];
        continue;
      }
      let hi = /** @type {any} */ (null);
      let lo = /** @type {any} */ (null);
      let nan = false;
      for (let r = r0; r < r1; r += rows.stride) {
        for (let c = c0; c < c1; c += cols.stride) {
          const v = src[base + r * rs + c * cs];
          if (hi === null) {
            hi = v;
            lo = v;
          } else if (v > hi) hi = v;
          else if (v < lo) lo = v;
          if (v !== v) nan = true; // NaN
        }
      }
      if (kind === "max") out[o] = hi;
      else if (kind === "float") out[o] = nan ? NaN : hi >= -lo ? hi : lo;
      else if (big) out[o] = (hi > 0n ? hi : 0n) + (lo < 0n ? lo : 0n) >= 0n ? hi : lo;
      else out[o] = Math.max(hi, 0) + Math.min(lo, 0) >= 0 ? hi : lo;
    }
  }
  return out;
}

/**
 * Answer a `faces` request from the held copy, as the kernel answers it: a reply and one buffer per face.
 * @param {Held} held
 * @param {any} content
 * @returns {{msg: any, buffers: DataView[]}}
 */
export function answerFaces(held, content) {
  const budget = Array.isArray(content.budget) ? content.budget.map(Number) : [256, 256];
  const faces = Array.isArray(content.faces) ? content.faces : [];
  const metas = [];
  const buffers = [];
  for (const f of faces) {
    try {
      const { meta, data } = cutFace(held, f, /** @type {[number, number]} */ (budget));
      metas.push(meta);
      buffers.push(data ? new DataView(data.buffer, data.byteOffset, data.byteLength) : new DataView(new ArrayBuffer(0)));
    } catch (e) {
      const extent = faceExtent(f.axes || [], held.shape);
      metas.push({
        axes: f.axes, index: f.index, window: f.window || [0, extent[0], 0, extent[1]], extent, shape: [0, 0], step: [1, 1],
        sample: [1, 1], encoding: "uint8", error: `${/** @type {Error} */ (e).name || "Error"}: ${/** @type {Error} */ (e).message || e}`,
      });
      buffers.push(new DataView(new ArrayBuffer(0)));
    }
  }
  return { msg: { kind: "faces", id: content.id, revision: 0, faces: metas }, buffers };
}

/**
 * Row-major position of a full index.
 * @param {number[]} index
 * @param {number[]} shape
 */
function ravel(index, shape) {
  let flat = 0;
  for (let a = 0; a < shape.length; a++) flat = flat * shape[a] + index[a];
  return flat;
}

/**
 * Where the next NaN / ±inf after `after` is, from the list the file holds (row-major, the first ones of the tensor),
 * wrapping around to the first: the kernel's `nonfinite` reply.
 * @param {{indices: number[][], kinds: string[], total: number | null}} list
 * @param {number[]} shape
 * @param {number[] | null} after
 * @param {string} id
 */
export function nextNonfinite(list, shape, after, id) {
  const flats = list.indices.map((i) => ravel(i, shape));
  const start = Array.isArray(after) && after.length === shape.length ? ravel(after, shape) : -1;
  let k = flats.findIndex((f) => f > start);
  let wrapped = false;
  if (k < 0 && flats.length) {
    k = 0;
    wrapped = start >= 0;
  }
  const found = k >= 0;
  return {
    kind: "nonfinite", id, index: found ? list.indices[k].slice() : null, value: found ? list.kinds[k] : null,
    ordinal: found ? k + 1 : null, total: list.total, wrapped,
  };
}
