"""Benchmark 1: bytes that reach the browser and kernel time until the first picture.

A 2048 x 2048 float32 tensor, against two anchors run here in the same process on the same array:
``treescope.render_array`` (on the numpy array: treescope cannot take torch 2.13 tensors) and
``plotly.express.imshow(a).to_json()``. Targets: >= 40x fewer bytes and >= 20x faster than treescope.
"""

from __future__ import annotations

import pathlib
import sys

sys.path.insert(0, str(pathlib.Path(__file__).parent))

import numpy as np
import torch
from _kernel import first_picture, median_seconds

BUDGET = (293, 293)  # what the frontend asks for a 2048x2048 face: 7x7 blocks (js/src/view/scene.js)


def main() -> None:
    torch.manual_seed(0)
    t = torch.randn(2048, 2048)
    a = t.numpy()

    ours_bytes, bundle = first_picture(t, BUDGET)
    ours_s = median_seconds(lambda: first_picture(t, BUDGET))

    import plotly.express as px
    import treescope

    def treescope_html() -> str:
        return treescope.render_to_html(treescope.render_array(a))

    ts_bytes = len(treescope_html().encode())
    ts_s = median_seconds(treescope_html, repeat=3)

    def plotly_json() -> str:
        return px.imshow(a).to_json()

    px_bytes = len(plotly_json().encode())
    px_s = median_seconds(plotly_json, repeat=3)

    mb = 1e6
    print("Benchmark 1 - first picture of a 2048x2048 float32 tensor (kernel side)")
    print(
        f"  tensorviz : {ours_bytes / mb:8.3f} MB ({bundle / mb:.3f} MB of it the JS/CSS bundle)  {ours_s * 1e3:8.1f} ms"
    )
    print(f"  treescope : {ts_bytes / mb:8.3f} MB  {ts_s * 1e3:8.1f} ms")
    print(f"  plotly    : {px_bytes / mb:8.3f} MB  {px_s * 1e3:8.1f} ms")
    print(
        f"  vs treescope: {ts_bytes / ours_bytes:6.1f}x fewer bytes (target >= 40x), {ts_s / ours_s:6.1f}x faster (target >= 20x)"
    )
    print(f"  vs plotly   : {px_bytes / ours_bytes:6.1f}x fewer bytes, {px_s / ours_s:6.1f}x faster")
    assert np.isfinite(ours_s)


if __name__ == "__main__":
    main()
