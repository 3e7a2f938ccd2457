"""tensorviz: see PyTorch tensors in Jupyter — shape, axes, values, memory.

>>> import torch, tensorviz as tv
>>> tv.inspect(torch.zeros(2, 3)).shape
(2, 3)
"""

from __future__ import annotations

from typing import Any

from .adapt import as_tensor
from .info import Stats, TensorInfo, inspect
from .nonfinite import NonFinite, find_nonfinite
from .widgets.tensor_view import Dims, TensorView

__version__ = "0.1.0"
__all__ = [
    "NonFinite",
    "Stats",
    "TensorInfo",
    "TensorView",
    "__version__",
    "as_tensor",
    "find_nonfinite",
    "inspect",
    "show",
]


def show(x: Any, dims: Dims = None) -> TensorView:
    """Show ``x`` as axis-labeled cubes whose values stream from the kernel.

    ``dims`` names the axes: ``"N C H W"`` or ``("N", "C", "H", "W")``.
    """
    return TensorView(x, dims=dims)
