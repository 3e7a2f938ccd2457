"""The memory core on a real CUDA device (``pytest -m gpu``; skipped without one, see benchmarks/gpu_check.py)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap

import pytest
import torch

from tensorviz.memory_sources import census, cuda_state, device_memory, reset_peak, track_transfers

pytestmark = [
    pytest.mark.gpu,
    pytest.mark.skipif(not torch.cuda.is_available(), reason="needs a CUDA device"),
]

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def _fresh(code: str) -> dict:
    """Run ``code`` in a fresh interpreter (CUDA not initialized there) and return the JSON it prints last."""
    out = subprocess.run(
        [sys.executable, "-c", textwrap.dedent(code)], capture_output=True, text=True, timeout=240, cwd=ROOT
    )
    assert out.returncode == 0, out.stderr
    return json.loads(out.stdout.strip().splitlines()[-1])


def test_reading_memory_in_a_fresh_process_leaves_cuda_uninitialized():
    got = _fresh(
        """
        import json, torch
        from tensorviz.memory_sources import census, cuda_state, device_memory, reset_peak
        d = device_memory()
        census()
        peak = reset_peak()
        print(json.dumps({"initialized": torch.cuda.is_initialized(), "state": cuda_state(), "peak": peak,
                          "gpu": [x.device for x in d if x.device.startswith("cuda")],
                          "allocated": d[0].allocated, "notes": d[0].notes, "sources": d[0].sources}))
        """
    )
    assert got["initialized"] is False and got["state"] == "not initialized" and got["peak"] is False
    assert got["gpu"] == [f"cuda:{i}" for i in range(torch.cuda.device_count())]
    assert got["allocated"] is None and "not initialized" in got["notes"]["allocated"]
    # total and free come from NVML when nvidia-ml-py is installed, else they are n/a with the reason
    assert got["sources"].get("total") in ("NVML", None)


def test_reading_memory_creates_no_context_on_the_gpu():
    pytest.importorskip("pynvml")
    got = _fresh(
        """
        import json, os, pynvml, torch
        from tensorviz.memory_sources import device_memory
        device_memory(); device_memory()
        pynvml.nvmlInit()
        mine = []
        for i in range(pynvml.nvmlDeviceGetCount()):
            handle = pynvml.nvmlDeviceGetHandleByIndex(i)
            mine += [p.pid for p in pynvml.nvmlDeviceGetComputeRunningProcesses(handle) if p.pid == os.getpid()]
        print(json.dumps({"contexts": len(mine), "initialized": torch.cuda.is_initialized()}))
        """
    )
    assert got == {"contexts": 0, "initialized": False}


def test_allocator_figures_are_torchs_own():
    x = torch.empty(1 << 20, device="cuda")  # 4 MiB
    torch.cuda.synchronize()
    d = device_memory()[0]
    assert d.device == "cuda:0" and cuda_state() == "initialized"
    assert d.allocated == torch.cuda.memory_allocated(0)
    assert d.reserved == torch.cuda.memory_reserved(0)
    assert d.peak == torch.cuda.max_memory_allocated(0)
    assert d.total == torch.cuda.mem_get_info(0)[1]
    assert d.name == torch.cuda.get_device_name(0)
    assert d.sources == {
        "allocated": "allocator",
        "reserved": "allocator",
        "peak": "allocator",
        "total": "driver",
        "free": "driver",
    }
    del x


def test_reset_peak_brings_peak_down_to_what_is_allocated():
    tmp = torch.empty(64 << 20, dtype=torch.uint8, device="cuda")
    del tmp
    assert device_memory()[0].peak >= 64 << 20
    assert reset_peak("cuda:0") is True
    d = device_memory()[0]
    assert d.peak == d.allocated == torch.cuda.memory_allocated(0)


def test_census_counts_cuda_storages_once():
    x = torch.zeros(1000, 10, device="cuda")
    views = [x[2:], x.t(), x[:, 0].expand(5, 1000)]
    c = census({"x": x, "views": views})
    (entry,) = [e for e in c.entries if "x" in e.names]
    assert (entry.device, entry.nbytes, entry.tensors) == ("cuda:0", 40_000, 4)
    assert c.totals["cuda:0"] >= 40_000


def test_copies_that_involve_cuda_are_timed_with_cuda_events():
    torch.zeros(1, device="cuda")  # CUDA initialized before the log: copies can be timed
    host = torch.ones(16 << 20, dtype=torch.uint8).pin_memory()
    with track_transfers() as log:
        dev = host.to("cuda", non_blocking=True)
        back = dev.cpu()
        dev.sum().item()
        torch.tensor([1.0, 2.0], device="cuda")
    h2d, d2h, item, factory = log.entries
    assert (h2d.src, h2d.dst, h2d.nbytes, h2d.pinned, h2d.non_blocking, h2d.op) == (
        "cpu",
        "cuda:0",
        16 << 20,
        True,
        True,
        "to",
    )
    assert (d2h.src, d2h.dst, d2h.nbytes, d2h.op) == ("cuda:0", "cpu", 16 << 20, "cpu")
    assert (item.op, item.nbytes, factory.op, factory.nbytes) == ("item", 8, "tensor", 8)
    assert all(t.seconds is not None and t.seconds > 0 for t in log.entries)
    nbytes, count, seconds = log.totals()[("cpu", "cuda:0")]
    assert (nbytes, count) == ((16 << 20) + 8, 2) and seconds is not None
    assert "GB/s" in log._repr_html_()
    del back


def test_the_first_copy_is_untimed_when_it_initializes_cuda():
    got = _fresh(
        """
        import json, torch
        from tensorviz.memory_sources import track_transfers
        x = torch.ones(1000)
        with track_transfers() as log:
            a = x.cuda()
            b = x.cuda()
        print(json.dumps([t.seconds for t in log.entries]))
        """
    )
    assert got[0] is None and got[1] is not None and got[1] > 0
