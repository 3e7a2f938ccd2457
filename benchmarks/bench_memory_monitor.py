"""Benchmark: what the memory core costs the kernel — a poll, a census, and logging transfers.

1. One poll of ``device_memory()``: CPU time of this process per call (the monitor polls it every
   interval, in a background thread). Target: <= 1 ms.
2. ``census()`` with 10,000 live tensors (a mix of storages, views and expanded tensors, some named),
   against the floor of any census by garbage-collector scan: ``gc.get_objects()`` and picking out
   the tensors, in the same run. Target: <= 100 ms.
3. ``track_transfers()`` overhead per op: a loop of ops that copy nothing (``x + y``, ``x.view``,
   ``x.sum``) and a loop of copies to ``meta`` (``x.to("meta")``), each plain, under a do-nothing
   ``TorchFunctionMode`` (the floor any mode pays) and logged; microseconds added per op.

Figures are the best of several runs (the machine may be shared), in CPU time and wall time. No
figure is asserted.

    python benchmarks/bench_memory_monitor.py
"""

from __future__ import annotations

import gc
import time
import warnings
from collections.abc import Callable
from typing import Any

import torch
from torch.overrides import TorchFunctionMode

from tensorviz.memory_sources import census, cuda_state, device_memory, track_transfers

RUNS = 7
POLLS = 2000
LOOP = 3000


def best(fn: Callable[[], Any], runs: int = RUNS) -> tuple[float, float]:
    """Best (CPU seconds, wall seconds) of ``runs`` calls of ``fn``."""
    cpu, wall = float("inf"), float("inf")
    for _ in range(runs):
        c0, w0 = time.process_time(), time.perf_counter()
        fn()
        cpu, wall = min(cpu, time.process_time() - c0), min(wall, time.perf_counter() - w0)
    return cpu, wall


def bench_poll() -> None:
    def polls() -> None:
        for _ in range(POLLS):
            device_memory()

    cpu, wall = best(polls)
    devices = ", ".join(d.device for d in device_memory())
    print(f"1. device_memory() per poll ({devices}; CUDA {cuda_state()}):")
    print(f"   {cpu / POLLS * 1e6:8.1f} µs CPU   {wall / POLLS * 1e6:8.1f} µs wall   (target <= 1000 µs)")


def _scan_floor() -> list[Any]:
    objs = gc.get_objects()
    with warnings.catch_warnings():  # isinstance() asks lazy modules for __class__, which warns
        warnings.simplefilter("ignore")
        found = [o for o in objs if isinstance(o, torch.Tensor)]
    del objs
    return found


def bench_census() -> None:
    tensors: list[torch.Tensor] = []
    for i in range(2500):
        base = torch.empty(1 + i % 97)
        tensors += [base, base[1:], base.view(1, -1), base[:1].expand(8, 1)]  # 2,500 storages, 10,000 tensors
    named = {f"t{i}": t for i, t in enumerate(tensors[::10])}  # a namespace naming a thousand of them
    gc.collect()
    objects = len(gc.get_objects())
    live = len(_scan_floor())
    floor_cpu, floor_wall = best(_scan_floor)
    cpu, wall = best(lambda: census(named))
    top_cpu, top_wall = best(lambda: census(named, limit=20))
    c = census(named)
    print(f"2. census of {live:,} live tensors ({c.count:,} storages) among {objects:,} objects tracked by gc:")
    print(f"   census          {cpu * 1e3:8.1f} ms CPU   {wall * 1e3:8.1f} ms wall   (target <= 100 ms)")
    print(f"   census, top 20  {top_cpu * 1e3:8.1f} ms CPU   {top_wall * 1e3:8.1f} ms wall   (what a monitor asks for)")
    print(
        f"   floor (scan)  {floor_cpu * 1e3:8.1f} ms CPU   {floor_wall * 1e3:8.1f} ms wall   (gc.get_objects + isinstance)"
    )
    tensors.clear()
    named.clear()


class _Passthrough(TorchFunctionMode):
    def __torch_function__(self, func: Any, types: Any, args: Any = (), kwargs: Any = None) -> Any:
        return func(*args, **(kwargs or {}))


class _Plain:
    def __enter__(self) -> None:
        return None

    def __exit__(self, *exc: Any) -> None:
        return None


def bench_transfers() -> None:
    x, y = torch.zeros(2, 3, 4), torch.ones(2, 3, 4)

    def compute() -> None:
        for _ in range(LOOP):
            x + y
            x.view(6, 4)
            x.sum(0)

    def copies() -> None:
        for _ in range(LOOP):
            x.to("meta")

    print("3. track_transfers() per op (best of runs):")
    for label, loop, ops in (("ops that copy nothing", compute, 3 * LOOP), ('copies x.to("meta")', copies, LOOP)):
        figures = {}
        for name, make in (("plain", _Plain), ("mode", _Passthrough), ("logged", track_transfers)):

            def run(make: Any = make, loop: Callable[[], None] = loop) -> None:
                with make():
                    loop()

            figures[name] = best(run)
        plain, mode, logged = (figures[k][0] / ops * 1e6 for k in ("plain", "mode", "logged"))
        print(
            f"   {label:22s} plain {plain:6.2f} µs   do-nothing mode {mode:6.2f} µs   logged {logged:6.2f} µs"
            f"   -> +{logged - plain:5.2f} µs per op (+{logged - mode:5.2f} over the mode floor)"
        )


def main() -> None:
    print(f"torch {torch.__version__}, {torch.get_num_threads()} threads\n")
    bench_poll()
    bench_census()
    bench_transfers()


if __name__ == "__main__":
    main()
