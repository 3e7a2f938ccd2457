"""Turn what the user passes into a ``torch.Tensor`` without copying its data.

One entry point, :func:`as_tensor`, accepts torch tensors, numpy arrays (shared through
``torch.from_numpy``) and any object exporting ``__dlpack__``. Everything else is refused with a
``TypeError`` that names what was given and what is accepted.
"""

from __future__ import annotations

from typing import Any

import torch

ACCEPTED = "a torch.Tensor, a numpy.ndarray, or an object with __dlpack__ (e.g. a JAX or CuPy array)"


def as_tensor(x: Any) -> torch.Tensor:
    """Return ``x`` as a torch tensor that shares its memory (zero-copy).

    >>> import numpy as np
    >>> a = np.arange(3)
    >>> as_tensor(a).data_ptr() == a.ctypes.data
    True
    """
    if isinstance(x, torch.Tensor):
        if x.is_nested:
            raise TypeError(
                "tensorviz cannot show a nested tensor (its parts have different shapes); show its parts one by "
                "one (x.unbind()) or pad it to one shape (x.to_padded_tensor(0.0))"
            )
        return x
    if isinstance(x, type):
        raise TypeError(f"tensorviz shows a tensor, not the class {x.__module__}.{x.__qualname__}; it accepts {ACCEPTED}.")
    kind = type(x)
    if kind.__module__ == "numpy" and kind.__name__ == "ndarray":
        try:
            return torch.from_numpy(x)
        except TypeError as err:  # e.g. object or string arrays
            raise TypeError(
                f"tensorviz cannot show a numpy array of dtype {x.dtype}: {err}. Convert it to a numeric dtype first."
            ) from None
        except ValueError:
            # Negative strides: numpy can, torch cannot. Fall back to DLPack, which also refuses
            # them, so copy is the only honest option; say so instead of copying silently.
            raise TypeError(
                "tensorviz cannot share a numpy array with negative strides (e.g. a[::-1]) "
                "without copying it; pass np.ascontiguousarray(a) or a torch tensor."
            ) from None
    if hasattr(x, "__dlpack__"):
        try:
            return torch.from_dlpack(x)
        except Exception as err:
            raise TypeError(f"tensorviz could not take a {_type_name(x)} through DLPack: {err}") from None
    raise TypeError(f"tensorviz cannot show a {_type_name(x)}; it accepts {ACCEPTED}.")


def _type_name(x: Any) -> str:
    kind = type(x)
    module = kind.__module__
    return kind.__qualname__ if module == "builtins" else f"{module}.{kind.__qualname__}"
