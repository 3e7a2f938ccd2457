"""Files a displayed view draws for the kernel: ``view.save_png(path)``, ``save_svg``, ``player.save_webm``, ``save_gif``.

The picture is the browser's, so the kernel asks a displayed view for the file and the view sends the bytes back over
the widget's messages (the exports section of :mod:`tensorviz.protocol`). That reply arrives on the kernel's message
loop, which runs *between* cells: a cell that waited for it would wait for ever (the loop that delivers the reply is
the one the cell is blocking). So a ``save_*`` call returns an :class:`ExportJob` at once and the file is written when
the reply comes, after the cell has finished; a later cell can check ``job.done()`` or ``job.result()``, and a job
shown as a cell's result updates itself to say when the file is saved.

No widget imports here: a widget hands in its ``send`` and routes its messages through :func:`route`.
"""

from __future__ import annotations

import os
import secrets
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from . import protocol

DEFAULT_TIMEOUT = 60.0

_MAGIC: dict[str, tuple[bytes, ...]] = {
    "png": (b"\x89PNG\r\n\x1a\n",),
    "gif": (b"GIF89a", b"GIF87a"),
    "webm": (b"\x1a\x45\xdf\xa3",),
    "svg": (b"<?xml", b"<svg"),
}

NO_VIEW = (
    "no view of this widget is displayed to draw the file: the picture is drawn by the browser. Show the widget first "
    "(put it on a cell's last line, or display(view)), then call {method} in a later cell (a view shown in the same "
    "cell only exists once that cell has finished)"
)


class ExportError(RuntimeError):
    """A file a view could not save (or that nothing could answer for)."""


class ExportJob:
    """A file being saved by a displayed view: written when the view's reply reaches the kernel (after the cell).

    ``done()`` says whether it is over; ``result()`` returns the path (or raises why it failed); ``add_done_callback``
    runs a function when it is over. Shown as a cell's result it says where it is, and updates itself when the file
    is written. A job that timed out still writes its file if the view's answer comes later.
    """

    def __init__(self, fmt: str, path: Path, timeout: float, method: str) -> None:
        self.format = fmt
        self.path = path
        self.timeout = timeout
        self.method = method
        self.started = time.monotonic()
        self.size: int | None = None
        self.name: str | None = None
        self._error: BaseException | None = None
        self._event = threading.Event()
        self._lock = threading.Lock()
        self._callbacks: list[Callable[[ExportJob], Any]] = []
        self._display: Any = None
        self._timer: threading.Timer | None = None

    # -- state --------------------------------------------------------------------------------------------------

    def done(self) -> bool:
        """Whether the file is written or the export failed."""
        return self._event.is_set()

    def exception(self) -> BaseException | None:
        """Why the export failed (None while waiting or once the file is written)."""
        return self._error if self.done() else None

    def result(self, timeout: float | None = None) -> Path:
        """The path of the written file, or the reason it is not written (raised).

        Waiting only helps off the kernel's own thread: in a notebook cell the reply cannot arrive until the cell has
        finished, so there this never waits (it raises at once while the file is still on its way).
        """
        if not self.done():
            if _in_kernel_thread():
                raise ExportError(
                    f"{self.path.name} is not written yet: the view's reply reaches the kernel only after this cell "
                    "has finished. Check job.done() or job.result() in a later cell (or use job.add_done_callback)"
                )
            if not self._event.wait(timeout):
                raise TimeoutError(f"{self.path.name} is not written yet after waiting {timeout} s")
        if self._error is not None:
            raise self._error
        return self.path

    def add_done_callback(self, fn: Callable[[ExportJob], Any]) -> None:
        """Call ``fn(job)`` when the job is over (at once when it already is)."""
        with self._lock:
            if not self.done():
                self._callbacks.append(fn)
                return
        fn(self)

    # -- how it ends --------------------------------------------------------------------------------------------

    def _finish(self, error: BaseException | None) -> None:
        with self._lock:
            late = self.done()
            if late and error is not None:
                return  # an error after the end (e.g. a second view's refusal) changes nothing
            self._error = error
            self._event.set()
            callbacks, self._callbacks = ([] if late else self._callbacks), []
            if self._timer is not None:
                self._timer.cancel()
        for fn in callbacks:
            try:
                fn(self)
            except Exception:  # a user's callback must not break the widget's message loop
                pass
        self._update_display()

    def _timed_out(self) -> None:
        if not self.done():
            self._finish(
                ExportError(
                    f"no view sent {self.path.name} within {self.timeout:g} s: is the view still on the page, and was "
                    "the kernel free to hear it (a long cell delays the answer; the file is still written if it comes)"
                )
            )

    # -- display ------------------------------------------------------------------------------------------------

    def summary(self) -> str:
        """One line saying where the job is."""
        if not self.done():
            return (
                f"saving {self.path.name}: waiting for the view to draw it "
                "(the file is written once this cell has finished)"
            )
        if self._error is not None:
            return f"could not save {self.path.name}: {self._error}"
        what = _describe(self.format, self.path)
        size = f"{_size_text(self.size)}" if self.size is not None else ""
        return f"saved {self.path} ({', '.join(p for p in (size, what) if p)})"

    def __repr__(self) -> str:
        return f"<ExportJob {self.summary()}>"

    def _ipython_display_(self) -> None:
        from IPython.display import display

        self._display = display({"text/plain": self.summary()}, raw=True, display_id=True)

    def _update_display(self) -> None:
        handle = self._display
        if handle is None:
            return
        try:
            handle.update({"text/plain": self.summary()}, raw=True)
        except Exception:  # no frontend to update
            pass


class _Pending:
    """The parts of a reply received so far, from the view that answered first."""

    def __init__(self, job: ExportJob) -> None:
        self.job = job
        self.view: str | None = None
        self.parts: dict[int, bytes] = {}
        self.count: int | None = None


class _State:
    """A widget's displayed views (that can answer) and the jobs waiting for them."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.views: dict[str, tuple[str, ...]] = {}
        self.pending: dict[str, _Pending] = {}


def _state(widget: Any) -> _State:
    st = widget.__dict__.get("_tv_exports")
    if st is None:
        st = _State()
        widget.__dict__["_tv_exports"] = st
    return st


def displayed_views(widget: Any) -> dict[str, tuple[str, ...]]:
    """The views of ``widget`` that said they are displayed, with the formats each can save."""
    st = _state(widget)
    with st.lock:
        return dict(st.views)


def check_path(path: Any, ext: str) -> Path:
    """The file a picture will be written to, or a clear error: not a path, a folder, a folder that is not there."""
    if not isinstance(path, (str, os.PathLike)) or (isinstance(path, str) and not path.strip()):
        raise TypeError(f"path must be a file path (str or os.PathLike), e.g. 'picture.{ext}'; got {path!r}")
    raw = os.fspath(path)
    if isinstance(raw, bytes):
        raise TypeError(f"path must be a file path given as text (str or pathlib.Path); got bytes {raw!r}")
    target = Path(os.path.abspath(raw))
    if target.is_dir():
        raise IsADirectoryError(f"{target} is a directory: give a file name, e.g. {target / ('picture.' + ext)}")
    if not target.parent.is_dir():
        raise FileNotFoundError(f"the folder {target.parent} does not exist")
    return target


def request(
    widget: Any, fmt: str, path: str | os.PathLike[str], options: dict[str, Any], timeout: float | None, method: str
) -> ExportJob:
    """Ask a displayed view of ``widget`` for a ``fmt`` file of what it shows, to be written at ``path``."""
    if fmt not in protocol.EXPORT_MIME:
        raise ValueError(f"format must be one of {', '.join(protocol.EXPORT_MIME)}; got {fmt!r}")
    target = check_path(path, fmt)
    wait = DEFAULT_TIMEOUT if timeout is None else timeout
    if not (isinstance(wait, (int, float)) and not isinstance(wait, bool) and wait > 0):
        raise ValueError(f"timeout must be a positive number of seconds; got {timeout!r}")
    if getattr(widget, "comm", None) is None:
        raise ExportError("this widget is closed: there is no view left to draw the file")
    st = _state(widget)
    with st.lock:
        views = dict(st.views)
    if not views:
        raise ExportError(NO_VIEW.format(method=method))
    if not any(fmt in formats for formats in views.values()):
        can = sorted({f for formats in views.values() for f in formats})
        raise ExportError(
            f"the displayed view cannot save {fmt} files in this browser (it can save {', '.join(can) or 'none'})"
        )
    job = ExportJob(fmt, target, float(wait), method)
    rid = secrets.token_hex(8)
    with st.lock:
        st.pending[rid] = _Pending(job)
    timer = threading.Timer(float(wait), job._timed_out)
    timer.daemon = True
    job._timer = timer
    timer.start()
    widget.send({"kind": protocol.EXPORT, "id": rid, "format": fmt, "options": options})
    return job


def route(widget: Any, content: Any, buffers: Any) -> bool:
    """Handle an export message from a view (``True``), or leave any other message to the widget (``False``)."""
    if not isinstance(content, dict) or content.get("kind") != protocol.EXPORT:
        return False
    st = _state(widget)
    event = content.get("event")
    if event is not None:
        view = content.get("id")
        if isinstance(view, str) and len(view) <= protocol.MAX_ID_LENGTH:
            with st.lock:
                if event == protocol.EXPORT_OPEN:
                    formats = content.get("formats")
                    fmts = tuple(f for f in formats if f in protocol.EXPORT_MIME) if isinstance(formats, list) else ()
                    st.views[view] = fmts
                elif event == protocol.EXPORT_CLOSED:
                    st.views.pop(view, None)
        return True
    rid = content.get("id")
    if not isinstance(rid, str):
        return True
    with st.lock:
        pending = st.pending.get(rid)
    if pending is None:
        return True  # a reply nobody waits for (a second view's answer, or a job long over)
    view = content.get("view")
    if pending.view is not None and view != pending.view:
        return True  # another view answered first
    pending.view = view if isinstance(view, str) else ""
    error = content.get("error")
    if error:
        with st.lock:
            st.pending.pop(rid, None)
        pending.job._finish(ExportError(str(error)))
        return True
    part, parts = content.get("part"), content.get("parts")
    if not (isinstance(part, int) and isinstance(parts, int) and 0 <= part < parts) or not buffers:
        with st.lock:
            st.pending.pop(rid, None)
        pending.job._finish(ExportError(f"the view's reply is malformed (part {part!r} of {parts!r})"))
        return True
    pending.count = parts
    pending.parts[part] = bytes(buffers[0])
    if len(pending.parts) < parts:
        return True
    with st.lock:
        st.pending.pop(rid, None)
    data = b"".join(pending.parts[i] for i in range(parts))
    job = pending.job
    job.name = content.get("name") if isinstance(content.get("name"), str) else None
    try:
        _check(job.format, data)
        _write(job.path, data)
    except Exception as err:
        job._finish(err if isinstance(err, (ExportError, OSError)) else ExportError(f"{type(err).__name__}: {err}"))
        return True
    job.size = len(data)
    job._finish(None)
    return True


def _check(fmt: str, data: bytes) -> None:
    """The bytes are a file of that format (its signature), or the view sent something else."""
    head = data[:64].lstrip() if fmt == "svg" else data[:16]
    if not any(head.startswith(m) for m in _MAGIC[fmt]) or (fmt == "svg" and b"<svg" not in data[:4096]):
        article = "an" if fmt == "svg" else "a"
        raise ExportError(f"the view sent {len(data)} bytes that are not {article} {fmt.upper()} file")


def _write(path: Path, data: bytes) -> None:
    """Write all at once: a reader never sees half a file."""
    tmp = path.with_name(f".{path.name}.{secrets.token_hex(4)}.part")
    try:
        tmp.write_bytes(data)
        os.replace(tmp, path)
    finally:
        if tmp.exists():
            tmp.unlink()


def _size_text(n: int) -> str:
    if n < 1024:
        return f"{n} B"
    if n < 1024 * 1024:
        return f"{n / 1024:.1f} kB"
    return f"{n / 1024 / 1024:.1f} MB"


def _describe(fmt: str, path: Path) -> str:
    """The picture's size in pixels where the file says it (PNG, GIF), else its format."""
    try:
        with open(path, "rb") as f:
            head = f.read(32)
    except OSError:
        return fmt.upper()
    if fmt == "png" and len(head) >= 24:
        return f"PNG {int.from_bytes(head[16:20], 'big')}×{int.from_bytes(head[20:24], 'big')}"
    if fmt == "gif" and len(head) >= 10:
        return f"GIF {int.from_bytes(head[6:8], 'little')}×{int.from_bytes(head[8:10], 'little')}"
    return fmt.upper()


def _in_kernel_thread() -> bool:
    """Whether this is the thread of an IPython kernel that delivers widget messages (a cell runs on it)."""
    if threading.current_thread() is not threading.main_thread():
        return False
    try:
        from IPython import get_ipython
    except ImportError:  # pragma: no cover - IPython comes with ipywidgets
        return False
    shell = get_ipython()
    return shell is not None and getattr(shell, "kernel", None) is not None


def check_steps(steps: Any) -> str:
    """``"current"`` (the step shown) or ``"all"``."""
    if steps not in ("current", "all"):
        raise ValueError(f"steps must be 'current' (the step shown) or 'all'; got {steps!r}")
    return str(steps)


def check_number(name: str, value: Any, lo: float, hi: float) -> float:
    """A number in [lo, hi], or a ValueError naming the range."""
    if not (isinstance(value, (int, float)) and not isinstance(value, bool) and lo <= value <= hi):
        raise ValueError(f"{name} must be a number from {lo:g} to {hi:g}; got {value!r}")
    return float(value)
