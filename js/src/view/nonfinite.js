// The NaN / ±inf bar under the header: exact counts over the whole tensor (or "checking…" while the kernel counts),
// where the first ones are, and a button that moves the view to the next one.
import { h } from "./picture.js";
import { formatBlock, formatCount } from "../format.js";
import { SCAN_STATE } from "../protocol.js";

/** @typedef {import("../protocol.js").NonfiniteState} NonfiniteState */

/** How many of the first indices the bar lists. */
const LISTED = 3;

/**
 * "1 NaN · 2 +inf" (only the kinds present), or "" when there are none.
 * @param {NonfiniteState} s
 */
export function countsText(s) {
  const parts = [];
  if (s.nan) parts.push(`${formatCount(s.nan)} NaN`);
  if (s.posinf) parts.push(`${formatCount(s.posinf)} +inf`);
  if (s.neginf) parts.push(`${formatCount(s.neginf)} −inf`);
  return parts.join(" · ");
}

/**
 * Where the first ones are: "at [1, 2]", "first at [1, 2], [3, 0], [4, 4] …".
 * @param {NonfiniteState} s
 */
export function whereText(s) {
  const first = Array.isArray(s.first) ? s.first : [];
  if (!first.length) return "";
  const total = (s.nan || 0) + (s.posinf || 0) + (s.neginf || 0);
  const listed = first.slice(0, LISTED).map((i) => formatBlock(i)).join(", ");
  if (total === 1) return `at ${listed}`;
  return `first at ${listed}${total > LISTED ? " …" : ""}`;
}

/**
 * The bar, or null when there is nothing to say (no values, or values that cannot be NaN, or a small tensor with none).
 * @param {NonfiniteState | undefined} s
 * @param {{sampled: boolean, onNext: () => void, onScan: () => void}} opts `sampled`: the header's statistics come
 *        from a sample (then "none" is worth saying: every element was checked)
 * @returns {HTMLElement | null}
 */
export function renderNonfinite(s, opts) {
  if (!s || !s.state || s.state === SCAN_STATE.NONE || s.state === SCAN_STATE.NA) return null;
  const el = h("div", "tv-nonfinite");
  el.dataset.scan = s.state;
  if (s.state === SCAN_STATE.CHECKING) {
    el.append(h("span", "tv-nf-label", "NaN / ±inf"), h("span", "tv-nf-checking", `checking all ${formatCount(s.elements ?? 0)} elements…`));
    return el;
  }
  if (s.state === SCAN_STATE.ERROR) {
    el.append(h("span", "tv-nf-label", "NaN / ±inf"), h("span", "tv-nf-note", `could not be counted: ${s.reason || "error"}`));
    return el;
  }
  if (s.state === SCAN_STATE.SKIPPED) {
    el.append(h("span", "tv-nf-label", "NaN / ±inf"), h("span", "tv-nf-note", `not counted yet: ${s.reason || "memory-mapped"}`));
    const scan = button("Count now", "Count the NaN and infinities of the whole tensor now");
    scan.addEventListener("click", () => opts.onScan());
    el.append(scan);
    return el;
  }
  const counts = countsText(s);
  if (!counts) {
    if (!opts.sampled) return null;
    el.append(h("span", "tv-nf-none", `no NaN or ±inf: all ${formatCount(s.elements ?? 0)} elements checked`));
    return el;
  }
  el.classList.add("tv-nf-found");
  const countEl = h("span", "tv-nf-counts", counts);
  countEl.dataset.metric = "nonfinite";
  el.append(h("span", "tv-nf-icon", "⚠"), countEl, h("span", "tv-nf-where", whereText(s)));
  const next = button("Go to next ▸", "Move the view to the next NaN or infinity (key N on the picture)");
  next.classList.add("tv-nf-next");
  next.setAttribute("aria-label", "Go to the next NaN or infinity");
  next.setAttribute("aria-keyshortcuts", "n");
  next.addEventListener("click", () => opts.onNext());
  const at = h("span", "tv-nf-at");
  at.setAttribute("aria-live", "polite");
  el.append(next, at);
  return el;
}

/** @param {string} text @param {string} title */
function button(text, title) {
  const b = /** @type {HTMLButtonElement} */ (h("button", "tv-toggle tv-nf-button", text));
  b.type = "button";
  b.title = title;
  b.setAttribute("data-lm-suppress-shortcuts", "true");
  b.addEventListener("keydown", (ev) => ev.stopPropagation());
  return b;
}

/**
 * What the bar says after a jump: "NaN at [1234, 4321] · 1 of 2".
 * @param {import("../protocol.js").NonfiniteReply} r
 */
export function jumpText(r) {
  if (!r.index) return "none found";
  const what = r.value === "nan" ? "NaN" : r.value === "posinf" ? "+inf" : "−inf";
  const of = r.ordinal && r.total ? ` · ${formatCount(r.ordinal)} of ${formatCount(r.total)}` : "";
  return `${what} at ${formatBlock(r.index)}${of}${r.wrapped ? " (from the start again)" : ""}`;
}
