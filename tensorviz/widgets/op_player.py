"""OpPlayer: the anywidget that replays traced steps, every element travelling. Traits and message routing only."""

from __future__ import annotations

import pathlib
import re
from collections.abc import Sequence
from typing import Any

import anywidget
import torch
import traitlets

from .. import exports_client, protocol
from ..animation import step_frames
from ..memory_sources import register_holder, unregister_holder
from ..tracing import Step
from .tensor_view import _bundle, _close_layout

_STATIC = pathlib.Path(__file__).parent.parent / "static"
_ESM = _STATIC / "op_player.js"
_CSS = _STATIC / "tensor_view.css"  # one stylesheet for every tensorviz widget


_IPYTHON_INPUT = re.compile(r"^<ipython-input-(\d+)-")


def cell_label(file: str) -> str | None:
    """``In [8]`` for the file IPython compiled cell 8 into (a temporary file name means nothing to a reader)."""
    match = _IPYTHON_INPUT.match(file)
    if match:
        return f"In [{match.group(1)}]"
    try:
        from IPython import get_ipython
    except ImportError:  # pragma: no cover - IPython comes with the widgets
        return None
    shell = get_ipython()
    number = getattr(getattr(shell, "compile", None), "_filename_map", {}).get(file) if shell is not None else None
    return f"In [{number}]" if isinstance(number, int) and not isinstance(number, bool) else None


def summarize(step: Step) -> dict[str, Any]:
    """What the timeline shows of a step (its values and provenance are fetched when the step is shown)."""
    data = step.to_json()
    source = data.get("source")
    if source and source.get("file"):
        where = cell_label(source["file"])
        if where:
            source["where"] = where
    # only what the timeline and the step's header read: a thousand-op forward stays a small trait
    keep = ("shape", "dims", "dtype", "device")
    data["inputs"] = [{k: m[k] for k in keep} for m in data.get("inputs") or []]
    if data.get("output") is not None:
        data["output"] = {k: data["output"][k] for k in keep}
    for key in ("args", "outputs", "func", "index"):
        data.pop(key, None)
    if not any(data.get("details") or ()):
        data.pop("details", None)
    return data


def _held_values(player: OpPlayer) -> list[Any]:
    """The small tensors a player's steps keep for their pictures (the census says who holds them)."""
    out = []
    for step in player._steps:
        private = step._private
        if private is None:
            continue
        for entry in private.store.snaps.values():
            if isinstance(entry, torch.Tensor):
                out.append(entry)
    return out


class OpPlayer(anywidget.AnyWidget):
    """Plays traced steps one at a time: each element moves from its input cell to its output cell.

    ``steps`` is the list of :class:`~tensorviz.tracing.Step` it plays (the same objects as the trace's).
    """

    _esm = _bundle(_ESM)
    _css = _bundle(_CSS) if _CSS.exists() else ""

    timeline = traitlets.List(traitlets.Dict()).tag(sync=True)
    current = traitlets.Int(0).tag(sync=True)

    def __init__(self, steps: Sequence[Step], start: int | None = None, **kwargs: Any) -> None:
        if isinstance(steps, (str, bytes)) or not hasattr(steps, "__iter__"):
            raise TypeError(f"OpPlayer plays a list of tensorviz Steps (tr.steps from tv.trace()); got {steps!r}")
        if start is not None and (not isinstance(start, int) or isinstance(start, bool)):
            raise TypeError(f"start must be a step number (an int) or None; got {start!r} ({type(start).__name__})")
        steps = list(steps)
        for s in steps:
            if not isinstance(s, Step):
                raise TypeError(f"OpPlayer plays tensorviz Steps (from tv.trace()); got {type(s).__name__}")
        if start is None:
            # a failing step is what the user wants to see first
            start = next((s.index for s in steps if s.error is not None), 0)
            start = next((i for i, s in enumerate(steps) if s.index == start), 0)
        if steps and not 0 <= start < len(steps):
            raise ValueError(f"start must be a step number in 0..{len(steps) - 1}; got {start}")
        super().__init__(timeline=[summarize(s) for s in steps], current=start if steps else 0, **kwargs)
        self._steps = steps
        self.on_msg(self._on_message)
        register_holder(self, "a tensorviz op player (close it to release)", _held_values)

    @property
    def steps(self) -> list[Step]:
        """The steps played (plain data); empty once the player is closed."""
        return self._steps

    def close(self) -> None:
        """Close the player and let go of its steps (and the values they keep for the pictures)."""
        self._steps = []
        unregister_holder(self)
        _close_layout(self)
        super().close()

    def save_html(self, path: str | pathlib.Path, budget_bytes: int | None = None) -> pathlib.Path:
        """Write this player as one self-contained HTML file that plays, steps and scrubs offline (no kernel).

        Each step's pictures go in, in order, while the file stays within ``budget_bytes`` (default 8 MB); steps left
        out say so when shown. Returns the path written.
        """
        from ..export import BUDGET, save_html

        return save_html(self, path, BUDGET if budget_bytes is None else budget_bytes)

    def _export_payload(self, budget_bytes: int) -> dict[str, Any]:
        from ..export import op_player_payload

        if getattr(self, "comm", None) is None and not self._steps and self.timeline:
            raise RuntimeError("this player is closed: its steps were released (trace again and use tr.player())")
        state = {"timeline": self.timeline, "current": self.current}
        return op_player_payload(self._steps, state, budget_bytes=budget_bytes)

    # -- files of what the player shows, drawn by a displayed view --------------------------------------------

    def save_png(
        self, path: str | pathlib.Path, scale: float = 2.0, timeout: float | None = None
    ) -> exports_client.ExportJob:
        """Save the frame shown as a PNG at ``scale``× (2: slides). The browser draws it: a displayed player is asked
        for the file, written when its answer reaches the kernel, after the calling cell has finished. Returns an
        :class:`~tensorviz.exports_client.ExportJob` at once (``done()``, ``result()`` in a later cell)."""
        scale = exports_client.check_number("scale", scale, 0.5, 4)
        return exports_client.request(self, "png", path, {"scale": scale}, timeout, "save_png")

    def save_svg(self, path: str | pathlib.Path, timeout: float | None = None) -> exports_client.ExportJob:
        """Save the frame shown as an SVG drawing (every cell a rect, labels as text). Asynchronous like save_png."""
        return exports_client.request(self, "svg", path, {}, timeout, "save_svg")

    def save_webm(
        self,
        path: str | pathlib.Path,
        steps: str = "current",
        fps: float = 30,
        scale: float = 2.0,
        timeout: float | None = None,
    ) -> exports_client.ExportJob:
        """Save the animation of the step shown (``steps="all"``: every step) as a WebM video at ``fps`` frames a
        second: the frames the player shows, rendered one by one. It is recorded in real time (a step plays 1.4 to
        2.4 s), then written when it reaches the kernel. Asynchronous like save_png."""
        return self._save_clip("webm", path, steps, fps, 60, scale, (0.5, 4), timeout)

    def save_gif(
        self,
        path: str | pathlib.Path,
        steps: str = "current",
        fps: float = 15,
        scale: float = 2.0,
        timeout: float | None = None,
    ) -> exports_client.ExportJob:
        """Save the animation of the step shown (``steps="all"``: every step) as a looping GIF at ``fps`` frames a
        second, at ``scale``× (2: slides; at most 255 colors). Asynchronous like save_png."""
        return self._save_clip("gif", path, steps, fps, 50, scale, (0.25, 3), timeout)

    def _save_clip(
        self,
        fmt: str,
        path: str | pathlib.Path,
        steps: str,
        fps: float,
        max_fps: float,
        scale: float,
        scales: tuple[float, float],
        timeout: float | None,
    ) -> exports_client.ExportJob:
        """Ask a displayed player for an animation file, with a timeout long enough to play (and fetch) every step."""
        steps = exports_client.check_steps(steps)
        options = {"steps": steps, "fps": exports_client.check_number("fps", fps, 1, max_fps)}
        options["scale"] = exports_client.check_number("scale", scale, *scales)
        clip = exports_client.DEFAULT_TIMEOUT + (6.0 * len(self._steps) if steps == "all" else 6.0)
        return exports_client.request(self, fmt, path, options, timeout or clip, f"save_{fmt}")

    def _on_message(self, _widget: Any, content: Any, _buffers: Any) -> None:
        if exports_client.route(self, content, _buffers):
            return  # a view's answer to save_png/save_webm/..., or a view saying it is there
        rid = protocol.request_id(content)
        try:
            kind = content.get("kind") if isinstance(content, dict) else None
            if kind not in protocol.PLAYER_KINDS:
                raise protocol.ProtocolError(f"unknown message kind {kind!r:.40}; the player answers {protocol.STEP!r}")
            if rid is None:
                raise protocol.ProtocolError(protocol.id_problem(content))
            i = protocol.parse_step(content, len(self._steps))
            frames = step_frames(self._steps[i])
        except protocol.ProtocolError as err:
            self.send({"kind": protocol.ERROR, "id": rid, "message": str(err)})
            return
        except Exception as err:  # the widget must survive whatever a step's replay raises
            self.send({"kind": protocol.ERROR, "id": rid, "message": f"{type(err).__name__}: {err}"})
            return
        self.send(frames.meta | {"id": rid}, buffers=[b.reshape(-1).data.cast("B") for b in frames.buffers])
