"""Check the memory core on a CUDA machine, in one run of a few minutes; prints a summary.

    python benchmarks/gpu_check.py [--skip-pytest] [--fixtures DIR]

In order:
  1. a fresh process: device_memory(), census() and reset_peak() leave CUDA uninitialized;
  2. a small allocator snapshot (torch.cuda.memory._record_memory_history + _dump_snapshot of a few
     allocations and frees) saved as tests/fixtures/snapshot-small.pickle (or in --fixtures DIR, e.g. a folder
     that is copied back from the GPU machine), with a JSON sidecar (snapshot-small.json) labelled with the
     torch version and the GPU model; file paths in its stack frames are made relative (<torch>/...,
     <repo>/...) so that the fixture names no machine;
  3. device_memory() figures against torch.cuda.memory_allocated / memory_reserved / max_memory_allocated /
     mem_get_info, and the cost of one poll;
  4. reset_peak();
  5. the census of CUDA tensors (each storage once) against the allocator's figure;
  6. copies timed with CUDA events (pinned and pageable host memory, both directions);
  7. ``pytest -m gpu`` over the test suite (skip with --skip-pytest).

Without CUDA it says so and exits 0 at once. The exit status is 1 when a check failed.
"""

from __future__ import annotations

import argparse
import json
import os
import pickle
import subprocess
import sys
import tempfile
import time
import xml.etree.ElementTree as ET
from typing import Any

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, ROOT)

import torch  # noqa: E402

FIXTURES = os.path.join(ROOT, "tests", "fixtures")  # where the snapshot fixture goes (--fixtures)
results: list[tuple[str, bool, str]] = []


def check(name: str, ok: bool, detail: str = "") -> bool:
    results.append((name, bool(ok), detail))
    print(f"{'PASS' if ok else 'FAIL'}  {name}" + (f"  ({detail})" if detail else ""), flush=True)
    return bool(ok)


def fresh_process() -> None:
    code = (
        "import json, torch\n"
        "from tensorviz.memory_sources import census, cuda_state, device_memory, reset_peak\n"
        "state = cuda_state(); d = device_memory(); census(); peak = reset_peak()\n"
        "print(json.dumps({'state': state, 'initialized': torch.cuda.is_initialized(), 'peak': peak,\n"
        "  'gpus': [x.device for x in d if x.device.startswith('cuda')], 'first': d[0].to_json()}))\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120, cwd=ROOT)
    if out.returncode != 0:
        check("fresh process: reading memory leaves CUDA uninitialized", False, out.stderr.strip()[-500:])
        return
    got = json.loads(out.stdout.strip().splitlines()[-1])
    first = got["first"]
    check(
        "fresh process: reading memory leaves CUDA uninitialized",
        got["state"] == "not initialized" and not got["initialized"] and got["peak"] is False,
        f"state {got['state']!r}, initialized after reading: {got['initialized']}",
    )
    check(
        "fresh process: one entry per GPU, allocator figures n/a with the reason",
        got["gpus"] == [f"cuda:{i}" for i in range(torch.cuda.device_count())]
        and first["allocated"] is None
        and "not initialized" in first["notes"].get("allocated", ""),
        f"total/free from {first['sources'].get('total', 'nowhere')}: {first['notes'].get('total', 'read')}",
    )


def _scrub(value: Any, prefixes: list[tuple[str, str]]) -> Any:
    """The same structure with machine paths in strings made relative (frames name files)."""
    if isinstance(value, dict):
        return {k: _scrub(v, prefixes) for k, v in value.items()}
    if isinstance(value, list):
        return [_scrub(v, prefixes) for v in value]
    if isinstance(value, tuple):
        return tuple(_scrub(v, prefixes) for v in value)
    if isinstance(value, str) and os.sep in value:
        for prefix, label in prefixes:
            if value.startswith(prefix):
                return label + value[len(prefix) :]
        if os.path.isabs(value):
            return "<elsewhere>/" + os.path.basename(value)
    return value


def snapshot_fixture(folder: str = FIXTURES) -> None:
    torch.cuda.memory._record_memory_history(enabled="all", context="all", stacks="python", max_entries=10_000)
    sizes = [512, 100_000, 1 << 20, 3 << 20, 24 << 20]
    kept = [torch.empty(n, dtype=torch.uint8, device="cuda") for n in sizes]  # small pool, large pool, a new segment
    del kept[1]  # a free inside the trace
    kept.append(torch.empty(2 << 20, dtype=torch.uint8, device="cuda"))  # may reuse the freed block's segment
    tmp = torch.empty(8 << 20, dtype=torch.uint8, device="cuda")
    del tmp  # the peak lies here
    torch.cuda.synchronize()
    allocated, reserved, peak = (
        torch.cuda.memory_allocated(0),
        torch.cuda.memory_reserved(0),
        torch.cuda.max_memory_allocated(0),
    )
    with tempfile.TemporaryDirectory() as tmpdir:
        raw = os.path.join(tmpdir, "snapshot.pickle")
        torch.cuda.memory._dump_snapshot(raw)
        with open(raw, "rb") as src:
            snap = pickle.load(src)  # written by torch just now
    torch.cuda.memory._record_memory_history(enabled=None)
    prefixes = sorted(
        {
            (os.path.dirname(os.path.abspath(torch.__file__)), "<torch>"),
            (ROOT, "<repo>"),
            (sys.prefix, "<python>"),
            (sys.base_prefix, "<python>"),
            (os.path.expanduser("~"), "<home>"),
        },
        key=lambda p: -len(p[0]),
    )
    snap = _scrub(snap, prefixes)
    os.makedirs(folder, exist_ok=True)
    path = os.path.join(folder, "snapshot-small.pickle")
    with open(path, "wb") as out:
        pickle.dump(snap, out)
    events = [len(t) for t in snap.get("device_traces", [])]
    sidecar = {
        "file": "snapshot-small.pickle",
        "made_by": "benchmarks/gpu_check.py",
        "torch": torch.__version__,
        "cuda": torch.version.cuda,
        "gpu": torch.cuda.get_device_name(0),
        "capability": list(torch.cuda.get_device_capability(0)),
        "allocations": [*sizes, 2 << 20, 8 << 20],
        "freed": [100_000, 8 << 20],
        "alive_at_dump": [*(n for i, n in enumerate(sizes) if i != 1), 2 << 20],
        "allocated_at_dump": allocated,
        "reserved_at_dump": reserved,
        "peak_allocated": peak,
        "events_per_device": events,
        "note": "allocated/reserved/peak are torch.cuda.memory_allocated/reserved/max_memory_allocated at the dump "
        "(allocated counts blocks rounded up to 512 B; the trace records the sizes asked for)",
    }
    with open(os.path.join(folder, "snapshot-small.json"), "w") as text:
        json.dump(sidecar, text, indent=2)
        text.write("\n")
    leaked = [s for s in _strings(snap) if ROOT in s or (os.path.isabs(s) and os.sep in s)]
    check(
        "snapshot fixture written",
        bool(events) and sum(events) >= 8 and not leaked,
        f"{path}: {os.path.getsize(path)} bytes, {sum(events)} events, paths left unscrubbed: {len(leaked)}",
    )
    try:
        from tensorviz.snapshot import read_snapshot
    except ImportError:
        return
    replay = read_snapshot(path)
    check(
        "tensorviz.snapshot reads the fixture",
        replay.peak_allocated > 0,
        f"peak {replay.peak_allocated} B from the trace, {peak} B by torch (rounded blocks); flags: "
        + "; ".join(f.message for f in replay.flags)[:300],
    )
    del kept


def _strings(value: Any) -> list[str]:
    if isinstance(value, dict):
        return [s for v in value.values() for s in _strings(v)]
    if isinstance(value, (list, tuple)):
        return [s for v in value for s in _strings(v)]
    return [value] if isinstance(value, str) else []


def device_figures() -> None:
    from tensorviz.memory_sources import cuda_state, device_memory, reset_peak

    x = torch.empty(8 << 20, dtype=torch.uint8, device="cuda")
    torch.cuda.synchronize()
    d = device_memory()[0]
    want = (
        torch.cuda.memory_allocated(0),
        torch.cuda.memory_reserved(0),
        torch.cuda.max_memory_allocated(0),
        torch.cuda.mem_get_info(0)[1],
    )
    check(
        "device_memory() figures are torch's own",
        (d.allocated, d.reserved, d.peak, d.total) == want and cuda_state() == "initialized",
        f"{d.name}: allocated {d.allocated}, reserved {d.reserved}, peak {d.peak}, total {d.total}, free {d.free}; "
        f"sources {d.sources}",
    )
    n = 2000
    cpu0, wall0 = time.process_time(), time.perf_counter()
    for _ in range(n):
        device_memory()
    cpu, wall = (time.process_time() - cpu0) / n, (time.perf_counter() - wall0) / n
    check(
        "one poll of device_memory() costs <= 1 ms of CPU",
        cpu <= 1e-3,
        f"{cpu * 1e6:.0f} µs CPU, {wall * 1e6:.0f} µs wall",
    )

    tmp = torch.empty(64 << 20, dtype=torch.uint8, device="cuda")
    del tmp
    before = device_memory()[0].peak
    done = reset_peak("cuda:0")
    after = device_memory()[0]
    check(
        "reset_peak() brings the peak down to what is allocated",
        done and before is not None and before >= 64 << 20 and after.peak == after.allocated,
        f"peak {before} -> {after.peak}, allocated {after.allocated}",
    )
    del x


def census_check() -> None:
    from tensorviz.memory_sources import census

    x = torch.zeros(1000, 1000, device="cuda")
    views = [x[10:], x.t(), x[:, 0].expand(7, 1000)]
    t0 = time.perf_counter()
    c = census({"x": x, "views": views})
    took = time.perf_counter() - t0
    (entry,) = [e for e in c.entries if "x" in e.names]
    allocated = torch.cuda.memory_allocated(0)
    check(
        "census counts a CUDA storage once, views included",
        (entry.device, entry.nbytes, entry.tensors) == ("cuda:0", 4_000_000, 4) and c.totals["cuda:0"] <= allocated,
        f"census total on cuda:0 {c.totals['cuda:0']} B, allocator {allocated} B, {took * 1e3:.1f} ms",
    )


def transfers_check() -> None:
    from tensorviz.memory_sources import track_transfers

    size = 256 << 20
    pinned = torch.ones(size, dtype=torch.uint8).pin_memory()
    pageable = torch.ones(size, dtype=torch.uint8)
    torch.cuda.synchronize()
    with track_transfers() as log:
        for _ in range(3):
            a = pinned.to("cuda", non_blocking=True)
            b = pageable.cuda()
            back = a.cpu()
        scalar = a[:8].sum().item()
    timed = [t for t in log.entries if t.seconds is not None]
    lines = []
    for t in log.entries[:3]:
        rate = t.nbytes / t.seconds / 1e9 if t.seconds else float("nan")
        flags = "pinned" if t.pinned else "pageable"
        lines.append(f"{t.op} {t.src}->{t.dst} {flags}: {rate:.1f} GB/s")
    check(
        "copies are logged and timed with CUDA events",
        len(log.entries) == 10 and len(timed) == 10 and log.entries[0].pinned and log.entries[0].non_blocking,
        "; ".join(lines) + f"; totals {log.totals()}",
    )
    rates = [t.nbytes / t.seconds / 1e9 for t in timed[:9] if t.seconds]
    check("achieved bandwidths are plausible (0.1 to 1000 GB/s)", all(0.1 < r < 1000 for r in rates), "")
    del a, b, back, scalar


def pytest_gpu() -> None:
    with tempfile.TemporaryDirectory() as tmpdir:
        report = os.path.join(tmpdir, "report.xml")
        t0 = time.perf_counter()
        command = [sys.executable, "-m", "pytest", "-m", "gpu", "-q", "-p", "no:cacheprovider", "--junitxml", report]
        out = subprocess.run(
            [*command, "tests"],
            capture_output=True,
            text=True,
            timeout=240,
            cwd=ROOT,
        )
        took = time.perf_counter() - t0
        counts = {"passed": 0, "failed": 0, "skipped": 0}
        failed, uncollected = [], []
        if os.path.exists(report):
            for case in ET.parse(report).getroot().iter("testcase"):
                kinds = {child.tag for child in case}
                errors = [child.get("message", "") for child in case if child.tag == "error"]
                if any("collection failure" in m for m in errors):  # a test module this machine cannot import
                    uncollected.append(case.get("classname", "?"))
                elif kinds & {"failure", "error"}:
                    counts["failed"] += 1
                    failed.append(case.get("name", "?"))
                elif "skipped" in kinds:
                    counts["skipped"] += 1
                else:
                    counts["passed"] += 1
    tail = " ".join(out.stdout.strip().splitlines()[-1:])
    check(
        "pytest -m gpu",
        counts["passed"] > 0 and counts["failed"] == 0,
        f"{counts} in {took:.0f} s; failed: {failed}; modules not collected here: {uncollected}; {tail}",
    )


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--skip-pytest", action="store_true", help="do not run pytest -m gpu")
    parser.add_argument("--fixtures", default=FIXTURES, help="folder for snapshot-small.pickle and .json")
    opts = parser.parse_args()
    if not torch.cuda.is_available():
        print(f"no CUDA device here (torch {torch.__version__}, CUDA build: {torch.version.cuda}); nothing to check")
        return 0
    start = time.perf_counter()
    print(f"torch {torch.__version__}, CUDA {torch.version.cuda}, {torch.cuda.device_count()} GPU(s)", flush=True)
    steps = [fresh_process, lambda: snapshot_fixture(opts.fixtures), device_figures, census_check, transfers_check]
    if not opts.skip_pytest:
        steps.append(pytest_gpu)
    for step in steps:
        try:
            step()
        except Exception as err:  # one failed step must not hide the others
            check(getattr(step, "__name__", "snapshot_fixture"), False, f"{type(err).__name__}: {err}")
    failed = [name for name, ok, _ in results if not ok]
    print(
        f"\nsummary: {len(results) - len(failed)} of {len(results)} checks passed in {time.perf_counter() - start:.0f} s"
        f" on {torch.cuda.get_device_name(0)}" + (f"; failed: {', '.join(failed)}" if failed else "")
    )
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
