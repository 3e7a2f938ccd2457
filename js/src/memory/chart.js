// A small memory timeline: allocated and reserved bytes over time as SVG polylines, the peak marked. Pure geometry
// here (tested without a DOM); the view turns it into SVG.

/**
 * @typedef {{t: number[], allocated: (number | null)[], reserved: (number | null)[]}} Series
 * @typedef {{width: number, height: number, allocated: string, reserved: string, max: number, peak: {x: number,
 *            y: number, value: number, t: number} | null, ticks: {y: number, value: number}[], t0: number, t1: number}} Chart
 */

/** A "nice" number at or above x for an axis maximum: 1, 2 or 5 times a power of two... of ten. @param {number} x */
export function niceMax(x) {
  if (!(x > 0)) return 1;
  const p = Math.pow(10, Math.floor(Math.log10(x)));
  for (const m of [1, 2, 2.5, 5, 10]) if (m * p >= x) return m * p;
  return 10 * p;
}

/**
 * Polylines of a series in a width × height box (time left to right, bytes bottom to top).
 * @param {Series} s
 * @param {number} width
 * @param {number} height
 * @param {{peakOf?: "allocated" | "reserved"}} [opts]
 * @returns {Chart}
 */
export function chartOf(s, width, height, opts = {}) {
  const n = Math.min(s.t.length, s.allocated.length, s.reserved.length);
  let max = 0;
  for (let i = 0; i < n; i++) max = Math.max(max, s.allocated[i] ?? 0, s.reserved[i] ?? 0);
  max = niceMax(max);
  const t0 = n ? s.t[0] : 0;
  const t1 = n ? s.t[n - 1] : 1;
  const span = t1 > t0 ? t1 - t0 : 1;
  const x = (/** @type {number} */ t) => ((t - t0) / span) * width;
  const y = (/** @type {number} */ v) => height - (v / max) * height;
  const line = (/** @type {(number | null)[]} */ vals) => {
    const pts = [];
    for (let i = 0; i < n; i++) {
      const v = vals[i];
      if (v === null || v === undefined) continue;
      pts.push(`${x(s.t[i]).toFixed(1)},${y(v).toFixed(1)}`);
    }
    return pts.join(" ");
  };
  const which = opts.peakOf || "allocated";
  let peak = null;
  for (let i = 0; i < n; i++) {
    const v = s[which][i];
    if (v !== null && v !== undefined && (!peak || v > peak.value)) peak = { x: x(s.t[i]), y: y(v), value: v, t: s.t[i] };
  }
  const ticks = [0, 0.5, 1].map((f) => ({ y: y(max * f), value: max * f }));
  return { width, height, allocated: line(s.allocated), reserved: line(s.reserved), max, peak, ticks, t0, t1 };
}
