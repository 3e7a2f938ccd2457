"""Benchmark 2: kernel time to serve a 512 x 512 view of an 8192 x 8192 float32 tensor.

Two views are timed: a 512 x 512 window (exact values, what a zoomed-in picture asks for) and the
whole 8192 x 8192 face block-reduced to 512 x 512 (16 x 16 blocks, extremes kept). Anchor: copying
the same 512 x 512 window with plain torch (`t[r0:r1, c0:c1].clone()`). Target: median <= 20 ms.
"""

from __future__ import annotations

import pathlib
import sys

sys.path.insert(0, str(pathlib.Path(__file__).parent))

import torch
from _kernel import median_seconds

import tensorviz as tv


def main() -> None:
    torch.manual_seed(0)
    t = torch.randn(8192, 8192)
    view = tv.show(t)
    view.send = lambda content, buffers=None: None  # type: ignore[method-assign]

    def serve(window: list[int] | None) -> None:
        face = {"axes": [0, 1], "index": [0, 0], "window": window}
        view._on_message(view, {"kind": "faces", "id": "b", "budget": [512, 512], "faces": [face]}, [])

    window_s = median_seconds(lambda: serve([4096, 4608, 1024, 1536]), repeat=21)
    overview_s = median_seconds(lambda: serve(None), repeat=7)
    anchor_s = median_seconds(lambda: t[4096:4608, 1024:1536].clone(), repeat=21)
    print("Benchmark 2 - serve a 512x512 view of an 8192x8192 float32 tensor (median)")
    print(f"  512x512 window, exact values      : {window_s * 1e3:7.2f} ms (target <= 20 ms)")
    print(f"  whole face reduced to 512x512     : {overview_s * 1e3:7.2f} ms (16x16 blocks, 67M elements read)")
    print(
        f"  anchor: torch clone of the window : {anchor_s * 1e3:7.2f} ms -> window serve is {window_s / anchor_s:.1f}x the bare copy"
    )


if __name__ == "__main__":
    main()
