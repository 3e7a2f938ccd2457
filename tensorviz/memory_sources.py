"""Where memory goes: device figures, a census of live tensors, and the copies between devices.

A pure core (no widget code), in PyTorch's own vocabulary (see ``torch/cuda/_memory_viz.py``):
*allocated* is memory handed out to tensors by torch's caching allocator, *reserved* what the allocator
holds from the driver (allocated plus its cache of free blocks, in *segments*), *peak* the highest
allocated figure since the last reset.

Three parts:

* :func:`device_memory` reads the figures of every device, honestly: each figure says where it comes from
  (``sources``) and a figure that cannot be read without side effects is ``None`` with the reason
  (``notes``). It never initializes CUDA: the allocator is asked only once CUDA is initialized,
  ``cudaMemGetInfo`` only on a GPU that already has a context, otherwise NVML (the optional
  ``nvidia-ml-py`` package) gives the total and free memory of the GPU without creating one.
* :func:`census` lists the live tensors by the memory they hold: one entry per storage (views, slices
  and expanded tensors share it and add nothing), with the names the user's namespace gives them and,
  when no name does, what keeps them alive.
* :func:`track_transfers` records every copy between devices made by a block of code.

>>> import torch
>>> x = torch.zeros(250, 4)
>>> ns = {"x": x, "row": x[0], "Out": {3: x.T}}
>>> entry = next(e for e in census(ns).entries if "x" in e.names)
>>> entry.nbytes, entry.tensors, entry.names
(4000, 3, ('x', 'row', 'Out[3]'))
>>> with track_transfers() as log:
...     y = x.to("meta")
>>> [(t.src, t.dst, t.nbytes, t.op) for t in log.entries]
[('cpu', 'meta', 4000, 'to')]
"""

from __future__ import annotations

import gc
import html
import itertools
import os
import re
import sys
import warnings
import weakref
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import asdict, dataclass, replace
from typing import Any

import torch
from torch.overrides import TorchFunctionMode

from .dtypes import dtype_name
from .tracing import Source, _is_internal

__all__ = [
    "Census",
    "CensusEntry",
    "DeviceMemory",
    "Transfer",
    "TransferLog",
    "census",
    "cuda_state",
    "device_memory",
    "register_holder",
    "reset_peak",
    "track_transfers",
    "unregister_holder",
]

_TensorBase = torch._C.TensorBase
_STRIDED = torch.strided
_PLAIN_DISPATCH = torch.Tensor.__torch_dispatch__  # what a tensor class without its own dispatch has

# ------------------------------------------------------------------------------------------------
# Device figures
# ------------------------------------------------------------------------------------------------

FIGURES = ("allocated", "reserved", "peak", "total", "free")

# Where a figure comes from (the values of DeviceMemory.sources).
SOURCES = {
    "allocator": "torch's caching allocator (memory handed to tensors, or held for them)",
    "NVML": "the NVIDIA management library: the whole GPU, every process on it",
    "driver": "the device driver (cudaMemGetInfo or its equivalent): the whole device",
    "process": "the operating system: resident memory of this Python process (tensors and everything else)",
    "system": "the operating system: the machine's memory",
}

_NOT_INITIALIZED = (
    "CUDA is not initialized in this process (no tensor has been put on the GPU yet): reading it would create a context"
)


@dataclass(frozen=True)
class DeviceMemory:
    """The memory figures of one device, in bytes; ``None`` where unknown.

    ``sources`` says where each known figure comes from (a key of :data:`SOURCES`), ``notes`` why each
    unknown one is ``None``. ``allocated``/``reserved``/``peak`` are torch's allocator figures for
    accelerators; for ``"cpu"`` they are the resident memory of the whole process and its peak
    (source ``"process"``). ``total``/``free`` cover the whole device, every process on it.
    """

    device: str
    name: str | None
    allocated: int | None
    reserved: int | None
    peak: int | None
    total: int | None
    free: int | None
    sources: dict[str, str]
    notes: dict[str, str]

    def to_json(self) -> dict[str, Any]:
        """Plain JSON-able dict."""
        return asdict(self)


def cuda_state() -> str:
    """``"no CUDA device"``, ``"not initialized"`` or ``"initialized"``: never initializes CUDA.

    >>> cuda_state() in ("no CUDA device", "not initialized", "initialized")
    True
    """
    if torch.cuda.is_initialized():
        return "initialized"
    if not torch.cuda.is_available():
        return "no CUDA device"
    return "not initialized"


def device_memory() -> list[DeviceMemory]:
    """The figures of every CUDA device, XPU device and MPS, then always ``"cpu"``.

    Nothing here initializes a device or creates a context. A device that does not exist has no entry
    (never a row of zeros); a figure that cannot be read safely is ``None`` with its reason in ``notes``.

    >>> figures = device_memory()
    >>> cpu = figures[-1]
    >>> cpu.device, cpu.sources["allocated"], cpu.total > 0
    ('cpu', 'process', True)
    """
    out = _cuda_devices()
    out += _xpu_devices()
    out += _mps_devices()
    out.append(_cpu_device())
    return out


def reset_peak(device: str | torch.device | None = None) -> bool:
    """Start ``peak`` afresh on a CUDA (or XPU) device; ``None`` means the current CUDA device.

    Only an initialized device is reset (resetting would otherwise initialize it); returns whether it
    was. The CPU entry's peak (the process's peak resident memory) is left alone: it is the whole process's,
    not the tensors' (:func:`reset_process_peak` restarts it where the platform can).

    >>> reset_peak("cpu")
    False
    """
    if device is None:
        if not torch.cuda.is_initialized():
            return False
        torch.cuda.reset_peak_memory_stats(torch.cuda.current_device())
        return True
    try:
        dev = torch.device(device)
    except (RuntimeError, TypeError) as err:
        raise ValueError(f"reset_peak takes a device like 'cuda:0', 'xpu:0' or None; got {device!r} ({err})") from None
    if dev.type == "cuda" and torch.cuda.is_initialized():
        torch.cuda.reset_peak_memory_stats(dev.index if dev.index is not None else torch.cuda.current_device())
        return True
    xpu = getattr(torch, "xpu", None)
    if dev.type == "xpu" and xpu is not None and xpu.is_initialized():
        xpu.reset_peak_memory_stats(dev.index if dev.index is not None else xpu.current_device())
        return True
    return False


def _cuda_devices() -> list[DeviceMemory]:
    if not torch.cuda.is_available():  # no CUDA build, no driver or no GPU: no entries
        return []
    initialized = torch.cuda.is_initialized()
    has_context = getattr(torch._C, "_cuda_hasPrimaryContext", None)
    out = []
    for i in range(torch.cuda.device_count()):
        figures: dict[str, int | None] = dict.fromkeys(FIGURES)
        sources: dict[str, str] = {}
        notes: dict[str, str] = {}
        name = None
        if initialized:
            name = torch.cuda.get_device_name(i)  # read from the properties cached at initialization
            stats = torch.cuda.memory_stats_as_nested_dict(i)  # one call: memory_allocated() etc. each build it
            for figure, (stat, when) in {
                "allocated": ("allocated_bytes", "current"),
                "reserved": ("reserved_bytes", "current"),
                "peak": ("allocated_bytes", "peak"),
            }.items():
                figures[figure] = int(stats.get(stat, {}).get("all", {}).get(when, 0))
                sources[figure] = "allocator"
        else:
            for figure in ("allocated", "reserved", "peak"):
                notes[figure] = _NOT_INITIALIZED
        # cudaMemGetInfo creates a context on a GPU without one (hundreds of MB): only where one exists.
        context = initialized and (has_context(i) if has_context is not None else True)
        if context:
            free, total = torch.cuda.mem_get_info(i)
            figures["free"], figures["total"] = int(free), int(total)
            sources["free"] = sources["total"] = "driver"
        else:
            nvml_name, total_free, why = _nvml_memory(i)
            name = name or nvml_name
            if total_free is not None:
                figures["total"], figures["free"] = total_free
                sources["total"] = sources["free"] = "NVML"
            else:
                reason = (
                    _NOT_INITIALIZED if not initialized else f"cuda:{i} has no context yet: reading it would create one"
                )
                notes["total"] = notes["free"] = f"{reason}; {why}"
        out.append(DeviceMemory(f"cuda:{i}", name, **figures, sources=sources, notes=notes))
    return out


def _xpu_devices() -> list[DeviceMemory]:
    xpu = getattr(torch, "xpu", None)
    if xpu is None or not xpu.is_available():
        return []
    initialized = xpu.is_initialized()
    out = []
    for i in range(xpu.device_count()):
        figures: dict[str, int | None] = dict.fromkeys(FIGURES)
        sources: dict[str, str] = {}
        notes: dict[str, str] = {}
        name = None
        if initialized:
            name = xpu.get_device_name(i)
            figures["allocated"] = int(xpu.memory_allocated(i))
            figures["reserved"] = int(xpu.memory_reserved(i))
            figures["peak"] = int(xpu.max_memory_allocated(i))
            sources.update(allocated="allocator", reserved="allocator", peak="allocator")
            free, total = xpu.mem_get_info(i)
            figures["free"], figures["total"] = int(free), int(total)
            sources.update(free="driver", total="driver")
        else:
            why = "XPU is not initialized in this process: reading it would initialize it"
            notes.update(dict.fromkeys(FIGURES, why))
        out.append(DeviceMemory(f"xpu:{i}", name, **figures, sources=sources, notes=notes))
    return out


def _mps_devices() -> list[DeviceMemory]:
    if not torch.backends.mps.is_available():
        return []
    shared = "MPS shares the machine's memory: see the cpu entry's total and free"
    return [
        DeviceMemory(
            "mps",
            None,
            allocated=int(torch.mps.current_allocated_memory()),
            reserved=int(torch.mps.driver_allocated_memory()),
            peak=None,
            total=None,
            free=None,
            sources={"allocated": "allocator", "reserved": "driver"},
            notes={"peak": "torch.mps keeps no peak figure", "total": shared, "free": shared},
        )
    ]


_process: Any = None  # psutil.Process of this process, made once


def _cpu_device() -> DeviceMemory:
    global _process
    figures: dict[str, int | None] = dict.fromkeys(FIGURES)
    sources: dict[str, str] = {}
    notes = {"reserved": "torch reports no reserved figure for CPU memory: freed blocks go back to the C allocator"}
    try:
        import psutil
    except ImportError:
        psutil = None
        for figure in ("allocated", "total", "free"):
            notes[figure] = "psutil is not installed (pip install psutil)"
    if psutil is not None:
        if _process is None:
            _process = psutil.Process()
        info = _process.memory_info()
        figures["allocated"] = int(info.rss)
        system = psutil.virtual_memory()
        figures["total"], figures["free"] = int(system.total), int(system.available)
        sources.update(allocated="process", total="system", free="system")
        if getattr(info, "peak_wset", None) is not None:  # Windows
            figures["peak"] = int(info.peak_wset)
    if figures["peak"] is None:
        figures["peak"] = process_peak()
        if figures["peak"] is None:
            notes["peak"] = "this platform reports no peak resident memory"
    if figures["peak"] is not None:
        sources["peak"] = "process"
    return DeviceMemory("cpu", None, **figures, sources=sources, notes=notes)


def process_peak() -> int | None:
    """This process's peak resident memory in bytes, or None where the platform gives none.

    ``VmHWM`` where ``/proc`` has it: a child's ``ru_maxrss`` starts at its parent's peak (kept across fork and exec),
    so a kernel would report its server's peak. ``ru_maxrss`` elsewhere.
    """
    try:
        with open("/proc/self/status") as status:
            for line in status:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1]) * 1024
    except (OSError, ValueError, IndexError):
        pass
    try:
        import resource

        maxrss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss  # bytes on macOS, KiB elsewhere
    except (ImportError, OSError):
        return None
    return int(maxrss if sys.platform == "darwin" else maxrss * 1024)


def reset_process_peak() -> bool:
    """Start this process's ``VmHWM`` afresh from what is resident now (Linux); returns whether it could.

    For measuring what one piece of work adds to the peak (the memory tests and benchmarks do).
    """
    try:
        with open("/proc/self/clear_refs", "w") as refs:
            refs.write("5")
    except OSError:
        return False
    return True


# NVML: the optional nvidia-ml-py package (imported as pynvml); never a CUDA context.
_nvml_tried = False
_nvml_ready: tuple[Any, str | None] | None = None  # (module, why it cannot be used) once initialized


def _nvml() -> tuple[Any, str]:
    """The initialized pynvml module, or None and why not."""
    global _nvml_tried, _nvml_ready
    mod = sys.modules.get("pynvml")
    if mod is None and "pynvml" not in sys.modules and not _nvml_tried:
        _nvml_tried = True
        try:
            with warnings.catch_warnings():  # the old `pynvml` wrapper warns on import
                warnings.simplefilter("ignore")
                import pynvml as mod  # type: ignore[no-redef]
        except Exception:
            mod = None
    if mod is None:
        return None, "install nvidia-ml-py to read it through NVML without a context"
    if _nvml_ready is None or _nvml_ready[0] is not mod:
        try:
            mod.nvmlInit()
            _nvml_ready = (mod, None)
        except Exception as err:
            _nvml_ready = (mod, f"NVML could not start: {err}")
    why = _nvml_ready[1]
    return (None, why) if why else (mod, "")


def _nvml_memory(i: int) -> tuple[str | None, tuple[int, int] | None, str]:
    """(name, (total, free), why not) of cuda:i read through NVML, with NVML's own index of that GPU."""
    nvml, why = _nvml()
    if nvml is None:
        return None, None, why
    try:
        handle, why = _nvml_handle(nvml, i)
        if handle is None:
            return None, None, why
        info = nvml.nvmlDeviceGetMemoryInfo(handle)
        name = nvml.nvmlDeviceGetName(handle)
        name = name.decode() if isinstance(name, bytes) else str(name)
        return name, (int(info.total), int(info.free)), ""
    except Exception as err:
        return None, None, f"NVML could not read it: {err}"


def _nvml_handle(nvml: Any, i: int) -> tuple[Any, str]:
    """NVML's handle of cuda:i: CUDA_VISIBLE_DEVICES renumbers GPUs for CUDA, not for NVML."""
    if torch.cuda.is_initialized():  # the GPU's UUID is known without side effects: the surest match
        uuid = getattr(torch.cuda.get_device_properties(i), "uuid", None)
        if uuid is not None:
            text = str(uuid)
            return nvml.nvmlDeviceGetHandleByUUID(text if text.startswith(("GPU-", "MIG-")) else f"GPU-{text}"), ""
    visible = os.environ.get("CUDA_VISIBLE_DEVICES")
    index = i
    if visible is not None:
        items = [s.strip() for s in visible.split(",") if s.strip()]
        if i >= len(items):
            return None, f"cuda:{i} is not in CUDA_VISIBLE_DEVICES={visible!r}"
        item = items[i]
        if item.isdigit():
            index = int(item)
        elif item.startswith("GPU-"):
            for j in range(nvml.nvmlDeviceGetCount()):
                handle = nvml.nvmlDeviceGetHandleByIndex(j)
                uuid = nvml.nvmlDeviceGetUUID(handle)
                if (uuid.decode() if isinstance(uuid, bytes) else str(uuid)).startswith(item):
                    return handle, ""
            return None, f"no GPU has the UUID {item!r} given in CUDA_VISIBLE_DEVICES"
        else:
            return None, f"CUDA_VISIBLE_DEVICES entry {item!r} (a MIG instance?) cannot be matched to an NVML device"
    if os.environ.get("CUDA_DEVICE_ORDER") != "PCI_BUS_ID" and nvml.nvmlDeviceGetCount() > 1:
        # CUDA numbers the fastest GPU first, NVML by PCI bus: the orders agree only when the GPUs are alike.
        names = {
            str(nvml.nvmlDeviceGetName(nvml.nvmlDeviceGetHandleByIndex(j))) for j in range(nvml.nvmlDeviceGetCount())
        }
        if len(names) > 1:
            return None, "CUDA and NVML may number these different GPUs differently (set CUDA_DEVICE_ORDER=PCI_BUS_ID)"
    return nvml.nvmlDeviceGetHandleByIndex(index), ""


# ------------------------------------------------------------------------------------------------
# Holders: objects of tensorviz (views, players) that keep tensors alive
# ------------------------------------------------------------------------------------------------

# id(owner) -> [(weak reference to the owner, label, get)]
_holders: dict[int, list[tuple[weakref.ref[Any], str, Callable[[Any], Any]]]] = {}


def register_holder(
    owner: object, label: str, get: Callable[[Any], torch.Tensor | Iterable[torch.Tensor] | None]
) -> None:
    """Say that ``owner`` keeps tensors alive: :func:`census` names it as what holds them.

    ``get(owner)`` returns the tensor (or tensors, or ``None``) the owner holds now. The registry keeps
    only a weak reference to ``owner`` and calls ``get`` with it: a ``get`` that took no argument would
    have to close over the owner and keep it alive, which is the very leak the census is there to show.
    ``label`` is what the census says, e.g. ``"a tensorviz view (close it to release)"``. The owner leaves
    the registry when it is garbage collected or on :func:`unregister_holder`.

    >>> import torch
    >>> class View:
    ...     def __init__(self, t): self.t = t
    >>> view = View(torch.zeros(12345))
    >>> register_holder(view, "a tensorviz view (close it to release)", lambda v: v.t)
    >>> [e.held_by for e in census({}).entries if e.nbytes == 12345 * 4]
    ['a tensorviz view (close it to release)']
    >>> unregister_holder(view)
    """
    if not callable(get):
        raise TypeError(
            f"get must be a function of the owner returning its tensor(s), e.g. lambda view: view.tensor; got {get!r}"
        )
    if not isinstance(label, str) or not label:
        raise TypeError(f"label must be a non-empty string saying what holds the tensor; got {label!r}")
    key = id(owner)
    try:
        weakref.ref(owner)
    except TypeError:
        raise TypeError(
            f"register_holder keeps only a weak reference to the owner, and a {type(owner).__name__} cannot have "
            "one (give its class __weakref__ in __slots__)"
        ) from None

    def forget(ref: weakref.ref[Any]) -> None:
        kept = [h for h in _holders.get(key, ()) if h[0] is not ref]
        if kept:
            _holders[key] = kept
        else:
            _holders.pop(key, None)

    _holders.setdefault(key, []).append((weakref.ref(owner, forget), label, get))


def unregister_holder(owner: object) -> None:
    """Forget every registration of ``owner`` (e.g. when a view is closed)."""
    kept = [h for h in _holders.get(id(owner), ()) if h[0]() is not owner]
    if kept:
        _holders[id(owner)] = kept
    else:
        _holders.pop(id(owner), None)


# ------------------------------------------------------------------------------------------------
# The census of live tensors
# ------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class CensusEntry:
    """One piece of memory held by live tensors: a storage, or the storages of one sparse tensor.

    ``nbytes`` counts the storage's bytes once however many tensors view it (0 on ``"meta"``).
    ``shape``/``dtype``/``layout`` are those of its largest tensor; ``tensors`` counts the live tensor
    objects sharing it. ``names`` are the names the user's namespace gives any of them (``x``,
    ``batch[0]``, ``model.fc.weight``, ``model.fc.weight.grad``, ``Out[12]``, ``_``). ``held_by`` says
    what keeps it alive when no user variable does (IPython output history, a tensorviz view), ``None``
    when a variable does or when unknown. ``external`` is set when torch did not allocate the memory
    (it belongs to a numpy array, a DLPack producer or a buffer). ``key`` identifies the memory while it
    lives (device and address).
    """

    device: str
    nbytes: int
    shape: tuple[int, ...]
    dtype: str
    tensors: int
    names: tuple[str, ...]
    held_by: str | None
    layout: str = "strided"
    external: str | None = None
    key: str = ""

    def to_json(self) -> dict[str, Any]:
        """Plain JSON-able dict (tuples become lists)."""
        return {k: list(v) if isinstance(v, tuple) else v for k, v in asdict(self).items()}


@dataclass(frozen=True)
class Census:
    """The memory held by live tensors: ``entries`` largest first, ``totals`` per device.

    ``totals`` counts each storage once, over all entries (also those cut by ``limit``); ``count`` is the
    number of entries before the cut. ``tensors`` is the number of live tensor objects looked at;
    ``skipped`` those whose memory torch would not show (wrapper subclasses, fake tensors): their inner
    tensors, when they have some, are counted instead.
    """

    entries: tuple[CensusEntry, ...]
    totals: dict[str, int]
    count: int = 0
    tensors: int = 0
    skipped: int = 0

    def to_json(self) -> dict[str, Any]:
        """Plain JSON-able dict."""
        return {
            "entries": [e.to_json() for e in self.entries],
            "totals": dict(self.totals),
            "count": self.count,
            "tensors": self.tensors,
            "skipped": self.skipped,
        }


# What keeps a tensor alive that no variable names: IPython's output history.
_HISTORY_NAME = re.compile(r"_+|_\d+")  # _, __, ___ and _12
_SKIP_NAME = re.compile(r"_i+|_i\d+|_ih|_oh|_dh|In|__\w*[^_\W]\w*__")  # input history, IPython's alias of Out, dunders
CONTAINER_ITEMS = 10_000  # items of a list, tuple or dict in the namespace looked into


def census(namespace: Mapping[str, Any] | None = None, limit: int | None = None) -> Census:
    """Count the memory held by every live tensor, once per storage, largest first.

    Live tensors are found among the objects the garbage collector tracks (every torch tensor and
    ``nn.Parameter``), plus the ``.grad`` of each leaf that requires grad. Each storage is counted once
    (views, slices, transposes and expanded tensors add nothing); a sparse tensor holds the storages of
    its indices and values; a meta tensor holds 0 bytes on ``"meta"``. Memory without a Python tensor
    object (activations saved by autograd, tensors held only by C++) is not seen: the difference between
    a device's ``allocated`` and the census total is that memory plus the allocator's rounding.

    ``namespace`` gives the names: by default the IPython user namespace under IPython, else
    ``__main__``'s globals. Variables, items of lists/tuples/dicts one level deep (``batch[0]``,
    ``d['x']``), parameters, buffers and gradients of ``nn.Module`` s (``model.fc.weight``), optimizer
    state (``opt.state[model.fc.weight]['exp_avg']``) and IPython's output history (``Out[12]``, ``_``,
    ``__``, ``___``, ``_12``) are named. ``limit`` keeps the largest entries only.

    The census holds no reference once it returns (its result is plain data). While it runs it holds
    every live tensor, for a few milliseconds.

    >>> import torch
    >>> a = torch.ones(1000)
    >>> e = next(e for e in census({"a": a, "b": a[::2], "c": a.expand(3, 1000)}).entries if e.names)
    >>> e.nbytes, e.tensors, e.names
    (4000, 3, ('a', 'b', 'c'))
    """
    if limit is not None and (not isinstance(limit, int) or isinstance(limit, bool) or limit < 0):
        raise ValueError(f"limit must be a non-negative integer or None; got {limit!r}")
    if namespace is None:
        namespace = _user_namespace()
    elif not isinstance(namespace, Mapping):
        raise TypeError(
            f"namespace must be a mapping of names to objects (e.g. globals()); got {type(namespace).__name__}"
        )
    with torch._C.DisableTorchFunction():  # no mode or subclass sees the census's reads
        return _census(namespace, limit)


def _user_namespace() -> Mapping[str, Any]:
    ipython = sys.modules.get("IPython")
    if ipython is not None:
        shell = ipython.get_ipython()
        if shell is not None:
            return shell.user_ns  # type: ignore[no-any-return]
    main = sys.modules.get("__main__")
    return vars(main) if main is not None else {}


def _tensor_types() -> frozenset[type]:
    """Every class of tensor that exists now: an instance's class is alive as long as the instance is."""
    found = {_TensorBase}
    todo: list[type] = [_TensorBase]
    while todo:
        sub: type
        for sub in todo.pop().__subclasses__():
            if sub not in found:
                found.add(sub)
                todo.append(sub)
    return frozenset(found)


def _live_tensors() -> list[torch.Tensor]:
    # The exact classes rather than isinstance(): isinstance asks an object that is not a tensor for its
    # __class__, which runs code in proxies (lazy modules warn). This is the loop over every object of the
    # process: map and compress keep it in C.
    objs = gc.get_objects()
    found = list(itertools.compress(objs, map(_tensor_types().__contains__, map(type, objs))))
    del objs
    seen = set(map(id, found))
    grads = []
    for t in found:
        try:
            if t.requires_grad and t.is_leaf:  # a .grad may have no Python object until it is read
                g = t.grad
                if g is not None and id(g) not in seen:
                    seen.add(id(g))
                    grads.append(g)
        except Exception:
            continue
    return found + grads


# A storage: (key, nbytes, device, torch allocated it)
_Storage = tuple[Any, int, str, bool]


def _storages(t: torch.Tensor, devices: dict[torch.device, str]) -> list[_Storage]:
    """The storages a tensor's memory lives in (two or three for a sparse tensor)."""
    layout = t.layout
    if layout == torch.strided:
        dev = t.device
        name = devices.get(dev)
        if name is None:
            name = devices[dev] = str(dev)
        s = t.untyped_storage()
        if dev.type == "meta":
            return [(("meta", s._cdata), 0, name, True)]
        ptr, nbytes = s.data_ptr(), int(s.nbytes())
        if not ptr and nbytes:
            raise ValueError("a storage of some bytes without an address holds no real memory")
        # Two storages over the same memory (torch.from_numpy of one array twice) share the address.
        key = (name, ptr) if ptr else (name, "no data", s._cdata)
        return [(key, nbytes, name, bool(s.resizable()))]
    return [s for p in _sparse_parts(t) for s in _storages(p, devices)]


def _sparse_parts(t: torch.Tensor) -> list[torch.Tensor]:
    """The strided tensors a sparse tensor keeps: its indices and values."""
    layout = t.layout
    if layout == torch.sparse_coo:
        return [t._indices(), t._values()]
    if layout in (torch.sparse_csr, torch.sparse_bsr):
        return [t.crow_indices(), t.col_indices(), t.values()]
    if layout in (torch.sparse_csc, torch.sparse_bsc):
        return [t.ccol_indices(), t.row_indices(), t.values()]
    raise TypeError(f"tensorviz cannot find the storage of a tensor of layout {layout}")


class _Group:
    """The tensors that share some memory, while the census is being made."""

    __slots__ = ("device", "holders", "keys", "largest", "names", "tensors")

    def __init__(self, device: str) -> None:
        self.device = device
        self.keys: list[Any] = []
        self.tensors = 0
        # (storages it spans, bytes, shape, dtype, layout): a sparse tensor is described rather than its values
        self.largest: tuple[int, int, tuple[int, ...], str, str] = (-1, -1, (), "", "")
        self.names: list[tuple[bool, str]] = []
        self.holders: list[str] = []


def _census(namespace: Mapping[str, Any], limit: int | None) -> Census:
    tensors = _live_tensors()
    devices: dict[torch.device, str] = {}
    storage: dict[Any, tuple[int, str, bool]] = {}  # key -> (nbytes, device, torch allocated it)
    owner: dict[Any, _Group] = {}  # storage key -> its group
    group_of: dict[int, _Group] = {}  # id(tensor) -> its group (the tensors list keeps ids unique)
    skipped = 0
    strided = _STRIDED
    plain: dict[type, bool] = {}  # class -> not a __torch_dispatch__ subclass
    for t in tensors:
        cls = type(t)
        ordinary = plain.get(cls)
        if ordinary is None:
            ordinary = plain[cls] = getattr(cls, "__torch_dispatch__", _PLAIN_DISPATCH) is _PLAIN_DISPATCH
        if not ordinary:  # fake, functional and wrapper tensors: their inner tensors, if any, are counted
            skipped += 1
            continue
        try:
            group = parts = None
            if t.layout is strided and not t.is_meta:  # the common case: a storage seen before, kept short
                n_parts, size = 1, t.nbytes
                s = t.untyped_storage()
                ptr = s.data_ptr()
                group = owner.get((devices.get(t.device), ptr)) if ptr else None
                if group is not None and not storage[(group.device, ptr)][2] and s.resizable():
                    group = None  # let _join record that torch allocated this memory after all
            if group is None:
                parts = _storages(t, devices)
                n_parts, size = len(parts), t.numel() * t.element_size()
        except Exception:  # no storage to show
            skipped += 1
            continue
        if parts is not None:
            group = _join(parts, owner, storage)
        assert group is not None
        group.tensors += 1
        group_of[id(t)] = group
        if n_parts >= group.largest[0] and (n_parts, size) > group.largest[:2]:
            group.largest = (n_parts, size, *_describe(t))
    count = len(tensors)

    def group_for(t: torch.Tensor) -> _Group | None:
        g = group_of.get(id(t))
        if g is None and plain.get(type(t), True):  # e.g. a .grad read for the first time now
            try:
                parts = _storages(t, devices)
            except Exception:
                return None
            g = owner.get(parts[0][0]) if parts else None
        return g

    arrays: list[tuple[int, int, str]] = []
    for name, value, history in _named(namespace, arrays):
        g = group_for(value)
        if g is not None and (history, name) not in g.names:
            g.names.append((history, name))
    for label, value in _held():
        g = group_for(value)
        if g is not None and label not in g.holders:
            g.holders.append(label)
    tensors.clear()  # the census holds no tensor once it returns
    group_of.clear()

    totals: dict[str, int] = {}
    for nbytes, device, _ in storage.values():
        totals[device] = totals.get(device, 0) + nbytes
    # Entries are made for the groups kept only: sizes first, then the largest few become plain data.
    sized = [(sum(storage[k][0] for k in g.keys), g) for g in {id(g): g for g in owner.values()}.values()]
    sized.sort(key=lambda pair: (-pair[0], pair[1].device, pair[1].keys[0][-1]))
    kept = sized if limit is None else sized[:limit]
    entries = tuple(_entry(g, nbytes, storage, arrays) for nbytes, g in kept)
    return Census(entries, totals, count=len(sized), tensors=count, skipped=skipped)


def _describe(t: torch.Tensor) -> tuple[tuple[int, ...], str, str]:
    """(shape, dtype, layout) of a tensor; a nested tensor has no single shape and shows as ``()``."""
    layout = "nested" if t.is_nested else str(t.layout).removeprefix("torch.")
    try:
        shape = tuple(t.shape)
    except RuntimeError:
        shape = ()
    return shape, dtype_name(t.dtype), layout


def _join(parts: list[_Storage], owner: dict[Any, _Group], storage: dict[Any, tuple[int, str, bool]]) -> _Group:
    """The group of a tensor's storages, merging groups a sparse tensor links together."""
    groups = []
    for key, nbytes, device, allocated in parts:
        if key not in storage:
            storage[key] = (nbytes, device, allocated)
        elif allocated and not storage[key][2]:
            storage[key] = (nbytes, device, True)  # one tensor over that memory was allocated by torch
        g = owner.get(key)
        if g is not None and g not in groups:
            groups.append(g)
    if not groups:
        groups.append(_Group(parts[0][2]))
    group = groups[0]
    for other in groups[1:]:  # rare: a sparse tensor over storages already seen apart
        for key in other.keys:
            owner[key] = group
        group.keys += other.keys
        group.tensors += other.tensors
        group.largest = max(group.largest, other.largest, key=lambda x: x[:2])
    for key, *_ in parts:
        if owner.get(key) is not group:
            owner[key] = group
            group.keys.append(key)
    return group


def _entry(
    g: _Group, nbytes: int, storage: dict[Any, tuple[int, str, bool]], arrays: list[tuple[int, int, str]]
) -> CensusEntry:
    external = None
    if g.device == "cpu" and not any(storage[k][2] for k in g.keys):
        external = "memory not allocated by torch (numpy, DLPack or a buffer)"
        ptrs = [k[1] for k in g.keys if isinstance(k[1], int)]
        for start, end, name in arrays:
            if any(start <= p < end for p in ptrs):
                external = f"shares memory with numpy array {name}"
                break
    names = [n for h, n in g.names if not h] + [n for h, n in g.names if h]
    held_by = None
    if not any(not h for h, _ in g.names):
        parts = []
        history = [n for h, n in g.names if h]
        if history:
            parts.append(f"IPython output history ({', '.join(history)})")
        parts += g.holders
        held_by = "; ".join(parts) or None
    first = g.keys[0]
    key = f"{first[0]}:{first[-1]:#x}"  # the device and the address (or, without one, the storage object's)
    _, _, shape, dtype, layout = g.largest
    return CensusEntry(
        device=g.device,
        nbytes=nbytes,
        shape=shape,
        dtype=dtype,
        tensors=g.tensors,
        names=tuple(names),
        held_by=held_by,
        layout=layout,
        external=external,
        key=key,
    )


def _is_tensor(value: Any) -> bool:
    return issubclass(type(value), _TensorBase)


def _named(
    namespace: Mapping[str, Any], arrays: list[tuple[int, int, str]]
) -> Iterator[tuple[str, torch.Tensor, bool]]:
    """(name, tensor, is output history) for the tensors the namespace names; numpy arrays go to ``arrays``."""
    np = sys.modules.get("numpy")
    items = list(namespace.items())
    modules = [(n, v) for n, v in items if isinstance(n, str) and issubclass(type(v), torch.nn.Module)]
    param_names: dict[int, str] = {}
    for n, m in modules:
        for pn, p in _safe(m.named_parameters):
            param_names.setdefault(id(p), f"{n}.{pn}")
    for name, value in items:
        if not isinstance(name, str) or _SKIP_NAME.fullmatch(name):
            continue
        if name == "Out" and type(value) is dict:
            for n, v in list(value.items())[-CONTAINER_ITEMS:]:
                yield from _refs(f"Out[{n}]", v, True, np, arrays, param_names)
            continue
        yield from _refs(name, value, bool(_HISTORY_NAME.fullmatch(name)), np, arrays, param_names)


def _refs(
    name: str, value: Any, history: bool, np: Any, arrays: list[tuple[int, int, str]], param_names: dict[int, str]
) -> Iterator[tuple[str, torch.Tensor, bool]]:
    if _is_tensor(value):
        yield name, value, history
        yield from _grad(name, value, history)
        return
    kind = type(value)
    if np is not None and kind is np.ndarray:
        try:
            start = value.__array_interface__["data"][0]
            arrays.append((start, start + value.nbytes, name))
        except Exception:
            pass
        return
    if issubclass(kind, (list, tuple)):
        for i, v in enumerate(value[:CONTAINER_ITEMS]):
            if _is_tensor(v):
                yield f"{name}[{i}]", v, history
    elif issubclass(kind, dict):
        for k, v in list(value.items())[:CONTAINER_ITEMS]:
            if _is_tensor(v) and isinstance(k, (str, int)):
                yield f"{name}[{k!r}]", v, history
    elif issubclass(kind, torch.nn.Module):
        for pn, p in _safe(value.named_parameters):
            yield f"{name}.{pn}", p, history
            yield from _grad(f"{name}.{pn}", p, history)
        for bn, b in _safe(value.named_buffers):
            yield f"{name}.{bn}", b, history
    elif issubclass(kind, torch.optim.Optimizer):
        order = [p for group in value.param_groups for p in group["params"]]
        index = {id(p): i for i, p in enumerate(order)}
        for p, state in _safe(value.state.items):
            label = param_names.get(id(p)) or f"param {index.get(id(p), '?')}"
            if isinstance(state, dict):
                for k, v in state.items():
                    if _is_tensor(v):
                        yield f"{name}.state[{label}][{k!r}]", v, history


def _grad(name: str, t: torch.Tensor, history: bool) -> Iterator[tuple[str, torch.Tensor, bool]]:
    try:
        g = t.grad if t.requires_grad and t.is_leaf else None
    except Exception:
        g = None
    if g is not None:
        yield f"{name}.grad", g, history


def _safe(get: Callable[[], Iterable[Any]]) -> list[Any]:
    try:
        return list(get())
    except Exception:  # a half-built module or a user's odd object must not break the census
        return []


def _held() -> Iterator[tuple[str, torch.Tensor]]:
    for registrations in list(_holders.values()):
        for ref, label, get in list(registrations):
            owner = ref()
            if owner is None:
                continue
            try:
                held = get(owner)
            except Exception:
                continue
            del owner
            if held is None:
                continue
            if _is_tensor(held):
                yield label, held
                continue
            try:
                many = list(held)
            except Exception:
                continue
            for t in many:
                if _is_tensor(t):
                    yield label, t


# ------------------------------------------------------------------------------------------------
# Transfers between devices
# ------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Transfer:
    """One copy between devices.

    ``nbytes`` is what the copy wrote on the destination (elements times the destination's element size).
    ``pinned`` says whether the host side was page-locked memory. ``seconds`` is measured with CUDA events
    for copies that involve CUDA once CUDA is initialized, ``None`` otherwise (never estimated). ``op``
    is the call that made it (``"to"``, ``"cuda"``, ``"cpu"``, ``"copy_"``, ``"setitem"``, ``"tensor"``,
    ``"item"``...), ``source`` the user's line.
    """

    nbytes: int
    src: str
    dst: str
    pinned: bool
    non_blocking: bool
    op: str
    source: Source | None
    seconds: float | None


_MOVES = frozenset({"to", "cuda", "cpu", "xpu", "mtia", "type"})  # tensor methods that may return it elsewhere
_FACTORIES = frozenset(
    {
        "tensor",
        "as_tensor",
        "asarray",
        "new_tensor",
        "sparse_coo_tensor",
        "sparse_csr_tensor",
        "sparse_csc_tensor",
        "sparse_bsr_tensor",
        "sparse_bsc_tensor",
        "sparse_compressed_tensor",
    }
)
_READS = frozenset({"item", "tolist", "numpy"})  # values read into Python or numpy: a copy to the host
_KINDS = {n: "move" for n in _MOVES} | {n: "factory" for n in _FACTORIES} | {n: "read" for n in _READS}
_KINDS |= {"copy_": "copy", "__setitem__": "setitem"}
_OTHER_THREADS = "Copies made in other threads (e.g. DataLoader workers, pin-memory threads) are not captured: torch function modes are per thread."


class _TransferMode(TorchFunctionMode):
    def __init__(self, log: TransferLog) -> None:
        super().__init__()
        self.log = log
        self.kinds: dict[Any, str | None] = {}

    def __torch_function__(
        self, func: Callable[..., Any], types: Any, args: tuple[Any, ...] = (), kwargs: dict[str, Any] | None = None
    ) -> Any:
        try:
            kind = self.kinds.get(func, "")
        except TypeError:  # an unhashable callable
            kind = _KINDS.get(getattr(func, "__name__", ""))
        if kind == "":
            kind = self.kinds[func] = _KINDS.get(getattr(func, "__name__", ""))
        if kind is None:
            return func(*args, **(kwargs or {}))
        return self.log._on_copy(kind, func, args, kwargs or {})


class TransferLog:
    """The copies between devices recorded by :func:`track_transfers` (a context manager).

    ``entries`` lists them as :class:`Transfer` in order; :meth:`totals` sums them per direction. Timed
    copies are resolved (their CUDA events waited for) when ``entries`` is read, so timing does not make
    the recorded code wait.
    """

    def __init__(self) -> None:
        self._done: list[Transfer] = []
        self._pending: list[tuple[int, Any, Any, Transfer]] = []  # (place in _done, start, end, untimed entry)
        self._mode: _TransferMode | None = None
        self._files: dict[str, bool] = {}
        self._sources: dict[tuple[Any, int], Source] = {}

    def __enter__(self) -> TransferLog:
        if self._mode is not None:
            raise RuntimeError("this log is already recording; start another with tv.track_transfers()")
        mode = _TransferMode(self)
        mode.__enter__()
        self._mode = mode
        return self

    def __exit__(self, *exc: Any) -> None:
        mode, self._mode = self._mode, None
        if mode is not None:
            mode.__exit__(*exc)

    @property
    def entries(self) -> list[Transfer]:
        """Every recorded copy, in order (a new list)."""
        self._resolve()
        return list(self._done)

    def __len__(self) -> int:
        return len(self._done)

    def __iter__(self) -> Iterator[Transfer]:
        return iter(self.entries)

    def totals(self) -> dict[tuple[str, str], tuple[int, int, float | None]]:
        """``(src, dst) -> (bytes, copies, seconds)``; seconds is ``None`` unless every copy was timed.

        >>> import torch
        >>> with track_transfers() as log:
        ...     _ = torch.zeros(4).to("meta"); _ = torch.tensor([1, 2], device="meta")
        >>> log.totals()
        {('cpu', 'meta'): (32, 2, None)}
        """
        out: dict[tuple[str, str], tuple[int, int, float | None]] = {}
        for t in self.entries:
            nbytes, count, seconds = out.get((t.src, t.dst), (0, 0, 0.0))
            timed = None if seconds is None or t.seconds is None else seconds + t.seconds
            out[(t.src, t.dst)] = (nbytes + t.nbytes, count + 1, timed)
        return out

    def __repr__(self) -> str:
        entries = self.entries
        if not entries:
            return "TransferLog: no copies between devices"
        lines = [f"TransferLog: {len(entries)} {'copy' if len(entries) == 1 else 'copies'} between devices"]
        for (src, dst), (nbytes, count, seconds) in self.totals().items():
            lines.append(f"  {src} -> {dst}: {count} x, {_fmt_bytes(nbytes)}, {_fmt_rate(nbytes, seconds)}")
        lines.append(_OTHER_THREADS)
        return "\n".join(lines)

    def _repr_html_(self) -> str:
        entries = self.entries
        e = html.escape
        rows = []
        for (src, dst), (nbytes, count, seconds) in self.totals().items():
            timed = [t for t in entries if (t.src, t.dst) == (src, dst) and t.seconds is not None]
            if seconds is None and timed:
                tb, ts = sum(t.nbytes for t in timed), sum(t.seconds or 0.0 for t in timed)
                rate = f"{_fmt_rate(tb, ts)} ({len(timed)} of {count} copies timed)"
            else:
                rate = _fmt_rate(nbytes, seconds)
            time = f"{seconds * 1e3:.3f} ms" if seconds is not None else "n/a"
            rows.append(
                f"<tr><td>{e(src)} → {e(dst)}</td><td>{count}</td><td>{e(_fmt_bytes(nbytes))}</td>"
                f"<td>{time}</td><td>{e(rate)}</td></tr>"
            )
        head = "<tr><th>direction</th><th>copies</th><th>bytes</th><th>time</th><th>achieved bandwidth</th></tr>"
        parts = ['<div class="tensorviz-transfers">']
        if rows:
            parts.append(f"<table>{head}{''.join(rows)}</table>")
            largest = sorted(entries, key=lambda t: -t.nbytes)[:10]
            items = []
            for t in largest:
                where = (
                    f"{e(os.path.basename(t.source.file))}:{t.source.line} <code>{e(t.source.code)}</code>"
                    if t.source
                    else ""
                )
                flags = ", ".join(f for f, on in (("pinned", t.pinned), ("non_blocking", t.non_blocking)) if on)
                items.append(
                    f"<tr><td>{e(t.op)}</td><td>{e(t.src)} → {e(t.dst)}</td><td>{e(_fmt_bytes(t.nbytes))}</td>"
                    f"<td>{e(flags)}</td><td>{where}</td></tr>"
                )
            parts.append(
                "<details><summary>largest copies</summary><table><tr><th>op</th><th>direction</th><th>bytes</th>"
                f"<th></th><th>line</th></tr>{''.join(items)}</table></details>"
            )
        else:
            parts.append("<p>No copies between devices were recorded.</p>")
        parts.append(
            "<p>Time comes from CUDA events, for copies that involve CUDA once it is initialized; "
            "n/a where not measured.</p>"
        )
        parts.append(f"<p>{e(_OTHER_THREADS)}</p></div>")
        return "".join(parts)

    # -- recording -------------------------------------------------------------------------------

    def _on_copy(self, kind: str, func: Callable[..., Any], args: tuple[Any, ...], kwargs: dict[str, Any]) -> Any:
        timing = None
        if torch.cuda.is_initialized():
            try:
                with torch._C.DisableTorchFunction():
                    timing = _start_event(getattr(func, "__name__", ""), args, kwargs)
            except Exception:
                timing = None
        out = func(*args, **kwargs)  # the user's exception, if any, goes through unchanged
        try:
            with torch._C.DisableTorchFunction():
                found = _copy_of(kind, func, args, kwargs, out)
                if found is not None:
                    self._record(found, timing)
        except Exception:  # the log must never change what the user's code does
            pass
        return out

    def _record(self, found: tuple[int, str, str, bool, bool, str], timing: tuple[Any, Any] | None) -> None:
        nbytes, src, dst, pinned, non_blocking, op = found
        entry = Transfer(nbytes, src, dst, pinned, non_blocking, op, self._source(), None)
        if timing is not None and "cuda" in (src.split(":")[0], dst.split(":")[0]):
            start, stream = timing
            end = torch.cuda.Event(enable_timing=True)
            end.record(stream)
            self._pending.append((len(self._done), start, end, entry))
        self._done.append(entry)

    def _resolve(self) -> None:
        pending, self._pending = self._pending, []
        for place, start, end, entry in pending:
            try:
                end.synchronize()
                seconds = start.elapsed_time(end) / 1e3
            except Exception:
                continue
            self._done[place] = replace(entry, seconds=seconds)

    def _source(self) -> Source | None:
        frame: Any = sys._getframe(3)  # the caller of the mode's __torch_function__
        files = self._files
        while frame is not None:
            filename = frame.f_code.co_filename
            internal = files.get(filename)
            if internal is None:
                internal = files[filename] = _is_internal(filename)
            if not internal:
                break
            frame = frame.f_back
        if frame is None:
            return None
        key = (frame.f_code, frame.f_lineno)
        source = self._sources.get(key)
        if source is None:
            import linecache

            code = frame.f_code
            line = frame.f_lineno or 0
            text = linecache.getline(code.co_filename, line, frame.f_globals).strip()
            source = self._sources[key] = Source(code.co_filename, line, code.co_name, text)
        return source


def track_transfers() -> TransferLog:
    """Record the copies between devices made inside a ``with`` block (in this thread).

    ``.to(...)``, ``.cuda()``, ``.cpu()``, ``copy_`` and ``x[...] = y`` across devices, factories such as
    ``torch.tensor(data, device=...)`` (from host data to the device), and values read back to the host
    (``.item()``, ``.tolist()``, ``.numpy(force=True)``). Ops on one device are not recorded. Nothing in
    torch is patched; results and exceptions are exactly those of the code without the log.

    >>> import torch
    >>> x = torch.zeros(2, 3)
    >>> with track_transfers() as log:
    ...     m = x.to("meta")
    ...     y = x + 1
    >>> t = log.entries[0]
    >>> (t.nbytes, t.src, t.dst, t.op, t.source.code, t.seconds), len(log)
    ((24, 'cpu', 'meta', 'to', 'm = x.to("meta")', None), 1)
    """
    return TransferLog()


def _nbytes(t: torch.Tensor) -> int:
    """The bytes of a copy's result: its elements (its indices and values when sparse), meta tensors included."""
    parts = [t] if t.layout == torch.strided else _sparse_parts(t)
    return sum(p.numel() * p.element_size() for p in parts)


def _pinned(t: Any) -> bool:
    """Whether a host tensor is page-locked; asked only once CUDA is initialized (no pinned memory before)."""
    if not _is_tensor(t) or t.device.type != "cpu" or not torch.cuda.is_initialized():
        return False
    try:
        return bool(t.is_pinned())
    except Exception:
        return False


def _flag(args: tuple[Any, ...], kwargs: dict[str, Any], position: int, name: str) -> bool:
    if name in kwargs:
        return bool(kwargs[name])
    return len(args) > position and isinstance(args[position], bool) and args[position]


def _copy_of(
    kind: str, func: Callable[..., Any], args: tuple[Any, ...], kwargs: dict[str, Any], out: Any
) -> tuple[int, str, str, bool, bool, str] | None:
    """(bytes, src, dst, pinned, non_blocking, op) when the call copied across devices, else None."""
    op = func.__name__
    first: Any = args[0] if args else None
    if kind == "move":
        if not _is_tensor(first) or not _is_tensor(out) or out.device == first.device:
            return None
        if op == "to":
            non_blocking = bool(torch._C._nn._parse_to(*args[1:], **kwargs)[2])
        else:
            non_blocking = _flag(args, kwargs, 2 if op in ("cuda", "xpu", "mtia") else 1, "non_blocking")
        return _nbytes(out), str(first.device), str(out.device), _pinned(first) or _pinned(out), non_blocking, op
    if kind == "copy":
        src: Any = args[1] if len(args) > 1 else kwargs.get("src")
        if not _is_tensor(first) or not _is_tensor(src) or first.device == src.device:
            return None
        pinned = _pinned(src) or _pinned(first)
        return _nbytes(first), str(src.device), str(first.device), pinned, _flag(args, kwargs, 2, "non_blocking"), op
    if kind == "setitem":
        value: Any = args[2] if len(args) > 2 else None
        if not _is_tensor(first) or not _is_tensor(value) or first.device == value.device:
            return None
        nbytes = value.numel() * first.element_size()
        return nbytes, str(value.device), str(first.device), _pinned(value), False, "setitem"
    if kind == "factory":
        if not _is_tensor(out):
            return None
        data = [a for a in (args[1:] if op == "new_tensor" else args) if _is_tensor(a)]
        data += [v for k, v in kwargs.items() if k in ("data", "obj", "values") and _is_tensor(v)]
        src_dev = str(data[0].device) if data else "cpu"  # Python data and numpy arrays live on the host
        if src_dev == str(out.device):
            return None
        return _nbytes(out), src_dev, str(out.device), bool(data) and _pinned(data[0]), False, op
    if kind == "read":
        if not _is_tensor(first) or first.device.type in ("cpu", "meta"):
            return None
        if op == "numpy" and not _flag(args, kwargs, 1, "force"):
            return None  # raises for a device tensor: nothing was copied
        return _nbytes(first), str(first.device), "cpu", False, False, op
    return None


def _start_event(op: str, args: tuple[Any, ...], kwargs: dict[str, Any]) -> tuple[Any, Any] | None:
    """A started CUDA event on the current stream of the CUDA device the call involves, if it involves one."""
    for a in (*args, *kwargs.values()):
        if _is_tensor(a) and a.device.type == "cuda":
            return _started(a.device.index)
    target: Any
    if op == "to":
        target = torch._C._nn._parse_to(*args[1:], **kwargs)[0]
    elif op == "cuda":
        target = kwargs.get("device", args[1] if len(args) > 1 else None)
        if target is None:
            return _started(None)  # .cuda() goes to the current device
    else:
        target = kwargs.get("device")
    if target is None:
        return None
    dev = torch.device("cuda", target) if isinstance(target, int) else torch.device(target)
    return _started(dev.index) if dev.type == "cuda" else None


def _started(index: int | None) -> tuple[Any, Any]:
    stream = torch.cuda.current_stream(torch.cuda.current_device() if index is None else index)
    start = torch.cuda.Event(enable_timing=True)
    start.record(stream)
    return start, stream


def _fmt_bytes(n: float) -> str:
    """
    >>> _fmt_bytes(512), _fmt_bytes(3 * 2**20)
    ('512 B', '3.0 MiB')
    """
    for unit in ("B", "KiB", "MiB", "GiB"):
        if abs(n) < 1024 or unit == "GiB":
            return f"{n:.0f} {unit}" if unit == "B" else f"{n:.1f} {unit}"
        n /= 1024
    return f"{n:.1f} GiB"


def _fmt_rate(nbytes: int, seconds: float | None) -> str:
    if seconds is None:
        return "n/a (not measured)"
    if seconds <= 0:
        return "n/a (too fast to measure)"
    return f"{nbytes / seconds / 1e9:.2f} GB/s"
