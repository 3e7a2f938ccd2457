"""A model's forward pass as a shape timeline: the same outputs as untraced, one step per op with the module that
ran it, and its shape ops (an attention block's head split and merge) drawable as animations."""

from __future__ import annotations

import torch
from torch import nn

import tensorviz as tv
from tensorviz.animation import step_frames


class SmallCNN(nn.Module):
    def __init__(self) -> None:
        super().__init__()
        self.features = nn.Sequential(nn.Conv2d(3, 8, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2))
        self.head = nn.Linear(8 * 4 * 4, 10)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        x = self.features(x)
        return self.head(x.flatten(1))


class Attention(nn.Module):
    def __init__(self, dim: int = 16, heads: int = 4) -> None:
        super().__init__()
        self.heads = heads
        self.qkv = nn.Linear(dim, 3 * dim)
        self.out = nn.Linear(dim, dim)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        b, t, c = x.shape
        q, k, v = self.qkv(x).chunk(3, dim=-1)
        q = q.view(b, t, self.heads, c // self.heads).transpose(1, 2)
        k = k.view(b, t, self.heads, c // self.heads).transpose(1, 2)
        v = v.view(b, t, self.heads, c // self.heads).transpose(1, 2)
        att = (q @ k.transpose(-2, -1)) / (c // self.heads) ** 0.5
        y = att.softmax(dim=-1) @ v
        return self.out(y.transpose(1, 2).contiguous().view(b, t, c))


def test_a_traced_cnn_gives_the_same_output_and_reads_as_its_layers():
    torch.manual_seed(0)
    net, x = SmallCNN().eval(), torch.randn(2, 3, 8, 8)
    want = net(x)
    with tv.trace(dims={x: "N C H W"}) as tr:
        got = net(x)
    assert torch.equal(got, want)
    modules = [s.module for s in tr.steps]
    assert "features.0 (Conv2d)" in modules and "features.2 (MaxPool2d)" in modules and "head (Linear)" in modules
    conv = next(s for s in tr.steps if s.op == "conv2d")
    assert conv.inputs[0].shape == (2, 3, 8, 8) and conv.output.shape == (2, 8, 8, 8)
    flat = next(s for s in tr.steps if s.op == "flatten")
    assert flat.output.shape == (2, 128) and flat.module == "SmallCNN"
    assert flat.output.dims[0] == "N"  # the batch axis keeps its name
    frames = step_frames(flat)
    assert frames.meta["mode"] == "exact" and frames.meta["sources"][0]["k"] == 1


def test_an_attention_block_splits_and_merges_heads_in_steps_that_animate():
    torch.manual_seed(0)
    att, x = Attention().eval(), torch.randn(2, 5, 16)
    want = att(x)
    with tv.trace(dims={x: "B T C"}) as tr:
        got = att(x)
    assert torch.equal(got, want)
    ops = [s.op for s in tr.steps]
    assert ops.count("view") == 4 and ops.count("transpose") == 5 and "softmax" in ops and ops.count("matmul") == 2
    split = next(s for s in tr.steps if s.op == "transpose" and s.inputs[0].shape == (2, 5, 4, 4))
    assert split.output.shape == (2, 4, 5, 4) and split.is_view and not split.output.is_contiguous
    merge = [s for s in tr.steps if s.op == "view"][-1]
    assert merge.inputs[0].shape == (2, 5, 4, 4) and merge.output.shape == (2, 5, 16)
    for step in (split, merge):
        frames = step_frames(step)
        assert frames.meta["mode"] == "exact"
        (src,) = [s for s in frames.meta["sources"] if s is not None]
        assert src["k"] == 1
    # the steps of the head split ran in the attention module, the projections in its linears
    assert {s.module for s in tr.steps if s.op == "linear"} == {"qkv (Linear)", "out (Linear)"}
