"""Element provenance: gathering the inputs through ``Step.sources()`` gives back torch's own output.

Every input is filled with distinct values, so an equal value means the very element torch used.
"""

from __future__ import annotations

import math
import os

import pytest
import torch
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tensorviz.provenance import SOURCES_LIMIT, contributors_shape
from tensorviz.tracing import trace

# TENSORVIZ_EXAMPLES=500 for a longer search
PROPERTY = settings(
    max_examples=int(os.environ.get("TENSORVIZ_EXAMPLES", "40")),
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow],
    database=None,  # no .hypothesis folder in the checkout
)

sizes = st.integers(1, 4)
shapes = st.lists(sizes, min_size=0, max_size=4).map(tuple)
nonscalar = st.lists(sizes, min_size=1, max_size=4).map(tuple)


def distinct(shape, start=0):
    """float64 values 1, 2, 3, ... in a random order: every element of every input is different."""
    n = math.prod(shape)
    return (torch.randperm(n, dtype=torch.float64) + 1 + start).reshape(shape)


def traced(fn, *inputs):
    with trace() as tr:
        result = fn(*inputs)
    steps = [s for s in tr.steps if s.error is None]
    return steps[-1], result


def gathered(step, inputs, output=0):
    """Output built only from the inputs' elements at the recorded sources (NaN where none gives one)."""
    out_shape = step.outputs[output].shape
    result = torch.full(out_shape, math.nan, dtype=torch.float64)
    found = torch.zeros(out_shape, dtype=torch.int64)
    for x, src in zip(inputs, step.sources(output), strict=True):
        assert src.dtype == torch.int64 and tuple(src.shape) == (*out_shape, 1)
        s = src[..., 0]
        result = torch.where(s >= 0, x.reshape(-1).to(torch.float64)[s.clamp(min=0)], result)
        found += (s >= 0).long()
    assert found.numel() == 0 or int(found.max()) <= 1, "an output element has two sources"
    return result


def assert_moves(step, inputs, out, fill=None, output=0):
    got = gathered(step, inputs, output)
    expected = out.to(torch.float64)
    if fill is None:
        assert not got.isnan().any(), "an output element has no source"
        assert torch.equal(got, expected)
    else:
        assert torch.equal(torch.where(got.isnan(), torch.full_like(got, fill), got), expected)


# -- shape ops ---------------------------------------------------------------------------------------


@st.composite
def reshapes(draw):
    shape = draw(nonscalar)
    n = math.prod(shape)
    factors = [d for d in range(1, n + 1) if n % d == 0]
    a = draw(st.sampled_from(factors))
    target = draw(st.sampled_from([(a, n // a), (a, -1), (-1,), (n // a, 1, a), (-1, a)]))
    return shape, target


@given(reshapes(), st.booleans(), st.sampled_from(["view", "reshape", "reshape_t"]))
@PROPERTY
def test_reshape_and_view_sources_give_back_the_output(case, use_view, kind):
    shape, target = case
    x = distinct(shape)
    if kind == "reshape_t":
        x = distinct(shape[::-1]).mT if len(shape) >= 2 else x  # non-contiguous: reshape copies
        step, out = traced(lambda t: t.reshape(*target), x)
    elif kind == "view":
        step, out = traced(lambda t: t.view(target), x)
    else:
        step, out = traced(lambda t: t.reshape(target), x)
    assert step.kind == "reshape" and step.args["shape"] == list(target)
    assert_moves(step, [x], out)


@given(nonscalar, st.data())
@PROPERTY
def test_flatten_unflatten_ravel_sources(shape, data):
    x = distinct(shape)
    rank = len(shape)
    start = data.draw(st.integers(0, rank - 1))
    end = data.draw(st.integers(start, rank - 1))
    for fn in (
        lambda t: t.flatten(start, end),
        lambda t: torch.flatten(t),
        lambda t: t.ravel(),
        lambda t: t.unflatten(0, (1, shape[0])),
        lambda t: t.view_as(torch.empty(math.prod(shape))),
        lambda t: t.reshape_as(torch.empty(1, math.prod(shape))),
    ):
        step, out = traced(fn, x)
        assert step.kind == "reshape"
        assert_moves(step, [x], out)


@given(shapes, st.data())
@PROPERTY
def test_squeeze_unsqueeze_sources(shape, data):
    x = distinct(shape)
    rank = len(shape)
    d = data.draw(st.integers(-rank - 1, rank))
    step, out = traced(lambda t: t.unsqueeze(d), x)
    assert step.kind == "unsqueeze"
    assert_moves(step, [x], out)
    y = out
    e = data.draw(st.integers(-(rank + 1), rank))
    for fn in (lambda t: t.squeeze(e), lambda t: t.squeeze()):
        step, out = traced(fn, y)
        assert step.kind == "squeeze"
        assert_moves(step, [y], out)


@given(nonscalar, st.data())
@PROPERTY
def test_permute_family_sources(shape, data):
    x = distinct(shape)
    rank = len(shape)
    perm = data.draw(st.permutations(range(rank)))
    a, b = data.draw(st.integers(0, rank - 1)), data.draw(st.integers(0, rank - 1))
    fns = [
        lambda t: t.permute(*perm),
        lambda t: torch.permute(t, perm),
        lambda t: t.transpose(a, b),
        lambda t: t.swapaxes(a, b),
        lambda t: torch.movedim(t, a, b),
        lambda t: t.moveaxis([a], [b]),
    ]
    if rank >= 2:
        fns += [lambda t: t.mT, lambda t: t.mH, lambda t: t.adjoint()]
    if rank <= 2:
        fns += [lambda t: t.t()]
    if rank == 2:
        fns += [lambda t: t.T, lambda t: t.H]
    for fn in fns:
        step, out = traced(fn, x)
        assert step.kind == "permute", step.op
        assert_moves(step, [x], out)


@given(nonscalar, st.lists(sizes, min_size=1, max_size=3), st.data())
@PROPERTY
def test_cat_and_stack_sources(shape, lengths, data):
    rank = len(shape)
    d = data.draw(st.integers(-rank, rank - 1))
    axis = d % rank
    parts = []
    start = 0
    for n in lengths:
        s = list(shape)
        s[axis] = n
        parts.append(distinct(s, start))
        start += math.prod(s)
    step, out = traced(lambda *ts: torch.cat(ts, dim=d), *parts)
    assert step.kind == "cat" and len(step.inputs) == len(parts)
    assert_moves(step, parts, out)
    same = [distinct(shape, k * 1000) for k in range(len(lengths))]
    e = data.draw(st.integers(-rank - 1, rank))
    for fn, kind in (
        (lambda *ts: torch.stack(ts, dim=e), "stack"),
        (lambda *ts: torch.hstack(ts), "cat"),
        (lambda *ts: torch.vstack(ts), "cat"),
        (lambda *ts: torch.concat(list(ts), 0), "cat"),
    ):
        step, out = traced(fn, *same)
        assert step.kind == kind
        assert_moves(step, same, out)


@given(shapes, st.data())
@PROPERTY
def test_expand_sources_repeat_the_broadcast_elements(shape, data):
    x = distinct(shape)
    lead = data.draw(st.lists(sizes, max_size=2))
    target = [*lead, *[data.draw(sizes) if s == 1 else s for s in shape]]
    for fn in (
        lambda t: t.expand(target),
        lambda t: t.broadcast_to(target),
        lambda t: t.expand_as(torch.empty(target)),
        lambda t: t.expand(*lead, *([-1] * len(shape))) if target else t.expand(()),
    ):
        step, out = traced(fn, x)
        assert step.kind == "expand"
        assert_moves(step, [x], out)


# -- indexing ----------------------------------------------------------------------------------------


@st.composite
def basic_keys(draw, shape):
    key = []
    axes = list(shape)
    ellipsis = False
    for size in axes:
        choice = draw(st.sampled_from(["int", "slice", "none", "all", "ellipsis"]))
        if choice == "int":
            key.append(draw(st.integers(-size, size - 1)))
        elif choice == "slice":
            a = draw(st.integers(-size, size))
            b = draw(st.integers(-size, size))
            key.append(slice(a, b, draw(st.integers(1, 3))))
        elif choice == "none":
            key.extend([None, slice(None)])
        elif choice == "ellipsis" and not ellipsis:
            ellipsis = True
            key.append(Ellipsis)
            break
        else:
            key.append(slice(None))
    return tuple(key)


@given(nonscalar, st.data())
@PROPERTY
def test_basic_indexing_sources(shape, data):
    x = distinct(shape)
    key = data.draw(basic_keys(shape))
    step, out = traced(lambda t: t[key], x)
    assert step.op == "getitem" and step.kind == "index" and step.is_view
    assert_moves(step, [x], out)


@given(nonscalar, st.data())
@PROPERTY
def test_advanced_indexing_and_masks_sources(shape, data):
    x = distinct(shape)
    rank = len(shape)
    d = data.draw(st.integers(0, rank - 1))
    idx = torch.tensor(data.draw(st.lists(st.integers(-shape[d], shape[d] - 1), min_size=1, max_size=5)))
    mask = torch.tensor(data.draw(st.lists(st.booleans(), min_size=math.prod(shape), max_size=math.prod(shape))))
    mask = mask.reshape(shape)
    key = (slice(None),) * d + (idx,)
    cases = [
        lambda t: t[key],
        lambda t: t[mask],
        lambda t: t[(idx % shape[0]).tolist()],
        lambda t: t.index_select(d, idx % shape[d]),
        lambda t: torch.masked_select(t, mask),
        lambda t: t.take(idx % t.numel()),
        lambda t: t.narrow(d, 0, shape[d] - 1 if shape[d] > 1 else 1),
        lambda t: t.select(d, -1),
        lambda t: torch.gather(t, d, torch.zeros(shape, dtype=torch.long)),
        lambda t: t.gather(d, torch.randint(0, shape[d], shape)),
        lambda t: torch.take_along_dim(t, torch.randint(0, shape[d], shape), d),
    ]
    for fn in cases:
        step, out = traced(fn, x)
        assert step.kind == "index"
        assert_moves(step, [x], out)
    assert step.args["indices"]["tensor"] == list(shape)


@given(nonscalar, st.data())
@PROPERTY
def test_split_chunk_unbind_sources_per_output(shape, data):
    x = distinct(shape)
    d = data.draw(st.integers(0, len(shape) - 1))
    for fn in (
        lambda t: t.split(1, d),
        lambda t: t.chunk(2, d),
        lambda t: t.unbind(d),
        lambda t: torch.tensor_split(t, 2, d),
    ):
        step, outs = traced(fn, x)
        assert step.kind == "index" and len(step.outputs) == len(outs)
        for k, out in enumerate(outs):
            assert_moves(step, [x], out, output=k)


@given(nonscalar, st.data())
@PROPERTY
def test_fills_read_as_no_source(shape, data):
    x = distinct(shape)
    mask = torch.rand(shape) < 0.5
    y = distinct(shape[-1:], 10_000)
    d = data.draw(st.integers(0, len(shape) - 1))

    step, out = traced(lambda t: t.masked_fill(mask, 5.0), x)
    assert_moves(step, [x], out, fill=5.0)

    def setitem(t, v):
        t = t.clone()
        t[..., 0] = 7.0
        t[mask] = -3.0
        t[(slice(None),) * (len(shape) - 1)] = v
        return t

    with trace() as tr:
        out = setitem(x, y)
    step = tr.steps[-1]
    assert step.op == "setitem" and step.kind == "index" and step.inputs[1].shape == y.shape
    base = tr.steps[-2].values("output")  # the tensor before the last write
    assert_moves(step, [base, y], out)

    step, out = traced(lambda t: t.scatter(d, torch.zeros(shape, dtype=torch.long), 0.5), x)
    assert_moves(step, [x], out, fill=0.5)
    src = distinct(shape, 50_000)
    step, out = traced(lambda t, s: t.scatter(d, torch.zeros(shape, dtype=torch.long)[:1], s), x, src)
    assert_moves(step, [x, src], out)


@given(nonscalar)
@PROPERTY
def test_other_data_movement_ops_replay(shape):
    x = distinct(shape)
    rank = len(shape)
    fns = [
        lambda t: t.flip(0),
        lambda t: t.roll(1, 0),
        lambda t: t.repeat(*([2] * rank)),
        lambda t: t.tile((2,)),
        lambda t: t.repeat_interleave(2, dim=0),
        lambda t: t.clone(),
        lambda t: t.contiguous(),
        lambda t: t.detach(),
    ]
    if rank >= 2:
        fns += [lambda t: t.diagonal(), lambda t: t.rot90(1, (0, 1))]
        for fn in (lambda t: t.tril(), lambda t: t.triu(1)):
            step, out = traced(fn, x)
            assert_moves(step, [x], out, fill=0.0)
    for fn in fns:
        step, out = traced(fn, x)
        assert_moves(step, [x], out)
    step, out = traced(lambda t: torch.nn.functional.pad(t, (1, 2), value=9.0), x)
    assert_moves(step, [x], out, fill=9.0)


# -- element-wise ------------------------------------------------------------------------------------


@st.composite
def broadcastable(draw):
    out = draw(shapes)
    a = tuple(s if draw(st.booleans()) else 1 for s in out[draw(st.integers(0, len(out))) :])
    b = tuple(s if draw(st.booleans()) else 1 for s in out[draw(st.integers(0, len(out))) :])
    return a, b


BINARY = {
    "add": lambda a, b: a + b,
    "radd": lambda a, b: 3 + a * b,
    "sub": torch.sub,
    "mul": lambda a, b: a * b,
    "div": lambda a, b: a / b,
    "maximum": torch.maximum,
    "max2": torch.max,
    "pow": lambda a, b: torch.pow(a, 0.5) + b,
    "lt": lambda a, b: a < b,
    "atan2": torch.atan2,
}


@given(broadcastable(), st.sampled_from(sorted(BINARY)))
@PROPERTY
def test_elementwise_sources_follow_broadcasting(shapes_ab, name):
    sa, sb = shapes_ab
    a, b = distinct(sa), distinct(sb, 1000)
    fn = BINARY[name]
    with trace() as tr:
        out = fn(a, b)
    step = next(s for s in reversed(tr.steps) if len(s.inputs) == 2)
    assert step.kind == "elementwise"
    src_a, src_b = (s[..., 0] for s in step.sources())
    assert tuple(src_a.shape) == tuple(out.shape)
    replayed = fn(a.reshape(-1)[src_a], b.reshape(-1)[src_b])
    if out.dtype.is_floating_point:  # atan2 & co may differ in the last bit between vectorised and scalar paths
        torch.testing.assert_close(replayed, out, rtol=1e-12, atol=0)
    else:
        assert torch.equal(replayed, out)


@given(broadcastable())
@PROPERTY
def test_where_clamp_and_unary_sources(shapes_ab):
    sa, sb = shapes_ab
    a, b = distinct(sa), distinct(sb, 1000)
    cond = torch.rand(sa) < 0.5
    step, out = traced(lambda c, x, y: torch.where(c, x, y), cond, a, b)
    sc, sx, sy = (s[..., 0] for s in step.sources())
    assert torch.equal(torch.where(cond.reshape(-1)[sc], a.reshape(-1)[sx], b.reshape(-1)[sy]), out)
    for fn in (
        torch.relu,
        torch.exp,
        lambda t: -t,
        lambda t: t.clamp(2, 5),
        lambda t: t.float(),
        lambda t: t.to(torch.int32),
    ):
        step, out = traced(fn, a)
        assert step.kind == "elementwise", step.op
        (sx,) = (s[..., 0] for s in step.sources())
        assert torch.equal(fn(a.reshape(-1)[sx]), out)


@given(broadcastable())
@PROPERTY
def test_inplace_elementwise_sources(shapes_ab):
    sa, sb = shapes_ab
    a, b = distinct(sa), distinct(sb, 1000)
    if torch.broadcast_shapes(sa, sb) != sa:
        return
    before = a.clone()
    with trace() as tr:
        a.mul_(b)
    step = tr.steps[-1]
    assert step.op == "mul_" and step.kind == "elementwise"
    assert torch.equal(step.values("input", 0), before)
    sx, sy = (s[..., 0] for s in step.sources())
    assert torch.equal(before.reshape(-1)[sx] * b.reshape(-1)[sy], a)


# -- reductions --------------------------------------------------------------------------------------

REDUCE = {
    "sum": (lambda t, **k: t.sum(**k), lambda g: g.sum(-1)),
    "mean": (lambda t, **k: torch.mean(t, **k), lambda g: g.mean(-1)),
    "prod": (lambda t, **k: t.prod(**k), lambda g: g.prod(-1)),
    "amax": (lambda t, **k: t.amax(**k), lambda g: g.amax(-1)),
    "amin": (lambda t, **k: torch.amin(t, **k), lambda g: g.amin(-1)),
    "std": (lambda t, **k: t.std(**k), lambda g: g.std(-1)),
    "var": (lambda t, **k: t.var(**k), lambda g: g.var(-1)),
    "logsumexp": (lambda t, **k: t.logsumexp(**k), lambda g: g.logsumexp(-1)),
    "norm": (lambda t, **k: t.norm(**k), lambda g: g.norm(dim=-1)),
    "any": (lambda t, **k: (t > 3).any(**k), lambda g: (g > 3).any(-1)),
    "all": (lambda t, **k: (t > 3).all(**k), lambda g: (g > 3).all(-1)),
    "count_nonzero": (lambda t, **k: (t > 3).count_nonzero(**{"dim": k.get("dim")}), lambda g: (g > 3).sum(-1)),
}


def check_reduction(step, x, out, combine):
    (src,) = step.sources()
    k = src.shape[-1]
    assert tuple(src.shape) == (*out.shape, k) and bool((src >= 0).all())
    g = x.reshape(-1)[src]
    expected = combine(g)
    if out.dtype.is_floating_point:
        torch.testing.assert_close(expected.to(out.dtype), out, equal_nan=True)
    else:
        assert torch.equal(expected.to(out.dtype), out)


@pytest.mark.filterwarnings("ignore:.*degrees of freedom")
@given(nonscalar, st.sampled_from(sorted(REDUCE)), st.data())
@PROPERTY
def test_reduction_contributors_reproduce_the_output(shape, name, data):
    x = distinct(shape)
    rank = len(shape)
    fn, combine = REDUCE[name]
    form = data.draw(st.sampled_from(["all", "dim", "dims", "keepdim"]))
    kwargs = {}
    if form == "dim":
        kwargs["dim"] = data.draw(st.integers(-rank, rank - 1))
    elif form in ("dims", "keepdim"):
        dims = data.draw(st.lists(st.integers(0, rank - 1), min_size=1, max_size=rank, unique=True))
        single = name in ("any", "all", "prod", "norm")  # these take one dim only (norm: two is a matrix norm)
        kwargs["dim"] = dims[0] if single else tuple(dims)
        if form == "keepdim" and name != "count_nonzero":
            kwargs["keepdim"] = True
    if name == "count_nonzero" and "dim" not in kwargs:
        kwargs["dim"] = None
    if name == "logsumexp" and "dim" not in kwargs:
        kwargs["dim"] = tuple(range(rank))  # logsumexp needs its dims
    step, out = traced(lambda t: fn(t, **kwargs), x)
    assert step.kind == "reduction", step.op
    check_reduction(step, x, out, combine)


@given(nonscalar, st.booleans(), st.data())
@PROPERTY
def test_max_min_argmax_sources_hold_the_chosen_element(shape, keepdim, data):
    x = distinct(shape)
    rank = len(shape)
    d = data.draw(st.integers(-rank, rank - 1))
    for name in ("max", "min"):
        step, out = traced(lambda t, name=name: getattr(t, name)(dim=d, keepdim=keepdim), x)
        assert step.kind == "reduction" and len(step.outputs) == 2
        values, indices = out
        for k in (0, 1):
            (src,) = step.sources(k)
            g = x.reshape(-1)[src]
            assert torch.equal(getattr(g, name)(-1).values, values)
            assert torch.equal(g.gather(-1, indices.unsqueeze(-1))[..., 0], values)
    for fn in (
        lambda t: t.argmax(),
        lambda t: t.argmin(dim=d, keepdim=keepdim),
        lambda t: t.max(),
        lambda t: torch.min(t),
    ):
        step, out = traced(fn, x)
        assert step.kind == "reduction"
        (src,) = step.sources()
        g = x.reshape(-1)[src]
        if out.dtype == torch.int64:
            best = g.gather(-1, out.unsqueeze(-1))[..., 0]
            assert torch.equal(best, g.amax(-1) if step.op == "argmax" else g.amin(-1))
        else:
            assert torch.equal(g.amax(-1) if step.op == "max" else g.amin(-1), out)


# -- matrix products ---------------------------------------------------------------------------------


def check_contraction(step, inputs, out, bias=None):
    srcs = step.sources()
    k = srcs[0].shape[-1]
    assert all(tuple(s.shape) == (*out.shape, k) for s in srcs)
    prod = torch.ones((*out.shape, k), dtype=torch.float64)
    for x, s in zip(inputs[:2], srcs[:2], strict=True):
        assert bool((s >= 0).all())
        prod = prod * x.reshape(-1)[s]
    total = prod.sum(-1)
    if bias is not None:
        s = srcs[2]
        assert bool((s[..., 0] >= 0).all()) and bool((s[..., 1:] == -1).all())
        total = total + bias.reshape(-1)[s[..., 0]]
    assert torch.equal(total, out)
    assert contributors_shape(step) == tuple(srcs[0].shape)


@st.composite
def matmul_shapes(draw):
    n, k, m = draw(sizes), draw(sizes), draw(sizes)
    batch = draw(st.lists(st.integers(2, 3), max_size=2))  # >1, so a 1 in either operand broadcasts
    a_batch = [s if draw(st.booleans()) else 1 for s in batch[draw(st.integers(0, len(batch))) :]]
    b_batch = [s if draw(st.booleans()) else 1 for s in batch[draw(st.integers(0, len(batch))) :]]
    a = (k,) if draw(st.integers(0, 4)) == 0 else (*a_batch, n, k)
    b = (k,) if draw(st.integers(0, 4)) == 0 else (*b_batch, k, m)
    return a, b


def ints(shape, start=0):
    """Small distinct-ish integers as float64: products and sums stay exact."""
    return torch.randint(-5, 6, shape).to(torch.float64)


@given(matmul_shapes())
@PROPERTY
def test_matmul_sources_are_row_and_column(shapes_ab):
    sa, sb = shapes_ab
    a, b = ints(sa), ints(sb)
    for fn in (torch.matmul, lambda x, y: x @ y):
        step, out = traced(fn, a, b)
        assert step.kind == "matmul"
        check_contraction(step, [a, b], out)


def test_matmul_sources_broadcast_the_batch_axes():
    a, b = ints((1, 2, 3)), ints((4, 3, 5))
    step, out = traced(torch.matmul, a, b)
    assert out.shape == (4, 2, 5)
    check_contraction(step, [a, b], out)
    assert step.sources()[0][3, 1, 4].tolist() == [3, 4, 5]  # row 1 of the one matrix of a
    assert step.sources()[1][3, 1, 4].tolist() == [49, 54, 59]  # column 4 of the last matrix of b


@given(sizes, sizes, sizes, sizes, st.booleans())
@PROPERTY
def test_mm_bmm_mv_dot_linear_einsum_sources(n, k, m, b, with_bias):
    A, B = ints((n, k)), ints((k, m))
    cases = [
        (torch.mm, [A, B]),
        (torch.bmm, [ints((b, n, k)), ints((b, k, m))]),
        (torch.mv, [A, ints((k,))]),
        (torch.dot, [ints((k,)), ints((k,))]),
        (torch.outer, [ints((n,)), ints((m,))]),
        (lambda x, y: torch.einsum("bij,jk->bik", x, y), [ints((b, n, k)), B]),
        (lambda x, y: torch.einsum("...ij,...jk", x, y), [ints((b, n, k)), ints((b, k, m))]),
        (lambda x, y: torch.einsum("ij,ij->i", x, y), [A, ints((n, k))]),
    ]
    for fn, inputs in cases:
        step, out = traced(fn, *inputs)
        assert step.kind == "matmul", step.op
        check_contraction(step, inputs, out)
    x, w = ints((b, n, k)), ints((m, k))
    bias = ints((m,)) if with_bias else None
    step, out = traced(lambda *t: torch.nn.functional.linear(*t), x, w, *([bias] if with_bias else []))
    assert step.op == "linear" and step.kind == "matmul"
    check_contraction(step, [x, w], out, bias)


# -- limits ------------------------------------------------------------------------------------------


def test_sources_refuse_above_the_limit_with_the_size_and_the_limit():
    x = torch.zeros(1)
    with trace() as tr:
        x.expand(SOURCES_LIMIT + 1)
        torch.ones(10_001, 1_001).sum()
    with pytest.raises(ValueError, match=r"10,000,001 elements.*10,000,000"):
        tr.steps[0].sources()
    with pytest.raises(ValueError, match=r"x 10011001 contributors.*stops at 10,000,000"):
        tr.steps[-1].sources()


def test_ops_without_provenance_raise_not_implemented_naming_the_op():
    x, w = torch.randn(1, 2, 5, 5), torch.randn(3, 2, 3, 3)
    with trace() as tr:
        torch.nn.functional.conv2d(x, w)
        x.softmax(-1)
        x.cumsum(0)
        torch.zeros(3)
    for step, name in zip(tr.steps, ["conv2d", "softmax", "cumsum", "zeros"], strict=True):
        with pytest.raises(NotImplementedError, match=name):
            step.sources()


def test_sources_refuse_when_the_index_argument_was_too_big_to_keep():
    x = torch.zeros(1_000_001)
    idx = torch.zeros(1_000_001, dtype=torch.long)
    with trace() as tr:
        x[idx]
    step = tr.steps[0]
    assert step.args["index"] == {"tensor": [1_000_001], "dtype": "int64"}
    with pytest.raises(ValueError, match="not kept"):
        step.sources()


def test_failed_steps_have_no_sources():
    with trace() as tr:
        with pytest.raises(RuntimeError):
            torch.zeros(12).view(5, 3)
    with pytest.raises(ValueError, match="failed"):
        tr.steps[-1].sources()


def test_sources_of_a_non_contiguous_input_are_logical_row_major_indices():
    base = distinct((3, 4))
    x = base.t()  # (4, 3), strides (1, 4)
    step, out = traced(lambda t: t.reshape(12), x)
    assert step.is_view is False
    assert step.sources()[0][..., 0].tolist() == list(range(12))
    assert_moves(step, [x], out)
