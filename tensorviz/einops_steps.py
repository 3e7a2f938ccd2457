"""einops calls as one step: their pattern, axis names grouped and ungrouped, and their errors explained.

A pure core. einops runs a few torch ops for one call (reshape, permute, reshape, a reduction, expand); the recorder
marks the ops that one ``rearrange`` / ``reduce`` / ``repeat`` call ran, and :func:`group` turns them into a single
step labelled with the pattern, whose element paths are the ops' paths composed. einops is optional: nothing here
imports it.

>>> parse_side("b c (h w)")
[['b'], ['c'], ['h', 'w']]
>>> side_names("b (h w) c")
('b', 'h·w', 'c')
"""

from __future__ import annotations

import importlib.util
import math
import os
import re
from typing import Any

API = ("rearrange", "reduce", "repeat")


def einops_dir() -> str | None:
    """Where einops is installed (without importing it), to tell its frames apart; None without einops."""
    try:
        spec = importlib.util.find_spec("einops")
    except (ImportError, ValueError):
        return None
    if spec is None or not spec.origin:
        return None
    return os.path.dirname(os.path.abspath(spec.origin)) + os.sep


_TOKEN = re.compile(r"\(|\)|\.\.\.|[A-Za-z_][A-Za-z0-9_]*|\d+")


def parse_side(side: str) -> list[list[str]]:
    """The axes of one side of a pattern: each a list of the names it groups (``()`` is an empty group)."""
    axes: list[list[str]] = []
    group: list[str] | None = None
    for tok in _TOKEN.findall(side):
        if tok == "(":
            group = []
        elif tok == ")":
            axes.append(group or [])
            group = None
        elif group is not None:
            group.append(tok)
        else:
            axes.append([tok])
    return axes


def side_names(side: str) -> tuple[str, ...]:
    """Axis names of one side, a group written ``h·w`` (as flatten names merged axes)."""
    return tuple("·".join(g) if g else "" for g in parse_side(side))


def split_pattern(pattern: str) -> tuple[str, str]:
    left, _, right = pattern.partition("->")
    return left.strip(), right.strip()


def explain_error(name: str, pattern: str, shape: tuple[int, ...], lengths: dict[str, Any]) -> tuple[str | None, list[tuple[int, int]] | None, str | None]:
    """Why an einops call cannot apply ``pattern`` to a tensor of ``shape``: (explanation, axes, fix).

    >>> explain_error("rearrange", "b (h w) -> b h w", (2, 10), {"h": 3})[0]
    'axis 1 of size 10 is split into (h w) with h=3: 10 is not divisible by 3, so w cannot be a whole number'
    """
    left, right = split_pattern(pattern)
    axes = parse_side(left)
    has_ellipsis = any(g == ["..."] for g in axes)
    if not has_ellipsis and len(axes) != len(shape):
        text = (
            f"the pattern's left side '{left}' names {len(axes)} axes, but the tensor {list(shape)} has {len(shape)}"
        )
        return text, [(0, a) for a in range(len(shape))], None
    if has_ellipsis:
        return None, None, None
    known = {k: int(v) for k, v in lengths.items() if isinstance(v, int)}
    for a, (group, size) in enumerate(zip(axes, shape, strict=True)):
        names = [n for n in group if not n.isdigit()]
        fixed = math.prod(int(n) for n in group if n.isdigit())
        unknown = [n for n in names if n not in known]
        product = fixed * math.prod(known[n] for n in names if n in known)
        if len(group) == 1 and not unknown:
            if product != size:
                text = f"axis {a} has size {size}, but the pattern says {group[0]}={product}"
                return text, [(0, a)], _fix_call(name, pattern, {**lengths, group[0]: size})
            continue
        written = f"({' '.join(group)})"
        given = ", ".join(f"{n}={known[n]}" for n in names if n in known)
        if len(unknown) > 1:
            text = (
                f"axis {a} of size {size} is split into {written}, which leaves {len(unknown)} lengths unknown "
                f"({', '.join(unknown)}): give all but one of them"
            )
            return text, [(0, a)], None
        if unknown and product and size % product:
            text = (
                f"axis {a} of size {size} is split into {written} with {given}: {size} is not divisible by {product}, "
                f"so {unknown[0]} cannot be a whole number"
            )
            fix = _nearest_divisor_fix(name, pattern, lengths, names, known, size, fixed)
            return text, [(0, a)], fix
        if not unknown and product != size:
            text = f"axis {a} of size {size} is split into {written} with {given}: {product} ≠ {size}"
            return text, [(0, a)], None
    right_names = {n for g in parse_side(right) for n in g}
    left_names = {n for g in axes for n in g}
    missing = sorted(n for n in right_names - left_names if not n.isdigit() and n not in known)
    if missing:
        text = f"the right side names {', '.join(missing)}, which the left side does not have: give {missing[0]}=<length>"
        return text, None, None
    return None, None, None


def _fix_call(name: str, pattern: str, lengths: dict[str, Any]) -> str:
    extra = "".join(f", {k}={v!r}" for k, v in lengths.items())
    return f"einops.{name}(x, {pattern!r}{extra})"


def _nearest_divisor_fix(
    name: str, pattern: str, lengths: dict[str, Any], names: list[str], known: dict[str, int], size: int, fixed: int
) -> str | None:
    """Change the one given length of the group to the divisor of the axis size nearest to it."""
    given = [n for n in names if n in known]
    if len(given) != 1:
        return None
    n = given[0]
    room = size // fixed if fixed and size % fixed == 0 else None
    if not room:
        return None
    divisors = [d for d in range(1, room + 1) if room % d == 0]
    best = min(divisors, key=lambda d: (abs(d - known[n]), d))
    if name == "reduce" and "reduction" not in lengths:
        return None
    return _fix_call(name, pattern, {**lengths, n: best})
