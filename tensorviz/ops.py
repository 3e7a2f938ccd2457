"""What each traced torch op is: its kind, how its element provenance is found, how axis names follow it.

Plain functions over plain data, no torch calls on the user's tensors. :mod:`tensorviz.tracing` records
ops; this module names them and explains them:

* :func:`op_name` turns the function torch hands a ``TorchFunctionMode`` into the name the user wrote
  (``Tensor.__getitem__`` -> ``"getitem"``, ``Tensor.__rsub__`` -> ``"sub"``, ``T.__get__`` -> ``"T"``).
* :func:`spec_of` gives an op's :class:`OpSpec`: its *kind* (the family the player animates), its
  *provenance* method (how :mod:`tensorviz.provenance` finds the source of each output element) and
  the names of its positional parameters.
* :func:`propagate_dims` carries axis names from the inputs to the outputs.
* :func:`why_of` and :func:`notes_of` say in words whether a result is a view or a copy, and what is
  worth noticing (an inferred ``-1``, a ``squeeze`` that did nothing, a broadcast).

>>> spec_of("reshape").kind, spec_of("sum").provenance
('reshape', 'reduction')
>>> reshape_dims((2, 3, 4), ("N", "H", "W"), (2, 12))
('N', '(H W)')
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Protocol

import torch

KINDS = (
    "reshape",
    "squeeze",
    "unsqueeze",
    "permute",
    "cat",
    "stack",
    "expand",
    "elementwise",
    "reduction",
    "index",
    "matmul",
    "creation",
    "other",
)
PROVENANCES = ("replay", "elementwise", "reduction", "matmul")


@dataclass(frozen=True)
class OpSpec:
    """How tensorviz understands one op.

    ``params`` names the positional parameters, the first one included (``"input"``/``"self"`` for
    most ops, ``"tensors"`` for ``cat``); ``"*shape"`` collects the rest (``x.view(3, -1)``).
    ``index`` names the parameters whose tensors select elements rather than give them (the key of
    ``x[i]``, the ``index`` of ``gather``): they go to ``Step.args``, not ``Step.inputs``.
    ``fills`` names the parameter whose scalar value fills elements (``masked_fill``'s ``value``):
    a replay sets it to 0, which reads as "no source".
    """

    kind: str
    provenance: str | None
    params: tuple[str, ...] = ("input",)
    index: frozenset[str] = frozenset()
    fills: str | None = None


class Slot:
    """Placeholder for tensor operand ``i`` in a recorded argument list."""

    __slots__ = ("i",)

    def __init__(self, i: int) -> None:
        self.i = i

    def __repr__(self) -> str:
        return f"Slot({self.i})"


class Kept:
    """An index tensor argument (a key, a mask, a ``gather`` index), kept for replay when small.

    ``tensor`` is a detached clone (``None`` when it was above :data:`KEEP_INDEX_ELEMENTS` elements, or
    when only its shape matters); ``shape``/``dtype`` describe it either way.
    """

    __slots__ = ("dtype", "shape", "shape_only", "tensor")

    def __init__(
        self, tensor: torch.Tensor | None, shape: tuple[int, ...], dtype: torch.dtype, shape_only: bool = False
    ) -> None:
        self.tensor = tensor
        self.shape = shape
        self.dtype = dtype
        self.shape_only = shape_only  # only its shape matters (the `other` of view_as): a meta tensor will do

    def replayable(self) -> torch.Tensor | None:
        """What to pass in a replay: the clone, a meta tensor of its shape, or ``None`` (not kept)."""
        if self.shape_only:
            return torch.empty(self.shape, dtype=self.dtype, device="meta")
        return self.tensor

    def __deepcopy__(self, memo: dict[int, Any]) -> Kept:
        return self


KEEP_INDEX_ELEMENTS = 10**6  # index/mask arguments up to this size are cloned so sources() can replay


def _s(kind: str, provenance: str | None, *params: str, index: Sequence[str] = (), fills: str | None = None) -> OpSpec:
    return OpSpec(kind, provenance, params or ("input",), frozenset(index), fills)


_SPECS: dict[str, OpSpec] = {}


def _add(names: str, spec: OpSpec, inplace: bool = False) -> None:
    for name in names.split():
        _SPECS[name] = spec
        if inplace:
            _SPECS[name + "_"] = spec


# Shape ops: pure data movement, found by replaying the op on index tensors.
_add("view reshape", _s("reshape", "replay", "input", "*shape"))
_add("flatten", _s("reshape", "replay", "input", "start_dim", "end_dim"))
_add("unflatten", _s("reshape", "replay", "input", "dim", "sizes"))
_add("view_as reshape_as", _s("reshape", "replay", "input", "other", index=("other",)))
SHAPE_ONLY = frozenset({"view_as", "reshape_as", "expand_as", "type_as"})  # their `other` gives only its shape
_add("ravel", _s("reshape", "replay"))
_add("squeeze", _s("squeeze", "replay", "input", "dim"), inplace=True)
_add("unsqueeze", _s("unsqueeze", "replay", "input", "dim"), inplace=True)
_add("permute", _s("permute", "replay", "input", "*dims"))
_add("transpose swapaxes swapdims", _s("permute", "replay", "input", "dim0", "dim1"), inplace=True)
_add("t T mT H mH adjoint", _s("permute", "replay"))
_add("t_", _s("permute", "replay"))
_add("movedim moveaxis", _s("permute", "replay", "input", "source", "destination"))
_add("cat concat concatenate", _s("cat", "replay", "tensors", "dim"))
_add("hstack vstack dstack column_stack row_stack", _s("cat", "replay", "tensors"))
_add("stack", _s("stack", "replay", "tensors", "dim"))
_add("expand", _s("expand", "replay", "input", "*size"))
_add("expand_as", _s("expand", "replay", "input", "other", index=("other",)))
_add("broadcast_to", _s("expand", "replay", "input", "size"))

# Indexing: the key, mask or index tensor is an argument, not an operand.
_add("getitem", _s("index", "replay", "input", "index", index=("index",)))
_add("setitem", _s("index", "replay", "input", "index", "value", index=("index",), fills="value"))
_add("index_select", _s("index", "replay", "input", "dim", "index", index=("index",)))
_add("narrow", _s("index", "replay", "input", "dim", "start", "length", index=("start",)))
_add("select", _s("index", "replay", "input", "dim", "index"))
_add("masked_select", _s("index", "replay", "input", "mask", index=("mask",)))
_add("gather", _s("index", "replay", "input", "dim", "index", index=("index",)))
_add("take", _s("index", "replay", "input", "index", index=("index",)))
_add("take_along_dim", _s("index", "replay", "input", "indices", "dim", index=("indices",)))
_add("masked_fill", _s("index", "replay", "input", "mask", "value", index=("mask",), fills="value"), inplace=True)
_add(
    "index_fill", _s("index", "replay", "input", "dim", "index", "value", index=("index",), fills="value"), inplace=True
)
_add("scatter", _s("index", "replay", "input", "dim", "index", "src", index=("index",), fills="value"), inplace=True)
_add("index_put", _s("index", "replay", "input", "indices", "values", index=("indices",), fills="values"), inplace=True)
_add("split split_with_sizes", _s("index", "replay", "input", "split_size_or_sections", "dim"))
_add("chunk", _s("index", "replay", "input", "chunks", "dim"))
_add("tensor_split", _s("index", "replay", "input", "indices_or_sections", "dim"))
_add("hsplit vsplit dsplit", _s("index", "replay", "input", "indices_or_sections"))
_add("unbind", _s("index", "replay", "input", "dim"))

# Element-wise ops: output element i comes from element i of each (broadcast) operand.
_UNARY = (
    "abs absolute neg negative positive exp exp2 expm1 log log2 log10 log1p sqrt rsqrt sin cos tan asin acos "
    "atan arcsin arccos arctan sinh cosh tanh asinh acosh atanh arcsinh arccosh arctanh sigmoid relu relu6 gelu "
    "silu elu selu celu leaky_relu softplus mish hardtanh hardsigmoid hardswish hardshrink softshrink logsigmoid "
    "tanhshrink softsign threshold sign sgn signbit floor ceil round trunc fix frac reciprocal square erf erfc "
    "erfinv lgamma digamma isnan isinf isfinite isposinf isneginf isreal logical_not bitwise_not invert "
    "nan_to_num conj conj_physical angle deg2rad rad2deg logit sinc i0 sigmoid_ exp_ "
    "real imag"
)
_add(_UNARY, _s("elementwise", "elementwise"), inplace=True)
_add("clamp clip", _s("elementwise", "elementwise", "input", "min", "max"), inplace=True)
_add("clamp_min clamp_max", _s("elementwise", "elementwise", "input", "bound"), inplace=True)
_add("float double half bfloat16 int long short bool byte char cfloat cdouble", _s("elementwise", "elementwise"))
_add("type_as", _s("elementwise", "elementwise", "input", "other", index=("other",)))
_BINARY = (
    "add sub subtract mul multiply div divide true_divide floor_divide floordiv remainder fmod pow float_power "
    "atan2 arctan2 maximum minimum fmax fmin eq ne lt le gt ge greater less greater_equal less_equal not_equal "
    "logical_and logical_or logical_xor bitwise_and bitwise_or bitwise_xor and or xor lshift rshift "
    "bitwise_left_shift bitwise_right_shift hypot copysign nextafter xlogy heaviside ldexp logaddexp logaddexp2 "
    "rsub isclose"
)
_add(_BINARY, _s("elementwise", "elementwise", "input", "other"), inplace=True)
_add("where", _s("elementwise", "elementwise", "condition", "input", "other"))
_add("lerp", _s("elementwise", "elementwise", "input", "end", "weight"), inplace=True)
_add("addcmul addcdiv", _s("elementwise", "elementwise", "input", "tensor1", "tensor2"), inplace=True)

# Reductions: each output element combines k input elements along the reduced axes.
_add(
    "sum nansum mean nanmean prod amax amin any all logsumexp", _s("reduction", "reduction", "input", "dim", "keepdim")
)
_add("max min", _s("reduction", "reduction", "input", "dim", "keepdim"))  # with a tensor `other`: element-wise
_add("argmax argmin median nanmedian mode", _s("reduction", "reduction", "input", "dim", "keepdim"))
_add("count_nonzero", _s("reduction", "reduction", "input", "dim"))
_add("std var std_mean var_mean", _s("reduction", "reduction", "input", "dim", "unbiased", "keepdim"))
_add("norm", _s("reduction", "reduction", "input", "p", "dim", "keepdim"))

# Matrix products: output element (i, j) combines row i of A and column j of B.
_add("matmul mm bmm mv dot vdot inner outer ger", _s("matmul", "matmul", "input", "other"))
_add("linear", _s("matmul", "matmul", "input", "weight", "bias"))
_add("einsum", _s("matmul", "matmul", "equation", "*operands"))

# Tensors made from nothing (or from another tensor's shape only).
_add("zeros ones empty rand randn", _s("creation", None, "*size"))
_add("full", _s("creation", None, "size", "fill_value"))
_add("arange range", _s("creation", None, "start", "end", "step"))
_add("linspace logspace", _s("creation", None, "start", "end", "steps"))
_add("eye", _s("creation", None, "n", "m"))
_add("randint", _s("creation", None, "low", "high", "size"))
_add("randperm", _s("creation", None, "n"))
_add("tensor as_tensor asarray from_numpy scalar_tensor Tensor", _s("creation", None, "data"))
_add("empty_strided", _s("creation", None, "size", "stride"))
_add("tril_indices triu_indices", _s("creation", None, "row", "col", "offset"))
_add("normal", _s("creation", None, "mean", "std", "size"))
_add(
    "zeros_like ones_like empty_like full_like rand_like randn_like randint_like new_zeros new_ones new_empty "
    "new_full new_tensor",
    _s("creation", None),
)

# Others whose elements only move, so a replay (or identity) still tells where each one comes from.
_add("clone contiguous detach cpu cuda to type", _s("other", "elementwise"))
_add("flip", _s("other", "replay", "input", "*dims"))
_add("fliplr flipud", _s("other", "replay"))
_add("roll", _s("other", "replay", "input", "shifts", "dims"))
_add("rot90", _s("other", "replay", "input", "k", "dims"))
_add("repeat", _s("other", "replay", "input", "*repeats"))
_add("tile", _s("other", "replay", "input", "dims"))
_add("repeat_interleave", _s("other", "replay", "input", "repeats", "dim"))
_add("diagonal", _s("other", "replay", "input", "offset", "dim1", "dim2"))
_add("diag diag_embed", _s("other", "replay", "input", "diagonal"))
_add("tril triu", _s("other", "replay", "input", "diagonal"), inplace=True)
_add("unfold", _s("other", "replay", "input", "dimension", "size", "step"))
_add("pad", _s("other", "replay", "input", "pad", "mode", "value", fills="value"))
_add("softmax log_softmax", _s("other", None, "input", "dim"))
_add("cumsum cumprod cummax cummin", _s("other", None, "input", "dim"))
_add("conv1d conv2d conv3d", _s("other", None, "input", "weight", "bias", "stride", "padding", "dilation", "groups"))
_add("layer_norm", _s("other", None, "input", "normalized_shape", "weight", "bias", "eps"))
_add("dropout", _s("other", None, "input", "p", "training", "inplace"))

_DEFAULT = OpSpec("other", None)

# Reads of a tensor's attributes and queries that return plain Python values: not steps.
QUERIES = frozenset(
    """__len__ __repr__ __str__ __format__ __bool__ __int__ __float__ __complex__ __index__ __hash__
    __array__ __array_wrap__ __array_priority__ __reduce_ex__ __deepcopy__ __setstate__ __getstate__ __contains__
    __dlpack__ __dlpack_device__ __set__ __delete__ __iter__ __reversed__ __dir__ __sizeof__ size stride dim
    ndimension numel nelement element_size data_ptr storage_offset is_contiguous is_floating_point is_complex
    is_signed is_inference is_pinned is_shared is_set_to is_nonzero is_same_size get_device untyped_storage
    storage _typed_storage item tolist numpy register_hook register_post_accumulate_grad_hook retain_grad
    requires_grad_ dim_order has_names is_conj is_neg is_coalesced _is_view _base _version is_tensor numel_
    is_leaf __torch_function__ _make_subclass _fix_weakref __instancecheck__ share_memory_ pin_memory record_stream
    """.split()
)
# Attributes that are ops (views), read through ``getset_descriptor.__get__``.
ATTRIBUTE_OPS = frozenset({"T", "mT", "H", "mH", "real", "imag"})

# Dunder methods: what the user wrote, and whether the operands come reflected (``2 - x``).
_DUNDER_NAMES = {
    "truediv": "div",
    "div": "div",
    "floordiv": "floordiv",
    "mod": "remainder",
    "invert": "invert",
    "getitem": "getitem",
    "setitem": "setitem",
}


def op_name(func: Callable[..., Any]) -> tuple[str, bool]:
    """The op's name as the user wrote it, and whether a dunder came reflected.

    >>> op_name(torch.Tensor.__rsub__)
    ('sub', True)
    >>> op_name(torch.Tensor.__getitem__)
    ('getitem', False)
    >>> op_name(torch.Tensor.T.__get__)
    ('T', False)
    """
    name: str = getattr(func, "__name__", "") or type(func).__name__
    if name == "__get__" or name == "__set__":
        owner = getattr(func, "__self__", None)
        attr = getattr(owner, "__name__", None)
        if attr is not None:
            return (attr, False) if name == "__get__" else ("__set__", False)
        return name, False
    if name.startswith("__") and name.endswith("__") and len(name) > 4:
        core = name[2:-2]
        if core in _DUNDER_NAMES:
            return _DUNDER_NAMES[core], False
        if core.startswith("r") and (core[1:] in _SPECS or core[1:] in _DUNDER_NAMES):
            return _DUNDER_NAMES.get(core[1:], core[1:]), True
        if core.startswith("i") and (core[1:] in _SPECS or core[1:] in _DUNDER_NAMES):
            return _DUNDER_NAMES.get(core[1:], core[1:]) + "_", False
        if core in _SPECS:
            return core, False
        return name, False
    return name, False


def spec_of(op: str) -> OpSpec:
    """The :class:`OpSpec` of ``op`` (an unknown op is kind ``"other"`` without provenance)."""
    return _SPECS.get(op, _DEFAULT)


def is_inplace(op: str) -> bool:
    """``add_``, ``setitem``, ``t_``: the op writes into its first operand.

    >>> is_inplace("add_"), is_inplace("add"), is_inplace("__set__")
    (True, False, False)
    """
    return (op.endswith("_") and not op.startswith("_")) or op == "setitem"


def func_name(func: Callable[..., Any]) -> str:
    """Where the function lives, as a user would write it: ``torch.Tensor.view``, ``torch.cat``.

    >>> func_name(torch.cat), func_name(torch.Tensor.view), func_name(torch.nn.functional.linear)
    ('torch.cat', 'torch.Tensor.view', 'torch.nn.functional.linear')
    """
    name = getattr(func, "__name__", None) or type(func).__name__
    qual = getattr(func, "__qualname__", name) or name
    module = getattr(func, "__module__", None)
    if name in ("__get__", "__set__"):
        owner = getattr(func, "__self__", None)
        return f"torch.Tensor.{getattr(owner, '__name__', name)}"
    if qual.startswith(("TensorBase.", "Tensor.")):
        return "torch.Tensor." + qual.split(".", 1)[1]
    if qual.startswith("_VariableFunctionsClass."):
        return "torch." + name
    if module in ("torch._C._nn", "torch.nn.functional"):
        return "torch.nn.functional." + name
    if module == "torch._C._linalg":
        return "torch.linalg." + name.removeprefix("linalg_")
    if module == "torch._C._special":
        return "torch.special." + name.removeprefix("special_")
    if module == "torch._C._fft":
        return "torch.fft." + name.removeprefix("fft_")
    if module and module.startswith("torch._") and module.count(".") == 1:
        return "torch." + name  # torch.functional.einsum and friends are exported from torch
    if module == "torch.functional":
        return "torch." + name
    return f"{module}.{qual}" if module else qual


# ---------------------------------------------------------------------------------------------------
# Binding recorded arguments to parameter names


def bind(spec: OpSpec, args: Sequence[Any], kwargs: Mapping[str, Any]) -> dict[str, Any]:
    """Name the positional arguments after ``spec.params``; keyword arguments keep their names.

    >>> bind(spec_of("view"), (Slot(0), 3, -1), {})
    {'input': Slot(0), 'shape': [3, -1]}
    >>> bind(spec_of("view"), (Slot(0), (3, -1)), {})
    {'input': Slot(0), 'shape': [3, -1]}
    """
    bound: dict[str, Any] = {}
    params = spec.params
    for i, value in enumerate(args):
        if i < len(params):
            name = params[i]
            if name.startswith("*"):
                rest = list(args[i:])
                if len(rest) == 1 and isinstance(rest[0], (list, tuple, torch.Size)):
                    rest = list(rest[0])
                bound[name[1:]] = rest
                break
            bound[name] = value
        else:
            bound[f"arg{i}"] = value
    bound.update(kwargs)
    if "shape" in bound and isinstance(bound["shape"], list) and len(bound["shape"]) == 1:
        only = bound["shape"][0]
        if isinstance(only, torch.dtype):  # x.view(torch.int32) reinterprets, it does not reshape
            del bound["shape"]
            bound["dtype"] = only
    return bound


def has_slot(value: Any) -> bool:
    """Whether ``value`` is or holds a tensor operand."""
    if isinstance(value, Slot):
        return True
    if isinstance(value, (list, tuple)):
        return any(has_slot(v) for v in value)
    return False


def json_arg(value: Any) -> Any:
    """An argument as JSON-able plain data.

    Slices read ``"1:5:2"``, Ellipsis ``"..."``, dtypes ``"float32"``, index tensors
    ``{"tensor": [shape], "dtype": ...}`` (with their ``values`` when at most 16), operands
    ``{"input": i}``.

    >>> json_arg((slice(1, 5, 2), None, Ellipsis, torch.float16))
    ['1:5:2', None, '...', 'float16']
    """
    if value is None or isinstance(value, (bool, int, str)):
        return value
    if isinstance(value, float):
        return value if math.isfinite(value) else str(value)
    if isinstance(value, slice):
        parts = ["" if p is None else str(json_arg(p)) for p in (value.start, value.stop, value.step)]
        return ":".join(parts[:2]) if value.step is None else ":".join(parts)
    if value is Ellipsis:
        return "..."
    if isinstance(value, (list, tuple, torch.Size)):
        return [json_arg(v) for v in value]
    if isinstance(value, Slot):
        return {"input": value.i}
    if isinstance(value, Kept):
        out: dict[str, Any] = {"tensor": list(value.shape), "dtype": str(value.dtype).removeprefix("torch.")}
        if value.tensor is not None and value.tensor.numel() <= 16:
            out["values"] = value.tensor.tolist()
        return out
    if isinstance(value, torch.Tensor):
        return {"tensor": list(value.shape), "dtype": str(value.dtype).removeprefix("torch.")}
    if isinstance(value, (torch.dtype, torch.device, torch.memory_format, torch.layout)):
        return str(value).removeprefix("torch.")
    if isinstance(value, Mapping):
        return {str(k): json_arg(v) for k, v in value.items()}
    if isinstance(value, complex):
        return str(value)
    item = getattr(value, "item", None)
    if callable(item) and type(value).__module__ == "numpy":
        return json_arg(item())
    text = repr(value)
    return text if len(text) <= 80 else text[:77] + "..."


def json_args(bound: Mapping[str, Any]) -> dict[str, Any]:
    """The arguments other than the tensor operands, as JSON-able data (``Step.args``)."""
    return {name: json_arg(v) for name, v in bound.items() if not (has_slot(v) and _only_slots(v))}


def _only_slots(value: Any) -> bool:
    if isinstance(value, Slot):
        return True
    if isinstance(value, (list, tuple)):
        return all(_only_slots(v) for v in value)
    return False


# ---------------------------------------------------------------------------------------------------
# Kind refinement: max(x, y) is element-wise, to(torch.float16) is a conversion


def resolve_kind(op: str, spec: OpSpec, bound: Mapping[str, Any]) -> tuple[str, str | None]:
    """The kind and provenance method of one call, refined by its arguments."""
    base = op.rstrip("_") if op.endswith("_") and not op.startswith("_") else op
    if base in ("max", "min"):
        other = bound.get("dim", bound.get("other"))
        if isinstance(other, Slot):
            return "elementwise", "elementwise"
    if base in ("to", "type"):
        if any(isinstance(v, torch.dtype) for v in bound.values()) or isinstance(bound.get("dtype"), torch.dtype):
            return "elementwise", "elementwise"
        if base == "type" and isinstance(bound.get("arg1"), str):
            return "elementwise", "elementwise"
    if base == "view" and "dtype" in bound:
        return "other", None
    return spec.kind, spec.provenance


# ---------------------------------------------------------------------------------------------------
# Axis positions as the user gave them


def norm_dim(dim: int, rank: int) -> int:
    """``-1`` -> ``rank - 1``; a 0-d tensor accepts 0 and -1 as its only axis."""
    r = max(rank, 1)
    return dim + r if dim < 0 else dim


def reduced_dims(op: str, bound: Mapping[str, Any], rank: int) -> tuple[tuple[int, ...], bool]:
    """The axes a reduction combines (all of them when no ``dim`` is given) and its ``keepdim``.

    >>> reduced_dims("sum", {"dim": (0, -1)}, 3)
    ((0, 2), False)
    >>> reduced_dims("max", {}, 2)
    ((0, 1), False)
    """
    dim = bound.get("dim", bound.get("axis"))
    keepdim = bool(bound.get("keepdim", False))
    if op in ("norm",) and isinstance(dim, str):
        dim = None
    if dim is None or (isinstance(dim, (list, tuple)) and len(dim) == 0 and op not in ("sum", "mean")):
        return tuple(range(rank)), keepdim
    if isinstance(dim, (list, tuple)):
        if len(dim) == 0:  # sum(x, dim=()) reduces everything
            return tuple(range(rank)), keepdim
        return tuple(sorted({norm_dim(int(d), rank) for d in dim})), keepdim
    if isinstance(dim, int):
        return (norm_dim(dim, rank),), keepdim
    raise NotImplementedError(f"{op} over dims given as {dim!r} (by name?) is not supported")


# ---------------------------------------------------------------------------------------------------
# Axis names


Dims = tuple[str, ...]


def parse_dims(dims: Any, shape: Sequence[int]) -> Dims:
    """Axis names from ``"N C H W"`` or a sequence of names; ``""`` for an unnamed axis.

    >>> parse_dims("N C H W", (1, 3, 8, 8))
    ('N', 'C', 'H', 'W')
    >>> parse_dims(["B", None], (2, 5))
    ('B', '')
    """
    rank = len(shape)
    if dims is None:
        return ("",) * rank
    if isinstance(dims, str):
        names: list[Any] = dims.replace(",", " ").split()
    elif isinstance(dims, Sequence):
        names = list(dims)
    else:
        raise TypeError(f"dims must be a string like 'N C H W' or a sequence of names; got {type(dims).__name__}")
    if len(names) != rank:
        raise ValueError(
            f"dims names {len(names)} axes ({names}), but the tensor of shape {list(shape)} has {rank}: "
            f"give exactly {rank} name{'s' if rank != 1 else ''}"
        )
    for name in names:
        if name is not None and not isinstance(name, str):
            raise TypeError(f"each axis name must be a string or None; got {name!r} ({type(name).__name__})")
    return tuple(name or "" for name in names)


def _merge(names: Sequence[str]) -> str:
    if not names or not all(names):
        return ""
    parts: list[str] = []
    for n in names:
        parts.extend(_split(n) or [n])
    return "(" + " ".join(parts) + ")"


def _split(name: str) -> list[str]:
    if name.startswith("(") and name.endswith(")"):
        return name[1:-1].split()
    return []


def reshape_dims(in_shape: Sequence[int], in_dims: Sequence[str], out_shape: Sequence[int]) -> Dims:
    """Names through a reshape: kept axes keep theirs, merged axes read ``"(H W)"``, a split merge
    gets its parts back, other new axes are unnamed.

    >>> reshape_dims((2, 12), ("N", "(H W)"), (2, 3, 4))
    ('N', 'H', 'W')
    >>> reshape_dims((2, 3, 4), ("N", "C", "L"), (6, 4))
    ('(N C)', 'L')
    """
    out = [""] * len(out_shape)
    if 0 in in_shape or 0 in out_shape:
        return tuple(in_dims) if tuple(in_shape) == tuple(out_shape) else tuple(out)
    i = j = 0
    n_in, n_out = len(in_shape), len(out_shape)
    while i < n_in and j < n_out:
        if in_shape[i] == out_shape[j]:
            out[j] = in_dims[i]
            i, j = i + 1, j + 1
            continue
        if in_shape[i] == 1:
            i += 1
            continue
        if out_shape[j] == 1:
            j += 1
            continue
        i1, j1, pi, pj = i + 1, j + 1, in_shape[i], out_shape[j]
        while pi != pj:
            if pi < pj and i1 < n_in:
                pi *= in_shape[i1]
                i1 += 1
            elif pj < pi and j1 < n_out:
                pj *= out_shape[j1]
                j1 += 1
            else:
                break
        if pi != pj:
            break
        group = [d for d, s in zip(in_dims[i:i1], in_shape[i:i1], strict=True) if s != 1 or d]
        if j1 - j == 1:
            out[j] = _merge(group)
        elif len(group) == 1:
            parts = _split(group[0])
            if len(parts) == j1 - j:
                out[j:j1] = parts
        i, j = i1, j1
    return tuple(out)


def _combine(names: Sequence[str]) -> str:
    """One name for an axis several operands share: the name they agree on, else unnamed."""
    named = {n for n in names if n}
    return named.pop() if len(named) == 1 else ""


def broadcast_dims(metas: Sequence[tuple[Sequence[int], Sequence[str]]], out_shape: Sequence[int]) -> Dims:
    """Names through broadcasting: operands aligned on their last axes; a stretched size-1 axis
    gives way to the operand whose axis has the full size."""
    r = len(out_shape)
    out: list[str] = []
    for k in range(r):
        full: list[str] = []
        ones: list[str] = []
        for shape, dims in metas:
            a = k - (r - len(shape))
            if a < 0:
                continue
            (full if shape[a] == out_shape[k] else ones).append(dims[a])
        out.append(_combine(full) or _combine(ones))
    return tuple(out)


def permutation(op: str, bound: Mapping[str, Any], rank: int) -> list[int] | None:
    """The axis order of a permute-kind op: output axis k is input axis ``perm[k]``.

    >>> permutation("movedim", {"source": 0, "destination": -1}, 3)
    [1, 2, 0]
    """
    base = op.rstrip("_")
    order = list(range(rank))
    if base == "permute":
        dims = bound.get("dims", [])
        return [norm_dim(int(d), rank) for d in dims]
    if base in ("transpose", "swapaxes", "swapdims"):
        a = norm_dim(int(bound.get("dim0", bound.get("axis0", 0))), rank)
        b = norm_dim(int(bound.get("dim1", bound.get("axis1", 0))), rank)
        if rank:
            order[a], order[b] = order[b], order[a]
        return order
    if base in ("t", "H") or (base == "T" and rank <= 2):
        return order[::-1]
    if base == "T":
        return order[::-1]
    if base in ("mT", "mH", "adjoint"):
        if rank >= 2:
            order[-1], order[-2] = order[-2], order[-1]
        return order
    if base in ("movedim", "moveaxis"):
        src, dst = bound.get("source"), bound.get("destination")
        srcs = [src] if isinstance(src, int) else list(src or [])
        dsts = [dst] if isinstance(dst, int) else list(dst or [])
        if len(srcs) != len(dsts):
            return None
        result: list[int | None] = [None] * rank
        for s, d in zip(srcs, dsts, strict=True):
            result[norm_dim(int(d), rank)] = norm_dim(int(s), rank)
        rest = iter(a for a in order if a not in {norm_dim(int(s), rank) for s in srcs})
        return [next(rest) if v is None else v for v in result]
    return None


def _index_key_dims(key: Any, in_shape: Sequence[int], in_dims: Sequence[str], out_rank: int) -> Dims:
    """Names through ``x[key]``: ints drop an axis, slices keep it, ``None`` adds an unnamed one;
    a single 1-d index tensor or list keeps its axis' name, other advanced indices give unnamed axes."""
    items = list(key) if isinstance(key, (tuple, list)) and not _is_index_list(key) else [key]
    consumed = [_consumes(k) for k in items]
    if Ellipsis in items:
        e = items.index(Ellipsis)
        fill = len(in_shape) - sum(c for c in consumed if c > 0)
        items[e : e + 1] = [slice(None)] * fill
    out: list[str] = []
    adv_at: int | None = None
    adv_names: list[str] = []
    adv_count = 0
    gap = False
    axis = 0
    for item in items:
        if item is None:
            out.append("")
            continue
        if isinstance(item, slice):
            out.append(in_dims[axis] if axis < len(in_dims) else "")
            axis += 1
            if adv_at is not None:
                gap = True
            continue
        if isinstance(item, int) and not isinstance(item, bool):
            axis += 1
            continue
        n = _consumes(item)
        shape = _index_shape(item)
        if adv_at is None:
            adv_at = len(out)
        elif gap:
            adv_at = 0
        adv_count += 1
        adv_names.append(in_dims[axis] if n == 1 and len(shape) == 1 and axis < len(in_dims) else "")
        axis += n
        adv_rank = len(shape)
        if adv_count == 1:
            adv_shape_rank = adv_rank
        else:
            adv_shape_rank = max(adv_shape_rank, adv_rank)
    out.extend(in_dims[axis:])
    if adv_at is not None:
        names = [adv_names[0]] if adv_count == 1 and adv_shape_rank == 1 else [""] * adv_shape_rank
        out[adv_at:adv_at] = names
    return tuple(out) if len(out) == out_rank else ("",) * out_rank


def _is_index_list(key: Any) -> bool:
    return isinstance(key, list) and all(isinstance(k, (int, bool)) for k in key)


def _consumes(item: Any) -> int:
    if item is None or item is Ellipsis:
        return 0
    if isinstance(item, Kept) and item.dtype == torch.bool:
        return max(len(item.shape), 1)
    if isinstance(item, list) and item and all(isinstance(k, bool) for k in item):
        return 1
    return 1


def _index_shape(item: Any) -> tuple[int, ...]:
    if isinstance(item, Kept):
        if item.dtype == torch.bool:
            return (-1,)
        return item.shape
    if isinstance(item, (list, tuple)):
        return (len(item),)
    if isinstance(item, bool):
        return (1,)
    return ()


class HasDims(Protocol):
    """The part of a tensor's metadata that names and notes read (``TensorMeta`` has it)."""

    @property
    def shape(self) -> tuple[int, ...]: ...

    @property
    def dims(self) -> tuple[str, ...]: ...


@dataclass(frozen=True)
class Shaped:
    """A shape and its axis names: the least that :func:`propagate_dims` needs."""

    shape: tuple[int, ...]
    dims: Dims


def propagate_dims(
    op: str, kind: str, bound: Mapping[str, Any], inputs: Sequence[HasDims], outputs: Sequence[tuple[int, ...]]
) -> list[Dims]:
    """The axis names of each output, from the inputs' names.

    >>> x = Shaped((2, 3, 4), ("N", "H", "W"))
    >>> propagate_dims("permute", "permute", {"dims": [0, 2, 1]}, [x], [(2, 4, 3)])
    [('N', 'W', 'H')]
    >>> propagate_dims("sum", "reduction", {"dim": 1}, [x], [(2, 4)])
    [('N', 'W')]
    """
    try:
        result = _propagate(op, kind, bound, inputs, outputs)
    except (ValueError, TypeError, IndexError, KeyError, NotImplementedError):
        result = None
    fixed: list[Dims] = []
    for k, shape in enumerate(outputs):
        dims = result[k] if result is not None and k < len(result) else None
        fixed.append(dims if dims is not None and len(dims) == len(shape) else ("",) * len(shape))
    return fixed


def _propagate(
    op: str, kind: str, bound: Mapping[str, Any], inputs: Sequence[HasDims], outputs: Sequence[tuple[int, ...]]
) -> list[Dims] | None:
    if not outputs:
        return []
    out = outputs[0]
    if not inputs:
        return None
    x = inputs[0]
    base = op[:-1] if op.endswith("_") and not op.startswith("_") else op
    if kind == "reshape":
        return [reshape_dims(x.shape, x.dims, out)]
    if kind == "squeeze":
        if len(out) == len(x.shape):
            return [x.dims]
        dim = bound.get("dim")
        if dim is None:
            drop = {a for a, s in enumerate(x.shape) if s == 1}
        else:
            dims = dim if isinstance(dim, (list, tuple)) else [dim]
            drop = {norm_dim(int(d), len(x.shape)) for d in dims if x.shape[norm_dim(int(d), len(x.shape))] == 1}
        return [tuple(d for a, d in enumerate(x.dims) if a not in drop)]
    if kind == "unsqueeze":
        d = norm_dim(int(bound.get("dim", 0)), len(out))
        names = list(x.dims)
        names.insert(d, "")
        return [tuple(names)]
    if kind == "permute":
        perm = permutation(op, bound, len(x.shape))
        return None if perm is None else [tuple(x.dims[p] for p in perm)]
    if kind in ("cat", "stack"):
        if kind == "cat" and all(len(m.shape) == len(out) for m in inputs):
            return [tuple(_combine([m.dims[a] for m in inputs]) for a in range(len(out)))]
        if kind == "stack":
            rank = len(out)
            d = norm_dim(int(bound.get("dim", 0)), rank)
            names = [_combine([m.dims[a] for m in inputs]) for a in range(rank - 1)]
            names.insert(d, "")
            return [tuple(names)]
        return [broadcast_dims([(m.shape, m.dims) for m in inputs], out)]
    if kind == "expand" or kind == "elementwise":
        metas = [(m.shape, m.dims) for m in inputs]
        return [broadcast_dims(metas, o) for o in outputs]
    if kind == "reduction":
        rank = len(x.shape)
        dims, keepdim = reduced_dims(base, bound, rank)
        kept = tuple(d for a, d in enumerate(x.dims) if keepdim or a not in dims)
        return [kept for _ in outputs]
    if kind == "index":
        return _index_dims(base, bound, x, outputs)
    if kind == "matmul":
        return [_matmul_dims(base, bound, inputs, out)]
    if kind == "creation":
        return [x.dims if x.shape == o else ("",) * len(o) for o in outputs]
    # other: same shape keeps the names (softmax, dropout, clone); same rank keeps them too (conv2d).
    if base in ("flip", "fliplr", "flipud", "roll", "tril", "triu", "repeat", "tile", "repeat_interleave"):
        return [x.dims if len(o) == len(x.shape) else ("",) * len(o) for o in outputs]
    return [x.dims if len(o) == len(x.shape) else ("",) * len(o) for o in outputs]


def _index_dims(op: str, bound: Mapping[str, Any], x: HasDims, outputs: Sequence[tuple[int, ...]]) -> list[Dims]:
    rank = len(x.shape)
    if op == "getitem":
        return [_index_key_dims(bound.get("index"), x.shape, x.dims, len(outputs[0]))]
    if op in ("select", "unbind"):
        d = norm_dim(int(bound.get("dim", 0)), rank)
        return [tuple(n for a, n in enumerate(x.dims) if a != d) for _ in outputs]
    if op in ("masked_select", "take"):
        return [("",) * len(o) for o in outputs]
    return [x.dims if len(o) == rank else ("",) * len(o) for o in outputs]


def _matmul_dims(op: str, bound: Mapping[str, Any], inputs: Sequence[HasDims], out: tuple[int, ...]) -> Dims:
    if op == "linear":
        x = inputs[0]
        return (*x.dims[:-1], "") if x.dims else ()
    if op == "einsum":
        eq = bound.get("equation")
        if not isinstance(eq, str):
            return ("",) * len(out)
        spec = einsum_labels(eq, [m.shape for m in inputs])
        names: dict[str, list[str]] = {}
        for labels, m in zip(spec.inputs, inputs, strict=True):
            for label, name in zip(labels, m.dims, strict=False):
                names.setdefault(label, []).append(name)
        return tuple(_combine(names.get(label, [])) for label in spec.output)
    if len(inputs) < 2:
        return ("",) * len(out)
    a, b = inputs[0], inputs[1]
    if op in ("dot", "vdot", "inner") and len(a.shape) <= 1:
        return ()
    if op in ("outer", "ger"):
        return (a.dims[0] if a.dims else "", b.dims[0] if b.dims else "")
    if len(a.shape) == 1 and len(b.shape) == 1:
        return ()
    if len(a.shape) == 1:
        return (*b.dims[:-2], b.dims[-1])
    if len(b.shape) == 1:
        return tuple(a.dims[:-1])
    batch = broadcast_dims([(a.shape[:-2], a.dims[:-2]), (b.shape[:-2], b.dims[:-2])], out[:-2])
    return (*batch, a.dims[-2], b.dims[-1])


@dataclass(frozen=True)
class EinsumLabels:
    """An einsum equation with its ``...`` spelled out as labels."""

    inputs: tuple[str, ...]
    output: str


def einsum_labels(equation: str, shapes: Sequence[Sequence[int]]) -> EinsumLabels:
    """Parse ``"bij,bjk->bik"`` (implicit output and ``...`` included) into one label per axis.

    >>> einsum_labels("...ij,jk", [(5, 2, 3), (3, 4)])
    EinsumLabels(inputs=('Aij', 'jk'), output='Aik')
    """
    eq = equation.replace(" ", "")
    lhs, arrow, rhs = eq.partition("->")
    terms = lhs.split(",")
    if len(terms) != len(shapes):
        raise ValueError(f"einsum equation {equation!r} has {len(terms)} operands, got {len(shapes)}")
    spare = [c for c in "ABCDEFGHIJKLMNOPQRSTUVWXYZ" if c not in eq]
    ell_rank = max(
        (len(s) - len(t.replace("...", "")) for t, s in zip(terms, shapes, strict=True) if "..." in t), default=0
    )
    ell = "".join(spare[:ell_rank])
    expanded = []
    for term, shape in zip(terms, shapes, strict=True):
        if "..." in term:
            n = len(shape) - len(term.replace("...", ""))
            term = term.replace("...", ell[ell_rank - n :] if n else "")
        expanded.append(term)
    if arrow:
        output = rhs.replace("...", ell)
    else:
        counts: dict[str, int] = {}
        for term in expanded:
            for c in term:
                counts[c] = counts.get(c, 0) + 1
        output = ell + "".join(sorted(c for c, n in counts.items() if n == 1 and c not in ell))
    return EinsumLabels(tuple(expanded), output)


# ---------------------------------------------------------------------------------------------------
# View or copy, in words


def why_of(
    op: str,
    kind: str,
    is_view: bool | None,
    same_object: bool,
    inputs: Sequence[Any],
    bound: Mapping[str, Any],
) -> str:
    """Why the result is a view of an input (same storage) or a new tensor, in words.

    ``inputs`` are :class:`~tensorviz.tracing.TensorMeta` (only ``is_contiguous`` is read).

    >>> class M: is_contiguous = False
    >>> why_of("reshape", "reshape", False, False, [M()], {})
    'reshape of a non-contiguous tensor copies: no strides can read its elements in the new order'
    """
    if is_view is None:
        return ""
    base = op[:-1] if is_inplace(op) and op != "setitem" else op
    if is_inplace(op) or bound.get("inplace") is True:
        return f"{op} is in-place: it writes into the input's own storage and returns the input itself"
    contiguous = bool(inputs and getattr(inputs[0], "is_contiguous", False))
    if same_object:
        if base == "contiguous":
            return "contiguous() on a tensor that already is contiguous returns the tensor itself"
        if base in ("to", "type", "float", "double", "half", "int", "long", "bool", "cpu", "cuda"):
            return f"{op}() to the dtype and device the tensor already has returns the tensor itself"
        return f"{op} returned its input itself"
    if kind == "reshape":
        if base == "view":
            return "view never copies: the same storage, read with a new shape and strides"
        if is_view and contiguous:
            return f"{base} of a contiguous tensor is a view: the same storage, read with a new shape and strides"
        if is_view:
            return (
                f"{base} of this non-contiguous tensor is still a view: the axes it merges or splits are laid "
                "out one after the other in memory"
            )
        return f"{base} of a non-contiguous tensor copies: no strides can read its elements in the new order"
    if kind in ("squeeze", "unsqueeze"):
        what = "drops size-1 axes from" if kind == "squeeze" else "adds a size-1 axis to"
        return f"{base} is a view: it {what} the shape and strides, the storage is the same"
    if kind == "permute":
        return f"{base} is a view: the same storage with its strides reordered, so the result is usually not contiguous"
    if kind in ("cat", "stack"):
        return f"{base} copies its inputs into one new storage"
    if kind == "expand":
        return f"{base} is a view: the stretched axes have stride 0, every element along them is the same memory"
    if kind == "index":
        if base == "getitem":
            if is_view:
                return "basic indexing (ints, slices, None, ...) is a view: an offset and strides into the same storage"
            return "indexing with a tensor, a list or a mask (advanced indexing) copies the selected elements"
        if is_view:
            return f"{base} is a view: an offset and strides into the same storage"
        return f"{base} copies the selected elements into a new tensor"
    if kind == "elementwise":
        if is_view:
            return f"{base} returned a view of its input (same storage)"
        return f"{base} is element-wise: it writes a new tensor"
    if kind == "reduction":
        return f"{base} is a reduction: it writes a new, smaller tensor"
    if kind == "matmul":
        return f"{base} writes a new tensor: each element is a sum of products"
    if kind == "creation":
        return f"{base} makes a new tensor"
    if is_view:
        return f"{base} returned a view of its input (same storage)"
    if base == "clone":
        return "clone copies the elements into a new storage"
    if base == "contiguous":
        return "contiguous() of a non-contiguous tensor copies its elements into row-major order"
    return f"{base} writes a new tensor"


def notes_of(
    op: str, kind: str, bound: Mapping[str, Any], inputs: Sequence[HasDims], outputs: Sequence[tuple[int, ...]]
) -> tuple[str, ...]:
    """Things worth noticing about one call.

    >>> notes_of("squeeze", "squeeze", {"dim": 1}, [Shaped((2, 3), ("", ""))], [(2, 3)])
    ('squeeze(1) on an axis of size 3 does nothing',)
    >>> notes_of("view", "reshape", {"shape": [3, -1]}, [Shaped((2, 6), ("", ""))], [(3, 4)])
    ('-1 was inferred as 4 (12 elements / 3)',)
    """
    notes: list[str] = []
    if not inputs:
        return ()
    x = inputs[0]
    base = op[:-1] if op.endswith("_") and not op.startswith("_") else op
    try:
        if kind == "squeeze" and "dim" in bound and bound["dim"] is not None:
            dims = bound["dim"] if isinstance(bound["dim"], (list, tuple)) else [bound["dim"]]
            for d in dims:
                a = norm_dim(int(d), len(x.shape))
                if a < len(x.shape) and x.shape[a] != 1:
                    notes.append(f"{base}({d}) on an axis of size {x.shape[a]} does nothing")
        if kind == "reshape" and outputs:
            asked = bound.get("shape", bound.get("sizes"))
            if isinstance(asked, (list, tuple)) and -1 in asked:
                k = list(asked).index(-1)
                out = outputs[0]
                offset = len(out) - len(asked)
                if 0 <= k + offset < len(out):
                    known = math.prod(int(s) for s in asked if s != -1)
                    total = math.prod(x.shape)
                    notes.append(f"-1 was inferred as {out[k + offset]} ({total} elements / {known})")
        if kind == "elementwise" and outputs and len(inputs) > 1:
            out = outputs[0]
            for i, m in enumerate(inputs):
                if m.shape != out:
                    lead = len(out) - len(m.shape)
                    grown = [a for a in range(len(out)) if a < lead or (m.shape[a - lead] == 1 and out[a] != 1)]
                    where = f"axis {grown[0]}" if len(grown) == 1 else f"axes {grown}"
                    notes.append(
                        f"input {i} of shape {list(m.shape)} was broadcast to {list(out)}: read with stride 0 along "
                        f"{where} of the output (no new memory: the same elements repeat)"
                    )
        if kind == "expand" and outputs:
            grown = [a for a, s in enumerate(x.shape) if s == 1 and outputs[0][a + len(outputs[0]) - len(x.shape)] != 1]
            if grown:
                notes.append(f"size-1 axes {grown} were stretched with stride 0 (nothing was copied)")
    except (TypeError, ValueError, IndexError):
        pass
    return tuple(notes)
