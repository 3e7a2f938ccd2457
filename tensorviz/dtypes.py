"""What tensorviz can do with each torch dtype: how values are read, sent and described.

torch has dtypes without arithmetic (bits*, sub-byte int1..7/uint1..7, float4 packed pairs) and
dtypes numpy cannot hold (bfloat16, float8*, complex32). Each dtype falls into one *value kind*
and one *wire encoding*; conversions happen per slice on the tensor's own device.
"""

from __future__ import annotations

from dataclasses import dataclass

import torch


@dataclass(frozen=True)
class DtypeTraits:
    name: str  # "float32"
    value_kind: str  # "bool" | "unsigned" | "signed" | "float" | "complex" | "none"
    encoding: str | None  # wire encoding of values, None when values cannot be read
    compute: torch.dtype | None  # dtype slices are converted to before encoding
    note: str | None  # why values cannot be shown, when they cannot


_DIRECT: dict[torch.dtype, tuple[str, str]] = {
    torch.bool: ("bool", "bool"),
    torch.uint8: ("unsigned", "uint8"),
    torch.uint16: ("unsigned", "uint16"),
    torch.uint32: ("unsigned", "uint32"),
    torch.uint64: ("unsigned", "uint64"),
    torch.int8: ("signed", "int8"),
    torch.int16: ("signed", "int16"),
    torch.int32: ("signed", "int32"),
    torch.int64: ("signed", "int64"),
    torch.float32: ("float", "float32"),
    torch.float64: ("float", "float64"),
    torch.complex64: ("complex", "complex64"),
    torch.complex128: ("complex", "complex128"),
}

ENCODING_DTYPE: dict[str, torch.dtype] = {enc: dt for dt, (_, enc) in _DIRECT.items()}


def dtype_name(dtype: torch.dtype) -> str:
    """``torch.float32`` -> ``"float32"``."""
    return str(dtype).removeprefix("torch.")


def dtype_traits(dtype: torch.dtype) -> DtypeTraits:
    """Classify ``dtype``.

    >>> dtype_traits(torch.bfloat16).encoding
    'float32'
    >>> dtype_traits(torch.bits8).note is not None
    True
    """
    name = dtype_name(dtype)
    if dtype in _DIRECT:
        kind, enc = _DIRECT[dtype]
        return DtypeTraits(name, kind, enc, dtype, None)
    if dtype == torch.complex32:
        return DtypeTraits(name, "complex", "complex64", torch.complex64, None)
    if dtype in (torch.qint8, torch.quint8, torch.qint32, torch.quint4x2, torch.quint2x4):
        # Quantized values are shown dequantized (scale * (q - zero_point)).
        return DtypeTraits(name, "float", "float32", torch.float32, None)
    if dtype.is_floating_point and _converts(dtype):
        # float16, bfloat16, float8*: every value is exactly representable in float32.
        return DtypeTraits(name, "float", "float32", torch.float32, None)
    return DtypeTraits(
        name,
        "none",
        None,
        None,
        f"torch has no arithmetic for {name} (a storage-only dtype): only its structure is shown",
    )


def _converts(dtype: torch.dtype) -> bool:
    try:
        torch.zeros(1, dtype=dtype).to(torch.float32)
    except (RuntimeError, TypeError):
        return False
    return True
