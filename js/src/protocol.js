// Message protocol between the TensorView frontend and the kernel.
// Mirror of tensorviz/protocol.py: same kinds, field names, encodings and limits.

/** Message kinds. */
export const KIND = Object.freeze({
  FACES: "faces",
  ERROR: "error",
  /** where the next NaN / ±inf is: {after: index | null} → {index, value, ordinal, total, wrapped} */
  NONFINITE: "nonfinite",
  /** count NaN / ±inf now (a memory-mapped tensor is not scanned unasked) */
  SCAN: "scan",
});

/** Synced trait names on the widget model. */
export const TRAIT = Object.freeze({
  INFO: "info",
  DIMS: "dims",
  FACE_AXES: "face_axes",
  INDEX: "index",
  COMPLEX_PART: "complex_part",
  REVISION: "revision",
  ERROR: "error",
  NONFINITE: "nonfinite",
});

/** States of the `nonfinite` trait. */
export const SCAN_STATE = Object.freeze({
  CHECKING: "checking",
  DONE: "done",
  SKIPPED: "skipped",
  NONE: "none",
  NA: "n/a",
  ERROR: "error",
});

/** Values of the `complex_part` trait. */
export const COMPLEX_PART = Object.freeze({ MAGNITUDE: "magnitude", PHASE: "phase" });

/** Wire encodings of face buffers: bytes per stored number and interleaving. */
export const ENCODINGS = Object.freeze({
  bool: { bytes: 1, complex: false },
  uint8: { bytes: 1, complex: false },
  int8: { bytes: 1, complex: false },
  int16: { bytes: 2, complex: false },
  uint16: { bytes: 2, complex: false },
  int32: { bytes: 4, complex: false },
  uint32: { bytes: 4, complex: false },
  int64: { bytes: 8, complex: false },
  uint64: { bytes: 8, complex: false },
  float32: { bytes: 4, complex: false },
  float64: { bytes: 8, complex: false },
  complex64: { bytes: 4, complex: true },
  complex128: { bytes: 8, complex: true },
});

/** Limits the kernel enforces on a request. */
export const LIMITS = Object.freeze({
  MAX_BUDGET: 4096,
  MAX_FACES: 512,
  /** cells per request, all faces together */
  MAX_CELLS: 1 << 24,
  MAX_ID_LENGTH: 64,
});

/**
 * @typedef {{axes: number[], index: number[], window: number[] | null}} FaceRequest
 * @typedef {{kind: "faces", id: string, budget: [number, number], faces: FaceRequest[]}} FacesRequest
 * @typedef {{axes: number[], index: number[], window: number[], extent: number[], shape: number[],
 *            step: number[], sample?: number[], encoding: string, error: string | null,
 *            unread_nonfinite?: number, nonfinite_unknown?: boolean, note?: string[]}} FaceMeta
 *            (`unread_nonfinite`: NaN/inf of a row-sampled face that the rows read missed, marked on their cells
 *            from the exact scan; `nonfinite_unknown`: the face may miss some the kernel does not know of; `note`: what
 *            a reply holds when it holds less than was asked, e.g. an exported file's blocks: each shown once)
 * @typedef {{kind: "faces", id: string, revision: number, faces: FaceMeta[]}} FacesReply
 * @typedef {{state: string, nan?: number, posinf?: number, neginf?: number, first?: number[][], kinds?: string[],
 *            elements?: number, seconds?: number | null, reason?: string, file?: string}} NonfiniteState
 * @typedef {{kind: "nonfinite", id: string, index: number[] | null, value: "nan"|"posinf"|"neginf"|null,
 *            ordinal: number | null, total: number | null, wrapped: boolean}} NonfiniteReply
 * @typedef {{kind: "error", id: string | null, message: string}} ErrorReply
 * @typedef {{min: number|null, max: number|null, mean: number|null, std: number|null, nan: number,
 *            posinf: number, neginf: number, zeros: number, count: number, sampled: boolean,
 *            sample_size: number|null, of: string}} Stats
 * @typedef {{shape: number[], rank: number, numel: number, dtype: string, device: string, layout: string,
 *            strides: number[]|null, is_contiguous: boolean, storage_offset: number|null, element_size: number,
 *            nbytes: number, storage_nbytes: number|null, requires_grad: boolean, grad_fn: string|null,
 *            nnz: number|null, value_kind: string, values: boolean, values_note: string|null,
 *            stats: Stats|null}} TensorInfo
 */

/**
 * Build a `faces` request message, clamping to the protocol limits.
 * @param {string} id
 * @param {[number, number]} budget
 * @param {FaceRequest[]} faces
 * @returns {FacesRequest}
 */
export function facesRequest(id, budget, faces) {
  const clampBudget = (/** @type {number} */ b) =>
    Math.max(1, Math.min(LIMITS.MAX_BUDGET, Math.round(b)));
  return {
    kind: KIND.FACES,
    id: id.slice(0, LIMITS.MAX_ID_LENGTH),
    budget: [clampBudget(budget[0]), clampBudget(budget[1])],
    faces: faces.slice(0, LIMITS.MAX_FACES).map((f) => ({
      axes: f.axes.slice(),
      index: f.index.slice(),
      window: f.window ? f.window.slice() : null,
    })),
  };
}

// -- the op player (mirror of the player section of tensorviz/protocol.py) ------------------------------------------

/** Message kinds of the op player: the frontend asks for one step's pictures and provenance. */
export const PLAYER_KIND = Object.freeze({
  /** {step: int} → {step, mode, tensors, sources, winners, stagger, broadcast, notes, value_kind} + buffers */
  STEP: "step",
  ERROR: "error",
});

/** Synced traits of the OpPlayer widget. */
export const PLAYER_TRAIT = Object.freeze({
  /** step summaries: op, kind, input/output shapes and names, view or copy and why, source line, module */
  STEPS: "timeline",
  /** the step shown (two-way) */
  CURRENT: "current",
});

// -- the memory monitor (mirror of the memory section of tensorviz/protocol.py) -------------------------------------

/** Synced traits of the MemoryMonitor widget. */
export const MEMORY_TRAIT = Object.freeze({
  /** "no CUDA device" | "not initialized" | "initialized" */
  CUDA: "cuda",
  /** per device: allocated, reserved, peak, total, free (bytes or null), with sources and notes */
  DEVICES: "devices",
  /** the timeline: {t: seconds[], devices: {name: {allocated: [], reserved: []}}} (bounded) */
  SERIES: "series",
  /** the largest live tensors: {entries: [...], totals: {device: bytes}} */
  CENSUS: "census",
  /** a replayed allocator snapshot (empty when live) */
  REPLAY: "replay",
  PAUSED: "paused",
});

/** Actions the frontend asks of the monitor: {kind: "action", id, action}. */
export const MEMORY_ACTION = Object.freeze({
  PAUSE: "pause",
  RESUME: "resume",
  RESET_PEAK: "reset_peak",
  CENSUS: "census",
});

// -- exports (mirror of the exports section of tensorviz/protocol.py) -----------------------------------------------

/**
 * Files a displayed view draws of what it shows, for the kernel (view.save_png(...) and the like). A view says when
 * it is there, the kernel asks it for a file, the view answers with the file's bytes (in parts of at most CHUNK):
 *   frontend: {kind: "export", id: <view id>, event: "open" | "closed", formats: [...]}
 *   kernel:   {kind: "export", id, format, options}
 *   frontend: {kind: "export", id, view, format, error: string | null, name, mime, size, part, parts} + one buffer
 */
export const EXPORT = Object.freeze({
  KIND: "export",
  OPEN: "open",
  CLOSED: "closed",
  /** bytes per reply message (a message far larger than this may be refused on its way to the kernel) */
  CHUNK: 4 << 20,
});

/** Export formats and their MIME types. */
export const EXPORT_MIME = Object.freeze({
  png: "image/png",
  svg: "image/svg+xml",
  webm: "video/webm",
  gif: "image/gif",
});
