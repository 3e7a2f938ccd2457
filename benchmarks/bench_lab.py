"""Time to first picture and bytes on the wire for a 2048×2048 float32 tensor in a real JupyterLab page.

    .venv/bin/python benchmarks/bench_lab.py [--runs 5] [--anchor-runs 1] [--size 2048] [--only NAME ...]

Every figure is measured in this run, in the same page and server, the same way for each case:
  tensorviz          tv.show(x)
  bare               a trivial anywidget (the floor: what any widget costs to appear)
  tensor-visualizer  TensorVisualizer(x)          (PyPI `tensor-visualizer`, a widget drawing tensors as heatmaps;
                                                   the usage its README gives)
  plotly             px.imshow(x.numpy())         (shown by the jupyterlab-plotly renderer)
  treescope          treescope.render_array(x.numpy())   (treescope cannot take torch 2.13 tensors; numpy view)
For each run: a fresh notebook and kernel; a setup cell imports and builds the tensor (not measured);
then the measured cell (the expression above, as the cell's last expression) is run with Shift+Enter.
  time   = from the Shift+Enter keydown to the moment the picture is drawn in the page (measured in the page):
             tensorviz          the widget root has data-state="ready"
             bare               its div has data-state="ready"
             tensor-visualizer  its heatmap canvas (one pixel per element: size×size) has its center pixel
                                painted (alpha > 0; the library fills it in one putImageData)
             plotly             the plot's .main-svg holds the heatmap <image> with its picture (href) set
             treescope          its shadow DOM holds the array canvas (at least size×size pixels) with its
                                center pixel painted (the library draws every cell in one synchronous pass)
           "in DOM" = when the case's root element first appeared (tensorviz/bare: the widget root,
           tensor-visualizer: its <main>, plotly: .js-plotly-plot, treescope: <treescope-container>)
  bytes  = payload bytes the page received over the kernel websocket from that keydown until the kernel
           is idle and the wire has been quiet for 1 s ("before" = bytes from page load to the keydown)
"warm" repeats the measured cell in the same kernel (second display of its kind: code already loaded).
The anchors are slow (tens of seconds), so they run --anchor-runs times (default 1). A case that cannot
be installed or does not draw is printed as "failed: <reason>"; no figure is ever filled in for it.
Targets (from the issue): tensorviz ≤ 0.4 s and ≤ 0.5 MB.
"""

from __future__ import annotations

import argparse
import re
import statistics
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
for p in (REPO, REPO / "tests" / "browser"):
    if str(p) not in sys.path:
        sys.path.insert(0, str(p))

import lab  # noqa: E402

TARGET_S, TARGET_MB = 0.4, 0.5

# Each case: the setup cell (not measured, must print "ready"), the measured cell, the root element's selector,
# and a JS predicate `(el, painted, n) => true | false | "error text"` saying whether the picture is drawn.
CASES = {
    "tensorviz": {
        "label": "tensorviz",
        "setup": "import torch, tensorviz as tv\nx = torch.randn({n}, {n})\nprint('ready')",
        "cell": "tv.show(x)",
        "root": lab.TENSOR_VIEW,
        "drawn": """(el) => el.dataset.state === 'ready' ? true
                   : el.dataset.state === 'error' ? 'data-state=error: ' + el.textContent.slice(0, 300) : false""",
        "anchor": False,
    },
    "bare": {
        "label": "bare anywidget",
        "setup": lab.BARE_WIDGET_CLASS + "print('ready')\n",
        "cell": "Bare()",
        "root": ".bare-widget",
        "drawn": "(el) => el.dataset.state === 'ready'",
        "anchor": False,
    },
    "tensor-visualizer": {
        "label": "tensor-visualizer",
        "setup": "import torch\nfrom tensor_visualizer import TensorVisualizer\nx = torch.randn({n}, {n})\nprint('ready')",
        "cell": "TensorVisualizer(x)",
        "root": ".jp-OutputArea-output main",
        # the heatmap is a canvas with one pixel per element, filled with putImageData once the data arrived
        "drawn": """(el, painted, n) => [...el.querySelectorAll('canvas')].some(
                      (c) => c.width === n && c.height === n && painted(c))""",
        "anchor": True,
    },
    "plotly": {
        "label": "plotly imshow",
        "setup": "import torch\nimport plotly.express as px\nx = torch.randn({n}, {n})\nprint('ready')",
        "cell": "px.imshow(x.numpy())",
        "root": ".js-plotly-plot",
        # plotly draws a heatmap into a canvas and puts it into the SVG as an <image> with a data-URL href
        "drawn": """(el) => [...el.querySelectorAll('.main-svg .heatmaplayer image')].some(
                      (im) => (im.getAttribute('href') || im.getAttribute('xlink:href') || '').length > 100)""",
        "anchor": True,
    },
    "treescope": {
        "label": "treescope",
        "setup": "import torch, treescope\nx = torch.randn({n}, {n})\nprint('ready')",
        "cell": "treescope.render_array(x.numpy())",
        "root": "treescope-container",
        # the array is drawn into a canvas of (cells + 2) * pixels-per-cell inside the container's shadow DOM
        "drawn": """(el, painted, n) => !!el.shadowRoot && [...el.shadowRoot.querySelectorAll('canvas')].some(
                      (c) => c.width >= n && c.height >= n && painted(c))""",
        "anchor": True,
    },
}
ORDER = ["tensorviz", "bare", "tensor-visualizer", "plotly", "treescope"]

# In-page stopwatch: t0 at the Shift+Enter keydown; tdom when a new root element appears; t1 when a new root
# is drawn. Checked on every DOM mutation and on every animation frame (canvas pixels change no DOM).
_ARM_JS = """([root, n]) => {
  const painted = (c) => {
    if (!c.width || !c.height) return false;
    const g = c.getContext('2d');
    if (!g) return false;
    return g.getImageData(c.width >> 1, c.height >> 1, 1, 1).data[3] > 0;
  };
  const drawn = __DRAWN__;
  const old = new Set(document.querySelectorAll(root));
  const s = window.__bench = { t0: null, tdom: null, t1: null, error: null };
  let done = false;
  const onKey = (e) => { if (e.key === 'Enter' && e.shiftKey && s.t0 === null) s.t0 = performance.now(); };
  window.addEventListener('keydown', onKey, true);
  const check = () => {
    if (done || s.t0 === null) return;
    for (const el of document.querySelectorAll(root)) {
      if (old.has(el)) continue;
      if (s.tdom === null) s.tdom = performance.now();
      let r;
      try { r = drawn(el, painted, n); } catch (err) { r = false; }
      if (r === true || typeof r === 'string') {
        s.t1 = performance.now();
        if (typeof r === 'string') s.error = r;
        done = true;
        obs.disconnect();
        window.removeEventListener('keydown', onKey, true);
        return;
      }
    }
  };
  const obs = new MutationObserver(check);
  obs.observe(document.body, {
    subtree: true, childList: true, attributes: true, attributeFilter: ['data-state', 'class', 'href', 'width', 'height'],
  });
  const frame = () => { if (!done) { check(); requestAnimationFrame(frame); } };
  requestAnimationFrame(frame);
}"""

_ERROR_OUTPUT = '.jp-OutputArea-output[data-mime-type="application/vnd.jupyter.stderr"]'


class CaseFailed(Exception):
    pass


def error_line(text: str) -> str:
    """The line of a traceback that names the error (e.g. "ModuleNotFoundError: No module named 'x'")."""
    lines = [ln.strip() for ln in text.splitlines() if ln.strip() and not set(ln.strip()) <= set("-")]
    named = [ln for ln in lines if re.match(r"^[A-Za-z_][\w.]*(Error|Exception|Interrupt|Exit)\b", ln)]
    return (named or lines or ["(no output)"])[-1][:300]


class WireCounter:
    """Payload bytes received on the page's kernel websockets, split at mark()."""

    def __init__(self, page):
        self.before = 0
        self.after = 0
        self.marked = False
        self.last_frame = time.monotonic()
        page.on("websocket", self._on_ws)

    def _on_ws(self, ws):
        if "/api/kernels/" not in ws.url:
            return

        def on_frame(payload):
            n = len(payload.encode("utf-8")) if isinstance(payload, str) else len(payload)
            if self.marked:
                self.after += n
            else:
                self.before += n
            self.last_frame = time.monotonic()

        ws.on("framereceived", on_frame)

    def mark(self):
        self.marked = True

    def settle(self, page, quiet_s: float = 1.0, timeout_s: float = 60.0):
        lab.wait_kernel_idle(page, timeout_s)
        deadline = time.monotonic() + timeout_s
        while time.monotonic() - self.last_frame < quiet_s and time.monotonic() < deadline:
            page.wait_for_timeout(100)


def measure_cell(page, case, n, wire: WireCounter, timeout_s: float):
    """Run the case's cell with Shift+Enter; return (seconds to drawn, seconds to root in DOM)."""
    page.evaluate(_ARM_JS.replace("__DRAWN__", case["drawn"]), [case["root"], n])
    out = lab.run_cell(page, case["cell"], timeout=timeout_s, on_submit=wire.mark)
    deadline = time.monotonic() + timeout_s
    while True:
        t = page.evaluate("() => window.__bench")
        if t["t1"] is not None:
            break
        if out.locator(_ERROR_OUTPUT).count():
            raise CaseFailed(f"the cell raised {error_line(lab.cell_text_output(out))}")
        if time.monotonic() > deadline:
            shown = lab.cell_text_output(out)[-300:]
            where = "its root appeared but" if t["tdom"] is not None else f"no {case['root']} appeared and"
            raise CaseFailed(f"not drawn within {timeout_s:.0f} s ({where} nothing drawn; output text: {shown!r})")
        page.wait_for_timeout(100)
    if t["error"]:
        raise CaseFailed(t["error"])
    if t["t0"] is None:
        raise CaseFailed(f"stopwatch not started: {t}")
    wire.settle(page, timeout_s=timeout_s)
    return (t["t1"] - t["t0"]) / 1000.0, (t["tdom"] - t["t0"]) / 1000.0


def one_run(browser, server, name, n, run_i, timeout_s):
    case = CASES[name]
    ctx = browser.new_context(viewport={"width": 1280, "height": 900})
    page = ctx.new_page()
    lab.attach(page, server)
    wire = WireCounter(page)
    try:
        lab.open_notebook(page, f"bench-{name}-{run_i}.ipynb")
        panels = page.locator(".jp-NotebookPanel").count()
        sessions = len(server.api("GET", "/api/sessions"))
        if panels != 1 or sessions != 1:
            print(f"  warning: {panels} notebook panels, {sessions} kernel sessions open", flush=True)
        text = lab.run_print(page, case["setup"].replace("{n}", str(n)), timeout=120)
        if not text.endswith("ready"):
            raise CaseFailed(f"setup cell: {error_line(text)}")
        cold_s, cold_dom_s = measure_cell(page, case, n, wire, timeout_s)
        cold_bytes, before = wire.after, wire.before
        wire.before, wire.after = wire.before + wire.after, 0  # warm: a second display, same kernel
        warm_s, _ = measure_cell(page, case, n, wire, timeout_s)
        warm_bytes = wire.after
        if run_i == 0:
            try:  # what the viewport shows of the cell (an element screenshot of treescope's canvas is too tall)
                cell = lab.last_run_cell(page)
                cell.scroll_into_view_if_needed(timeout=5_000)
                lab.screenshot(cell, f"bench-{name}", scroll=False)
            except Exception as err:  # a picture of the page is a courtesy, not a figure
                print(f"  ({name}: no screenshot: {type(err).__name__})", flush=True)
        return {
            "cold_s": cold_s,
            "cold_dom_s": cold_dom_s,
            "cold_bytes": cold_bytes,
            "before": before,
            "warm_s": warm_s,
            "warm_bytes": warm_bytes,
        }
    finally:
        ctx.close()
        lab.shutdown_kernels(server)


def ratio_line(name, ours, theirs, label):
    parts = []
    for key, unit in (
        ("cold_s", "time"),
        ("cold_bytes", "bytes"),
        ("warm_s", "warm time"),
        ("warm_bytes", "warm bytes"),
    ):
        a, b = ours[key], theirs[key]
        parts.append(f"{unit} {a / b:.3g}x" if b else f"{unit} n/a ({name} is 0)")
    return f"tensorviz / {label:18s}: " + ",  ".join(parts)


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--runs", type=int, default=5, help="runs of tensorviz and the bare widget (default 5)")
    ap.add_argument("--anchor-runs", type=int, default=1, help="runs of each slow anchor (default 1)")
    ap.add_argument("--size", type=int, default=2048)
    ap.add_argument("--only", action="append", choices=ORDER, help="measure only this case (repeatable)")
    ap.add_argument("--timeout", type=float, default=240.0, help="seconds a display may take before it fails")
    ap.add_argument("--chromium", default=None)
    args = ap.parse_args(argv)

    import os

    from playwright.sync_api import sync_playwright

    chromium = args.chromium or os.environ.get("TENSORVIZ_CHROMIUM") or "/usr/bin/chromium"
    names = [k for k in ORDER if not args.only or k in args.only]
    runs = {k: (args.anchor_runs if CASES[k]["anchor"] else args.runs) for k in names}
    results: dict[str, list[dict]] = {k: [] for k in names}
    failures: dict[str, list[str]] = {k: [] for k in names}
    started = time.monotonic()
    with tempfile.TemporaryDirectory(prefix="bench-lab-") as tmp:
        server = lab.LabServer(Path(tmp))
        try:
            server.start()
        except Exception:
            print(server.log_tail(), file=sys.stderr)
            raise
        try:
            with sync_playwright() as pw:
                browser = pw.chromium.launch(executable_path=chromium, args=lab.CHROMIUM_ARGS)
                for name in names:
                    for i in range(runs[name]):
                        try:
                            r = one_run(browser, server, name, args.size, i, args.timeout)
                        except Exception as err:
                            reason = str(err).strip().splitlines()[0] if str(err).strip() else type(err).__name__
                            if not isinstance(err, CaseFailed):
                                reason = f"{type(err).__name__}: {reason}"
                            failures[name].append(reason)
                            print(f"  {name:17s} run {i + 1}: failed: {reason}", flush=True)
                            continue
                        results[name].append(r)
                        print(
                            f"  {name:17s} run {i + 1}: cold {r['cold_s']:.3f} s (root in DOM at {r['cold_dom_s']:.3f} s) "
                            f"{r['cold_bytes'] / 1e6:.3f} MB | "
                            f"warm {r['warm_s']:.3f} s {r['warm_bytes'] / 1e6:.3f} MB | before {r['before'] / 1e6:.3f} MB",
                            flush=True,
                        )
                browser.close()
        finally:
            server.stop()

    def med(name):
        keys = ("cold_s", "cold_dom_s", "cold_bytes", "warm_s", "warm_bytes", "before")
        return {k: statistics.median(r[k] for r in results[name]) for k in keys}

    print()
    print(
        f"JupyterLab page, {args.size}x{args.size} float32, median over runs (fresh kernel each run); "
        f"whole benchmark {time.monotonic() - started:.0f} s"
    )
    print(
        f"{'':18s} {'runs':>5s} {'cold s':>8s} {'in DOM s':>8s} {'cold MB':>8s} {'warm s':>8s} {'warm MB':>8s} {'before MB':>10s}"
    )
    for name in names:
        label = CASES[name]["label"]
        if not results[name]:
            print(f"{label:18s} failed: {failures[name][0] if failures[name] else 'not run'}")
            continue
        m = med(name)
        ok = f"{len(results[name])}/{runs[name]}"
        print(
            f"{label:18s} {ok:>5s} {m['cold_s']:8.3f} {m['cold_dom_s']:8.3f} {m['cold_bytes'] / 1e6:8.3f} "
            f"{m['warm_s']:8.3f} {m['warm_bytes'] / 1e6:8.3f} {m['before'] / 1e6:10.3f}"
        )
        if failures[name]:
            print(f"{'':18s} ({len(failures[name])} run(s) failed: {failures[name][0]})")
    if results.get("tensorviz"):
        ours = med("tensorviz")
        lines = [ratio_line(k, ours, med(k), CASES[k]["label"]) for k in names if k != "tensorviz" and results[k]]
        lines += [f"tensorviz / {CASES[k]['label']:18s}: failed" for k in names if k != "tensorviz" and not results[k]]
        if lines:
            print()
            print("ratios tensorviz / other (below 1: tensorviz is faster, or sends fewer bytes):")
            print("\n".join(lines))
        s, mb = ours["cold_s"], ours["cold_bytes"] / 1e6
        print()
        print(
            f"target ≤ {TARGET_S} s: {'met' if s <= TARGET_S else 'MISSED'} ({s:.3f} s);  "
            f"target ≤ {TARGET_MB} MB: {'met' if mb <= TARGET_MB else 'MISSED'} ({mb:.3f} MB)"
        )


if __name__ == "__main__":
    main()
