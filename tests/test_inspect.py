"""The inspection core: what a user reads in the header must be true of the tensor."""

from __future__ import annotations

import math

import numpy as np
import pytest
import torch

import tensorviz as tv
from tensorviz import info as info_mod


def test_metadata_of_a_plain_tensor():
    info = tv.inspect(torch.zeros(2, 3, 4))
    assert info.shape == (2, 3, 4)
    assert info.rank == 3 and info.numel == 24
    assert info.dtype == "float32" and info.device == "cpu" and info.layout == "strided"
    assert info.strides == (12, 4, 1) and info.is_contiguous and info.storage_offset == 0
    assert info.element_size == 4 and info.nbytes == 96 and info.storage_nbytes == 96


def test_a_slice_reports_its_own_bytes_and_the_larger_storage():
    base = torch.zeros(4, 6)
    view = base[1:3, ::2]
    info = tv.inspect(view)
    assert info.shape == (2, 3) and info.strides == (6, 2) and info.storage_offset == 6
    assert not info.is_contiguous
    assert info.nbytes == 24 and info.storage_nbytes == 96


def test_expanded_tensor_has_stride_zero_and_small_storage():
    t = torch.arange(3.0).expand(1000, 3)
    info = tv.inspect(t)
    assert info.strides == (0, 1) and info.storage_nbytes == 12 and info.nbytes == 12000


def test_autograd_fields():
    a = torch.ones(3, requires_grad=True)
    info = tv.inspect(a * 2)
    assert info.requires_grad and info.grad_fn == "MulBackward0"
    assert tv.inspect(a).grad_fn is None


def test_stats_match_torch_and_count_special_values():
    t = torch.tensor([[1.0, -2.0, 0.0], [math.nan, math.inf, -math.inf], [0.0, 4.0, 3.0]])
    s = tv.inspect(t).stats
    finite = t[torch.isfinite(t)]
    assert (s.nan, s.posinf, s.neginf, s.zeros) == (1, 1, 1, 2)
    assert s.min == -2.0 and s.max == 4.0
    assert s.mean == pytest.approx(float(finite.mean()))
    assert s.std == pytest.approx(float(finite.std()))
    assert not s.sampled and s.sample_size is None and s.count == 9


def test_large_tensor_stats_are_sampled_and_say_so():
    t = torch.randn(info_mod.SAMPLE_THRESHOLD + 1)
    s = tv.inspect(t).stats
    assert s.sampled and s.sample_size == info_mod.SAMPLE_SIZE == s.count
    assert abs(s.mean) < 0.01 and s.std == pytest.approx(1.0, abs=0.01)


def test_complex_stats_are_of_the_magnitude():
    t = torch.tensor([3 + 4j, 0j], dtype=torch.complex64)
    s = tv.inspect(t).stats
    assert s.of == "magnitude" and s.max == 5.0 and s.min == 0.0 and s.zeros == 1


@pytest.mark.parametrize(
    "dtype", [torch.bfloat16, torch.float16, torch.float8_e4m3fn, torch.int8, torch.uint64, torch.bool]
)
def test_low_precision_and_integer_stats(dtype):
    t = torch.tensor([0, 1, 2, 3]).to(dtype)
    s = tv.inspect(t).stats
    assert s.max == (1.0 if dtype == torch.bool else 3.0) and s.min == 0.0 and s.zeros == 1


def test_meta_and_empty_have_structure_but_no_stats():
    meta = tv.inspect(torch.empty(10**9, device="meta"))
    assert meta.numel == 10**9 and meta.nbytes == 4 * 10**9
    assert meta.stats is None and not meta.values and "meta" in meta.values_note
    empty = tv.inspect(torch.zeros(3, 0, 2))
    assert empty.numel == 0 and empty.stats is None and "empty" in empty.values_note


def test_sparse_reports_layout_and_nnz_without_strides():
    dense = torch.zeros(5, 5)
    dense[1, 2], dense[3, 4] = 7.0, -1.0
    for sparse, layout in ((dense.to_sparse(), "sparse_coo"), (dense.to_sparse_csr(), "sparse_csr")):
        info = tv.inspect(sparse)
        assert info.layout == layout and info.nnz == 2 and info.strides is None
        assert info.stats.of == "stored values" and info.stats.max == 7.0


def test_numpy_arrays_are_shared_not_copied():
    a = np.arange(6, dtype=np.float64).reshape(2, 3)
    t = tv.as_tensor(a)
    a[0, 0] = 42
    assert t[0, 0] == 42
    assert tv.inspect(a).dtype == "float64"


def test_dlpack_objects_are_accepted():
    class Producer:
        def __init__(self, t):
            self.t = t

        def __dlpack__(self, **kwargs):
            return self.t.__dlpack__(**kwargs)

        def __dlpack_device__(self):
            return self.t.__dlpack_device__()

    assert tv.inspect(Producer(torch.ones(2, 2))).shape == (2, 2)


@pytest.mark.parametrize("bad", [[1, 2, 3], "tensor", 3.0, None])
def test_anything_else_is_refused_with_what_is_accepted(bad):
    with pytest.raises(TypeError, match=r"cannot show a .*accepts a torch.Tensor, a numpy.ndarray"):
        tv.inspect(bad)


def test_storage_only_dtypes_have_no_values_and_say_why():
    info = tv.inspect(torch.zeros(4, dtype=torch.bits8))
    assert not info.values and "no arithmetic" in info.values_note and info.stats is None


def test_every_torch_dtype_is_inspected_without_crashing():
    dtypes = {getattr(torch, n) for n in dir(torch) if isinstance(getattr(torch, n), torch.dtype)}
    for dtype in dtypes:
        try:
            t = torch.zeros(3, dtype=dtype)
        except RuntimeError:
            t = torch.empty(3, dtype=dtype)  # quantized dtypes only allow empty()
        info = tv.inspect(t)
        assert info.dtype == str(dtype).removeprefix("torch.")
        assert info.values or info.values_note


def test_to_json_never_carries_non_finite_numbers():
    t = torch.tensor([3e38, 3e38, -3e38], dtype=torch.float32)
    data = tv.inspect(t).to_json()
    assert all(v is None or math.isfinite(v) for v in data["stats"].values() if isinstance(v, float))


def test_float32_stats_near_the_top_of_the_range_are_finite():
    t = torch.tensor([3e38, 3e38, -3e38], dtype=torch.float32)
    s = tv.inspect(t).stats
    wide = t.to(torch.float64)  # the reference: torch, in float64
    assert s.mean == pytest.approx(1e38, rel=1e-6) and s.mean == pytest.approx(float(wide.mean()), rel=1e-12)
    assert s.std == pytest.approx(float(wide.std()), rel=1e-12) and s.std == pytest.approx(12**0.5 * 1e38, rel=1e-6)
    assert s.min == float(t[2]) and s.max == float(t[0])
    assert (s.nan, s.posinf, s.neginf, s.zeros, s.count) == (0, 0, 0, 0, 3)
    header = tv.inspect(t).to_json()["stats"]
    assert header["mean"] is not None and header["std"] is not None


def test_stats_combined_over_chunks_match_one_float64_pass(monkeypatch):
    monkeypatch.setattr(info_mod, "STATS_CHUNK", 1000, raising=False)
    gen = torch.Generator().manual_seed(1)
    t = (torch.randn(10_007, generator=gen) * 3 + 1e4).to(torch.float32)  # a large mean: cancellation-prone
    t[17], t[5003], t[9999] = math.nan, math.inf, -math.inf
    s = info_mod.compute_stats(t)
    finite = t[torch.isfinite(t)].to(torch.float64)
    assert (s.nan, s.posinf, s.neginf, s.count) == (1, 1, 1, 10_007)
    assert s.mean == pytest.approx(float(finite.mean()), rel=1e-12)
    # float32 data's spread is summarised in float32 (a float64 copy of every chunk would halve the speed): its
    # rounding is far below the 4 digits shown, and a wrong merge of the chunks is far above it
    assert s.std == pytest.approx(float(finite.std()), rel=1e-6)
    assert s.min == float(finite.min()) and s.max == float(finite.max())


@pytest.mark.parametrize(
    ("values", "counts"),
    [
        ([1.0, math.inf, 2.0, math.inf, 0.0], (0, 2, 0)),
        ([-1.0, -math.inf, 4.0], (0, 0, 1)),
        ([math.nan, 3.0, math.nan, -5.0, 0.0], (2, 0, 0)),
    ],
    ids=["only-posinf", "only-neginf", "only-nan"],
)
@pytest.mark.parametrize("dtype", [torch.float32, torch.float64, torch.float16, torch.bfloat16])
def test_a_single_kind_of_special_value_is_counted_and_left_out_of_the_figures(values, counts, dtype):
    t = torch.tensor(values, dtype=dtype)
    s = info_mod.compute_stats(t)
    finite = torch.tensor([v for v in values if math.isfinite(v)], dtype=torch.float64)
    assert (s.nan, s.posinf, s.neginf) == counts
    assert s.zeros == values.count(0.0) and s.count == len(values)
    assert s.min == float(finite.min()) and s.max == float(finite.max())
    assert s.mean == pytest.approx(float(finite.mean())) and s.std == pytest.approx(float(finite.std()))


@pytest.mark.parametrize(
    ("values", "counts"),
    [
        ([math.nan] * 4, (4, 0, 0)),
        ([math.inf, math.inf], (0, 2, 0)),
        ([-math.inf], (0, 0, 1)),
        ([math.nan, math.inf, -math.inf], (1, 1, 1)),
    ],
    ids=["all-nan", "all-posinf", "one-neginf", "one-of-each"],
)
@pytest.mark.parametrize("dtype", [torch.float32, torch.float64, torch.float16])
def test_no_finite_values_means_no_figures(values, counts, dtype):
    s = info_mod.compute_stats(torch.tensor(values, dtype=dtype))
    assert (s.nan, s.posinf, s.neginf) == counts and s.count == len(values) and s.zeros == 0
    assert (s.min, s.max, s.mean, s.std) == (None, None, None, None)


def test_one_finite_value_has_a_mean_but_no_std():
    s = info_mod.compute_stats(torch.tensor([math.nan, 2.5, math.inf]))
    assert (s.min, s.max, s.mean, s.std) == (2.5, 2.5, 2.5, None)


def test_all_nan_tensor_in_the_header():
    info = tv.inspect(torch.full((5, 5), math.nan))
    stats = info.to_json()["stats"]
    assert stats["nan"] == 25 and stats["count"] == 25
    assert stats["min"] is None and stats["max"] is None and stats["mean"] is None and stats["std"] is None
