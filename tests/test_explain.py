"""Shape errors explained: under tracing the user's code raises torch's own exception, and the failing step says why
with the numbers, which axes conflict, and a fix that runs.

Each case is a function of tensors; it runs once untraced (torch's exception is the truth), then traced.
"""

from __future__ import annotations

import pytest
import torch

import tensorviz as tv


def fails(fn, *tensors):
    """(exception untraced, exception traced, the failing step, the trace)."""
    with pytest.raises(Exception) as plain:
        fn(*tensors)
    with tv.trace() as tr, pytest.raises(Exception) as traced:
        fn(*tensors)
    failing = [s for s in tr.steps if s.error is not None]
    assert failing, "the trace keeps the failing step"
    return plain.value, traced.value, failing[-1], tr


def run_fix(fix: str, *tensors):
    env = {"torch": torch, **dict(zip("xyzuvw", tensors, strict=False))}
    code = compile(fix, "<fix>", "exec")
    exec(code, env)


CASES = {
    # name: (fn, inputs, words the explanation must hold, conflicting (input, axis) pairs or None, fix expected)
    "view sizes": (lambda x: x.view(5, 3), [torch.arange(12.0)], ["12 elements", "5 × 3 = 15 places"], None, True),
    "reshape -1": (lambda x: x.reshape(5, -1), [torch.arange(12.0)], ["12 is not divisible by 5"], None, True),
    "two -1": (lambda x: x.reshape(-1, -1, 3), [torch.arange(12.0)], ["only one size can be -1", "2 lengths"], None, False),
    "view of a transpose": (
        lambda x: x.t().view(6), [torch.arange(6.0).reshape(2, 3)], ["strides [1, 3]", "reshape", ".contiguous()"],
        [(0, 0), (0, 1)], True,
    ),
    "cat sizes": (
        lambda x, y: torch.cat([x, y], dim=0), [torch.zeros(2, 3), torch.zeros(2, 4)],
        ["axis 1 is 3 in input 0, 4 in input 1"], [(0, 1), (1, 1)], True,
    ),
    "cat ranks": (
        lambda x, y: torch.cat([x, y]), [torch.zeros(2, 3), torch.zeros(3)], ["same rank", "input 1 has rank 1"],
        [(1, 0)], True,
    ),
    "stack shapes": (
        lambda x, y: torch.stack([x, y]), [torch.zeros(2, 3), torch.zeros(2, 4)],
        ["same shape", "input 0 is [2, 3]", "input 1 is [2, 4]"], [(0, 1), (1, 1)], True,
    ),
    "broadcast": (
        lambda x, y: x + y, [torch.zeros(2, 3), torch.zeros(2)],
        ["[2, 3] and [2] cannot broadcast", "axis 1 of input 0 (size 3)", "axis 0 of input 1 (size 2)"],
        [(0, 1), (1, 0)], True,
    ),
    "in-place broadcast": (
        lambda x, y: x.add_(y), [torch.zeros(3), torch.zeros(2, 3)], ["in-place add_", "[2, 3]", "cannot grow"],
        None, True,
    ),
    "matmul": (
        lambda x, y: x @ y, [torch.zeros(2, 3), torch.zeros(4, 5)], ["(2×3) @ (4×5)", "3 and 4 differ"],
        [(0, 1), (1, 0)], False,
    ),
    "matmul transposed": (
        lambda x, y: x @ y, [torch.zeros(3, 2), torch.zeros(3, 5)], ["3×2", "2 and 3 differ"], [(0, 1), (1, 0)], True,
    ),
    "batched matmul": (
        lambda x, y: torch.bmm(x, y), [torch.zeros(4, 2, 3), torch.zeros(4, 5, 6)], ["3 and 5 differ"],
        [(0, 2), (1, 1)], False,
    ),
    "dim out of range": (
        lambda x: x.sum(dim=2), [torch.zeros(2, 3)], ["dim=2 is out of range", "valid dims are 0, 1"],
        [(0, 0), (0, 1)], True,
    ),
    "expand": (
        lambda x: x.expand(3, 4), [torch.zeros(3, 2)], ["only stretch axes of size 1", "axis 1 has size 2"],
        [(0, 1)], True,
    ),
    "unflatten": (
        lambda x: x.unflatten(1, (4, 4)), [torch.zeros(2, 12)], ["axis 1 of size 12", "4 × 4 = 16"], [(0, 1)], True,
    ),
}


@pytest.mark.parametrize("name", list(CASES))
def test_a_shape_error_is_torchs_own_and_explained_with_its_numbers(name):
    fn, inputs, words, axes, has_fix = CASES[name]
    plain, traced, step, _ = fails(fn, *inputs)
    assert type(traced) is type(plain) and str(traced) == str(plain), "the user sees torch's exception unchanged"
    err = step.error
    assert err.type == type(plain).__name__ and err.message == str(plain)
    assert err.explanation, f"{name}: no explanation for {err.message!r}"
    for w in words:
        assert w in err.explanation, f"{name}: {w!r} not in {err.explanation!r}"
    if axes is not None:
        assert set(err.axes or ()) == set(axes), f"{name}: axes {err.axes}"
    if has_fix:
        assert err.fix, f"{name}: no fix"
        run_fix(err.fix, *inputs)  # the suggested fix runs
    else:
        assert err.fix is None, f"{name}: {err.fix!r} offered where no single fix exists"


def test_the_fixes_give_what_the_learner_asked_for():
    x = torch.arange(12.0)
    _, _, step, _ = fails(lambda t: t.view(5, 3), x)
    assert step.error.fix == "x.view(4, 3)"
    _, _, step, _ = fails(lambda t: t.reshape(5, -1), x)
    assert step.error.fix in ("x.reshape(4, -1)", "x.reshape(6, -1)")
    _, _, step, _ = fails(lambda a, b: a + b, torch.zeros(2, 3), torch.zeros(2))
    assert step.error.fix == "x.add(y[:, None])"
    env = {"x": torch.zeros(2, 3), "y": torch.arange(2.0)}
    assert eval(step.error.fix, env).shape == (2, 3)


def test_a_failing_layer_is_named():
    net = torch.nn.Sequential(torch.nn.Linear(4, 3), torch.nn.ReLU(), torch.nn.Linear(5, 2))
    x = torch.zeros(1, 4)
    with tv.trace() as tr, pytest.raises(RuntimeError):
        net(x)
    step = [s for s in tr.steps if s.error is not None][-1]
    assert step.op == "linear" and step.module == "2 (Linear)"
    assert step.error.explanation.startswith("in 2 (Linear): ") and "takes 5 input features" in step.error.explanation
    assert step.error.axes == ((0, 1), (1, 1))


def test_the_exception_carries_a_note_naming_the_picture():
    with tv.trace() as tr, pytest.raises(RuntimeError) as info:
        torch.zeros(12).view(5, 3)
    notes = getattr(info.value, "__notes__", [])
    assert any("tensorviz" in n and "view" in n for n in notes), notes
    assert tr.steps[-1].error.picture == {"kind": "places", "elements": 12, "places": [5, 3], "shape": [5, 3]}


def test_the_player_opens_on_the_failing_step():
    with tv.trace() as tr:
        y = torch.zeros(2, 3).t()
        try:
            y.view(6)
        except RuntimeError:
            pass
        torch.zeros(2).sum()
    player = tr.player()
    assert [s.op for s in tr.steps] == ["zeros", "t", "view", "zeros", "sum"]
    assert player.current == 2 and player.timeline[2]["error"]["explanation"]
