"""tensorviz: see PyTorch tensors in Jupyter — shape, axes, values, memory.

>>> import torch, tensorviz as tv
>>> tv.inspect(torch.zeros(2, 3)).shape
(2, 3)
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from .adapt import as_tensor
from .info import Stats, TensorInfo, inspect
from .nonfinite import NonFinite, find_nonfinite
from .tracing import Source, Step, StepError, TensorMeta, Trace, trace
from .widgets.op_player import OpPlayer
from .widgets.tensor_view import Dims, TensorView

__version__ = "0.2.0.dev0"
__all__ = [
    "NonFinite",
    "OpPlayer",
    "Source",
    "Stats",
    "Step",
    "StepError",
    "TensorInfo",
    "TensorMeta",
    "TensorView",
    "Trace",
    "__version__",
    "animate",
    "as_tensor",
    "find_nonfinite",
    "inspect",
    "show",
    "trace",
]


def show(x: Any, dims: Dims = None) -> TensorView:
    """Show ``x`` as axis-labeled cubes whose values stream from the kernel.

    ``dims`` names the axes: ``"N C H W"`` or ``("N", "C", "H", "W")``.
    """
    return TensorView(x, dims=dims)


def animate(fn: Callable[..., Any], *tensors: Any, dims: Any = None) -> OpPlayer:
    """Run ``fn(*tensors)`` under :func:`trace` and return an :class:`OpPlayer` of the ops it ran.

    ``dims`` names the axes of the inputs: ``"N C H W"`` for one tensor, or one entry per tensor (``None`` for
    unnamed); the names follow their axes through every step. An exception from ``fn`` is raised unchanged.
    """
    if not callable(fn):
        raise TypeError(f"animate needs a function to run (e.g. lambda x: x.reshape(4, -1)); got {type(fn).__name__}")
    inputs = [as_tensor(t) for t in tensors]
    names: dict[Any, Any] = {}
    if dims is not None:
        per = [dims] if isinstance(dims, str) or len(inputs) == 1 else list(dims)
        if len(per) != len(inputs):
            raise ValueError(f"dims gives names for {len(per)} tensors but animate got {len(inputs)}: give one per tensor")
        names = {t: d for t, d in zip(inputs, per, strict=True) if d is not None}
    with trace(dims=names) as tr:
        fn(*inputs)
    return OpPlayer(tr.steps)
