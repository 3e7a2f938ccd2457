// Colormaps: value → color. Pure: no DOM.
// Diverging (centered on zero) for data with both signs, sequential otherwise, two colors for bool,
// cyclic for complex phase. NaN, +inf and −inf get colors outside every ramp.

/** @typedef {[number, number, number]} RGB */

/** Diverging: cool blue ← neutral → warm red. Own stops, lightness symmetric around the middle. */
const DIVERGING_STOPS = /** @type {RGB[]} */ ([
  [24, 62, 130], [46, 104, 176], [102, 153, 208], [168, 199, 230], [226, 234, 242],
  [244, 243, 240],
  [244, 222, 208], [236, 168, 140], [214, 104, 84], [178, 46, 48], [120, 14, 32],
]);

/** Sequential: dark indigo → blue → teal → green → warm yellow, lightness rising steadily. Own stops. */
const SEQUENTIAL_STOPS = /** @type {RGB[]} */ ([
  [40, 18, 84], [58, 44, 128], [58, 78, 150], [46, 110, 156], [34, 138, 152],
  [36, 164, 138], [72, 188, 110], [132, 206, 80], [196, 220, 62], [250, 230, 80],
]);

/** Two colors for bool: False muted slate, True vivid teal. */
export const BOOL_COLORS = /** @type {{false: RGB, true: RGB}} */ ({ false: [206, 212, 222], true: [16, 120, 110] });

/** Colors of the special values: outside both ramps (magenta, hot orange, cold cyan). */
export const SPECIAL_COLORS = /** @type {{nan: RGB, posinf: RGB, neginf: RGB}} */ ({
  nan: [255, 0, 200],
  posinf: [255, 128, 0],
  neginf: [0, 230, 255],
});

/**
 * Color of a special value (NaN, +inf, −inf), or null for a finite number.
 * @param {number} v
 * @returns {RGB | null}
 */
export function specialRgb(v) {
  if (Number.isNaN(v)) return SPECIAL_COLORS.nan;
  if (v === Infinity) return SPECIAL_COLORS.posinf;
  if (v === -Infinity) return SPECIAL_COLORS.neginf;
  return null;
}

const LUT_SIZE = 256;

/** @param {RGB[]} stops @returns {Uint8ClampedArray} 256×RGB */
function buildLut(stops) {
  const lut = new Uint8ClampedArray(LUT_SIZE * 3);
  for (let i = 0; i < LUT_SIZE; i++) {
    const t = (i / (LUT_SIZE - 1)) * (stops.length - 1);
    const k = Math.min(stops.length - 2, Math.floor(t));
    const f = t - k;
    for (let c = 0; c < 3; c++) lut[i * 3 + c] = Math.round(stops[k][c] * (1 - f) + stops[k + 1][c] * f);
  }
  return lut;
}

/** Cyclic hue wheel at even lightness (for phase), own construction in a simple opponent space. */
function buildCyclicLut() {
  const lut = new Uint8ClampedArray(LUT_SIZE * 3);
  for (let i = 0; i < LUT_SIZE; i++) {
    const a = (i / LUT_SIZE) * 2 * Math.PI;
    const r = 0.62 + 0.3 * Math.cos(a);
    const g = 0.56 + 0.3 * Math.cos(a - (2 * Math.PI) / 3);
    const b = 0.6 + 0.3 * Math.cos(a + (2 * Math.PI) / 3);
    lut[i * 3] = r * 255;
    lut[i * 3 + 1] = g * 255;
    lut[i * 3 + 2] = b * 255;
  }
  return lut;
}

const LUTS = {
  diverging: buildLut(DIVERGING_STOPS),
  sequential: buildLut(SEQUENTIAL_STOPS),
  cyclic: buildCyclicLut(),
};

/**
 * @typedef {{mode: "diverging"|"sequential"|"bool"|"cyclic", lo: number, hi: number,
 *            rgb: (v: number) => RGB, packed: (v: number) => number, css: (v: number) => string}} Colormap
 */

/**
 * Choose a colormap for a value range.
 * @param {{valueKind?: string, min?: number|null, max?: number|null, part?: string}} opts
 * @returns {Colormap}
 */
export function makeColormap({ valueKind = "float", min = null, max = null, part = "magnitude" }) {
  /** @type {Colormap["mode"]} */
  let mode;
  let lo = Number.isFinite(min) ? min : 0;
  let hi = Number.isFinite(max) ? max : 1;
  if (valueKind === "bool") {
    mode = "bool";
    lo = 0;
    hi = 1;
  } else if (valueKind === "complex" && part === "phase") {
    mode = "cyclic";
    lo = -Math.PI;
    hi = Math.PI;
  } else if (lo < 0 && hi > 0) {
    mode = "diverging";
    const m = Math.max(-lo, hi);
    lo = -m;
    hi = m;
  } else {
    mode = "sequential";
  }
  const lut = mode === "bool" ? null : LUTS[mode];
  const span = hi - lo;

  /** @param {number} v @returns {RGB} */
  const rgb = (v) => {
    const special = specialRgb(v);
    if (special) return special;
    if (mode === "bool") return v ? BOOL_COLORS.true : BOOL_COLORS.false;
    let t;
    if (mode === "cyclic") t = (((v - lo) / span) % 1 + 1) % 1;
    else t = span > 0 ? (v - lo) / span : 0.5;
    const i = Math.max(0, Math.min(LUT_SIZE - 1, Math.round(t * (LUT_SIZE - 1))));
    return [lut[i * 3], lut[i * 3 + 1], lut[i * 3 + 2]];
  };
  /** Packed for a Uint32Array view of ImageData (little-endian RGBA). */
  const packed = (v) => {
    const c = rgb(v);
    return ((255 << 24) | (c[2] << 16) | (c[1] << 8) | c[0]) >>> 0;
  };
  const css = (v) => rgbCss(rgb(v));
  return { mode, lo, hi, rgb, packed, css };
}

/** @param {RGB} c */
export function rgbCss(c) {
  return `rgb(${c[0]}, ${c[1]}, ${c[2]})`;
}

/**
 * Stops for a color bar gradient from lo to hi.
 * @param {Colormap} cmap
 * @param {number} [n]
 * @returns {{offset: number, color: string}[]}
 */
export function gradientStops(cmap, n = 16) {
  if (cmap.mode === "bool") {
    return [
      { offset: 0, color: rgbCss(BOOL_COLORS.false) },
      { offset: 0.5, color: rgbCss(BOOL_COLORS.false) },
      { offset: 0.5, color: rgbCss(BOOL_COLORS.true) },
      { offset: 1, color: rgbCss(BOOL_COLORS.true) },
    ];
  }
  const out = [];
  for (let i = 0; i <= n; i++) {
    const t = i / n;
    const v = cmap.mode === "cyclic" ? cmap.lo + t * (cmap.hi - cmap.lo) * 0.9999 : cmap.lo + t * (cmap.hi - cmap.lo);
    out.push({ offset: t, color: cmap.css(cmap.hi === cmap.lo ? cmap.lo : v) });
  }
  return out;
}

/**
 * CSS linear-gradient() string for a color bar.
 * @param {Colormap} cmap
 */
export function gradientCss(cmap) {
  return `linear-gradient(to right, ${gradientStops(cmap).map((s) => `${s.color} ${(s.offset * 100).toFixed(2)}%`).join(", ")})`;
}

/**
 * Text color readable on a cell color.
 * @param {RGB} c
 */
export function inkFor(c) {
  const l = 0.2126 * c[0] + 0.7152 * c[1] + 0.0722 * c[2];
  return l > 150 ? "rgba(20, 24, 32, 0.92)" : "rgba(255, 255, 255, 0.95)";
}
