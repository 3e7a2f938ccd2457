"""Recorded CUDA allocator snapshots read into plain data: a memory timeline, its peak, and what was alive then.

A pure core (no widget code, no torch import). ``torch.cuda.memory._record_memory_history()`` makes the caching
allocator keep a trace of what it does; ``torch.cuda.memory._snapshot()`` returns that trace (``device_traces``:
one list of events per device) with the allocator's state at that moment (``segments``: the memory reserved
from CUDA, split into blocks), and ``torch.cuda.memory._dump_snapshot(path)`` pickles it. This module reads either
form on any machine, CUDA or not:

- the pickle is unpickled with every import refused, so a file can never run code; snapshots are plain dicts,
  lists, strings and numbers;
- each device's events are replayed once into arrays (numpy int64): ``times``, ``allocated`` and ``reserved``
  after every event, starting from the state before the first event;
- the peak of allocated memory, and the allocations alive at that moment with their stacks (the user's frames
  first);
- the state at the end, compared with the snapshot's own ``segments``;
- odd data (frees of allocations older than the trace, counters that disagree with ``segments``, events out of
  time order, unknown actions) is reported in ``flags``, never raised.

Vocabulary (that of ``torch.cuda.memory``): a *segment* is memory reserved from CUDA (``cudaMalloc``), split into
*blocks*; an allocation is an *active* block. *Reserved* bytes are the segments' total size. *Allocated* bytes
are the sizes the trace records, which are the sizes asked for (``requested_size``); the allocator rounds each
block up to a multiple of 512 B, which ``torch.cuda.memory_allocated()`` counts, so that figure is a little larger.
An allocation counts from its ``alloc`` event until its ``free_requested`` event (its ``free_completed`` event
when the trace has no ``free_requested`` events), as ``memory_allocated()`` does.

Allocations older than the trace (recording started late, or the trace buffer of ``max_entries`` wrapped) are
inferred, not guessed: a free of an address the trace never allocated was alive from the start, and so was an
active block of ``segments`` that the trace never allocated. The same goes for segments and reserved memory.

>>> snap = read_snapshot(synthetic_snapshot(3000, seed=1))
>>> snap.synthetic, snap.devices, snap.events
(True, (0,), 3000)
>>> snap.peak_allocated == sum(a.size for a in snap.at_peak)
True
>>> snap.end[0].complete  # the trace alone rebuilds the final active blocks of ``segments``
True
>>> len(snap.timelines[0].downsample(100).times)
100
"""

from __future__ import annotations

import gc
import io
import json
import os
import pickle
import random
import re
from collections import Counter
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from itertools import repeat
from typing import Any

import numpy as np

__all__ = [
    "Allocation",
    "Downsampled",
    "EndState",
    "Flag",
    "Frame",
    "Moment",
    "Snapshot",
    "SnapshotError",
    "Timeline",
    "downsample",
    "frame_kind",
    "read_snapshot",
    "snapshot_state",
    "state_bytes",
    "synthetic_snapshot",
]

# Action codes, in the order torch names them.
ALLOC, FREE_REQUESTED, FREE_COMPLETED, SEGMENT_ALLOC, SEGMENT_FREE, SEGMENT_MAP, SEGMENT_UNMAP, SNAPSHOT, OOM = range(9)
UNKNOWN, MALFORMED = 9, 10
ACTIONS = {
    "alloc": ALLOC,
    "free_requested": FREE_REQUESTED,
    "free_completed": FREE_COMPLETED,
    "segment_alloc": SEGMENT_ALLOC,
    "segment_free": SEGMENT_FREE,
    "segment_map": SEGMENT_MAP,
    "segment_unmap": SEGMENT_UNMAP,
    "snapshot": SNAPSHOT,
    "oom": OOM,
}
_NEEDS_ADDRESS = (ALLOC, FREE_REQUESTED, FREE_COMPLETED, SEGMENT_ALLOC, SEGMENT_FREE, SEGMENT_MAP, SEGMENT_UNMAP)

POINTS = 2000  # points per device a timeline is downsampled to for the browser
TOP = 100  # allocations alive at the peak sent to the browser
FRAMES = 24  # frames per allocation sent to the browser (the user's come first)

FRAME_KINDS = ("user", "library", "torch", "python", "native")


class SnapshotError(ValueError):
    """A source that is not a readable memory snapshot (never raised for odd data inside one: see ``flags``)."""


# ---------------------------------------------------------------------------------------------------- plain data


@dataclass(frozen=True)
class Frame:
    """One frame of a stack: ``filename``, ``line``, function ``name`` as recorded, and where it lives.

    ``kind`` is ``"user"`` (the user's own code), ``"library"`` (an installed package other than torch),
    ``"torch"``, ``"python"`` (the standard library and interpreter) or ``"native"`` (C++ frames).
    """

    filename: str
    line: int
    name: str
    kind: str

    @property
    def user(self) -> bool:
        return self.kind == "user"


@dataclass(frozen=True)
class Allocation:
    """An allocation (an active block): ``address``, ``size`` in bytes (as requested), ``stream``, and its stack.

    ``event`` is the index of its ``alloc`` event in its device's trace, ``-1`` when it was allocated before the
    trace began (its stack then comes from ``segments``, or is empty when the trace only saw it freed); ``time``
    is that event's time (the timeline's unit), ``None`` before the trace. ``frames`` start with the user's
    frames, innermost first, then the rest (torch, libraries, Python, C++) in their recorded order.
    """

    address: int
    size: int
    stream: int
    device: int
    event: int
    time: int | None
    frames: tuple[Frame, ...]


@dataclass(frozen=True)
class Moment:
    """Where a figure was reached: ``device``, ``event`` (index in its trace; ``-1``: before the first event),
    ``time`` (the timeline's unit). ``device`` is ``None`` for a snapshot with no devices at all."""

    device: int | None
    event: int
    time: int


@dataclass(frozen=True, eq=False)
class Downsampled:
    """A timeline cut into buckets of consecutive points, each keeping its min and max, so peaks survive.

    ``times[i]`` is the time of the bucket's first point. ``exact`` says no bucket holds more than one point
    (then min and max are equal).
    """

    device: int
    unit: str
    times: np.ndarray
    allocated_min: np.ndarray
    allocated_max: np.ndarray
    reserved_min: np.ndarray
    reserved_max: np.ndarray
    exact: bool


@dataclass(frozen=True, eq=False)
class Timeline:
    """Allocated and reserved bytes of one device after each event of its trace.

    The arrays (numpy int64) hold ``events + 1`` points: the state before the first event, then the state after
    each event in trace order. ``times`` are the events' ``time_us`` (``unit == "us"``) or, when the trace has no
    times, their index (``unit == "event"``); the first point takes the first event's time.
    """

    device: int
    unit: str
    times: np.ndarray
    allocated: np.ndarray
    reserved: np.ndarray

    @property
    def events(self) -> int:
        return len(self.times) - 1

    def downsample(self, points: int = POINTS) -> Downsampled:
        """At most ``points`` buckets, each with its min and max (see :func:`downsample`)."""
        return downsample(self, points)


@dataclass(frozen=True)
class EndState:
    """One device at the end of the trace, compared with the snapshot's ``segments``.

    ``allocated``/``reserved`` are the timeline's last values; ``segments_allocated`` (requested bytes of the
    ``active_allocated`` blocks) and ``segments_reserved`` (total size of the segments) are what ``segments``
    says, ``None`` when the snapshot has no ``segments``. ``live`` holds the allocations the trace made and did
    not free, largest first; ``before_trace`` the ``active_allocated`` blocks the trace never allocated (alive
    since before it began). ``matches`` says every allocation in ``live`` is an ``active_allocated`` block of the
    same address and size, and that the figures agree; ``complete`` that, in addition, ``before_trace`` is empty:
    the trace alone rebuilds the final blocks.
    """

    device: int
    allocated: int
    reserved: int
    segments_allocated: int | None
    segments_reserved: int | None
    live: tuple[Allocation, ...]
    before_trace: tuple[Allocation, ...]
    matches: bool

    @property
    def complete(self) -> bool:
        return self.matches and not self.before_trace


@dataclass(frozen=True)
class Flag:
    """Odd data found while reading, reported rather than raised.

    ``kind`` names it (see :data:`FLAG_KINDS`), ``level`` is ``"info"`` (expected in real recordings, e.g. a
    trace started after the model was loaded) or ``"warning"`` (the data contradicts itself); ``count`` how many
    events or blocks, ``bytes`` how much memory they hold (0 when not about memory), ``event`` the index of the
    first one in its device's trace (-1 when not an event).
    """

    kind: str
    level: str
    device: int | None
    count: int
    bytes: int
    event: int
    message: str


FLAG_KINDS = {
    "older_than_trace": "info",  # frees of allocations the trace never saw allocated
    "before_trace": "info",  # active blocks at the end that the trace never allocated
    "segments_before_trace": "info",  # reserved memory held since before the trace began
    "missing_times": "info",  # some events have no time_us: the timeline uses event indices
    "unknown_action": "warning",
    "malformed": "warning",  # events or segments missing fields, or of the wrong type
    "out_of_time_order": "warning",
    "double_alloc": "warning",  # an address allocated again without a free in between
    "free_size_differs": "warning",  # a free's size is not its allocation's
    "segments_disagree": "warning",  # rebuilt allocations or reserved bytes differ from segments
    "segment_counters": "warning",  # a segment's own counters differ from its blocks
    "allocated_above_reserved": "warning",
    "negative": "warning",  # allocated or reserved below zero at some point
}


@dataclass(frozen=True, eq=False)
class Snapshot:
    """A CUDA allocator snapshot, summarised. Bytes are bytes; times are in each timeline's unit.

    ``peak_allocated``/``peak_reserved`` are the largest over all devices, reached at ``peak_allocated_at`` /
    ``peak_reserved_at``. ``at_peak`` holds the allocations alive at the peak of allocated memory, largest
    first; their sizes sum to ``peak_allocated``. ``end`` holds one :class:`EndState` per device.
    """

    devices: tuple[int, ...]
    events: int
    timelines: tuple[Timeline, ...]
    peak_allocated: int
    peak_allocated_at: Moment
    peak_reserved: int
    peak_reserved_at: Moment
    at_peak: tuple[Allocation, ...]
    end: tuple[EndState, ...]
    flags: tuple[Flag, ...]
    synthetic: bool = False
    allocator_settings: Mapping[str, Any] = field(default_factory=dict)

    def timeline(self, device: int) -> Timeline:
        for t in self.timelines:
            if t.device == device:
                return t
        raise KeyError(f"no timeline for device {device}; this snapshot has devices {list(self.devices)}")


# ---------------------------------------------------------------------------------------------------- reading


class _RefusingUnpickler(pickle.Unpickler):
    """Builds only what pickle makes without imports: dicts, lists, tuples, sets, strings, bytes, numbers."""

    def find_class(self, module: str, name: str) -> Any:
        raise SnapshotError(
            f"refused to unpickle: the data asks to import {module}.{name}, and a memory snapshot is plain data "
            "(dicts, lists, strings and numbers) that needs no import. Nothing was imported or run. Was it written "
            "by torch.cuda.memory._dump_snapshot?"
        )

    def persistent_load(self, pid: Any) -> Any:
        raise SnapshotError("refused to unpickle: the data holds a persistent id, which a memory snapshot never does")


@contextmanager
def _no_cyclic_gc() -> Iterator[None]:
    """Pause the cyclic garbage collector: building a million small dicts otherwise triggers it hundreds of
    times, each pass over every object built so far (unpickling 1M events: ~3 s with it, ~0.7 s without)."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


def _unpickle(stream: io.BufferedIOBase | io.BytesIO, what: str) -> Any:
    try:
        with _no_cyclic_gc():
            return _RefusingUnpickler(stream).load()
    except SnapshotError:
        raise
    except Exception as e:  # truncated or corrupt data fails in many ways; none of them is the caller's bug
        raise SnapshotError(f"not a readable pickle: {what} ({type(e).__name__}: {e})") from None


def _load(source: Any) -> Any:
    if isinstance(source, (bytes, bytearray, memoryview)):
        return _unpickle(io.BytesIO(source), "the bytes given")
    if isinstance(source, (str, os.PathLike)):
        path = os.fspath(source)
        if not os.path.isfile(path):
            raise SnapshotError(
                f"no snapshot file at {path!r}; give the path of a .pickle written by "
                "torch.cuda.memory._dump_snapshot, its bytes, or the dict of torch.cuda.memory._snapshot()"
            )
        with open(path, "rb") as f:
            return _unpickle(f, f"the file {path!r}")  # type: ignore[arg-type]
    if isinstance(source, (dict, list)):
        return source
    raise SnapshotError(
        "read_snapshot takes the path of a .pickle written by torch.cuda.memory._dump_snapshot, that pickle's "
        f"bytes, or the dict of torch.cuda.memory._snapshot(); got {type(source).__name__}"
    )


def read_snapshot(source: str | os.PathLike[str] | bytes | dict[str, Any]) -> Snapshot:
    """Read a CUDA allocator snapshot and replay its trace into timelines, the peak and the final state.

    ``source`` is the path of a pickle written by ``torch.cuda.memory._dump_snapshot``, the pickle's bytes, or
    the dict returned by ``torch.cuda.memory._snapshot()`` (a list is taken as ``segments`` alone, as older
    torch wrote). A pickle that asks for any import is refused with :class:`SnapshotError`, before anything is
    imported or run. Odd data inside a readable snapshot is reported in ``flags``.

    >>> snap = read_snapshot({"segments": [], "device_traces": [[]]})
    >>> snap.devices, snap.peak_allocated, snap.flags
    ((), 0, ())
    >>> read_snapshot(b"not a pickle")  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    tensorviz.snapshot.SnapshotError: not a readable pickle: the bytes given (UnpicklingError: ...)
    """
    data = _load(source)
    if isinstance(data, list):
        data = {"segments": data, "device_traces": []}
    if not isinstance(data, dict):
        raise SnapshotError(
            f"a memory snapshot is a dict with 'segments' and 'device_traces'; this holds a {type(data).__name__}"
        )
    if "segments" not in data and "device_traces" not in data:
        keys = ", ".join(repr(k) for k in list(data)[:8])
        raise SnapshotError(
            f"a memory snapshot is a dict with 'segments' and 'device_traces'; this dict has neither (keys: {keys})"
        )
    traces = data.get("device_traces")
    traces = [] if traces is None else traces
    if not isinstance(traces, (list, tuple)):
        raise SnapshotError(
            f"'device_traces' should be a list of lists of events, one per device; got {type(traces).__name__}"
        )
    has_segments = "segments" in data
    flags: list[Flag] = []
    segments = _segments_by_device(data.get("segments") or [], flags)

    devices = sorted({d for d, t in enumerate(traces) if t} | set(segments))
    replays = []
    with _no_cyclic_gc():
        for device in devices:
            trace = traces[device] if device < len(traces) else []
            if not isinstance(trace, (list, tuple)):
                message = f"device {device}'s trace is a {type(trace).__name__}, not a list of events; it was skipped"
                flags.append(_flag("malformed", device, message, 1))
                trace = []
            replays.append(_Replay(device, trace, segments.get(device), has_segments, flags))

    peak_a = max(replays, key=lambda r: r.peak_allocated, default=None)
    peak_r = max(replays, key=lambda r: r.peak_reserved, default=None)
    at_peak: tuple[Allocation, ...] = ()
    if peak_a is not None:
        at_peak = peak_a.alive_after(peak_a.peak_allocated_event)
    settings = data.get("allocator_settings")
    return Snapshot(
        devices=tuple(devices),
        events=sum(r.timeline.events for r in replays),
        timelines=tuple(r.timeline for r in replays),
        peak_allocated=peak_a.peak_allocated if peak_a else 0,
        peak_allocated_at=peak_a.moment(peak_a.peak_allocated_event) if peak_a else Moment(None, -1, 0),
        peak_reserved=peak_r.peak_reserved if peak_r else 0,
        peak_reserved_at=peak_r.moment(peak_r.peak_reserved_event) if peak_r else Moment(None, -1, 0),
        at_peak=at_peak,
        end=tuple(r.end for r in replays),
        flags=tuple(flags),
        synthetic=bool(data.get("synthetic", False)),
        allocator_settings=dict(settings) if isinstance(settings, dict) else {},
    )


def _flag(kind: str, device: int | None, message: str, count: int, nbytes: int = 0, event: int = -1) -> Flag:
    return Flag(kind, FLAG_KINDS[kind], device, int(count), int(nbytes), int(event), message)


def _int(v: Any) -> int | None:
    return v if isinstance(v, int) and not isinstance(v, bool) else None


# ---------------------------------------------------------------------------------------------------- segments


@dataclass
class _DeviceSegments:
    reserved: int = 0
    allocated: int = 0  # requested bytes of active_allocated blocks
    active: dict[int, tuple[int, int, dict[str, Any], dict[str, Any]]] = field(default_factory=dict)
    # address -> (requested size, stream, block, segment)
    addresses: dict[int, int] = field(default_factory=dict)  # segment address -> total size
    expandable: bool = False


def _requested(block: dict[str, Any]) -> int | None:
    size = _int(block.get("requested_size"))
    if size is None:
        history = block.get("history")  # older torch kept the requested size in the block's history
        if isinstance(history, list) and history and isinstance(history[0], dict):
            size = _int(history[0].get("real_size"))
    return size if size is not None else _int(block.get("size"))


def _segments_by_device(raw: Any, flags: list[Flag]) -> dict[int, _DeviceSegments]:
    out: dict[int, _DeviceSegments] = {}
    bad = 0
    counters: Counter[int] = Counter()
    if not isinstance(raw, (list, tuple)):
        flags.append(_flag("malformed", None, f"'segments' is a {type(raw).__name__}, not a list; it was ignored", 1))
        return out
    for seg in raw:
        if not isinstance(seg, dict):
            bad += 1
            continue
        device, address, total = _int(seg.get("device", 0)), _int(seg.get("address")), _int(seg.get("total_size"))
        blocks = seg.get("blocks", [])
        if device is None or address is None or total is None or not isinstance(blocks, (list, tuple)):
            bad += 1
            continue
        dev = out.setdefault(device, _DeviceSegments())
        dev.reserved += total
        dev.addresses[address] = total
        dev.expandable |= bool(seg.get("is_expandable", False))
        stream = _int(seg.get("stream")) or 0
        covered = allocated_blocks = requested_blocks = 0
        for block in blocks:
            size = _int(block.get("size")) if isinstance(block, dict) else None
            if size is None:
                bad += 1
                continue
            covered += size
            if block.get("state") != "active_allocated":
                continue
            requested, at = _requested(block), _int(block.get("address"))
            if requested is None or at is None:
                bad += 1
                continue
            allocated_blocks += size
            requested_blocks += requested
            dev.allocated += requested
            dev.active[at] = (requested, stream, block, seg)
        said = (_int(seg.get("allocated_size")), _int(seg.get("requested_size")))
        if (blocks and covered != total) or any(
            s is not None and s != mine for s, mine in zip(said, (allocated_blocks, requested_blocks), strict=True)
        ):
            counters[device] += 1
    if bad:
        flags.append(
            _flag("malformed", None, f"{bad} segments or blocks lack an address or size; they were skipped", bad)
        )
    for device, n in sorted(counters.items()):
        flags.append(
            _flag(
                "segment_counters",
                device,
                f"{n} segments of device {device} have counters (allocated_size, requested_size, total_size) that "
                "differ from the sum of their blocks",
                n,
            )
        )
    return out


# ---------------------------------------------------------------------------------------------------- replay


@dataclass(frozen=True)
class _Columns:
    codes: np.ndarray  # int8 action codes
    addrs: np.ndarray  # int64, -1 where absent
    sizes: np.ndarray  # int64, -1 where absent
    times: np.ndarray | None  # int64 time_us, None when some event has none
    timed: int  # how many events have a time_us
    unknown: Counter[str]


def _columns(trace: Sequence[Any]) -> _Columns:
    """The trace's actions, addresses, sizes and times as arrays, read in C loops when every event is well formed."""
    n = len(trace)
    get = dict.get
    try:
        actions = list(map(get, trace, repeat("action", n)))
        codes = np.fromiter(map(ACTIONS.get, actions, repeat(UNKNOWN, n)), dtype=np.int8, count=n)  # type: ignore[arg-type]
        addrs = np.fromiter(map(get, trace, repeat("addr", n), repeat(-1, n)), dtype=np.int64, count=n)
        sizes = np.fromiter(map(get, trace, repeat("size", n), repeat(-1, n)), dtype=np.int64, count=n)
        raw_times = list(map(get, trace, repeat("time_us", n)))
        if None in raw_times:
            times, timed = None, n - raw_times.count(None)
        else:
            times, timed = np.fromiter(raw_times, dtype=np.int64, count=n), n
        if (codes == UNKNOWN).any() and not all(type(a) is str for a in actions):
            raise TypeError  # an action that is not a string: read event by event
    except (TypeError, ValueError, OverflowError):
        return _columns_checked(trace)
    unknown = Counter(str(actions[i]) for i in np.flatnonzero(codes == UNKNOWN).tolist())
    _mark_malformed(codes, addrs, sizes)
    return _Columns(codes, addrs, sizes, times, timed, unknown)


def _columns_checked(trace: Sequence[Any]) -> _Columns:
    """Event by event, for traces with events that are not dicts or have fields of the wrong type."""
    n = len(trace)
    codes = np.full(n, MALFORMED, dtype=np.int8)
    addrs = np.full(n, -1, dtype=np.int64)
    sizes = np.full(n, -1, dtype=np.int64)
    times = np.zeros(n, dtype=np.int64)
    timed = 0
    unknown: Counter[str] = Counter()
    for i, e in enumerate(trace):
        if not isinstance(e, dict):
            times[i] = times[i - 1] if i else 0  # no event at all: it takes the time of the one before
            timed += 1
            continue
        action = e.get("action")
        if not isinstance(action, str):
            continue
        code = ACTIONS.get(action, UNKNOWN)
        if code == UNKNOWN:
            unknown[action] += 1
        codes[i] = code
        addr, size, t = _int(e.get("addr")), _int(e.get("size")), _int(e.get("time_us"))
        if addr is not None and 0 <= addr < 1 << 63:
            addrs[i] = addr
        if size is not None and 0 <= size < 1 << 63:
            sizes[i] = size
        if t is not None and -(1 << 63) <= t < 1 << 63:
            times[i] = t
            timed += 1
    _mark_malformed(codes, addrs, sizes)
    return _Columns(codes, addrs, sizes, times if timed == n else None, timed, unknown)


def _mark_malformed(codes: np.ndarray, addrs: np.ndarray, sizes: np.ndarray) -> None:
    needs = codes <= max(_NEEDS_ADDRESS)
    codes[needs & ((addrs < 0) | (sizes < 0))] = MALFORMED


def _pair(events: np.ndarray, is_alloc: np.ndarray, addrs: np.ndarray) -> tuple[np.ndarray, ...]:
    """Match allocations with their frees: ``events`` (indices of alloc and free events, in trace order), whether
    each is an alloc, and its address.

    Sorted by address (stably, so trace order holds within an address), a well-formed trace alternates alloc,
    free, alloc, free at each address. Returns, as index arrays: the allocs paired with the frees that follow
    them, those frees, the frees with no alloc before them (allocations older than the trace), the allocs
    followed by another alloc of the same address (never freed in the trace), and the allocs alive at the end.

    >>> ev, alloc, addr = np.arange(6), np.array([0, 1, 1, 0, 1, 1], bool), np.array([8, 8, 9, 8, 7, 7])
    >>> [a.tolist() for a in _pair(ev, alloc, addr)]
    [[1], [3], [0], [4], [2, 5]]
    """
    order = np.lexsort((events, addrs))
    e, a, c = events[order], addrs[order], is_alloc[order]
    same_next = np.zeros(len(e), dtype=bool)
    same_next[:-1] = a[1:] == a[:-1]
    next_alloc = np.zeros(len(e), dtype=bool)
    next_alloc[:-1] = c[1:]
    after_alloc = np.zeros(len(e), dtype=bool)  # the entry before is an alloc of the same address
    after_alloc[1:] = c[:-1] & same_next[:-1]
    paired = c & same_next & ~next_alloc
    pa = e[paired]
    pf = e[np.flatnonzero(paired) + 1]
    older = np.sort(e[~c & ~after_alloc])
    stranded = np.sort(e[c & same_next & next_alloc])
    alive = np.sort(e[c & ~same_next])
    return pa, pf, older, stranded, alive


class _Replay:
    """One device's trace replayed: its timeline, peaks, final state, and the allocations alive at any point."""

    def __init__(
        self, device: int, trace: Sequence[Any], segs: _DeviceSegments | None, has_segments: bool, flags: list[Flag]
    ) -> None:
        self.device, self.trace, self.flags = device, trace, flags
        self.segs = segs if segs is not None else (_DeviceSegments() if has_segments else None)
        self._frames: dict[int, tuple[Any, tuple[Frame, ...]]] = {}
        cols = _columns(trace)
        self.codes, self.addrs, self.sizes = cols.codes, cols.addrs, cols.sizes
        self._note_columns(cols)
        allocated = self._allocated()
        reserved = self._reserved()
        unit = "us" if cols.times is not None else "event"
        self.timeline = Timeline(device, unit, _times(cols.times, len(trace)), allocated, reserved)
        self.peak_allocated_event = int(np.argmax(allocated)) - 1
        self.peak_reserved_event = int(np.argmax(reserved)) - 1
        self.peak_allocated = int(allocated[self.peak_allocated_event + 1])
        self.peak_reserved = int(reserved[self.peak_reserved_event + 1])
        self._check_totals()
        self.end = self._end_state()

    def _flag(self, kind: str, message: str, count: int, nbytes: int = 0, event: int = -1) -> None:
        self.flags.append(_flag(kind, self.device, message, count, nbytes, event))

    def _allocated(self) -> np.ndarray:
        """Allocated bytes after each event: an allocation adds its size at its alloc event, takes it back at its
        free. Frees are free_requested events (memory_allocated() drops there); in a trace recorded without them
        (skip_actions), free_completed events."""
        codes, addrs, sizes, n, device = self.codes, self.addrs, self.sizes, len(self.codes), self.device
        free_code = FREE_REQUESTED if (codes == FREE_REQUESTED).any() else FREE_COMPLETED
        steps = np.flatnonzero((codes == ALLOC) | (codes == free_code))
        pa, pf, self.older, stranded, self.alive_end = _pair(steps, codes[steps] == ALLOC, addrs[steps])
        self.never_freed = np.concatenate([self.alive_end, stranded])
        # every traced allocation, with the event that ends it (n: none)
        self.alloc_events = np.concatenate([pa, self.never_freed])
        self.free_events = np.concatenate([pf, np.full(len(self.never_freed), n, dtype=np.int64)])
        self.disagree = len(stranded)  # an address allocated twice holds one block at most
        if len(stranded):
            first = int(stranded.min())
            self._flag(
                "double_alloc",
                f"{len(stranded)} addresses on device {device} were allocated again with no free in between (first "
                f"at event {first}); the earlier allocations are counted as never freed",
                len(stranded), int(sizes[stranded].sum()), first,
            )  # fmt: skip
        differs = np.flatnonzero(sizes[pa] != sizes[pf])
        if len(differs):
            first = int(pf[differs[0]])
            self._flag(
                "free_size_differs",
                f"{len(differs)} frees on device {device} give a size other than their allocation's (first at event "
                f"{first}); the allocation's size is used",
                len(differs), 0, first,
            )  # fmt: skip
        if len(self.older):
            first = int(self.older[0])
            self._flag(
                "older_than_trace",
                f"{len(self.older)} allocations on device {device} are freed in the trace but were allocated before "
                f"it began (recording started late, or the trace buffer wrapped at max_entries); first freed at "
                f"event {first}",
                len(self.older), int(sizes[self.older].sum()), first,
            )  # fmt: skip
        self.before_trace = self._before_trace()
        delta = np.zeros(n + 1, dtype=np.int64)
        delta[self.alloc_events + 1] = sizes[self.alloc_events]
        delta[pf + 1] = -sizes[pa]
        delta[self.older + 1] = -sizes[self.older]
        allocated = np.cumsum(delta)
        allocated += int(sizes[self.older].sum()) + sum(a.size for a in self.before_trace)
        return allocated

    def _before_trace(self) -> tuple[Allocation, ...]:
        """The active blocks of ``segments`` the trace never allocated, and the count of allocations it leaves
        alive that are not active blocks of the same size (added to ``self.disagree``)."""
        if self.segs is None:
            return ()
        active, addrs, sizes = self.segs.active, self.addrs, self.sizes
        for j in self.alive_end.tolist():
            block = active.get(int(addrs[j]))
            if block is None or block[0] != int(sizes[j]):
                self.disagree += 1
        traced = set(addrs[self.alive_end].tolist())
        before = [(a, *v) for a, v in active.items() if a not in traced]
        if not before:
            return ()
        # a block alive since before the trace cannot share its address with anything the trace allocated
        allocs = addrs[self.codes == ALLOC]
        self.disagree += int(np.isin(np.array([b[0] for b in before], dtype=np.int64), allocs).sum())
        total = sum(b[1] for b in before)
        self._flag(
            "before_trace",
            f"{len(before)} active blocks on device {self.device} at the end ({total:,} bytes) were allocated before "
            "the trace began (it never saw them allocated)",
            len(before), total,
        )  # fmt: skip
        found = [
            Allocation(a, size, stream, self.device, -1, None, self._stack(_block_frames(block)))
            for a, size, stream, block, _ in before
        ]
        return tuple(sorted(found, key=_largest_first))

    def _reserved(self) -> np.ndarray:
        """Reserved bytes after each event: segments come with segment_alloc and go with segment_free
        (segment_map/segment_unmap for expandable segments); those held before the trace are inferred."""
        codes, addrs, sizes, segs = self.codes, self.addrs, self.sizes, self.segs
        delta = np.zeros(len(codes) + 1, dtype=np.int64)
        grow = (codes == SEGMENT_ALLOC) | (codes == SEGMENT_MAP)
        shrink = (codes == SEGMENT_FREE) | (codes == SEGMENT_UNMAP)
        delta[1:][grow] = sizes[grow]
        delta[1:][shrink] = -sizes[shrink]
        net = int(delta.sum())
        steps = np.flatnonzero((codes == SEGMENT_ALLOC) | (codes == SEGMENT_FREE))
        live: dict[int, int] = {}  # segment address -> size, for segments the trace allocated
        older = older_bytes = 0
        for code, addr, size in zip(codes[steps].tolist(), addrs[steps].tolist(), sizes[steps].tolist(), strict=True):
            if code == SEGMENT_ALLOC:
                live[addr] = size
            elif live.pop(addr, None) is None:
                older += 1
                older_bytes += size
        self.segments_differ = False
        initial = older_bytes
        if segs is not None:
            if segs.expandable or ((codes == SEGMENT_MAP) | (codes == SEGMENT_UNMAP)).any():
                initial = segs.reserved - net  # expandable segments grow and shrink: only bytes add up
            else:
                untraced = [s for a, s in segs.addresses.items() if a not in live]
                initial += sum(untraced)
                older += len(untraced)
                self.segments_differ = any(segs.addresses.get(a) != s for a, s in live.items())
            self.segments_differ |= initial + net != segs.reserved
        if older and initial:
            self._flag(
                "segments_before_trace",
                f"device {self.device} held {initial:,} bytes reserved in {older} segments from before the trace began",
                older, initial,
            )  # fmt: skip
        reserved = np.cumsum(delta)
        reserved += initial
        return reserved

    def _end_state(self) -> EndState:
        allocated, reserved = int(self.timeline.allocated[-1]), int(self.timeline.reserved[-1])
        segs = self.segs
        matches = segs is not None and not self.disagree and not self.segments_differ and allocated == segs.allocated
        if segs is not None and not matches:
            self._flag(
                "segments_disagree",
                f"device {self.device}: the trace leaves {allocated:,} bytes allocated and {reserved:,} reserved, "
                f"segments say {segs.allocated:,} and {segs.reserved:,}; {self.disagree} allocations alive at the end "
                "are not active blocks of the same size" + ("; the segments differ" if self.segments_differ else ""),
                self.disagree + int(self.segments_differ),
            )  # fmt: skip
        return EndState(
            device=self.device,
            allocated=allocated,
            reserved=reserved,
            segments_allocated=segs.allocated if segs is not None else None,
            segments_reserved=segs.reserved if segs is not None else None,
            live=tuple(sorted((self._traced(j) for j in self.never_freed.tolist()), key=_largest_first)),
            before_trace=self.before_trace,
            matches=matches,
        )

    def _note_columns(self, cols: _Columns) -> None:
        device, codes, n = self.device, cols.codes, len(cols.codes)
        if cols.unknown:
            names = ", ".join(f"{a!r} ({c})" for a, c in cols.unknown.most_common(5))
            first = int(np.flatnonzero(codes == UNKNOWN)[0])
            self._flag(
                "unknown_action",
                f"device {device} has events with actions this reader does not know: {names}; they change nothing",
                sum(cols.unknown.values()), 0, first,
            )  # fmt: skip
        bad = np.flatnonzero(codes == MALFORMED)
        if len(bad):
            self._flag(
                "malformed",
                f"{len(bad)} events on device {device} lack an action, address or size, or are not dicts (first at "
                f"event {int(bad[0])}); they change nothing",
                len(bad), 0, int(bad[0]),
            )  # fmt: skip
        if cols.times is None and cols.timed:
            self._flag(
                "missing_times",
                f"{n - cols.timed} of {n} events on device {device} have no time_us; the timeline is by event index",
                n - cols.timed,
            )
        if cols.times is not None and n > 1:
            back = np.flatnonzero(np.diff(cols.times) < 0)
            if len(back):
                self._flag(
                    "out_of_time_order",
                    f"{len(back)} events on device {device} have a time_us earlier than the event before (first at "
                    f"event {int(back[0]) + 1}); they are kept in trace order",
                    len(back), 0, int(back[0]) + 1,
                )  # fmt: skip

    def _check_totals(self) -> None:
        allocated, reserved, device = self.timeline.allocated, self.timeline.reserved, self.device
        for name, values in (("allocated", allocated), ("reserved", reserved)):
            below = np.flatnonzero(values < 0)
            if len(below):
                self._flag(
                    "negative",
                    f"{name} bytes on device {device} fall below zero at {len(below)} points (first after event "
                    f"{int(below[0]) - 1}): the trace frees more than it allocated",
                    len(below), 0, int(below[0]) - 1,
                )  # fmt: skip
        above = np.flatnonzero(allocated > reserved)
        if len(above):
            self._flag(
                "allocated_above_reserved",
                f"allocated bytes on device {device} exceed reserved bytes at {len(above)} points (first after event "
                f"{int(above[0]) - 1}): the trace lacks some segment events or segments",
                len(above), int((allocated - reserved).max()), int(above[0]) - 1,
            )  # fmt: skip

    def moment(self, event: int) -> Moment:
        return Moment(self.device, event, int(self.timeline.times[event + 1]))

    def alive_after(self, event: int) -> tuple[Allocation, ...]:
        """The allocations alive once ``event`` has happened (``-1``: before the first event), largest first."""
        traced = np.flatnonzero((self.alloc_events <= event) & (self.free_events > event))
        out = [self._traced(int(j)) for j in self.alloc_events[traced].tolist()]
        for i in self.older[self.older > event].tolist():
            stream = _int(self.trace[i].get("stream")) or 0
            out.append(Allocation(int(self.addrs[i]), int(self.sizes[i]), stream, self.device, -1, None, ()))
        out.extend(self.before_trace)
        out.sort(key=_largest_first)
        return tuple(out)

    def _traced(self, j: int) -> Allocation:
        e = self.trace[j]
        stream, time = _int(e.get("stream")) or 0, int(self.timeline.times[j + 1])
        return Allocation(
            int(self.addrs[j]), int(self.sizes[j]), stream, self.device, j, time, self._stack(e.get("frames"))
        )

    def _stack(self, raw: Any) -> tuple[Frame, ...]:
        if not isinstance(raw, (list, tuple)) or not raw:
            return ()
        hit = self._frames.get(id(raw))
        if hit is not None and hit[0] is raw:
            return hit[1]
        frames = [f for f in (_frame(f) for f in raw) if f is not None]
        stack = tuple(f for f in frames if f.user) + tuple(f for f in frames if not f.user)
        self._frames[id(raw)] = (raw, stack)
        return stack


def _times(times: np.ndarray | None, n: int) -> np.ndarray:
    out = np.empty(n + 1, dtype=np.int64)
    if times is None:
        out[1:] = np.arange(n, dtype=np.int64)
    else:
        out[1:] = times
    out[0] = out[1] if n else 0
    return out


def _largest_first(a: Allocation) -> tuple[int, int]:
    return (-a.size, a.address)


def _block_frames(block: dict[str, Any]) -> Any:
    """A block's stack: its ``frames``, or in older torch the first entry of its ``history``."""
    if block.get("frames"):
        return block["frames"]
    history = block.get("history")
    if isinstance(history, list) and history and isinstance(history[0], dict):
        return history[0].get("frames")
    return None


# ---------------------------------------------------------------------------------------------------- frames


_STDLIB = re.compile(r"(^|/)lib/python\d[\d.]*t?/|(^|/)python\d+t?/lib/|^<frozen |(^|/)lib/pypy", re.IGNORECASE)
_TORCH_PACKAGES = frozenset({"torch", "functorch", "torchgen"})


def frame_kind(filename: str) -> str:
    """Where a frame's file lives: ``"user"``, ``"library"``, ``"torch"``, ``"python"`` or ``"native"``.

    Works on POSIX and Windows paths alike.

    >>> frame_kind("/home/ada/project/model.py")
    'user'
    >>> frame_kind(r"D:\\env\\Lib\\site-packages\\torch\\nn\\modules\\module.py")
    'torch'
    >>> frame_kind("/usr/lib/python3.11/runpy.py"), frame_kind("<frozen runpy>"), frame_kind("??")
    ('python', 'python', 'native')
    >>> frame_kind("/env/lib/python3.11/site-packages/transformers/trainer.py"), frame_kind("<ipython-input-3-9f>")
    ('library', 'user')
    """
    path = filename.replace("\\", "/")
    if _STDLIB.search(path) and "site-packages/" not in path and "dist-packages/" not in path:
        return "python"
    if path.startswith("<"):
        return "user"  # <stdin>, <string>, <ipython-input-...>: code the user typed
    if not path.endswith((".py", ".pyx", ".pyi")):
        return "native"  # C++ frames (stacks="all"), "??" when unknown
    parts = path.split("/")
    for marker in ("site-packages", "dist-packages"):
        if marker in parts:
            k = len(parts) - 1 - parts[::-1].index(marker)
            return "torch" if k + 1 < len(parts) and parts[k + 1] in _TORCH_PACKAGES else "library"
    if "torch" in parts[:-1]:
        return "torch"  # a torch source checkout
    return "user"


_KIND_CACHE: dict[str, str] = {}


def _frame(raw: Any) -> Frame | None:
    if isinstance(raw, dict):
        filename, line, name = raw.get("filename"), raw.get("line"), raw.get("name")
    elif isinstance(raw, (list, tuple)) and len(raw) == 3:
        filename, line, name = raw
    else:
        return None
    filename = filename if isinstance(filename, str) else str(filename)
    kind = _KIND_CACHE.get(filename)
    if kind is None:
        if len(_KIND_CACHE) > 1 << 16:
            _KIND_CACHE.clear()
        kind = _KIND_CACHE[filename] = frame_kind(filename)
    return Frame(filename, _int(line) or 0, name if isinstance(name, str) else str(name), kind)


# ---------------------------------------------------------------------------------------------------- browser


def downsample(timeline: Timeline, points: int = POINTS) -> Downsampled:
    """Cut a timeline into at most ``points`` buckets of consecutive points, keeping each bucket's min and max.

    The max of ``allocated_max`` is the timeline's peak, whatever ``points`` is.

    >>> t = read_snapshot(synthetic_snapshot(5000, seed=2)).timelines[0]
    >>> d = downsample(t, 50)
    >>> len(d.times), int(d.allocated_max.max()) == int(t.allocated.max()), d.exact
    (50, True, False)
    """
    if not (isinstance(points, int) and not isinstance(points, bool)) or points < 1:
        raise ValueError(f"points must be a positive integer (buckets in the downsampled timeline), got {points!r}")
    m = len(timeline.times)
    if m <= points:
        a, r = timeline.allocated.copy(), timeline.reserved.copy()
        return Downsampled(timeline.device, timeline.unit, timeline.times.copy(), a, a.copy(), r, r.copy(), True)
    starts = np.linspace(0, m, points + 1)[:-1].astype(np.int64)
    a, r = timeline.allocated, timeline.reserved
    return Downsampled(
        timeline.device,
        timeline.unit,
        timeline.times[starts],
        np.minimum.reduceat(a, starts),
        np.maximum.reduceat(a, starts),
        np.minimum.reduceat(r, starts),
        np.maximum.reduceat(r, starts),
        False,
    )


_SERIES = ("times", "allocated_min", "allocated_max", "reserved_min", "reserved_max")


def snapshot_state(snapshot: Snapshot, points: int = POINTS, top: int = TOP, frames: int = FRAMES) -> dict[str, Any]:
    """What the browser needs to draw a snapshot, small whatever the trace's length.

    Each device's timeline is downsampled to ``points`` buckets (min and max kept); its five series (``times``,
    ``allocated_min``, ``allocated_max``, ``reserved_min``, ``reserved_max``) are little-endian float64 ``bytes``
    (exact below 2**53 bytes or microseconds), never lists of numbers: ipywidgets and anywidget send ``bytes``
    found in a trait's value as binary buffers (a ``DataView`` in the browser). Everything else is plain JSON.
    ``alive`` holds the ``top`` largest allocations alive at the peak, each with at most ``frames`` frames (the
    user's first); ``alive_count`` and ``alive_bytes`` cover all of them. :func:`state_bytes` weighs the result.

    >>> state = snapshot_state(read_snapshot(synthetic_snapshot(3000)), points=64)
    >>> s = state["series"][0]
    >>> s["points"], len(s["allocated_max"]), state["alive_bytes"] == state["peak_allocated"]
    (64, 512, True)
    >>> state_bytes(state) < 100_000
    True
    """
    series = []
    for t in snapshot.timelines:
        d = t.downsample(points)
        entry: dict[str, Any] = {"device": t.device, "unit": t.unit, "events": t.events, "points": len(d.times)}
        entry["exact"] = d.exact
        for name in _SERIES:
            entry[name] = np.ascontiguousarray(getattr(d, name), dtype="<f8").tobytes()
        series.append(entry)
    peak_device = snapshot.peak_allocated_at.device
    return {
        "synthetic": snapshot.synthetic,
        "events": snapshot.events,
        "devices": list(snapshot.devices),
        "peak_allocated": snapshot.peak_allocated,
        "peak_allocated_at": _moment_json(snapshot.peak_allocated_at),
        "peak_reserved": snapshot.peak_reserved,
        "peak_reserved_at": _moment_json(snapshot.peak_reserved_at),
        "peak_device": None if peak_device is None else f"cuda:{peak_device}",
        "series": series,
        "alive": [_allocation_json(a, frames) for a in snapshot.at_peak[:top]],
        "alive_count": len(snapshot.at_peak),
        "alive_bytes": sum(a.size for a in snapshot.at_peak),
        "end": [
            {
                "device": e.device,
                "allocated": e.allocated,
                "reserved": e.reserved,
                "segments_allocated": e.segments_allocated,
                "segments_reserved": e.segments_reserved,
                "live": len(e.live),
                "before_trace": len(e.before_trace),
                "matches": e.matches,
                "complete": e.complete,
            }
            for e in snapshot.end
        ],
        "flags": [
            {
                "kind": f.kind,
                "level": f.level,
                "device": f.device,
                "count": f.count,
                "bytes": f.bytes,
                "event": f.event,
                "message": f.message,
            }
            for f in snapshot.flags
        ],
    }


def state_bytes(state: Any) -> int:
    """What a state weighs on the wire: its JSON with every ``bytes`` value taken out, plus those bytes.

    >>> state_bytes({"a": [1, 2], "b": b"1234"})
    28
    """
    buffers: list[int] = []

    def strip(v: Any) -> Any:
        if isinstance(v, (bytes, bytearray, memoryview)):
            buffers.append(len(v))
            return None
        if isinstance(v, dict):
            return {k: strip(x) for k, x in v.items()}
        if isinstance(v, (list, tuple)):
            return [strip(x) for x in v]
        return v

    return len(json.dumps(strip(state)).encode()) + sum(buffers)


def _moment_json(m: Moment) -> dict[str, Any]:
    return {"device": m.device, "event": m.event, "time": m.time}


def _allocation_json(a: Allocation, frames: int) -> dict[str, Any]:
    return {
        "address": a.address,
        "size": a.size,
        "stream": a.stream,
        "event": a.event,
        "time": a.time,
        "frames": [{"filename": f.filename, "line": f.line, "name": f.name, "kind": f.kind} for f in a.frames[:frames]],
        "frames_omitted": max(0, len(a.frames) - frames),
    }


# ---------------------------------------------------------------------------------------------------- synthetic


_MiB = 1 << 20
_SMALL_SEGMENT = 2 * _MiB  # allocations of at most 1 MiB share 2 MiB segments, as in torch's caching allocator
_LARGE_SEGMENT = 20 * _MiB
_SIDE_STREAM = 0x5EED0000  # a made-up stream handle


def _round_block(size: int) -> int:
    return max(512, -(-size // 512) * 512)


class _Simulator:
    """A toy caching allocator that writes a torch-shaped trace while a toy training loop runs on it."""

    def __init__(self, device: int, target: int, rng: random.Random) -> None:
        self.device, self.target, self.rng = device, target, rng
        self.events: list[dict[str, Any]] = []
        self.time = 1_700_000_000_000_000 + rng.randrange(1_000_000)
        self.next_address = 0x7F0000000000 + device * 0x10000000000
        self.segments: dict[int, list[Any]] = {}  # address -> [total, top, live count, stream, pool]
        self.open: dict[tuple[str, int], int] = {}  # (pool, stream) -> address of the segment being filled
        self.blocks: dict[int, list[Any]] = {}  # address -> [segment, block size, requested, stack, state, stream]
        self.stacks = _synthetic_stacks()

    @property
    def full(self) -> bool:
        return len(self.events) >= self.target

    def _emit(self, action: str, addr: int, size: int, stream: int, frames: list[Any]) -> None:
        self.time += self.rng.randint(1, 40)
        self.events.append(
            {
                "action": action,
                "addr": addr,
                "size": size,
                "stream": stream,
                "time_us": self.time,
                "compile_context": "N/A",
                "user_metadata": "",
                "frames": frames,
            }
        )

    def alloc(self, requested: int, stack: str, stream: int = 0) -> int | None:
        """Allocate; returns the address, or None when the event budget ran out first."""
        size = _round_block(requested)
        pool = "small" if size <= _MiB else "large"
        frames = self.stacks[stack]
        seg_addr = self.open.get((pool, stream))
        seg = self.segments.get(seg_addr) if seg_addr is not None else None
        if seg is None or seg[1] + size > seg[0]:
            seg_addr = self._empty_segment(pool, stream, size)
            if seg_addr is None:
                if self.full:
                    return None
                total = (
                    _SMALL_SEGMENT
                    if pool == "small"
                    else (_LARGE_SEGMENT if size <= _LARGE_SEGMENT // 2 else -(-size // (2 * _MiB)) * 2 * _MiB)
                )
                seg_addr = self.next_address
                self.next_address += total
                self.segments[seg_addr] = [total, 0, 0, stream, pool]
                self._emit("segment_alloc", seg_addr, total, stream, frames)
            self.open[(pool, stream)] = seg_addr
            seg = self.segments[seg_addr]
        if self.full:
            return None
        addr = seg_addr + seg[1]
        seg[1] += size
        seg[2] += 1
        self.blocks[addr] = [seg_addr, size, requested, frames, "active_allocated", stream]
        self._emit("alloc", addr, requested, stream, frames)
        return addr

    def _empty_segment(self, pool: str, stream: int, size: int) -> int | None:
        fits = [a for a, s in self.segments.items() if s[2] == 0 and s[4] == pool and s[3] == stream and s[0] >= size]
        if not fits:
            return None
        best = min(fits, key=lambda a: self.segments[a][0])
        self.segments[best][1] = 0
        return best

    def free(self, addr: int) -> None:
        if self.full:
            return
        block = self.blocks[addr]
        self._emit("free_requested", addr, block[2], block[5], block[3])
        block[4] = "active_awaiting_free"
        if self.full:
            return
        self._emit("free_completed", addr, block[2], block[5], [])
        del self.blocks[addr]
        seg = self.segments[block[0]]
        seg[2] -= 1
        if seg[2] == 0:
            seg[1] = 0  # an empty segment is filled again from its start

    def empty_cache(self) -> None:
        for addr in [a for a, s in self.segments.items() if s[2] == 0]:
            if self.full:
                return
            total, _, _, stream, _pool = self.segments.pop(addr)
            self.open = {k: v for k, v in self.open.items() if v != addr}
            self._emit("segment_free", addr, total, stream, [])

    def run(self) -> None:
        rng = self.rng
        params = [
            self.alloc(rng.choice((768, 3072, 4096)) * rng.choice((768, 3072, 1024)) * 4, "param") for _ in range(24)
        ]
        del params  # weights stay allocated for the whole run
        grads: list[int] = []
        while not self.full:
            batch = rng.choice((8, 16, 24, 32))
            saved: list[list[int | None]] = []
            for layer in range(rng.randint(6, 16)):
                kept = [
                    self.alloc(batch * rng.randint(1, 64) * 4096, f"forward{layer % 3}")
                    for _ in range(rng.randint(2, 4))
                ]
                saved.append(kept)
                for _ in range(rng.randint(1, 3)):
                    side = _SIDE_STREAM if rng.random() < 0.1 else 0
                    tmp = self.alloc(rng.randint(1, 200_000) * 4, "temporary", side)
                    if tmp is not None:
                        self.free(tmp)
                if self.full:
                    return
            loss = self.alloc(4, "loss")
            for kept in reversed(saved):
                grad = self.alloc(batch * rng.randint(1, 64) * 4096, "backward")
                for addr in kept:
                    if addr is not None:
                        self.free(addr)
                if grad is not None:
                    self.free(grad)
                if len(grads) < 24 and rng.random() < 0.5:
                    g = self.alloc(rng.randint(1, 2048) * 4096, "grad")
                    if g is not None:
                        grads.append(g)
                if self.full:
                    return
            if loss is not None:
                self.free(loss)
            if rng.random() < 0.1:
                self.empty_cache()

    def segments_now(self) -> list[dict[str, Any]]:
        by_segment: dict[int, list[int]] = {}
        for addr, block in self.blocks.items():
            by_segment.setdefault(block[0], []).append(addr)
        out = []
        for seg_addr, (total, _top, _live, stream, pool) in sorted(self.segments.items()):
            blocks: list[dict[str, Any]] = []
            at = seg_addr
            allocated = requested = active = 0
            for addr in sorted(by_segment.get(seg_addr, [])):
                _, size, req, frames, state, _stream = self.blocks[addr]
                if addr > at:
                    blocks.append(
                        {"address": at, "size": addr - at, "requested_size": 0, "state": "inactive", "frames": []}
                    )
                blocks.append({"address": addr, "size": size, "requested_size": req, "state": state, "frames": frames})
                active += size
                if state == "active_allocated":
                    allocated += size
                    requested += req
                at = addr + size
            if at < seg_addr + total:
                blocks.append(
                    {
                        "address": at,
                        "size": seg_addr + total - at,
                        "requested_size": 0,
                        "state": "inactive",
                        "frames": [],
                    }
                )
            out.append(
                {
                    "device": self.device,
                    "address": seg_addr,
                    "total_size": total,
                    "allocated_size": allocated,
                    "active_size": active,
                    "requested_size": requested,
                    "stream": stream,
                    "segment_type": pool,
                    "segment_pool_id": (0, 0),
                    "is_expandable": False,
                    "frames": [],
                    "blocks": blocks,
                }
            )
        return out


def _synthetic_stacks() -> dict[str, list[dict[str, Any]]]:
    """Made-up stacks, innermost first as torch records them; frame dicts are shared, as torch shares them."""

    def frame(filename: str, line: int, name: str) -> dict[str, Any]:
        return {"name": name, "filename": filename, "line": line}

    site = "/opt/env/lib/python3.11/site-packages/torch"
    call = [
        frame(f"{site}/nn/modules/module.py", 1784, "_call_impl"),
        frame(f"{site}/nn/modules/module.py", 1773, "_wrapped_call_impl"),
    ]
    main = [frame("/home/ada/project/train.py", 88, "<module>"), frame("<frozen runpy>", 88, "_run_code")]
    step = frame("/home/ada/project/train.py", 52, "train_step")
    stacks = {
        "param": [
            frame(f"{site}/nn/modules/linear.py", 106, "__init__"),
            frame("/home/ada/project/model.py", 31, "__init__"),
            *main,
        ],
        "loss": [frame(f"{site}/nn/functional.py", 3494, "cross_entropy"), step, *main],
        "temporary": [
            frame(f"{site}/nn/functional.py", 1712, "softmax"),
            frame("/home/ada/project/model.py", 47, "attention"),
            *call,
            step,
            *main,
        ],
        "backward": [
            frame(f"{site}/autograd/graph.py", 829, "_engine_run_backward"),
            frame(f"{site}/_tensor.py", 626, "backward"),
            step,
            *main,
        ],
        "grad": [
            frame(f"{site}/autograd/graph.py", 829, "_engine_run_backward"),
            frame(f"{site}/_tensor.py", 626, "backward"),
            step,
            *main,
        ],
    }
    for k, line in enumerate((58, 63, 71)):
        stacks[f"forward{k}"] = [
            frame(f"{site}/nn/modules/linear.py", 125, "forward"),
            *call,
            frame("/home/ada/project/model.py", line, "forward"),
            *call,
            step,
            *main,
        ]
    return stacks


def synthetic_snapshot(events: int, seed: int = 0, *, devices: int = 1) -> dict[str, Any]:
    """A SYNTHETIC memory snapshot, made up by a seeded random process (not recorded on a GPU), for tests and demos.

    It has the shape of ``torch.cuda.memory._snapshot()`` in torch 2.13: ``segments`` (with their blocks) and
    ``device_traces`` of exactly ``events`` events in all (``alloc``, ``free_requested``/``free_completed`` pairs,
    ``segment_alloc``, ``segment_free``, with ``time_us`` and stacks of frame dicts), made by a toy caching allocator
    under a toy training loop (weights, activations kept for backward, temporaries, gradients); the trace starts
    from an empty allocator, so it alone rebuilds the final blocks. The dict says ``"synthetic": True``. The same
    ``events``, ``seed`` and ``devices`` give the same snapshot.

    >>> s = synthetic_snapshot(1000, seed=3)
    >>> s["synthetic"], len(s["device_traces"][0]), s["device_traces"][0][0]["action"]
    (True, 1000, 'segment_alloc')
    """
    if not (isinstance(events, int) and not isinstance(events, bool)) or events < 0:
        raise ValueError(f"events must be a non-negative integer (trace events in all), got {events!r}")
    if not (isinstance(devices, int) and not isinstance(devices, bool)) or not 1 <= devices <= 64:
        raise ValueError(f"devices must be an integer from 1 to 64 (GPUs in one snapshot), got {devices!r}")
    traces, segments = [], []
    for device in range(devices):
        share = events // devices + (1 if device < events % devices else 0)
        sim = _Simulator(device, share, random.Random(f"{seed}:{device}"))
        if share:
            sim.run()
        traces.append(sim.events)
        segments.extend(sim.segments_now())
    return {
        "segments": segments,
        "device_traces": traces,
        "allocator_settings": {"PYTORCH_CUDA_ALLOC_CONF": "", "expandable_segments": False, "max_split_size": -1},
        "external_annotations": [],
        "synthetic": True,
    }
