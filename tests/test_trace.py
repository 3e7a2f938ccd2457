"""The recorder: ``with trace() as tr`` lists the ops a block ran, as plain data, and changes nothing."""

from __future__ import annotations

import gc
import json
import subprocess
import sys
import textwrap
import weakref

import pytest
import torch

from tensorviz.tracing import KEEP_ELEMENTS, Step, StepError, Trace, trace


def ops(tr):
    return [s.op for s in tr.steps]


# -- the user's code runs exactly as without tracing --------------------------------------------------


def workload(x, y):
    return [
        x.view(6, 4),
        x.reshape(-1, 3),
        x + y,
        2 - x,
        x.T,
        x.mT,
        x[None],
        x[:, 0],
        x[x > 0],
        torch.cat([x, x], 1),
        x.sum(0),
        x.max(dim=1),
        x.split(2, 1),
        x.permute(1, 0).contiguous(),
        x.float().to(torch.float64),
        x.unsqueeze(0).expand(3, 6, 4),
        torch.einsum("ij,kj->ik", x, x),
        x.argmax(),
        torch.where(x > 0, x, y),
    ]


def test_results_are_the_same_objects_types_and_values_under_tracing():
    torch.manual_seed(0)
    x, y = torch.randn(6, 4), torch.randn(4)
    plain = workload(x, y)
    with trace() as tr:
        traced = workload(x, y)
    assert len(tr.steps) >= len(plain)
    for a, b in zip(plain, traced, strict=True):
        assert type(a) is type(b)
        if isinstance(a, torch.Tensor):
            assert torch.equal(a, b) and a.stride() == b.stride() and a.dtype == b.dtype
        else:
            assert all(torch.equal(p, q) for p, q in zip(a, b, strict=True))


def test_a_failing_op_raises_the_same_error_text_and_is_kept_as_a_step():
    x = torch.arange(12)
    with pytest.raises(RuntimeError) as plain:
        x.view(5, 3)
    with trace() as tr:
        with pytest.raises(RuntimeError) as traced:
            x.view(5, 3)
    assert type(traced.value) is type(plain.value) and str(traced.value) == str(plain.value)
    step = tr.steps[-1]
    assert step.op == "view" and step.output is None and step.outputs == ()
    assert (step.error.type, step.error.message) == ("RuntimeError", "shape '[5, 3]' is invalid for input of size 12")
    assert step.error.explanation == "12 elements cannot fill 5 × 3 = 15 places" and step.error.fix == "x.view(4, 3)"
    assert step.inputs[0].shape == (12,) and step.args == {"shape": [5, 3]}
    assert step.is_view is None


def test_the_exception_object_itself_is_re_raised():
    boom = ValueError("boom")

    def fail(_):
        raise boom

    with trace() as tr:
        with pytest.raises(ValueError) as info:
            torch.zeros(2).apply_(fail)
    assert info.value is boom
    assert tr.steps[-1].error == StepError("ValueError", "boom")


def test_a_failing_step_does_not_keep_the_exception_or_its_frames():
    def run():
        big = torch.zeros(1 << 20)
        try:
            big.view(3, -1)
        except RuntimeError as err:
            return weakref.ref(big), err

    with trace() as tr:
        ref, err = run()
    del err
    gc.collect()
    assert ref() is None
    assert tr.steps[-1].error is not None and tr.steps[-1].error.type == "RuntimeError"


def test_attribute_reads_and_conversions_to_python_are_not_steps(capsys):
    x = torch.randn(2, 3)
    with trace() as tr:
        _ = (x.shape, x.dtype, x.device, x.ndim, x.requires_grad, x.is_leaf, x.grad, x.layout, x.nbytes)
        _ = (len(x), repr(x), str(x), f"{x}", x.size(), x.size(0), x.stride(), x.dim(), x.numel())
        _ = (x.is_contiguous(), x.data_ptr(), x.element_size(), x.tolist(), x.type(), x.storage_offset())
        print(x)
    assert tr.steps == []
    with trace() as tr:
        v = x[0, 0].item()
        b = bool(x[0, 0] > 0)
    assert ops(tr) == ["getitem", "getitem", "gt"] and isinstance(v, float) and isinstance(b, bool)
    assert "tensor(" in capsys.readouterr().out


def test_operators_and_attribute_ops_are_named_as_the_user_wrote_them():
    x, y = torch.randn(2, 3), torch.randn(3)
    with trace() as tr:
        x + y
        2 + x
        2 - x
        x @ y
        _ = x.T
        _ = x.mT
        x[None]
        x[:, 0]
        x.view(3, 2)
        torch.cat([x, x])
        x.sum(0)
        z = x.clone()
        z += 1
        z[0] = 5
    assert ops(tr) == [
        "add", "add", "sub", "matmul", "T", "mT", "getitem", "getitem", "view", "cat", "sum", "clone", "add_", "setitem",
    ]  # fmt: skip
    steps = tr.steps
    assert steps[2].args == {"other": 2, "reflected": True}
    assert steps[4].func == "torch.Tensor.T" and steps[9].func == "torch.cat"
    assert steps[7].args == {"index": [":", 0]}
    assert [s.kind for s in steps[:4]] == ["elementwise"] * 3 + ["matmul"]
    assert steps[-1].output is not None and steps[-1].output.tid == steps[-1].inputs[0].tid


def test_other_arguments_are_kept_as_given_json_able():
    x = torch.arange(24.0).view(2, 3, 4)
    index = torch.tensor([1, 0])
    with trace() as tr:
        x.view(3, -1)
        x.reshape((-1, 4))
        x.permute(2, 0, 1)
        x.sum(dim=(0, 2), keepdim=True)
        x[1:, ..., ::2]
        x[index]
        x.to(torch.float16)
    args = [s.args for s in tr.steps]
    assert args[0] == {"shape": [3, -1]} and args[1] == {"shape": [-1, 4]}
    assert args[2] == {"dims": [2, 0, 1]}
    assert args[3] == {"dim": [0, 2], "keepdim": True}
    assert args[4] == {"index": ["1:", "...", "::2"]}
    assert args[5] == {"index": {"tensor": [2], "dtype": "int64", "values": [1, 0]}}
    assert args[6] == {"arg1": "float16"} and tr.steps[6].kind == "elementwise"
    for step in tr.steps:
        json.dumps(step.to_json())


# -- tensors, views and copies ------------------------------------------------------------------------


def test_tensors_made_before_the_block_are_seen_and_keep_their_identity():
    x = torch.randn(2, 3, 4)
    with trace() as tr:
        y = x.view(6, 4)
        z = y + 1
        w = x * 2
    a, b, c = tr.steps
    assert a.inputs[0].tid == c.inputs[0].tid  # x, twice
    assert b.inputs[0].tid == a.output.tid  # y, made by the first step
    assert a.inputs[0].storage == a.output.storage == x.untyped_storage().data_ptr()
    assert b.output.storage != a.output.storage
    m = a.inputs[0]
    assert (m.shape, m.strides, m.dtype, m.device, m.numel, m.nbytes) == (
        (2, 3, 4),
        (12, 4, 1),
        "float32",
        "cpu",
        24,
        96,
    )
    assert m.is_contiguous and m.storage_offset == 0 and not m.requires_grad
    del y, z, w


@pytest.mark.parametrize(
    ("fn", "is_view", "why"),
    [
        (lambda x: x.reshape(6, 4), True, "reshape of a contiguous tensor is a view"),
        (lambda x: x.view(4, 6), True, "view never copies"),
        (lambda x: x.transpose(0, 1).reshape(24), False, "reshape of a non-contiguous tensor copies"),
        (lambda x: x.permute(2, 0, 1), True, "permute is a view"),
        (lambda x: torch.cat([x, x]), False, "cat copies"),
        (lambda x: x[:, :1].expand(2, 5, 4), True, "stride 0"),
        (lambda x: x[0, 1:], True, "basic indexing"),
        (lambda x: x[[0, 1]], False, "advanced indexing"),
        (lambda x: x[x > 0], False, "advanced indexing"),
        (lambda x: x.contiguous(), True, "returns the tensor itself"),
        (lambda x: x.sum(1), False, "reduction"),
    ],
)
def test_is_view_and_why(fn, is_view, why):
    x = torch.randn(2, 3, 4)
    with trace() as tr:
        fn(x)
    step = tr.steps[-1]
    assert step.is_view is is_view and why in step.why, step.why


def test_permute_is_a_non_contiguous_view_and_expand_has_stride_zero():
    x = torch.randn(2, 1, 4)
    with trace() as tr:
        x.permute(2, 0, 1)
        x.expand(2, 3, 4)
    permute, expand = tr.steps
    assert permute.output.storage == permute.inputs[0].storage and not permute.output.is_contiguous
    assert expand.output.strides == (4, 0, 1) and expand.is_view


def test_notes_say_what_is_easy_to_miss():
    x, y = torch.randn(2, 3), torch.ones(3)
    with trace() as tr:
        x.squeeze(1)
        x.view(-1, 2)
        x + y
        torch.ones(2, 1) * torch.ones(1, 3)
    assert tr.steps[0].notes == ("squeeze(1) on an axis of size 3 does nothing",)
    assert tr.steps[1].notes == ("-1 was inferred as 3 (6 elements / 2)",)
    assert tr.steps[2].notes == (
        "input 1 of shape [3] was broadcast to [2, 3]: read with stride 0 along axis 0 of the output "
        "(no new memory: the same elements repeat)",
    )
    assert tr.steps[-1].notes == (
        "input 0 of shape [2, 1] was broadcast to [2, 3]: read with stride 0 along axis 1 of the output "
        "(no new memory: the same elements repeat)",
        "input 1 of shape [1, 3] was broadcast to [2, 3]: read with stride 0 along axis 0 of the output "
        "(no new memory: the same elements repeat)",
    )


# -- axis names ---------------------------------------------------------------------------------------


def test_axis_names_follow_their_axes_through_the_steps():
    x = torch.randn(2, 3, 8, 8)
    with trace(dims={x: "N C H W"}) as tr:
        y = x.permute(0, 2, 3, 1)  # N H W C
        z = y.reshape(2, 64, 3)  # N (H W) C
        s = z.sum(1)  # N C
        u = z.unflatten(1, (8, 8))  # N H W C again
        v = u.unsqueeze(0).squeeze(0)[:, 0]  # N W C
        w = torch.cat([v, v], dim=1)  # N W C
        m = s @ torch.randn(3, 5)  # N ''
    dims = [s_.output.dims for s_ in tr.steps if s_.output is not None and s_.op != "randn"]
    assert dims == [
        ("N", "H", "W", "C"),
        ("N", "(H W)", "C"),
        ("N", "C"),
        ("N", "H", "W", "C"),
        ("", "N", "H", "W", "C"),
        ("N", "H", "W", "C"),
        ("N", "W", "C"),
        ("N", "W", "C"),
        ("N", ""),
    ]
    assert tr.steps[0].inputs[0].dims == ("N", "C", "H", "W")
    del w, m


def test_name_names_tensors_made_inside_the_block():
    with trace() as tr:
        q = tr.name(torch.randn(2, 5, 16), "B T D")
        k = torch.randn(2, 5, 16)
        tr.name(k, ("B", "S", None))
        scores = q @ k.transpose(1, 2)
    assert tr.steps[-1].output.dims == ("B", "T", "S")
    assert scores.shape == (2, 5, 5)


def test_dims_must_match_the_rank_and_be_keyed_by_tensor():
    x = torch.zeros(2, 3)
    with pytest.raises(ValueError, match=r"names 3 axes.*shape \[2, 3\] has 2"):
        trace(dims={x: "A B C"})
    with pytest.raises(TypeError, match="dict from tensor"):
        trace(dims="A B")  # type: ignore[arg-type]
    with pytest.raises(TypeError, match=r"torch\.Tensor"):
        Trace().name([1, 2], "A")  # type: ignore[arg-type]


# -- where the op ran ---------------------------------------------------------------------------------


def test_source_is_the_users_line_outside_torch():
    x = torch.randn(4)
    with trace() as tr:
        y = torch.nn.functional.relu(x)  # a Python function in torch
        z = x.view(2, 2)
    for step, text in zip(tr.steps, ["y = torch.nn.functional.relu(x)", "z = x.view(2, 2)"], strict=True):
        assert step.source is not None
        assert (
            step.source.file == __file__
            and step.source.function == test_source_is_the_users_line_outside_torch.__name__
        )
        assert step.source.code.startswith(text)
    assert tr.steps[1].source.line == tr.steps[0].source.line + 1
    del y, z


class Net(torch.nn.Module):
    def __init__(self):
        super().__init__()
        self.features = torch.nn.Sequential(torch.nn.Conv2d(3, 4, 3), torch.nn.ReLU())
        self.head = torch.nn.Linear(4 * 6 * 6, 5)

    def forward(self, x):
        h = self.features(x)
        return self.head(h.flatten(1))


def test_a_traced_sequential_lists_its_ops_with_shapes_and_module_paths():
    model = torch.nn.Sequential(torch.nn.Conv2d(3, 4, 3), torch.nn.ReLU(), torch.nn.Flatten(), torch.nn.Linear(144, 5))
    x = torch.randn(2, 3, 8, 8)
    with trace() as tr:
        y = model(x)
    rows = [(s.op, s.kind, [m.shape for m in s.inputs], s.output.shape, s.module) for s in tr.steps]
    assert rows == [
        ("conv2d", "other", [(2, 3, 8, 8), (4, 3, 3, 3), (4,)], (2, 4, 6, 6), "0 (Conv2d)"),
        ("relu", "elementwise", [(2, 4, 6, 6)], (2, 4, 6, 6), "1 (ReLU)"),
        ("flatten", "reshape", [(2, 4, 6, 6)], (2, 144), "2 (Flatten)"),
        ("linear", "matmul", [(2, 144), (5, 144), (5,)], (2, 5), "3 (Linear)"),
    ]
    assert y.shape == (2, 5)
    assert "conv2d  [2, 3, 8, 8], [4, 3, 3, 3], [4] -> [2, 4, 6, 6]  in 0 (Conv2d)" in tr.table()


def test_module_paths_of_a_nested_model_and_its_forward_lines():
    net = Net()
    with trace() as tr:
        net(torch.randn(1, 3, 8, 8))
    modules = [(s.op, s.module) for s in tr.steps if s.op != "randn"]
    assert modules == [
        ("conv2d", "features.0 (Conv2d)"),
        ("relu", "features.1 (ReLU)"),
        ("flatten", "Net"),
        ("linear", "head (Linear)"),
    ]
    flatten = next(s for s in tr.steps if s.op == "flatten")
    assert flatten.source.function == "forward" and "h.flatten(1)" in flatten.source.code


# -- nothing left behind ------------------------------------------------------------------------------


def test_nothing_is_left_patched_after_the_block():
    hooks = dict(torch.nn.modules.module._global_forward_pre_hooks)
    post = dict(torch.nn.modules.module._global_forward_hooks)
    with trace():
        torch.ones(2) + 1
    assert torch.overrides._get_current_function_mode_stack() == []
    assert torch.tensor([torch.tensor(1.0)]).tolist() == [1.0]
    assert dict(torch.nn.modules.module._global_forward_pre_hooks) == hooks
    assert dict(torch.nn.modules.module._global_forward_hooks) == post


def test_the_block_ends_cleanly_when_the_users_code_raises():
    with pytest.raises(KeyError):
        with trace() as tr:
            torch.ones(2).sum()
            raise KeyError("user")
    assert torch.overrides._get_current_function_mode_stack() == []
    assert ops(tr) == ["ones", "sum"]


def test_nested_traces_both_record_and_unwind():
    x = torch.ones(3)
    with trace() as outer:
        x + 1
        with trace() as inner:
            x * 2
        x - 3
    assert ops(inner) == ["mul"]
    assert ops(outer) == ["add", "mul", "sub"]
    assert torch.overrides._get_current_function_mode_stack() == []


def test_a_trace_cannot_be_entered_twice_at_once():
    tr = trace()
    with tr:
        with pytest.raises(RuntimeError, match="already recording"):
            tr.__enter__()


def test_reading_values_and_sources_inside_the_block_records_nothing_more():
    x = torch.arange(6.0)
    with trace() as tr:
        y = x.view(2, 3)
        step = tr.steps[0]
        step.values("output")
        step.sources()
    assert ops(tr) == ["view"]
    del y


# -- values kept for the pictures ---------------------------------------------------------------------


def test_small_values_are_the_values_at_record_time():
    x = torch.zeros(2, 3)
    with trace() as tr:
        y = x + 1
        x.add_(5)  # in place: its input is kept before it runs
        v = y.view(3, 2)  # a view: replayed on the kept input, not cloned
        y.mul_(10)
    add, add_, view, mul_ = tr.steps
    assert add.values("input").tolist() == [[0.0] * 3] * 2
    assert add_.values("input").tolist() == [[0.0] * 3] * 2 and add_.values("output").tolist() == [[5.0] * 3] * 2
    assert view.values("output").tolist() == [[1.0, 1.0]] * 3
    assert mul_.values("output").tolist() == [[10.0] * 3] * 2
    assert view.values("output").data_ptr() != v.data_ptr()
    with pytest.raises(ValueError, match="role"):
        add.values("result")
    with pytest.raises(IndexError, match="1 inputs"):
        add.values("input", 1)


def test_a_tensor_kept_once_is_not_cloned_again_and_replayable_results_are_not_cloned():
    x = torch.randn(3, 4)
    with trace() as tr:
        y = x.sum(0)  # a reduction of a kept input: replayed from x when asked
        a = y.exp()  # an element-wise result: replayed from y when asked
        b = torch.cat([a, y]).view(2, 4)[:, 1:]
        m = x.max(1)  # a reduction with two outputs: values and indices
    clones = [v for v in tr._store.snaps.values() if isinstance(v, torch.Tensor)]
    assert len(clones) == 1  # x only
    assert torch.equal(tr.steps[0].values("output"), y)
    assert torch.equal(tr.steps[1].values("output"), a)
    assert torch.equal(tr.steps[-1].values("output", 0), m.values)
    assert torch.equal(tr.steps[-1].values("output", 1), m.indices)
    assert torch.equal(tr.steps[-2].values("output"), b)
    a.zero_()
    assert torch.equal(tr.steps[1].values("output"), y.exp())


def test_values_of_random_ops_are_the_ones_drawn_not_drawn_again():
    x = torch.ones(100)
    with trace() as tr:
        d = torch.nn.functional.dropout(x, 0.5)
        r = torch.rand_like(x)
    assert torch.equal(tr.steps[0].values("output"), d)
    assert torch.equal(tr.steps[1].values("output"), r)


def test_big_tensors_are_weak_live_while_unchanged_and_never_kept_alive():
    big = torch.randn(KEEP_ELEMENTS + 1)
    with trace() as tr:
        out = big * 2
    step = tr.steps[0]
    assert step.values("output") is not None and step.values("output").data_ptr() == out.data_ptr()
    out.add_(1)  # changed since: its values at record time are gone
    assert step.values("output") is None
    ref = weakref.ref(big)
    del big
    gc.collect()
    assert ref() is None and step.values("input") is None
    assert tr._store.kept_bytes == 0


def test_keep_elements_sets_the_size_that_is_cloned():
    x = torch.randn(10)
    with trace(keep_elements=4) as tr:
        y = x * 2
    assert tr.steps[0].values("input") is not None  # alive: live
    del y
    with trace(keep_elements=100) as tr:
        x * 2
    x.add_(1)
    assert tr.steps[0].values("input") is not None  # cloned: still the old values
    with pytest.raises(ValueError, match="keep_elements"):
        trace(keep_elements=-1)


def test_kept_values_hold_no_autograd_graph():
    w = torch.randn(3, requires_grad=True)
    with trace() as tr:
        y = (w * 2).sum()
    kept = tr.steps[-1].values("output")
    assert kept is not None and not kept.requires_grad and kept.grad_fn is None
    assert torch.equal(kept, y.detach())


@pytest.mark.filterwarnings("ignore:Sparse invariant checks")
def test_inference_meta_and_sparse_tensors_are_recorded():
    with trace() as tr:
        with torch.inference_mode():
            a = torch.ones(3)
            a.add_(1)
        m = torch.empty(2, 3, device="meta").t()
        s = torch.sparse_coo_tensor([[0, 1], [1, 0]], [1.0, 2.0], (2, 2)) * 2
    assert ops(tr) == ["ones", "add_", "empty", "t", "sparse_coo_tensor", "mul"]
    add_ = tr.steps[1]
    assert add_.values("input").tolist() == [1.0] * 3 and add_.values("output").tolist() == [2.0] * 3
    t_ = tr.steps[3]
    assert t_.output.device == "meta" and t_.output.storage is None and t_.values("output") is None
    mul = tr.steps[-1]
    assert mul.output.strides is None and mul.values("output") is None
    del a, m, s


MEMORY_SCRIPT = textwrap.dedent(
    """
    import sys, torch
    from tensorviz.tracing import trace

    from tensorviz.memory_sources import process_peak, reset_process_peak as reset_peak

    def peak_mib():  # VmHWM (see process_peak)
        return process_peak() / 2**20

    def loop():
        for i in range(100):
            x = torch.randn(2**24)  # 64 MiB
            y = x.view(4096, 4096).t()
            z = y * 2  # another 64 MiB
            w = z.sum(0) + x[:4096]
            del x, y, z, w

    torch.randn(4096).view(64, 64).t().sum(0)
    reset_peak()
    base = peak_mib()
    if sys.argv[1] == "traced":
        with trace() as tr:
            loop()
        assert len(tr.steps) == 100 * 7, len(tr.steps)
    else:
        loop()
    print(peak_mib() - base)
    """
)


def test_tracing_a_loop_of_64_mib_tensors_adds_little_peak_memory():
    added = {}
    for mode in ("plain", "traced"):
        out = subprocess.run([sys.executable, "-c", MEMORY_SCRIPT, mode], capture_output=True, text=True, timeout=600)
        assert out.returncode == 0, out.stderr
        added[mode] = float(out.stdout.strip().splitlines()[-1])
    assert added["traced"] - added["plain"] < 256, added


def test_thousands_of_steps_are_recorded_and_built():
    x = torch.randn(2, 3, 4)
    with trace() as tr:
        for _ in range(2000):
            x.view(6, 4).t().sum(0)
    steps = tr.steps
    assert len(steps) == 6000 and isinstance(steps[-1], Step)
    assert steps[-1].sources()[0].shape == (6, 4)
    assert len(tr._handles) < 10  # dead tensors are forgotten


def test_a_traced_model_is_not_kept_alive_by_the_trace():
    model = torch.nn.Linear(1000, 1000)  # 4 MB of parameters
    with trace() as tr:
        model(torch.randn(2, 1000))
    ref = weakref.ref(model)
    del model
    gc.collect()
    assert ref() is None
    assert tr.steps[-1].module == "Linear" and tr.steps[-1].values("input", 1) is None


def test_data_given_to_torch_tensor_is_not_kept_when_big():
    import numpy as np

    data = np.zeros((1000, 100))
    small = [1.0, 2.0]
    with trace() as tr:
        torch.tensor(data)
        torch.tensor(small)
        torch.as_tensor(list(range(50)))
    args = [s.args for s in tr.steps]
    assert args == [{"data": "numpy.ndarray of shape (1000, 100)"}, {"data": [1.0, 2.0]}, {"data": "list of 50 items"}]
    ref = weakref.ref(data) if hasattr(data, "__weakref__") else None
    del data
    gc.collect()
    assert ref is None or ref() is None


def test_a_broadcast_in_an_elementwise_op_plays_its_stretch_first():
    from tensorviz.animation import step_frames

    a, bias = torch.arange(6.0).reshape(2, 3), torch.tensor([10.0, 20.0, 30.0])
    with trace() as tr:
        a + bias
        a * a
        a.expand(4, 2, 3)
    add, mul, expand = (step_frames(s).meta for s in tr.steps)
    assert add["broadcast"] == [False, True]
    assert add["stretch"] == 0.45 and add["stretch_text"] == "stride 0: no new memory"
    # nothing broadcast, or one operand that is itself the stretch: all move at once
    assert mul["stretch"] == 0 and mul["stretch_text"] == ""
    assert expand["broadcast"] == [True] and expand["stretch"] == 0


def test_tensorviz_own_work_inside_a_trace_is_not_a_step(tmp_path):
    import tensorviz as tv

    x = torch.tensor([[1.0, float("nan")], [3.0, 4.0]])
    with trace() as tr:
        y = x.sum(0)
        view = tv.show(y)  # reads statistics, counts NaN: tensorviz's ops, not the user's
        tv.inspect(x)
        tv.find_nonfinite(x)
        tv.save_html(y, tmp_path / "y.html")
        z = y * 2
    view.close()
    del z
    assert ops(tr) == ["sum", "mul"]
    assert [s.source.code for s in tr.steps] == ["y = x.sum(0)", "z = y * 2"]
    # a torch function handed to animate is the user's op all the same
    player = tv.animate(torch.flatten, x)
    assert [s.op for s in player.steps] == ["flatten"]
    assert player.steps[0].source.code == "player = tv.animate(torch.flatten, x)"
    player.close()


@pytest.mark.parametrize(
    ("dims", "error", "match"),
    [
        (5, TypeError, r"dims must be 'N C H W' for one tensor, or a list with one entry per tensor .*got 5 \(int\)"),
        ({"x": "A B"}, TypeError, r"dims names the inputs in order: .*got a dict \(tv.trace takes one\)"),
        (["A B"], ValueError, r"dims gives names for 1 tensors but animate got 2"),
    ],
)
def test_animate_says_what_dims_it_takes(dims, error, match):
    import tensorviz as tv

    with pytest.raises(error, match=match):
        tv.animate(torch.add, torch.zeros(2, 3), torch.ones(2, 3), dims=dims)


def test_a_block_step_says_why_it_moves_blocks():
    from tensorviz.animation import step_frames

    tall, big = torch.randn(300, 2), torch.randn(100, 100)
    with trace() as tr:
        tall[:4]
        big.t()
    why = [[n.split(":")[0] for n in step_frames(s).meta["notes"] if "blocks move" in n] for s in tr.steps]
    assert why == [["more than 128 along an axis"], ["more than 4,096 elements"]]
