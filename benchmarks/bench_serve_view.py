"""Benchmark 2: kernel time to serve a 512 x 512 view of an 8192 x 8192 float32 tensor.

Three views are timed: a 512 x 512 window (exact values, what a zoomed-in picture asks for); the whole
8192 x 8192 face block-reduced to 512 x 512 as served (blocks of a row sample, since the face holds
more than `slicing.READ_LIMIT` elements); and the same reduction reading every element. Anchor:
copying the same 512 x 512 window with plain torch (`t[r0:r1, c0:c1].clone()`). Target: median <= 20 ms.
"""

from __future__ import annotations

import pathlib
import sys

sys.path.insert(0, str(pathlib.Path(__file__).parent))

import torch
from _kernel import median_seconds

import tensorviz as tv
from tensorviz import slicing


def main() -> None:
    torch.manual_seed(0)
    t = torch.randn(8192, 8192)
    view = tv.show(t)
    sent: list[dict] = []
    view.send = lambda content, buffers=None: sent.append(content)  # type: ignore[method-assign]

    def serve(window: list[int] | None) -> None:
        face = {"axes": [0, 1], "index": [0, 0], "window": window}
        view._on_message(view, {"kind": "faces", "id": "b", "budget": [512, 512], "faces": [face]}, [])

    window_s = median_seconds(lambda: serve([4096, 4608, 1024, 1536]), repeat=21)
    overview_s = median_seconds(lambda: serve(None), repeat=7)
    served = sent[-1]["faces"][0]
    read_limit = slicing.READ_LIMIT
    slicing.READ_LIMIT = t.numel()
    try:
        full_s = median_seconds(lambda: serve(None), repeat=7)
    finally:
        slicing.READ_LIMIT = read_limit
    anchor_s = median_seconds(lambda: t[4096:4608, 1024:1536].clone(), repeat=21)
    print("Benchmark 2 - serve a 512x512 view of an 8192x8192 float32 tensor (median)")
    print(f"  512x512 window, exact values      : {window_s * 1e3:7.2f} ms (target <= 20 ms)")
    fr, fc = served["sample"]
    read = t.numel() // (fr * fc)
    print(
        f"  whole face reduced to 512x512     : {overview_s * 1e3:7.2f} ms as served (blocks {served['step'][0]}x{served['step'][1]}, every {fr} row(s) x {fc} column(s) read: {read / 1e6:.0f}M elements)"
    )
    print(f"  ... reading all 67M elements      : {full_s * 1e3:7.2f} ms (exact block extremes)")
    print(
        f"  anchor: torch clone of the window : {anchor_s * 1e3:7.2f} ms -> window serve is {window_s / anchor_s:.1f}x the bare copy"
    )


if __name__ == "__main__":
    main()
