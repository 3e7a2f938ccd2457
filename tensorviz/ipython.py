"""Auto display: after ``%load_ext tensorviz``, a tensor that a cell returns is drawn as a TensorView.

The extension registers one function with IPython's display formatter (the mime-bundle formatter, for
``torch.Tensor`` and its subclasses) and nothing else. That formatter is what IPython consults when a cell's last
expression is a tensor or when ``display(t)`` is called; ``print``, ``repr``, ``str``, f-strings and logging never
reach it, so they read as before. The bundle holds the widget and, beside it, the ``text/plain`` IPython would have
shown without the extension (torch's own repr), so text-only front ends, saved notebooks and ``nbconvert --to
markdown`` keep the numbers.

What is drawn, and what stays text:

* **0-d tensors stay text.** A scalar (``loss``, ``t.sum()``) reads best as a number; ``tv.show(t)`` draws one cell
  if wanted.
* **Every other tensor gets a view**, huge ones too: a view reads only the faces it draws, reduced on the tensor's
  device, so a 10⁹-element tensor opens about as fast as a small one (NaN/inf are counted in the background).
  Meta tensors, storage-only dtypes (``bits8``, ``uint1``, …) and other tensors without readable values show their
  structure: shape, axes, strides, dtype, device. Where torch itself cannot print such a tensor, ``text/plain`` says
  so in one line instead of staying empty.
* **A tensor the view cannot show** (its constructor raises, e.g. a nested tensor) **falls back to plain text**,
  exactly as without the extension.
* **Containers stay text.** A list, tuple or dict of tensors prints as before; ``tv.show(batch)`` draws every part.
* A tensor subclass with its own ``_repr_mimebundle_`` keeps it.

As with ``tv.show``, each view holds its tensor until the view is closed (``view.close()``); IPython's output
history (``Out``, ``_``) holds every returned tensor anyway. ``%unload_ext tensorviz`` puts back exactly what the
formatter had for ``torch.Tensor`` before (nothing, or a function registered earlier) and leaves views already drawn
as they are. Loading twice changes nothing; importing tensorviz alone registers nothing.
"""

from __future__ import annotations

import weakref
from typing import Any

import torch

WIDGET_MIME = "application/vnd.jupyter.widget-view+json"

_MISSING = object()

# Per mime-bundle formatter (one per shell): the function registered and what the formatter held before.
_LOADED: weakref.WeakKeyDictionary[Any, tuple[Any, Any]] = weakref.WeakKeyDictionary()


class TensorFormatter:
    """The function registered for ``torch.Tensor``: a tensor in, a mime bundle (or None: plain text) out."""

    def __init__(self, shell: Any) -> None:
        self._shell = weakref.ref(shell)

    def __call__(self, obj: Any) -> Any:
        try:
            return self._bundle(obj)
        except Exception:  # whatever happens, the cell shows the text it always showed
            return None

    def _bundle(self, t: Any) -> Any:
        own = _own_mimebundle(t)
        if own is not None:
            return own()
        if not isinstance(t, torch.Tensor) or t.dim() == 0:
            return None
        from .widgets.tensor_view import TensorView

        view = TensorView(t)  # raises for a tensor the view cannot show (e.g. nested): plain text then
        try:
            shown = view._repr_mimebundle_()
            data = dict((shown[0] if isinstance(shown, tuple) else shown) or {})
            if WIDGET_MIME not in data:
                raise RuntimeError("the view gave no widget to display")
            data["text/plain"] = self._plain_text(t)  # torch's text, not the widget's
        except Exception:
            view.close()  # not displayed: it must not keep the tensor
            raise
        return data

    def _plain_text(self, t: torch.Tensor) -> str:
        """What IPython shows as text without the extension (torch's repr), or one line when torch cannot print."""
        shell = self._shell()
        text = None
        if shell is not None:
            text = shell.display_formatter.formatters["text/plain"](t)
        if text is None:
            try:
                text = repr(t)
            except Exception:
                text = None
        if text is None or not str(text):
            return describe(t)
        return str(text)


def describe(t: torch.Tensor) -> str:
    """One line about a tensor whose values torch cannot print.

    >>> describe(torch.zeros(2, 3, dtype=torch.uint8).view(torch.bits8))
    'tensor of shape (2, 3), dtype=torch.bits8, device=cpu (torch cannot print its values)'
    """
    return f"tensor of shape {tuple(t.shape)}, dtype={t.dtype}, device={t.device} (torch cannot print its values)"


def _own_mimebundle(obj: Any) -> Any:
    """A tensor subclass's own ``_repr_mimebundle_`` (a registered formatter would otherwise hide it)."""
    method = getattr(type(obj), "_repr_mimebundle_", None)
    if method is None or not callable(method):
        return None
    return getattr(obj, "_repr_mimebundle_", None)


def _formatter(shell: Any) -> Any:
    return shell.display_formatter.mimebundle_formatter


def load_ipython_extension(shell: Any) -> None:
    """``%load_ext tensorviz``: every tensor a cell returns displays as a TensorView (see this module's doc)."""
    formatter = _formatter(shell)
    if formatter in _LOADED:
        return
    previous = formatter.type_printers.get(torch.Tensor, _MISSING)
    show = TensorFormatter(shell)
    # Set directly rather than through ``for_type``: its look-up would move a printer the user registered by name
    # (``for_type_by_name("torch", "Tensor", f)``) out of the deferred table, which could then not be put back as is.
    formatter.type_printers[torch.Tensor] = show
    _LOADED[formatter] = (show, previous)


def unload_ipython_extension(shell: Any) -> None:
    """``%unload_ext tensorviz``: the formatter holds for ``torch.Tensor`` exactly what it held before loading.

    If something else replaced tensorviz's function in the meantime, that is left in place.
    """
    formatter = _formatter(shell)
    entry = _LOADED.pop(formatter, None)
    if entry is None:
        return
    show, previous = entry
    if formatter.type_printers.get(torch.Tensor) is not show:
        return
    if previous is _MISSING:
        del formatter.type_printers[torch.Tensor]
    else:
        formatter.type_printers[torch.Tensor] = previous


def is_loaded(shell: Any) -> bool:
    """Whether auto display is on in ``shell``."""
    return _formatter(shell) in _LOADED
