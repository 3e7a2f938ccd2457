"""Thin anywidget classes: traits and message routing over the pure cores."""

from .tensor_view import TensorView

__all__ = ["TensorView"]
