"""TensorView: the anywidget that shows one tensor. Traits and message routing only."""

from __future__ import annotations

import atexit
import pathlib
import threading
import time
import weakref
from collections.abc import Sequence
from typing import Any

import anywidget
import torch
import traitlets

from .. import exports_client, protocol
from ..adapt import as_tensor
from ..info import SAMPLE_THRESHOLD, inspect
from ..memory_sources import register_holder, unregister_holder
from ..nonfinite import (
    Known,
    NonFinite,
    ScanStopped,
    can_hold_nonfinite,
    find_nonfinite,
    mapped_file,
    mark_face,
    next_nonfinite,
)
from ..slicing import READ_LIMIT, Face, cut_face

_STATIC = pathlib.Path(__file__).parent.parent / "static"
_ESM = _STATIC / "tensor_view.js"
_CSS = _STATIC / "tensor_view.css"

Dims = str | Sequence[str | None] | None

# Tensors up to this many elements are scanned for NaN/inf at once; larger ones in a background thread.
SCAN_INLINE = SAMPLE_THRESHOLD
# Non-finite elements remembered per view (to step through them and to mark them on sampled faces).
KNOWN_LIMIT = 4096
# How many of them the frontend is told about up front (the header lists the first few).
FIRST_SENT = 100


def _bundle(path: pathlib.Path) -> str:
    """The bundle's text. Given as a path, anywidget would watch the file for changes with a callback holding each
    widget, so that no widget (nor its tensor) could ever be garbage-collected."""
    if path.exists():
        return path.read_text(encoding="utf-8")
    # A source checkout without the JS build: fail loudly in the notebook rather than render nothing.
    message = f"tensorviz: {path.name} is missing; build the frontend with `npm run build` in js/"
    return f"export default {{ render({{ el }}) {{ el.textContent = {message!r}; }} }};"


class TensorView(anywidget.AnyWidget):
    """An interactive picture of a tensor whose values stay in the kernel.

    Only the faces the browser asks for leave the tensor's device, block-reduced to the pixel budget.
    """

    _esm = _bundle(_ESM)
    _css = _bundle(_CSS) if _CSS.exists() else ""

    info = traitlets.Dict().tag(sync=True)
    dims = traitlets.List(traitlets.Unicode()).tag(sync=True)
    face_axes = traitlets.List(traitlets.Int()).tag(sync=True)
    index = traitlets.List(traitlets.Int()).tag(sync=True)
    complex_part = traitlets.Enum(("magnitude", "phase"), default_value="magnitude").tag(sync=True)
    revision = traitlets.Int(0).tag(sync=True)
    error = traitlets.Unicode("").tag(sync=True)
    # Exact NaN/+inf/-inf counts over the whole tensor and the first ones; "state" says how far along:
    # "checking" (scanning in the background), "done", "skipped" (memory-mapped: scanned when asked),
    # "none" (values that cannot be NaN), "n/a" (no values), "error".
    nonfinite = traitlets.Dict().tag(sync=True)

    def __init__(self, x: Any, dims: Dims = None, **kwargs: Any) -> None:
        tensor = as_tensor(x)
        info = inspect(tensor)
        names = parse_dims(dims, info.shape)
        rank = info.rank
        super().__init__(
            info=info.to_json(),
            dims=names,
            face_axes=list(range(max(0, rank - 2), rank)),
            index=[0] * rank,
            **kwargs,
        )
        self._tensor: torch.Tensor | None = tensor
        self._version = _version_of(tensor)
        self._scan_lock = threading.Lock()
        self._scan_generation = 0
        self._known: Known | None = None
        try:
            self.on_msg(self._on_message)
            self._start_scan()
            _watch(self)
            register_holder(self, "a tensorviz view (close it to release)", _held_tensor)
        except BaseException:
            self.close()  # a view that failed to start leaves nothing open behind it (nor its tensor)
            raise

    @property
    def tensor(self) -> torch.Tensor | None:
        """The tensor shown (the very object, not a copy); None once the view is closed."""
        return self._tensor

    def _live(self) -> torch.Tensor:
        if self._tensor is None:
            raise RuntimeError("this view is closed: its tensor was released (show the tensor again with tv.show)")
        return self._tensor

    def close(self) -> None:
        """Close the view and let go of its tensor: a closed view keeps nothing alive."""
        self.unwatch()
        lock = getattr(self, "_scan_lock", None)  # a view whose constructor failed has none
        if lock is not None:
            with lock:
                self._scan_generation += 1  # a background count stops at its next chunk
        self._tensor = None
        self._known = None
        _LIVE.discard(self)
        unregister_holder(self)
        _close_layout(self)
        super().close()

    def refresh(self) -> None:
        """Re-read the tensor: new statistics, and the frontend re-fetches what it shows.

        An in-place op may have changed the shape (``t_()``, ``squeeze_()``, ``resize_()``...): the slider
        indices are then kept within the new sizes, and a new rank starts over from the default face with the
        axis names dropped (they named the old axes).
        """
        tensor = self._live()
        self._version = _version_of(tensor)
        info = inspect(tensor).to_json()
        old = list(self.info.get("shape", ()))
        new = list(info["shape"])
        with self.hold_sync():  # one message: the frontend never sees a shape with the old index
            self.info = info
            if new != old:
                rank = len(new)
                if rank != len(old):
                    self.dims = [""] * rank
                    self.face_axes = list(range(max(0, rank - 2), rank))
                    self.index = [0] * rank
                else:
                    self.index = [min(i, n - 1) if n else 0 for i, n in zip(self.index, new, strict=True)]
            self.revision += 1
        self._start_scan(force=self.nonfinite.get("state") != "skipped")

    # -- live refresh (any host: marimo and plain Python have no post_run_cell) ------------------------

    def watch(self, interval: float = 0.5) -> TensorView:
        """Refresh by itself whenever the tensor is modified in place; checked every ``interval`` seconds.

        In Jupyter a view already refreshes after each cell. ``watch`` is for hosts without IPython (marimo,
        where a cell or a UI callback may edit the tensor) and for edits made while a cell still runs or by
        another thread. A light background thread compares the tensor's version counter (every in-place op
        moves it) and calls :meth:`refresh` when it moved. It holds the view weakly and stops on
        :meth:`unwatch`, on :meth:`close` or when the view is garbage-collected. Calling ``watch`` again
        changes the interval. Returns the view, so ``tv.show(t).watch()`` works as a cell's last line.
        """
        period = _check_interval(interval)
        self._live()  # a closed view has nothing to watch
        self.unwatch()
        stop = threading.Event()
        worker = threading.Thread(
            target=_watch_versions, args=(weakref.ref(self), stop, period), name="tensorviz-watch", daemon=True
        )
        self._watcher: tuple[threading.Thread, threading.Event] | None = (worker, stop)
        _WATCHERS[worker] = stop
        worker.start()
        return self

    def unwatch(self) -> None:
        """Stop refreshing by itself (see :meth:`watch`); a view that does not watch is left as it is."""
        watcher = getattr(self, "_watcher", None)
        if watcher is None:
            return
        self._watcher = None
        worker, stop = watcher
        stop.set()
        if worker is not threading.current_thread():
            worker.join(timeout=1.0)

    @property
    def watching(self) -> bool:
        """Whether the view refreshes by itself after in-place edits (see :meth:`watch`)."""
        watcher = getattr(self, "_watcher", None)
        return watcher is not None and watcher[0].is_alive()

    def find_nonfinite(self, limit: int = 100) -> NonFinite:
        """Exact NaN, +inf and -inf counts over the whole tensor and the first ``limit`` indices (row-major).

        Scans now (also a memory-mapped tensor the view left unscanned) and updates the view's header.
        """
        if not (isinstance(limit, int) and not isinstance(limit, bool)) or limit < 0:
            raise ValueError(f"limit must be a non-negative integer, got {limit!r}")
        with self._scan_lock:
            self._scan_generation += 1
            generation = self._scan_generation
        found = find_nonfinite(self._live(), limit=max(limit, KNOWN_LIMIT))
        self._finish_scan(generation, found, 0.0)
        return NonFinite(found.nan, found.posinf, found.neginf, found.indices[:limit], found.kinds[:limit])

    def save_html(self, path: str | pathlib.Path, budget_bytes: int | None = None) -> pathlib.Path:
        """Write this view as one self-contained HTML file that works offline (no kernel, no network).

        It holds the tensor's values when the file stays within ``budget_bytes`` (default 8 MB), else a block-reduced
        copy (see :mod:`tensorviz.export`); the file says which. Returns the path written.
        """
        from ..export import BUDGET, save_html

        return save_html(self, path, BUDGET if budget_bytes is None else budget_bytes)

    def _export_payload(self, budget_bytes: int) -> dict[str, Any]:
        from ..export import tensor_view_payload

        if self.nonfinite.get("state") == "checking":
            self.find_nonfinite()  # the file lists where they are: count now rather than export "checking…"
        names = ("info", "dims", "face_axes", "index", "complex_part", "revision", "error", "nonfinite")
        state = {name: getattr(self, name) for name in names}
        return tensor_view_payload(self._live(), state, known=self._known, budget_bytes=budget_bytes)

    # -- NaN and infinities -----------------------------------------------------------------------

    def _start_scan(self, force: bool = False) -> None:
        """Count NaN/inf over the whole tensor: at once when small, in a background thread when big."""
        t = self._live()
        with self._scan_lock:
            self._scan_generation += 1
            generation = self._scan_generation
        self._known = None
        if not self.info.get("values"):
            self.nonfinite = {"state": "n/a", "reason": self.info.get("values_note") or "no values"}
            return
        if not can_hold_nonfinite(t):
            self.nonfinite = {"state": "none", "reason": f"{self.info['dtype']} values are never NaN or infinite"}
            return
        path = mapped_file(t)
        if path and not force:
            self.nonfinite = {
                "state": "skipped",
                "reason": "memory-mapped from a file: counting NaN/inf reads all of it from disk",
                "file": path,
            }
            return
        if t.numel() <= SCAN_INLINE or t.layout != torch.strided:
            started = time.perf_counter()
            self._finish_scan(generation, find_nonfinite(t, limit=KNOWN_LIMIT), started)
            return
        self.nonfinite = {"state": "checking", "elements": t.numel()}
        worker = threading.Thread(target=self._scan_in_background, args=(generation,), daemon=True)
        worker.name = "tensorviz-nonfinite-scan"
        _start_scan_thread(worker)

    def _scan_in_background(self, generation: int) -> None:
        started = time.perf_counter()

        def stale() -> bool:  # a newer scan replaced this one, or the interpreter is exiting
            return generation != self._scan_generation or _EXITING.is_set()

        try:
            found = find_nonfinite(self._live(), limit=KNOWN_LIMIT, stop=stale)
            self._finish_scan(generation, found, started)
        except ScanStopped:
            return
        except Exception as err:  # the view must say so, never hang in "checking"
            with self._scan_lock:
                if generation == self._scan_generation:
                    self.nonfinite = {"state": "error", "reason": f"{type(err).__name__}: {err}"}
        finally:
            _SCANS.discard(threading.current_thread())

    def _finish_scan(self, generation: int, found: NonFinite, started: float) -> None:
        with self._scan_lock:
            if generation != self._scan_generation:
                return  # a newer scan (after an in-place edit) is on its way
            self._known = Known(found, tuple(self._live().shape))
            state: dict[str, Any] = {
                "state": "done",
                "elements": self._live().numel(),
                "seconds": round(time.perf_counter() - started, 4) if started else None,
            }
            state |= found.to_json()
            state["first"] = state["first"][:FIRST_SENT]
            state["kinds"] = state["kinds"][:FIRST_SENT]
            self.nonfinite = state
        if found.total and self._live().numel() > READ_LIMIT:
            # faces reduced from a sample of rows may have missed them: the frontend fetches them again
            self.revision += 1

    @traitlets.validate("face_axes")
    def _check_face_axes(self, proposal: dict[str, Any]) -> list[int]:
        axes = list(proposal["value"])
        rank = len(self.info.get("shape", ()))
        want = min(rank, 2)
        if len(axes) != want or len(set(axes)) != want or not all(0 <= a < rank for a in axes):
            raise traitlets.TraitError(
                f"face_axes must be {want} distinct axes in 0..{rank - 1} for a rank-{rank} tensor; got {axes}"
            )
        return axes

    @traitlets.validate("index")
    def _check_index(self, proposal: dict[str, Any]) -> list[int]:
        index = list(proposal["value"])
        shape = self.info.get("shape", ())
        if len(index) != len(shape):
            raise traitlets.TraitError(f"index needs one entry per axis ({len(shape)}); got {index}")
        for axis, (i, size) in enumerate(zip(index, shape, strict=True)):
            if size and not 0 <= i < size:
                raise traitlets.TraitError(f"index {i} is out of range for axis {axis} of size {size}")
        return index

    # -- files of the picture, drawn by a displayed view ----------------------------------------------------

    def save_png(
        self, path: str | pathlib.Path, scale: float = 2.0, timeout: float | None = None
    ) -> exports_client.ExportJob:
        """Save the picture as the view shows it (cells, outlines, axis labels) as a PNG at ``scale``× (2: slides).

        The browser draws it: a displayed view is asked for the file, and the file is written when its answer
        reaches the kernel, which is after the calling cell has finished (a cell cannot wait for it: the answer comes
        through the loop the cell is holding up). Returns an :class:`~tensorviz.exports_client.ExportJob` at once:
        ``job.done()``, ``job.result()`` in a later cell; shown as a cell's result it says when the file is saved.
        Raises :class:`~tensorviz.exports_client.ExportError` at once when no view is displayed to answer.
        """
        scale = exports_client.check_number("scale", scale, 0.5, 4)
        return exports_client.request(self, "png", path, {"scale": scale}, timeout, "save_png")

    def save_svg(self, path: str | pathlib.Path, timeout: float | None = None) -> exports_client.ExportJob:
        """Save the picture as an SVG drawing: cells as rects, outlines as paths, labels and ticks as text (a face of
        more than 16,384 cells as one embedded PNG image). Asynchronous like :meth:`save_png`."""
        return exports_client.request(self, "svg", path, {}, timeout, "save_svg")

    def _on_message(self, _widget: Any, content: Any, _buffers: Any) -> None:
        if exports_client.route(self, content, _buffers):
            return  # a view's answer to save_png/save_svg, or a view saying it is there
        rid = protocol.request_id(content)
        try:
            kind = content.get("kind") if isinstance(content, dict) else None
            if kind not in protocol.KINDS:
                raise protocol.ProtocolError(
                    f"unknown message kind {kind!r:.40}; the kernel answers {', '.join(map(repr, protocol.KINDS))}"
                )
            if rid is None:
                raise protocol.ProtocolError(protocol.id_problem(content))
            if kind == protocol.NONFINITE:
                self.send(self._next_nonfinite(rid, protocol.parse_after(content, tuple(self.info["shape"]))))
                return
            if kind == protocol.SCAN:
                self._start_scan(force=True)
                self.send({"kind": protocol.SCAN, "id": rid, "state": self.nonfinite.get("state")})
                return
            request = protocol.parse_faces(content, tuple(self.info["shape"]))
            faces = [self._cut(face, request.budget) for face in request.faces]
        except protocol.ProtocolError as err:
            self.send({"kind": protocol.ERROR, "id": rid, "message": str(err)})
            return
        except Exception as err:  # the widget must survive whatever torch raises
            self.send({"kind": protocol.ERROR, "id": rid, "message": f"{type(err).__name__}: {err}"})
            return
        self.send(
            {"kind": protocol.FACES, "id": request.id, "revision": self.revision, "faces": [m for _, m in faces]},
            buffers=[f.buffer() for f, _ in faces],
        )

    def _cut(self, face: protocol.FaceRequest, budget: tuple[int, int]) -> tuple[Face, dict[str, Any]]:
        """The face and its JSON description; a face read from a sample of rows says what it may miss."""
        try:
            cut = cut_face(self._live(), face, budget)
        except Exception as err:  # one bad face must not sink the others
            extent = protocol.face_extent(face.axes, tuple(self._live().shape))
            cut = Face.refused(face, extent, f"{type(err).__name__}: {err}")
        meta = cut.meta()
        if cut.data is None or cut.sample == (1, 1):
            return cut, meta
        state = self.nonfinite.get("state")
        known = self._known
        if known is not None and known.found.total:
            meta["unread_nonfinite"] = mark_face(
                cut.data, known, cut.axes, cut.index, cut.window, cut.step, cut.sample, cut.shape
            )
            # beyond the elements remembered, the rows not read may hold more than are marked
            meta["nonfinite_unknown"] = not known.complete
        elif state in ("checking", "skipped", "error"):
            meta["nonfinite_unknown"] = True
        return cut, meta

    def _next_nonfinite(self, rid: str, after: tuple[int, ...] | None) -> dict[str, Any]:
        """The next NaN/inf after ``after`` in row-major order, wrapping around to the first."""
        known = self._known
        total = known.found.total if known is not None else None

        def find(start: tuple[int, ...] | None) -> tuple[tuple[int, ...], str] | None:
            hit = known.after(start) if known is not None else False
            if isinstance(hit, bool):  # the remembered ones run out (or none are): the tensor tells
                return next_nonfinite(self._live(), start)
            return hit

        hit, wrapped = find(after), False
        if hit is None and after is not None:
            hit, wrapped = find(None), True
        index, value = hit if hit is not None else (None, None)
        ordinal = known.ordinal(index) if known is not None and index is not None else None
        return {
            "kind": protocol.NONFINITE,
            "id": rid,
            "index": list(index) if index is not None else None,
            "value": value,
            "ordinal": ordinal,
            "total": total,
            "wrapped": wrapped,
        }


def _held_tensor(view: TensorView) -> torch.Tensor | None:
    return view._tensor


def parse_dims(dims: Dims, shape: Sequence[int]) -> list[str]:
    """Axis names from ``"N C H W"`` or a sequence; ``""`` for unnamed axes.

    >>> parse_dims("N C H W", (1, 3, 8, 8))
    ['N', 'C', 'H', 'W']
    """
    rank = len(shape)
    if dims is None:
        return [""] * rank
    if isinstance(dims, str):
        names: list[Any] = dims.replace(",", " ").split()
    elif isinstance(dims, Sequence):
        names = list(dims)
    else:
        raise TypeError(f"dims must be a string like 'N C H W' or a sequence of names; got {type(dims).__name__}")
    if len(names) != rank:
        raise ValueError(
            f"dims names {len(names)} axes ({names}), but the tensor of shape {list(shape)} has {rank}: "
            f"give exactly {rank} name{'s' if rank != 1 else ''}"
        )
    for name in names:
        if name is not None and not isinstance(name, str):
            raise TypeError(f"each axis name must be a string or None; got {name!r} ({type(name).__name__})")
    return [name or "" for name in names]


def _version_of(t: torch.Tensor) -> int | None:
    try:
        return int(t._version)
    except (AttributeError, RuntimeError):
        return None


# Background scans still running. At interpreter exit they are told to stop and joined: a daemon thread still inside
# torch while the interpreter tears down aborts the process.
_SCANS: set[threading.Thread] = set()
_EXITING = threading.Event()


def _start_scan_thread(worker: threading.Thread) -> None:
    _SCANS.add(worker)
    worker.start()


@atexit.register
def _stop_scans() -> None:
    _EXITING.set()
    for worker in list(_SCANS):
        worker.join(timeout=10)


# Views whose tensors are checked for in-place edits after every notebook cell.
_LIVE: weakref.WeakSet[TensorView] = weakref.WeakSet()
_hooked = False


def _watch(view: TensorView) -> None:
    global _hooked
    _LIVE.add(view)
    if _hooked:
        return
    try:
        from IPython import get_ipython
    except ImportError:  # pragma: no cover - IPython comes with ipywidgets
        return
    shell = get_ipython()
    if shell is not None:
        shell.events.register("post_run_cell", _refresh_changed)
        _hooked = True


def _refresh_changed(*_: Any) -> None:
    """After a cell: refresh every view whose tensor was modified in place (version counter moved)."""
    for view in list(_LIVE):
        t = view.tensor
        if t is not None and _version_of(t) != view._version:
            view.refresh()


# -- live refresh -------------------------------------------------------------------------------------------

# The shortest interval a watcher checks at: a refresh costs a statistics pass and a face fetch, and streaming
# faster than this only floods the frontend.
MIN_WATCH_INTERVAL = 0.05
MAX_WATCH_INTERVAL = 3600.0  # longer waits overflow the thread's timer

# Running watchers and their stop events (told to stop and joined at interpreter exit, like the scans).
_WATCHERS: dict[threading.Thread, threading.Event] = {}


def _close_layout(widget: Any) -> None:
    """Close the ``Layout`` widget ipywidgets made for a DOM widget: closing the widget alone leaves it open."""
    layout = widget.__dict__.get("_trait_values", {}).get("layout")
    if layout is not None:
        layout.close()


def _check_interval(interval: Any) -> float:
    number = isinstance(interval, (int, float)) and not isinstance(interval, bool)
    if not number or not MIN_WATCH_INTERVAL <= interval <= MAX_WATCH_INTERVAL:
        raise ValueError(
            f"interval must be a number of seconds from {MIN_WATCH_INTERVAL} to {MAX_WATCH_INTERVAL:g} (e.g. 0.5); "
            f"got {interval!r}"
        )
    return float(interval)


def _refresh_if_changed(ref: weakref.ref[TensorView]) -> bool:
    """One check of a watched view: refresh it when its tensor moved on. False when there is nothing left to watch.

    A function of its own, so that no strong reference to the view outlives the check.
    """
    view = ref()
    if view is None:
        return False
    t = view.tensor
    if t is None:  # closed
        return False
    if _version_of(t) != view._version:
        try:
            view.refresh()
        except Exception:  # e.g. closed between the check and the refresh; the next check tells
            pass
    return True


def _watch_versions(ref: weakref.ref[TensorView], stop: threading.Event, interval: float) -> None:
    try:
        while not stop.wait(interval):
            if _EXITING.is_set() or not _refresh_if_changed(ref):
                return
    finally:
        _WATCHERS.pop(threading.current_thread(), None)


@atexit.register
def _stop_watchers() -> None:
    for worker, stop in list(_WATCHERS.items()):
        stop.set()
        worker.join(timeout=10)
