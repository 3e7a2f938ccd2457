"""What the op player draws for one traced step: each tensor's cells and values, and where each output cell comes from.

A pure core (no widget code). Small steps are drawn element by element: every tensor of at most :data:`BUDGET`
elements, the provenance from :meth:`Step.sources`. Larger tensors are drawn as *blocks* along their axes (at most
:data:`BUDGET` blocks each), each block holding its element of largest magnitude (as TensorView's reduced faces do),
and a block of the output moves from the input block that holds its first element, worked out from the op's
meaning (reshape keeps the row-major order, permute moves axes, a reduction drops them, ...), never by touching
every element. So a 10⁸-element reshape or permute still animates, reading its values once on its own device.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

import numpy as np
import torch

from . import ops
from .dtypes import ENCODING_DTYPE, dtype_traits
from .tracing import Step, TensorMeta

BUDGET = 4096  # cells per tensor moved one by one; above it, blocks
AXIS_CELLS = 128  # cells along one axis of a tensor of rank >= 2 (a 1-d tensor wraps into rows instead)
TRACKS = 1 << 16  # tracks (output cells x contributors, all inputs) per step, at most
ANIMATED = ("reshape", "squeeze", "unsqueeze", "permute", "cat", "stack", "expand", "elementwise", "reduction", "index",
            "matmul", "einops")  # fmt: skip
BLOCK_KINDS = ("reshape", "squeeze", "unsqueeze", "permute", "cat", "stack", "expand", "elementwise", "reduction")
# how late the last output cell starts, as a share of the motion: reshape shows its row-major order
STAGGER = {"reshape": 0.6, "squeeze": 0.0, "unsqueeze": 0.0, "permute": 0.25, "cat": 0.35, "stack": 0.35,
           "expand": 0.2, "elementwise": 0.15, "reduction": 0.3, "index": 0.3, "matmul": 0.3, "einops": 0.4}  # fmt: skip
WINNERS = {"max": "max", "amax": "max", "argmax": "max", "min": "min", "amin": "min", "argmin": "min"}
STRETCH = 0.45  # share of an element-wise step's motion in which broadcast operands spread over the output first


@dataclass(frozen=True)
class StepFrames:
    """One step as the player receives it: a JSON description and its binary buffers (in the order it names)."""

    meta: dict[str, Any]
    buffers: list[np.ndarray]


def block_steps(shape: tuple[int, ...], budget: int = BUDGET) -> tuple[int, ...]:
    """Block size along each axis so that at most ``budget`` blocks cover ``shape``: every axis is cut into at most
    ``g`` blocks, ``g`` as large as the budget allows (short axes keep every element, long ones are cut evenly), and
    an axis of a tensor of rank >= 2 into at most :data:`AXIS_CELLS` (a 1-d tensor wraps into rows instead).

    >>> block_steps((2, 3, 4)), block_steps((10000, 10000)), block_steps((1000, 1000, 10)), block_steps((10**8,))
    ((1, 1, 1), (157, 157), (50, 50, 1), (24415,))
    >>> block_steps((2, 2000))
    (1, 16)
    """
    cap = AXIS_CELLS if len(shape) >= 2 else budget
    if math.prod(shape) <= budget and max(shape, default=0) <= cap:
        return tuple(1 for _ in shape)

    def blocks(g: int) -> int:
        return math.prod(min(n, g) for n in shape)

    lo, hi = 1, min(max(shape), cap)
    while lo < hi:  # the largest g whose grid fits
        mid = (lo + hi + 1) // 2
        if blocks(mid) <= budget:
            lo = mid
        else:
            hi = mid - 1
    return tuple(math.ceil(n / min(n, lo)) if n else 1 for n in shape)


def grid_of(shape: tuple[int, ...], steps: tuple[int, ...]) -> tuple[int, ...]:
    return tuple(math.ceil(n / s) if n else 0 for n, s in zip(shape, steps, strict=True))


def step_frames(step: Step, budget: int = BUDGET) -> StepFrames:
    """The pictures and paths of one step, element by element when small, in blocks when large."""
    if step.error is not None:
        return _failed(step, budget)
    out = step.output
    exact = (
        out is not None
        and all(block_steps(m.shape, budget) == (1,) * len(m.shape) for m in (*step.inputs, out))
        and step.kind in ANIMATED
        and step.error is None
    )
    if exact:
        try:
            return _exact(step, budget)
        except (NotImplementedError, ValueError, RuntimeError):
            pass  # no element provenance for this op: drawn without motion below
    return _blocks(step, budget)


# -- element by element ---------------------------------------------------------------------------------------------


def _exact(step: Step, budget: int) -> StepFrames:
    assert step.output is not None
    srcs = step.sources()
    tracks = sum(int(s.numel()) for s in srcs)
    if tracks > TRACKS:
        raise ValueError(f"{tracks} tracks")
    buffers: list[np.ndarray] = []
    tensors = []
    in_values: list[torch.Tensor | None] = []
    for i, m in enumerate(step.inputs):
        v = step.values("input", i)
        in_values.append(v)
        tensors.append(_tensor("input", i, m, m.shape, tuple(1 for _ in m.shape), v, buffers))
    out_v = step.values("output", 0)
    tensors.append(
        _tensor("output", 0, step.output, step.output.shape, tuple(1 for _ in step.output.shape), out_v, buffers,
                origin=origins(step))
    )  # fmt: skip
    sources: list[dict[str, Any] | None] = []
    winners: list[dict[str, Any] | None] = []
    for i, s in enumerate(srcs):
        k = int(s.shape[-1]) if s.dim() else 1
        buffers.append(s.reshape(-1).to(torch.int32).numpy())
        sources.append({"k": k, "buffer": len(buffers) - 1})
        w = _winners(step, s, in_values[i])
        if w is not None:
            buffers.append(w)
            winners.append({"buffer": len(buffers) - 1})
        else:
            winners.append(None)
    return StepFrames(_meta(step, "exact", tensors, sources, winners, []), buffers)


def _winners(step: Step, src: torch.Tensor, values: torch.Tensor | None) -> np.ndarray | None:
    """For max/min/argmax/argmin: which contributor (0..k-1) of each output cell wins, or None."""
    rule = WINNERS.get(step.op.rstrip("_"))
    if rule is None or step.kind != "reduction" or values is None or src.dim() == 0:
        return None
    k = src.shape[-1]
    flat = src.reshape(-1, k)
    v = values.detach().reshape(-1).to("cpu")
    if v.is_complex() or v.dtype == torch.bool:
        return None
    v = v.to(torch.float64)
    gathered = torch.where(flat >= 0, v[flat.clamp(min=0)], torch.tensor(math.nan, dtype=torch.float64))
    pick = gathered.nan_to_num(nan=-math.inf if rule == "max" else math.inf)
    # torch reports the first of equal extremes; NaN wins a max/min as torch's max/min propagate it
    nan_at = torch.isnan(gathered) & (flat >= 0)
    win = (pick.argmax(dim=1) if rule == "max" else pick.argmin(dim=1)).to(torch.int32)
    has_nan = nan_at.any(dim=1)
    win = torch.where(has_nan, nan_at.to(torch.int32).argmax(dim=1).to(torch.int32), win)
    return win.numpy()


# -- a failed step ------------------------------------------------------------------------------------------------


def _failed(step: Step, budget: int) -> StepFrames:
    """The inputs of a failed op, and for a reshape that cannot fit the places its elements fail to fill: they
    travel in row-major order into the requested shape and the count comes out wrong (places left empty, or
    elements left over)."""
    buffers: list[np.ndarray] = []
    tensors = []
    small = all(block_steps(m.shape, budget) == (1,) * len(m.shape) for m in step.inputs)
    for i, m in enumerate(step.inputs):
        steps = tuple(1 for _ in m.shape) if small else block_steps(m.shape, budget)
        v = step.values("input", i)
        tensors.append(_tensor("input", i, m, grid_of(m.shape, steps), steps, _reduce(v, steps), buffers))
    err = step.error
    assert err is not None
    sources: list[dict[str, Any] | None] = [None] * len(step.inputs)
    picture = err.picture or {}
    places = picture.get("places")
    notes: list[str] = []
    if picture.get("kind") == "places" and isinstance(places, list) and small and step.inputs:
        count = math.prod(places)
        elements = int(picture.get("elements", step.inputs[0].numel))
        if count <= budget and all(p > 0 for p in places):
            shape = tuple(int(p) for p in places)
            fake = TensorMeta(shape, None, step.inputs[0].dtype, step.inputs[0].device, None, None, True, count, 0,
                              False, -1, tuple("" for _ in shape))  # fmt: skip
            entry = _tensor("output", 0, fake, shape, tuple(1 for _ in shape), None, buffers, origin=[None] * len(shape))
            entry["places"] = True
            tensors.append(entry)
            # for a reshape the elements fill the places in row-major order; for unflatten only one axis is
            # regrouped, so the picture shows that axis's elements (one slice) filling it
            src = np.arange(count, dtype=np.int64)
            src[src >= elements] = -1
            if step.op.rstrip("_") == "unflatten" and step.inputs[0].shape:
                dim = int(step.args.get("dim", 0)) % len(step.inputs[0].shape)
                along = np.full(count, -1, dtype=np.int64)
                stride = math.prod(step.inputs[0].shape[dim + 1 :])
                ok = src >= 0
                along[ok] = src[ok] * stride
                src = along
            buffers.append(src.astype(np.int32))
            sources[0] = {"k": 1, "buffer": len(buffers) - 1}
            short = count - elements
            notes.append(
                f"{short} place{'s' if short != 1 else ''} left empty" if short > 0
                else f"{-short} element{'s' if short != -1 else ''} left over"
            )  # fmt: skip
    meta = _meta(step, "error", tensors, sources, [None] * len(sources), notes)
    meta["error"] = {
        "type": err.type,
        "message": err.message,
        "explanation": err.explanation,
        "axes": [list(a) for a in err.axes] if err.axes else [],
        "fix": err.fix,
        "picture": err.picture,
    }
    meta["stagger"] = 0.6
    return StepFrames(meta, buffers)


# -- blocks ---------------------------------------------------------------------------------------------------------


def _blocks(step: Step, budget: int) -> StepFrames:
    buffers: list[np.ndarray] = []
    out = step.output
    notes: list[str] = []
    in_steps = [block_steps(m.shape, budget) for m in step.inputs]
    origin = origins(step) if out is not None else []
    out_steps: tuple[int, ...] = ()
    if out is not None:
        # an output axis that came from an input axis is cut like it, so blocks correspond one to one
        first = step.inputs[0] if step.inputs else None
        guess = list(block_steps(out.shape, budget))
        if first is not None and step.kind in ("permute", "squeeze", "unsqueeze", "expand", "elementwise", "reduction", "cat", "stack"):
            for a, o in enumerate(origin):
                if o is not None and out.shape[a] == first.shape[o] and first.shape[o] > 1:
                    guess[a] = in_steps[0][o]
                elif out.shape[a] > 1 and step.kind in ("cat", "stack"):
                    guess[a] = max(1, min(in_steps[0][o] if o is not None else 1, out.shape[a]))
        out_steps = _fit_budget(out.shape, tuple(guess), budget)
    tensors = []
    for i, m in enumerate(step.inputs):
        v = step.values("input", i)
        tensors.append(_tensor("input", i, m, grid_of(m.shape, in_steps[i]), in_steps[i], _reduce(v, in_steps[i]), buffers))
    if out is not None:
        v = step.values("output", 0)
        if v is None and step.inputs:
            v = _view_again(step, step.values("input", 0), origin)
        tensors.append(
            _tensor("output", 0, out, grid_of(out.shape, out_steps), out_steps, _reduce(v, out_steps), buffers,
                    origin=origin)
        )  # fmt: skip
    sources: list[dict[str, Any] | None] = []
    if out is not None and step.kind in BLOCK_KINDS and step.error is None:
        try:
            maps = block_sources(step, in_steps, out_steps)
        except (ValueError, KeyError, TypeError, IndexError):
            maps = None
        if maps is not None:
            for src in maps:
                k = src.shape[-1]
                buffers.append(src.reshape(-1).astype(np.int32))
                sources.append({"k": int(k), "buffer": len(buffers) - 1})
    blocky = any(s > 1 for s in (*[x for st in in_steps for x in st], *out_steps))
    if blocky:
        many = any(m.numel > budget for m in (*step.inputs, *([out] if out is not None else [])))
        why = f"more than {budget:,} elements" if many else f"more than {AXIS_CELLS} along an axis"
        notes.append(f"{why}: blocks move instead of single elements, each drawn with its element of largest |x|")
    if not sources and out is not None and step.error is None and step.inputs:
        notes.append(f"{step.op} is not animated element by element: its inputs fade into its output")
    return StepFrames(_meta(step, "blocks" if blocky else "exact", tensors, sources, [None] * len(sources), notes), buffers)


def _view_again(step: Step, values: torch.Tensor | None, origin: list[int | None]) -> torch.Tensor | None:
    """A shape op's result from its input's values when the result itself is gone: the same view made again (never
    a copy of a large tensor)."""
    out = step.output
    if values is None or out is None:
        return None
    try:
        if step.kind in ("reshape", "squeeze", "unsqueeze"):
            return values.view(out.shape)  # raises where only a copy could do it
        if step.kind == "permute" and all(o is not None for o in origin):
            return values.permute(*[int(o) for o in origin if o is not None])
        if step.kind == "expand":
            return values.expand(out.shape)
    except RuntimeError:
        return None
    return None


def _fit_budget(shape: tuple[int, ...], steps: tuple[int, ...], budget: int) -> tuple[int, ...]:
    """Grow the steps (longest axes first) until the grid fits the budget."""
    s = list(steps)
    while math.prod(grid_of(shape, tuple(s))) > budget:
        counts = grid_of(shape, tuple(s))
        axis = max(range(len(shape)), key=lambda a: counts[a])
        s[axis] = math.ceil(shape[axis] / max(1, counts[axis] // 2))
    return tuple(s)


def _reduce(t: torch.Tensor | None, steps: tuple[int, ...]) -> torch.Tensor | None:
    """Each block's element of largest magnitude (sign kept; NaN when the block holds one), on the tensor's device.

    Axis by axis, each pass a view split into (blocks, step) and reduced, so memory is the size of the result.
    """
    if t is None:
        return None
    x = t.detach()
    if x.is_complex():
        x = x.abs()
    if x.dtype == torch.bool:
        x = x.to(torch.uint8)
    if not any(s > 1 for s in steps):
        return x
    hi, lo = x, x
    for axis, s in enumerate(steps):
        if s <= 1:
            continue
        hi = _axis_extreme(hi, axis, s, torch.amax)
        lo = _axis_extreme(lo, axis, s, torch.amin)
    if hi.dtype.is_floating_point:
        pick_hi = (hi >= -lo) | torch.isnan(hi)
    elif hi.dtype.is_signed:
        # |hi| >= |lo| without negating (the negation of the smallest integer overflows)
        pick_hi = (lo >= 0) | ((hi >= 0) & (hi + lo >= 0))
    else:
        pick_hi = torch.ones_like(hi, dtype=torch.bool)
    return torch.where(pick_hi, hi, lo)


def _axis_extreme(x: torch.Tensor, axis: int, s: int, reduce: Any) -> torch.Tensor:
    n = x.shape[axis]
    full = (n // s) * s
    parts = []
    if full:
        parts.append(reduce(x.narrow(axis, 0, full).unflatten(axis, (n // s, s)), dim=axis + 1))
    if n - full:
        parts.append(reduce(x.narrow(axis, full, n - full), dim=axis, keepdim=True))
    return parts[0] if len(parts) == 1 else torch.cat(parts, dim=axis)


def block_sources(step: Step, in_steps: list[tuple[int, ...]], out_steps: tuple[int, ...]) -> list[np.ndarray] | None:
    """For each output block, the input block(s) its elements come from: one int array per input of shape
    ``(output blocks, k)`` (``-1``: that input gives nothing), from the op's meaning applied to each output block's
    first element. None for ops without a rule."""
    out = step.output
    assert out is not None
    grid = grid_of(out.shape, out_steps)
    cells = math.prod(grid)
    g = np.indices(grid).reshape(len(grid), -1).T if grid else np.zeros((1, 0), dtype=np.int64)
    first = g * np.array(out_steps, dtype=np.int64) if grid else g  # each block's first element (full index)
    kind = step.kind
    ins = step.inputs
    origin = origins(step)

    def to_cells(idx: np.ndarray, i: int) -> np.ndarray:
        """Full indices of input i → its block numbers (row-major over its grid)."""
        m = ins[i]
        ig = grid_of(m.shape, in_steps[i])
        if not m.shape:
            return np.zeros(len(idx), dtype=np.int64)
        return np.ravel_multi_index(tuple((idx // np.array(in_steps[i]))[:, a] for a in range(len(m.shape))), ig)

    if kind == "reshape":
        flat = np.ravel_multi_index(tuple(first[:, a] for a in range(len(grid))), out.shape) if grid else np.zeros(cells, np.int64)
        src = np.stack(np.unravel_index(flat, ins[0].shape), axis=1) if ins[0].shape else np.zeros((cells, 0), np.int64)
        return [to_cells(src, 0)[:, None]]
    if kind in ("permute", "squeeze", "unsqueeze", "expand"):
        m = ins[0]
        src = np.zeros((cells, len(m.shape)), dtype=np.int64)
        for a, o in enumerate(origin):
            if o is not None:
                src[:, o] = np.minimum(first[:, a], m.shape[o] - 1) if m.shape[o] > 1 else 0
        return [to_cells(src, 0)[:, None]]
    if kind == "elementwise":
        maps = []
        for i, m in enumerate(ins):
            off = len(out.shape) - len(m.shape)
            src = np.zeros((cells, len(m.shape)), dtype=np.int64)
            for a in range(len(m.shape)):
                src[:, a] = first[:, a + off] if m.shape[a] > 1 else 0
            maps.append(to_cells(src, i)[:, None])
        return maps
    if kind in ("cat", "stack"):
        dim = _dim_arg(step, len(out.shape))
        maps = [np.full((cells, 1), -1, dtype=np.int64) for _ in ins]
        offset = 0
        for i, m in enumerate(ins):
            size = m.shape[dim] if kind == "cat" else 1
            sel = (first[:, dim] >= offset) & (first[:, dim] < offset + size)
            src = np.delete(first[sel], dim, axis=1) if kind == "stack" else first[sel].copy()
            if kind == "cat":
                src[:, dim] -= offset
            maps[i][sel, 0] = to_cells(src, i)
            offset += size
        return maps
    if kind == "reduction":
        m = ins[0]
        kept = [o for o in origin if o is not None]
        reduced = [a for a in range(len(m.shape)) if a not in kept]
        ig = grid_of(m.shape, in_steps[0])
        along = np.indices([ig[a] for a in reduced]).reshape(len(reduced), -1).T if reduced else np.zeros((1, 0), np.int64)
        k = len(along)
        src = np.zeros((cells, k, len(m.shape)), dtype=np.int64)
        for a, o in enumerate(origin):
            if o is not None:
                src[:, :, o] = first[:, a, None] // in_steps[0][o] * in_steps[0][o]
        for j, a in enumerate(reduced):
            src[:, :, a] = along[None, :, j] * in_steps[0][a]
        return [to_cells(src.reshape(-1, len(m.shape)), 0).reshape(cells, k)]
    return None


def _dim_arg(step: Step, rank: int) -> int:
    dim = step.args.get("dim", 0)
    if isinstance(dim, list):
        dim = dim[0]
    dim = int(dim or 0)
    return dim + rank if dim < 0 else dim


def origins(step: Step) -> list[int | None]:
    """For each axis of the output, the axis of the first input it came from (None: a new axis).

    From the op's arguments (a permute's order, the axes a reduction drops, where unsqueeze puts its new axis), and
    for a reshape from the shapes: the axes before and after the part it regroups keep their identity.
    """
    out = step.output
    if out is None or not step.inputs:
        return []
    m = step.inputs[0]
    kind = step.kind
    rank_o, rank_i = len(out.shape), len(m.shape)
    base = step.op[:-1] if step.op.endswith("_") else step.op
    if kind == "permute" and rank_o == rank_i:
        perm = ops.permutation(base, step.args, rank_i)
        if perm is not None and sorted(perm) == list(range(rank_i)):
            return list(perm)
        return [None] * rank_o
    if kind == "squeeze":
        dim = step.args.get("dim")
        if dim is None:
            drop = {a for a, n in enumerate(m.shape) if n == 1}
        else:
            dims = dim if isinstance(dim, list) else [dim]
            drop = {a for a in (ops.norm_dim(int(d), rank_i) for d in dims) if m.shape[a] == 1}
        kept: list[int | None] = [a for a in range(rank_i) if a not in drop]
        return kept if len(kept) == rank_o else [None] * rank_o
    if kind == "unsqueeze":
        d = ops.norm_dim(int(step.args.get("dim", 0)), rank_o)
        return [None if a == d else (a if a < d else a - 1) for a in range(rank_o)]
    if kind in ("expand", "elementwise"):
        off = rank_o - rank_i
        return [a - off if a - off >= 0 else None for a in range(rank_o)]
    if kind == "cat":
        return list(range(rank_o)) if rank_o == rank_i else [None] * rank_o
    if kind == "stack":
        dim = _dim_arg(step, rank_o)
        return [None if a == dim else (a if a < dim else a - 1) for a in range(rank_o)]
    if kind == "reduction":
        gone, keep = ops.reduced_dims(base, step.args, rank_i)
        if keep:
            return [None if a in gone else a for a in range(rank_i)]
        return [a for a in range(rank_i) if a not in gone]
    if kind == "einops":
        # axes keep their names through a pattern: an output axis named like an input axis is that axis
        names = list(m.dims)
        return [names.index(n) if n and n in names else None for n in out.dims]
    if kind == "reshape":
        result: list[int | None] = [None] * rank_o
        a = 0
        while a < min(rank_o, rank_i) and out.shape[a] == m.shape[a]:
            result[a] = a
            a += 1
        b = 1
        while b <= min(rank_o, rank_i) - a and out.shape[-b] == m.shape[-b]:
            result[rank_o - b] = rank_i - b
            b += 1
        return result
    return [None] * rank_o


# -- shared ---------------------------------------------------------------------------------------------------------


def _tensor(
    role: str,
    i: int,
    meta: TensorMeta,
    grid: tuple[int, ...],
    steps: tuple[int, ...],
    values: torch.Tensor | None,
    buffers: list[np.ndarray],
    origin: list[int | None] | None = None,
) -> dict[str, Any]:
    entry: dict[str, Any] = {
        "role": role,
        "i": i,
        "shape": list(meta.shape),
        "grid": list(grid),
        "steps": list(steps),
        "dims": list(meta.dims),
        "origin": origin if origin is not None else list(range(len(meta.shape))),
        "dtype": meta.dtype,
        "buffer": None,
        "encoding": "float32",
    }
    wire = _wire(values)
    if wire is not None and wire.size == math.prod(grid):
        entry["encoding"], array = wire.dtype.name if wire.dtype.name != "bool" else "bool", wire
        buffers.append(array.reshape(-1))
        entry["buffer"] = len(buffers) - 1
    return entry


def _wire(values: torch.Tensor | None) -> np.ndarray | None:
    """Values as a numpy array in a wire encoding (bfloat16 and float8 as float32, complex as their magnitude)."""
    if values is None:
        return None
    x = values.detach()
    if x.is_quantized:
        x = x.dequantize()
    if x.is_complex():
        x = x.abs()
    traits = dtype_traits(x.dtype)
    if traits.encoding is None:
        return None
    target = ENCODING_DTYPE[traits.encoding]
    return x.to(target).contiguous().cpu().numpy()


def _meta(
    step: Step,
    mode: str,
    tensors: list[dict[str, Any]],
    sources: list[dict[str, Any] | None],
    winners: list[dict[str, Any] | None],
    notes: list[str],
) -> dict[str, Any]:
    broadcast = [
        step.kind in ("expand", "elementwise") and step.output is not None and m.numel < step.output.numel
        for m in step.inputs
    ]
    value_kind = "bool" if step.output is not None and step.output.dtype == "bool" else "float"
    phase, delay = "", 0.0
    if step.kind == "stack" and step.output is not None and step.inputs:
        dim = _dim_arg(step, len(step.output.shape))
        shape = list(step.inputs[0].shape)
        shape.insert(dim, 1)
        phase, delay = f"unsqueeze({dim}) → {shape}: a new axis {dim} of size 1, then cat along it", 0.3
    # broadcasting in an element-wise op plays in two phases: the broadcast operands' copies spread over the output
    # (stride 0: each copy is the same element), then the others come in and the matching cells combine
    stretch, stretch_text = 0.0, ""
    if step.kind == "elementwise" and step.output is not None and len(step.inputs) > 1 and any(broadcast):
        stretch, stretch_text = STRETCH, "stride 0: no new memory"
    return {
        "kind": "step",
        "step": step.index,
        "mode": mode,
        "tensors": tensors,
        "sources": sources,
        "winners": winners,
        "stagger": STAGGER.get(step.kind, 0.2),
        "broadcast": broadcast,
        "notes": [*step_notes(step), *notes],
        "value_kind": value_kind,
        "travel_axes": step.kind in ("permute", "einops"),
        "phase": phase,
        "delay": delay,
        "stretch": stretch,
        "stretch_text": stretch_text,
        # an argmax's result is an index into its input: drawn in the color of the element it names
        "index_result": step.op.rstrip("_") in ("argmax", "argmin"),
    }


def step_notes(step: Step) -> list[str]:
    """What the picture says besides the motion and the step's own notes: a permute's new strides."""
    notes: list[str] = []
    out = step.output
    if out is None or not step.inputs:
        return notes
    base = step.op.rstrip("_")
    if base in ("argmax", "argmin") and step.args.get("dim") is None and step.inputs[0].shape:
        result = step.values("output", 0)
        if result is not None and result.numel() == 1:
            flat = int(result.reshape(()).item())
            where = [int(i) for i in np.unravel_index(flat, step.inputs[0].shape)]
            notes.append(f"without dim, {base} returns a flat (row-major) index: {flat} is the element at {where}")
        else:
            notes.append(f"without dim, {base} returns a flat (row-major) index into all {step.inputs[0].numel} elements")
    if step.kind == "permute" and out.strides is not None:
        contiguous = "contiguous" if out.is_contiguous else "non-contiguous"
        notes.append(f"new strides {list(out.strides)} over the same storage: a {contiguous} view")
    return notes
