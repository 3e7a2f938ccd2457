"""Benchmark 1: bytes that reach the browser and kernel time until the first picture.

A 2048 x 2048 float32 tensor, against two anchors measured here, in the same process, on the same values,
each produced the way a Jupyter kernel displays it (the cell's last expression is the object):
  treescope : ``treescope.render_array(a)._repr_html_()``: the text/html a notebook receives
              (on the numpy array ``a``: treescope 0.1.10 cannot take torch 2.13 tensors)
  plotly    : ``px.imshow(a)`` and its ``_repr_mimebundle_()`` under the renderer plotly picks inside a
              Jupyter kernel ("plotly_mimetype"), JSON-encoded as the kernel sends it
Time counts building the object and its display payload; bytes are that payload's UTF-8 size.
Targets (tensorviz against treescope): >= 40x fewer bytes and >= 20x faster.
"""

from __future__ import annotations

import json
import pathlib
import sys

sys.path.insert(0, str(pathlib.Path(__file__).parent))

import torch
from _kernel import first_picture, median_seconds

BUDGET = (293, 293)  # what the frontend asks for a 2048x2048 face: 7x7 blocks (js/src/view/scene.js)
TARGET_BYTES_X, TARGET_SPEED_X = 40.0, 20.0


def verdict(value: float, target: float) -> str:
    return "met" if value >= target else "MISSED"


def main() -> None:
    torch.manual_seed(0)
    t = torch.randn(2048, 2048)
    a = t.numpy()

    ours_bytes, bundle = first_picture(t, BUDGET)
    ours_s = median_seconds(lambda: first_picture(t, BUDGET))

    import plotly.express as px
    import plotly.io as pio
    import treescope

    pio.renderers.default = "plotly_mimetype"  # what plotly chooses in a Jupyter (ipykernel) kernel

    def treescope_html() -> str:
        return treescope.render_array(a)._repr_html_()

    ts_bytes = len(treescope_html().encode())
    ts_s = median_seconds(treescope_html, repeat=3)

    def plotly_bundle() -> str:
        return json.dumps(px.imshow(a)._repr_mimebundle_())

    px_bytes = len(plotly_bundle().encode())
    px_s = median_seconds(plotly_bundle, repeat=3)

    mb = 1e6
    print("Benchmark 1 - first picture of a 2048x2048 float32 tensor (kernel side, display payload)")
    print(
        f"  tensorviz : {ours_bytes / mb:8.3f} MB ({bundle / mb:.3f} MB of it the JS/CSS bundle)  {ours_s * 1e3:8.1f} ms"
    )
    print(f"  treescope : {ts_bytes / mb:8.3f} MB  {ts_s * 1e3:8.1f} ms   (render_array(a)._repr_html_())")
    print(f"  plotly    : {px_bytes / mb:8.3f} MB  {px_s * 1e3:8.1f} ms   (imshow(a), plotly_mimetype bundle)")
    bytes_x, speed_x = ts_bytes / ours_bytes, ts_s / ours_s
    print(
        f"  vs treescope: {bytes_x:6.1f}x fewer bytes (target >= {TARGET_BYTES_X:.0f}x: {verdict(bytes_x, TARGET_BYTES_X)}), "
        f"{speed_x:6.1f}x faster (target >= {TARGET_SPEED_X:.0f}x: {verdict(speed_x, TARGET_SPEED_X)})"
    )
    print(f"  vs plotly   : {px_bytes / ours_bytes:6.1f}x fewer bytes, {px_s / ours_s:6.1f}x faster")


if __name__ == "__main__":
    main()
