"""Exported HTML files: their size, the time to write them, and the time to open them offline.

    .venv/bin/python benchmarks/bench_export.py [--repeat 5]

Cases: a 2048×2048 float32 TensorView (16 MiB of values: the file holds a block-reduced copy within the default
8 MB budget) and a 10-step OpPlayer (reshapes of a 24-element tensor), both with ``tv.save_html``.
Open time is measured in the page: each file is opened from file:// in Chromium (every other request blocked) and
the page records ``performance.now()`` (milliseconds since navigation started) when the widget's root reaches
``data-state="ready"``, its values drawn. The median of ``--repeat`` fresh loads is printed, with the slowest.
Printed figures only, no asserts.
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
import torch  # noqa: E402

import tensorviz as tv  # noqa: E402

# Set before the page's scripts run: the time since navigation started when a widget root first says "ready".
READY_PROBE = """
window.__tvReady = null;
new MutationObserver((_, obs) => {
  const el = document.querySelector('.tensorviz[data-state="ready"]');
  if (el && window.__tvReady === null) { window.__tvReady = performance.now(); obs.disconnect(); }
}).observe(document, {subtree: true, childList: true, attributes: true, attributeFilter: ["data-state"]});
"""


def open_times(browser, path: Path, repeat: int) -> list[float]:
    times = []
    for _ in range(repeat):
        context = browser.new_context(viewport={"width": 1280, "height": 900})
        blocked: list[str] = []

        def route(r, blocked=blocked):
            if r.request.url.startswith("file:"):
                r.continue_()
            else:
                blocked.append(r.request.url)
                r.abort()

        context.route("**/*", route)
        context.add_init_script(READY_PROBE)
        page = context.new_page()
        page.goto(path.as_uri())
        page.wait_for_function("() => window.__tvReady !== null", timeout=60_000, polling=10)
        times.append(page.evaluate("() => window.__tvReady"))
        context.close()
        if blocked:
            raise SystemExit(f"requests left the page: {blocked}")
    return times


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    from playwright.sync_api import sync_playwright

    chromium = next((c for c in ("/usr/bin/chromium", "/usr/bin/chromium-browser") if Path(c).exists()), None)
    out = Path(tempfile.mkdtemp(prefix="tv-bench-export-"))
    torch.manual_seed(0)
    big = torch.randn(2048, 2048)
    x = torch.arange(24.0).reshape(2, 3, 4)
    with tv.trace() as tr:
        for i in range(10):
            x = x.reshape(4, -1) if i % 2 == 0 else x.reshape(2, 3, 4)
    cases = []
    for name, obj in (("TensorView 2048×2048 float32", big), ("OpPlayer, 10 steps", tr)):
        started = time.perf_counter()
        path = tv.save_html(obj, out / f"{len(cases)}.html")
        cases.append((name, path, time.perf_counter() - started))

    print("Exported HTML files (tv.save_html, default budget 8 MB), opened offline from file:// in Chromium")
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=chromium, args=lab.CHROMIUM_ARGS)
        for name, path, write_s in cases:
            times = open_times(browser, path, args.repeat)
            size = path.stat().st_size
            print(
                f"  {name:30s} {size / 1e6:6.2f} MB   written in {write_s:5.2f} s   "
                f"open → ready: median {statistics.median(times):6.0f} ms, slowest {max(times):6.0f} ms "
                f"({args.repeat} loads)"
            )
        browser.close()


if __name__ == "__main__":
    main()
