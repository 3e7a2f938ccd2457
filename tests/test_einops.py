"""einops calls traced as one step each: labelled with the pattern, their element paths those of the torch ops they
ran, their axes named by the pattern, and their own errors explained like torch's."""

from __future__ import annotations

import pytest
import torch

import tensorviz as tv

einops = pytest.importorskip("einops")


def test_each_call_is_one_step_with_its_pattern_and_its_torch_ops_as_details():
    x = torch.arange(24.0).reshape(2, 3, 4)
    with tv.trace() as tr:
        y = einops.rearrange(x, "b h w -> b (h w)")
        z = einops.reduce(x, "b h w -> b w", "max")
        r = einops.repeat(x, "b h w -> b h w k", k=2)
    assert [s.op for s in tr.steps] == ["rearrange", "reduce", "repeat"]
    assert all(s.kind == "einops" for s in tr.steps)
    assert tr.steps[0].args == {"pattern": "b h w -> b (h w)"}
    assert tr.steps[1].args == {"pattern": "b h w -> b w", "reduction": "max"}
    assert tr.steps[2].args == {"pattern": "b h w -> b h w k", "k": 2}
    assert [d.op for d in tr.steps[0].details] == ["reshape"]
    assert tr.steps[0].is_view is True and tr.steps[1].is_view is False
    # axes named by the pattern, grouped and ungrouped
    assert tr.steps[0].inputs[0].dims == ("b", "h", "w") and tr.steps[0].output.dims == ("b", "h·w")
    assert tr.steps[2].output.dims == ("b", "h", "w", "k")
    # results are those of einops untraced
    assert torch.equal(y, einops.rearrange(x, "b h w -> b (h w)"))
    assert torch.equal(z, x.amax(dim=1)) and r.shape == (2, 3, 4, 2)


@pytest.mark.parametrize(
    ("call", "gather"),
    [
        (lambda x: einops.rearrange(x, "b h w -> w (b h)"), None),
        (lambda x: einops.rearrange(x, "b (h2 h) w -> b h (h2 w)", h2=3), None),
        (lambda x: einops.repeat(x, "b h w -> (k b) h w", k=2), None),
        (lambda x: einops.reduce(x, "b h w -> h", "sum"), "sum"),
        (lambda x: einops.reduce(x, "b h w -> b", "max"), "max"),
    ],
    ids=["permute-merge", "split-merge", "repeat", "reduce-sum", "reduce-max"],
)
def test_gathering_through_the_call_reproduces_its_result(call, gather):
    x = torch.randn(2, 6, 4)
    with tv.trace() as tr:
        out = call(x)
    (step,) = tr.steps
    (src,) = step.sources()
    assert src.shape[:-1] == out.shape and (src >= 0).all()
    picked = x.flatten()[src]
    if gather is None:
        assert torch.equal(picked[..., 0], out)
    elif gather == "sum":
        assert torch.allclose(picked.sum(-1), out)
    else:
        assert torch.equal(picked.amax(-1), out)


def test_an_einops_error_is_kept_explained_and_its_fix_runs():
    x = torch.zeros(2, 10)
    with pytest.raises(einops.EinopsError) as plain:
        einops.rearrange(x, "b (h w) -> b h w", h=3)
    # einops checks the pattern before any torch op runs: the trace sees that error when it leaves the block
    with pytest.raises(einops.EinopsError) as traced, tv.trace() as tr:
        einops.rearrange(x, "b (h w) -> b h w", h=3)
    assert str(traced.value) == str(plain.value)
    step = tr.steps[-1]
    assert step.op == "rearrange" and step.error.type == "EinopsError" and step.error.message == str(plain.value)
    assert "axis 1 of size 10" in step.error.explanation and "not divisible by 3" in step.error.explanation
    assert step.error.axes == ((0, 1),)
    fixed = eval(step.error.fix, {"einops": einops, "x": x})
    assert fixed.shape == (2, 2, 5)
    assert step.inputs[0].dims == ("b", "h·w") and step.values("input").shape == (2, 10)


def test_a_pattern_with_the_wrong_number_of_axes_is_explained():
    with pytest.raises(einops.EinopsError), tv.trace() as tr:
        einops.rearrange(torch.zeros(2, 3), "b c h -> b (c h)")
    err = tr.steps[-1].error
    assert "names 3 axes" in err.explanation and "has 2" in err.explanation
