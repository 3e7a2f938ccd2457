"""Benchmark 3: peak resident memory added while showing and slicing a 4 GB tensor.

Runs in a child process: allocates a 4 GiB float32 tensor (every page touched), records the peak
RSS, then shows it and serves the faces a frontend asks for (3-d cube faces, a whole-face overview,
a window, a transposed face). Prints the growth of the peak RSS. Target: < 64 MB.
Anchor: the tensor's own size, and what one `.clone()` of one face would add.
"""

from __future__ import annotations

import subprocess
import sys
import textwrap

CHILD = textwrap.dedent(
    """
    import resource, time, torch, tensorviz as tv

    def peak_mb():
        return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024 / 1e6

    t = torch.empty(2**30).uniform_(-1, 1).reshape(4, 16384, 16384)
    t[2, 77, 99] = float("nan")
    base = peak_mb()
    start = time.perf_counter()
    view = tv.show(t, dims="D R C")
    view.send = lambda content, buffers=None: sent.append(content)
    sent = []
    last = 16384 - 1
    faces = [
        {"axes": [1, 2], "index": [2, 0, 0], "window": None},
        {"axes": [0, 2], "index": [0, 0, 0], "window": None},
        {"axes": [0, 1], "index": [0, 0, last], "window": None},
        {"axes": [1, 2], "index": [3, 0, 0], "window": [8000, 8512, 8000, 8512]},
        {"axes": [2, 1], "index": [1, 0, 0], "window": None},
    ]
    view._on_message(view, {"kind": "faces", "id": "m", "budget": [512, 512], "faces": faces}, [])
    elapsed = time.perf_counter() - start
    assert all(f["error"] is None for f in sent[-1]["faces"]), sent[-1]
    print(t.numel() * 4 / 1e6, peak_mb() - base, elapsed)
    """
)


def main() -> None:
    out = subprocess.run([sys.executable, "-c", CHILD], capture_output=True, text=True, check=True)
    size_mb, added_mb, seconds = map(float, out.stdout.split())
    print("Benchmark 3 - peak resident memory added while showing and slicing a 4 GB tensor")
    print(f"  tensor            : {size_mb:8.0f} MB (4 x 16384 x 16384 float32)")
    print(f"  peak RSS added    : {added_mb:8.1f} MB (target < 64 MB)  [{added_mb / size_mb * 100:.2f}% of the tensor]")
    print(f"  anchor: one face .clone() would add {size_mb / 4:.0f} MB")
    print(f"  time to show + serve 5 faces (3 of them block-reduced from 16384-long axes): {seconds:.2f} s")


if __name__ == "__main__":
    main()
