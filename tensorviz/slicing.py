"""Cut one face (a 2-d slice) out of a tensor, shrink it to a budget and encode it for the wire.

Everything happens on the tensor's own device; only the finished face (at most budget rows x
budget cols) is moved to the CPU. Faces larger than the budget are *block-reduced*: each sent cell
stands for a block of elements and holds the element of largest magnitude (sign kept; NaN when the
block holds a NaN). Unlike stride sampling this keeps NaN, infinities and outliers visible.
Large faces are reduced in bands so the temporary memory stays small whatever the tensor's size.
A face of a tensor memory-mapped from a file is read by pieces of file, not by elements: its sample is also
bounded in those pieces (:data:`MAPPED_READ_LIMIT`), so a face never pages in much more than it shows.
"""

from __future__ import annotations

import math
import mmap
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
import torch

from .dtypes import ENCODING_DTYPE, dtype_traits
from .info import prefetch
from .nonfinite import mapped_file
from .protocol import FaceRequest, face_extent

BAND_ELEMENTS = 1 << 21  # elements per reduction band: bounds temporary memory to a few MB
# Elements one face may read. A larger face is still block-reduced, but from every k-th row (and, if
# need be, column) of each block, so a 10^9-element face opens about as fast as a 10^7 one. The reply
# says so (`sample`), and zooming in narrows the window until every element is read.
READ_LIMIT = 1 << 24
# A memory-mapped tensor is paged in from its file a piece at a time: the kernel maps up to 64 KiB around each page
# fault (fault-around; a large folio may be more). Reading one element costs its piece, and a face whose elements lie
# far apart in memory (the side face of a cube: a column of every depth slice; a transposed face) costs a piece per
# element. Such a face reads at most MAPPED_READ_LIMIT bytes of pieces (as many as READ_LIMIT float32 elements in
# whole rows): its sample thins the axis whose elements lie farther apart first, then the other, and when one
# element per block is still too much, its blocks grow.
MAPPED_PIECE = 1 << 16
MAPPED_READ_LIMIT = 1 << 26


@dataclass(frozen=True)
class Face:
    """A face ready to send: its description and its values in ``data`` (row-major)."""

    axes: tuple[int, ...]
    index: tuple[int, ...]
    window: tuple[int, int, int, int]
    extent: tuple[int, int]
    shape: tuple[int, int]
    step: tuple[int, int]
    encoding: str
    data: np.ndarray | None
    error: str | None = None
    sample: tuple[int, int] = (1, 1)  # rows/cols strides of the elements read; (1, 1): all of them

    def meta(self) -> dict[str, object]:
        """The face's JSON description (everything but the values)."""
        return {
            "axes": list(self.axes),
            "index": list(self.index),
            "window": list(self.window),
            "extent": list(self.extent),
            "shape": list(self.shape),
            "step": list(self.step),
            "sample": list(self.sample),
            "encoding": self.encoding,
            "error": self.error,
        }

    @classmethod
    def refused(cls, req: FaceRequest, extent: tuple[int, int], message: str, step: tuple[int, int] = (1, 1)) -> Face:
        """A face that carries no values, only why (sent with an empty buffer)."""
        window = req.window or (0, extent[0], 0, extent[1])
        return cls(req.axes, req.index, window, extent, (0, 0), step, "uint8", None, message)

    def buffer(self) -> memoryview:
        data = self.data if self.data is not None else np.empty(0, np.uint8)
        return data.data.cast("B")


def plan(extent: int, budget: int) -> tuple[int, int]:
    """Block size and number of cells to show ``extent`` elements in at most ``budget`` cells.

    >>> plan(100, 256), plan(8192, 512), plan(1000, 256)
    ((1, 100), (16, 512), (4, 250))
    """
    step = max(1, math.ceil(extent / budget))
    return step, math.ceil(extent / step)


def cut_face(t: torch.Tensor, req: FaceRequest, budget: tuple[int, int]) -> Face:
    """The face ``req`` of ``t``, block-reduced to ``budget`` and converted for the wire.

    ``req`` must already be validated against ``t.shape`` (see :func:`protocol.parse_faces`).
    """
    traits = dtype_traits(t.dtype)
    extent = face_extent(req.axes, tuple(t.shape))
    window = req.window or (0, extent[0], 0, extent[1])
    r0, r1, c0, c1 = window
    sr, oh = plan(r1 - r0, budget[0])
    sc, ow = plan(c1 - c0, budget[1])
    fr, fc = sampling(r1 - r0, c1 - c0, sr, sc) if t.layout == torch.strided else (1, 1)
    mapped = False
    if t.layout == torch.strided and t.numel() and traits.encoding is not None and t.device.type == "cpu":
        (sr, sc), (fr, fc), mapped = _mapped_sampling(t, req, (r1 - r0, c1 - c0), (sr, sc), (fr, fc))
    if (fr, fc) != (1, 1):
        # Blocks grow to whole multiples of the sampling strides so every block holds read elements.
        sr, sc = math.ceil(sr / fr) * fr, math.ceil(sc / fc) * fc
        oh, ow = math.ceil((r1 - r0) / sr), math.ceil((c1 - c0) / sc)

    def refusal(message: str) -> Face:
        return Face.refused(req, extent, message, (sr, sc))

    if traits.encoding is None:
        return refusal(traits.note or f"{traits.name} values cannot be read")
    if t.device.type == "meta":
        return refusal("meta tensors have no values: only their structure exists")
    if t.numel() == 0:
        return refusal("the tensor is empty: there are no values")

    with torch.no_grad():
        if t.layout == torch.strided:
            face = _strided_face(t, req)[r0:r1, c0:c1]
            if mapped:
                _prefetch_face(face[::fr, ::fc])
            if (sr, sc) != (1, 1):
                # (fr, fc) is (1, 1) unless the face is too large to read whole; then blocks are of the sample.
                values = _reduce(face[::fr, ::fc], sr // fr, sc // fc, traits.compute)
            else:
                values = _convert(face, traits.compute)
        else:
            sparse = _sparse_face(t, req, window, (sr, sc), (oh, ow), traits.compute)
            if isinstance(sparse, str):
                return refusal(sparse)
            values = sparse
        wire = values.to(ENCODING_DTYPE[traits.encoding]).contiguous().cpu()
    return Face(req.axes, req.index, window, extent, (oh, ow), (sr, sc), traits.encoding, wire.numpy(), None, (fr, fc))


def sampling(rows: int, cols: int, sr: int, sc: int) -> tuple[int, int]:
    """Row and column strides so that reducing a ``rows`` x ``cols`` face reads at most READ_LIMIT elements.

    Rows are thinned first (whole rows stay contiguous in memory), columns only when one row per block
    is still too much. A stride never exceeds the block size, so every block keeps at least one element.

    >>> sampling(2048, 2048, 8, 8), sampling(32768, 32768, 64, 64), sampling(1, 10**9, 1, 10**6)
    ((1, 1), (64, 1), (1, 60))
    """
    if rows * cols <= READ_LIMIT:
        return 1, 1
    fr = min(sr, math.ceil(rows * cols / READ_LIMIT))
    read = math.ceil(rows / fr) * cols
    fc = min(sc, math.ceil(read / READ_LIMIT)) if read > READ_LIMIT else 1
    return fr, fc


def pieces_read(rows: int, cols: int, fr: int, fc: int, row_bytes: int, col_bytes: int) -> int:
    """About how many :data:`MAPPED_PIECE`-byte pieces of memory reading every ``fr``-th row and ``fc``-th column of a
    ``rows`` x ``cols`` face touches, when a row step is ``row_bytes`` apart in memory and a column step ``col_bytes``.

    The elements form lines along the axis whose elements lie closer together: a line costs a piece per element
    when they are a piece or more apart, else the pieces it spans; all lines cost at most the pieces they all span.

    >>> pieces_read(4096, 4096, 1, 1, 4 * 4096, 4)  # a contiguous 64 MiB float32 face
    1024
    >>> pieces_read(64, 4096, 1, 1, 4 << 24, 4 * 4096)  # the last column of 64 such slices: all of their pieces
    65536
    >>> pieces_read(64, 4096, 1, 256, 4 << 24, 4 * 4096)  # every 256th element of that column: one piece each
    1024
    """
    n_r, n_c = math.ceil(rows / fr), math.ceil(cols / fc)
    (n_in, d_in), (n_out, d_out) = sorted(((n_r, fr * row_bytes), (n_c, fc * col_bytes)), key=lambda p: p[1])
    line = (n_in - 1) * d_in + 1
    per_line = n_in if d_in >= MAPPED_PIECE else min(n_in, math.ceil(line / MAPPED_PIECE))
    spanned = math.ceil(((n_out - 1) * d_out + line) / MAPPED_PIECE)
    return max(1, min(n_out * per_line, spanned))


def _mapped_sampling(
    t: torch.Tensor, req: FaceRequest, extent: tuple[int, int], step: tuple[int, int], sample: tuple[int, int]
) -> tuple[tuple[int, int], tuple[int, int], bool]:
    """Blocks and sampling strides of a face, bounded in pieces of memory when ``t`` is memory-mapped from a file,
    and whether it is (asked only of a face of :data:`_PREFETCH_FROM` pieces or more).

    ``step`` and ``sample`` are those bounded in elements (:func:`sampling`); they stay when the face reads at most
    :data:`MAPPED_READ_LIMIT` bytes of pieces, or when ``t`` is not mapped.
    """
    rows, cols = extent
    strides = _strided_face(t, req).stride()
    size = t.element_size()
    row_bytes, col_bytes = strides[0] * size, strides[1] * size
    limit = MAPPED_READ_LIMIT // MAPPED_PIECE

    def ok(fr: int, fc: int) -> bool:
        return (
            math.ceil(rows / fr) * math.ceil(cols / fc) <= READ_LIMIT
            and pieces_read(rows, cols, fr, fc, row_bytes, col_bytes) <= limit
        )

    if pieces_read(rows, cols, *sample, row_bytes, col_bytes) < _PREFETCH_FROM:
        return step, sample, False
    mapped = mapped_file(t) is not None
    if not mapped or ok(*sample):
        return step, sample, mapped

    def thin(sr: int, sc: int) -> tuple[int, int] | None:
        # The axis whose elements lie farther apart is thinned first (that saves pieces), the other only when needed.
        if row_bytes >= col_bytes:
            fr = _least(1, sr, lambda f: ok(f, 1))
            fc = _least(1, sc, lambda f: ok(sr, f)) if fr is None else 1
            return None if fc is None else (fr or sr, fc)
        fc = _least(1, sc, lambda f: ok(1, f))
        fr = _least(1, sr, lambda f: ok(f, sc)) if fc is None else 1
        return None if fr is None else (fr, fc or sc)

    found = thin(*step)
    if found is not None:
        return step, found, True
    # One element per block is still too many pieces: the blocks grow to at most ``m`` cells a side (the axis with
    # more cells shrinks first), ``m`` the most for which one element per block fits; then they are thinned as above.
    sr, sc = step
    oh, ow = math.ceil(rows / sr), math.ceil(cols / sc)

    def blocks(m: int) -> tuple[int, int]:
        return max(sr, math.ceil(rows / min(oh, m))), max(sc, math.ceil(cols / min(ow, m)))

    too_many = _least(1, max(oh, ow), lambda m: not ok(*blocks(m)))
    grown = blocks(max(1, too_many - 1) if too_many is not None else max(oh, ow))
    return grown, thin(*grown) or grown, True


def _least(lo: int, hi: int, ok: Callable[[int], bool]) -> int | None:
    """The least ``f`` in ``lo..hi`` for which ``ok(f)`` holds (``ok`` holding for every ``f`` above one that holds)."""
    if not ok(hi):
        return None
    while lo < hi:
        mid = (lo + hi) // 2
        if ok(mid):
            hi = mid
        else:
            lo = mid + 1
    return lo


# Faces that read fewer pieces than this are not asked whether they are mapped: the readahead they may cause is small.
_PREFETCH_FROM = 16


def _prefetch_face(read: torch.Tensor) -> None:
    """Ask the kernel for exactly the memory of the elements a mapped face reads (see :func:`info.prefetch`): each line
    along the axis whose elements lie closer together when they are less than a page apart, else each element."""
    (n_out, n_in), (out, inner) = read.shape, read.stride()
    if inner > out:
        n_out, n_in, out, inner = n_in, n_out, inner, out
    size, base, page = read.element_size(), read.data_ptr(), mmap.PAGESIZE
    line = ((n_in - 1) * inner + 1) * size
    if out * size < page and inner * size < page:  # every page of the span holds elements read
        ranges = [(base, (n_out - 1) * out * size + line)]
    elif inner * size < page and n_out <= 1 << 16:
        ranges = [(base + i * out * size, line) for i in range(n_out)]
    elif n_out * n_in <= 1 << 16:
        ranges = [(base + (i * out + j * inner) * size, size) for i in range(n_out) for j in range(n_in)]
    else:
        return
    prefetch(ranges)


def _strided_face(t: torch.Tensor, req: FaceRequest) -> torch.Tensor:
    """A 2-d view (no copy) of the face: rows along ``axes[0]``, columns along ``axes[-1]``."""
    key = tuple(slice(None) if axis in req.axes else i for axis, i in enumerate(req.index))
    face = t[key] if key else t
    if len(req.axes) == 0:
        return face.reshape(1, 1)
    if len(req.axes) == 1:
        return face.unsqueeze(0)
    return face if req.axes[0] < req.axes[1] else face.t()


def _convert(x: torch.Tensor, compute: torch.dtype | None) -> torch.Tensor:
    if x.is_quantized:
        return x.dequantize()
    return x if compute is None or x.dtype == compute else x.to(compute)


_UNSIGNED_WIDE = {torch.uint16: torch.int64, torch.uint32: torch.int64}


def _reduce(face: torch.Tensor, sr: int, sc: int, compute: torch.dtype | None) -> torch.Tensor:
    """Block-reduce a 2-d face: each ``sr`` x ``sc`` block becomes its element of largest magnitude."""
    rows, cols = face.shape
    oh, ow = math.ceil(rows / sr), math.ceil(cols / sc)
    band_blocks = max(1, BAND_ELEMENTS // max(1, sr * cols))
    bands = []
    for b0 in range(0, oh, band_blocks):
        band = _convert(face[b0 * sr : min(rows, (b0 + band_blocks) * sr)], compute)
        bands.append(_reduce_band(band, sr, sc, ow))
    return torch.cat(bands, dim=0)


def _reduce_band(band: torch.Tensor, sr: int, sc: int, ow: int) -> torch.Tensor:
    rows, cols = band.shape
    k = math.ceil(rows / sr)
    if rows % sr or cols % sc:
        band = _pad_edges(band, k * sr, ow * sc)
    if band.is_complex():
        blocks = band.reshape(k, sr, ow, sc).permute(0, 2, 1, 3).reshape(k, ow, sr * sc)
        pick = blocks.abs().argmax(dim=-1, keepdim=True)
        return blocks.gather(-1, pick).squeeze(-1)
    dtype = band.dtype
    if dtype == torch.bool:
        return band.reshape(k, sr, ow, sc).any(dim=3).any(dim=1)
    if dtype in _UNSIGNED_WIDE:
        band = band.to(torch.int64)
    elif dtype == torch.uint64:
        # No max kernel for uint64: flipping the sign bit maps unsigned order onto int64 order.
        flipped = band.view(torch.int64) ^ torch.iinfo(torch.int64).min
        top = flipped.reshape(k, sr, ow * sc).amax(dim=1).reshape(k, ow, sc).amax(dim=2)
        return (top ^ torch.iinfo(torch.int64).min).view(torch.uint64)
    blocks = band.reshape(k, sr, ow * sc)
    hi = blocks.amax(dim=1).reshape(k, ow, sc).amax(dim=2)
    if not (dtype.is_signed or dtype.is_floating_point):
        return hi.to(dtype)
    lo = blocks.amin(dim=1).reshape(k, ow, sc).amin(dim=2)
    return _larger_magnitude(hi, lo).to(dtype)


def _larger_magnitude(hi: torch.Tensor, lo: torch.Tensor) -> torch.Tensor:
    """Of each block's maximum ``hi`` and minimum ``lo``, the one of larger magnitude (``hi`` on a tie).

    Floats keep NaN (a NaN maximum wins). Integers never negate: ``-lo`` overflows at the dtype's
    minimum (-2**63 would "lose" to 5), so the test is ``max(hi, 0) + min(lo, 0) >= 0``, a sum of two
    numbers of opposite signs, which cannot overflow.
    """
    if hi.is_floating_point():
        return torch.where((hi >= -lo) | torch.isnan(hi), hi, lo)
    return torch.where(hi.clamp(min=0) + lo.clamp(max=0) >= 0, hi, lo)


def _pad_edges(band: torch.Tensor, rows: int, cols: int) -> torch.Tensor:
    """``band`` grown to ``rows`` x ``cols`` by repeating its last row and column (in its own dtype).

    A repeated element changes no block's maximum or minimum, so partial blocks reduce as if whole.
    No dtype conversion: a round trip through float64 would round int64/uint64 values above 2**53.
    One allocation, filled by copies; ``band`` itself is only read.
    """
    h, w = band.shape
    out = band.new_empty((rows, cols))
    out[:h, :w] = band
    out[h:, :w] = band[-1:]
    out[:, w:] = out[:, w - 1 : w]
    return out


def _all_sparse(coo: torch.Tensor) -> torch.Tensor:
    """A coalesced hybrid COO tensor (a dense block stored per sparse index) as one whose every axis is sparse: each
    stored element becomes an entry, so the indices grow with the values stored, never with the dense tensor."""
    values = coo.values()
    dense = tuple(values.shape[1:])
    block = math.prod(dense)
    indices = coo.indices()
    inner = torch.stack(
        torch.meshgrid(*(torch.arange(n, device=indices.device) for n in dense), indexing="ij")
    ).reshape(len(dense), block)
    full = torch.cat([indices.repeat_interleave(block, dim=1), inner.repeat(1, indices.shape[1])])
    # sparse indices sorted, and each block row-major after them: still coalesced
    return torch.sparse_coo_tensor(full, values.reshape(-1), coo.shape, is_coalesced=True)


def _sparse_face(
    t: torch.Tensor,
    req: FaceRequest,
    window: tuple[int, int, int, int],
    step: tuple[int, int],
    out_shape: tuple[int, int],
    compute: torch.dtype | None,
) -> torch.Tensor | str:
    """The face of a sparse tensor, built from its stored entries only (never densifying it)."""
    coo = (t if t.layout == torch.sparse_coo else t.to_sparse_coo()).coalesce()
    if coo.dense_dim():
        coo = _all_sparse(coo)
    indices, values = coo.indices(), _convert(coo.values(), compute)
    r0, r1, c0, c1 = window
    keep = torch.ones(values.shape[0], dtype=torch.bool, device=values.device)
    for axis, i in enumerate(req.index):
        if axis not in req.axes:
            keep &= indices[axis] == i
    rows = indices[req.axes[0]] if len(req.axes) == 2 else torch.zeros_like(indices[0])
    cols = indices[req.axes[-1]] if req.axes else torch.zeros_like(indices[0])
    keep &= (rows >= r0) & (rows < r1) & (cols >= c0) & (cols < c1)
    rows, cols, vals = (rows[keep] - r0) // step[0], (cols[keep] - c0) // step[1], values[keep]
    oh, ow = out_shape
    flat = rows * ow + cols
    if step == (1, 1):
        # Placed bit for bit: unsigned 16/32/64-bit tensors have no index_put kernel, their signed twins do.
        twin = _SIGNED_TWIN.get(vals.dtype, vals.dtype)
        out = torch.zeros(oh * ow, dtype=twin, device=vals.device)
        out[flat] = vals.view(twin)
        return out.view(vals.dtype).reshape(oh, ow)
    if vals.is_complex():
        return "block reduction of complex sparse faces is not supported: zoom in with a window"
    return _scatter_extremes(flat, vals, oh * ow).reshape(oh, ow)


_SIGNED_TWIN = {torch.uint16: torch.int16, torch.uint32: torch.int32, torch.uint64: torch.int64}


def _scatter_extremes(cell: torch.Tensor, vals: torch.Tensor, cells: int) -> torch.Tensor:
    """For each of ``cells`` blocks, its stored value (``vals[i]`` lies in block ``cell[i]``) of largest magnitude.

    Implicit zeros take part: a block with no stored entry is 0, and 0 never beats a stored value.
    Integers are reduced as integers (int64, or uint64 through a sign-bit flip), never through float64,
    which would round values above 2**53. A block holding a NaN is NaN: ``scatter_reduce`` does not
    promise to propagate NaN, so it is written explicitly.
    """
    dtype, device = vals.dtype, vals.device
    if dtype == torch.bool:
        return torch.zeros(cells, dtype=torch.bool, device=device).index_fill_(0, cell[vals], True)
    if dtype == torch.uint64:
        # Flipping the sign bit maps unsigned order onto int64 order; a flipped 0 is the int64 minimum.
        flip = torch.iinfo(torch.int64).min
        top = torch.full((cells,), flip, dtype=torch.int64, device=device)
        top = top.scatter_reduce(0, cell, vals.view(torch.int64) ^ flip, "amax")
        return (top ^ flip).view(torch.uint64)
    wide = vals if dtype.is_floating_point else vals.to(torch.int64)
    hi = torch.zeros(cells, dtype=wide.dtype, device=device).scatter_reduce(0, cell, wide, "amax")
    if not (dtype.is_signed or dtype.is_floating_point):
        return hi.to(dtype)
    lo = torch.zeros(cells, dtype=wide.dtype, device=device).scatter_reduce(0, cell, wide, "amin")
    pick = _larger_magnitude(hi, lo)
    if dtype.is_floating_point:
        pick.index_fill_(0, cell[torch.isnan(vals)], math.nan)
    return pick.to(dtype)
