"""A tensor memory-mapped from a file opens like any other: statistics and faces page in only what they read.

The big-file tests run in a subprocess, so that the memory they measure is their own. The pages of a mapped file that
a process touches count in its resident memory (its peak: ``VmHWM``), so the peak growth says how much of the file was
paged in; ``/proc/self/io`` says how much of it was read from disk (readahead included). The file is dropped from the page
cache before each run (fsync, then ``POSIX_FADV_DONTNEED``): a file larger than RAM is not in the page cache, and a
file just written sits there in large folios, of which each page fault maps up to 2 MiB.
"""

from __future__ import annotations

import json
import math
import os
import shutil
import subprocess
import sys
import textwrap

import numpy as np
import pytest
import torch

import tensorviz as tv
from tensorviz import info, slicing
from tensorviz.nonfinite import mapped_file
from tensorviz.protocol import FaceRequest

GIB = 1 << 30
BIG = 4 * GIB  # bytes of the file of the paging-in tests
ADDED_LIMIT_MIB = 256  # resident memory one opening may add: far below the file's size
READ_LIMIT_MIB = 256  # bytes it may read from disk

SCRIPT = textwrap.dedent(
    """
    import json, sys, time, torch, tensorviz as tv
    from tensorviz.memory_sources import process_peak, reset_process_peak

    def status_mib(field):
        with open("/proc/self/status") as status:
            return next(int(line.split()[1]) for line in status if line.startswith(field + ":")) / 1024

    def peak_mib():  # VmHWM (see process_peak)
        return process_peak() / 2**20

    def read_mib():  # what this process has read from disk, or None where /proc/self/io is missing
        try:
            with open("/proc/self/io") as io:
                return next(int(line.split()[1]) for line in io if line.startswith("read_bytes")) / 2**20
        except (OSError, StopIteration):
            return None

    path, shape, faces = sys.argv[1], json.loads(sys.argv[2]), json.loads(sys.argv[3])
    numel = 1
    for n in shape:
        numel *= n
    t = torch.from_file(path, shared=True, size=numel).view(shape)
    assert reset_process_peak()  # the peak starts again from what is resident now
    base, read0, started = status_mib("VmRSS"), read_mib(), time.perf_counter()
    steps = {}

    def mark(name):
        steps[name] = [round(peak_mib() - base, 1), round(time.perf_counter() - started, 3)]

    stats = tv.inspect(t).stats
    mark("inspect")
    view = tv.show(t)
    mark("show")
    sent = []
    view.send = lambda content, buffers=None: sent.append(content)
    metas = []
    for face in faces:  # one request per face, as the frontend asks for what it draws
        view._on_message(view, {"kind": "faces", "id": "f", "budget": [293, 293], "faces": [face]}, [])
        assert sent[-1]["kind"] == "faces", sent[-1]
        metas.append(sent[-1]["faces"][0])
        mark(f"face {face['axes']}")
    read1 = read_mib()
    print(json.dumps({
        "added_mib": peak_mib() - base,
        "seconds": time.perf_counter() - started,
        "read_mib": None if read0 is None else read1 - read0,
        "steps": steps,
        "faces": metas,
        "stats": {"sampled": stats.sampled, "sample_size": stats.sample_size},
    }))
    """
)


def _open(path, shape, faces, timeout=300):
    """Run SCRIPT on the file: inspect, show, then serve ``faces``; its figures, printed."""
    try:
        out = subprocess.run(
            [sys.executable, "-c", SCRIPT, str(path), json.dumps(shape), json.dumps(faces)],
            capture_output=True,
            text=True,
            timeout=timeout,
        )
    except subprocess.TimeoutExpired:
        pytest.fail(f"opening a mapped tensor of shape {shape} took over {timeout} s")
    assert out.returncode == 0, out.stderr[-3000:]
    figures = json.loads(out.stdout.strip().splitlines()[-1])
    print(json.dumps({k: figures[k] for k in ("added_mib", "seconds", "read_mib", "steps")}))
    return figures


def _drop_from_page_cache(path):
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
        os.posix_fadvise(fd, 0, 0, os.POSIX_FADV_DONTNEED)
    finally:
        os.close(fd)


def _write_index_file(path, numel, chunk=1 << 24):
    """A float32 file whose element i holds i (rounded to float32 above 2**24), written a chunk at a time."""
    with open(path, "wb") as f:
        for start in range(0, numel, chunk):
            np.arange(start, min(numel, start + chunk), dtype=np.float64).astype(np.float32).tofile(f)


linux_only = pytest.mark.skipif(
    not (hasattr(os, "posix_fadvise") and os.path.exists("/proc/self/clear_refs")),
    reason="measures with /proc/self/status and drops the file from the page cache with posix_fadvise (Linux)",
)


@pytest.fixture(scope="module")
def big_file(tmp_path_factory):
    folder = tmp_path_factory.mktemp("mmap")
    free = shutil.disk_usage(folder).free
    if free < 10 * GIB:
        pytest.skip(f"needs 10 GiB of free disk for a 4 GiB file; {free / GIB:.1f} GiB free at {folder}")
    path = folder / "big.f32"
    try:
        _write_index_file(path, BIG // 4)
        yield path
    finally:
        path.unlink(missing_ok=True)


@pytest.mark.parametrize(
    ("shape", "faces"),
    [
        # a matrix: the face the frontend asks for first
        ([32768, 32768], [{"axes": [0, 1], "index": [0, 0], "window": None}]),
        # a stack of matrices: the cube's front face, top face (first row of each slice) and side face (last
        # column of each slice: an element every 16 KiB, so reading it whole would page in the whole file)
        (
            [64, 4096, 4096],
            [
                {"axes": [1, 2], "index": [0, 0, 0], "window": None},
                {"axes": [0, 2], "index": [0, 0, 0], "window": None},
                {"axes": [0, 1], "index": [0, 0, 4095], "window": None},
            ],
        ),
    ],
    ids=["matrix", "cube"],
)
@linux_only
def test_opening_a_4_gib_mapped_tensor_pages_in_only_what_it_reads(big_file, shape, faces):
    # Measured here (cold page cache): before, tv.inspect alone added 4127 MiB and read 4096 MiB from disk (10^6
    # random elements: nearly every page), and the cube's side face alone paged in the whole file; now the matrix
    # adds 88-116 MiB (the stats sample 22, the face the rest: every 64th row) and reads 69 MiB, the cube adds
    # 98-107 MiB and reads 93 MiB, each in about a second. Without the readahead hint (info.prefetch) the 256 runs
    # of the sample read 3.3 GiB on this disk, whose readahead is 8 MiB (each page fault reads the window around it).
    _drop_from_page_cache(big_file)
    figures = _open(big_file, shape, faces)
    assert figures["stats"] == {"sampled": True, "sample_size": info.SAMPLE_SIZE}
    assert all(meta["error"] is None for meta in figures["faces"]), figures["faces"]
    assert figures["added_mib"] < ADDED_LIMIT_MIB, f"opening added {figures['added_mib']:.0f} MiB: {figures['steps']}"
    if figures["read_mib"] is not None:
        assert figures["read_mib"] < READ_LIMIT_MIB, f"read {figures['read_mib']:.0f} MiB: {figures['steps']}"
    assert figures["seconds"] < 120, figures["steps"]
    if len(shape) == 3:
        side = figures["faces"][-1]
        assert side["sample"] != [1, 1] and side["step"][1] > 14, side  # thinned, and says so


@linux_only
def test_a_32_gib_mapped_tensor_inspects_in_seconds(tmp_path):
    # A sparse file: 32 GiB long, no disk used (its holes read as zeros). Before, tv.inspect did not return within
    # 180 s (its 10^6 random elements page in most of the file; the page cache filled the machine's 23 GiB of RAM);
    # now it takes 0.01-0.09 s and adds 22 MiB, and with the first face 92-100 MiB.
    path = tmp_path / "sparse.f32"
    shape = [1 << 17, 1 << 16]
    try:
        with open(path, "wb") as f:
            f.truncate(32 * GIB)
        if os.stat(path).st_blocks * 512 > 1 << 20:
            pytest.skip(f"the file system at {tmp_path} does not keep sparse files")
        figures = _open(path, shape, [{"axes": [0, 1], "index": [0, 0], "window": None}], timeout=180)
    finally:
        path.unlink(missing_ok=True)
    seconds = figures["steps"]["inspect"][1]
    print(f"tv.inspect of a 32 GiB mapped tensor: {seconds:.2f} s")
    assert seconds < 60
    assert figures["added_mib"] < ADDED_LIMIT_MIB, figures["steps"]
    assert figures["faces"][0]["error"] is None and figures["faces"][0]["sample"] != [1, 1]


# -- the statistics of a mapped tensor: its sample ---------------------------------------------------------------


@pytest.fixture
def index_file(tmp_path):
    """A 64 MiB float32 file whose element i holds i (exact: i < 2**24), beyond the size read whole."""
    path = tmp_path / "index.f32"
    _write_index_file(path, 1 << 24)
    assert (1 << 24) > info.SAMPLE_THRESHOLD
    yield path
    path.unlink(missing_ok=True)


def _no_random_gather(monkeypatch):
    def refuse(*_):
        raise AssertionError("a random gather reads a page per element of a mapped tensor")

    monkeypatch.setattr(info, "_sample", refuse)


def test_a_mapped_tensor_is_sampled_in_runs_and_its_stats_are_those_of_the_runs(index_file, monkeypatch):
    _no_random_gather(monkeypatch)
    n = 1 << 24
    t = torch.from_file(str(index_file), shared=True, size=n)
    stats = tv.inspect(t).stats
    assert stats.sampled and stats.sample_size == stats.count == info.SAMPLE_SIZE
    # The sample is SAMPLE_RUNS runs of consecutive elements, one in each equal stretch of the tensor.
    x = info._sample_runs(t, info.SAMPLE_SIZE, info.SAMPLE_RUNS).double()
    runs = x.view(info.SAMPLE_RUNS, -1)
    run, stretch = runs.shape[1], n // info.SAMPLE_RUNS
    assert run == 4096 and bool((runs.diff(dim=1) == 1).all())
    starts = runs[:, 0].long()
    assert bool((starts >= torch.arange(info.SAMPLE_RUNS) * stretch).all())
    assert bool((starts + run <= torch.arange(1, info.SAMPLE_RUNS + 1) * stretch).all())
    # The figures are exactly those of the sample...
    assert stats.min == float(x.min()) and stats.max == float(x.max())
    assert stats.mean == pytest.approx(float(x.mean()), rel=1e-12)
    assert stats.std == pytest.approx(float(x.std()), rel=1e-6)  # the variance of float32 chunks is float32
    assert stats.zeros == int((x == 0).sum()) and stats.nan == 0
    # ...and near those of the whole tensor (0..n-1), as far as 256 runs spread evenly allow.
    assert stats.min < stretch and stats.max > n - stretch
    assert stats.mean == pytest.approx((n - 1) / 2, rel=0.01)
    assert stats.std == pytest.approx(n / math.sqrt(12), rel=0.02)


def test_a_non_contiguous_mapped_tensor_is_sampled_along_its_lines_in_memory(index_file, monkeypatch):
    _no_random_gather(monkeypatch)
    t = torch.from_file(str(index_file), shared=True, size=1 << 24).view(4096, 4096)
    plain = tv.inspect(t).stats
    transposed = tv.inspect(t.T).stats  # the same memory, read in the same runs
    assert (transposed.min, transposed.max, transposed.mean, transposed.count) == (
        plain.min,
        plain.max,
        plain.mean,
        plain.count,
    )
    # Every other column: runs span as much memory as before, so hold half as many elements.
    x = info._sample_runs(t[:, ::2], info.SAMPLE_SIZE, info.SAMPLE_RUNS)
    assert x.numel() == info.SAMPLE_SIZE // 2 and bool((x % 2 == 0).all())
    assert tv.inspect(t[:, ::2]).stats.sample_size == info.SAMPLE_SIZE // 2
    # Short lines close together: whole lines, as many as a run's span holds.
    y = info._sample_runs(t.view(-1, 16)[:, :3], info.SAMPLE_SIZE, info.SAMPLE_RUNS)
    assert y.numel() == 256 * 3 * info.SAMPLE_RUNS and bool((y % 16 < 3).all())


def test_torch_load_mmap_and_safetensors_tensors_are_sampled_in_runs(tmp_path, monkeypatch):
    values = torch.arange(4096 * 1100, dtype=torch.float32).view(4096, 1100)  # beyond the size read whole
    torch.save({"w": values}, tmp_path / "w.pt")
    tensors = {"torch.load(mmap=True)": torch.load(tmp_path / "w.pt", mmap=True)["w"]}
    try:
        from safetensors.torch import load_file, save_file
    except ImportError:
        pass
    else:
        save_file({"w": values}, tmp_path / "w.safetensors")
        tensors["safetensors.load_file"] = load_file(tmp_path / "w.safetensors")["w"]
    _no_random_gather(monkeypatch)
    for how, t in tensors.items():
        assert mapped_file(t), how
        stats = tv.inspect(t).stats
        assert stats.sampled and stats.sample_size == info.SAMPLE_SIZE, how
        x = info._sample_runs(t, info.SAMPLE_SIZE, info.SAMPLE_RUNS).view(info.SAMPLE_RUNS, -1)
        assert bool((x.diff(dim=1) == 1).all()), how
        assert stats.mean == pytest.approx(float(x.double().mean()), rel=1e-12), how


def test_a_tensor_in_memory_keeps_its_random_sample(monkeypatch):
    # In memory a random gather is cheap (0.11-0.25 s for 10^6 elements of a 4 GiB tensor, against 1 ms for
    # runs) and estimates better: runs of a tensor whose values change along it come from few places.
    monkeypatch.setattr(info, "_sample_runs", lambda *_: pytest.fail("a tensor in memory was sampled in runs"))
    stats = tv.inspect(torch.randn(info.SAMPLE_THRESHOLD + 1)).stats
    assert stats.sampled and stats.sample_size == info.SAMPLE_SIZE


# -- which tensors are mapped ---------------------------------------------------------------------------------------


def test_mapped_file_recognises_every_way_of_mapping_a_file(tmp_path):
    values = torch.arange(5000, dtype=torch.float32)
    raw = tmp_path / "values.f32"
    values.numpy().tofile(raw)
    torch.save({"w": values}, tmp_path / "w.pt")
    mapped = {
        "from_file shared": torch.from_file(str(raw), shared=True, size=5000),
        "from_file private": torch.from_file(str(raw), shared=False, size=5000),
        "numpy memmap": tv.as_tensor(np.memmap(raw, dtype=np.float32, mode="r+")),
        "torch.load(mmap=True)": torch.load(tmp_path / "w.pt", mmap=True)["w"],
        "a view of one": torch.load(tmp_path / "w.pt", mmap=True)["w"][100:200:3],
    }
    in_memory = {"torch.load": torch.load(tmp_path / "w.pt")["w"], "a copy": mapped["from_file shared"].clone()}
    try:
        from safetensors import safe_open
        from safetensors.torch import load_file, save_file
    except ImportError:
        pass
    else:
        save_file({"w": values}, tmp_path / "w.safetensors")
        mapped["safetensors.load_file"] = load_file(tmp_path / "w.safetensors")["w"]
        with safe_open(tmp_path / "w.safetensors", framework="pt") as f:
            mapped["safetensors.safe_open"] = f.get_tensor("w")
        try:
            in_memory["safetensors pread"] = load_file(tmp_path / "w.safetensors", backend="pread")["w"]
        except TypeError:  # an older safetensors without backends
            pass
    files = {"w.pt", "values.f32", "w.safetensors"}
    for how, t in mapped.items():
        assert t.numel() and os.path.basename(mapped_file(t) or "") in files, how
    for how, t in in_memory.items():
        assert mapped_file(t) is None, how


# -- faces of a mapped tensor: bounded in the pieces of file they page in -------------------------------------------


def _largest_magnitude(blocks):
    return blocks.gather(-1, blocks.abs().argmax(-1, keepdim=True)).squeeze(-1)


def test_the_side_face_of_a_mapped_cube_reads_few_pieces_and_says_so(index_file, monkeypatch):
    # A column of every slice: elements 1 KiB apart, so every piece of the file holds some. With a limit of 16
    # pieces the blocks grow to 16 slices x 64 rows and the face reads every 16th slice's column.
    monkeypatch.setattr(slicing, "MAPPED_READ_LIMIT", 16 * slicing.MAPPED_PIECE)
    t = torch.from_file(str(index_file), shared=True, size=1 << 24).view(256, 256, 256)[:64]
    req = FaceRequest((0, 1), (0, 0, 255), None)
    f = slicing.cut_face(t, req, (16, 16))
    assert f.error is None and f.shape == (4, 4) and f.step == (16, 64) and f.sample == (16, 1)
    assert slicing.pieces_read(64, 256, 16, 1, t.stride(0) * 4, t.stride(1) * 4) <= 16
    read = t[::16, :, 255]  # the elements read: every 16th slice, every row
    np.testing.assert_array_equal(f.data, _largest_magnitude(read.reshape(4, 4, 64)).numpy())
    # The same values in memory: not mapped, read whole.
    assert slicing.cut_face(t.clone(), req, (16, 16)).sample == (1, 1)


def test_a_transposed_face_of_a_mapped_tensor_thins_the_rows_in_memory(index_file, monkeypatch):
    # Face rows run along memory rows (4 bytes apart), face columns across them (64 KiB apart): reading every
    # 8th memory row whole (its face column) keeps within 32 pieces; thinning face rows would save nothing.
    monkeypatch.setattr(slicing, "MAPPED_READ_LIMIT", 32 * slicing.MAPPED_PIECE)
    t = torch.from_file(str(index_file), shared=True, size=1 << 24).view(-1, 16384)[:256]
    f = slicing.cut_face(t, FaceRequest((1, 0), (0, 0), None), (16, 16))
    assert f.error is None and f.sample == (1, 8) and f.step == (1024, 16) and f.shape == (16, 16)
    read = t.T[:, ::8]  # 16384 x 32: blocks of 1024 x 2
    blocks = read.reshape(16, 1024, 16, 2).permute(0, 2, 1, 3).reshape(16, 16, -1)
    np.testing.assert_array_equal(f.data, _largest_magnitude(blocks).numpy())


def test_a_mapped_face_within_the_limit_is_cut_as_in_memory(index_file):
    t = torch.from_file(str(index_file), shared=True, size=1 << 24).view(4096, 4096)
    req = FaceRequest((0, 1), (0, 0), None)
    mapped, in_memory = slicing.cut_face(t, req, (293, 293)), slicing.cut_face(t.clone(), req, (293, 293))
    assert (mapped.shape, mapped.step, mapped.sample) == (in_memory.shape, in_memory.step, in_memory.sample)
    np.testing.assert_array_equal(mapped.data, in_memory.data)
