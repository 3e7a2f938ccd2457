"""A batch as a DataLoader yields it — a tuple, list or dict of tensors — shown part by part, each part labeled.

``tv.show((images, labels))`` and ``tv.show({"image": x, "label": y})`` return a :class:`Batch`: one
:class:`~tensorviz.TensorView` per tensor part, labeled by its position (``0``, ``1``) or key (``image``), and
containers one level down are opened too (``inputs.ids`` for ``{"inputs": {"ids": ...}}``, ``0.1`` for
``((a, b), y)``). Parts that are not tensors (file names, ids, numbers) are shown as text.

Displayed in Jupyter (JupyterLab, Notebook 7, VS Code, Colab), a batch is a heading and a view per part, one output
after another. In marimo, where ipywidgets containers do not render, a batch displays as ``mo.vstack`` of the
headings and the views (each view is an anywidget, which marimo renders on its own); ``batch.views`` gives the views
to lay out differently, e.g. ``mo.hstack(list(batch.views.values()))``.
"""

from __future__ import annotations

import html
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, replace
from typing import Any

from .adapt import as_tensor
from .widgets.tensor_view import Dims, TensorView, _check_interval, parse_dims

# More parts than this is not a batch but a collection: stack it into one tensor (or show a few).
MAX_PARTS = 64
# How much of a non-tensor part's text is shown.
TEXT_LIMIT = 400

CONTAINERS = (tuple, list, Mapping)


@dataclass(frozen=True)
class Part:
    """One part of a batch: its label, where it sits, what it is and how it is shown."""

    label: str  # "0", "image", "inputs.ids"
    path: tuple[Any, ...]  # the positions / keys that reach it: (0,), ("image",), ("inputs", "ids")
    value: Any  # None once the batch is closed
    view: TensorView | None  # None for a part shown as text
    text: str | None  # what is shown for a part that is not drawn (and why, when it could not be)


def is_tensor_like(x: Any) -> bool:
    """What ``tv.show`` draws: a torch tensor, a numpy array, or anything exporting ``__dlpack__``."""
    import torch

    if isinstance(x, torch.Tensor):
        return True
    kind = type(x)
    if kind.__module__ == "numpy" and kind.__name__ == "ndarray":
        return True
    return hasattr(x, "__dlpack__") and not isinstance(x, type)


def _holds_tensors(x: Any, depth: int = 3) -> bool:
    """Whether a container holds a tensor within ``depth`` levels (deep enough to refuse a batch nested too far)."""
    items = x.values() if isinstance(x, Mapping) else x
    return any(
        is_tensor_like(v) or (depth > 1 and isinstance(v, CONTAINERS) and _holds_tensors(v, depth - 1)) for v in items
    )


def _entries(x: Any) -> list[tuple[Any, Any]]:
    """(key or position, value) pairs; a namedtuple's fields are named."""
    if isinstance(x, Mapping):
        return list(x.items())
    fields = getattr(type(x), "_fields", None) if isinstance(x, tuple) else None
    if fields and len(fields) == len(x):
        return list(zip(fields, x, strict=True))
    return list(enumerate(x))


def _kind(x: Any) -> str:
    kind = type(x)
    return kind.__qualname__ if kind.__module__ == "builtins" else f"{kind.__module__}.{kind.__qualname__}"


def _text(x: Any) -> str:
    try:
        text = repr(x)
    except Exception as err:  # a value that cannot say what it is still gets a line
        text = f"<{_kind(x)}: repr failed with {type(err).__name__}>"
    return text if len(text) <= TEXT_LIMIT else text[: TEXT_LIMIT - 1] + "…"


def _walk(batch: Any) -> list[tuple[tuple[Any, ...], Any]]:
    """(path, value) of every part, containers one level down opened; deeper tensors are refused."""
    parts: list[tuple[tuple[Any, ...], Any]] = []
    for key, value in _entries(batch):
        if isinstance(value, CONTAINERS) and value and _holds_tensors(value):
            for inner, item in _entries(value):
                if isinstance(item, CONTAINERS) and _holds_tensors(item):
                    raise ValueError(
                        f"tv.show opens a batch one level deep, but part {_label((key, inner))!r} is a "
                        f"{_kind(item)} holding tensors a level further down: show that part on its own, "
                        f"e.g. tv.show(batch[{key!r}][{inner!r}])"
                    )
                parts.append(((key, inner), item))
        else:
            parts.append(((key,), value))
    return parts


def _label(path: tuple[Any, ...]) -> str:
    return ".".join(str(k) for k in path)


class Batch:
    """Every part of a batch, each labeled and shown: a :class:`TensorView` per tensor, text for the rest.

    >>> import torch
    >>> b = Batch((torch.zeros(4, 1, 8, 8), torch.tensor([3, 1, 4, 1])))
    >>> list(b.views)
    ['0', '1']
    >>> b["1"].info["shape"]
    [4]
    >>> b.close()
    """

    def __init__(self, batch: Any, dims: Any = None, live: bool | float = False) -> None:
        if not isinstance(batch, CONTAINERS):
            raise TypeError(f"a batch is a tuple, list or dict of tensors; got a {_kind(batch)}")
        if not batch:
            raise ValueError(f"nothing to show: the {_kind(batch)} is empty")
        if len(batch) > MAX_PARTS:
            raise ValueError(
                f"a {_kind(batch)} of {len(batch)} items is more than a batch's parts (at most {MAX_PARTS} views): "
                f"stack them into one tensor (tv.show(torch.stack(items))) or show a few (tv.show(items[:4]))"
            )
        if not _holds_tensors(batch):
            raise TypeError(
                f"tv.show got a {_kind(batch)} with no tensor in it ({_text(batch)[:80]}): a batch needs at least "
                f"one tensor part; to draw these values as one tensor, pass torch.tensor(...) of them"
            )
        walked = _walk(batch)
        if len(walked) > MAX_PARTS:
            raise ValueError(f"this batch opens into {len(walked)} parts, more than {MAX_PARTS}: show fewer at once")
        per_part = _dims_per_part(dims, walked)
        interval = None if live is False or live is None else 0.5 if live is True else _check_interval(live)
        self._kind = _kind(batch)
        parts: list[Part] = []
        try:
            for path, value in walked:
                label = _label(path)
                parts.append(_part(label, path, value, per_part.get(label)))
        except BaseException:
            for made in parts:
                if made.view is not None:
                    made.view.close()
            raise
        self.parts: tuple[Part, ...] = tuple(parts)
        if interval is not None:
            for view in self.views.values():
                view.watch(interval)

    @property
    def views(self) -> dict[str, TensorView]:
        """Label -> view, for every part drawn (in the batch's order)."""
        return {p.label: p.view for p in self.parts if p.view is not None}

    @property
    def labels(self) -> list[str]:
        """Every part's label, in order (those shown as text too)."""
        return [p.label for p in self.parts]

    def __getitem__(self, key: Any) -> TensorView:
        """The view of a part: by label (``"image"``, ``"0"``, ``"inputs.ids"``) or by key / position (``0``)."""
        for part in self.parts:
            if part.label == key or part.path == (key,) or part.path == key:
                if part.view is None:
                    raise KeyError(f"part {part.label!r} is shown as text, not as a view: {part.text}")
                return part.view
        raise KeyError(f"no part {key!r}; the parts are {', '.join(map(repr, self.labels))}")

    def __len__(self) -> int:
        return len(self.parts)

    def __iter__(self) -> Iterator[Part]:
        return iter(self.parts)

    def refresh(self) -> None:
        """Re-read every part's tensor (see :meth:`TensorView.refresh`), e.g. after numpy wrote into shared memory:
        torch's in-place ops refresh a view after the cell by themselves, numpy's writes are not seen by torch."""
        for view in self.views.values():
            view.refresh()

    def close(self) -> None:
        """Close every view; the batch lets go of every part (a closed batch keeps no tensor alive)."""
        for view in self.views.values():
            view.close()
        self.parts = tuple(replace(p, value=None) for p in self.parts)

    def __repr__(self) -> str:
        lines = [f"Batch of {len(self.parts)} parts ({self._kind}):"]
        for p in self.parts:
            if p.view is not None:
                info = p.view.info
                lines.append(f"  {p.label}: {info.get('dtype')} tensor of shape {info.get('shape')} (a TensorView)")
            else:
                lines.append(f"  {p.label}: {p.text}")
        return "\n".join(lines)

    # -- display ----------------------------------------------------------------------------------

    def _ipython_display_(self) -> None:
        """Jupyter: a heading and a view (or the text) per part, one output after another."""
        from IPython.display import display

        for part in self.parts:
            display(_heading(part), raw=True)
            if part.view is not None:
                display(part.view)

    def _display_(self) -> Any:
        """marimo: the headings and views stacked in one column (marimo renders each anywidget itself)."""
        import marimo as mo

        items: list[Any] = []
        for part in self.parts:
            bundle = _heading(part)
            items.append(mo.Html(bundle["text/html"]))
            if part.view is not None:
                items.append(part.view)
        return mo.vstack(items)


def _part(label: str, path: tuple[Any, ...], value: Any, dims: Dims) -> Part:
    if not is_tensor_like(value):
        if dims is not None:
            raise ValueError(f"dims were given for part {label!r}, but it is a {_kind(value)}, not a tensor")
        return Part(label, path, value, None, _text(value))
    try:
        tensor = as_tensor(value)
    except TypeError as err:  # e.g. a numpy array of strings: its text, and why
        return Part(label, path, value, None, f"{_text(value)}  (not drawn: {err})")
    if dims is not None:
        try:
            parse_dims(dims, tuple(tensor.shape))
        except (TypeError, ValueError) as err:
            raise type(err)(f"dims for part {label!r}: {err}") from None
    try:
        view = TensorView(tensor, dims=dims)
    except Exception as err:  # a tensor the view cannot show (e.g. a nested tensor): its text, and why
        return Part(label, path, value, None, f"{_text(value)}  (not drawn: {type(err).__name__}: {err})")
    return Part(label, path, value, view, None)


def _dims_per_part(dims: Any, walked: list[tuple[tuple[Any, ...], Any]]) -> dict[str, Dims]:
    """Axis names per part label, from a mapping keyed by label, key or position."""
    if dims is None:
        return {}
    if not isinstance(dims, Mapping):
        raise TypeError(
            "for a batch, give dims per part as a dict keyed by position or key, e.g. "
            "dims={0: 'N C H W', 1: 'N'} or dims={'image': 'N C H W'}"
        )
    labels = {_label(path): path for path, _ in walked}
    out: dict[str, Dims] = {}
    for key, names in dims.items():
        label = key if key in labels else _label(key) if isinstance(key, tuple) else str(key)
        if label not in labels:
            raise KeyError(f"dims names part {key!r}, but the batch's parts are {', '.join(map(repr, labels))}")
        out[label] = names
    return out


def _heading(part: Part) -> dict[str, str]:
    """The heading above a part, as a mime bundle (with the text of a part that is not drawn)."""
    label = html.escape(part.label)
    style = "font-family: var(--jp-code-font-family, monospace); margin: 6px 0 2px 0"
    if part.view is not None:
        return {
            "text/plain": part.label,
            "text/html": f'<div class="tensorviz-batch-label" style="{style}"><b>{label}</b></div>',
        }
    text = part.text or ""
    return {
        "text/plain": f"{part.label}: {text}",
        "text/html": (
            f'<div class="tensorviz-batch-label" style="{style}"><b>{label}</b> '
            f'<span style="white-space: pre-wrap">{html.escape(text)}</span></div>'
        ),
    }
