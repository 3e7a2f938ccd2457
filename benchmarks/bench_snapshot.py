"""Benchmark: opening a recorded CUDA allocator snapshot, and what the browser gets of it.

1. A synthetic snapshot of 1,000,000 trace events (``tensorviz.snapshot.synthetic_snapshot``, made up, not
   recorded on a GPU), pickled as ``torch.cuda.memory._dump_snapshot`` would: the time to unpickle it (every
   import refused) and to replay it into timelines, the peak and the allocations alive at the peak, from the
   pickle's bytes and from the dict. Target: <= 2 s from bytes.
2. The state sent to the browser for it (JSON plus binary float64 series, each device downsampled to 2,000
   points, the 100 largest allocations at the peak). Target: <= 2 MB.
3. The same figures for the real snapshot in the shared fixtures beside the repository, when present.

Figures are the median of a few runs: wall time, and for the whole read also CPU time of this process
(steadier when other work shares the machine).
"""

from __future__ import annotations

import io
import pickle
import statistics
import sys
import time
from pathlib import Path
from typing import Any

from tensorviz.snapshot import _RefusingUnpickler, read_snapshot, snapshot_state, state_bytes, synthetic_snapshot

EVENTS = 1_000_000
RUNS = 3
REAL = Path(__file__).resolve().parent.parent.parent / "shared" / "fixtures" / "cuda-snapshots" / "cs336-ep5.pickle"


def median(fn: Any, runs: int = RUNS) -> tuple[float, Any]:
    """Median wall time of ``runs`` calls, and the last result."""
    times, out = [], None
    for _ in range(runs):
        start = time.perf_counter()
        out = fn()
        times.append(time.perf_counter() - start)
    return statistics.median(times), out


def cpu_median(fn: Any, runs: int = RUNS) -> float:
    """Median CPU time of this process over ``runs`` calls (steadier than wall time on a shared machine)."""
    times = []
    for _ in range(runs):
        start = time.process_time()
        fn()
        times.append(time.process_time() - start)
    return statistics.median(times)


def report(name: str, data: bytes) -> None:
    def unpickle() -> Any:
        import gc

        gc.disable()  # as read_snapshot does
        try:
            return _RefusingUnpickler(io.BytesIO(data)).load()
        finally:
            gc.enable()

    t_unpickle, raw = median(unpickle)
    t_dict, _ = median(lambda: read_snapshot(raw))
    t_bytes, snap = median(lambda: read_snapshot(data))
    cpu_bytes = cpu_median(lambda: read_snapshot(data))
    t_encode, state = median(lambda: snapshot_state(snap))
    size = state_bytes(state)
    binary = sum(len(v) for s in state["series"] for v in s.values() if isinstance(v, bytes))
    flags = ", ".join(f"{f.kind} x{f.count}" for f in snap.flags) or "none"
    print(f"{name}: {snap.events:,} events on devices {list(snap.devices)}, pickle {len(data) / 1e6:.1f} MB")
    print(f"   unpickle (imports refused):      {t_unpickle:6.2f} s")
    print(f"   replay from the dict:            {t_dict:6.2f} s")
    print(
        f"   read_snapshot(bytes), in all:    {t_bytes:6.2f} s   ({cpu_bytes:.2f} s CPU; target <= 2 s for 1,000,000 events)"
    )
    print(f"   downsample + encode for browser: {t_encode:6.3f} s")
    print(f"   browser state: {size:,} B = JSON {size - binary:,} + binary series {binary:,} (target <= 2 MB)")
    print(f"   peak allocated {snap.peak_allocated:,} B ({snap.peak_allocated / 2**30:.2f} GiB) at event "
          f"{snap.peak_allocated_at.event:,}; peak reserved {snap.peak_reserved:,} B "
          f"({snap.peak_reserved / 2**30:.2f} GiB); {len(snap.at_peak):,} allocations alive at the peak")  # fmt: skip
    for end in snap.end:
        print(f"   end, device {end.device}: allocated {end.allocated:,} B (segments say {end.segments_allocated:,}), "
              f"reserved {end.reserved:,} B (segments say {end.segments_reserved:,}); {len(end.live)} alive from the "
              f"trace, {len(end.before_trace)} from before it; matches segments: {end.matches}")  # fmt: skip
    print(f"   flags: {flags}")


def main() -> None:
    print(f"Python {sys.version.split()[0]}")
    start = time.perf_counter()
    raw = synthetic_snapshot(EVENTS, seed=0)
    data = pickle.dumps(raw, protocol=pickle.HIGHEST_PROTOCOL)
    del raw
    print(f"(made the synthetic snapshot and its pickle in {time.perf_counter() - start:.1f} s; not counted)")
    report("1-2. synthetic", data)
    if REAL.is_file():
        report("3. real (cs336-ep5)", REAL.read_bytes())
    else:
        print("3. real snapshot: the shared fixtures are not beside this checkout; skipped")


if __name__ == "__main__":
    main()
