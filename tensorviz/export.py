"""Export widgets as self-contained HTML files that work offline, from ``file://``, with no kernel and no network.

A file holds the standalone bundle (``tensorviz/static/standalone.js``: the widgets' own render code with a small
stand-in model that answers their requests from the file's data), the stylesheet, and per widget what the reader can
explore, pre-cut within a size budget:

* a tensor view: the tensor's values in the wire encoding when they fit, else a reduced copy: its face axes in blocks
  (each the element of largest magnitude, sign kept, NaN first: the kernel's own :func:`~tensorviz.slicing.cut_face`
  cuts each slice) and its other axes at every k-th index (the one shown when exported among them). The file's slicer
  cuts any face the view asks for from that copy as the kernel would, and a face asked finer than the copy says what
  it holds instead. The NaN/inf counts and the first positions (at most :data:`KNOWN_LIMIT`) go along for "Go to next".
* an op player: each step's reply (:func:`~tensorviz.animation.step_frames`), in order, until the budget is spent;
  the steps left out say so.
* a memory monitor: its figures as they were (a static picture); its buttons say they need the kernel.

Nothing here imports the widget classes: they hand their state to :func:`tensor_view_payload`,
:func:`op_player_payload` and :func:`memory_monitor_payload`, and :func:`save_html` writes the page.

>>> plan_holds((2048, 2048), [0, 1], [0, 0], itemsize=4, budget=6_000_000)[0]
[Hold(mode='block', k=2, origin=0, read=1), Hold(mode='block', k=2, origin=0, read=1)]
>>> holds, _ = plan_holds((64, 512, 512), [1, 2], [5, 0, 0], itemsize=4, budget=6_000_000)
>>> holds[0]
Hold(mode='sample', k=4, origin=1, read=1)
"""

from __future__ import annotations

import base64
import datetime
import html
import itertools
import json
import math
import os
import pathlib
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import torch

from .animation import step_frames
from .dtypes import ENCODING_DTYPE, DtypeTraits, dtype_traits
from .nonfinite import Known, mark_face
from .protocol import FaceRequest
from .slicing import _convert, cut_face, plan

# The default size of one exported file, everything included: bundle, stylesheet and data ("8 MB").
BUDGET = 8_000_000
# A reduced copy keeps faces of up to FACE_CELLS cells a side first, then at most SLIDER_KEEP indices along each other
# axis, then faces of FACE_CELLS_MIN cells a side; below that both shrink further.
FACE_CELLS = 1024
FACE_CELLS_MIN = 256
SLIDER_KEEP = 16
# NaN/inf positions a file lists for "Go to next" (as many as a live view remembers).
KNOWN_LIMIT = 4096
# The marker of bytes in a trait's value (a kernel sends them as binary buffers); js/src/standalone/answers.js reads it.
BYTES_MARKER = "$tensorviz_bytes"

_STATIC = pathlib.Path(__file__).parent / "static"
_BUNDLE = _STATIC / "standalone.js"
_CSS = _STATIC / "tensor_view.css"

# Only what the file holds may load: inline scripts and styles, data: and blob: URLs. Nothing from any host.
CSP = (
    "default-src 'none'; script-src 'unsafe-inline'; style-src 'unsafe-inline'; img-src data: blob:; "
    "font-src data:; media-src data: blob:; connect-src data: blob:; base-uri 'none'; form-action 'none'"
)


# -- how a copy holds a tensor --------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Hold:
    """How an exported copy holds one axis: ``"all"`` its indices, ``"block"`` blocks of ``k`` from 0 (each the
    largest |x| of the block, of every ``read``-th index read), or ``"sample"`` every ``k``-th index from ``origin``."""

    mode: str
    k: int = 1
    origin: int = 0
    read: int = 1

    def to_json(self) -> dict[str, Any]:
        return {"mode": self.mode, "k": self.k, "origin": self.origin, "read": self.read}


EVERY = Hold("all")


def plan_holds(
    shape: Sequence[int], face_axes: Sequence[int], index: Sequence[int], itemsize: int, budget: int
) -> tuple[list[Hold], int]:
    """How a copy of at most ``budget`` bytes (``itemsize`` bytes a value) holds each axis, and the cells a side its
    faces keep (blocks of ``ceil(n / cells)``).

    All of it when it fits. Else, in this order until it fits, each step keeping as much as fits: faces down to
    :data:`FACE_CELLS` cells a side, the other axes down to :data:`SLIDER_KEEP` indices each (the longest first; the
    index shown now is always one of them), faces down to :data:`FACE_CELLS_MIN`, the other axes down to one index,
    faces down to one cell.
    Raises ``ValueError`` when not even one value fits.
    """
    shape = [int(n) for n in shape]
    rank = len(shape)
    if math.prod(shape) * itemsize <= budget:
        return [EVERY] * rank, max(shape, default=1)
    if itemsize > budget:
        raise ValueError(f"a budget of {budget} bytes for values cannot hold even one value of {itemsize} bytes")
    faces = sorted(face_axes)
    sliders = [a for a in range(rank) if a not in faces]
    cells = max((shape[a] for a in faces), default=1)
    k = dict.fromkeys(sliders, 1)

    def held(a: int) -> int:
        return math.ceil(shape[a] / k[a])

    def size() -> int:
        return itemsize * math.prod(plan(shape[a], cells)[1] for a in faces) * math.prod(held(a) for a in sliders)

    def fits(c: int | None = None) -> bool:
        nonlocal cells
        if c is None:
            return size() <= budget
        keep, cells = cells, c
        ok = size() <= budget
        cells = keep
        return ok

    def shrink_faces(floor: int) -> None:  # the most cells a side, down to `floor`, that fit
        nonlocal cells
        if cells <= floor or fits():
            return
        if not fits(floor):
            cells = floor
            return
        lo, hi = floor, cells  # fits(lo), not fits(hi)
        while hi - lo > 1:
            mid = (lo + hi) // 2
            lo, hi = (mid, hi) if fits(mid) else (lo, mid)
        cells = lo

    def thin(a: int, most: int) -> None:  # every k-th index of axis a: the least k that fits, keeping >= `most`
        top = max(1, shape[a] // most)
        if fits() or held(a) <= most or k[a] >= top:
            return
        lo, hi = k[a], top  # not fits(lo)
        k[a] = top
        if not fits():
            return
        while hi - lo > 1:
            mid = (lo + hi) // 2
            k[a] = mid
            lo, hi = (lo, mid) if fits() else (mid, hi)
        k[a] = hi

    longest = sorted(sliders, key=lambda a: -shape[a])
    shrink_faces(FACE_CELLS)
    for a in longest:
        thin(a, SLIDER_KEEP)
    shrink_faces(FACE_CELLS_MIN)
    for a in longest:
        thin(a, 1)
    shrink_faces(1)
    holds: list[Hold] = []
    for a in range(rank):
        if a in k:
            step = min(k[a], max(1, shape[a]))
            holds.append(Hold("sample", step, int(index[a]) % step) if step > 1 else EVERY)
        else:
            step = plan(shape[a], cells)[0]
            holds.append(Hold("block", step) if step > 1 else EVERY)
    return holds, cells


def _refusal(t: torch.Tensor, traits: DtypeTraits) -> str | None:
    """Why a tensor has no values to export (the kernel's own refusals), or None."""
    if traits.encoding is None:
        return traits.note or f"{traits.name} values cannot be read"
    if t.device.type == "meta":
        return "meta tensors have no values: only their structure exists"
    if t.numel() == 0:
        return "the tensor is empty: there are no values"
    return None


def held_copy(
    t: torch.Tensor, holds: list[Hold], face_axes: Sequence[int], cells: int, known: Known | None = None
) -> tuple[np.ndarray, list[Hold]]:
    """The copy ``holds`` describes, in the wire encoding (row-major, the tensor's axis order), and the holds as cut
    (blocks may grow where the kernel reads a face from a sample of its rows: then ``read`` says how)."""
    traits = dtype_traits(t.dtype)
    assert traits.encoding is not None
    wire = ENCODING_DTYPE[traits.encoding]
    rank = t.dim()
    faces = sorted(face_axes)
    with torch.no_grad():
        if all(h.mode == "all" for h in holds):
            x = t.to_dense() if t.layout != torch.strided else t
            return _convert(x, traits.compute).to(wire).contiguous().cpu().numpy(), holds
        sliders = [a for a in range(rank) if a not in faces]
        if t.layout == torch.strided and all(holds[a].mode == "all" for a in faces):
            # only other axes thinned: a strided view of the indices held, converted
            key = tuple(slice(h.origin, None, h.k) if a in sliders else slice(None) for a, h in enumerate(holds))
            return _convert(t[key], traits.compute).to(wire).contiguous().cpu().numpy(), holds
        picks = [range(holds[a].origin, t.shape[a], holds[a].k) for a in sliders]
        budget = (cells, cells) if len(faces) == 2 else (1, cells)
        out: np.ndarray | None = None
        first: Any = None
        for at, combo in zip(np.ndindex(*(len(p) for p in picks)), itertools.product(*picks), strict=True):
            idx = [0] * rank
            for a, i in zip(sliders, combo, strict=True):
                idx[a] = i
            face = cut_face(t, FaceRequest(tuple(faces), tuple(idx), None), budget)
            if face.data is None:
                raise ValueError(face.error or "no values")
            data = face.data
            if face.sample != (1, 1) and known is not None and known.found.total:
                data = data.copy()  # marked in place: the rows not read may hold NaN/inf the scan knows of
                mark_face(data, known, face.axes, face.index, face.window, face.step, face.sample, face.shape)
            if out is None:
                first = face
                out = np.empty((*(len(p) for p in picks), *face.shape), dtype=data.dtype)
            elif (face.step, face.sample, face.shape) != (first.step, first.sample, first.shape):
                raise ValueError("the slices of this tensor are not all cut alike: it cannot be exported reduced")
            out[at] = data.reshape(face.shape)
        assert out is not None and first is not None
    holds = list(holds)
    if len(faces) == 2:
        out = np.moveaxis(out, (-2, -1), faces)
        for d, a in enumerate(faces):
            holds[a] = Hold("block", first.step[d], 0, first.sample[d]) if first.step[d] > 1 else EVERY
    else:
        out = out.reshape((*out.shape[:-2], out.shape[-1]))
        a = faces[0]
        holds[a] = Hold("block", first.step[1], 0, first.sample[1]) if first.step[1] > 1 else EVERY
    return np.ascontiguousarray(out), holds


def describe_holds(holds: Sequence[Hold], shape: Sequence[int], dims: Sequence[str]) -> str:
    """What a copy holds, in words (shown under the exported view).

    >>> describe_holds([Hold("sample", 4, 1), Hold("block", 2), Hold("block", 2)], (64, 512, 512), ("D", "", ""))
    'blocks of 2×2 along axes 1 × 2, each the largest |x| of its block (NaN kept); every 4th index of axis 0 (D), from index 1'
    """
    if all(h.mode == "all" for h in holds):
        return "every value of the tensor"

    def axis(a: int) -> str:
        return f"axis {a} ({dims[a]})" if a < len(dims) and dims[a] else f"axis {a}"

    parts = []
    blocks = [a for a, h in enumerate(holds) if h.mode == "block"]
    if blocks:
        sizes = "×".join(str(holds[a].k) for a in blocks)
        where = f"axes {' × '.join(map(str, blocks))}" if len(blocks) > 1 else axis(blocks[0])
        text = f"blocks of {sizes} along {where}"
        if any(holds[a].read > 1 for a in blocks):
            reads = "×".join(str(holds[a].read) for a in blocks)
            text += f" (of every {reads}-th element, as the kernel samples a face too large to read whole)"
        parts.append(f"{text}, each the largest |x| of its block (NaN kept)")
    for a, h in enumerate(holds):
        if h.mode == "sample":
            parts.append(f"every {_ordinal(h.k)} index of {axis(a)}, from index {h.origin}")
    return "; ".join(parts)


def _ordinal(k: int) -> str:
    suffix = "th" if 11 <= k % 100 <= 13 else {1: "st", 2: "nd", 3: "rd"}.get(k % 10, "th")
    return f"{k}{suffix}"


# -- payloads: what a file holds of one widget ---------------------------------------------------------------------


def tensor_view_payload(
    t: torch.Tensor, state: dict[str, Any], *, known: Known | None, budget_bytes: int
) -> dict[str, Any]:
    """A tensor view's export: its traits (``state``), the copy of its values and the NaN/inf it knows of, in at most
    about ``budget_bytes`` of JSON."""
    shape = tuple(int(n) for n in t.shape)
    traits = dtype_traits(t.dtype)
    dims = [str(d) for d in state.get("dims") or [""] * len(shape)]
    face_axes = [int(a) for a in state.get("face_axes") or list(range(max(0, len(shape) - 2), len(shape)))]
    index = [int(i) for i in state.get("index") or [0] * len(shape)]
    found = known.found if known is not None else None
    nonfinite: dict[str, Any] = {
        "indices": [list(i) for i in found.indices[:KNOWN_LIMIT]] if found else [],
        "kinds": list(found.kinds[:KNOWN_LIMIT]) if found else [],
        "total": found.total if found else None,
    }
    held: dict[str, Any] = {
        "shape": list(shape),
        "encoding": traits.encoding or "uint8",
        "held": list(shape),
        "axes": [EVERY.to_json() for _ in shape],
        "values": None,
        "refusal": _refusal(t, traits),
        "sample_reads": t.layout == torch.strided,
        "names": dims,
    }
    scan_state = dict(state.get("nonfinite") or {})
    if isinstance(scan_state.get("file"), str):  # a memory-mapped tensor's file: its name, not the user's path
        scan_state["file"] = os.path.basename(scan_state["file"])
    payload: dict[str, Any] = {
        "kind": "tensor-view",
        "state": {**state, "nonfinite": scan_state, "error": state.get("error") or ""},
        "held": held,
        "nonfinite": nonfinite,
        "summary": "",
    }
    if held["refusal"] is None:
        # room for the values: what the rest takes (and a summary) aside, base64 holds 3 bytes in 4 characters
        room = (budget_bytes - len(dumps(payload)) - 1024) * 3 // 4
        itemsize = ENCODING_DTYPE[held["encoding"]].itemsize
        holds, cells = plan_holds(shape, face_axes, index, itemsize, room)
        values, holds = held_copy(t, holds, face_axes, cells, known)
        held["held"] = list(values.shape) if values.ndim == len(shape) else list(shape)
        held["axes"] = [h.to_json() for h in holds]
        held["values"] = base64.b64encode(values.astype(values.dtype.newbyteorder("<"), copy=False).tobytes()).decode()
        what = describe_holds(holds, shape, dims)
        summary = f"This file holds {what}"
        if any(h.mode != "all" for h in holds):
            summary += (
                ", within its size budget: zooming shows exact values down to those blocks, and a face asked finer "
                "says what the file holds"
            )
        summary += "."
    else:
        summary = f"This file holds no values: {held['refusal']}."
    if found is not None and found.total:
        listed = len(nonfinite["indices"])
        summary += f" Go to next steps through the {listed} NaN/inf it lists" + (
            f" (the first of {found.total})." if listed < found.total else "."
        )
    scan = (state.get("nonfinite") or {}).get("state")
    if scan == "skipped":
        summary += " NaN/inf were not counted (a memory-mapped tensor): counting needs the kernel."
    payload["summary"] = summary
    return payload


def op_player_payload(
    steps: Sequence[Any], state: dict[str, Any], *, budget_bytes: int, frames: Any = step_frames
) -> dict[str, Any]:
    """An op player's export: its traits and each step's reply (meta and base64 buffers) until about ``budget_bytes``
    of JSON are spent: the step it opens on first, then the others in order; the steps after are left out (and say
    so when shown)."""
    timeline = [_without_paths(entry) for entry in state.get("timeline") or []]
    payload: dict[str, Any] = {
        "kind": "op-player",
        "state": {**state, "timeline": timeline},
        "steps": [],
        "left_out": None,
        "summary": "",
    }
    used = len(dumps(payload)) + 1024
    n = len(steps)
    current = int(state.get("current") or 0)
    # the step the player opens on first (a failing step, often), then the others in order
    order = ([current] if 0 <= current < n else []) + [i for i in range(n) if i != current]
    held: dict[int, Any] = {}
    for i in order:
        try:
            f = frames(steps[i])
            entry: Any = {
                "meta": jsonable(f.meta),
                "buffers": [
                    base64.b64encode(np.ascontiguousarray(b).reshape(-1).tobytes()).decode() for b in f.buffers
                ],
            }
        except Exception as err:  # the player shows the error the kernel would have sent
            entry = {"error": f"{type(err).__name__}: {err}"}
        size = len(dumps(entry)) + 2
        if used + size > budget_bytes:
            break
        used += size
        held[i] = entry
    payload["steps"] = [held.get(i) for i in range(n)]
    kept = _ranges(sorted(held))
    left = _ranges([i for i in range(n) if i not in held])
    summary = f"This file holds {'its step' if n == 1 else f'all {n} steps'}: it plays, steps and scrubs offline."
    if left:
        payload["left_out"] = (
            f"step {{step}} is not in this exported file: its size budget was spent on steps {kept} "
            "(export it with a larger budget_bytes to play every step)"
            if held
            else "step {step} is not in this exported file: its size budget is too small for any step"
        )
        summary = (
            f"This file holds steps {kept} of {n}; steps {left} were left out to keep it within its size budget "
            "(they say so when shown)."
            if held
            else f"This file holds none of the {n} steps: its size budget is too small."
        )
    missing = [i for i, e in held.items() if "error" in e]
    if missing:
        summary += f" Steps {', '.join(map(str, sorted(missing)))} could not be drawn when exported."
    payload["summary"] = summary
    return payload


def _ranges(ids: Sequence[int]) -> str:
    """``[0, 1, 2, 5, 7, 8]`` -> ``"0–2, 5, 7–8"``."""
    parts: list[str] = []
    for i in ids:
        if parts and int(parts[-1].split("–")[-1]) == i - 1:
            parts[-1] = f"{parts[-1].split('–')[0]}–{i}"
        else:
            parts.append(str(i))
    return ", ".join(parts)


def memory_monitor_payload(state: dict[str, Any]) -> dict[str, Any]:
    """A memory monitor's export: its figures as they were (a static picture)."""
    when = datetime.datetime.now().astimezone().strftime("%Y-%m-%d %H:%M %Z").strip()
    return {
        "kind": "memory-monitor",
        "state": jsonable(state),
        "summary": f"A static picture of the figures when exported ({when}); its buttons need the kernel.",
    }


def _without_paths(entry: Any) -> Any:
    """A step summary whose source file is named by its base name only (a file may be shared: no user's paths)."""
    if not isinstance(entry, dict) or not isinstance(entry.get("source"), dict):
        return entry
    source = dict(entry["source"])
    if isinstance(source.get("file"), str):
        source["file"] = os.path.basename(source["file"])
    return {**entry, "source": source}


def _mb(n: int) -> str:
    return f"{n / 1e6:.3g} MB"


# -- JSON and the page ---------------------------------------------------------------------------------------------


def jsonable(value: Any) -> Any:
    """``value`` as plain JSON: bytes become ``{BYTES_MARKER: base64}`` (the file turns them into DataViews, as a
    kernel's binary buffers arrive), numpy scalars numbers, tuples lists, non-finite floats null."""
    if isinstance(value, (bytes, bytearray, memoryview)):
        return {BYTES_MARKER: base64.b64encode(bytes(value)).decode()}
    if isinstance(value, dict):
        return {str(k): jsonable(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [jsonable(v) for v in value]
    if isinstance(value, np.ndarray):
        return jsonable(value.tolist())
    if isinstance(value, np.generic):
        return jsonable(value.item())
    if isinstance(value, float) and not math.isfinite(value):
        return None
    if value is None or isinstance(value, (str, int, float, bool)):
        return value
    return str(value)


def dumps(value: Any) -> str:
    """JSON safe inside ``<script type="application/json">``: every ``<`` escaped."""
    return json.dumps(jsonable(value), separators=(",", ":"), allow_nan=False).replace("<", "\\u003c")


def bundle() -> str:
    """The standalone bundle's text (raises when the frontend was not built)."""
    if not _BUNDLE.exists():
        raise RuntimeError(f"tensorviz: {_BUNDLE.name} is missing; build the frontend with `npm run build` in js/")
    text = _BUNDLE.read_text(encoding="utf-8")
    return text.replace("</script", "<\\/script")


def stylesheet() -> str:
    return _CSS.read_text(encoding="utf-8") if _CSS.exists() else ""


PAGE_CSS = """
body { margin: 0; padding: 24px; font: 14px/1.5 system-ui, -apple-system, "Segoe UI", Roboto, sans-serif;
       color: #1f2328; background: #ffffff; }
main { max-width: 1200px; margin: 0 auto; }
.tv-file-head h1 { font-size: 18px; margin: 0 0 4px; }
.tv-file-head p, .tv-file-note { color: #57606a; font-size: 12px; margin: 4px 0 16px; max-width: 90ch; }
.tv-file { margin: 8px 0 24px; }
.tv-file-error { color: #d32f2f; }
"""


def widget_html(payload: dict[str, Any], wid: str) -> str:
    """One widget's place in a page: its host and its data (mounted by the bundle)."""
    return (
        f'<div class="tv-file" data-tensorviz-export="{html.escape(wid)}"></div>\n'
        f'<script type="application/json" id="{html.escape(wid)}">{dumps(payload)}</script>\n'
    )


def document(title: str, body: str, *, extra_css: str = "") -> str:
    """A whole page: the CSP, the stylesheet, ``body``, then the bundle (which mounts every widget in the body)."""
    return (
        '<!doctype html>\n<html lang="en">\n<head>\n<meta charset="utf-8">\n'
        f'<meta http-equiv="Content-Security-Policy" content="{CSP}">\n'
        '<meta name="viewport" content="width=device-width, initial-scale=1">\n'
        f'<meta name="generator" content="tensorviz {_version()}">\n'
        f"<title>{html.escape(title)}</title>\n"
        f"<style>{stylesheet()}</style>\n<style>{PAGE_CSS}{extra_css}</style>\n</head>\n<body>\n<main>\n"
        f"{body}</main>\n<script>{bundle()}</script>\n</body>\n</html>\n"
    )


def _version() -> str:
    from . import __version__

    return __version__


def payload_of(widget: Any, budget_bytes: int) -> dict[str, Any]:
    """The export of a tensorviz widget (any object with ``_export_payload(budget_bytes)``)."""
    make = getattr(widget, "_export_payload", None)
    if make is None:
        raise TypeError(
            f"save_html exports a tensor, a trace, a TensorView, OpPlayer or MemoryMonitor; got {type(widget).__name__}"
        )
    return make(budget_bytes)


def save_html(
    widget: Any, path: str | os.PathLike[str], budget_bytes: int = BUDGET, title: str | None = None
) -> pathlib.Path:
    """Write ``widget`` as one self-contained HTML file of at most about ``budget_bytes`` (see the module's doc).

    Returns the path written. The file needs nothing else: open it from disk, offline, in any modern browser.
    """
    from .exports_client import check_path

    out = check_path(path, "html")
    if not isinstance(budget_bytes, int) or isinstance(budget_bytes, bool) or budget_bytes <= 0:
        raise ValueError(f"budget_bytes must be a positive number of bytes (e.g. 8_000_000); got {budget_bytes!r}")
    title = title or _title(widget)
    head = (
        f'<header class="tv-file-head"><h1>{html.escape(title)}</h1>'
        f"<p>Exported from tensorviz {html.escape(_version())}: this file works offline, with no kernel.</p></header>\n"
    )
    overhead = len(document(title, head + widget_html({}, "tv-file-1")).encode())
    if overhead >= budget_bytes:
        raise ValueError(f"budget_bytes={budget_bytes} is smaller than the page itself ({overhead} bytes): give more")
    room = budget_bytes - overhead
    for _ in range(8):
        text = document(title, head + widget_html(payload_of(widget, room), "tv-file-1"))
        if len(text.encode()) <= budget_bytes:
            break
        room = room * 4 // 5  # a copy a little over: hold less
    else:  # pragma: no cover - the payloads keep to their room
        raise RuntimeError(f"could not keep the export within budget_bytes={budget_bytes}")
    out.write_text(text, encoding="utf-8")
    return pathlib.Path(path)


def _title(widget: Any) -> str:
    kind = type(widget).__name__
    info = getattr(widget, "info", None)
    if isinstance(info, dict) and info.get("shape") is not None:
        return f"{info.get('dtype', 'tensor')} tensor of shape {list(info['shape'])} on {info.get('device', 'n/a')}"
    if kind == "OpPlayer":
        n = len(getattr(widget, "timeline", []) or [])
        return f"op player: {n} traced step{'s' if n != 1 else ''}"
    if kind == "MemoryMonitor":
        return "memory monitor"
    return "tensorviz"


def bundle_ok(text: str) -> list[str]:
    """What in a bundle's or page's script text could reach the network (empty: nothing). The SVG namespace URI is a
    name, not a request, and a method called ``fetch`` is the player's own."""
    import re

    problems = []
    for pattern, what in (
        (r"\bimport\s*\(", "a dynamic import()"),
        (r"\bXMLHttpRequest\b", "XMLHttpRequest"),
        (r"\bWebSocket\b", "a WebSocket"),
        (r"\bEventSource\b", "an EventSource"),
        (r"\bimportScripts\b", "importScripts"),
        (r"\bsendBeacon\b", "sendBeacon"),
        (r"(?<![\w.$])fetch\s*\((?![^()]*\)\s*\{)", "a global fetch()"),
    ):
        if re.search(pattern, text):
            problems.append(what)
    for url in re.findall(r"(?:https?:)?//[\w.-]+\.[a-z]{2,}[^\s\"'`)]*", text):
        if not url.startswith(("http://www.w3.org/", "//www.w3.org/")):
            problems.append(f"a URL: {url[:80]}")
    return problems
