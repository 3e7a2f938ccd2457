"""Benchmark 5: a 10⁹-element tensor opens as fast as a small one (the README's claim, measured).

    .venv/bin/python benchmarks/bench_billion.py

In a child process (so its memory is its own): a 10⁹-element float32 tensor (4 GB, every page touched) as
40,000 × 25,000, and a 2048 × 2048 one as the anchor (best of 3, after a warm-up). For each: the time `tv.show` takes (metadata, sampled
statistics; the exact NaN/inf count goes on in the background) plus the first faces the frontend asks for (the
293 × 293 budget of a 2-d face), the bytes those faces send, and when the background count of NaN/inf finished.
"""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap

CHILD = textwrap.dedent(
    """
    import json, time, torch, tensorviz as tv

    def case(shape):
        t = torch.empty(shape).uniform_(-1, 1)
        t.view(-1)[t.numel() // 3] = float("nan")
        sent = []
        start = time.perf_counter()
        view = tv.show(t)
        view.send = lambda content, buffers=None: sent.append((content, buffers or []))
        face = {"axes": [0, 1], "index": [0, 0], "window": None}
        view._on_message(view, {"kind": "faces", "id": "b", "budget": [293, 293], "faces": [face]}, [])
        opened = time.perf_counter() - start
        content, buffers = sent[-1]
        assert content["kind"] == "faces" and content["faces"][0]["error"] is None, content
        while view.nonfinite.get("state") == "checking":
            time.sleep(0.01)
        counted = time.perf_counter() - start
        assert view.nonfinite["nan"] == 1, view.nonfinite
        return {"numel": t.numel(), "opened": opened, "bytes": sum(len(b) for b in buffers), "counted": counted,
                "sampled": view.info["stats"]["sampled"]}

    case((256, 256))  # warm-up: first torch calls, thread pools
    small = min((case((2048, 2048)) for _ in range(3)), key=lambda c: c["opened"])
    big = case((40000, 25000))
    print(json.dumps({"small": small, "big": big}))
    """
)


def main() -> None:
    out = subprocess.run([sys.executable, "-c", CHILD], capture_output=True, text=True, check=True)
    r = json.loads(out.stdout.strip().splitlines()[-1])
    small, big = r["small"], r["big"]
    print("Benchmark 5 - a 10^9-element float32 tensor (4 GB) opens like a small one (kernel side)")
    for name, c in (("2048 x 2048", small), ("40000 x 25000", big)):
        print(
            f"  {name:14s}: {c['numel']:>13,} elements  show + first face {c['opened'] * 1000:7.1f} ms"
            f"  face bytes {c['bytes'] / 1e6:.3f} MB  exact NaN/inf count done at {c['counted']:.2f} s"
        )
    print(
        f"  ratio: {big['numel'] / small['numel']:.0f}x the elements, {big['opened'] / small['opened']:.1f}x the time "
        f"to the first picture; the exact count of a NaN in 10^9 elements runs in the background"
    )


if __name__ == "__main__":
    main()
