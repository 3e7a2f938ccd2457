"""Time to first picture and bytes on the wire for a 2048×2048 float32 tensor in a real JupyterLab page.

    .venv/bin/python benchmarks/bench_lab.py [--runs 5] [--size 2048] [--only tensorviz|bare]

For each run: a fresh notebook and kernel; a setup cell imports and builds the tensor (not measured);
then the measured cell (`tv.show(x)`, or a trivial anywidget as the anchor) is run with Shift+Enter.
  time   = from the Shift+Enter keydown to the widget root's data-state="ready" (measured in the page;
           "root in DOM" = when the root element first appeared, i.e. before its values were fetched/drawn)
  bytes  = payload bytes the page received over the kernel websocket from that keydown until the kernel
           is idle and the wire has been quiet for 1 s ("before" = bytes from page load to the keydown)
"warm" repeats the measured cell in the same kernel (second widget of its kind: bundle already loaded).
Targets (from the issue): ≤ 0.4 s and ≤ 0.5 MB. Earlier on this kind of machine: bare anywidget 0.18 s;
plotly imshow 17.6 s / 22.4 MB; treescope 35 s / 22.3 MB.
"""

from __future__ import annotations

import argparse
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

BARE_SETUP = lab.BARE_WIDGET_CLASS + 'print("ready")\n'

CASES = {
    "tensorviz": {
        "setup": "import torch, tensorviz as tv\nx = torch.randn({n}, {n})\nprint('ready')",
        "cell": "tv.show(x)",
        "selector": lab.TENSOR_VIEW,
    },
    "bare": {"setup": BARE_SETUP, "cell": "Bare()", "selector": ".bare-widget"},
}

# In-page stopwatch: t0 at the Shift+Enter keydown, t1 when a new `selector` root reaches data-state=ready.
_ARM_JS = """(selector) => {
  const old = new Set(document.querySelectorAll(selector));
  const s = window.__bench = { t0: null, tdom: null, t1: null };
  const onKey = (e) => { if (e.key === 'Enter' && e.shiftKey && s.t0 === null) s.t0 = performance.now(); };
  window.addEventListener('keydown', onKey, true);
  const check = () => {
    if (s.tdom === null) for (const el of document.querySelectorAll(selector)) if (!old.has(el)) s.tdom = performance.now();
    for (const el of document.querySelectorAll(selector + '[data-state="ready"]')) {
      if (!old.has(el)) { s.t1 = performance.now(); obs.disconnect(); window.removeEventListener('keydown', onKey, true); return; }
    }
  };
  const obs = new MutationObserver(check);
  obs.observe(document.body, { subtree: true, childList: true, attributes: true, attributeFilter: ['data-state'] });
}"""


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

    def settle(self, page, quiet_s: float = 1.0, timeout_s: float = 30.0):
        lab.wait_kernel_idle(page, timeout_s)
        deadline = time.monotonic() + timeout_s
        while time.monotonic() - self.last_frame < quiet_s and time.monotonic() < deadline:
            page.wait_for_timeout(100)


def measure_cell(page, case, wire: WireCounter | None):
    page.evaluate(_ARM_JS, case["selector"])
    out = lab.run_cell(page, case["cell"], on_submit=(wire.mark if wire else None))
    root = lab.find_widget(out, case["selector"], timeout=60)
    lab.wait_ready(root, timeout=60)
    t = page.evaluate("() => window.__bench")
    if t["t0"] is None or t["t1"] is None:
        raise RuntimeError(f"stopwatch not triggered: {t}")
    if wire:
        wire.settle(page)
    return (t["t1"] - t["t0"]) / 1000.0, (t["tdom"] - t["t0"]) / 1000.0


def one_run(browser, server, name, case, n, run_i):
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
            raise RuntimeError(f"setup cell failed: {text[-1500:]}")
        cold_s, cold_dom_s = measure_cell(page, case, wire)
        cold_bytes, before = wire.after, wire.before
        wire.before, wire.after = wire.before + wire.after, 0  # warm: a second display, same kernel
        warm_s, _ = measure_cell(page, case, wire)
        warm_bytes = wire.after
        if run_i == 0:
            lab.screenshot(lab.last_run_cell(page), f"bench-{name}")
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


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--runs", type=int, default=5)
    ap.add_argument("--size", type=int, default=2048)
    ap.add_argument("--only", choices=sorted(CASES))
    ap.add_argument("--chromium", default=None)
    args = ap.parse_args(argv)

    import os

    from playwright.sync_api import sync_playwright

    chromium = args.chromium or os.environ.get("TENSORVIZ_CHROMIUM") or "/usr/bin/chromium"
    names = [args.only] if args.only else ["bare", "tensorviz"]
    results: dict[str, list[dict]] = {k: [] for k in names}
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
                    for i in range(args.runs):
                        r = one_run(browser, server, name, CASES[name], args.size, i)
                        results[name].append(r)
                        print(
                            f"  {name:9s} run {i + 1}: cold {r['cold_s']:.3f} s (root in DOM at {r['cold_dom_s']:.3f} s) "
                            f"{r['cold_bytes'] / 1e6:.3f} MB | "
                            f"warm {r['warm_s']:.3f} s {r['warm_bytes'] / 1e6:.3f} MB | before {r['before'] / 1e6:.3f} MB",
                            flush=True,
                        )
                browser.close()
        finally:
            server.stop()

    def med(name, key):
        return statistics.median(r[key] for r in results[name])

    print()
    print(f"JupyterLab page, {args.size}x{args.size} float32, median of {args.runs} runs (fresh kernel each run)")
    print(f"{'':10s} {'cold s':>8s} {'in DOM s':>8s} {'cold MB':>8s} {'warm s':>8s} {'warm MB':>8s} {'before MB':>10s}")
    for name in names:
        print(
            f"{name:10s} {med(name, 'cold_s'):8.3f} {med(name, 'cold_dom_s'):8.3f} {med(name, 'cold_bytes') / 1e6:8.3f} "
            f"{med(name, 'warm_s'):8.3f} {med(name, 'warm_bytes') / 1e6:8.3f} {med(name, 'before') / 1e6:10.3f}"
        )
    if "tensorviz" in results and "bare" in results:
        print()
        for key, unit in (
            ("cold_s", "time"),
            ("cold_bytes", "bytes"),
            ("warm_s", "warm time"),
            ("warm_bytes", "warm bytes"),
        ):
            b = med("bare", key)
            print(f"tensorviz / bare {unit:11s}: {med('tensorviz', key) / b:6.2f}x" if b else f"{unit}: bare is 0")
    if "tensorviz" in results:
        s, mb = med("tensorviz", "cold_s"), med("tensorviz", "cold_bytes") / 1e6
        print()
        print(
            f"target ≤ {TARGET_S} s: {'met' if s <= TARGET_S else 'MISSED'} ({s:.3f} s);  "
            f"target ≤ {TARGET_MB} MB: {'met' if mb <= TARGET_MB else 'MISSED'} ({mb:.3f} MB)"
        )


if __name__ == "__main__":
    main()
