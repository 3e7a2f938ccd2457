// A small GIF89a encoder for the op player's animations (the fallback to video for slides). Pure: RGBA frames in,
// bytes out; written from the GIF89a specification. One global palette of at most 255 colors for all frames (the most
// frequent colors exactly, the rest median-cut), so a cell keeps its color from frame to frame; each later frame
// stores only the rectangle that changed, with unchanged pixels transparent; frames that change nothing lengthen the
// one before; a NETSCAPE2.0 extension makes it loop.

/**
 * @typedef {{rgba: Uint8ClampedArray | Uint8Array, delay: number}} GifFrame opaque RGBA pixels (alpha ignored) and how
 *            long the frame shows, in milliseconds
 * @typedef {{colors: Uint8Array, count: number}} Palette `count` RGB triples in `colors`
 */

/** Most colors a palette holds; one more index is kept for "unchanged" (transparent) pixels. */
export const MAX_COLORS = 255;

/**
 * Counts the colors of frames (a sample of their pixels) to make one palette for all of them: every color when there
 * are at most `max`, else the most frequent colors exactly (large areas of one color: the cells) and a median cut of
 * the others (anti-aliased edges and text).
 */
export class PaletteBuilder {
  /** @param {number} [sampleEvery] count one pixel in this many */
  constructor(sampleEvery = 1) {
    /** @type {Map<number, number>} */
    this.counts = new Map();
    this.every = Math.max(1, Math.floor(sampleEvery));
  }

  /** @param {Uint8ClampedArray | Uint8Array} rgba */
  add(rgba) {
    const counts = this.counts;
    for (let p = 0; p < rgba.length; p += 4 * this.every) {
      const key = (rgba[p] << 16) | (rgba[p + 1] << 8) | rgba[p + 2];
      counts.set(key, (counts.get(key) || 0) + 1);
    }
  }

  /**
   * @param {number} [max]
   * @returns {Palette}
   */
  build(max = MAX_COLORS) {
    const all = [...this.counts.entries()].sort((a, b) => b[1] - a[1] || a[0] - b[0]);
    /** @type {number[]} */
    let chosen;
    if (all.length <= max) chosen = all.map(([c]) => c);
    else {
      const keep = Math.floor((max * 3) / 4);
      chosen = all.slice(0, keep).map(([c]) => c);
      chosen.push(...medianCut(all.slice(keep), max - keep));
    }
    if (!chosen.length) chosen.push(0);
    const colors = new Uint8Array(chosen.length * 3);
    chosen.forEach((c, i) => {
      colors[i * 3] = (c >>> 16) & 255;
      colors[i * 3 + 1] = (c >>> 8) & 255;
      colors[i * 3 + 2] = c & 255;
    });
    return { colors, count: chosen.length };
  }
}

/**
 * One palette for a set of frames (see PaletteBuilder).
 * @param {(Uint8ClampedArray | Uint8Array)[]} frames RGBA
 * @param {number} [max]
 * @returns {Palette}
 */
export function buildPalette(frames, max = MAX_COLORS) {
  const total = frames.reduce((p, f) => p + f.length / 4, 0);
  const b = new PaletteBuilder(Math.max(1, Math.floor(total / 2_000_000)));
  for (const f of frames) b.add(f);
  return b.build(max);
}

/**
 * Median cut: split the color box with the widest channel at its weighted median until there are `n` boxes; each
 * box gives its weighted mean color.
 * @param {[number, number][]} entries [rgb, count]
 * @param {number} n
 * @returns {number[]} rgb colors
 */
export function medianCut(entries, n) {
  const ch = (/** @type {number} */ c, /** @type {number} */ k) => (c >>> (16 - 8 * k)) & 255;
  /** @type {[number, number][][]} */
  const boxes = [entries];
  const range = (/** @type {[number, number][]} */ box) => {
    let best = -1;
    let bestK = 0;
    for (let k = 0; k < 3; k++) {
      let lo = 255;
      let hi = 0;
      for (const [c] of box) {
        const v = ch(c, k);
        if (v < lo) lo = v;
        if (v > hi) hi = v;
      }
      if (hi - lo > best) {
        best = hi - lo;
        bestK = k;
      }
    }
    return { size: best, k: bestK };
  };
  while (boxes.length < n) {
    let pick = -1;
    let score = 0;
    let axis = 0;
    boxes.forEach((box, i) => {
      if (box.length < 2) return;
      const r = range(box);
      const weight = box.reduce((p, e) => p + e[1], 0);
      const s = r.size * Math.sqrt(weight);
      if (s > score) {
        score = s;
        pick = i;
        axis = r.k;
      }
    });
    if (pick < 0) break;
    const box = boxes[pick].slice().sort((a, b) => ch(a[0], axis) - ch(b[0], axis));
    const half = box.reduce((p, e) => p + e[1], 0) / 2;
    let acc = 0;
    let cut = 1;
    for (let i = 0; i < box.length - 1; i++) {
      acc += box[i][1];
      if (acc >= half) {
        cut = i + 1;
        break;
      }
      cut = i + 1;
    }
    boxes.splice(pick, 1, box.slice(0, cut), box.slice(cut));
  }
  return boxes.filter((b) => b.length).map((box) => {
    let w = 0;
    const sum = [0, 0, 0];
    for (const [c, count] of box) {
      for (let k = 0; k < 3; k++) sum[k] += ch(c, k) * count;
      w += count;
    }
    const m = sum.map((s) => Math.round(s / Math.max(1, w)));
    return (m[0] << 16) | (m[1] << 8) | m[2];
  });
}

/**
 * Maps colors to palette indices: a palette color to itself, any other to the nearest (squared RGB distance), through
 * a table of 6 bits per channel filled as colors are met.
 */
export class ColorIndex {
  /** @param {Palette} palette */
  constructor(palette) {
    this.palette = palette;
    this.table = new Int16Array(1 << 18).fill(-1);
    // palette colors first, so that they map to themselves
    for (let i = palette.count - 1; i >= 0; i--) {
      const c = palette.colors;
      this.table[((c[i * 3] >> 2) << 12) | ((c[i * 3 + 1] >> 2) << 6) | (c[i * 3 + 2] >> 2)] = i;
    }
  }

  /** @param {number} r @param {number} g @param {number} b */
  nearest(r, g, b) {
    const c = this.palette.colors;
    let best = 0;
    let bestD = Infinity;
    for (let i = 0; i < this.palette.count; i++) {
      const dr = c[i * 3] - r;
      const dg = c[i * 3 + 1] - g;
      const db = c[i * 3 + 2] - b;
      const d = dr * dr * 2 + dg * dg * 4 + db * db * 3;
      if (d < bestD) {
        bestD = d;
        best = i;
      }
    }
    return best;
  }

  /** @param {number} r @param {number} g @param {number} b */
  index(r, g, b) {
    const key = ((r >> 2) << 12) | ((g >> 2) << 6) | (b >> 2);
    let i = this.table[key];
    if (i < 0) {
      i = this.nearest(r, g, b);
      this.table[key] = i;
    }
    return i;
  }

  /**
   * Palette indices of an RGBA frame.
   * @param {Uint8ClampedArray | Uint8Array} rgba
   */
  frame(rgba) {
    const n = rgba.length / 4;
    const out = new Uint8Array(n);
    for (let p = 0; p < n; p++) out[p] = this.index(rgba[p * 4], rgba[p * 4 + 1], rgba[p * 4 + 2]);
    return out;
  }
}

/** A growable byte buffer. */
class Bytes {
  constructor(size = 1 << 16) {
    this.buf = new Uint8Array(size);
    this.n = 0;
  }

  /** @param {number} extra */
  room(extra) {
    if (this.n + extra <= this.buf.length) return;
    const next = new Uint8Array(Math.max(this.buf.length * 2, this.n + extra));
    next.set(this.buf.subarray(0, this.n));
    this.buf = next;
  }

  /** @param {number} b */
  byte(b) {
    this.room(1);
    this.buf[this.n++] = b & 255;
  }

  /** @param {number} v little-endian 16 bits */
  u16(v) {
    this.byte(v & 255);
    this.byte((v >>> 8) & 255);
  }

  /** @param {ArrayLike<number>} a */
  bytes(a) {
    this.room(a.length);
    this.buf.set(a, this.n);
    this.n += a.length;
  }

  /** @param {string} s ASCII */
  ascii(s) {
    for (let i = 0; i < s.length; i++) this.byte(s.charCodeAt(i));
  }

  done() {
    return this.buf.slice(0, this.n);
  }
}

/** The code table of the LZW encoder, reused between frames: entry (prefix code, next index) → code. */
class CodeTable {
  constructor() {
    this.codes = new Int16Array(4096 * 256);
    this.gens = new Uint16Array(4096 * 256);
    this.gen = 1;
  }

  reset() {
    this.gen++;
    if (this.gen === 65536) {
      this.gens.fill(0);
      this.gen = 1;
    }
  }
}

/**
 * The variable-length LZW code stream of GIF image data (bits packed least significant first), not yet cut into
 * sub-blocks. Starts with a clear code, ends with the end-of-information code; a full table (4096 codes) is cleared.
 * @param {ArrayLike<number>} indices each below 2 ** minCodeSize
 * @param {number} minCodeSize 2..8
 * @param {CodeTable} [table]
 * @returns {Uint8Array}
 */
export function lzwEncode(indices, minCodeSize, table = new CodeTable()) {
  const clear = 1 << minCodeSize;
  const eoi = clear + 1;
  const out = new Bytes(Math.max(64, indices.length >> 1));
  let codeSize = minCodeSize + 1;
  let next = eoi + 1;
  let cur = 0;
  let bits = 0;
  const emit = (/** @type {number} */ code) => {
    cur |= code << bits;
    bits += codeSize;
    while (bits >= 8) {
      out.byte(cur & 255);
      cur >>>= 8;
      bits -= 8;
    }
  };
  table.reset();
  emit(clear);
  if (!indices.length) {
    emit(eoi);
    if (bits > 0) out.byte(cur & 255);
    return out.done();
  }
  const { codes, gens } = table;
  let prefix = indices[0];
  for (let i = 1; i < indices.length; i++) {
    const k = indices[i];
    const key = (prefix << 8) | k;
    if (gens[key] === table.gen) {
      prefix = codes[key];
      continue;
    }
    emit(prefix);
    if (next === 4096) {
      emit(clear);
      table.reset();
      next = eoi + 1;
      codeSize = minCodeSize + 1;
    } else {
      if (next >= 1 << codeSize) codeSize++;
      codes[key] = next++;
      gens[key] = table.gen;
    }
    prefix = k;
  }
  emit(prefix);
  emit(eoi);
  if (bits > 0) out.byte(cur & 255);
  return out.done();
}

/**
 * Bits per palette index for a table of `n` entries (a GIF table holds 2, 4, …, 256).
 * @param {number} n
 */
export function tableBits(n) {
  let b = 1;
  while (1 << b < n) b++;
  return b;
}

/**
 * Writes an animated GIF frame by frame: a global palette, a looping extension, then each frame as the rectangle that
 * changed since the one before (unchanged pixels transparent); a frame that changes nothing lengthens the one before.
 */
export class GifEncoder {
  /**
   * @param {{width: number, height: number, palette: Palette, loop?: number}} opts `loop`: how many times to repeat, 0
   *        for ever (the default)
   */
  constructor({ width, height, palette, loop = 0 }) {
    if (!(width > 0 && height > 0 && width < 65536 && height < 65536)) throw new Error(`a GIF must be 1 to 65535 pixels a side, got ${width}×${height}`);
    this.width = width;
    this.height = height;
    this.index = new ColorIndex(palette);
    this.transparent = palette.count; // "unchanged since the last frame"
    const bits = Math.max(1, tableBits(palette.count + 1));
    this.minCodeSize = Math.max(2, bits);
    this.codeTable = new CodeTable();
    this.out = new Bytes(1 << 20);
    /** @type {Uint8Array | null} the picture so far, as indices */
    this.prev = null;
    /** @type {{x: number, y: number, w: number, h: number, data: Uint8Array, trans: boolean, start: number} | null} */
    this.pending = null;
    this.t = 0;
    const out = this.out;
    out.ascii("GIF89a");
    // logical screen: global color table present, 8 bits per primary, table of 2^bits entries
    out.u16(width);
    out.u16(height);
    out.byte(0x80 | (7 << 4) | (bits - 1));
    out.byte(0); // background color index
    out.byte(0); // no aspect ratio given
    const table = new Uint8Array(3 << bits);
    table.set(palette.colors.subarray(0, palette.count * 3));
    out.bytes(table);
    // NETSCAPE2.0 application extension: loop count
    out.bytes([0x21, 0xff, 0x0b]);
    out.ascii("NETSCAPE2.0");
    out.bytes([0x03, 0x01]);
    out.u16(Math.max(0, Math.min(65535, loop | 0)));
    out.byte(0);
    this.frames = 0;
  }

  /**
   * Add a frame shown for `delay` milliseconds.
   * @param {Uint8ClampedArray | Uint8Array} rgba
   * @param {number} delay
   */
  addFrame(rgba, delay) {
    const { width, height } = this;
    if (rgba.length !== width * height * 4) throw new Error(`a frame must have ${width * height * 4} RGBA bytes, got ${rgba.length}`);
    const idx = this.index.frame(rgba);
    const prev = this.prev;
    if (!prev) {
      this.push({ x: 0, y: 0, w: width, h: height, data: idx, trans: false, start: this.t });
    } else {
      let x0 = width;
      let y0 = height;
      let x1 = -1;
      let y1 = -1;
      for (let y = 0; y < height; y++) {
        const row = y * width;
        for (let x = 0; x < width; x++) {
          if (idx[row + x] !== prev[row + x]) {
            if (x < x0) x0 = x;
            if (x > x1) x1 = x;
            if (y < y0) y0 = y;
            y1 = y;
          }
        }
      }
      if (x1 >= 0) {
        const w = x1 - x0 + 1;
        const h = y1 - y0 + 1;
        const data = new Uint8Array(w * h);
        for (let y = 0; y < h; y++) {
          for (let x = 0; x < w; x++) {
            const p = (y0 + y) * width + x0 + x;
            data[y * w + x] = idx[p] === prev[p] ? this.transparent : idx[p];
          }
        }
        this.push({ x: x0, y: y0, w, h, data, trans: true, start: this.t });
      }
    }
    this.prev = idx;
    this.t += Math.max(0, delay);
  }

  /** Write the frame before (now that its end is known) and keep this one. @param {any} part */
  push(part) {
    if (this.pending) this.write(this.pending, part.start);
    this.pending = part;
  }

  /**
   * @param {{x: number, y: number, w: number, h: number, data: Uint8Array, trans: boolean, start: number}} p
   * @param {number} stop
   */
  write(p, stop) {
    const out = this.out;
    // delays in hundredths of a second, rounded on the running time so that the whole keeps its length
    const delay = Math.max(2, Math.round(stop / 10) - Math.round(p.start / 10));
    // graphic control: disposal 1 (leave the frame in place), transparency for unchanged pixels
    out.bytes([0x21, 0xf9, 0x04, (1 << 2) | (p.trans ? 1 : 0)]);
    out.u16(Math.min(65535, delay));
    out.byte(p.trans ? this.transparent : 0);
    out.byte(0);
    // image descriptor: no local table, not interlaced
    out.byte(0x2c);
    out.u16(p.x);
    out.u16(p.y);
    out.u16(p.w);
    out.u16(p.h);
    out.byte(0);
    out.byte(this.minCodeSize);
    const codes = lzwEncode(p.data, this.minCodeSize, this.codeTable);
    for (let o = 0; o < codes.length; o += 255) {
      const n = Math.min(255, codes.length - o);
      out.byte(n);
      out.bytes(codes.subarray(o, o + n));
    }
    out.byte(0);
    this.frames++;
  }

  /** The file. @returns {Uint8Array} */
  finish() {
    if (!this.pending) throw new Error("a GIF needs at least one frame");
    this.write(this.pending, this.t);
    this.pending = null;
    this.out.byte(0x3b);
    return this.out.done();
  }
}

/**
 * Encode frames as an animated GIF (all in memory; GifEncoder writes them one by one).
 * @param {{width: number, height: number, frames: GifFrame[], loop?: number, palette?: Palette}} opts
 * @returns {Uint8Array}
 */
export function encodeGif({ width, height, frames, loop = 0, palette }) {
  if (!frames.length) throw new Error("a GIF needs at least one frame");
  const enc = new GifEncoder({ width, height, loop, palette: palette || buildPalette(frames.map((f) => f.rgba)) });
  for (const f of frames) enc.addFrame(f.rgba, f.delay);
  return enc.finish();
}
