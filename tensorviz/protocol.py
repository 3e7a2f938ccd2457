"""The widget protocol, named once. ``js/src/protocol.js`` mirrors this module field for field.

Messages travel over anywidget's custom messages (``msg:custom``): JSON content plus binary buffers.
The frontend asks, the kernel answers with the same ``id`` (Jupyter drops messages sent before a view
exists, so the kernel never speaks first). Anything malformed gets an :data:`ERROR` reply.

Frontend -> kernel::

    {kind: "faces", id: str, budget: [max_rows, max_cols],
     faces: [{axes: [int, ...], index: [int, ...], window: [r0, r1, c0, c1] | null}, ...]}

Kernel -> frontend (one buffer per face, in order; empty for a face with an error)::

    {kind: "faces", id, revision, faces: [{axes, index, window, extent: [H, W], shape: [h, w],
                                           step: [sr, sc], encoding, error: str | null}, ...]}
    {kind: "error", id: str | null, message: str}

Where the NaN and infinities are (the widget's ``nonfinite`` trait holds the exact counts)::

    frontend: {kind: "nonfinite", id, after: [int, ...] | null}   the next one after that full index
    kernel:   {kind: "nonfinite", id, index: [int, ...] | null, value: "nan" | "posinf" | "neginf" | null,
               ordinal: int | null, total: int | null, wrapped: bool}
    frontend: {kind: "scan", id}   count them now (a memory-mapped tensor is not scanned unasked)
    kernel:   {kind: "scan", id, state: str}
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

# Message kinds
FACES = "faces"
ERROR = "error"
NONFINITE = "nonfinite"
SCAN = "scan"
KINDS = (FACES, NONFINITE, SCAN)

# Limits on what one request may ask for.
MAX_BUDGET = 4096  # rows or columns of cells per face
MAX_FACES = 512  # faces per request
MAX_CELLS = 1 << 24  # cells per request, all faces together
MAX_ID_LENGTH = 64

ENCODINGS = (
    "bool",
    "uint8",
    "int8",
    "int16",
    "uint16",
    "int32",
    "uint32",
    "int64",
    "uint64",
    "float32",
    "float64",
    "complex64",
    "complex128",
)


class ProtocolError(ValueError):
    """A request the kernel refuses; its message is sent to the frontend as is."""


@dataclass(frozen=True)
class FaceRequest:
    """One face: the 2-d slice of the tensor along ``axes`` (rows first) at ``index``."""

    axes: tuple[int, ...]
    index: tuple[int, ...]
    window: tuple[int, int, int, int] | None


@dataclass(frozen=True)
class FacesRequest:
    id: str
    budget: tuple[int, int]
    faces: tuple[FaceRequest, ...]


def request_id(content: Any) -> str | None:
    """The request's id when it has a usable one, so even a refusal can be matched to its request."""
    if isinstance(content, dict):
        rid = content.get("id")
        if isinstance(rid, str) and len(rid) <= MAX_ID_LENGTH:
            return rid
        if isinstance(rid, int) and not isinstance(rid, bool) and _digits(rid) <= MAX_ID_LENGTH:
            return str(rid)
    return None


def _digits(n: int) -> int:
    """Characters of ``str(n)``, without writing out a huge integer (Python refuses above 4300 digits)."""
    if n.bit_length() > 4 * MAX_ID_LENGTH:
        return n.bit_length() * 3 // 10  # a lower bound, far above the limit
    return len(str(n))


def id_problem(content: dict[str, Any]) -> str:
    """Why ``content`` has no usable id (see :func:`request_id`): the rule, and what was given."""
    rule = f"'id' must be a string or integer of at most {MAX_ID_LENGTH} characters"
    if "id" not in content:
        return f"{rule}, got no 'id'"
    rid = content["id"]
    if isinstance(rid, str):
        return f"{rule}, got a string of {len(rid)} characters"
    if isinstance(rid, int) and not isinstance(rid, bool):
        return f"{rule}, got an integer of {_digits(rid)}{'+' if rid.bit_length() > 4 * MAX_ID_LENGTH else ''} characters"
    return f"{rule}, got {'null' if rid is None else type(rid).__name__}"


def parse_faces(content: Any, shape: tuple[int, ...]) -> FacesRequest:
    """Validate a ``faces`` request against the tensor's ``shape``.

    Raises :class:`ProtocolError` saying what was wrong and what is accepted.
    """
    if not isinstance(content, dict):
        raise ProtocolError(f"a request must be an object, got {type(content).__name__}")
    rid = request_id(content)
    if rid is None:
        raise ProtocolError(id_problem(content))
    budget = content.get("budget")
    if not (isinstance(budget, list) and len(budget) == 2 and all(_is_int(b) for b in budget)):
        raise ProtocolError(f"'budget' must be [max_rows, max_cols] (integers), got {budget!r:.80}")
    if not all(1 <= b <= MAX_BUDGET for b in budget):
        raise ProtocolError(f"'budget' entries must be between 1 and {MAX_BUDGET}, got {budget}")
    faces = content.get("faces")
    if not isinstance(faces, list) or not faces:
        raise ProtocolError("'faces' must be a non-empty list of faces")
    if len(faces) > MAX_FACES:
        raise ProtocolError(f"at most {MAX_FACES} faces per request, got {len(faces)}")
    parsed = tuple(_parse_face(face, shape, n) for n, face in enumerate(faces))
    cells = sum(min(_extent_rows(f, shape), budget[0]) * min(_extent_cols(f, shape), budget[1]) for f in parsed)
    if cells > MAX_CELLS:
        raise ProtocolError(f"the request asks for {cells} cells; at most {MAX_CELLS} per request")
    return FacesRequest(id=rid, budget=(int(budget[0]), int(budget[1])), faces=parsed)


def face_extent(axes: tuple[int, ...], shape: tuple[int, ...]) -> tuple[int, int]:
    """Rows and columns of the whole face: ``(1, 1)`` for a scalar, ``(1, n)`` for a vector."""
    if len(axes) == 0:
        return (1, 1)
    if len(axes) == 1:
        return (1, shape[axes[0]])
    return (shape[axes[0]], shape[axes[1]])


def _extent_rows(face: FaceRequest, shape: tuple[int, ...]) -> int:
    w = face.window
    return (w[1] - w[0]) if w else face_extent(face.axes, shape)[0]


def _extent_cols(face: FaceRequest, shape: tuple[int, ...]) -> int:
    w = face.window
    return (w[3] - w[2]) if w else face_extent(face.axes, shape)[1]


def _is_int(v: Any) -> bool:
    return isinstance(v, int) and not isinstance(v, bool)


def _parse_face(face: Any, shape: tuple[int, ...], n: int) -> FaceRequest:
    rank = len(shape)
    where = f"face {n}"
    if not isinstance(face, dict):
        raise ProtocolError(f"{where} must be an object, got {type(face).__name__}")
    axes = face.get("axes")
    want = min(rank, 2)
    if not (isinstance(axes, list) and len(axes) == want and all(_is_int(a) for a in axes)):
        raise ProtocolError(f"{where}: 'axes' must list {want} axis indices for a rank-{rank} tensor, got {axes!r:.80}")
    if any(not 0 <= a < rank for a in axes) or len(set(axes)) != len(axes):
        raise ProtocolError(f"{where}: 'axes' must be distinct axes in 0..{rank - 1}, got {axes}")
    index = face.get("index")
    if not (isinstance(index, list) and len(index) == rank and all(_is_int(i) for i in index)):
        raise ProtocolError(f"{where}: 'index' must list {rank} integers, got {index!r:.80}")
    for axis, (i, size) in enumerate(zip(index, shape, strict=True)):
        if axis not in axes and not 0 <= i < size:
            raise ProtocolError(f"{where}: index {i} is out of range for axis {axis} of size {size}")
    rows, cols = face_extent(tuple(axes), shape)
    window = face.get("window")
    resolved: tuple[int, int, int, int] | None = None
    if window is not None:
        if not (isinstance(window, list) and len(window) == 4 and all(_is_int(v) for v in window)):
            raise ProtocolError(f"{where}: 'window' must be [r0, r1, c0, c1] or null, got {window!r:.80}")
        r0, r1, c0, c1 = window
        if not (0 <= r0 < r1 <= rows and 0 <= c0 < c1 <= cols):
            raise ProtocolError(f"{where}: window {window} is outside the face of {rows} x {cols}")
        resolved = (r0, r1, c0, c1)
    return FaceRequest(axes=tuple(axes), index=tuple(index), window=resolved)


def parse_after(content: Any, shape: tuple[int, ...]) -> tuple[int, ...] | None:
    """The ``after`` index of a ``nonfinite`` request: a full index inside ``shape``, or None (the first one)."""
    if not isinstance(content, dict):
        raise ProtocolError(f"a request must be an object, got {type(content).__name__}")
    after = content.get("after")
    if after is None:
        return None
    rank = len(shape)
    if not (isinstance(after, list) and len(after) == rank and all(_is_int(i) for i in after)):
        raise ProtocolError(f"'after' must be null or a full index of {rank} integers, got {after!r:.80}")
    for axis, (i, size) in enumerate(zip(after, shape, strict=True)):
        if not 0 <= i < size:
            raise ProtocolError(f"'after': index {i} is out of range for axis {axis} of size {size}")
    return tuple(after)


# -- the op player ---------------------------------------------------------------------------------------------------
# Frontend -> kernel: {kind: "step", id, step: int}; kernel -> frontend: the step's pictures and provenance
# (see tensorviz.animation.step_frames) with the same id, or an ERROR reply.
STEP = "step"
PLAYER_KINDS = (STEP,)


def parse_step(content: Any, count: int) -> int:
    """The step number of a ``step`` request, checked against the number of steps."""
    if not isinstance(content, dict):
        raise ProtocolError(f"a request must be an object, got {type(content).__name__}")
    step = content.get("step")
    if not isinstance(step, int) or isinstance(step, bool):
        raise ProtocolError(f"'step' must be an integer, got {step!r:.80}")
    if not 0 <= step < count:
        raise ProtocolError(f"step {step} is out of range: the trace has {count} step{'s' if count != 1 else ''}")
    return int(step)


# -- the memory monitor ----------------------------------------------------------------------------------------------
# Frontend -> kernel: {kind: "action", id, action}; the kernel answers {kind: "action", id, action} (the new figures
# arrive as traits) or an ERROR reply.
MEMORY_ACTIONS = ("pause", "resume", "reset_peak", "census")


# -- exports ---------------------------------------------------------------------------------------------------------
# Files a displayed view draws of what it shows (view.save_png(...) and the like; see tensorviz.exports_client). The
# kernel cannot draw them: the picture is the browser's. A view says when it is there (so that the kernel can say at
# once that no view could answer), the kernel asks, the view answers with the file's bytes in parts:
#
#   frontend: {kind: "export", id: <view id>, event: "open" | "closed", formats: [str, ...]}
#   kernel:   {kind: "export", id, format, options: {...}}
#   frontend: {kind: "export", id, view: <view id>, format, error: str | null, name, mime, size, part, parts}
#             + one buffer: bytes part * EXPORT_CHUNK onwards of the file (none with an error)
EXPORT = "export"
EXPORT_OPEN = "open"
EXPORT_CLOSED = "closed"
EXPORT_CHUNK = 4 << 20
EXPORT_MIME = {"png": "image/png", "svg": "image/svg+xml", "webm": "video/webm", "gif": "image/gif"}
