"""Benchmark: what ``tv.trace()`` costs — recording time per op, building the steps, and peak memory.

1. Recording overhead per op: a loop of small ops (``x.view(6, 4)``, ``x + y``, ``x.sum(0)`` on a 2x3x4
   tensor) untraced, under a do-nothing ``TorchFunctionMode`` (the floor any mode pays), and traced.
   Figures are the best of several runs, in CPU time of this process (wall time is noisy on a shared
   machine) and wall time. Target: <= 10 us added per op.
2. Building ``tr.steps`` from the record (done when they are read), ``Step.values`` and ``Step.sources``.
3. Peak RSS added by tracing a loop that makes and drops 100 tensors of 64 MiB each
   (``torch.randn(2**24)``, viewed, transposed, doubled, reduced), against the same loop untraced, each
   in a fresh process. Target: < 256 MiB more than untraced.
"""

from __future__ import annotations

import subprocess
import sys
import textwrap
import time
from collections.abc import Callable
from typing import Any

import torch
from torch.overrides import TorchFunctionMode

from tensorviz.tracing import trace

N_LOOP = 1000  # iterations of the 3-op loop per run
RUNS = 21


class _Passthrough(TorchFunctionMode):
    def __torch_function__(self, func: Any, types: Any, args: Any = (), kwargs: Any = None) -> Any:
        return func(*args, **(kwargs or {}))


def _loop(x: torch.Tensor, y: torch.Tensor, n: int) -> None:
    for _ in range(n):
        x.view(6, 4)
        x + y
        x.sum(0)


def _best(makes: list[Callable[[], Any]], x: torch.Tensor, y: torch.Tensor) -> list[tuple[float, float]]:
    """Best (CPU, wall) microseconds per op of each context over RUNS rounds of the loop. The contexts take turns
    within each round, so a slow spell of a shared machine slows them all alike instead of one of them."""
    best = [(float("inf"), float("inf")) for _ in makes]
    for _ in range(RUNS):
        for i, make in enumerate(makes):
            ctx = make()
            c0, w0 = time.process_time(), time.perf_counter()
            with ctx:
                _loop(x, y, N_LOOP)
            cpu, wall = time.process_time() - c0, time.perf_counter() - w0
            best[i] = (min(best[i][0], cpu), min(best[i][1], wall))
    ops = 3 * N_LOOP
    return [(cpu / ops * 1e6, wall / ops * 1e6) for cpu, wall in best]


class _Nothing:
    def __enter__(self) -> None:
        return None

    def __exit__(self, *exc: Any) -> None:
        return None


def recording() -> None:
    torch.manual_seed(0)
    x, y = torch.randn(2, 3, 4), torch.randn(2, 3, 4)
    _loop(x, y, 200)
    plain, floor, traced = _best([_Nothing, _Passthrough, trace], x, y)
    print(f"1. recording overhead per op ({3 * N_LOOP} ops: view, add, sum on 2x3x4; best of {RUNS} interleaved rounds)")
    print("                                       CPU us/op   wall us/op")
    print(f"   untraced                             {plain[0]:8.2f}     {plain[1]:8.2f}")
    print(
        f"   do-nothing TorchFunctionMode         {floor[0]:8.2f}     {floor[1]:8.2f}   (+{floor[0] - plain[0]:.2f} CPU)"
    )
    print(f"   tv.trace()                           {traced[0]:8.2f}     {traced[1]:8.2f}")
    print(
        f"   added by tracing                     {traced[0] - plain[0]:8.2f}     {traced[1] - plain[1]:8.2f}   (target <= 10 us)"
    )
    print(f"   of which the recorder itself         {traced[0] - floor[0]:8.2f}     {traced[1] - floor[1]:8.2f}")


def building() -> None:
    x, y = torch.randn(2, 3, 4), torch.randn(2, 3, 4)
    with trace() as tr:
        _loop(x, y, 10_000 // 3)
    t0 = time.perf_counter()
    steps = tr.steps
    build = time.perf_counter() - t0
    t0 = time.perf_counter()
    for step in steps[:3000]:
        step.values("output")
    values = (time.perf_counter() - t0) / 3000
    t0 = time.perf_counter()
    for step in steps[:3000]:
        step.sources()
    sources = (time.perf_counter() - t0) / 3000

    model = torch.nn.Sequential(
        torch.nn.Conv2d(3, 8, 3),
        torch.nn.ReLU(),
        torch.nn.MaxPool2d(2),
        torch.nn.Flatten(),
        torch.nn.Linear(8 * 15 * 15, 10),
    )
    image = torch.randn(4, 3, 32, 32)
    model(image)
    t0 = time.perf_counter()
    model(image)
    plain_fwd = time.perf_counter() - t0
    t0 = time.perf_counter()
    with trace() as tm:
        model(image)
    traced_fwd = time.perf_counter() - t0
    print(
        f"2. {len(steps)} steps built from the record in {build * 1e3:.1f} ms ({build / len(steps) * 1e6:.1f} us/step)"
    )
    print(f"   Step.values('output'): {values * 1e6:.1f} us/step   Step.sources(): {sources * 1e6:.1f} us/step")
    print(
        f"   small CNN forward: {plain_fwd * 1e3:.2f} ms untraced, {traced_fwd * 1e3:.2f} ms traced "
        f"({len(tm.steps)} steps: {', '.join(s.op for s in tm.steps)})"
    )


MEMORY_SCRIPT = textwrap.dedent(
    """
    import sys, time, torch
    from tensorviz.tracing import trace

    from tensorviz.memory_sources import process_peak, reset_process_peak as reset_peak

    def peak_mib():  # VmHWM (see process_peak)
        return process_peak() / 2**20

    def loop():
        for i in range(100):
            x = torch.randn(2**24)  # 64 MiB
            y = x.view(4096, 4096).t()
            z = y * 2  # another 64 MiB
            w = z.sum(0) + x[:4096]
            del x, y, z, w

    torch.randn(4096).view(64, 64).t().sum(0)
    reset_peak()
    base = peak_mib()
    start = time.perf_counter()
    if sys.argv[1] == "traced":
        with trace() as tr:
            loop()
        n = len(tr.steps)
    else:
        loop()
        n = 0
    print(peak_mib() - base, time.perf_counter() - start, n)
    """
)


def memory() -> None:
    rows = {}
    for mode in ("plain", "traced"):
        out = subprocess.run([sys.executable, "-c", MEMORY_SCRIPT, mode], capture_output=True, text=True, check=True)
        added, seconds, steps = out.stdout.split()
        rows[mode] = (float(added), float(seconds), int(steps))
    print("3. peak RSS added by a loop of 100 x 64 MiB tensors (fresh process each)")
    print(f"   untraced: {rows['plain'][0]:7.1f} MiB  ({rows['plain'][1]:.1f} s)")
    print(f"   traced:   {rows['traced'][0]:7.1f} MiB  ({rows['traced'][1]:.1f} s, {rows['traced'][2]} steps)")
    print(f"   added by tracing: {rows['traced'][0] - rows['plain'][0]:.1f} MiB (target < 256 MiB)")


def main() -> None:
    print(f"torch {torch.__version__}, Python {sys.version.split()[0]}")
    recording()
    building()
    memory()


if __name__ == "__main__":
    main()
