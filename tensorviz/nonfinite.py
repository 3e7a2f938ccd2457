"""Find NaN and infinities: exact counts over the whole tensor, and where the first ones are.

A pure core (no widget code). Statistics of big tensors come from a sample, and big faces are reduced
from a sample of their rows, so a single NaN can hide from both; this module is what makes it visible
again. Everything runs on the tensor's own device in chunks of :data:`CHUNK` elements, so the extra
memory stays a few MB whatever the tensor's size, and nothing is copied off the device but counts and
the indices asked for.

>>> import torch
>>> t = torch.zeros(3, 4)
>>> t[1, 2] = float("nan"); t[2, 0] = float("inf")
>>> found = find_nonfinite(t)
>>> found.nan, found.posinf, found.neginf, found.indices
(1, 1, 0, ((1, 2), (2, 0)))
"""

from __future__ import annotations

import bisect
import itertools
import math
import os
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from typing import Any

import numpy as np
import torch

from .adapt import as_tensor
from .dtypes import dtype_traits

CHUNK = 1 << 21  # elements summed at a time (a sum allocates nothing the size of the chunk)
# Elements of a non-contiguous tensor copied at a time, and of a chunk holding NaN/inf masked at a time: the
# allocator keeps some of every large temporary it hands out, so these stay small.
PIECE = 1 << 18
# Up to this many stored non-finite elements are gathered in memory order and sorted; more are found by a walk in
# row-major order that stops once it has the first ones.
GATHER_LIMIT = 1 << 16
KINDS = ("nan", "posinf", "neginf")


@dataclass(frozen=True)
class NonFinite:
    """Exact counts of NaN, +inf and -inf over the whole tensor, and the first non-finite elements.

    ``indices`` holds the full indices of the first non-finite elements in row-major order (at most the
    ``limit`` asked for), ``kinds`` says which each one is (``"nan"``, ``"posinf"`` or ``"neginf"``).
    For a complex tensor NaN counts elements with a NaN part and ``posinf`` those with an infinite part
    (an infinite magnitude). For a sparse tensor only stored entries can be non-finite.
    """

    nan: int
    posinf: int
    neginf: int
    indices: tuple[tuple[int, ...], ...]
    kinds: tuple[str, ...]

    @property
    def total(self) -> int:
        return self.nan + self.posinf + self.neginf

    @property
    def complete(self) -> bool:
        """Whether ``indices`` lists every non-finite element."""
        return len(self.indices) == self.total

    def to_json(self) -> dict[str, Any]:
        return {
            "nan": self.nan,
            "posinf": self.posinf,
            "neginf": self.neginf,
            "first": [list(i) for i in self.indices],
            "kinds": list(self.kinds),
        }


def can_hold_nonfinite(t: torch.Tensor) -> bool:
    """Whether the tensor's values can be NaN or infinite at all (floating or complex, readable)."""
    traits = dtype_traits(t.dtype)
    if traits.encoding is None or t.device.type == "meta" or t.is_quantized:
        return False
    return traits.value_kind in ("float", "complex")


class ScanStopped(Exception):
    """A scan asked to stop (its result is no longer wanted, or the interpreter is exiting)."""


Stop = Callable[[], bool] | None


def find_nonfinite(x: Any, limit: int = 100, *, stop: Stop = None) -> NonFinite:
    """Count NaN, +inf and -inf exactly and list the first ``limit`` of them in row-major order.

    Tensors whose values cannot be non-finite (integers, bool, quantized) give zero counts at once;
    tensors without values (meta, storage-only dtypes) raise ``ValueError``. ``stop()`` is asked between
    chunks; when it says True the scan raises :class:`ScanStopped`.
    """
    t = as_tensor(x)
    if not (isinstance(limit, int) and not isinstance(limit, bool)) or limit < 0:
        raise ValueError(f"limit must be a non-negative integer, got {limit!r}")
    traits = dtype_traits(t.dtype)
    if traits.encoding is None or t.device.type == "meta":
        why = "a meta tensor" if t.device.type == "meta" else f"a {traits.name} tensor (storage-only dtype)"
        raise ValueError(f"cannot look for NaN or infinities in {why}: it has no values to read")
    if not can_hold_nonfinite(t) or t.numel() == 0:
        return NonFinite(0, 0, 0, (), ())
    with torch.no_grad():
        if t.layout != torch.strided:
            return _sparse(t, limit, stop)
        return _strided(t.detach(), limit, stop)


def _strided(t: torch.Tensor, limit: int, stop: Stop = None) -> NonFinite:
    # Counting does not depend on order, so it walks the elements in memory order: a transposed or permuted
    # tensor is then read as the contiguous block it is (no copies), an expanded one only once per stored element.
    base, expanded = _collapse_expanded(t)
    repeat = math.prod(t.shape[a] for a in expanded)
    strides, sizes = base.stride(), base.shape
    order = sorted(range(base.dim()), key=lambda a: (-strides[a], -sizes[a]))
    mem = base.permute(order) if order else base
    in_row_major = order == list(range(base.dim())) and repeat == 1
    counts = [0, 0, 0]
    hits: list[tuple[int, str]] = []
    for offset, chunk in row_major_chunks(mem, stop=stop):
        _scan(chunk, offset, counts, hits if in_row_major else None, limit)
    shape = tuple(t.shape)
    if in_row_major:
        return _result(counts, tuple(unravel(i, shape) for i, _ in hits), tuple(k for _, k in hits))
    stored = sum(counts)
    counts = [c * repeat for c in counts]
    if not stored or not limit:
        return _result(counts, (), ())
    if stored > GATHER_LIMIT:
        # very many: the first ones in row-major order come soon on a walk in that order
        found = list(itertools.islice(iter_nonfinite(t, stop=stop), limit))
        return _result(counts, tuple(i for i, _ in found), tuple(k for _, k in found))
    # few: gather them all in memory order, put each back in the tensor's own axes, sort into row-major order
    everything: list[tuple[int, str]] = []
    for offset, chunk in row_major_chunks(mem, stop=stop):
        _scan(chunk, offset, [0, 0, 0], everything, stored)
    mem_shape = tuple(mem.shape)
    at: dict[tuple[int, ...], str] = {}
    for flat, kind in everything:
        idx = [0] * base.dim()
        for a, v in zip(order, unravel(flat, mem_shape), strict=True):
            idx[a] = v
        at[tuple(idx)] = kind
    first = list(itertools.islice(_expand_sorted(sorted(at), shape, set(expanded)), limit))
    return _result(counts, tuple(first), tuple(at[_zeroed(i, expanded)] for i in first))


def _result(counts: list[int], indices: Iterable[tuple[int, ...]], kinds: Iterable[str]) -> NonFinite:
    return NonFinite(counts[0], counts[1], counts[2], tuple(indices), tuple(kinds))


def _zeroed(index: tuple[int, ...], axes: list[int]) -> tuple[int, ...]:
    return tuple(0 if a in axes else v for a, v in enumerate(index))


def _expand_sorted(
    stored: list[tuple[int, ...]], shape: tuple[int, ...], expanded: set[int]
) -> Iterator[tuple[int, ...]]:
    """Row-major walk over the indices of an expanded tensor whose stored element (index with the expanded axes at 0)
    is in ``stored`` (sorted). Without expanded axes it is ``stored`` itself."""

    def walk(axis: int, prefix: tuple[int, ...], cands: list[tuple[int, ...]]) -> Iterator[tuple[int, ...]]:
        if axis == len(shape):
            yield prefix
            return
        if axis in expanded:
            for v in range(shape[axis]):
                yield from walk(axis + 1, (*prefix, v), cands)
            return
        for v, group in itertools.groupby(cands, key=lambda c: c[axis]):
            yield from walk(axis + 1, (*prefix, v), list(group))

    yield from walk(0, (), stored)


def _sparse(t: torch.Tensor, limit: int, stop: Stop = None) -> NonFinite:
    coo = (t if t.layout == torch.sparse_coo else t.to_sparse_coo()).coalesce()  # coalesced: row-major order
    # a hybrid tensor stores a dense block per sparse index: its stored values, flat, are still in row-major order
    # of the full index (the sparse axes come first)
    dense = tuple(coo.values().shape[1:])
    values = coo.values().reshape(-1)
    counts = [0, 0, 0]
    hits: list[tuple[int, str]] = []  # positions among the stored values
    for start in range(0, values.numel(), CHUNK):
        if stop is not None and stop():
            raise ScanStopped
        _scan(values[start : start + CHUNK], start, counts, hits, limit)
    indices = coo.indices()
    block = math.prod(dense)
    where = [tuple(int(v) for v in indices[:, p // block].tolist()) + unravel(p % block, dense) for p, _ in hits]
    return _result(counts, tuple(where), tuple(k for _, k in hits))


def _readable(chunk: torch.Tensor) -> torch.Tensor:
    """A chunk in a dtype that isnan/isinf work on everywhere (float8 and friends become float32)."""
    if chunk.is_complex():
        return chunk.to(torch.complex64) if chunk.dtype == torch.complex32 else chunk
    if chunk.dtype in (torch.float32, torch.float64):
        return chunk
    return chunk.to(torch.float32)


def _all_finite(chunk: torch.Tensor) -> bool:
    """Whether every element is finite, from one sum: any NaN or infinity makes the sum NaN or infinite.

    A finite sum proves it; a non-finite one (which an overflow can also give) sends the chunk to the exact count.
    The sum allocates nothing the size of the chunk, unlike a mask would.
    """
    try:
        if chunk.dtype in (torch.float16, torch.bfloat16):
            total = chunk.sum(dtype=torch.float32)
        else:
            total = chunk.sum()
    except (RuntimeError, NotImplementedError):  # e.g. float8 has no sum kernel
        return False
    return bool(torch.isfinite(total))


def _scan(
    chunk: torch.Tensor, offset: int, counts: list[int], hits: list[tuple[int, str]] | None, limit: int = 0
) -> None:
    """Add the chunk's NaN/+inf/-inf counts to ``counts``, and to ``hits`` the flat positions (``offset`` + i) and
    kinds of its non-finite elements until ``hits`` holds ``limit``."""
    if _all_finite(chunk):
        return
    for s in range(0, chunk.numel(), PIECE):
        x = _readable(chunk[s : s + PIECE])
        finite = torch.isfinite(x)
        if bool(finite.all()):
            continue
        nan = torch.isnan(x)
        if x.is_complex():
            counts[0] += int(nan.sum())
            counts[1] += int((~finite & ~nan).sum())
        else:
            counts[0] += int(nan.sum())
            counts[1] += int((x == math.inf).sum())
            counts[2] += int((x == -math.inf).sum())
        if hits is not None and len(hits) < limit:
            where = torch.nonzero(~finite).flatten()[: limit - len(hits)]
            hits.extend(zip((offset + s + i for i in where.tolist()), _kinds(x[where]), strict=True))


def _kinds(values: torch.Tensor) -> list[str]:
    x = _readable(values)
    if x.is_complex():
        return ["nan" if bool(torch.isnan(v)) else "posinf" for v in x]
    return ["nan" if math.isnan(v) else "posinf" if v > 0 else "neginf" for v in x.tolist()]


def _collapse_expanded(t: torch.Tensor) -> tuple[torch.Tensor, list[int]]:
    """The tensor with every stride-0 axis (an expanded one) cut to length 1, and those axes."""
    base, axes = t, []
    for axis, (size, stride) in enumerate(zip(t.shape, t.stride(), strict=True)):
        if stride == 0 and size > 1:
            base = base.narrow(axis, 0, 1)
            axes.append(axis)
    return base, axes


def row_major_chunks(
    t: torch.Tensor, start: int = 0, chunk: int = CHUNK, stop: Stop = None
) -> Iterator[tuple[int, torch.Tensor]]:
    """``(flat offset, 1-d piece)`` covering ``t``'s elements from flat index ``start`` in row-major order.

    A contiguous tensor is walked through one flat view (no copy); any other is cut along its leading
    axes into pieces of at most ``chunk`` elements, each copied on its own (bounded memory).
    """
    n = t.numel()
    if start >= n:
        return
    if stop is not None:
        for offset, piece in row_major_chunks(t, start, chunk):
            if stop():
                raise ScanStopped
            yield offset, piece
        return
    if t.dim() == 0:
        yield 0, t.reshape(1)
        return
    if t.is_contiguous():
        flat = t.view(-1)
        for s in range(start, n, chunk):
            yield s, flat[s : s + chunk]
        return
    chunk = min(chunk, PIECE)  # pieces of a non-contiguous tensor are copies: keep them small
    inner = n // t.shape[0] if t.shape[0] else 0
    if inner <= chunk:
        rows = max(1, chunk // max(1, inner))
        for r0 in range(start // inner, t.shape[0], rows):
            piece = t[r0 : r0 + rows].reshape(-1)
            offset = r0 * inner
            if offset < start:
                piece, offset = piece[start - offset :], start
            yield offset, piece
        return
    for i in range(start // inner, t.shape[0]):
        sub_start = max(0, start - i * inner)
        for offset, piece in row_major_chunks(t[i], sub_start, chunk):
            yield i * inner + offset, piece


def iter_nonfinite(t: torch.Tensor, start: int = 0, stop: Stop = None) -> Iterator[tuple[tuple[int, ...], str]]:
    """Every non-finite element at or after flat index ``start``, in row-major order: ``(index, kind)``."""
    shape = tuple(t.shape)
    for offset, chunk in row_major_chunks(t, start, stop=stop):
        if _all_finite(chunk):
            continue
        for s in range(0, chunk.numel(), PIECE):
            x = _readable(chunk[s : s + PIECE])
            where = torch.nonzero(~torch.isfinite(x)).flatten()
            for i, kind in zip(where.tolist(), _kinds(x[where]), strict=True):
                yield unravel(offset + s + i, shape), kind


def next_nonfinite(x: Any, after: tuple[int, ...] | None = None) -> tuple[tuple[int, ...], str] | None:
    """The first non-finite element after the element ``after`` in row-major order (from the start for None)."""
    t = as_tensor(x)
    if not can_hold_nonfinite(t) or t.numel() == 0:
        return None
    with torch.no_grad():
        if t.layout != torch.strided:
            for idx, kind in zip(*_sparse_all(t), strict=True):
                if after is None or idx > tuple(after):
                    return idx, kind
            return None
        start = 0 if after is None else ravel(after, tuple(t.shape)) + 1
        return next(iter_nonfinite(t.detach(), start), None)


def _sparse_all(t: torch.Tensor) -> tuple[list[tuple[int, ...]], list[str]]:
    found = _sparse(t, int(t.values().numel()) if t.layout != torch.sparse_coo else int(t.coalesce().values().numel()))
    return list(found.indices), list(found.kinds)


def unravel(flat: int, shape: tuple[int, ...]) -> tuple[int, ...]:
    """Full index of row-major flat position ``flat``.

    >>> unravel(7, (2, 3, 4))
    (0, 1, 3)
    """
    out = []
    for size in reversed(shape):
        out.append(flat % size)
        flat //= size
    return tuple(reversed(out))


def ravel(index: tuple[int, ...] | list[int], shape: tuple[int, ...]) -> int:
    """Row-major flat position of a full index.

    >>> ravel((0, 1, 3), (2, 3, 4))
    7
    """
    flat = 0
    for i, size in zip(index, shape, strict=True):
        flat = flat * size + int(i)
    return flat


class Known:
    """The first non-finite elements of a tensor, kept to answer "where is the next one" and to mark them
    on faces reduced from a sample of rows (where they could otherwise be missed)."""

    def __init__(self, found: NonFinite, shape: tuple[int, ...]):
        self.found = found
        self.shape = shape
        self.flat = [ravel(i, shape) for i in found.indices]  # sorted: found in row-major order
        self.complete = found.complete

    def ordinal(self, index: tuple[int, ...]) -> int | None:
        """1-based position of ``index`` among the non-finite elements, when known."""
        flat = ravel(index, self.shape)
        k = bisect.bisect_left(self.flat, flat)
        return k + 1 if k < len(self.flat) and self.flat[k] == flat else None

    def after(self, index: tuple[int, ...] | None) -> tuple[tuple[int, ...], str] | bool | None:
        """The next known element after ``index``; ``None`` when there is none at all, ``False`` when the
        list runs out before one is found (then a scan must tell). Never ``True``."""
        start = -1 if index is None else ravel(index, self.shape)
        k = bisect.bisect_right(self.flat, start)
        if k < len(self.flat):
            return self.found.indices[k], self.found.kinds[k]
        return None if self.complete else False


def mark_face(
    data: np.ndarray,
    known: Known,
    axes: tuple[int, ...],
    index: tuple[int, ...],
    window: tuple[int, int, int, int],
    step: tuple[int, int],
    sample: tuple[int, int],
    shape: tuple[int, int],
) -> int:
    """Mark the known non-finite elements that a row-sampled face did not read on its reduced cells.

    A face reduced from every k-th row keeps NaN visible only if the NaN lies on a row read. Each known
    non-finite element of this face outside the rows (and columns) read is written into the cell of its
    block, with the reduction's own precedence: NaN over +inf over -inf over any finite value.
    ``data`` is the face's values (row-major ``shape``), changed in place. Returns how many were marked.
    """
    if sample == (1, 1) or not known.flat or data.dtype.kind not in "fc":
        return 0
    r0, r1, c0, c1 = window
    marked = 0
    out = data.reshape(shape)
    for idx, kind in zip(known.found.indices, known.found.kinds, strict=True):
        if any(idx[a] != index[a] for a in range(len(idx)) if a not in axes):
            continue
        r = idx[axes[0]] if len(axes) == 2 else 0
        c = idx[axes[-1]] if axes else 0
        if not (r0 <= r < r1 and c0 <= c < c1):
            continue
        if (r - r0) % sample[0] == 0 and (c - c0) % sample[1] == 0:
            continue  # read: the reduction saw it already
        cell = out[(r - r0) // step[0], (c - c0) // step[1]]
        marked += 1
        if _rank(complex(cell) if data.dtype.kind == "c" else float(cell)) < KINDS.index(kind) + 1:
            continue
        value = {"nan": math.nan, "posinf": math.inf, "neginf": -math.inf}[kind]
        out[(r - r0) // step[0], (c - c0) // step[1]] = value
    return marked


def _rank(v: float | complex) -> int:
    """Precedence of a reduced cell's value: 0 NaN, 1 +inf, 2 -inf, 3 finite (lower wins)."""
    if isinstance(v, complex):
        return 0 if math.isnan(v.real) or math.isnan(v.imag) else 1 if math.isinf(abs(v)) else 3
    if math.isnan(v):
        return 0
    return 1 if v == math.inf else 2 if v == -math.inf else 3


def mapped_file(t: torch.Tensor) -> str | None:
    """The file a tensor's storage is memory-mapped from, or None (also when that cannot be told).

    Reading such a tensor whole reads the file from disk, so its scan waits until the user asks.
    Covers ``torch.from_file`` (its storage keeps the file name), and by the mapping the storage lies in
    (Linux: /proc/self/maps) ``torch.load(mmap=True)``, numpy memmaps and safetensors' ``load_file`` and
    ``safe_open`` (which map the file unless told to read it, e.g. ``backend="pread"``).
    """
    if t.layout != torch.strided or t.device.type != "cpu":
        return None
    try:
        name = getattr(t.untyped_storage(), "filename", None)
    except (RuntimeError, NotImplementedError):
        return None
    if name:
        return str(name)
    try:
        ptr = t.untyped_storage().data_ptr()
    except (RuntimeError, NotImplementedError):
        return None
    if not ptr or not os.path.exists("/proc/self/maps"):
        return None
    try:
        with open("/proc/self/maps") as maps:
            for line in maps:
                parts = line.split(None, 5)
                lo, _, hi = parts[0].partition("-")
                if int(lo, 16) <= ptr < int(hi, 16):
                    path = parts[5].strip() if len(parts) > 5 else ""
                    inode = parts[4] if len(parts) > 4 else "0"
                    # anonymous memory, the heap and shared-memory segments are not files on disk
                    if inode != "0" and path.startswith("/") and not path.startswith(("/dev/", "/memfd:")):
                        return path.removesuffix(" (deleted)")
                    return None
    except OSError:
        return None
    return None
