"""tensorviz: see PyTorch tensors in Jupyter — shape, axes, values, memory.

>>> import torch, tensorviz as tv
>>> tv.inspect(torch.zeros(2, 3)).shape
(2, 3)
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING, Any, overload

from .adapt import as_tensor
from .info import Stats, TensorInfo, inspect
from .ipython import load_ipython_extension, unload_ipython_extension
from .memory_sources import (
    Census,
    CensusEntry,
    DeviceMemory,
    Transfer,
    TransferLog,
    census,
    cuda_state,
    device_memory,
    reset_peak,
    track_transfers,
)
from .nonfinite import NonFinite, find_nonfinite
from .snapshot import Snapshot, SnapshotError, read_snapshot, synthetic_snapshot
from .tracing import Source, Step, StepError, TensorMeta, Trace, pass_through, trace
from .widgets.memory_monitor import MemoryMonitor
from .widgets.op_player import OpPlayer
from .widgets.tensor_view import Dims, TensorView

if TYPE_CHECKING:
    from .batch import Batch

__version__ = "0.2.0.dev0"
__all__ = [
    "Census",
    "CensusEntry",
    "DeviceMemory",
    "MemoryMonitor",
    "NonFinite",
    "OpPlayer",
    "Snapshot",
    "SnapshotError",
    "Source",
    "Stats",
    "Step",
    "StepError",
    "TensorInfo",
    "TensorMeta",
    "TensorView",
    "Trace",
    "Transfer",
    "TransferLog",
    "__version__",
    "animate",
    "as_tensor",
    "census",
    "cuda_state",
    "device_memory",
    "find_nonfinite",
    "inspect",
    "load_ipython_extension",
    "memory",
    "read_snapshot",
    "reset_peak",
    "save_html",
    "show",
    "synthetic_snapshot",
    "trace",
    "track_transfers",
    "unload_ipython_extension",
]


@overload
def show(x: tuple[Any, ...] | list[Any] | Mapping[Any, Any], dims: Any = None, live: bool | float = False) -> Batch: ...
@overload
def show(x: Any, dims: Dims = None, live: bool | float = False) -> TensorView: ...
def show(x: Any, dims: Any = None, live: bool | float = False) -> TensorView | Batch:
    """Show ``x`` as axis-labeled cubes whose values stream from the kernel.

    A batch as a DataLoader yields it — a tuple, list or dict of tensors, nested one level — shows every part,
    labeled by position or key, and returns a :class:`~tensorviz.batch.Batch` (``dims`` per part then:
    ``dims={0: "N C H W"}`` or ``dims={"image": "N C H W"}``).

    ``dims`` names the axes: ``"N C H W"`` or ``("N", "C", "H", "W")``.

    ``live=True`` (or a number of seconds, e.g. ``live=0.2``) makes the view refresh by itself when the tensor is
    modified in place, checked every 0.5 s (or that many seconds) by a light background thread: the way to use in
    marimo, which has no IPython to tell the view that a cell ran, and for edits made while a long cell runs. In
    Jupyter a view refreshes after each cell anyway. See :meth:`TensorView.watch`.
    """
    from .widgets.tensor_view import _check_interval

    if isinstance(x, (tuple, list, Mapping)):  # a batch: one labeled view per part
        from .batch import Batch

        return Batch(x, dims=dims, live=live)
    interval = None if live is False or live is None else 0.5 if live is True else _check_interval(live)
    view = TensorView(x, dims=dims)
    if interval is not None:
        view.watch(interval)
    return view


@pass_through  # the ops it runs are the user's: fn may be torch.flatten itself
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
        accepted = "'N C H W' for one tensor, or a list with one entry per tensor (None: unnamed)"
        if isinstance(dims, dict):
            raise TypeError(f"animate's dims names the inputs in order: {accepted}; got a dict (tv.trace takes one)")
        if not isinstance(dims, (str, list, tuple)):
            raise TypeError(f"animate's dims must be {accepted}; got {dims!r} ({type(dims).__name__})")
        per = [dims] if isinstance(dims, str) or len(inputs) == 1 else list(dims)
        if len(per) != len(inputs):
            raise ValueError(f"dims gives names for {len(per)} tensors but animate got {len(inputs)}: give one per tensor")
        names = {t: d for t, d in zip(inputs, per, strict=True) if d is not None}
    with trace(dims=names) as tr:
        fn(*inputs)
    return OpPlayer(tr.steps)


def memory(interval: float = 0.5, replay: Any = None) -> MemoryMonitor:
    """A live memory monitor: per device allocated / reserved / peak / total, a timeline, and the largest live
    tensors by name (polled every ``interval`` seconds in a background thread; never initializes CUDA).

    ``replay`` (a snapshot file from ``torch.cuda.memory._dump_snapshot``, its bytes or its dict) shows a recorded
    allocator snapshot instead: its timeline with the peak marked and what was alive at the peak.
    """
    return MemoryMonitor(interval=interval, replay=replay)


def save_html(obj: Any, path: Any, budget_bytes: int | None = None, dims: Dims = None) -> Any:
    """Write ``obj`` as one self-contained HTML file that works offline from disk, with no kernel and no network.

    ``obj`` is a tensor (shown as :func:`show` shows it, ``dims`` naming its axes), a :func:`trace` (its op player)
    or a widget (a TensorView, OpPlayer or MemoryMonitor, as it is now). The file holds what the reader can explore
    within ``budget_bytes`` (default 8 MB: all of a tensor's values when they fit, else a block-reduced copy; a
    trace's steps until the budget is spent) and says what it holds. Returns the path written (a ``pathlib.Path``).
    """
    from .export import BUDGET

    budget = BUDGET if budget_bytes is None else budget_bytes
    from .batch import Batch

    if isinstance(obj, (Batch, tuple, list, dict)):
        raise TypeError(
            f"save_html writes one tensor, trace or widget to a file; got a {type(obj).__name__} of parts: save each "
            "part's view (e.g. batch.views['images'].save_html('images.html'))"
        )
    if isinstance(obj, (TensorView, OpPlayer)):
        return obj.save_html(path, budget_bytes=budget)
    if isinstance(obj, MemoryMonitor):
        return obj.save_html(path)
    made: TensorView | OpPlayer = obj.player() if isinstance(obj, Trace) else TensorView(obj, dims=dims)
    try:
        return made.save_html(path, budget_bytes=budget)
    finally:
        made.close()
