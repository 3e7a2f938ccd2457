"""Shared measuring helpers for the benchmark scripts (kernel side, no browser)."""

from __future__ import annotations

import json
import statistics
import time
from collections.abc import Callable
from typing import Any

import tensorviz as tv


def median_seconds(fn: Callable[[], Any], repeat: int = 7, warmup: int = 1) -> float:
    for _ in range(warmup):
        fn()
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def first_picture(x: Any, budget: tuple[int, int]) -> tuple[int, int]:
    """Build a TensorView of ``x`` and serve its first face, as a frontend would ask for it.

    Returns (bytes that reach the browser, bytes of which are the JS/CSS bundle). Counted: the widget's
    whole initial state as JSON (bundle included) plus the first reply's JSON and binary buffer.
    """
    view = tv.show(x)
    sent: list[tuple[dict[str, Any], list[memoryview]]] = []
    view.send = lambda content, buffers=None: sent.append((content, buffers or []))  # type: ignore[method-assign]
    state = view.get_state()
    state_bytes = len(json.dumps(state, default=str).encode())
    rank = view.info["rank"]
    axes = list(view.face_axes)
    request = {
        "kind": "faces",
        "id": "bench:1",
        "budget": list(budget),
        "faces": [{"axes": axes, "index": [0] * rank, "window": None}],
    }
    view._on_message(view, request, [])
    content, reply_buffers = sent[-1]
    reply_bytes = len(json.dumps(content).encode()) + sum(len(b) for b in reply_buffers)
    bundle = len(str(view._esm).encode()) + len(str(getattr(view, "_css", "")).encode())
    view.close()
    return state_bytes + reply_bytes, bundle
