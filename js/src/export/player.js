// Files of the op player: the frame shown as PNG (2×) or SVG, and its animation as WebM or GIF (gif.js), frames
// rendered one by one at a fixed rate onto an offscreen canvas from the step's element paths (frames.js: the very
// frames the player paints), for the step shown or for every step. WebM: WebCodecs' VideoEncoder encodes every frame
// with its exact timestamp and webm.js writes the file; without WebCodecs, a MediaRecorder on the canvas's
// captureStream() records the frames in real time. Thin: drives the player to each step, reads its outlines and labels
// from the DOM; the pure modules draw.
import { buildSvg } from "./svg.js";
import { drawItems, drawText } from "./draw.js";
import { cssCache, frameTimes, paintStepFrame, RecordingContext, travelLabels } from "./frames.js";
import { GifEncoder, PaletteBuilder } from "./gif.js";
import { muxWebm, withDuration } from "./webm.js";
import { backgroundOf, canvasPng, readLabels, readSvgLayer, sleep, slug } from "./dom.js";
import { Exports, waitUntil } from "./ui.js";
import { motionAt } from "../player/motion.js";
import { stepDuration } from "../player/timeline.js";

/**
 * @typedef {import("../player/view.js").OpPlayerView} OpPlayerView
 * @typedef {import("./svg.js").TextItem} TextItem
 * @typedef {(text: string) => void} Progress
 */

/** Video MIME types to try, best first (VP8 encodes fastest while recording in real time). */
const VIDEO_TYPES = ["video/webm;codecs=vp8", "video/webm;codecs=vp9", "video/webm"];

/** The WebM type this browser records, or null. */
export function videoType() {
  const MR = globalThis.MediaRecorder;
  const canvas = globalThis.HTMLCanvasElement;
  if (!MR || !canvas || typeof canvas.prototype.captureStream !== "function") return null;
  return VIDEO_TYPES.find((t) => MR.isTypeSupported && MR.isTypeSupported(t)) || null;
}

/** @param {OpPlayerView} view */
function stepName(view) {
  const s = view.steps[view.step];
  return `op-${view.step}-${slug(s ? s.op : "step")}`;
}

/**
 * The player's picture of the step shown, besides its cells: outlines, titles and the op's arrow (SVG), axis labels
 * (HTML), the colors the frames need.
 * @param {OpPlayerView} view
 */
function layers(view) {
  const st = view.stage;
  const background = backgroundOf(view.root);
  const style = getComputedStyle(view.root);
  const labels = readLabels(view.labels, background);
  return {
    width: st ? st.width : 0,
    height: st ? st.height : 0,
    background,
    svg: readSvgLayer(view.svgEl),
    labels,
    slotColor: style.getPropertyValue("--tv-bg3").trim() || "#eeeeee",
    fg: style.getPropertyValue("--tv-fg").trim() || "#222222",
    mono: style.getPropertyValue("--tv-mono").trim() || "monospace",
    font: labels.length ? labels[0].font : { family: style.fontFamily, size: 11.5, weight: "600" },
  };
}

/**
 * Draws frames of the step shown onto a context at `scale`: everything the player shows at step time t.
 * @param {OpPlayerView} view
 * @param {number} scale
 */
function frameRenderer(view, scale) {
  const L = layers(view);
  const base = view.frameState();
  const state = { ...base, slotColor: L.slotColor, css: cssCache() };
  const data = view.data;
  const st = view.stage;
  /** @type {any} */
  let scratch;
  /** @param {CanvasRenderingContext2D} ctx @param {number} t */
  const draw = (ctx, t) => {
    ctx.setTransform(1, 0, 0, 1, 0, 0);
    ctx.globalAlpha = 1;
    ctx.fillStyle = L.background;
    ctx.fillRect(0, 0, ctx.canvas.width, ctx.canvas.height);
    ctx.setTransform(scale, 0, 0, scale, 0, 0);
    drawItems(ctx, L.svg);
    scratch = paintStepFrame(ctx, state, t, scale, scratch);
    ctx.setTransform(scale, 0, 0, scale, 0, 0);
    const u = motionAt(t);
    const moving = travelLabels(st, !!(data && data.travelAxes), u);
    for (const label of L.labels) {
      // while axis labels travel, the output's own fade (as on screen)
      drawText(ctx, { ...label, opacity: moving.length && label.key === "output" ? 0.25 : 1 });
    }
    for (const m of moving) {
      drawText(ctx, { kind: "text", text: m.run.parts.head + m.run.parts.name + m.run.parts.tail, x: m.x, y: m.y, anchor: "middle", baseline: "middle", color: m.run.color, font: L.font, halo: L.background });
    }
    if (data && data.phase && t > 0 && u <= data.delay + 0.05) {
      for (const p of st.inputs) {
        drawText(ctx, { kind: "text", text: data.phase, x: p.box.x + p.box.w + 15, y: p.box.y + p.box.h / 2 + 13, anchor: "start", baseline: "middle", color: L.fg, font: { family: L.mono, size: 11 }, opacity: Math.min(1, t / 0.08), halo: L.background });
      }
    }
  };
  return { L, draw };
}

/**
 * Show step `i` and wait until its picture is built.
 * @param {OpPlayerView} view
 * @param {number} i
 */
async function showStep(view, i) {
  view.go(i, 0);
  await waitUntil(() => !!(view.data && view.data.step === i && view.stage && view.root.dataset.state === "ready"), 30000, `step ${i} did not load: the kernel may be busy`);
}

/**
 * The steps a clip covers.
 * @param {OpPlayerView} view
 * @param {Record<string, any>} options `steps`: "current" (the default) or "all"
 */
function stepsOf(view, options) {
  return options.steps === "all" ? Array.from({ length: view.n }, (_, i) => i) : [view.step];
}

/**
 * Run `fn` over the steps of a clip with the player showing each, then put the player back where it was.
 * @param {OpPlayerView} view
 * @param {number[]} steps
 * @param {(i: number, k: number) => Promise<void>} fn
 */
async function overSteps(view, steps, fn) {
  const where = { step: view.step, t: view.t };
  view.pause();
  try {
    for (let k = 0; k < steps.length; k++) {
      if (view.step !== steps[k] || !view.data || view.data.step !== steps[k]) await showStep(view, steps[k]);
      await fn(steps[k], k);
    }
  } finally {
    if (view.step !== where.step) await showStep(view, where.step).catch(() => {});
    view.t = where.t;
    view.syncRange();
    view.paint();
  }
}

/** @param {number} v @param {number} lo @param {number} hi @param {number} d */
const clamp = (v, lo, hi, d) => (Number.isFinite(Number(v)) ? Math.max(lo, Math.min(hi, Number(v))) : d);

/** The WebCodecs codec to encode a w × h video with, or null (no WebCodecs, e.g. outside a secure context). */
async function encoderCodec(/** @type {number} */ w, /** @type {number} */ h, /** @type {number} */ fps) {
  if (!canEncode()) return null;
  for (const [codec, id] of /** @type {[string, "V_VP8" | "V_VP9"][]} */ ([["vp8", "V_VP8"], ["vp09.00.10.08", "V_VP9"]])) {
    try {
      const cfg = { codec, width: Math.ceil(w / 2) * 2, height: Math.ceil(h / 2) * 2, bitrate: bitrate(w, h), framerate: fps };
      if ((await VideoEncoder.isConfigSupported(cfg)).supported) return { codec, id };
    } catch {
      /* not this one */
    }
  }
  return null;
}

/** Whether this browser has WebCodecs' video encoder. */
function canEncode() {
  return typeof globalThis.VideoEncoder === "function" && typeof globalThis.VideoFrame === "function";
}

/** Bits a second for a w × h picture of flat colors and text (sharp edges, little else). @param {number} w @param {number} h */
const bitrate = (w, h) => Math.round(Math.min(12e6, Math.max(1e6, w * h * 4)));

/**
 * Encode the frames `play` draws (one after another) with WebCodecs and put them in a WebM file.
 * @param {HTMLCanvasElement} canvas
 * @param {{codec: string, id: "V_VP8" | "V_VP9"}} codec
 * @param {number} fps
 * @param {(each: (g: number) => Promise<void>) => Promise<void>} play
 */
async function encodeFrames(canvas, codec, fps, play) {
  /** @type {import("./webm.js").EncodedFrame[]} */
  const frames = [];
  /** @type {Error | null} */
  let failed = null;
  /** @type {import("./webm.js").ColorSpace | null} how the encoder turned RGB into YUV */
  let color = null;
  const encoder = new VideoEncoder({
    output: (chunk, meta) => {
      if (meta && meta.decoderConfig && meta.decoderConfig.colorSpace) color = meta.decoderConfig.colorSpace;
      const data = new Uint8Array(chunk.byteLength);
      chunk.copyTo(data);
      frames.push({ data, timestamp: chunk.timestamp, key: chunk.type === "key" });
    },
    error: (e) => { failed = new Error(`the video encoder failed: ${e.message || e}`); },
  });
  encoder.configure({ codec: codec.codec, width: canvas.width, height: canvas.height, bitrate: bitrate(canvas.width, canvas.height), framerate: fps });
  let count = 0;
  try {
    await play(async (g) => {
      if (failed) throw failed;
      const frame = new VideoFrame(canvas, { timestamp: Math.round((g * 1e6) / fps), duration: Math.round(1e6 / fps) });
      // a key frame every two seconds: players can seek
      encoder.encode(frame, { keyFrame: g % Math.round(2 * fps) === 0 });
      frame.close();
      count = g + 1;
      while (encoder.encodeQueueSize > 2) await sleep(2);
    });
    await encoder.flush();
  } finally {
    if (encoder.state !== "closed") encoder.close();
  }
  if (failed) throw failed;
  frames.sort((a, b) => a.timestamp - b.timestamp);
  return muxWebm({ width: canvas.width, height: canvas.height, codec: codec.id, frames, fps, durationMs: (count * 1000) / fps, color });
}

/**
 * Record the frames `play` draws with a MediaRecorder on the canvas's stream, one every 1 / fps seconds of real time.
 * @param {HTMLCanvasElement} canvas
 * @param {number} fps
 * @param {(each: (g: number) => Promise<void>) => Promise<void>} play
 */
async function recordFrames(canvas, fps, play) {
  const type = videoType();
  if (!type) throw new Error("this browser cannot record WebM video: use Save GIF");
  const stream = canvas.captureStream(0);
  const track = /** @type {any} */ (stream.getVideoTracks()[0]);
  const recorder = new MediaRecorder(stream, { mimeType: type, videoBitsPerSecond: bitrate(canvas.width, canvas.height) });
  /** @type {Blob[]} */
  const chunks = [];
  recorder.ondataavailable = (ev) => { if (ev.data && ev.data.size) chunks.push(ev.data); };
  const stopped = new Promise((resolve, reject) => {
    recorder.onstop = resolve;
    recorder.onerror = (ev) => reject(new Error(`the recorder failed: ${/** @type {any} */ (ev).error || "unknown error"}`));
  });
  recorder.start(1000);
  const interval = 1000 / fps;
  let next = performance.now();
  let count = 0;
  try {
    await play(async (g) => {
      track.requestFrame();
      count = g + 1;
      next += interval;
      await sleep(next - performance.now());
    });
    await sleep(interval); // the last frame stays one frame long
  } finally {
    if (recorder.state !== "inactive") recorder.stop();
    await stopped.catch(() => {});
    track.stop();
  }
  const bytes = new Uint8Array(await new Blob(chunks, { type: "video/webm" }).arrayBuffer());
  if (!bytes.length) throw new Error("the recorder gave no video");
  // MediaRecorder writes no duration: players then show no length
  return withDuration(bytes, count * interval);
}

export class PlayerExports {
  /** @param {OpPlayerView} view */
  constructor(view) {
    this.view = view;
  }

  ready() {
    const v = this.view;
    return waitUntil(() => !!(v.stage && v.data && v.root.dataset.state === "ready"), 30000, "the player has not drawn a step yet");
  }

  /** The frame shown, as a PNG at `scale`. @param {Record<string, any>} options */
  async png(options) {
    await this.ready();
    const scale = clamp(options.scale, 0.5, 4, 2);
    const { L, draw } = frameRenderer(this.view, scale);
    const canvas = document.createElement("canvas");
    canvas.width = Math.max(1, Math.ceil(L.width * scale));
    canvas.height = Math.max(1, Math.ceil(L.height * scale));
    const ctx = canvas.getContext("2d");
    if (!ctx) throw new Error("no 2-d canvas in this browser");
    draw(ctx, this.view.t);
    return { data: await canvasPng(canvas), name: `${stepName(this.view)}.png` };
  }

  /** The frame shown, as SVG: every cell drawn a <rect>, text as text. */
  async svg() {
    await this.ready();
    const view = this.view;
    const L = layers(view);
    const rec = new RecordingContext();
    paintStepFrame(/** @type {any} */ (rec), { ...view.frameState(), slotColor: L.slotColor, css: cssCache() }, view.t, 1);
    const s = view.steps[view.step];
    return {
      data: buildSvg({
        width: L.width, height: L.height, background: L.background, title: s ? `${s.op}: step ${view.step} of ${view.n}` : "op player",
        description: view.stageEl.getAttribute("aria-label") || "", items: [...L.svg, ...rec.items, ...L.labels],
      }),
      name: `${stepName(view)}.svg`,
    };
  }

  /**
   * The size every frame of a clip is drawn at: the largest stage of its steps.
   * @param {number[]} steps
   */
  async clipSize(steps) {
    let w = 0;
    let h = 0;
    if (steps.length === 1 && this.view.stage && this.view.step === steps[0]) return { w: this.view.stage.width, h: this.view.stage.height };
    await overSteps(this.view, steps, async () => {
      w = Math.max(w, this.view.stage ? this.view.stage.width : 0);
      h = Math.max(h, this.view.stage ? this.view.stage.height : 0);
    });
    return { w, h };
  }

  /**
   * The animation as WebM: each frame rendered at step time t = k / (n − 1), `fps` frames a second. With WebCodecs
   * every frame is encoded with its exact timestamp, however long encoding takes; without it, a MediaRecorder records
   * the frames in real time (a slow machine may then drop some).
   * @param {Record<string, any>} options `steps` ("current" | "all"), `fps` (default 30), `scale` (default 2)
   * @param {Progress} progress
   */
  async webm(options, progress) {
    if (!canEncode() && !videoType()) throw new Error("this browser cannot make WebM video (no VideoEncoder, no MediaRecorder for a canvas): use Save GIF");
    await this.ready();
    const view = this.view;
    const fps = clamp(options.fps, 1, 60, 30);
    const steps = stepsOf(view, options);
    const name = steps.length > 1 ? `op-steps-${steps.length}.webm` : `${stepName(view)}.webm`;
    const { w, h } = await this.clipSize(steps);
    // WebCodecs first (every frame, exact timestamps); a real-time recorder at 1× otherwise (less to encode per frame)
    const codec = await encoderCodec(w * clamp(options.scale, 0.5, 4, 2), h * clamp(options.scale, 0.5, 4, 2), fps);
    const scale = codec ? clamp(options.scale, 0.5, 4, 2) : clamp(options.scale, 0.5, 4, 1);
    const canvas = document.createElement("canvas");
    // even sides: 4:2:0 video wants them
    canvas.width = Math.ceil((w * scale) / 2) * 2;
    canvas.height = Math.ceil((h * scale) / 2) * 2;
    const ctx = canvas.getContext("2d");
    if (!ctx) throw new Error("no 2-d canvas in this browser");
    /** @param {(g: number) => Promise<void>} each called after each frame is drawn, with the frame's number */
    const play = (each) => {
      let g = 0;
      return overSteps(view, steps, async (i, k) => {
        const { draw } = frameRenderer(view, scale);
        const times = frameTimes(stepDuration(view.steps[i]), fps);
        for (let f = 0; f < times.length; f++) {
          draw(ctx, times[f]);
          await each(g++);
          if (g % 10 === 0) progress(`making WebM… ${steps.length > 1 ? `step ${k + 1} of ${steps.length}, ` : ""}${Math.round((100 * (f + 1)) / times.length)} %`);
        }
      });
    };
    if (codec) return { data: await encodeFrames(canvas, codec, fps, play), name };
    return { data: await recordFrames(canvas, fps, play), name };
  }

  /**
   * The animation as an animated GIF (loops): two passes over the same frames, the first for the palette.
   * @param {Record<string, any>} options `steps` ("current" | "all"), `fps` (default 15), `scale` (default 2)
   * @param {Progress} progress
   */
  async gif(options, progress) {
    await this.ready();
    const view = this.view;
    const fps = clamp(options.fps, 1, 50, 15);
    const scale = clamp(options.scale, 0.25, 3, 2);
    const steps = stepsOf(view, options);
    const name = steps.length > 1 ? `op-steps-${steps.length}.gif` : `${stepName(view)}.gif`;
    const { w, h } = await this.clipSize(steps);
    const canvas = document.createElement("canvas");
    canvas.width = Math.max(1, Math.ceil(w * scale));
    canvas.height = Math.max(1, Math.ceil(h * scale));
    const ctx = canvas.getContext("2d", { willReadFrequently: true });
    if (!ctx) throw new Error("no 2-d canvas in this browser");
    const pixels = () => ctx.getImageData(0, 0, canvas.width, canvas.height).data;
    /** @param {(rgba: Uint8ClampedArray, delay: number, last: boolean) => void} fn @param {string} what */
    const pass = (fn, what) => overSteps(view, steps, async (i, k) => {
      const { draw } = frameRenderer(view, scale);
      const times = frameTimes(stepDuration(view.steps[i]), fps);
      for (let f = 0; f < times.length; f++) {
        draw(ctx, times[f]);
        const last = k === steps.length - 1 && f === times.length - 1;
        // the last frame holds a moment before the loop starts again
        fn(pixels(), last ? 1000 : 1000 / fps, last);
      }
      progress(`making GIF… ${what}${steps.length > 1 ? ` step ${k + 1} of ${steps.length}` : ""}`);
      await sleep(0);
    });
    const colors = new PaletteBuilder(Math.max(1, Math.floor((canvas.width * canvas.height) / 200_000)));
    await pass((rgba) => colors.add(rgba), "colors,");
    const enc = new GifEncoder({ width: canvas.width, height: canvas.height, palette: colors.build(), loop: 0 });
    await pass((rgba, delay) => enc.addFrame(rgba, delay), "frames,");
    return { data: enc.finish(), name };
  }
}

/**
 * The export buttons and kernel answers of an op player: `Save PNG` and `Save SVG` (the frame shown), `Save WebM` and
 * `Save GIF` (the step shown, played; the kernel may ask for every step).
 * @param {OpPlayerView} view
 */
export function playerExports(view) {
  const ex = new PlayerExports(view);
  return new Exports(view.model, [
    { format: "png", label: "PNG", title: "Save the frame shown as a PNG image at 2× (for slides)", make: (o) => ex.png(o) },
    { format: "svg", label: "SVG", title: "Save the frame shown as an SVG drawing (every cell a rectangle, labels as text)", make: () => ex.svg() },
    {
      format: "webm", label: "WebM", title: "Save this step's animation as a WebM video (30 frames a second, the frames the player shows)",
      make: (o, progress) => ex.webm(o, progress),
      unavailable: () => (canEncode() || videoType() ? null : "this browser cannot make WebM video: use Save GIF"),
    },
    { format: "gif", label: "GIF", title: "Save this step's animation as a looping GIF (for slides)", make: (o, progress) => ex.gif(o, progress) },
  ], { label: "Save the animation" });
}
