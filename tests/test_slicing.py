"""The slicer: the values that reach the browser are the tensor's, cut and reduced on its device."""

from __future__ import annotations

import numpy as np
import pytest
import torch

from tensorviz import slicing
from tensorviz.protocol import parse_faces
from tensorviz.slicing import cut_face, plan


def face(t, axes, index=None, window=None, budget=(256, 256)):
    request = parse_faces(
        {
            "id": "t",
            "budget": list(budget),
            "faces": [{"axes": axes, "index": index or [0] * t.dim(), "window": window}],
        },
        tuple(t.shape),
    )
    return cut_face(t, request.faces[0], request.budget)


def test_front_face_of_a_cube_equals_torch_indexing():
    t = torch.randn(2, 3, 4)
    f = face(t, [1, 2], [1, 0, 0])
    assert f.shape == (3, 4) and f.step == (1, 1) and f.encoding == "float32"
    np.testing.assert_array_equal(f.data, t[1].numpy())


def test_axes_order_transposes_the_face():
    t = torch.arange(24).reshape(2, 3, 4)
    f = face(t, [2, 0], [0, 2, 0])
    np.testing.assert_array_equal(f.data, t[:, 2, :].T.numpy())
    assert f.extent == (4, 2)


def test_scalar_and_vector_faces():
    np.testing.assert_array_equal(face(torch.tensor(7.5), []).data, [[7.5]])
    np.testing.assert_array_equal(face(torch.arange(5), [0]).data, [[0, 1, 2, 3, 4]])


def test_window_cuts_the_requested_region():
    t = torch.randn(100, 80)
    f = face(t, [0, 1], window=[10, 20, 30, 35])
    np.testing.assert_array_equal(f.data, t[10:20, 30:35].numpy())
    assert f.window == (10, 20, 30, 35) and f.extent == (100, 80)


def test_block_reduction_keeps_the_extreme_of_each_block():
    t = torch.randn(64, 64)
    f = face(t, [0, 1], budget=(16, 16))
    assert f.shape == (16, 16) and f.step == (4, 4)
    blocks = t.reshape(16, 4, 16, 4).permute(0, 2, 1, 3).reshape(16, 16, 16)
    expected = blocks.gather(-1, blocks.abs().argmax(-1, keepdim=True)).squeeze(-1)
    np.testing.assert_array_equal(f.data, expected.numpy())


def test_block_reduction_keeps_nan_and_infinities_visible():
    t = torch.zeros(1000, 1000)
    t[3, 3], t[500, 600], t[999, 999] = float("nan"), float("inf"), -float("inf")
    f = face(t, [0, 1], budget=(100, 100))
    assert np.isnan(f.data[0, 0])
    assert f.data[50, 60] == np.inf and f.data[99, 99] == -np.inf
    assert np.count_nonzero(f.data) == 3  # NaN counts as non-zero


def test_partial_blocks_at_the_edges_are_reduced_too():
    t = torch.arange(10.0 * 7).reshape(10, 7)
    f = face(t, [0, 1], budget=(4, 3))
    assert plan(10, 4) == (3, 4) and plan(7, 3) == (3, 3)
    assert f.shape == (4, 3)
    assert f.data[3, 2] == t[9, 6]  # the last block holds only the corner element


@pytest.mark.parametrize(
    ("dtype", "encoding"),
    [
        (torch.bfloat16, "float32"),
        (torch.float16, "float32"),
        (torch.float8_e5m2, "float32"),
        (torch.int64, "int64"),
        (torch.uint16, "uint16"),
        (torch.uint64, "uint64"),
        (torch.bool, "bool"),
    ],
)
def test_dtypes_are_converted_per_slice_exactly(dtype, encoding):
    t = (
        (torch.randn(6, 5) * 8).to(dtype)
        if dtype.is_floating_point
        else torch.randint(0, 2 if dtype == torch.bool else 200, (6, 5)).to(dtype)
    )
    f = face(t, [0, 1])
    assert f.encoding == encoding
    np.testing.assert_array_equal(f.data, t.to(torch.float64).numpy())


@pytest.mark.parametrize("dtype", [torch.bfloat16, torch.int8, torch.uint32, torch.uint64, torch.bool])
def test_reduced_faces_of_every_kind_hold_block_extremes(dtype):
    base = torch.randint(-100 if dtype.is_signed else 0, 2 if dtype == torch.bool else 100, (40, 40))
    t = base.to(dtype)
    f = face(t, [0, 1], budget=(10, 10))
    wide = t.to(torch.float64).reshape(10, 4, 10, 4).permute(0, 2, 1, 3).reshape(10, 10, 16)
    expected = wide.gather(-1, wide.abs().argmax(-1, keepdim=True)).squeeze(-1)
    np.testing.assert_array_equal(np.abs(f.data.astype(np.float64)), expected.abs().numpy())


def test_complex_faces_send_interleaved_pairs_and_reduce_by_magnitude():
    t = torch.randn(8, 8, dtype=torch.complex64)
    exact = face(t, [0, 1])
    assert exact.encoding == "complex64"
    np.testing.assert_array_equal(exact.data, t.numpy())
    reduced = face(t, [0, 1], budget=(2, 2))
    blocks = t.reshape(2, 4, 2, 4).permute(0, 2, 1, 3).reshape(2, 2, 16)
    expected = blocks.gather(-1, blocks.abs().argmax(-1, keepdim=True)).squeeze(-1)
    np.testing.assert_array_equal(reduced.data, expected.numpy())
    assert len(reduced.buffer()) == 4 * 8


def test_complex32_is_sent_as_complex64():
    t = torch.randn(3, 3, dtype=torch.complex64).to(torch.complex32)
    f = face(t, [0, 1])
    assert f.encoding == "complex64"
    np.testing.assert_array_equal(f.data, t.to(torch.complex64).numpy())


def test_non_contiguous_and_expanded_views():
    base = torch.randn(10, 12)
    view = base.t()[::2]
    np.testing.assert_array_equal(face(view, [0, 1]).data, view.numpy())
    expanded = torch.arange(4.0).expand(3, 5, 4)
    np.testing.assert_array_equal(face(expanded, [1, 2], [2, 0, 0]).data, expanded[2].numpy())


def test_quantized_values_are_dequantized():
    q = torch.quantize_per_tensor(torch.randn(3, 4), 0.1, 0, torch.qint8)
    np.testing.assert_array_equal(face(q, [0, 1]).data, q.dequantize().numpy())


def test_sparse_faces_are_built_from_stored_entries():
    dense = torch.zeros(3, 50, 60)
    dense[1, 5, 7], dense[1, 49, 59], dense[2, 0, 0] = 2.0, -9.0, 1.0
    for sparse in (dense.to_sparse(),):
        np.testing.assert_array_equal(face(sparse, [1, 2], [1, 0, 0]).data, dense[1].numpy())
        reduced = face(sparse, [1, 2], [1, 0, 0], budget=(10, 10))
        assert reduced.data[1, 1] == 2.0 and reduced.data[9, 9] == -9.0
        assert np.count_nonzero(reduced.data) == 2
    csr = dense[1].to_sparse_csr()
    np.testing.assert_array_equal(face(csr, [0, 1]).data, dense[1].numpy())


def test_meta_empty_and_storage_only_tensors_are_refused_per_face():
    assert "meta" in face(torch.empty(10**9, device="meta"), [0]).error
    assert "no arithmetic" in face(torch.zeros(4, 4, dtype=torch.bits8), [0, 1]).error


def test_a_face_too_large_to_read_whole_is_reduced_from_a_row_sample_and_says_so(monkeypatch):
    monkeypatch.setattr(slicing, "READ_LIMIT", 64 * 64)
    t = torch.randn(256, 64)
    f = face(t, [0, 1], budget=(16, 16))
    assert f.sample == (4, 1) and f.step == (16, 4) and f.shape == (16, 16)
    sub = t[::4]  # the rows read: every 4th
    blocks = sub.reshape(16, 4, 16, 4).permute(0, 2, 1, 3).reshape(16, 16, 16)
    expected = blocks.gather(-1, blocks.abs().argmax(-1, keepdim=True)).squeeze(-1)
    np.testing.assert_array_equal(f.data, expected.numpy())
    assert f.meta()["sample"] == [4, 1]
    # A window small enough to read whole is exact and unsampled.
    assert face(t, [0, 1], window=[0, 64, 0, 64], budget=(64, 64)).sample == (1, 1)


def test_sampling_strides_keep_reads_bounded_and_blocks_non_empty():
    for rows, cols, budget in [(10**5, 10**4, 300), (1, 10**9, 1000), (10**6, 1000, 256), (3000, 10**6, 256)]:
        sr, sc = plan(rows, budget)[0], plan(cols, budget)[0]
        fr, fc = slicing.sampling(rows, cols, sr, sc)
        assert 1 <= fr <= sr and 1 <= fc <= sc
        assert -(-rows // fr) * -(-cols // fc) <= slicing.READ_LIMIT * 1.01


def test_a_huge_face_is_reduced_in_bands_to_the_budget():
    t = torch.randn(4096, 4096)
    f = face(t, [0, 1], budget=(512, 512))
    assert f.shape == (512, 512) and f.step == (8, 8)
    assert f.data.max() == t.max().item() and f.data.min() == t.min().item()


@pytest.mark.skipif(not torch.cuda.is_available(), reason="needs a CUDA device")
def test_cuda_faces_are_cut_on_the_device_and_match_the_cpu():
    t = torch.randn(3, 700, 900, device="cuda")
    t[1, 5, 5] = float("nan")
    cpu = t.cpu()
    for budget in ((1024, 1024), (64, 64)):
        on_gpu = face(t, [1, 2], [1, 0, 0], budget=budget)
        on_cpu = face(cpu, [1, 2], [1, 0, 0], budget=budget)
        np.testing.assert_array_equal(on_gpu.data, on_cpu.data)
