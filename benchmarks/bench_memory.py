"""Benchmark 3: peak resident memory added while showing and slicing a 4 GB tensor.

Two child processes run the same script. Each allocates a 4 GiB float32 tensor (every page touched) and
records the peak RSS; then
  tensorviz : shows it and serves the faces a frontend asks for (3-d cube faces, a whole-face overview,
              a window, a transposed face);
  anchor    : ``t[2].clone()``: one 16384 x 16384 face copied (what a viewer that copies the face it
              shows pays).
Each prints the growth of its peak RSS; the tensorviz child reads it after the view's background NaN/inf
count has finished, so that count's memory is included. Target: tensorviz < 64 MB.
"""

from __future__ import annotations

import subprocess
import sys
import textwrap

CHILD = textwrap.dedent(
    """
    import sys, time, torch

    from tensorviz.memory_sources import process_peak, reset_process_peak as reset_peak

    def peak_mb():  # VmHWM (see process_peak)
        return process_peak() / 1e6

    import tensorviz as tv  # imported before the baseline in both children

    t = torch.empty(2**30).uniform_(-1, 1).reshape(4, 16384, 16384)
    t[2, 77, 99] = float("nan")
    reset_peak()
    base = peak_mb()
    start = time.perf_counter()
    if sys.argv[1] == "clone":
        face = t[2].clone()
        assert face.numel() == 16384 * 16384
    else:
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
        assert all(f["error"] is None for f in sent[-1]["faces"]), sent[-1]
    elapsed = time.perf_counter() - start
    scan = 0.0
    if sys.argv[1] != "clone":
        # the view counts NaN/inf in a background thread: its memory counts too, so wait for it
        while view.nonfinite.get("state") == "checking" and time.perf_counter() - start < 600:
            time.sleep(0.05)
        scan = time.perf_counter() - start
        assert view.nonfinite.get("state") == "done", view.nonfinite
    print(t.numel() * 4 / 1e6, peak_mb() - base, elapsed, scan)
    """
)


def run_child(mode: str) -> tuple[float, ...]:
    out = subprocess.run([sys.executable, "-c", CHILD, mode], capture_output=True, text=True)
    if out.returncode != 0:
        raise RuntimeError(f"the {mode} child exited with {out.returncode}: {out.stderr[-2000:]}")
    return tuple(map(float, out.stdout.split()))


def main() -> None:
    size_mb, added_mb, seconds, scan_s = run_child("tensorviz")
    _, clone_mb, clone_s, _ = run_child("clone")
    target = "met" if added_mb < 64 else "MISSED"
    print("Benchmark 3 - peak resident memory added while showing and slicing a 4 GB tensor")
    print(f"  tensor              : {size_mb:8.0f} MB (4 x 16384 x 16384 float32)")
    print(f"  tensorviz           : {added_mb:8.1f} MB peak RSS added (target < 64 MB: {target})")
    print(f"                        [{added_mb / size_mb * 100:.2f}% of the tensor]")
    print(f"  anchor t[2].clone() : {clone_mb:8.1f} MB peak RSS added (measured in a second child, same setup)")
    if added_mb > 0:
        print(f"  anchor / tensorviz  : {clone_mb / added_mb:8.1f}x")
    else:
        print("  anchor / tensorviz  : tensorviz added nothing measurable to the peak")
    print(f"  time to show + serve 5 faces (3 of them block-reduced from 16384-long axes): {seconds:.2f} s")
    print(f"  background NaN/inf count over the whole tensor done at {scan_s:.2f} s (its memory is in the peak)")
    print(f"  time of the anchor's clone: {clone_s:.2f} s")


if __name__ == "__main__":
    main()
