"""Record the torch operations a block of code runs, as plain data: ``with tv.trace() as tr: ...``.

A :class:`~torch.overrides.TorchFunctionMode` sees every torch function, Tensor method, operator and
attribute op (``x.T``) called inside the block; nothing in torch is patched, and nothing is left
behind when the block ends. Each op becomes a frozen :class:`Step`: its name and kind, the metadata of
its tensor operands and results (:class:`TensorMeta`: shape, strides, dtype, device, storage, axis
names), its other arguments as given, whether the result is a view and why, the user's source line,
the ``nn.Module`` it ran in, and the error when it failed. Attribute reads (``x.shape``, ``x.dtype``),
``repr`` and ``.item()`` are not steps. The user's code gets exactly the results and the exceptions it
would get without tracing: a failing op is recorded as a step with its :class:`StepError` and the very
same exception object is re-raised.

>>> import torch
>>> x = torch.arange(24.0).view(2, 3, 4)
>>> with trace(dims={x: "N H W"}) as tr:
...     y = x.permute(0, 2, 1).reshape(2, -1)
>>> [(s.op, s.output.shape, s.is_view) for s in tr.steps]
[('permute', (2, 4, 3), True), ('reshape', (2, 12), False)]
>>> tr.steps[1].why
'reshape of a non-contiguous tensor copies: no strides can read its elements in the new order'
>>> tr.steps[1].output.dims, tr.steps[1].args
(('N', '(W H)'), {'shape': [2, -1]})

What is kept, and what is not
-----------------------------
Tracing keeps metadata, not tensors. For the pictures, :meth:`Step.values` gives the values of an
operand or result *as they were when the op ran*:

* a tensor of at most ``keep_elements`` (:data:`KEEP_ELEMENTS`) elements is cloned when recorded, on
  its own device and detached; an in-place op's inputs are cloned *before* it runs. A tensor object
  already kept at the same ``_version`` (the output of one step is usually the input of the next) is
  not cloned again. The result of a data-movement, element-wise or reduction op (``view``, ``permute``,
  ``x[0]``, ``cat``, ``x + y``, ``x.sum(0)``...) whose inputs are kept is not cloned at all: ``values()``
  replays the op on the kept inputs, which gives back exactly its values (a small reduction runs in one
  deterministic pass). Clones stop once they hold :data:`KEEP_BYTES` in all.
* a larger tensor is kept only as a weak reference with its ``_version``: ``values()`` returns the live
  tensor while it is alive and unchanged, else ``None``. Tracing never keeps a big tensor alive and
  never copies it.

Index arguments (a key tensor, a mask, a ``gather`` index) of at most 10**6 elements are cloned so
that :meth:`Step.sources` can replay the op; element provenance is computed on demand (see
:mod:`tensorviz.provenance`). Modes are per thread: ops run by other threads are not recorded.
"""

from __future__ import annotations

import linecache
import os
import sys
import weakref
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import asdict, dataclass, field, fields, replace
from typing import Any

import torch
from torch.overrides import TorchFunctionMode
from torch.utils.module_tracker import ModuleTracker

from .dtypes import dtype_name
from .einops_steps import API as EINOPS_API
from .einops_steps import einops_dir, explain_error, side_names, split_pattern
from .explain import explain
from .ops import (
    ATTRIBUTE_OPS,
    KEEP_INDEX_ELEMENTS,
    QUERIES,
    SHAPE_ONLY,
    Kept,
    Slot,
    bind,
    func_name,
    json_args,
    notes_of,
    op_name,
    parse_dims,
    propagate_dims,
    resolve_kind,
    spec_of,
    why_of,
)

KEEP_ELEMENTS = 4096  # tensors up to this many elements are cloned for the pictures
KEEP_BYTES = 64 << 20  # clones stop (weak references only from then on) once they hold this much per trace
_MAX_DERIVED = 16  # a view of a view of ... is cloned after this many replays

__all__ = [
    "KEEP_BYTES",
    "KEEP_ELEMENTS",
    "Source",
    "Step",
    "StepError",
    "TensorMeta",
    "Trace",
    "trace",
]


@dataclass(frozen=True)
class TensorMeta:
    """What a tensor operand or result was when the op ran, without its values.

    ``storage`` identifies the memory (the storage's data pointer; ``None`` for meta, sparse or empty
    tensors): a view has the storage of its base. ``tid`` identifies the tensor *object* within the
    trace: the output of one step that is the input of a later one has the same ``tid``. ``dims`` are
    the axis names (``""`` when unnamed), carried through the ops from :func:`trace`'s ``dims`` and
    :meth:`Trace.name`.
    """

    shape: tuple[int, ...]
    strides: tuple[int, ...] | None
    dtype: str
    device: str
    storage: int | None
    storage_offset: int | None
    is_contiguous: bool
    numel: int
    nbytes: int
    requires_grad: bool
    tid: int
    dims: tuple[str, ...]


@dataclass(frozen=True)
class Source:
    """Where the user's code called the op: the first frame outside torch and tensorviz."""

    file: str
    line: int
    function: str
    code: str  # the line's text, stripped ("" when the file cannot be read)


@dataclass(frozen=True)
class StepError:
    """Why a step failed: the exception's type name and torch's own message.

    ``explanation``, ``axes`` (the axes in conflict, as ``(input index, axis)`` pairs) and ``fix`` are
    for a later explainer; the recorder leaves them ``None``.
    """

    type: str
    message: str
    explanation: str | None = None
    axes: tuple[tuple[int, int], ...] | None = None
    fix: str | None = None
    picture: dict[str, Any] | None = None


class _Private:
    """What a step needs to replay itself and show its values; not part of its plain data."""

    __slots__ = ("args", "func", "keys", "kwargs", "provenance", "spec_bound", "store")

    def __init__(
        self,
        store: _Store,
        func: Callable[..., Any],
        args: tuple[Any, ...],
        kwargs: dict[str, Any],
        provenance: str | None,
        bound: dict[str, Any],
        keys: tuple[Any, ...],
    ) -> None:
        self.store = store
        self.func = func
        self.args = args
        self.kwargs = kwargs
        self.provenance = provenance
        self.spec_bound = bound
        self.keys = keys

    def __deepcopy__(self, memo: dict[int, Any]) -> _Private:
        return self  # kept tensors and weak references are shared, never copied


@dataclass(frozen=True)
class Step:
    """One recorded op, as plain data.

    ``op`` is the name the user wrote (``"reshape"``, ``"getitem"``, ``"add"`` for ``x + y`` and
    ``2 + x``, ``"add_"`` for ``x += y``, ``"T"`` for ``x.T``); ``func`` is where it lives
    (``"torch.Tensor.reshape"``); ``kind`` its family (see :data:`tensorviz.ops.KINDS`). ``inputs`` are
    the tensor operands in call order, ``outputs`` every tensor result and ``output`` the first one
    (``None`` when the op failed or made no tensor). ``args`` holds the other arguments as given, as
    JSON-able data (a shape keeps its ``-1``; a reflected operator such as ``2 - x`` has
    ``"reflected": True``). ``is_view`` says whether the result shares storage with an input (``None``
    without a result), ``why`` says so in words. ``module`` is the ``nn.Module`` the op ran in
    (``"features.0 (Conv2d)"``).
    """

    index: int
    op: str
    kind: str
    func: str
    inputs: tuple[TensorMeta, ...]
    output: TensorMeta | None
    outputs: tuple[TensorMeta, ...]
    args: dict[str, Any]
    is_view: bool | None
    why: str
    source: Source | None
    module: str | None
    error: StepError | None
    notes: tuple[str, ...]
    _private: _Private | None = field(default=None, repr=False, compare=False)
    # the torch ops one einops call ran, when this step is that call (its pattern is in ``args``)
    details: tuple[Step, ...] = field(default=(), repr=False)

    def sources(self, output: int = 0) -> list[torch.Tensor]:
        """Where each element of ``outputs[output]`` comes from: one int64 tensor per input.

        Each has shape ``output.shape + (k,)`` and holds flat (row-major) indices into that input,
        ``-1`` where the input gives nothing. See :func:`tensorviz.provenance.sources`.

        >>> import torch
        >>> with trace() as tr:
        ...     y = torch.cat([torch.zeros(2), torch.ones(1)])
        >>> [s.flatten().tolist() for s in tr.steps[-1].sources()]
        [[0, 1, -1], [-1, -1, 0]]
        """
        from .provenance import sources

        if self.details:
            return compose_sources(self)
        return sources(self, output)

    def values(self, role: str, i: int = 0) -> torch.Tensor | None:
        """The values of input or output ``i`` as they were when the op ran, or ``None``.

        Only strided tensors with values have them (not meta or sparse ones). Small tensors were kept when
        recorded; a large one is returned live only while it is alive and
        unchanged since (see the module docs). The tensor returned is the caller's to keep.

        >>> import torch
        >>> x = torch.zeros(3)
        >>> with trace() as tr:
        ...     _ = x.add_(1)
        >>> tr.steps[0].values("input").tolist(), tr.steps[0].values("output").tolist()
        ([0.0, 0.0, 0.0], [1.0, 1.0, 1.0])
        """
        if role not in ("input", "output"):
            raise ValueError(f"role must be 'input' or 'output'; got {role!r}")
        if not isinstance(i, int) or isinstance(i, bool):
            raise TypeError(f"i must be the number of an {role} (an int, 0 for the first); got {i!r}")
        metas = self.inputs if role == "input" else self.outputs
        if not 0 <= i < len(metas):
            raise IndexError(f"step {self.index} ({self.op}) has {len(metas)} {role}s; got {role} {i}")
        if self.details:  # an einops call: its first op's input, its last op's output
            inner = self.details[0] if role == "input" else self.details[-1]
            if role == "output" and inner.output is None:
                return None
            return inner.values(role, i)
        private = self._private
        if private is None or metas[i].device == "meta" or metas[i].strides is None:
            return None  # meta tensors have no values; sparse and other layouts are not kept
        key = private.keys[i if role == "input" else len(self.inputs) + i]
        with torch._C.DisableTorchFunction():
            value = private.store.value(key)
            if value is None or tuple(value.shape) != metas[i].shape:
                return None
            return value

    def summary(self) -> str:
        """One line: op, shapes in and out, module, error.

        >>> import torch
        >>> with trace() as tr:
        ...     _ = torch.zeros(2, 3).sum(0)
        >>> tr.steps[1].summary()
        'sum  [2, 3] -> [3]'
        """
        ins = ", ".join(str(list(m.shape)) for m in self.inputs)
        outs = ", ".join(str(list(m.shape)) for m in self.outputs)
        text = f"{self.op}  {ins}" + (f" -> {outs}" if outs else "")
        if self.module:
            text += f"  in {self.module}"
        if self.error is not None:
            first = self.error.message.splitlines()[0] if self.error.message else ""
            text += f"  !! {self.error.type}: {first}"
        return text

    def to_json(self) -> dict[str, Any]:
        """Plain JSON-able dict (tuples become lists), as sent to the frontend."""
        data: dict[str, Any] = {}
        for f in fields(self):
            if f.name.startswith("_"):
                continue
            value = getattr(self, f.name)
            if f.name == "details":  # the torch ops an einops call ran, as one line each
                value = [d.summary() for d in value]
            elif isinstance(value, (TensorMeta, Source, StepError)):
                value = _listify(asdict(value))
            elif isinstance(value, tuple):
                value = [_listify(asdict(v)) if isinstance(v, TensorMeta) else v for v in value]
            data[f.name] = value
        return data


def _listify(value: Any) -> Any:
    if isinstance(value, (tuple, list)):
        return [_listify(v) for v in value]
    if isinstance(value, dict):
        return {k: _listify(v) for k, v in value.items()}
    return value


class _Handle(weakref.ref):  # type: ignore[type-arg]
    """A weak reference to a tensor seen by the trace, with what the trace knows about it."""

    __slots__ = ("key", "meta", "meta_version", "tid", "vkey")

    key: int
    tid: int
    meta_version: int | None
    meta: tuple[Any, ...]
    vkey: tuple[int, int] | None


# A record is one flat tuple of plain values (no per-op objects for the garbage collector to walk):
# (function id, args template, kwargs template, operand paths, input metas, output metas, value keys,
#  source id, module label, error (type name, message) or None). A naming is (-1, tid, dims).
_FID, _ARGS, _KWARGS, _HOLES, _INPUTS, _OUTPUTS, _KEYS, _SOURCE, _MODULE, _ERROR = range(10)


class _Store:
    """The record of a trace and the values it keeps, shared by the trace and its steps."""

    def __init__(self) -> None:
        self.log: list[tuple[Any, ...]] = []
        self.funcs: list[tuple[Callable[..., Any], str, bool]] = []
        self.sources: list[Source | None] = [None]
        # (tid, version) -> a clone, a weak _Handle (big tensors), or (record, output, depth): an output
        # that a replay of its op on its inputs' kept values gives back.
        self.snaps: dict[Any, Any] = {}
        self.kept_bytes = 0
        self.unversioned = 0  # keys of tensors without a version counter count down from -1
        # record index -> the einops call that ran it: (call id, function, pattern, other arguments)
        self.groups: dict[int, tuple[int, str, str, dict[str, Any]]] = {}
        # einops calls that failed before running a torch op: (records before it, call, input, error, source)
        self.einops_errors: list[tuple[int, tuple[int, str, str, dict[str, Any]], Any, tuple[str, str], int]] = []

    def value(self, key: Any) -> torch.Tensor | None:
        """The values behind a key, as a tensor the caller may keep (call with torch functions off)."""
        entry = self.snaps.get(key) if key is not None else None
        if entry is None:
            return None
        if isinstance(entry, torch.Tensor):
            return entry.clone()
        if isinstance(entry, _Handle):
            t = entry()
            if t is None:
                return None
            try:
                unchanged = t._version == key[1]
            except (RuntimeError, AttributeError):
                return None
            return t.detach() if unchanged else None
        return self._derive(*entry)

    def _derive(self, record: int, output: int, depth: int) -> torch.Tensor | None:
        rec = self.log[record]
        func = self.funcs[rec[_FID]][0]
        n_in = len(rec[_INPUTS])
        values = []
        for key in rec[_KEYS][:n_in]:
            v = self.value(key)
            if v is None:
                return None
            values.append(v)
        try:
            args, kwargs = fill_holes(rec[_ARGS], rec[_KWARGS], rec[_HOLES], values)
            args = tuple(_unkept(a) for a in args)
            kwargs = {k: _unkept(v) for k, v in kwargs.items()}
            result = func(*args, **kwargs)
        except Exception:
            return None
        if result is None and self.funcs[rec[_FID]][1] == "setitem":
            result = args[0]
        outs = [result] if isinstance(result, torch.Tensor) else [r for r in result if isinstance(r, torch.Tensor)]
        return outs[output].clone() if output < len(outs) else None


def _unkept(value: Any) -> Any:
    if isinstance(value, Kept):
        kept = value.replayable()
        if kept is None:
            raise ValueError("index argument not kept")
        return kept
    kind = type(value)
    if kind is list or kind is tuple:
        return kind(_unkept(v) for v in value)
    return value


def fill_holes(
    args: tuple[Any, ...], kwargs: Mapping[str, Any], holes: tuple[Any, ...], values: Sequence[Any]
) -> tuple[tuple[Any, ...], dict[str, Any]]:
    """Put ``values[i]`` back where operand ``i`` was in the recorded arguments.

    >>> fill_holes((None, 3), {}, (0,), ["x"])
    (('x', 3), {})
    >>> fill_holes(([None, None], 1), {}, ((0, 0), (0, 1)), ["a", "b"])
    ((['a', 'b'], 1), {})
    """
    out_args: list[Any] = list(args)
    out_kwargs = dict(kwargs)
    for i, path in enumerate(holes):
        if not isinstance(path, tuple):
            path = (path,)
        container: Any = out_kwargs if isinstance(path[0], str) else out_args
        _place(container, path, values[i])
    return tuple(out_args), out_kwargs


def _place(container: Any, path: tuple[Any, ...], value: Any) -> None:
    head = path[0]
    if len(path) == 1:
        container[head] = value
        return
    inner = container[head]
    copy = list(inner)
    _place(copy, path[1:], value)
    container[head] = type(inner)(copy)


_INTERNAL_DIRS = (
    os.path.dirname(os.path.abspath(torch.__file__ or "torch")) + os.sep,
    os.path.dirname(os.path.abspath(__file__)) + os.sep,
)
_MISSING = object()
_SKIP = ("skip",)
_modes_on = torch._C._is_torch_function_mode_enabled
_STRIDED = torch.strided


# Code of tensorviz functions that run the user's function (``tv.animate``): an op they issue themselves (the user
# passed ``torch.flatten``) is the user's.
_PASS_THROUGH: set[Any] = set()


def pass_through(fn: Callable[..., Any]) -> Callable[..., Any]:
    """Mark a tensorviz function whose torch calls are the user's (it calls a function the user gave)."""
    _PASS_THROUGH.add(fn.__code__)
    return fn


def _is_internal(filename: str) -> bool:
    return os.path.abspath(filename).startswith(_INTERNAL_DIRS) if filename and filename[0] != "<" else False


class _Mode(TorchFunctionMode):
    def __init__(self, recorder: Trace) -> None:
        super().__init__()
        self.recorder = recorder

    def __torch_function__(
        self,
        func: Callable[..., Any],
        types: Any,
        args: Sequence[Any] = (),
        kwargs: dict[str, Any] | None = None,
    ) -> Any:
        return self.recorder._on_call(func, args, kwargs or {})


class Trace:
    """The ops recorded by :func:`trace`. ``steps`` is a list of :class:`Step`.

    Tensors are keyed by object identity (torch tensors hash by identity), so ``dims`` may name
    tensors made before the block; :meth:`name` names tensors made inside it.
    """

    def __init__(self, dims: Mapping[torch.Tensor, Any] | None = None, keep_elements: int = KEEP_ELEMENTS) -> None:
        if not isinstance(keep_elements, int) or keep_elements < 0:
            raise ValueError(f"keep_elements must be an int >= 0; got {keep_elements!r}")
        self.keep_elements = keep_elements
        self._store = _Store()
        self._steps: list[Step] = []
        self._raw: list[tuple[int, Step]] = []  # (record index, step) before einops calls are grouped
        self._einops_seen = 0
        self._built = 0
        self._dims: dict[int, tuple[str, ...]] = {}
        self._metas: dict[tuple[int, tuple[str, ...]], TensorMeta] = {}  # raw tuples live in the log: ids are stable
        self._handles: dict[int, _Handle] = {}
        self._next_tid = 0
        self._ops: dict[Any, Any] = {}
        self._files: dict[str, int] = {}  # file -> 0 the user's, 1 torch or tensorviz, 2 einops
        self._einops = einops_dir()
        self._call_frame: Any = None  # the einops call the last op ran in (held, so its id is not reused)
        self._call: tuple[int, str, str, dict[str, Any]] | None = None
        self._calls = 0
        self._source_ids: dict[tuple[Any, int], int] = {}
        self._labels: dict[str, str] = {}
        self._root_labels: weakref.WeakKeyDictionary[torch.nn.Module, dict[str, str]] = weakref.WeakKeyDictionary()
        self._last_root: Any = None
        self._mode: _Mode | None = None
        self._tracker: ModuleTracker | None = None
        self._hook: Any = None
        self._drop = self._make_drop()
        if dims is not None:
            if not isinstance(dims, Mapping):
                raise TypeError(
                    f"dims must be a dict from tensor to axis names, e.g. {{x: 'N C H W'}}; got {type(dims).__name__}"
                )
            for t, names in dims.items():
                self.name(t, names)

    # -- the context manager --------------------------------------------------------------------

    def __enter__(self) -> Trace:
        if self._mode is not None:
            raise RuntimeError("this trace is already recording; start another with tv.trace()")
        # Registered before the tracker's own hooks, so it sees a root module before the tracker enters it.
        self._hook = torch.nn.modules.module.register_module_forward_pre_hook(self._on_module)
        tracker = ModuleTracker()
        tracker.__enter__()
        self._tracker = tracker
        mode = _Mode(self)
        try:
            mode.__enter__()
        except BaseException:
            tracker.__exit__(None, None, None)
            self._hook.remove()
            raise
        self._mode = mode
        return self

    def __exit__(self, *exc: Any) -> None:
        mode, tracker, hook = self._mode, self._tracker, self._hook
        self._mode = self._tracker = self._hook = self._last_root = None  # keep no model alive
        self._call_frame = self._call = None
        if exc and exc[0] is not None and exc[0].__name__ == "EinopsError":
            try:
                self._einops_failed(exc[1], exc[2])
            except Exception:  # never let the recorder change what the user sees
                pass
        try:
            if mode is not None:
                mode.__exit__(*exc)
        finally:
            if tracker is not None:
                tracker.__exit__(*exc)
            if hook is not None:
                hook.remove()

    # -- public ---------------------------------------------------------------------------------

    @property
    def steps(self) -> list[Step]:
        """The recorded steps, in order (built from the record when read). The torch ops one einops call ran
        are one step, with the ops as its ``details``."""
        store = self._store
        log = store.log
        grew = self._built < len(log) or len(store.einops_errors) != self._einops_seen
        while self._built < len(log):
            index = self._built
            rec = log[index]
            self._built += 1
            if rec[0] == -1:
                self._dims[rec[1]] = rec[2]
                continue
            self._raw.append((index, self._build(rec, len(self._raw))))
        if grew:
            self._einops_seen = len(store.einops_errors)
            self._steps = group_calls(self._raw, store.groups, self._einops_error_steps())
        return self._steps

    def _einops_error_steps(self) -> list[tuple[int, Step]]:
        out = []
        for at, call, (raw, key), error, sid in self._store.einops_errors:
            meta = self._meta(raw, _fit(self._dims.get(raw[_M_TID]), raw[_M_SHAPE]))
            out.append((at, failed_call(call, meta, key, error, self._store.sources[sid], self._store)))
        return out

    def name(self, x: torch.Tensor, dims: Any) -> torch.Tensor:
        """Name the axes of ``x`` from here on (``"N C H W"`` or a sequence); returns ``x``.

        >>> import torch
        >>> with trace() as tr:
        ...     x = tr.name(torch.zeros(2, 3), "B L")
        ...     y = x.unsqueeze(1)
        >>> tr.steps[-1].output.dims
        ('B', '', 'L')
        """
        if not isinstance(x, torch.Tensor):
            raise TypeError(f"name() takes a torch.Tensor and its axis names; got a {type(x).__name__}")
        names = parse_dims(dims, tuple(x.shape))
        self._store.log.append((-1, self._handle(x).tid, names))
        return x

    def table(self) -> str:
        """The steps as text, one line each: what a traced model's forward reads as."""
        return "\n".join(f"{s.index:>4}  {s.summary()}" for s in self.steps)

    def __len__(self) -> int:
        return len(self.steps)

    def __iter__(self) -> Iterator[Step]:
        return iter(self.steps)

    def __getitem__(self, i: int) -> Step:
        return self.steps[i]

    def player(self, start: int | None = None) -> Any:
        """An :class:`~tensorviz.OpPlayer` replaying these steps (it opens on a failing step, if any)."""
        from .widgets.op_player import OpPlayer  # the widget layer sits on this core, not the other way round

        return OpPlayer(self.steps, start=start)

    def _repr_mimebundle_(self, include: Any = None, exclude: Any = None) -> Any:
        # displaying a trace in a notebook shows its player; plain text keeps the repr
        bundle = self.player()._repr_mimebundle_(include=include, exclude=exclude)
        if isinstance(bundle, tuple):
            data, meta = bundle
            return {**data, "text/plain": repr(self)}, meta
        return bundle

    def __repr__(self) -> str:
        n = len(self.steps)
        state = "recording" if self._mode is not None else "done"
        return f"<tensorviz.Trace: {n} step{'s' if n != 1 else ''}, {state}>"

    # -- the hot path ---------------------------------------------------------------------------

    def _on_call(self, func: Callable[..., Any], args: Sequence[Any], kwargs: dict[str, Any]) -> Any:
        info = self._ops.get(func, _MISSING)
        if info is _MISSING:
            info = self._ops[func] = self._classify(func)
        if info is _SKIP or (info[1] == "type" and len(args) <= 1 and not kwargs):
            return func(*args, **kwargs)
        try:
            source = self._source()
        except Exception:  # never let the recorder break the user's code
            source = -1
        if source < 0:  # tensorviz's own op (or no telling whose): not a step
            return func(*args, **kwargs)
        try:
            operands, t_args, t_kwargs, holes = _split(args, kwargs, info[2], info[3], info[4], info[6])
            if info[7]:  # torch.tensor(data): keep a description of big data, not the data
                t_args = tuple(_describe(a) for a in t_args)
            tensor = self._tensor
            metas: list[Any] = []
            keys: list[Any] = []
            for t in operands:
                meta, key = tensor(t, None)
                metas.append(meta)
                keys.append(key)
            inputs = tuple(metas)
            tracker = self._tracker
            module = None
            if tracker is not None and len(tracker.parents) > 1:
                # the innermost module: each name extends its parent's ("Net", "Net.features", ...)
                name = max(tracker.parents, key=_depth)
                module = self._labels.get(name, name)
        except Exception:  # never let the recorder break the user's code
            return func(*args, **kwargs)
        log = self._store.log
        try:
            result = func(*args, **kwargs)
        except Exception as err:
            log.append((info[0], t_args, t_kwargs, holes, inputs, (), tuple(keys), source, module, _error(err)))
            if self._call is not None:
                self._store.groups[len(log) - 1] = self._call
            _note(err, len([r for r in log if r[0] != -1]) - 1, info[1])
            raise
        try:
            if isinstance(result, torch.Tensor):
                outs: Sequence[Any] = (result,)
            elif isinstance(result, (tuple, list)):
                outs = [r for r in result if isinstance(r, torch.Tensor)]
            elif info[1] == "setitem" and operands:
                outs = (operands[0],)
            else:
                outs = ()
            view: list[Any] | None = None
            if info[5] and (not (info[2] or info[3]) or _all_kept(t_args, t_kwargs)):
                view = [len(log), 0, keys[: len(inputs)]]
            metas = []
            for t in outs:
                meta, key = tensor(t, view)
                metas.append(meta)
                keys.append(key)
                if view is not None:
                    view[1] += 1
            log.append((info[0], t_args, t_kwargs, holes, inputs, tuple(metas), tuple(keys), source, module, None))
        except Exception:
            log.append((info[0], t_args, t_kwargs, holes, inputs, (), tuple(keys), source, module, None))
        if self._call is not None:
            self._store.groups[len(log) - 1] = self._call
        return result

    def _classify(self, func: Callable[..., Any]) -> Any:
        """``_SKIP`` for attribute reads and queries, else ``(function id, op, index positions, index
        keywords, keep index tensors, derive values, shape-only index, creation)`` — once per function."""
        raw_name = getattr(func, "__name__", None)
        if raw_name in QUERIES:
            return _SKIP
        op, reflected = op_name(func)
        if raw_name in ("__get__", "__set__") and op not in ATTRIBUTE_OPS:
            return _SKIP
        spec = spec_of(op)
        index_pos = frozenset(p for p, name in enumerate(spec.params) if name in spec.index)
        replay = spec.provenance == "replay"
        derive = spec.provenance in ("replay", "elementwise", "reduction") and op not in _NOT_DERIVED
        fid = len(self._store.funcs)
        self._store.funcs.append((func, op, reflected))
        return (fid, op, index_pos, spec.index, replay, derive, op in SHAPE_ONLY, spec.kind == "creation")

    def _handle(self, t: torch.Tensor) -> _Handle:
        key = id(t)
        h = self._handles.get(key)
        if h is None or h() is not t:
            h = _Handle(t, self._drop)
            h.key = key
            h.tid = self._next_tid
            self._next_tid += 1
            h.meta_version = None
            h.vkey = None
            self._handles[key] = h
        return h

    def _tensor(self, t: torch.Tensor, view: list[Any] | None) -> tuple[tuple[Any, ...], Any]:
        """The metadata of ``t`` now (read again only when its version changed) and the key under which
        its values are kept (see the module docs). ``view`` is ``[record, output, input keys]`` when a
        replay of the op gives the output back."""
        handles = self._handles
        ident = id(t)
        h = handles.get(ident)
        if h is None or h() is not t:
            h = handles[ident] = _Handle(t, self._drop)
            h.key = ident
            h.tid = self._next_tid
            self._next_tid += 1
            h.meta_version = h.vkey = None
        try:
            version: int | None = t._version
        except (RuntimeError, AttributeError):  # inference tensors have no version counter
            version = None
        if version is None or h.meta_version != version:
            meta = h.meta = _raw_meta(t, h.tid)
            h.meta_version = version
            key = h.vkey = (h.tid, version) if version is not None else None
        else:
            meta, key = h.meta, h.vkey
        store = self._store
        if key is None:  # no version counter (inference tensors): every state is kept on its own
            store.unversioned -= 1
            key = (h.tid, store.unversioned)
        snaps = store.snaps
        if key in snaps:
            return meta, key
        numel = meta[_M_NUMEL]
        if numel > self.keep_elements or meta[_M_STRIDES] is None or t.is_meta:
            snaps[key] = h
            return meta, key
        if view is not None:
            derived = self._derived(view)
            if derived is not None:
                snaps[key] = derived
                return meta, key
        nbytes = numel * meta[_M_DTYPE].itemsize
        if store.kept_bytes + nbytes > KEEP_BYTES:
            snaps[key] = h
            return meta, key
        try:
            if type(t) is torch.Tensor and not _modes_on():
                # no other mode, no subclass: a plain clone (detached only when it has a graph to keep out)
                snaps[key] = t.detach().clone() if meta[_M_GRAD] else t.clone()
            else:
                with torch._C.DisableTorchFunction():
                    snaps[key] = t.detach().clone()
        except Exception:
            return meta, None
        store.kept_bytes += nbytes
        return meta, key

    def _derived(self, view: list[Any]) -> tuple[int, int, int] | None:
        """``(record, output, depth)`` when a replay of the op on its kept inputs gives back its output
        exactly (data movement and element-wise ops), else ``None`` (the output is cloned)."""
        record, output, keys = view
        snaps = self._store.snaps
        depth = 0
        for key in keys:
            entry = snaps.get(key) if key is not None else None
            if entry is None or isinstance(entry, _Handle):
                return None
            if type(entry) is tuple and entry[2] > depth:
                depth = entry[2]
        if depth >= _MAX_DERIVED:
            return None
        return (record, output, depth + 1)

    def _make_drop(self) -> Callable[[_Handle], None]:
        handles = self._handles

        def drop(ref: _Handle) -> None:
            if handles.get(ref.key) is ref:
                del handles[ref.key]

        return drop

    def _source(self) -> int:
        """The id of the user's source line: the first frame outside torch, tensorviz and einops. Passing an
        einops ``rearrange``/``reduce``/``repeat`` frame on the way marks the op as part of that call.

        ``-1`` when tensorviz itself ran the op (``tv.show`` inside the block reads statistics): not a step. The
        frames that call the user's function (:func:`pass_through`) count as the user's."""
        frame = sys._getframe(3)  # the caller of _Mode.__torch_function__
        files = self._files
        call_frame = None
        inside_torch = True  # only torch frames seen so far
        while frame is not None:
            code = frame.f_code
            where = files.get(code.co_filename)
            if where is None:
                where = files[code.co_filename] = self._where(code.co_filename)
            if not where:
                break
            if where == 3 and inside_torch and code not in _PASS_THROUGH:
                return -1
            if where != 1:
                inside_torch = False
            if where == 2 and code.co_name in EINOPS_API:
                call_frame = frame  # the outermost one wins: rearrange calls reduce
            frame = frame.f_back  # type: ignore[assignment]
        if call_frame is not None or self._call is not None:
            self._mark_call(call_frame)
        if frame is None:
            return 0
        key = (code, frame.f_lineno)
        sid = self._source_ids.get(key)
        if sid is None:
            line = frame.f_lineno or 0
            text = linecache.getline(code.co_filename, line, frame.f_globals).strip()
            sources = self._store.sources
            sid = self._source_ids[key] = len(sources)
            sources.append(Source(code.co_filename, line, code.co_name, text))
        return sid

    def _where(self, filename: str) -> int:
        """0 the user's, 1 torch, 2 einops, 3 tensorviz."""
        if self._einops and filename.startswith(self._einops):
            return 2
        if not _is_internal(filename):
            return 0
        return 3 if os.path.abspath(filename).startswith(_INTERNAL_DIRS[1]) else 1

    def _mark_call(self, frame: Any) -> None:
        """Remember which einops call (if any) the op being recorded belongs to."""
        if frame is None:
            self._call = None
            self._call_frame = None
            return
        if frame is not self._call_frame:
            loc = frame.f_locals
            extra = {k: v for k, v in (loc.get("axes_lengths") or {}).items() if isinstance(v, (int, str))}
            if frame.f_code.co_name == "reduce" and isinstance(loc.get("reduction"), str):
                extra["reduction"] = loc["reduction"]
            self._calls += 1
            self._call = (self._calls, frame.f_code.co_name, str(loc.get("pattern", "")), extra)
            self._call_frame = frame

    def _on_module(self, module: torch.nn.Module, args: Any) -> None:
        tracker = self._tracker
        if tracker is None or len(tracker.parents) > 1 or module is self._last_root:
            return
        labels = self._root_labels.get(module)
        if labels is None:
            root = type(module).__name__
            labels = {root: root}
            for path, sub in module.named_modules():
                if path:
                    labels[f"{root}.{path}"] = f"{path} ({type(sub).__name__})"
            self._root_labels[module] = labels
        self._labels.update(labels)
        self._last_root = module

    def _einops_failed(self, err: BaseException, tb: Any) -> None:
        """An einops call that failed in its own checks (before any torch op): keep it as a failing step."""
        frame = None
        while tb is not None:  # outermost first: the user's call into einops
            f = tb.tb_frame
            if self._where(f.f_code.co_filename) == 2 and f.f_code.co_name in EINOPS_API:
                frame = f
                break
            tb = tb.tb_next
        if frame is None:
            return
        tensor = frame.f_locals.get("tensor")
        if not isinstance(tensor, torch.Tensor):
            return
        self._mark_call(frame)
        call = self._call
        self._call = self._call_frame = None
        assert call is not None
        if any(g[0] == call[0] for g in self._store.groups.values()):
            return  # a torch op inside the call failed: that step has it already
        meta, key = self._tensor(tensor, None)
        caller = frame.f_back
        sid = 0
        if caller is not None:
            code = caller.f_code
            sources = self._store.sources
            sid = len(sources)
            line = caller.f_lineno or 0
            sources.append(Source(code.co_filename, line, code.co_name, linecache.getline(code.co_filename, line).strip()))
        self._store.einops_errors.append((len(self._store.log), call, (meta, key), _error(err), sid))
        _note(err, len(self.steps) - 1, call[1])

    # -- building steps from the record ---------------------------------------------------------

    def _meta(self, raw: tuple[Any, ...], dims: tuple[str, ...]) -> TensorMeta:
        """The :class:`TensorMeta` of a raw metadata tuple, shared when the same tensor state comes back
        (the output of one step is usually the input of the next)."""
        key = (id(raw), dims)
        meta = self._metas.get(key)
        if meta is None:
            meta = self._metas[key] = _meta(raw, dims)
        return meta

    def _build(self, rec: tuple[Any, ...], index: int) -> Step:
        store = self._store
        func, op, reflected = store.funcs[rec[_FID]]
        spec = spec_of(op)
        slots = [Slot(i) for i in range(len(rec[_INPUTS]))]
        args, kwargs = fill_holes(rec[_ARGS], rec[_KWARGS], rec[_HOLES], slots)
        bound = bind(spec, args, kwargs)
        kind, provenance = resolve_kind(op, spec, bound)
        dims_of = self._dims
        meta = self._meta
        inputs = tuple(meta(m, _fit(dims_of.get(m[_M_TID]), m[_M_SHAPE])) for m in rec[_INPUTS])
        out_shapes = [tuple(m[_M_SHAPE]) for m in rec[_OUTPUTS]]
        out_dims = propagate_dims(op, kind, bound, inputs, out_shapes)
        outputs = tuple(meta(m, d) for m, d in zip(rec[_OUTPUTS], out_dims, strict=True))
        for m in outputs:
            dims_of[m.tid] = m.dims
        output = outputs[0] if outputs else None
        is_view: bool | None = None
        same = False
        if output is not None:
            storages = {m.storage for m in inputs if m.storage is not None}
            same = any(output.tid == m.tid for m in inputs)
            is_view = same or (output.storage is not None and output.storage in storages)
        json = json_args(bound)
        if reflected:
            json["reflected"] = True
        error = StepError(*rec[_ERROR]) if rec[_ERROR] is not None else None
        if error is not None:
            error = explain(op, kind, inputs, json, error, rec[_MODULE])
        why = why_of(op, kind, is_view, same, inputs, bound)
        notes = notes_of(op, kind, bound, inputs, out_shapes) if error is None else ()
        return Step(
            index=index,
            op=op,
            kind=kind,
            func=func_name(func),
            inputs=inputs,
            output=output,
            outputs=outputs,
            args=json,
            is_view=is_view,
            why=why,
            source=store.sources[rec[_SOURCE]],
            module=rec[_MODULE],
            error=error,
            notes=notes,
            _private=_Private(store, func, args, kwargs, provenance, bound, rec[_KEYS]),
        )


Call = tuple[int, str, str, dict[str, Any]]


def group_calls(raw: list[tuple[int, Step]], calls: dict[int, Call], failed: list[tuple[int, Step]]) -> list[Step]:
    """The steps as the user sees them: the ops of one einops call become one step (``details`` keeps them), einops
    calls that failed before any torch op come in where they happened, and every step is numbered in order."""
    out: list[Step] = []
    pending = sorted(failed, key=lambda e: e[0])
    e = i = 0
    while i < len(raw):
        at, step = raw[i]
        while e < len(pending) and pending[e][0] <= at:
            out.append(pending[e][1])
            e += 1
        call = calls.get(at)
        if call is None:
            out.append(step)
            i += 1
            continue
        members = []
        while i < len(raw) and calls.get(raw[i][0], (None,))[0] == call[0]:
            members.append(raw[i][1])
            i += 1
        out.append(einops_step(call, members))
    out.extend(p[1] for p in pending[e:])
    return [s if s.index == k else replace(s, index=k) for k, s in enumerate(out)]


def _named(meta: TensorMeta | None, side: str) -> TensorMeta | None:
    """The pattern's names on a tensor the user did not name (einops names its axes in the pattern)."""
    if meta is None or any(meta.dims):
        return meta
    names = side_names(side)
    if len(names) != len(meta.shape) or "..." in names:
        return meta
    return replace(meta, dims=names)


def einops_step(call: Call, members: list[Step]) -> Step:
    """One einops call, from the torch ops it ran."""
    _, name, pattern, extra = call
    left, right = split_pattern(pattern)
    first, last = members[0], members[-1]
    inputs = tuple(m for m in (_named(first.inputs[0], left),) if m is not None) if first.inputs else ()
    output = _named(last.output, right)
    error = next((m.error for m in members if m.error is not None), None)
    if error is not None and inputs:
        text, axes, fix = explain_error(name, pattern, inputs[0].shape, extra)
        if text:
            error = replace(error, explanation=text, axes=tuple(axes) if axes else None, fix=fix)
    views = [m.is_view for m in members]
    is_view = None if output is None or None in views else all(views)
    ops = ", ".join(m.op for m in members)
    why = f"einops {name} ran {len(members)} torch op{'s' if len(members) != 1 else ''} ({ops})"
    if is_view is not None:
        why += ": all views of the same storage" if is_view else ": a new tensor"
    return Step(
        index=0, op=name, kind="einops", func=f"einops.{name}", inputs=inputs, output=output,
        outputs=(output,) if output is not None else (), args={"pattern": pattern, **extra}, is_view=is_view,
        why=why, source=first.source, module=first.module, error=error, notes=(f"pattern {pattern}",),
        _private=None, details=tuple(members),
    )  # fmt: skip


def failed_call(call: Call, meta: TensorMeta, key: Any, error: tuple[str, str], source: Source | None, store: _Store) -> Step:
    """An einops call that failed in its own checks, before it ran any torch op."""
    _, name, pattern, extra = call
    left, _ = split_pattern(pattern)
    named = _named(meta, left) or meta
    text, axes, fix = explain_error(name, pattern, meta.shape, extra)
    err = StepError(error[0], error[1], text, tuple(axes) if axes else None, fix)
    return Step(
        index=0, op=name, kind="einops", func=f"einops.{name}", inputs=(named,), output=None, outputs=(),
        args={"pattern": pattern, **extra}, is_view=None, why=f"einops {name} checks the pattern against the shape",
        source=source, module=None, error=err, notes=(f"pattern {pattern}",),
        _private=_Private(store, None, (), {}, None, {}, (key,)),  # type: ignore[arg-type]
    )  # fmt: skip


def compose_sources(step: Step) -> list[torch.Tensor]:
    """Element paths of a chain of one-input ops (an einops call): each op's paths followed back to the first
    input. ``k`` multiplies along the chain (a reduction after a reshape gathers ``k`` elements)."""
    src: torch.Tensor | None = None
    prev = None
    shape: tuple[int, ...] = ()
    for st in step.details:
        if len(st.inputs) != 1 or st.output is None or (prev is not None and st.inputs[0].tid != prev):
            raise NotImplementedError(f"{step.op} '{step.args.get('pattern')}' is not a chain of one-input ops")
        cur = st.sources()[0]
        k = cur.shape[-1] if cur.dim() else 1
        flat = cur.reshape(-1, k)
        if src is None:
            src = flat
        else:
            gathered = src[flat.clamp(min=0)]  # (n, k, k_before)
            gathered[flat < 0] = -1
            src = gathered.reshape(flat.shape[0], -1)
        prev = st.output.tid
        shape = st.output.shape
    if src is None:
        raise NotImplementedError(f"{step.op} ran no torch op")
    return [src.reshape(*shape, src.shape[-1])]


def trace(dims: Mapping[torch.Tensor, Any] | None = None, *, keep_elements: int = KEEP_ELEMENTS) -> Trace:
    """Record the torch ops run inside ``with tv.trace() as tr:`` into ``tr.steps``.

    ``dims`` names the axes of tensors made before the block: ``{x: "N C H W"}`` (keyed by the tensor
    object). With einops installed, each ``rearrange``/``reduce``/``repeat`` call is one step (its torch ops are
    the step's ``details``); an einops call that fails in its own checks, before running a torch op, is recorded
    when its error leaves the block. ``keep_elements`` is the size up to which operands and results are cloned for
    :meth:`Step.values`.

    >>> import torch
    >>> x = torch.zeros(2, 3)
    >>> with trace() as tr:
    ...     try:
    ...         x.view(4, 2)
    ...     except RuntimeError:
    ...         pass
    >>> tr.steps[0].error.message
    "shape '[4, 2]' is invalid for input of size 6"
    """
    return Trace(dims, keep_elements=keep_elements)


# -------------------------------------------------------------------------------------------------
# Helpers of the hot path


# Replays that might not give back the very same values: scatter/index_put with repeated indices are
# undefined in order, as_strided/set_ read the storage rather than the tensor.
_NOT_DERIVED = frozenset({"scatter", "scatter_", "index_put", "index_put_", "as_strided", "set_", "resize_"})


def _all_kept(args: tuple[Any, ...], kwargs: dict[str, Any]) -> bool:
    """Whether every index argument was kept, so a replay can give the output's values back."""
    return all(_kept(a) for a in args) and all(_kept(v) for v in kwargs.values())


def _kept(value: Any) -> bool:
    if isinstance(value, Kept):
        return value.tensor is not None or value.shape_only
    if type(value) is list or type(value) is tuple:
        return all(_kept(v) for v in value)
    return True


def _depth(name: str) -> int:
    return -1 if name == "Global" else len(name)


def _note(err: BaseException, index: int, op: str) -> None:
    """Say where the picture of the failure is (the exception itself, its type and message, stay torch's)."""
    add = getattr(err, "add_note", None)  # Python >= 3.11
    if add is not None:
        try:
            add(f"tensorviz: step {index} ({op}) failed; display the trace (tv.trace) to see it drawn and explained")
        except Exception:
            pass


# an outer trace sees the op an inner trace's recorder runs for the user as the user's
pass_through(Trace._on_call)


def _error(err: BaseException) -> tuple[str, str]:
    """The exception as text only: keeping the object would keep the user's frames (and tensors) alive."""
    try:
        return type(err).__name__, str(err)
    except Exception:
        return type(err).__name__, ""


def _split(
    args: Sequence[Any],
    kwargs: dict[str, Any],
    index_pos: frozenset[int],
    index_kw: frozenset[str],
    replay: bool,
    shape_only: bool = False,
) -> tuple[list[torch.Tensor], tuple[Any, ...], dict[str, Any], tuple[Any, ...]]:
    """Take the tensor operands out of the arguments: ``(operands, args, kwargs, holes)``.

    An operand's place becomes ``None`` and its path (a position, a keyword, or a tuple of them into a
    list) goes to ``holes``; index tensors become :class:`~tensorviz.ops.Kept`.
    """
    keep = replay and not shape_only
    operands: list[torch.Tensor] = []
    holes: list[Any] = []
    t_args = list(args)
    for p, a in enumerate(args):
        if isinstance(a, torch.Tensor):
            if p in index_pos:
                t_args[p] = _keep_index(a, keep, shape_only)
            else:
                operands.append(a)
                holes.append(p)
                t_args[p] = None
        elif (type(a) is list or type(a) is tuple) and a:
            t_args[p] = _split_seq(a, (p,), operands, holes, p in index_pos, keep)
    t_kwargs = kwargs
    if kwargs:
        t_kwargs = {}
        for k, v in kwargs.items():
            if isinstance(v, torch.Tensor):
                if k in index_kw:
                    t_kwargs[k] = _keep_index(v, keep, shape_only)
                else:
                    operands.append(v)
                    holes.append(k)
                    t_kwargs[k] = None
            elif (type(v) is list or type(v) is tuple) and v:
                t_kwargs[k] = _split_seq(v, (k,), operands, holes, k in index_kw, keep)
            else:
                t_kwargs[k] = v
    return operands, tuple(t_args), t_kwargs, tuple(holes)


def _split_seq(
    seq: Any, path: tuple[Any, ...], operands: list[torch.Tensor], holes: list[Any], as_index: bool, replay: bool
) -> Any:
    out: list[Any] | None = None
    for j, v in enumerate(seq):
        if isinstance(v, torch.Tensor):
            if out is None:
                out = list(seq)
            if as_index:
                out[j] = _keep_index(v, replay)
            else:
                operands.append(v)
                holes.append((*path, j))
                out[j] = None
        elif (type(v) is list or type(v) is tuple) and v:
            inner = _split_seq(v, (*path, j), operands, holes, as_index, replay)
            if inner is not v:
                if out is None:
                    out = list(seq)
                out[j] = inner
    return seq if out is None else type(seq)(out)


def _describe(value: Any) -> Any:
    """``value`` itself when small, else a few words about it (a trace must not keep a dataset alive).

    >>> _describe([1, 2]), _describe(list(range(100)))
    ([1, 2], 'list of 100 items')
    """
    if type(value) in (list, tuple) and len(value) > 16:
        return f"{type(value).__name__} of {len(value)} items"
    shape = getattr(value, "shape", None)
    if shape is not None and hasattr(value, "__array__") and not isinstance(value, torch.Tensor):
        return f"{type(value).__module__}.{type(value).__qualname__} of shape {tuple(shape)}"
    return value


def _keep_index(t: torch.Tensor, replay: bool, shape_only: bool = False) -> Kept:
    shape = tuple(t.shape)
    if shape_only:
        return Kept(None, shape, t.dtype, shape_only=True)
    if replay and t.numel() <= KEEP_INDEX_ELEMENTS and t.layout == torch.strided and t.device.type != "meta":
        with torch._C.DisableTorchFunction():
            return Kept(t.detach().clone(), shape, t.dtype)
    return Kept(None, shape, t.dtype)


# The raw metadata tuple: what the hot path reads off a tensor (the rest is derived when steps are built).
_M_SHAPE, _M_STRIDES, _M_DTYPE, _M_DEVICE, _M_STORAGE, _M_OFFSET, _M_GRAD, _M_TID, _M_NUMEL = range(9)


def _raw_meta(t: torch.Tensor, tid: int) -> tuple[Any, ...]:
    """(shape, strides, dtype, device, storage, offset, requires_grad, tid, numel): plain values, read
    once per tensor version. The hot path of recording: each read here is a call into torch, so it reads
    the cheapest attributes (``is_meta`` rather than ``device.type``, the ``torch.Size`` as it is)."""
    strides: tuple[int, ...] | None = None
    offset: int | None = None
    if t.layout is _STRIDED:  # sparse tensors answer stride() with zeros: ask only strided ones
        try:
            strides, offset = t.stride(), t.storage_offset()  # type: ignore[assignment]
        except (RuntimeError, NotImplementedError):
            strides = offset = None
    dtype = t.dtype
    storage: int | None = None
    if strides is not None and not t.is_meta:
        try:  # where the storage starts: the same number as untyped_storage().data_ptr(), read faster
            ptr = t.data_ptr()  # 0 for an empty tensor, even a view of a non-empty storage
            storage = ptr - offset * dtype.itemsize if ptr else t.untyped_storage().data_ptr() or None  # type: ignore[operator]
        except (RuntimeError, NotImplementedError, TypeError):
            storage = None
    return (t.shape, strides, dtype, t.device, storage, offset, t.requires_grad, tid, t.numel())


_DEVICE_NAMES: dict[torch.device, str] = {}


def _meta(m: tuple[Any, ...], dims: tuple[str, ...]) -> TensorMeta:
    device = _DEVICE_NAMES.get(m[_M_DEVICE])
    if device is None:
        device = _DEVICE_NAMES[m[_M_DEVICE]] = str(m[_M_DEVICE])
    shape, strides, numel = tuple(m[_M_SHAPE]), m[_M_STRIDES], m[_M_NUMEL]
    return TensorMeta(
        shape=shape,
        strides=tuple(strides) if strides is not None else None,
        dtype=dtype_name(m[_M_DTYPE]),
        device=device,
        storage=m[_M_STORAGE],
        storage_offset=m[_M_OFFSET],
        is_contiguous=strides is not None and is_contiguous(shape, strides),
        numel=numel,
        nbytes=numel * m[_M_DTYPE].itemsize,
        requires_grad=m[_M_GRAD],
        tid=m[_M_TID],
        dims=dims,
    )


def is_contiguous(shape: Sequence[int], strides: Sequence[int]) -> bool:
    """Row-major contiguity as torch defines it (strides of size-1 axes do not matter).

    >>> is_contiguous((2, 3), (3, 1)), is_contiguous((2, 3), (1, 2)), is_contiguous((2, 1), (1, 7))
    (True, False, True)
    """
    if 0 in shape:
        return True
    expected = 1
    for size, stride in zip(reversed(shape), reversed(strides), strict=True):
        if size != 1 and stride != expected:
            return False
        expected *= size
    return True


def _fit(dims: tuple[str, ...] | None, shape: Sequence[int]) -> tuple[str, ...]:
    return dims if dims is not None and len(dims) == len(shape) else ("",) * len(shape)
