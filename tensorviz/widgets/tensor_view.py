"""TensorView: the anywidget that shows one tensor. Traits and message routing only."""

from __future__ import annotations

import pathlib
import weakref
from collections.abc import Sequence
from typing import Any

import anywidget
import torch
import traitlets

from .. import protocol
from ..adapt import as_tensor
from ..info import inspect
from ..slicing import Face, cut_face

_STATIC = pathlib.Path(__file__).parent.parent / "static"
_ESM = _STATIC / "tensor_view.js"
_CSS = _STATIC / "tensor_view.css"

Dims = str | Sequence[str | None] | None


def _bundle(path: pathlib.Path) -> pathlib.Path | str:
    if path.exists():
        return path
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
        self._tensor = tensor
        self._version = _version_of(tensor)
        self.on_msg(self._on_message)
        _watch(self)

    @property
    def tensor(self) -> torch.Tensor:
        """The tensor shown (the very object, not a copy)."""
        return self._tensor

    def refresh(self) -> None:
        """Re-read the tensor: new statistics, and the frontend re-fetches what it shows."""
        self._version = _version_of(self._tensor)
        self.info = inspect(self._tensor).to_json()
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

    def _on_message(self, _widget: Any, content: Any, _buffers: Any) -> None:
        rid = protocol.request_id(content)
        try:
            kind = content.get("kind") if isinstance(content, dict) else None
            if kind != protocol.FACES:
                raise protocol.ProtocolError(
                    f"unknown message kind {kind!r:.40}; the kernel answers {protocol.FACES!r}"
                )
            request = protocol.parse_faces(content, tuple(self.info["shape"]))
            faces = [self._cut(face, request.budget) for face in request.faces]
        except protocol.ProtocolError as err:
            self.send({"kind": protocol.ERROR, "id": rid, "message": str(err)})
            return
        except Exception as err:  # the widget must survive whatever torch raises
            self.send({"kind": protocol.ERROR, "id": rid, "message": f"{type(err).__name__}: {err}"})
            return
        self.send(
            {"kind": protocol.FACES, "id": request.id, "revision": self.revision, "faces": [f.meta() for f in faces]},
            buffers=[f.buffer() for f in faces],
        )

    def _cut(self, face: protocol.FaceRequest, budget: tuple[int, int]) -> Face:
        try:
            return cut_face(self._tensor, face, budget)
        except Exception as err:  # one bad face must not sink the others
            extent = protocol.face_extent(face.axes, tuple(self._tensor.shape))
            return Face.refused(face, extent, f"{type(err).__name__}: {err}")


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
        if _version_of(view.tensor) != view._version:
            view.refresh()
