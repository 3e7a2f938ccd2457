"""Metadata and summary statistics of a tensor: plain data, no widget code.

``inspect(x)`` never copies the tensor and never moves it off its device. Statistics are computed on
the tensor's own device; above :data:`SAMPLE_THRESHOLD` elements they are computed on a fixed-seed
sample and say so: :data:`SAMPLE_SIZE` elements drawn at random, or, for a tensor memory-mapped from a
file, :data:`SAMPLE_RUNS` runs of consecutive elements, so that only a few hundred places of the file
are read (a random element per page would read all of it).
"""

from __future__ import annotations

import ctypes
import math
import mmap
import random
import sys
from collections.abc import Iterable
from dataclasses import asdict, dataclass
from typing import Any

import torch

from .adapt import as_tensor
from .dtypes import dtype_name, dtype_traits
from .nonfinite import mapped_file

SAMPLE_THRESHOLD = 1 << 22  # elements; above this, stats come from a sample
SAMPLE_SIZE = 1 << 20
# A memory-mapped tensor is sampled in SAMPLE_RUNS runs that each span SAMPLE_SIZE // SAMPLE_RUNS consecutive elements
# of memory (16 KiB of float32): each run is a few pages of the file, where a random element costs a page of its own.
SAMPLE_RUNS = 256
STATS_CHUNK = 1 << 20  # elements summarised at a time: an 8 MB float64 working copy
_SAMPLE_SEED = 0x7E5


@dataclass(frozen=True)
class Stats:
    """Summary of a tensor's values (of their magnitude for complex tensors).

    ``min``/``max``/``mean``/``std`` are over the finite values and ``None`` when there are none.
    ``count`` is how many elements were looked at: all of them, or ``sample_size`` when sampled (at random, or
    in runs of consecutive elements for a memory-mapped tensor: see :func:`compute_stats`).
    """

    min: float | None
    max: float | None
    mean: float | None
    std: float | None
    nan: int
    posinf: int
    neginf: int
    zeros: int
    count: int
    sampled: bool
    sample_size: int | None
    of: str  # "values", "magnitude" (complex) or "stored values" (sparse)


@dataclass(frozen=True)
class TensorInfo:
    """What a tensor is, without its values.

    >>> info = inspect(torch.zeros(2, 3))
    >>> info.shape, info.dtype, info.nbytes
    ((2, 3), 'float32', 24)
    """

    shape: tuple[int, ...]
    rank: int
    numel: int
    dtype: str
    device: str
    layout: str
    strides: tuple[int, ...] | None
    is_contiguous: bool
    storage_offset: int | None
    element_size: int
    nbytes: int
    storage_nbytes: int | None
    requires_grad: bool
    grad_fn: str | None
    nnz: int | None
    value_kind: str
    values: bool
    values_note: str | None
    stats: Stats | None

    def to_json(self) -> dict[str, Any]:
        """Plain JSON-able dict, as sent to the frontend; a non-finite figure becomes ``None``."""
        data: dict[str, Any] = {k: list(v) if isinstance(v, tuple) else v for k, v in asdict(self).items()}
        if data["stats"] is not None:
            data["stats"] = {k: _finite_or_none(v) for k, v in data["stats"].items()}
        return data


def _finite_or_none(v: Any) -> Any:
    return None if isinstance(v, float) and not math.isfinite(v) else v


def inspect(x: Any) -> TensorInfo:
    """Describe ``x`` (torch tensor, numpy array or ``__dlpack__`` object) without copying it."""
    t = as_tensor(x)
    traits = dtype_traits(t.dtype)
    layout = str(t.layout).removeprefix("torch.")
    strided = t.layout == torch.strided
    numel = t.numel()
    element_size = t.element_size()
    nnz = _nnz(t)

    note = traits.note
    if t.device.type == "meta":
        note = "meta tensors have no values: only their structure exists"
    elif numel == 0:
        note = "the tensor is empty (a 0 in its shape): there are no values"
    stats = None
    if note is None:
        try:
            stats = compute_stats(t)
        except (RuntimeError, NotImplementedError, TypeError) as err:
            # e.g. a quantized tensor made by empty() has no quantizer to read it with.
            note = f"torch could not read the values of this {dtype_name(t.dtype)} tensor: {_first_line(err)}"
    values = note is None

    return TensorInfo(
        shape=tuple(t.shape),
        rank=t.dim(),
        numel=numel,
        dtype=dtype_name(t.dtype),
        device=str(t.device),
        layout=layout,
        strides=tuple(t.stride()) if strided else None,
        is_contiguous=t.is_contiguous() if strided else False,
        storage_offset=int(t.storage_offset()) if strided else None,
        element_size=element_size,
        nbytes=numel * element_size,
        storage_nbytes=_storage_nbytes(t),
        requires_grad=t.requires_grad,
        grad_fn=type(t.grad_fn).__name__ if t.grad_fn is not None else None,
        nnz=nnz,
        value_kind=traits.value_kind,
        values=values,
        values_note=note,
        stats=stats,
    )


def _first_line(err: BaseException) -> str:
    return str(err).strip().splitlines()[0][:200] if str(err).strip() else type(err).__name__


def _nnz(t: torch.Tensor) -> int | None:
    if t.layout == torch.sparse_coo:
        return int(t._nnz())
    if t.layout in (torch.sparse_csr, torch.sparse_csc, torch.sparse_bsr, torch.sparse_bsc):
        return int(t._nnz())
    return None


def _storage_nbytes(t: torch.Tensor) -> int | None:
    if t.layout != torch.strided:
        return None
    try:
        return int(t.untyped_storage().nbytes())
    except (RuntimeError, NotImplementedError):
        return None


def stored_values(t: torch.Tensor) -> torch.Tensor:
    """The values a tensor holds: itself when strided, its stored (non-zero) entries when sparse."""
    if t.layout == torch.sparse_coo:
        return t._values()
    if t.layout != torch.strided:
        return t.values()
    return t


def compute_stats(x: Any) -> Stats | None:
    """Statistics of the values, on the tensor's device; ``None`` when there are none to summarise.

    Values are summarised in float64 (float32 data near its range limit, e.g. ``[3e38, 3e38, -3e38]``,
    has a float32 sum that overflows), but :data:`STATS_CHUNK` elements at a time so the float64 working
    copy stays a few MB whatever the tensor's size; the chunks' counts and moments are then merged.

    Above :data:`SAMPLE_THRESHOLD` elements the figures are those of a fixed-seed sample: :data:`SAMPLE_SIZE`
    elements drawn at random, or for a tensor memory-mapped from a file (:func:`nonfinite.mapped_file`)
    :data:`SAMPLE_RUNS` runs of consecutive elements spread evenly over its memory, which read a few thousand
    pages of the file instead of nearly every page.
    """
    t = as_tensor(x)
    traits = dtype_traits(t.dtype)
    if traits.encoding is None or t.device.type == "meta":
        return None
    of = "stored values" if t.layout != torch.strided else "values"
    t = stored_values(t).detach()
    total = t.numel()
    if total == 0:
        return None

    sampled = total > SAMPLE_THRESHOLD
    if not sampled:
        x = t
    elif t.layout == torch.strided and mapped_file(t) is not None:
        x = _sample_runs(t, SAMPLE_SIZE, SAMPLE_RUNS)
    else:
        x = _sample(t, SAMPLE_SIZE)
    if x.is_complex():
        of = "magnitude"
    flat = x.reshape(-1)
    running = _Running()
    for start in range(0, flat.numel(), STATS_CHUNK):
        running.add(_summable(flat[start : start + STATS_CHUNK]))
    finite = running.n > 0
    return Stats(
        min=running.lo if finite else None,
        max=running.hi if finite else None,
        mean=running.mean if finite else None,
        std=math.sqrt(running.m2 / (running.n - 1)) if running.n > 1 else None,
        nan=running.nan,
        posinf=running.posinf,
        neginf=running.neginf,
        zeros=running.zeros,
        count=int(flat.numel()),
        sampled=sampled,
        sample_size=int(flat.numel()) if sampled else None,
        of=of,
    )


def _summable(chunk: torch.Tensor) -> torch.Tensor:
    """A chunk of values as float32 or float64 (magnitudes for complex, dequantized values for quantized).

    float32 and narrower floats stay float32 (summed with a float64 accumulator below); integers become
    float64 so that large int64 values keep their digits.
    """
    if chunk.is_quantized:
        chunk = chunk.dequantize()
    if chunk.is_complex():
        chunk = chunk.to(torch.complex64 if chunk.dtype == torch.complex32 else chunk.dtype).abs()
    if chunk.dtype == torch.float64:
        return chunk
    if chunk.is_floating_point():
        return chunk if chunk.dtype == torch.float32 else chunk.to(torch.float32)
    return chunk.to(torch.float64)


# Beyond this magnitude a float32 variance could overflow (its squares): such chunks are summarised in float64.
_FLOAT32_SAFE = 1e18


@dataclass
class _Running:
    """Counts and moments of the values seen so far, one chunk at a time.

    ``n``, ``mean`` and ``m2`` (sum of squared deviations from the mean) are those of the finite values;
    two summaries merge exactly by the parallel update of Chan, Golub and LeVeque, which unlike a
    running sum of squares does not lose the variance to cancellation when the mean is large.
    """

    nan: int = 0
    posinf: int = 0
    neginf: int = 0
    zeros: int = 0
    n: int = 0
    mean: float = 0.0
    m2: float = 0.0
    lo: float = math.inf
    hi: float = -math.inf

    def add(self, chunk: torch.Tensor) -> None:
        """Fold in one chunk (float32 or float64, see :func:`_summable`)."""
        self.zeros += chunk.numel() - int(chunk.count_nonzero())
        total = float(chunk.sum(dtype=torch.float64))  # float32 data cannot overflow a float64 sum
        finite = chunk
        if not math.isfinite(total):
            # Only a NaN or an infinity makes that sum non-finite (float64 data may also overflow it): the slower
            # counting runs only then.
            self.nan += int(torch.isnan(chunk).sum())
            self.posinf += int((chunk == math.inf).sum())
            self.neginf += int((chunk == -math.inf).sum())
            finite = chunk[torch.isfinite(chunk)]
            if finite.numel() == 0:
                return
            total = float(finite.sum(dtype=torch.float64))
        n = finite.numel()
        lo, hi = torch.aminmax(finite)
        mean = total / n if math.isfinite(total) else float(finite.mean())
        if finite.dtype == torch.float32 and max(-float(lo), float(hi)) > _FLOAT32_SAFE:
            finite = finite.to(torch.float64)  # squares near float32's limit overflow it
        # var() rather than var_mean(): on CPU the latter is several times slower for the same figures.
        m2 = float(finite.var(correction=0)) * n
        self.lo, self.hi = min(self.lo, float(lo)), max(self.hi, float(hi))
        merged = self.n + n
        delta = mean - self.mean
        self.mean += delta * n / merged
        self.m2 += m2 + delta * delta * self.n * n / merged
        self.n = merged


def _sample(t: torch.Tensor, size: int) -> torch.Tensor:
    """``size`` elements drawn uniformly (fixed seed) by gathering: no copy of the whole tensor."""
    gen = torch.Generator(device=t.device)
    gen.manual_seed(_SAMPLE_SEED)
    flat = torch.randint(0, t.numel(), (size,), generator=gen, device=t.device)
    index = []
    for extent in reversed(t.shape):
        index.append(flat % extent)
        flat = flat // extent
    return t[tuple(reversed(index))]


def _sample_runs(t: torch.Tensor, size: int, runs: int) -> torch.Tensor:
    """Up to ``size`` elements read as ``runs`` runs of consecutive elements in memory: no copy of the whole tensor.

    A run lies along the tensor's innermost line in memory: its trailing axes in memory order that are contiguous
    together (the whole tensor when it is contiguous). Each run spans at most ``size // runs`` elements of memory,
    so it holds fewer elements when that line is strided, and several whole lines when lines are short and close
    together. There is one run at a fixed-seed random place in each of ``runs`` equal stretches of the elements in
    memory order. Each run is read through a view (``line[start:start + n]``), so only the pages it lies on are
    touched; an expanded axis is read once. The statistics do not depend on order, so the runs come in memory
    order, not the tensor's row-major order.
    """
    mem = _in_memory_order(t)
    if mem.dim() == 0:
        return mem.reshape(1)
    strides, sizes = mem.stride(), mem.shape
    k = mem.dim() - 1
    while k > 0 and strides[k - 1] == strides[k] * sizes[k]:
        k -= 1
    lines = mem.flatten(k) if k < mem.dim() - 1 else mem  # a view: the axes flattened are contiguous together
    length, outer = lines.shape[-1], tuple(lines.shape[:-1])
    span = max(1, size // runs)
    run = max(1, min(length, span // lines.stride(-1)))
    # Lines shorter than a run are read whole, as many neighbours at a time as the span holds.
    together = max(1, min(outer[-1], span // lines.stride(-2))) if run == length and outer else 1
    total, per_run = lines.numel(), run * together
    runs = max(1, min(runs, total // per_run))
    stretch = total // runs
    rng = random.Random(_SAMPLE_SEED)
    pieces = []
    for i in range(runs):
        line, start = divmod(i * stretch + rng.randrange(stretch - per_run + 1), length)
        start = min(start, length - run)  # a run that would cross the end of its line ends there instead
        at = _unravel(line, outer)
        key: tuple[int | slice, ...]
        if together > 1:
            first = min(at[-1], outer[-1] - together)
            key = (*at[:-1], slice(first, first + together))
        else:
            key = (*at, slice(start, start + run))
        pieces.append(lines[key])
    prefetch((p.data_ptr(), _span_bytes(p)) for p in pieces)
    return torch.cat([p.reshape(-1) for p in pieces])


def _span_bytes(v: torch.Tensor) -> int:
    """Bytes from a view's first element to the end of its last (in memory)."""
    return (sum((n - 1) * s for n, s in zip(v.shape, v.stride(), strict=True)) + 1) * v.element_size()


_PAGE = mmap.PAGESIZE
_MADV_WILLNEED = 3  # the same on Linux and macOS
_madvise: Any = None


def prefetch(ranges: Iterable[tuple[int, int]]) -> None:
    """Tell the kernel that these ``(address, length)`` bytes of a memory-mapped file are about to be read.

    Without it, the first touch of a page of a mapped file reads the kernel's readahead window around it (128 KiB by
    default, 8 MiB on some disks): 256 runs of 16 KiB then read gigabytes of the file. ``madvise(MADV_WILLNEED)``
    reads just the pages given (ranges are merged where they share or touch a page), and the reads that follow find
    them in the page cache. A hint: it changes nothing of the mapping, and where it is unavailable nothing happens.
    """
    global _madvise
    if _madvise is None:
        _madvise = False
        if sys.platform.startswith(("linux", "darwin")):
            try:
                fn = ctypes.CDLL(None, use_errno=True).madvise
                fn.argtypes, fn.restype = (ctypes.c_void_p, ctypes.c_size_t, ctypes.c_int), ctypes.c_int
                _madvise = fn
            except (OSError, AttributeError, TypeError):
                pass
    if not _madvise:
        return
    merged: list[list[int]] = []
    for address, length in sorted(ranges):
        lo, hi = address - address % _PAGE, address + max(1, length)
        if merged and lo <= merged[-1][1]:
            merged[-1][1] = max(merged[-1][1], hi)
        else:
            merged.append([lo, hi])
    for lo, hi in merged:
        _madvise(lo, hi - lo, _MADV_WILLNEED)  # a failure (e.g. not mapped) only loses the hint


def _in_memory_order(t: torch.Tensor) -> torch.Tensor:
    """A view of ``t`` with its axes in memory order (largest stride first), expanded axes cut to one element and
    axes of length 1 left out."""
    for axis, (extent, stride) in enumerate(zip(t.shape, t.stride(), strict=True)):
        if stride == 0 and extent > 1:
            t = t.narrow(axis, 0, 1)
    t = t.squeeze()
    strides, shape = t.stride(), t.shape
    order = sorted(range(t.dim()), key=lambda a: (-strides[a], -shape[a]))
    return t.permute(order) if order else t


def _unravel(flat: int, shape: tuple[int, ...]) -> tuple[int, ...]:
    out = []
    for extent in reversed(shape):
        flat, i = divmod(flat, extent)
        out.append(i)
    return tuple(reversed(out))
