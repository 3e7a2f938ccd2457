"""OpPlayer: the anywidget that replays traced steps, every element travelling. Traits and message routing only."""

from __future__ import annotations

import pathlib
from collections.abc import Sequence
from typing import Any

import anywidget
import torch
import traitlets

from .. import protocol
from ..animation import step_frames
from ..memory_sources import register_holder, unregister_holder
from ..tracing import Step
from .tensor_view import _bundle

_STATIC = pathlib.Path(__file__).parent.parent / "static"
_ESM = _STATIC / "op_player.js"
_CSS = _STATIC / "tensor_view.css"  # one stylesheet for every tensorviz widget


def summarize(step: Step) -> dict[str, Any]:
    """What the timeline shows of a step (its values and provenance are fetched when the step is shown)."""
    data = step.to_json()
    keep = ("shape", "dims", "dtype", "device", "strides", "is_contiguous", "storage", "numel")
    for key in ("inputs", "outputs"):
        data[key] = [{k: m[k] for k in keep} for m in data.get(key) or []]
    if data.get("output") is not None:
        data["output"] = {k: data["output"][k] for k in keep}
    data.pop("args", None)
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
        super().close()

    def _on_message(self, _widget: Any, content: Any, _buffers: Any) -> None:
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
