// Header: what the tensor is (dtype, shape, device, layout), its memory, strides, autograd, and value stats.
import { h } from "./picture.js";
import { formatBytes, formatCompact, formatCount, formatShape } from "../format.js";

/**
 * @typedef {import("../protocol.js").TensorInfo} TensorInfo
 */

/**
 * @param {string} label
 * @param {string} value
 * @param {string} [title]
 */
function fact(label, value, title) {
  const el = h("span", "tv-fact");
  el.append(h("span", "tv-fact-label", label), h("span", "tv-fact-value", value));
  if (title) el.title = title;
  return el;
}

/** @param {any} v */
const na = (v) => (v === null || v === undefined || v === "" ? "n/a" : String(v));

/**
 * Build the header for a tensor.
 * @param {TensorInfo} info
 * @returns {HTMLElement}
 */
export function renderHeader(info) {
  const el = h("div", "tv-header");
  const title = h("div", "tv-title");
  title.append(
    h("span", "tv-dtype", na(info.dtype)),
    h("span", "tv-shape", Array.isArray(info.shape) ? formatShape(info.shape) : "n/a"),
  );
  const chips = h("span", "tv-chips");
  chips.append(h("span", "tv-chip tv-chip-device", na(info.device)));
  if (info.layout && info.layout !== "strided") chips.append(h("span", "tv-chip tv-chip-layout", info.layout));
  if (info.requires_grad) chips.append(h("span", "tv-chip tv-chip-grad", "requires_grad"));
  title.append(chips);
  el.append(title);

  const facts = h("div", "tv-facts");
  facts.append(fact("elements", info.numel === undefined ? "n/a" : formatCount(info.numel)));
  let mem = formatBytes(info.nbytes);
  if (info.storage_nbytes !== null && info.storage_nbytes !== undefined && info.storage_nbytes !== info.nbytes) {
    mem += ` (storage ${formatBytes(info.storage_nbytes)})`;
  }
  facts.append(fact("memory", mem, info.element_size ? `${info.element_size} B per element` : undefined));
  facts.append(fact("layout", na(info.layout)));
  if (info.nnz !== null && info.nnz !== undefined) facts.append(fact("nnz", formatCount(info.nnz)));
  const contiguous = info.is_contiguous === true ? "contiguous" : info.is_contiguous === false ? "not contiguous" : "n/a";
  facts.append(fact("strides", Array.isArray(info.strides) ? `${formatShape(info.strides)} · ${contiguous}` : `n/a · ${contiguous}`));
  if (info.storage_offset) facts.append(fact("offset", String(info.storage_offset)));
  let grad = info.requires_grad ? "requires_grad" : info.requires_grad === false ? "no grad" : "n/a";
  if (info.grad_fn) grad += ` · ${info.grad_fn}`;
  facts.append(fact("autograd", grad));
  el.append(facts);

  const stats = renderStats(info);
  if (stats) el.append(stats);
  return el;
}

/**
 * The stats line, or null when there are no stats.
 * @param {TensorInfo} info
 */
function renderStats(info) {
  const s = info.stats;
  if (!s) return null;
  const el = h("div", "tv-stats");
  const of = s.of === "magnitude" ? "|z| " : "";
  el.append(
    fact(`${of}min`, formatCompact(s.min)),
    fact("max", formatCompact(s.max)),
    fact("mean", formatCompact(s.mean)),
    fact("std", formatCompact(s.std)),
  );
  // NaN / ±inf counts are not the sample's: the bar below the header gives them exactly, over every element
  el.append(fact("zeros", s.zeros === null || s.zeros === undefined ? "n/a" : formatCount(s.zeros)));
  if (s.of === "stored values") el.append(h("span", "tv-sampled", "of the stored values"));
  if (s.sampled) {
    const n = s.sample_size ?? s.count;
    el.append(h("span", "tv-sampled", `sampled: ${formatCount(n)} of ${formatCount(info.numel)} elements`));
  }
  return el;
}
