"""Why a traced op failed, in plain words with the numbers, the axes in conflict and a fix that runs.

A pure core (no widget code). Explanations are built from what the recorder knows — the op, its inputs' shapes and
strides, its other arguments — never by parsing torch's message, which differs between devices and versions. A fix
is Python code in which ``x``, ``y``, ``z``, ... stand for the op's tensor inputs in order (``None`` where no single
fix exists); ``picture`` holds what the player draws for the failure (e.g. the places a reshape cannot fill).

>>> from tensorviz.tracing import TensorMeta, StepError
>>> def meta(shape):
...     return TensorMeta(tuple(shape), None, "float32", "cpu", None, None, True, math.prod(shape), 0, False, 0, ())
>>> e = explain("view", "reshape", (meta([12]),), {"shape": [5, 3]}, StepError("RuntimeError", "..."))
>>> e.explanation
'12 elements cannot fill 5 × 3 = 15 places'
>>> e.fix
'x.view(4, 3)'
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import replace
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from .tracing import StepError, TensorMeta

NAMES = "xyzuvw"  # what the inputs are called in a fix


def _name(i: int) -> str:
    return NAMES[i] if i < len(NAMES) else f"t{i}"


def _shape(s: Sequence[int]) -> str:
    return "[" + ", ".join(str(n) for n in s) + "]"


def _times(sizes: Sequence[int]) -> str:
    return " × ".join(str(n) for n in sizes) if sizes else "1"


def _call_args(values: Sequence[Any]) -> str:
    return ", ".join(repr(v) for v in values)


def explain(
    op: str,
    kind: str,
    inputs: tuple[TensorMeta, ...],
    args: dict[str, Any],
    error: StepError,
    module: str | None = None,
) -> StepError:
    """The error with ``explanation``, ``axes`` ((input, axis) pairs in conflict), ``fix`` and ``picture`` filled
    in where the op is understood; the error unchanged otherwise."""
    base = op[:-1] if op.endswith("_") and not op.startswith("_") else op
    shapes = [tuple(m.shape) for m in inputs]
    try:
        found = _dim_out_of_range(base, kind, shapes, args)
        if found is None:
            rule = _RULES.get(base) or _RULES.get(kind)
            found = rule(base, op, inputs, shapes, args) if rule is not None else None
    except (TypeError, ValueError, KeyError, IndexError, ZeroDivisionError):
        found = None
    if found is None:
        return error
    explanation, axes, fix, picture = found
    if module and explanation:
        explanation = f"in {module}: {explanation}"
    return replace(error, explanation=explanation, axes=tuple(axes) if axes is not None else None, fix=fix,
                   picture=picture)  # fmt: skip


Found = tuple[str, list[tuple[int, int]] | None, str | None, dict[str, Any] | None]


# -- dims --------------------------------------------------------------------------------------------------------


_DIM_RANK_PLUS = {"unsqueeze", "stack"}  # their dim counts the new axis too


def _dim_out_of_range(base: str, kind: str, shapes: list[tuple[int, ...]], args: dict[str, Any]) -> Found | None:
    dims = args.get("dim")
    if dims is None or not shapes:
        return None
    rank = len(shapes[0]) + (1 if base in _DIM_RANK_PLUS else 0)
    listed = dims if isinstance(dims, list) else [dims]
    if not all(isinstance(d, int) and not isinstance(d, bool) for d in listed):
        return None
    bad = [d for d in listed if not -max(rank, 1) <= d < max(rank, 1)]
    if not bad:
        return None
    d = bad[0]
    valid = ", ".join(str(a) for a in range(max(rank, 1)))
    neg = ", ".join(str(a) for a in range(-max(rank, 1), 0))
    what = f"a rank-{len(shapes[0])} tensor {_shape(shapes[0])}"
    text = f"dim={d} is out of range for {what}: the valid dims are {valid} (or {neg} counting from the end)"
    if base in _DIM_RANK_PLUS:
        text += f"; {base} may also put its new axis last (dim={rank - 1})"
    fixed = rank - 1 if d > 0 else 0
    fix = _with_dim(base, kind, len(shapes), args, fixed)
    return text, [(0, a) for a in range(len(shapes[0]))], fix, {"valid": [-max(rank, 1), max(rank, 1) - 1], "dim": d}


def _with_dim(base: str, kind: str, n: int, args: dict[str, Any], dim: int) -> str:
    if kind in ("cat", "stack"):
        return f"torch.{base}([{', '.join(_name(i) for i in range(n))}], dim={dim})"
    rest = [f"{k}={v!r}" for k, v in args.items() if k not in ("dim",) and not k.startswith("arg") and k != "out"]
    return f"x.{base}({', '.join([f'dim={dim}', *rest])})"


# -- reshape -------------------------------------------------------------------------------------------------------


def _reshape(base: str, op: str, inputs: tuple[TensorMeta, ...], shapes: list[tuple[int, ...]], args: dict[str, Any]) -> Found | None:
    if base == "unflatten":
        return _unflatten(inputs, shapes, args)
    if base in ("view_as", "reshape_as") and len(shapes) >= 2:
        want: list[int] = list(shapes[1])
    else:
        want = [int(s) for s in args.get("shape", [])]
    numel = inputs[0].numel
    unknown = [i for i, s in enumerate(want) if s == -1]
    known = [s for s in want if s != -1]
    product = math.prod(known)
    if len(unknown) > 1:
        text = (
            f"only one size can be -1: the shape {_shape(want)} leaves {len(unknown)} lengths unknown, and "
            f"{numel} elements do not say how to share them out"
        )
        return text, None, None, {"kind": "unknowns", "elements": numel, "shape": want}
    if unknown:
        if product and numel % product == 0:
            return _view_strides(base, inputs[0], want)
        filled = _fill(want, numel)
        text = (
            f"{numel} is not divisible by {_times(known)} = {product}: the -1 would be "
            f"{numel} / {product} = {numel / product:.4g}, not a whole number" if product else
            f"the other sizes multiply to 0, so -1 cannot be worked out for {numel} elements"
        )  # fmt: skip
        fix = _fix_sizes(base, want, numel)
        return text, None, fix, {"kind": "places", "elements": numel, "places": filled, "shape": want}
    if product != numel:
        text = f"{numel} element{'s' if numel != 1 else ''} cannot fill {_times(want)} = {product} places"
        fix = _fix_sizes(base, want, numel)
        return text, None, fix, {"kind": "places", "elements": numel, "places": want, "shape": want}
    return _view_strides(base, inputs[0], want)


def _fill(want: list[int], numel: int) -> list[int]:
    """The requested shape with its -1 rounded up: the places the elements would fill, row by row."""
    product = math.prod(s for s in want if s != -1) or 1
    return [math.ceil(numel / product) if s == -1 else s for s in want]


def _fix_sizes(base: str, want: list[int], numel: int) -> str | None:
    """Change one size (the one that needs the smallest change) so that the elements fit exactly."""
    best: tuple[int, int, int] | None = None
    for i, s in enumerate(want):
        if s == -1:
            continue
        rest = math.prod(v for j, v in enumerate(want) if j != i and v != -1) or 1
        has_unknown = -1 in want
        if has_unknown:
            # any divisor of numel / rest keeps the -1 whole
            if numel % rest:
                continue
            candidates = [d for d in _divisors(numel // rest) if d > 0]
        else:
            if numel % rest:
                continue
            candidates = [numel // rest]
        for d in candidates:
            cost = abs(d - s)
            if best is None or (cost, d) < (best[0], best[2]):
                best = (cost, i, d)
    if best is None:
        return f"x.{'reshape' if base != 'view' else 'view'}(-1)" if numel else None
    sizes = list(want)
    sizes[best[1]] = best[2]
    name = base if base in ("view", "reshape") else "reshape"
    return f"x.{name}({_call_args(sizes)})"


def _divisors(n: int) -> list[int]:
    small = [d for d in range(1, math.isqrt(n) + 1) if n % d == 0] if n > 0 else []
    return sorted(set(small + [n // d for d in small]))


def _view_strides(base: str, t: TensorMeta, want: list[int]) -> Found | None:
    """The sizes fit: a view failed because the strides cannot be regrouped without a copy."""
    if base != "view" or t.strides is None:
        return None
    sizes, strides = t.shape, t.strides
    conflict = []
    for a in range(len(sizes) - 1):
        if sizes[a] > 1 and sizes[a + 1] > 1 and strides[a] != strides[a + 1] * sizes[a + 1]:
            conflict.extend([(0, a), (0, a + 1)])
    target = _call_args(want)
    text = (
        f"view needs the elements it regroups to lie evenly spaced in memory, but this {_shape(sizes)} tensor has "
        f"strides {_shape(strides)} (it is not contiguous, e.g. transposed): reading it as {_shape(want)} would need "
        "a copy. reshape copies when it must; .contiguous() makes the copy first"
    )
    return text, sorted(set(conflict)) or None, f"x.reshape({target})", {"kind": "strides", "strides": list(strides)}


def _unflatten(inputs: tuple[TensorMeta, ...], shapes: list[tuple[int, ...]], args: dict[str, Any]) -> Found | None:
    shape = shapes[0]
    dim = int(args.get("dim", 0))
    d = dim + len(shape) if dim < 0 else dim
    sizes = [int(s) for s in args.get("sizes", [])]
    n = shape[d]
    known = [s for s in sizes if s != -1]
    product = math.prod(known)
    if -1 in sizes and product and n % product == 0 and sizes.count(-1) == 1:
        return None
    text = f"unflatten splits axis {d} of size {n} into {_shape(sizes)}, but {_times(known)} = {product}"
    text += f" does not divide {n}" if -1 in sizes else f" ≠ {n}"
    fix = _fix_sizes("reshape", sizes, n)
    if fix is not None:
        fix = fix.replace("x.reshape(", f"x.unflatten({dim}, (", 1) + ")"
    return text, [(0, d)], fix, {"kind": "places", "elements": n, "places": _fill(sizes, n) if -1 in sizes else sizes}


# -- joining -------------------------------------------------------------------------------------------------------


def _cat(base: str, op: str, inputs: tuple[TensorMeta, ...], shapes: list[tuple[int, ...]], args: dict[str, Any]) -> Found | None:
    ranks = {len(s) for s in shapes}
    names = ", ".join(_name(i) for i in range(len(shapes)))
    dim = int(args.get("dim", 0))
    if len(ranks) > 1:
        high = max(ranks)
        listing = "; ".join(f"input {i} has rank {len(s)} {_shape(s)}" for i, s in enumerate(shapes))
        text = f"{base} joins tensors of the same rank: {listing}"
        low = [i for i, s in enumerate(shapes) if len(s) < high]
        fix = None
        if len(low) == 1 and len(shapes[low[0]]) == high - 1:
            parts = [f"{_name(i)}.unsqueeze({dim if dim >= 0 else dim + high})" if i == low[0] else _name(i) for i in range(len(shapes))]
            fix = f"torch.{base}([{', '.join(parts)}], dim={dim})"
        return text, [(i, a) for i in low for a in range(len(shapes[i]))], fix, {"kind": "ranks"}
    rank = ranks.pop() if ranks else 0
    d = dim + rank if dim < 0 else dim
    bad = [a for a in range(rank) if a != d and len({s[a] for s in shapes}) > 1]
    if not bad:
        return None
    a = bad[0]
    sizes = ", ".join(f"{s[a]} in input {i}" for i, s in enumerate(shapes))
    text = (
        f"{base} along axis {d} needs every other axis to match, but axis {a} is {sizes}: "
        f"the tensors meet face to face only where those sizes agree"
    )
    fix = None
    if len(bad) == 1:  # joining along the axis that differs works
        fix = f"torch.{base}([{names}], dim={a})"
    axes = [(i, x) for x in bad for i in range(len(shapes))]
    return text, axes, fix, {"kind": "join", "dim": d, "axes": bad}


def _stack(base: str, op: str, inputs: tuple[TensorMeta, ...], shapes: list[tuple[int, ...]], args: dict[str, Any]) -> Found | None:
    if len(set(shapes)) <= 1:
        return None
    first = shapes[0]
    listing = ", ".join(f"input {i} is {_shape(s)}" for i, s in enumerate(shapes))
    text = f"stack needs every input to have the same shape (it puts them side by side along a new axis): {listing}"
    if len({len(s) for s in shapes}) > 1:
        return text, None, None, {"kind": "shapes"}
    bad = [a for a in range(len(first)) if len({s[a] for s in shapes}) > 1]
    small = tuple(min(s[a] for s in shapes) for a in range(len(first)))
    # the one fix that always runs: cut every input to the common part; pad the short ones to keep everything
    parts = []
    for i, s in enumerate(shapes):
        if s == small:
            parts.append(_name(i))
        else:
            idx = ", ".join(f":{small[a]}" if s[a] != small[a] else ":" for a in range(len(s)))
            parts.append(f"{_name(i)}[{idx}]")
    dim = int(args.get("dim", 0))
    fix = f"torch.stack([{', '.join(parts)}], dim={dim})"
    text += "; cut the longer ones to the common size (or pad the shorter ones with torch.nn.functional.pad)"
    return text, [(i, a) for a in bad for i in range(len(shapes))], fix, {"kind": "shapes"}


# -- broadcasting ----------------------------------------------------------------------------------------------


def broadcast_conflict(a: tuple[int, ...], b: tuple[int, ...]) -> tuple[int, int] | None:
    """The first pair of axes (of a, of b), aligned from the right, that is neither equal nor 1.

    >>> broadcast_conflict((2, 3), (4,)), broadcast_conflict((2, 3), (3,)), broadcast_conflict((5, 1, 3), (4, 1))
    ((1, 0), None, None)
    """
    for k in range(1, min(len(a), len(b)) + 1):
        x, y = a[-k], b[-k]
        if x != y and x != 1 and y != 1:
            return len(a) - k, len(b) - k
    return None


def _broadcast_shape(a: tuple[int, ...], b: tuple[int, ...]) -> tuple[int, ...] | None:
    if broadcast_conflict(a, b) is not None:
        return None
    n = max(len(a), len(b))
    pa, pb = (1,) * (n - len(a)) + a, (1,) * (n - len(b)) + b
    return tuple(max(x, y) if min(x, y) != 0 else 0 for x, y in zip(pa, pb, strict=True))


def _elementwise(base: str, op: str, inputs: tuple[TensorMeta, ...], shapes: list[tuple[int, ...]], args: dict[str, Any]) -> Found | None:
    if len(shapes) < 2:
        return None
    a, b = shapes[0], shapes[1]
    hit = broadcast_conflict(a, b)
    inplace = op.endswith("_") and not op.startswith("_")
    if hit is not None:
        i, j = hit
        text = (
            f"shapes {_shape(a)} and {_shape(b)} cannot broadcast: aligned from the right, axis {i} of input 0 "
            f"(size {a[i]}) meets axis {j} of input 1 (size {b[j]}), and two sizes must be equal or one of them 1"
        )
        fix = _align_fix(base, inplace, a, b)
        return text, [(0, i), (1, j)], fix, {"kind": "broadcast", "pair": [i, j]}
    if inplace:
        out = _broadcast_shape(a, b)
        if out is not None and out != a:
            grown = [k for k in range(len(out)) if (len(out) - len(a) > k) or a[k - (len(out) - len(a))] != out[k]]
            text = (
                f"the in-place {op} writes its result into input 0 of shape {_shape(a)}, but {_shape(a)} with "
                f"{_shape(b)} broadcasts to {_shape(out)}: a tensor cannot grow in place"
            )
            return text, [(0, k - (len(out) - len(a))) for k in grown if k >= len(out) - len(a)], f"x = x.{base}(y)" if base.isidentifier() else None, {"kind": "inplace", "shape": list(out)}
    return None


def _align_fix(base: str, inplace: bool, a: tuple[int, ...], b: tuple[int, ...]) -> str | None:
    """A 1-d operand whose size matches another axis of the other operand: put it on that axis."""
    for small, big, name, other in ((b, a, "y", "x"), (a, b, "x", "y")):
        if len(small) == 1 and small[0] in big:
            pos = max(p for p, n in enumerate(big) if n == small[0])
            trailing = len(big) - 1 - pos
            if trailing == 0:
                continue
            idx = ", ".join([":"] + ["None"] * trailing)
            moved = f"{name}[{idx}]"
            left, right = (other, moved) if name == "y" else (moved, other)
            method = base if base.isidentifier() else None
            if method is None:
                return None
            return f"{left}.{method}{'_' if inplace else ''}({right})" if name == "y" else f"{left}.{method}({right})"
    return None


# -- matrix products -------------------------------------------------------------------------------------------


def _matmul(base: str, op: str, inputs: tuple[TensorMeta, ...], shapes: list[tuple[int, ...]], args: dict[str, Any]) -> Found | None:
    if len(shapes) < 2:
        return None
    a, b = shapes[0], shapes[1]
    if base == "linear":
        k_in = a[-1] if a else 1
        w_in = b[1] if len(b) == 2 else b[0]
        if k_in == w_in:
            return None
        text = (
            f"this linear layer takes {w_in} input features (its weight is {_shape(b)}: out × in), but the input "
            f"{_shape(a)} has {k_in} along its last axis"
        )
        return text, [(0, len(a) - 1), (1, len(b) - 1)], None, {"kind": "inner", "left": k_in, "right": w_in}
    if not a or not b:
        return None
    ka = a[-1]
    kb = b[-2] if len(b) >= 2 else b[0]
    ia, ib = len(a) - 1, (len(b) - 2 if len(b) >= 2 else 0)
    if ka != kb:
        fmt = lambda s: "×".join(str(n) for n in s)  # noqa: E731
        text = (
            f"({fmt(a)}) @ ({fmt(b)}): the inner sizes {ka} and {kb} differ — each row of the left has {ka} "
            f"elements to pair with the {kb} of each column of the right"
        )
        fix = None
        if len(a) >= 2 and a[-2] == kb:
            fix = "x.mT @ y"
        elif len(b) >= 2 and b[-1] == ka:
            fix = "x @ y.mT"
        return text, [(0, ia), (1, ib)], fix, {"kind": "inner", "left": ka, "right": kb}
    if len(a) > 2 and len(b) > 2:
        hit = broadcast_conflict(a[:-2], b[:-2])
        if hit is not None:
            i, j = hit
            text = (
                f"the batch axes {_shape(a[:-2])} and {_shape(b[:-2])} of a batched matmul cannot broadcast: axis {i} "
                f"(size {a[i]}) meets axis {j} (size {b[j]})"
            )
            return text, [(0, i), (1, j)], None, {"kind": "broadcast", "pair": [i, j]}
    return None


# -- expand --------------------------------------------------------------------------------------------------


def _expand(base: str, op: str, inputs: tuple[TensorMeta, ...], shapes: list[tuple[int, ...]], args: dict[str, Any]) -> Found | None:
    shape = shapes[0]
    want = [int(s) for s in args.get("size", args.get("shape", []))]
    if base == "expand_as" and len(shapes) > 1:
        want = list(shapes[1])
    if len(want) < len(shape):
        text = f"expand to {_shape(want)} has fewer axes than the tensor {_shape(shape)}: it can only add axes in front"
        return text, None, None, {"kind": "expand"}
    off = len(want) - len(shape)
    for a, n in enumerate(shape):
        w = want[a + off]
        if w != -1 and n != 1 and w != n:
            text = (
                f"expand can only stretch axes of size 1 (stride 0, no copy): axis {a} has size {n}, and {w} was "
                f"asked for. repeat copies the elements instead"
            )
            fix = None
            if w % n == 0:
                fix = f"x.repeat({_call_args(_repeats(shape, want))})"
            return text, [(0, a)], fix, {"kind": "expand"}
    return None


def _repeats(shape: tuple[int, ...], want: list[int]) -> list[int]:
    """How often repeat must copy each axis to give ``want`` (``-1``: keep the size)."""
    off = len(want) - len(shape)
    reps = [w if w != -1 else 1 for w in want[:off]]
    for n, w in zip(shape, want[off:], strict=True):
        reps.append(1 if w == -1 else w // n)
    return reps


# -- convolution (a layer's channels) -------------------------------------------------------------------------


def _conv(base: str, op: str, inputs: tuple[TensorMeta, ...], shapes: list[tuple[int, ...]], args: dict[str, Any]) -> Found | None:
    if len(shapes) < 2 or not base.startswith("conv"):
        return None
    x, w = shapes[0], shapes[1]
    groups = int(args.get("groups", 1) or 1)
    spatial = len(w) - 2
    if len(x) not in (spatial + 1, spatial + 2):
        text = f"{base} takes inputs of rank {spatial + 2} (N, C, ...) or {spatial + 1}; got {_shape(x)}"
        return text, [(0, a) for a in range(len(x))], None, {"kind": "rank"}
    c = x[-spatial - 1]
    want = w[1] * groups
    if c != want:
        text = f"{base} expects {want} input channels (its weight is {_shape(w)}: out × in × kernel), got {c} on axis {len(x) - spatial - 1}"
        return text, [(0, len(x) - spatial - 1), (1, 1)], None, {"kind": "inner", "left": c, "right": want}
    return None


_RULES: dict[str, Callable[..., Found | None]] = {
    "reshape": _reshape,
    "cat": _cat,
    "stack": _stack,
    "elementwise": _elementwise,
    "matmul": _matmul,
    "expand": _expand,
    "conv1d": _conv,
    "conv2d": _conv,
    "conv3d": _conv,
}
