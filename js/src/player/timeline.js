// The list of traced steps: text for each row, groups by module, how long a step plays. Pure: no DOM.
import { formatShape } from "../format.js";

/**
 * @typedef {import("./data.js").StepSummary} StepSummary
 */

/**
 * `[2, 3, 4] → [4, 6]`, `[2, 3] + [3] → [2, 3]`, or `[5, 3] ✗` for a step that failed.
 * @param {StepSummary} s
 */
export function shapesText(s) {
  const ins = (s.inputs || []).map((t) => formatShape(t.shape));
  const left = ins.length ? ins.join(", ") : "()";
  if (s.error) return `${left} ✗`;
  return s.output ? `${left} → ${formatShape(s.output.shape)}` : left;
}

/**
 * One line saying what a step does, for screen readers and the root's aria-label.
 * @param {StepSummary} s
 */
export function describeStep(s) {
  const what = s.error ? `${s.op} failed: ${s.error.message}` : `${s.op} (${s.kind})`;
  return `${what}: ${shapesText(s)}${s.is_view === true ? ", a view of the same storage" : s.is_view === false ? ", a copy" : ""}`;
}

/**
 * Consecutive steps of the same module form a group (a 1,000-op forward pass reads as its layers).
 * @param {StepSummary[]} steps
 * @returns {{module: string | null, steps: number[]}[]}
 */
export function groupSteps(steps) {
  /** @type {{module: string | null, steps: number[]}[]} */
  const groups = [];
  steps.forEach((s, i) => {
    const m = s.module || null;
    const last = groups[groups.length - 1];
    if (last && last.module === m) last.steps.push(i);
    else groups.push({ module: m, steps: [i] });
  });
  return groups;
}

/** Seconds one step plays at 1× (a little longer for ops whose elements all travel). */
export const STEP_SECONDS = 2.4;

/**
 * @param {StepSummary | undefined} s
 */
export function stepDuration(s) {
  if (!s) return STEP_SECONDS;
  if (s.kind === "other" || s.kind === "creation" || s.error) return STEP_SECONDS * 0.6;
  return STEP_SECONDS;
}
