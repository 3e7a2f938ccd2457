"""MemoryMonitor: the anywidget that shows device memory live (or a replayed allocator snapshot). Traits, the
polling thread and message routing only; the figures come from :mod:`tensorviz.memory_sources` and :mod:`tensorviz.snapshot`.
"""

from __future__ import annotations

import os
import pathlib
import threading
import time
import weakref
from typing import Any

import anywidget
import traitlets

from .. import exports_client, protocol
from ..memory_sources import census, cuda_state, device_memory, reset_peak
from .tensor_view import _bundle, _close_layout

_STATIC = pathlib.Path(__file__).parent.parent / "static"
_ESM = _STATIC / "memory_monitor.js"
_CSS = _STATIC / "tensor_view.css"

SERIES_POINTS = 600  # samples kept for the timeline (about 5 minutes at 0.5 s)
CENSUS_EVERY = 10  # polls between two censuses (a census costs more than a poll)
CENSUS_ROWS = 20
MIN_INTERVAL = 0.1
MAX_INTERVAL = 3600.0


def _check_interval(interval: Any) -> float:
    """The polling interval in seconds, or a clear error (a NaN or 0 would poll without pause; inf kills the thread)."""
    if not isinstance(interval, (int, float)) or isinstance(interval, bool):
        raise TypeError(
            f"interval must be a number of seconds from {MIN_INTERVAL} to {MAX_INTERVAL:g}; got {interval!r} "
            f"({type(interval).__name__})"
        )
    if not MIN_INTERVAL <= interval <= MAX_INTERVAL:  # also false for NaN
        raise ValueError(f"interval must be a number of seconds from {MIN_INTERVAL} to {MAX_INTERVAL:g}; got {interval!r}")
    return float(interval)


class MemoryMonitor(anywidget.AnyWidget):
    """Live memory per device, a timeline, and the largest live tensors by name; or a replayed snapshot.

    Polls in a background thread every ``interval`` seconds until closed (or garbage-collected). Never initializes
    CUDA. ``figure`` is a plotly ``FigureWidget`` of the same timeline when plotly is installed (shown under the
    monitor in Jupyter).
    """

    _esm = _bundle(_ESM)
    _css = _bundle(_CSS) if _CSS.exists() else ""

    cuda = traitlets.Unicode("").tag(sync=True)
    devices = traitlets.List(traitlets.Dict()).tag(sync=True)
    series = traitlets.Dict().tag(sync=True)
    census = traitlets.Dict().tag(sync=True)
    replay = traitlets.Dict().tag(sync=True)
    paused = traitlets.Bool(False).tag(sync=True)
    interval = traitlets.Float(0.5).tag(sync=True)

    def __init__(self, interval: float = 0.5, replay: Any = None, **kwargs: Any) -> None:
        super().__init__(interval=_check_interval(interval), **kwargs)
        self._lock = threading.Lock()
        self._t0 = time.monotonic()
        self._samples: list[tuple[float, dict[str, tuple[int | None, int | None]]]] = []
        self._polls = 0
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self.figure = _figure()
        self.on_msg(self._on_message)
        if replay is not None:
            self._show_replay(replay)
            return
        self.poll(census_too=True)
        self._start()

    @traitlets.validate("interval")
    def _valid_interval(self, proposal: Any) -> float:
        try:
            return _check_interval(proposal["value"])
        except (TypeError, ValueError) as err:
            raise traitlets.TraitError(str(err)) from None

    # -- public ------------------------------------------------------------------------------------------------

    def poll(self, census_too: bool = False) -> None:
        """Read the figures now (the thread does this every ``interval`` seconds)."""
        devices = device_memory()
        now = round(time.monotonic() - self._t0, 3)
        with self._lock:
            self._samples.append((now, {d.device: (d.allocated, d.reserved) for d in devices}))
            del self._samples[:-SERIES_POINTS]
            samples = list(self._samples)
        self.cuda = cuda_state()
        self.devices = [d.to_json() for d in devices]
        self.series = _series_json(samples)
        if census_too:
            self.refresh_census()
        _update_figure(self.figure, self.series)

    def refresh_census(self) -> None:
        """Look for the live tensors again (names from the user's namespace)."""
        self.census = census(limit=CENSUS_ROWS).to_json()

    def reset_peak(self) -> bool:
        """Reset the peak to what is allocated now (CUDA devices that are initialized); returns whether it did."""
        done = reset_peak()
        self.poll()
        return done

    def save_html(self, path: str | pathlib.Path) -> pathlib.Path:
        """Write the monitor's figures as they are now as one self-contained HTML file (a static picture: its buttons
        need the kernel). Returns the path written."""
        from ..export import BUDGET, save_html

        return save_html(self, path, BUDGET)

    def _export_payload(self, budget_bytes: int) -> dict[str, Any]:
        from ..export import memory_monitor_payload

        names = ("cuda", "devices", "series", "census", "replay", "paused", "interval")
        return memory_monitor_payload({name: getattr(self, name) for name in names})

    def pause(self) -> None:
        self.paused = True

    def resume(self) -> None:
        self.paused = False

    def close(self) -> None:
        """Stop polling and close the widget."""
        self._stop.set()
        figure = getattr(self, "figure", None)
        if figure is not None:
            _close_layout(figure)
            figure.close()
        _close_layout(self)
        super().close()

    def _ipython_display_(self, **kwargs: Any) -> None:
        from IPython.display import display

        bundle = self._repr_mimebundle_(**kwargs)
        data, meta = bundle if isinstance(bundle, tuple) else (bundle, {})
        display(data, metadata=meta, raw=True)
        if self.figure is not None and not self.replay:
            display(self.figure)

    # -- the polling thread -------------------------------------------------------------------------------------

    def _start(self) -> None:
        ref = weakref.ref(self)  # the thread must not keep the monitor alive
        stop = self._stop

        def run() -> None:
            while not stop.is_set():
                me = ref()
                if me is None:
                    return
                wait = min(max(me.interval, MIN_INTERVAL), MAX_INTERVAL)  # validated; kept in range all the same
                if not me.paused:
                    me._polls += 1
                    try:
                        me.poll(census_too=me._polls % CENSUS_EVERY == 0)
                    except Exception:  # a failed poll must not end the monitor
                        pass
                del me
                stop.wait(wait)

        self._thread = threading.Thread(target=run, name="tensorviz-memory-poll", daemon=True)
        self._thread.start()
        _MONITORS.add(self)

    def __del__(self) -> None:
        try:
            self._stop.set()
        except AttributeError:
            pass

    # -- messages -----------------------------------------------------------------------------------------------

    # -- files of the figures and the timeline, drawn by a displayed monitor ---------------------------------------

    def save_png(
        self, path: str | pathlib.Path, scale: float = 2.0, timeout: float | None = None
    ) -> exports_client.ExportJob:
        """Save the figures and the timeline as the monitor shows them, as a PNG at ``scale``×. A displayed monitor
        draws it; the file is written when its answer reaches the kernel, after the calling cell has finished.
        Returns an :class:`~tensorviz.exports_client.ExportJob` at once (``done()``, ``result()`` in a later cell)."""
        scale = exports_client.check_number("scale", scale, 0.5, 4)
        return exports_client.request(self, "png", path, {"scale": scale}, timeout, "save_png")

    def save_svg(self, path: str | pathlib.Path, timeout: float | None = None) -> exports_client.ExportJob:
        """Save the figures and the timeline as an SVG drawing. Asynchronous like :meth:`save_png`."""
        return exports_client.request(self, "svg", path, {}, timeout, "save_svg")

    def _on_message(self, _widget: Any, content: Any, _buffers: Any) -> None:
        if exports_client.route(self, content, _buffers):
            return  # a view's answer to save_png/save_svg, or a view saying it is there
        rid = protocol.request_id(content)
        try:
            action = content.get("action") if isinstance(content, dict) else None
            if action not in protocol.MEMORY_ACTIONS:
                raise protocol.ProtocolError(
                    f"unknown action {action!r:.40}; the monitor answers {', '.join(protocol.MEMORY_ACTIONS)}"
                )
            if action == "pause":
                self.pause()
            elif action == "resume":
                self.resume()
            elif action == "reset_peak":
                self.reset_peak()
            elif action == "census":
                self.refresh_census()
        except Exception as err:
            self.send({"kind": protocol.ERROR, "id": rid, "message": f"{type(err).__name__}: {err}"})
            return
        self.send({"kind": "action", "id": rid, "action": action})

    # -- replay -------------------------------------------------------------------------------------------------

    def _show_replay(self, source: Any) -> None:
        from ..snapshot import read_snapshot

        snap = read_snapshot(source)
        name = os.path.basename(str(source)) if isinstance(source, (str, os.PathLike)) else "snapshot"
        self.replay = replay_json(snap, name)
        self.cuda = cuda_state()


_MONITORS: weakref.WeakSet[MemoryMonitor] = weakref.WeakSet()


def _series_json(samples: list[tuple[float, dict[str, tuple[int | None, int | None]]]]) -> dict[str, Any]:
    names: list[str] = []
    for _, by in samples:
        for n in by:
            if n not in names:
                names.append(n)
    devices = {
        n: {
            "allocated": [by.get(n, (None, None))[0] for _, by in samples],
            "reserved": [by.get(n, (None, None))[1] for _, by in samples],
        }
        for n in names
    }
    return {"t": [t for t, _ in samples], "devices": devices}


def replay_json(snap: Any, name: str) -> dict[str, Any]:
    """What the monitor shows of a replayed snapshot (small: the timeline is downsampled, sent as binary)."""
    from ..snapshot import snapshot_state

    return {"file": name} | snapshot_state(snap)


def _figure() -> Any:
    """A plotly FigureWidget for the timeline, or None without plotly."""
    try:
        import plotly.graph_objects as go
    except ImportError:
        return None
    try:
        fig = go.FigureWidget()
    except Exception:  # FigureWidget needs ipywidgets/anywidget support in plotly
        return None
    fig.update_layout(
        title="device memory over time", xaxis_title="seconds", yaxis_title="bytes", height=260,
        margin={"l": 60, "r": 20, "t": 40, "b": 40}, legend={"orientation": "h"},
    )  # fmt: skip
    return fig


def _update_figure(fig: Any, series: dict[str, Any]) -> None:
    if fig is None:
        return
    try:
        with fig.batch_update():
            traces = []
            for name, s in series.get("devices", {}).items():
                traces.append((f"{name} allocated", s["allocated"]))
                traces.append((f"{name} reserved", s["reserved"]))
            if len(fig.data) != len(traces):
                fig.data = ()
                for label, _ in traces:
                    fig.add_scatter(x=[], y=[], mode="lines", name=label)
            for trace, (_, ys) in zip(fig.data, traces, strict=False):
                trace.x = series.get("t", [])
                trace.y = ys
    except Exception:
        pass
