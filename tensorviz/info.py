"""Metadata and summary statistics of a tensor: plain data, no widget code.

``inspect(x)`` never copies the tensor and never moves it off its device. Statistics are computed on
the tensor's own device; above :data:`SAMPLE_THRESHOLD` elements they are computed on a fixed-seed
random sample of :data:`SAMPLE_SIZE` elements and say so.
"""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass
from typing import Any

import torch

from .adapt import as_tensor
from .dtypes import dtype_name, dtype_traits

SAMPLE_THRESHOLD = 1 << 22  # elements; above this, stats come from a sample
SAMPLE_SIZE = 1 << 20
_SAMPLE_SEED = 0x7E5


@dataclass(frozen=True)
class Stats:
    """Summary of a tensor's values (of their magnitude for complex tensors).

    ``min``/``max``/``mean``/``std`` are over the finite values and ``None`` when there are none.
    ``count`` is how many elements were looked at: all of them, or ``sample_size`` when sampled.
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
    """Statistics of the values, on the tensor's device; ``None`` when there are none to summarise."""
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
    x = _sample(t, SAMPLE_SIZE) if sampled else t
    if x.is_quantized:
        x = x.dequantize()
    if x.is_complex():
        x = x.to(torch.complex64 if x.dtype == torch.complex32 else x.dtype).abs()
        of = "magnitude"
    if x.dtype == torch.bool:
        x = x.to(torch.uint8)
    # Low-precision floats and integers are summarised in a wider type so mean/std are exact enough.
    wide = torch.float64 if x.dtype in (torch.float64, torch.int64, torch.uint64) else torch.float32
    if not x.is_floating_point() or x.element_size() < 4:
        x = x.to(wide)
    x = x.reshape(-1)

    # One cheap pass decides whether the slower NaN/inf counting is needed: a finite sum means
    # there is no NaN and no infinity (a float32 sum can overflow; then we count anyway).
    nan = posinf = neginf = 0
    if not bool(torch.isfinite(x.sum())):
        nan = int(torch.isnan(x).sum())
        posinf = int((x == math.inf).sum())
        neginf = int((x == -math.inf).sum())
    zeros = x.numel() - int(x.count_nonzero())
    finite = x[torch.isfinite(x)] if nan or posinf or neginf else x
    lo = hi = mean = std = None
    if finite.numel():
        lo_t, hi_t = torch.aminmax(finite)
        lo, hi = float(lo_t), float(hi_t)
        mean = float(finite.mean())
        if finite.numel() > 1:
            std = float(finite.std())
    return Stats(
        min=lo,
        max=hi,
        mean=mean,
        std=std,
        nan=nan,
        posinf=posinf,
        neginf=neginf,
        zeros=zeros,
        count=int(x.numel()),
        sampled=sampled,
        sample_size=int(x.numel()) if sampled else None,
        of=of,
    )


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
