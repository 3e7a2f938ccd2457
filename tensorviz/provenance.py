"""Element provenance of a traced step: which input elements make each output element.

:func:`sources` returns one int64 tensor per tensor input of the step, each of shape
``output.shape + (k,)``: the flat (row-major) indices in that input of the ``k`` elements that make
each output element, ``-1`` where that input gives nothing (the other input of a ``cat``, the
elements ``masked_fill`` overwrote). It is computed on demand, on the step's device, never from the
user's values:

* shape, index, cat/stack and expand ops (and ``flip``, ``roll``, ``repeat``, ``tril``, ``pad``...) are
  *replayed* on index tensors: input ``i`` becomes ``arange(numel_i).view(shape_i)`` (offset so every
  input's indices are distinct, and shifted by one so that an element the op fills with a constant
  reads as ``-1``), with the same other arguments. ``k = 1``.
* element-wise ops: each input's index tensor broadcast to the output shape (a broadcast input
  repeats its indices). ``k = 1``.
* reductions: the contributors along the reduced axes, moved last; ``k`` is how many elements each
  output combines (all of them when no ``dim`` is given: output shape ``()`` + ``(numel,)``).
* matrix products (``matmul``, ``mm``, ``bmm``, ``mv``, ``dot``, ``linear``, ``einsum``...): the ``k``
  elements of row ``i`` of A and of column ``j`` of B, batch axes broadcast; ``linear``'s bias gives
  its one element at position 0 and ``-1`` after it.

Ops whose elements mix beyond that (``conv2d``, ``softmax``, ``cumsum``) raise ``NotImplementedError``;
above :data:`SOURCES_LIMIT` output elements (times ``k``) :func:`sources` raises ``ValueError``.

>>> import torch
>>> from tensorviz.tracing import trace
>>> x = torch.arange(6.0).view(2, 3)
>>> with trace() as tr:
...     y = x.sum(dim=1)
>>> tr.steps[0].sources()[0].tolist()
[[0, 1, 2], [3, 4, 5]]
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

import torch

from .ops import Kept, Slot, einsum_labels, reduced_dims, spec_of

if TYPE_CHECKING:
    from .tracing import Step, TensorMeta

SOURCES_LIMIT = 10**7  # output elements (times k) above which sources() refuses


def sources(step: Step, output: int = 0) -> list[torch.Tensor]:
    """Where each element of ``step.outputs[output]`` comes from, per input (see the module docs)."""
    label = f"step {step.index} ({step.op})"
    if step.error is not None:
        raise ValueError(f"{label} failed ({step.error.type}), so it has no output to trace back")
    if not isinstance(output, int) or isinstance(output, bool):
        raise TypeError(f"output must be the number of an output (an int, 0 for the first); got {output!r}")
    if not 0 <= output < len(step.outputs):
        if not step.outputs:
            raise ValueError(f"{label} returned no tensor, so there is nothing to trace back")
        raise IndexError(f"{label} has {len(step.outputs)} outputs; got output={output}")
    private = step._private
    method = private.provenance if private is not None else None
    if private is None or method is None:
        raise NotImplementedError(
            f"{label}: {step.func} has no element provenance in tensorviz; it is known for shape, "
            "index, cat/stack, expand, element-wise, reduction and matrix-product ops"
        )
    out = step.outputs[output]
    k = _contributors(step, method)
    total = out.numel * max(k, 1)
    if total > SOURCES_LIMIT:
        per = f" x {k} contributors" if k > 1 else ""
        raise ValueError(
            f"{label}: its output of shape {list(out.shape)} has {out.numel:,} elements{per}; sources() "
            f"stops at {SOURCES_LIMIT:,} (index a smaller part of the tensor, or trace a smaller example)"
        )
    if any(m.device == "meta" for m in (*step.inputs, out)):
        raise NotImplementedError(f"{label}: meta tensors have no elements to trace back")
    with torch._C.DisableTorchFunction():
        if method == "replay":
            return _replay(step, output, label)
        if method == "elementwise":
            return [_index(m).broadcast_to(out.shape).unsqueeze(-1).contiguous() for m in step.inputs]
        if method == "reduction":
            return _reduction(step, out, label)
        if method == "matmul":
            return _matmul(step, out, label)
    raise NotImplementedError(f"{label}: unknown provenance method {method!r}")


def _index(m: TensorMeta, start: int = 0, dtype: torch.dtype = torch.int64) -> torch.Tensor:
    return torch.arange(start, start + m.numel, dtype=dtype, device=m.device).view(m.shape)


def _contributors(step: Step, method: str) -> int:
    """``k``: how many elements of each input make one output element (before computing them)."""
    if method in ("replay", "elementwise"):
        return 1
    private = step._private
    assert private is not None
    x = step.inputs[0] if step.inputs else None
    if method == "reduction" and x is not None:
        dims, _ = _reduced(step)
        return math.prod(x.shape[d] for d in dims) if x.shape else 1
    if method == "matmul":
        try:
            return math.prod(_contraction(step)[2].values()) or 1
        except (ValueError, NotImplementedError, IndexError):
            return 1
    return 1


# -- replay ----------------------------------------------------------------------------------------


def _replay(step: Step, output: int, label: str) -> list[torch.Tensor]:
    private = step._private
    assert private is not None
    out = step.outputs[output]
    try:
        result = _replay_as(step, output, torch.int64)
    except (RuntimeError, TypeError) as err:
        try:  # some ops (reflection padding, ...) take no integer tensors: float64 holds every index < 2**53
            result = _replay_as(step, output, torch.float64)
        except (RuntimeError, TypeError):
            raise NotImplementedError(f"{label}: replaying it on index tensors failed: {err}") from None
    if tuple(result.shape) != out.shape:
        raise NotImplementedError(
            f"{label}: replaying it on index tensors gave shape {list(result.shape)}, not {list(out.shape)}"
        )
    flat = result.to(torch.int64) - 1
    found = []
    start = 0
    for m in step.inputs:
        inside = (flat >= start) & (flat < start + m.numel)
        found.append(torch.where(inside, flat - start, -1).unsqueeze(-1))
        start += m.numel
    return found


def _replay_as(step: Step, output: int, dtype: torch.dtype) -> torch.Tensor:
    private = step._private
    assert private is not None
    label = f"step {step.index} ({step.op})"
    operands = []
    start = 1
    for m in step.inputs:
        operands.append(_index(m, start, dtype))
        start += m.numel
    spec = spec_of(step.op)
    args = [_substitute(a, operands, label) for a in private.args]
    kwargs = {k: _substitute(v, operands, label) for k, v in private.kwargs.items()}
    if spec.fills is not None:
        _zero_fill(spec.fills, spec.params, args, kwargs)
    result = private.func(*args, **kwargs)
    if result is None and step.op == "setitem":
        result = operands[0]
    if isinstance(result, (tuple, list)):
        result = [r for r in result if isinstance(r, torch.Tensor)][output]
    if not isinstance(result, torch.Tensor):
        raise TypeError(f"{label}: replay returned {type(result).__name__}, not a tensor")
    return result


def _substitute(value: Any, operands: Sequence[torch.Tensor], label: str) -> Any:
    if isinstance(value, Slot):
        return operands[value.i]
    if isinstance(value, Kept):
        kept = value.replayable()
        if kept is None:
            raise ValueError(
                f"{label}: its index argument of shape {list(value.shape)} was not kept (tensorviz keeps "
                f"index arguments of at most 10**6 elements), so its sources cannot be replayed"
            )
        return kept
    kind = type(value)
    if kind is list or kind is tuple:
        return kind(_substitute(v, operands, label) for v in value)
    return value


def _zero_fill(name: str, params: Sequence[str], args: list[Any], kwargs: dict[str, Any]) -> None:
    """Set the fill value to 0, which reads as 'no source' once the indices are shifted back by one."""
    if name in kwargs and not isinstance(kwargs[name], torch.Tensor):
        kwargs[name] = 0
    if name in params:
        p = params.index(name)
        if p < len(args) and not isinstance(args[p], torch.Tensor):
            args[p] = 0
    if name == "value" and "value" not in params and "src" in params:  # scatter(dim, index, value=2.0)
        p = params.index("src")
        if p < len(args) and not isinstance(args[p], torch.Tensor):
            args[p] = 0


# -- reductions ------------------------------------------------------------------------------------


def _reduced(step: Step) -> tuple[tuple[int, ...], bool]:
    private = step._private
    assert private is not None
    bound = dict(private.spec_bound)
    base = step.op.rstrip("_")
    if base == "mode" and "dim" not in bound:
        bound["dim"] = -1
    rank = len(step.inputs[0].shape)
    dims, keepdim = reduced_dims(base, bound, rank)
    return tuple(d for d in dims if d < max(rank, 1)), keepdim


def _reduction(step: Step, out: TensorMeta, label: str) -> list[torch.Tensor]:
    x = step.inputs[0]
    dims, keepdim = _reduced(step)
    rank = len(x.shape)
    idx = _index(x)
    if rank == 0:
        found = idx.reshape(1)
        expect: tuple[int, ...] = ()
    else:
        kept = [a for a in range(rank) if a not in dims]
        k = math.prod(x.shape[d] for d in dims)
        found = idx.permute(*kept, *dims).reshape(*[x.shape[a] for a in kept], k)
        expect = (
            tuple(1 if a in dims else s for a, s in enumerate(x.shape)) if keepdim else tuple(x.shape[a] for a in kept)
        )
    if expect != out.shape:
        raise NotImplementedError(
            f"{label}: the reduced axes {list(dims)} of shape {list(x.shape)} give {list(expect)}, "
            f"not the output's {list(out.shape)}"
        )
    result = [found.reshape(*out.shape, found.shape[-1]).contiguous()]
    result += [
        torch.full((*out.shape, found.shape[-1]), -1, dtype=torch.int64, device=m.device) for m in step.inputs[1:]
    ]
    return result


# -- matrix products -------------------------------------------------------------------------------


def _contraction(step: Step) -> tuple[list[str], str, dict[str, int]]:
    """Labels per input axis, output labels, and the sizes of the contracted labels."""
    private = step._private
    assert private is not None
    base = step.op.rstrip("_")
    shapes = [m.shape for m in step.inputs]
    out_rank = len(step.outputs[0].shape) if step.outputs else 0
    batch = "ABCDEFGHIJKLMNOPQRSTUVWXYZ"
    if base == "einsum":
        eq = private.spec_bound.get("equation")
        if not isinstance(eq, str):
            raise NotImplementedError("einsum without an equation string")
        parsed = einsum_labels(eq, shapes)
        labels, output = list(parsed.inputs), parsed.output
    elif base in ("dot", "vdot") or (base == "inner" and all(len(s) == 1 for s in shapes)):
        labels, output = ["k", "k"], ""
    elif base in ("outer", "ger"):
        labels, output = ["n", "m"], "nm"
    elif base == "inner":
        a, b = shapes
        la, lb = "abcdefgh"[: len(a) - 1], "pqrstuvw"[: len(b) - 1]
        labels, output = [la + "k", lb + "k"], la + lb
    elif base == "mv":
        labels, output = ["nk", "k"], "n"
    elif base == "mm":
        labels, output = ["nk", "km"], "nm"
    elif base == "bmm":
        labels, output = ["bnk", "bkm"], "bnm"
    elif base == "linear":
        xb = batch[: len(shapes[0]) - 1]
        labels = [xb + "i", "oi" if len(shapes[1]) == 2 else "i"]
        output = xb + ("o" if len(shapes[1]) == 2 else "")
        if len(shapes) > 2:
            labels.append("o" if len(shapes[2]) == 1 else "")
    elif base == "matmul":
        a, b = shapes
        if len(a) == 1 and len(b) == 1:
            labels, output = ["k", "k"], ""
        elif len(a) == 1:
            bb = batch[: len(b) - 2]
            labels, output = ["k", bb + "km"], bb + "m"
        elif len(b) == 1:
            ab = batch[: len(a) - 2]
            labels, output = [ab + "nk", "k"], ab + "n"
        else:
            nb = out_rank - 2
            ob = batch[:nb]
            labels = [ob[nb - (len(a) - 2) :] + "nk", ob[nb - (len(b) - 2) :] + "km"]
            output = ob + "nm"
    else:
        raise NotImplementedError(f"no contraction known for {step.op}")
    sizes: dict[str, int] = {}
    for labs, shape in zip(labels, shapes, strict=True):
        if len(labs) != len(shape):
            raise ValueError(f"labels {labs!r} do not fit shape {list(shape)}")
        for c, s in zip(labs, shape, strict=True):
            if s != 1 or c not in sizes:
                sizes[c] = s
    contracted = {c: s for c, s in sizes.items() if c not in output}
    if base == "linear":
        contracted.pop("o", None)
    return labels, output, contracted


def _matmul(step: Step, out: TensorMeta, label: str) -> list[torch.Tensor]:
    labels, output, contracted = _contraction(step)
    device = out.device
    rank = len(output)
    if len(out.shape) != rank:
        raise NotImplementedError(f"{label}: output rank {len(out.shape)} does not match {output!r}")
    order = list(contracted)
    k = math.prod(contracted.values()) if order else 1
    coord: dict[str, torch.Tensor] = {}
    view = [1] * (rank + 1)
    for p, c in enumerate(output):
        shape = list(view)
        shape[p] = out.shape[p]
        coord[c] = torch.arange(out.shape[p], device=device).view(shape)
    flat_k = torch.arange(k, device=device).view([1] * rank + [k])
    inner = k
    for c in order:
        inner //= contracted[c]
        coord[c] = (flat_k // inner) % contracted[c]
    found = []
    is_bias = step.op.rstrip("_") == "linear"
    for i, (labs, m) in enumerate(zip(labels, step.inputs, strict=True)):
        idx = torch.zeros([1] * (rank + 1), dtype=torch.int64, device=device)
        stride = 1
        for a in range(len(labs) - 1, -1, -1):
            if m.shape[a] != 1:
                idx = idx + coord[labs[a]] * stride
            stride *= m.shape[a]
        idx = idx.expand(*out.shape, k).contiguous()
        if is_bias and i == 2 and k > 1:
            idx[..., 1:] = -1
        found.append(idx)
    return found


def contributors_shape(step: Step, output: int = 0) -> tuple[int, ...]:
    """The shape :func:`sources` will return for each input, without computing it.

    >>> import torch
    >>> from tensorviz.tracing import trace
    >>> with trace() as tr:
    ...     y = torch.ones(2, 3) @ torch.ones(3, 4)
    >>> contributors_shape(tr.steps[-1])
    (2, 4, 3)
    """
    private = step._private
    method = private.provenance if private is not None else None
    k = _contributors(step, method) if method is not None else 1
    return (*step.outputs[output].shape, k)


__all__ = ["SOURCES_LIMIT", "contributors_shape", "sources"]
