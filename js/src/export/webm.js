// WebM files as a browser's MediaRecorder writes them carry no duration (they are written live): players then show no
// length and cannot seek. This adds the Segment Info's Duration element, from the EBML/Matroska specification. Pure.

const ID = Object.freeze({
  EBML: 0x1a45dfa3,
  SEGMENT: 0x18538067,
  INFO: 0x1549a966,
  SEEK_HEAD: 0x114d9b74,
  TIMECODE_SCALE: 0x2ad7b1,
  DURATION: 0x4489,
});

/**
 * An element ID at `pos` (1 to 4 bytes, the length marker kept): {id, len} or null.
 * @param {Uint8Array} b
 * @param {number} pos
 */
export function readId(b, pos) {
  const first = b[pos];
  if (first === undefined) return null;
  let len = 1;
  while (len <= 4 && !(first & (0x80 >> (len - 1)))) len++;
  if (len > 4 || pos + len > b.length) return null;
  let id = 0;
  for (let i = 0; i < len; i++) id = id * 256 + b[pos + i];
  return { id, len };
}

/**
 * An element data size at `pos` (a variable-length integer of 1 to 8 bytes): {size, len, unknown} or null. `unknown`:
 * all value bits set (a live stream's Segment and Clusters).
 * @param {Uint8Array} b
 * @param {number} pos
 */
export function readSize(b, pos) {
  const first = b[pos];
  if (first === undefined || first === 0) return null;
  let len = 1;
  while (!(first & (0x80 >> (len - 1)))) len++;
  if (pos + len > b.length) return null;
  let size = first & (0xff >> len);
  let allOnes = size === 0xff >> len;
  for (let i = 1; i < len; i++) {
    size = size * 256 + b[pos + i];
    if (b[pos + i] !== 0xff) allOnes = false;
  }
  return { size, len, unknown: allOnes };
}

/**
 * A data size written in exactly `len` bytes (1..8).
 * @param {number} size
 * @param {number} len
 */
export function writeSize(size, len) {
  const out = new Uint8Array(len);
  let v = size;
  for (let i = len - 1; i >= 0; i--) {
    out[i] = v % 256;
    v = Math.floor(v / 256);
  }
  out[0] |= 0x80 >> (len - 1);
  return out;
}

/** Bytes a data size needs at least. @param {number} size */
function sizeLength(size) {
  let len = 1;
  while (len < 8 && size >= 2 ** (7 * len) - 1) len++;
  return len;
}

/** @param {number} id */
function idBytes(id) {
  const out = [];
  let v = id;
  while (v > 0) {
    out.unshift(v % 256);
    v = Math.floor(v / 256);
  }
  return out;
}

/**
 * Children of the element whose data runs from `start` to `end`: [{id, at, dataAt, size, unknown}].
 * @param {Uint8Array} b
 * @param {number} start
 * @param {number} end
 */
export function children(b, start, end) {
  const out = [];
  let pos = start;
  while (pos < end) {
    const id = readId(b, pos);
    if (!id) break;
    const sz = readSize(b, pos + id.len);
    if (!sz) break;
    const dataAt = pos + id.len + sz.len;
    out.push({ id: id.id, at: pos, dataAt, size: sz.size, sizeLen: sz.len, unknown: sz.unknown });
    if (sz.unknown) break; // runs to the end of its parent: nothing more to list at this level
    pos = dataAt + sz.size;
  }
  return out;
}

/**
 * The Duration (milliseconds) a WebM file states, or null.
 * @param {Uint8Array} b
 */
export function webmDuration(b) {
  const info = findInfo(b);
  if (!info) return null;
  let scale = 1e6;
  let dur = null;
  for (const c of children(b, info.dataAt, info.dataAt + info.size)) {
    if (c.id === ID.TIMECODE_SCALE) {
      scale = 0;
      for (let i = 0; i < c.size; i++) scale = scale * 256 + b[c.dataAt + i];
    } else if (c.id === ID.DURATION) {
      const dv = new DataView(b.buffer, b.byteOffset + c.dataAt, c.size);
      dur = c.size === 4 ? dv.getFloat32(0) : dv.getFloat64(0);
    }
  }
  return dur === null ? null : (dur * scale) / 1e6;
}

/** @param {Uint8Array} b */
function findInfo(b) {
  const top = children(b, 0, b.length);
  const seg = top.find((c) => c.id === ID.SEGMENT);
  if (!top.length || top[0].id !== ID.EBML || !seg) return null;
  const segEnd = seg.unknown ? b.length : Math.min(b.length, seg.dataAt + seg.size);
  const kids = children(b, seg.dataAt, segEnd);
  const info = kids.find((c) => c.id === ID.INFO);
  if (!info || info.unknown) return null;
  return { ...info, seg, seekHead: kids.some((c) => c.id === ID.SEEK_HEAD) };
}

/**
 * A copy of a WebM file that states its duration: the Info element gets a Duration (or its Duration is set). The file
 * is returned unchanged when it is not a WebM file this can safely edit (one with a SeekHead, whose positions would
 * move).
 * @param {Uint8Array} b
 * @param {number} ms
 * @returns {Uint8Array}
 */
export function withDuration(b, ms) {
  const info = findInfo(b);
  if (!info || !(ms >= 0)) return b;
  let scale = 1e6;
  let existing = null;
  for (const c of children(b, info.dataAt, info.dataAt + info.size)) {
    if (c.id === ID.TIMECODE_SCALE) {
      scale = 0;
      for (let i = 0; i < c.size; i++) scale = scale * 256 + b[c.dataAt + i];
    } else if (c.id === ID.DURATION) existing = c;
  }
  const value = (ms * 1e6) / (scale || 1e6);
  if (existing) {
    const out = b.slice();
    const dv = new DataView(out.buffer, out.byteOffset + existing.dataAt, existing.size);
    if (existing.size === 4) dv.setFloat32(0, value);
    else if (existing.size === 8) dv.setFloat64(0, value);
    else return b;
    return out;
  }
  if (info.seekHead) return b;
  const el = new Uint8Array(11);
  el.set(idBytes(ID.DURATION), 0);
  el[2] = 0x88; // 8 bytes of data
  new DataView(el.buffer).setFloat64(3, value);
  const newSize = info.size + el.length;
  const infoIdLen = info.dataAt - info.sizeLen - info.at;
  const sizeLen = Math.max(info.sizeLen, sizeLength(newSize));
  const grow = el.length + (sizeLen - info.sizeLen);
  const parts = [];
  // the Segment's own size grows too when it is known
  if (!info.seg.unknown) {
    const segIdLen = info.seg.dataAt - info.seg.sizeLen - info.seg.at;
    const segSize = info.seg.size + grow;
    const segLen = Math.max(info.seg.sizeLen, sizeLength(segSize));
    if (segLen !== info.seg.sizeLen) return b; // would move everything after; not worth it
    parts.push(b.subarray(0, info.seg.at + segIdLen), writeSize(segSize, segLen), b.subarray(info.seg.dataAt, info.at));
  } else {
    parts.push(b.subarray(0, info.at));
  }
  parts.push(b.subarray(info.at, info.at + infoIdLen), writeSize(newSize, sizeLen), b.subarray(info.dataAt, info.dataAt + info.size), el, b.subarray(info.dataAt + info.size));
  const out = new Uint8Array(parts.reduce((p, q) => p + q.length, 0));
  let o = 0;
  for (const p of parts) {
    out.set(p, o);
    o += p.length;
  }
  return out;
}

export { ID as EBML_ID };

// -- writing a WebM file from encoded frames (WebCodecs' VideoEncoder gives them) -----------------------------------

/** @param {number} id @param {...(Uint8Array | number[])} parts */
function element(id, ...parts) {
  const body = concat(parts.map((p) => (p instanceof Uint8Array ? p : Uint8Array.from(p))));
  return concat([Uint8Array.from(idBytes(id)), writeSize(body.length, sizeLength(body.length)), body]);
}

/** @param {Uint8Array[]} parts */
function concat(parts) {
  const out = new Uint8Array(parts.reduce((p, q) => p + q.length, 0));
  let o = 0;
  for (const p of parts) {
    out.set(p, o);
    o += p.length;
  }
  return out;
}

/** Unsigned integer, big-endian, in `len` bytes (default: as few as it needs). @param {number} v @param {number} [len] */
function uint(v, len) {
  const bytes = [];
  let x = Math.max(0, Math.floor(v));
  do {
    bytes.unshift(x % 256);
    x = Math.floor(x / 256);
  } while (x > 0);
  while (len && bytes.length < len) bytes.unshift(0);
  return Uint8Array.from(bytes);
}

/** @param {number} v */
function float64(v) {
  const b = new Uint8Array(8);
  new DataView(b.buffer).setFloat64(0, v);
  return b;
}

/** @param {string} s ASCII */
const text = (s) => Uint8Array.from(s, (c) => c.charCodeAt(0) & 127);

/**
 * @typedef {{data: Uint8Array, timestamp: number, key: boolean}} EncodedFrame `timestamp` in microseconds
 * @typedef {{matrix?: string | null, primaries?: string | null, transfer?: string | null, fullRange?: boolean | null}} ColorSpace
 */

/** Code points (ITU-T H.273) of WebCodecs' color space names. */
const MATRIX = { rgb: 0, bt709: 1, bt470bg: 5, smpte170m: 6, bt2020ncl: 9 };
const PRIMARIES = { bt709: 1, bt470bg: 5, smpte170m: 6, bt2020: 9, smpte432: 12 };
const TRANSFER = { bt709: 1, smpte170m: 6, linear: 8, "iec61966-2-1": 13, pq: 16, hlg: 18 };

/**
 * The Matroska Colour element of a color space (empty when nothing is known).
 * @param {ColorSpace | null} cs
 * @returns {Uint8Array[]}
 */
export function colourElement(cs) {
  if (!cs) return [];
  const parts = [];
  const m = MATRIX[/** @type {keyof typeof MATRIX} */ (cs.matrix)];
  const t = TRANSFER[/** @type {keyof typeof TRANSFER} */ (cs.transfer)];
  const p = PRIMARIES[/** @type {keyof typeof PRIMARIES} */ (cs.primaries)];
  if (m !== undefined) parts.push(element(0x55b1, uint(m)));
  if (typeof cs.fullRange === "boolean") parts.push(element(0x55b9, uint(cs.fullRange ? 2 : 1)));
  if (t !== undefined) parts.push(element(0x55ba, uint(t)));
  if (p !== undefined) parts.push(element(0x55bb, uint(p)));
  return parts.length ? [element(0x55b0, ...parts)] : [];
}

/**
 * A WebM file (Matroska subset) of one video track from encoded VP8 or VP9 frames: EBML header, then a Segment with a
 * SeekHead, Info (with the duration), Tracks, one Cluster per key frame (SimpleBlocks, millisecond timecodes) and
 * Cues, so that players show its length and can seek.
 * @param {{width: number, height: number, codec: "V_VP8" | "V_VP9", frames: EncodedFrame[], fps: number,
 *          durationMs?: number, app?: string, color?: ColorSpace | null}} opts `color`: how the encoder turned RGB
 *          into YUV (WebCodecs' decoderConfig.colorSpace); written so that players turn it back the same way
 * @returns {Uint8Array}
 */
export function muxWebm({ width, height, codec, frames, fps, durationMs, app = "tensorviz", color = null }) {
  if (!frames.length) throw new Error("a video needs at least one frame");
  if (!frames[0].key) throw new Error("a video must start with a key frame");
  const frameMs = 1000 / fps;
  const duration = durationMs ?? (frames[frames.length - 1].timestamp / 1000 + frameMs);
  const header = element(
    ID.EBML,
    element(0x4286, uint(1)), element(0x42f7, uint(1)), element(0x42f2, uint(4)), element(0x42f3, uint(8)),
    element(0x4282, text("webm")), element(0x4287, uint(4)), element(0x4285, uint(2)),
  );
  const info = element(ID.INFO, element(ID.TIMECODE_SCALE, uint(1e6)), element(0x4d80, text(app)), element(0x5741, text(app)), element(ID.DURATION, float64(duration)));
  const tracks = element(
    0x1654ae6b,
    element(
      0xae,
      element(0xd7, uint(1)), element(0x73c5, uint(1)), element(0x83, uint(1)), element(0x9c, uint(0)),
      element(0x86, text(codec)), element(0x23e383, uint(Math.round(1e9 / fps))),
      element(0xe0, element(0xb0, uint(width)), element(0xba, uint(height)), ...colourElement(color)),
    ),
  );
  // clusters: a new one at each key frame (and before a block's offset would overflow 16 bits)
  /** @type {{time: number, blocks: Uint8Array[]}[]} */
  const clusters = [];
  for (const f of frames) {
    const ms = Math.round(f.timestamp / 1000);
    let c = clusters[clusters.length - 1];
    if (!c || f.key || ms - c.time > 30000) {
      c = { time: ms, blocks: [] };
      clusters.push(c);
    }
    const rel = ms - c.time;
    const head = Uint8Array.from([0x81, (rel >> 8) & 255, rel & 255, f.key ? 0x80 : 0]);
    c.blocks.push(element(0xa3, concat([head, f.data])));
  }
  const clusterBytes = clusters.map((c) => element(0x1f43b675, element(0xe7, uint(c.time)), ...c.blocks));
  // the SeekHead has a fixed size (8-byte positions), so positions can be worked out before it is written
  const seekHead = (/** @type {number[]} */ pos) => element(
    ID.SEEK_HEAD,
    ...[ID.INFO, 0x1654ae6b, 0x1c53bb6b].map((id, i) => element(0x4dbb, element(0x53ab, Uint8Array.from(idBytes(id))), element(0x53ac, uint(pos[i], 8)))),
  );
  const seekLen = seekHead([0, 0, 0]).length;
  const infoAt = seekLen;
  const tracksAt = infoAt + info.length;
  let at = tracksAt + tracks.length;
  const clusterAt = clusterBytes.map((c) => {
    const here = at;
    at += c.length;
    return here;
  });
  const cues = element(
    0x1c53bb6b,
    ...clusters.map((c, i) => element(0xbb, element(0xb3, uint(c.time)), element(0xb7, element(0xf7, uint(1)), element(0xf1, uint(clusterAt[i]))))),
  );
  const segment = element(ID.SEGMENT, seekHead([infoAt, tracksAt, at]), info, tracks, ...clusterBytes, cues);
  return concat([header, segment]);
}
