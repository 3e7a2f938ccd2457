"""Nothing but the requested face leaves the tensor: serving faces of a large tensor adds little memory."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap

import pytest

SCRIPT = textwrap.dedent(
    """
    import torch, tensorviz as tv

    from tensorviz.memory_sources import process_peak, reset_process_peak as reset_peak

    def peak_mib():  # VmHWM (see process_peak)
        return process_peak() / 2**20

    t = torch.empty(2**27).uniform_(-1, 1).reshape(2**13, 2**14)  # 512 MiB, every page touched
    t[123, 456] = float("nan")
    reset_peak()
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


# A face whose sides (4001) divide into neither the 293-cell budget the frontend asks for (blocks of 14)
# nor 512 (blocks of 8): partial blocks are padded, and the padding must stay per band, not per face.
UNEVEN_SCRIPT = textwrap.dedent(
    """
    import time, torch, tensorviz as tv

    from tensorviz.memory_sources import process_peak, reset_process_peak as reset_peak

    def peak_mib():  # VmHWM (see process_peak)
        return process_peak() / 2**20

    t = torch.empty(4001, 4001).uniform_(-1, 1)  # 61 MiB, every page touched
    t[4000, 4000] = float("nan")  # in the last, partial, block
    reset_peak()
    base = peak_mib()
    view = tv.show(t)
    # The NaN/inf count of a tensor this big runs in a background thread: let it end first, so what is
    # measured next is the faces alone, not whatever of the scan overlaps them.
    deadline = time.monotonic() + 120
    while view.nonfinite.get("state") == "checking" and time.monotonic() < deadline:
        time.sleep(0.01)
    view.send = lambda content, buffers=None: sent.append((content, buffers))
    sent = []
    whole = {"axes": [0, 1], "index": [0, 0], "window": None}
    for budget in ([293, 293], [512, 512]):
        view._on_message(view, {"kind": "faces", "id": "u", "budget": budget, "faces": [whole]}, [])
        meta = sent[-1][0]["faces"][0]
        assert meta["error"] is None and meta["step"] == [4001 // budget[0] + 1] * 2, meta
        corner = memoryview(sent[-1][1][0]).cast("f")[-1]
        assert corner != corner, "the NaN in the partial corner block was lost"
    print(peak_mib() - base)
    """
)


def test_faces_that_do_not_divide_into_blocks_are_padded_per_band():
    # glibc keeps freed large blocks for reuse once its mmap threshold has grown (by default it does),
    # which makes peak RSS vary by tens of MiB from run to run; a fixed threshold returns every block
    # of 64 KiB or more on free, so the peak is that of the memory actually held.
    env = os.environ | {"MALLOC_MMAP_THRESHOLD_": str(64 << 10)}
    out = subprocess.run([sys.executable, "-c", UNEVEN_SCRIPT], capture_output=True, text=True, timeout=300, env=env)
    assert out.returncode == 0, out.stderr
    added_mib = float(out.stdout.strip().splitlines()[-1])
    # Measured: 33.6 MiB with bands (nearly all of it tv.show's statistics sample), 79.5 MiB with one band
    # for the whole face (BAND_ELEMENTS = 1 << 40), whose padded copy is the size of the face.
    assert added_mib < 56, f"peak resident memory grew by {added_mib:.0f} MiB"


STATS_SCRIPT = textwrap.dedent(
    """
    import sys, torch
    from tensorviz import info

    from tensorviz.memory_sources import process_peak, reset_process_peak as reset_peak

    def peak_mib():  # VmHWM (see process_peak)
        return process_peak() / 2**20

    dtype = getattr(torch, sys.argv[1])
    t = torch.empty(info.SAMPLE_THRESHOLD, dtype=dtype).random_(-100, 100)  # the largest tensor read whole
    info.compute_stats(t[:10])
    reset_peak()
    base = peak_mib()
    stats = info.compute_stats(t)
    assert not stats.sampled and stats.count == t.numel(), stats
    print(peak_mib() - base)
    """
)


@pytest.mark.parametrize("dtype", ["int64", "int8", "float32"])
def test_statistics_of_an_unsampled_tensor_add_one_float64_chunk_not_a_float64_copy(dtype):
    # The float64 working copy is one chunk (8 MiB; measured 8.3-8.5 MiB for each dtype), not the tensor:
    # before chunking, 4M int64 values added 32.5 MiB (a float64 copy), 4M int8 values 16.4 MiB (a float32
    # copy). Fixed mmap threshold: see above.
    env = os.environ | {"MALLOC_MMAP_THRESHOLD_": str(64 << 10)}
    out = subprocess.run(
        [sys.executable, "-c", STATS_SCRIPT, dtype], capture_output=True, text=True, timeout=300, env=env
    )
    assert out.returncode == 0, out.stderr
    added_mib = float(out.stdout.strip().splitlines()[-1])
    assert added_mib < 12, f"peak resident memory grew by {added_mib:.1f} MiB"
