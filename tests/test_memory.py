"""Nothing but the requested face leaves the tensor: serving faces of a large tensor adds little memory."""

from __future__ import annotations

import subprocess
import sys
import textwrap

SCRIPT = textwrap.dedent(
    """
    import resource, torch, tensorviz as tv

    def peak_mib():
        return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024

    t = torch.empty(2**27).uniform_(-1, 1).reshape(2**13, 2**14)  # 512 MiB, every page touched
    t[123, 456] = float("nan")
    base = peak_mib()
    view = tv.show(t.reshape(2, 2**12, 2**14), dims="D R C")
    view.send = lambda content, buffers=None: sent.append((content, buffers))
    sent = []
    faces = [
        {"axes": [1, 2], "index": [1, 0, 0], "window": None},
        {"axes": [0, 2], "index": [0, 0, 0], "window": None},
        {"axes": [0, 1], "index": [0, 0, 2**14 - 1], "window": None},
        {"axes": [1, 2], "index": [0, 0, 0], "window": [100, 612, 200, 712]},
        {"axes": [2, 1], "index": [0, 0, 0], "window": None},
    ]
    view._on_message(view, {"kind": "faces", "id": "m", "budget": [512, 512], "faces": faces}, [])
    assert all(f["error"] is None for f in sent[-1][0]["faces"]), sent[-1][0]
    print(peak_mib() - base)
    """
)


def test_serving_faces_of_a_512_mib_tensor_adds_far_less_than_its_size():
    out = subprocess.run([sys.executable, "-c", SCRIPT], capture_output=True, text=True, timeout=300)
    assert out.returncode == 0, out.stderr
    added_mib = float(out.stdout.strip().splitlines()[-1])
    assert added_mib < 64, f"peak resident memory grew by {added_mib:.0f} MiB"
