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


# Integer extremes: the reference is computed in Python integers (no overflow, no rounding) from the
# very numbers written into the tensor, never from the slicer.
INTEGER_DTYPES = [
    torch.uint8,
    torch.int8,
    torch.int16,
    torch.uint16,
    torch.int32,
    torch.uint32,
    torch.int64,
    torch.uint64,
]
# (rows, cols) of the face and the block size at budget (3, 3): 6 x 6 divides into 2 x 2 blocks;
# 7 x 5 and 8 x 7 leave partial blocks in the last block-row and block-column.
FACE_SHAPES = [((6, 6), (2, 2)), ((7, 5), (3, 2)), ((8, 7), (3, 3))]


def extreme(values):
    """The value of largest magnitude, the positive one on a tie, in exact Python integers."""
    return max(values, key=lambda v: (abs(v), v))


def block_extremes(values, sr, sc):
    rows, cols = len(values), len(values[0])
    return [
        [
            extreme([values[r][c] for r in range(r0, min(rows, r0 + sr)) for c in range(c0, min(cols, c0 + sc))])
            for c0 in range(0, cols, sc)
        ]
        for r0 in range(0, rows, sr)
    ]


def integer_face_with_extremes(dtype, rows, cols, sr, sc):
    """Small values everywhere, and the dtype's minimum and maximum in chosen blocks (edges included)."""
    lo, hi = torch.iinfo(dtype).min, torch.iinfo(dtype).max
    signed = lo < 0
    values = [[(r * cols + c) % 7 - (3 if signed else 0) for c in range(cols)] for r in range(rows)]
    values[0][0] = lo  # block (0, 0): the minimum among small values
    values[0][sc], values[1][sc] = hi, lo  # block (0, 1): both extremes; |min| = max + 1 when signed
    values[sr][0], values[sr][1] = (-hi if signed else hi - 1), hi  # block (1, 0): a tie goes to the positive
    values[sr][sc] = lo + 1  # block (1, 1): -max when signed
    values[rows - 1][cols - 1] = hi  # the corner block, partial when the shape does not divide
    values[rows - 1][0] = lo  # last block-row
    values[0][cols - 1] = hi - 1  # last block-column
    values[sr][cols - 1] = lo
    return values


@pytest.mark.parametrize(("shape", "step"), FACE_SHAPES, ids=["divides", "partial-7x5", "partial-8x7"])
@pytest.mark.parametrize("dtype", INTEGER_DTYPES, ids=str)
def test_integer_block_extremes_are_exact_with_their_sign(dtype, shape, step):
    (rows, cols), (sr, sc) = shape, step
    values = integer_face_with_extremes(dtype, rows, cols, sr, sc)
    f = face(torch.tensor(values, dtype=dtype), [0, 1], budget=(3, 3))
    assert f.step == (sr, sc) and f.shape == (3, 3)
    assert f.data.dtype == np.dtype(str(dtype).removeprefix("torch."))
    cells = f.data.tolist()  # Python integers: exact for every dtype, uint64 included
    assert cells == block_extremes(values, sr, sc)
    lo, hi = torch.iinfo(dtype).min, torch.iinfo(dtype).max
    signed = lo < 0
    assert cells[0][1] == (lo if signed else hi)
    assert cells[1][0] == hi
    assert cells[2][2] == hi
    if signed:
        assert cells[0][0] == lo and cells[1][1] == lo + 1 == -hi and cells[2][0] == lo and cells[1][2] == lo
    else:
        assert cells[0][0] > 0  # the minimum, 0, loses to the small values beside it


def test_int64_minimum_beats_a_small_positive_and_extremes_above_2_53_stay_exact():
    t = torch.tensor([[-9223372036854775808, 5]], dtype=torch.int64)
    assert face(t, [0, 1], budget=(1, 1)).data.tolist() == [[-9223372036854775808]]
    # 3 columns in blocks of 2: the second block is partial and padded.
    t = torch.tensor([[0, 1, 9223372036854775807]], dtype=torch.int64)
    assert face(t, [0, 1], budget=(1, 2)).data.tolist() == [[1, 9223372036854775807]]
    t = torch.tensor([[0, 1, 18446744073709551615], [2, 3, 18446744073709551614]], dtype=torch.uint64)
    assert face(t, [0, 1], budget=(1, 2)).data.tolist() == [[3, 18446744073709551615]]
    t = torch.tensor([[2**53 + 1, 0, -(2**53) - 1]], dtype=torch.int64)
    assert face(t, [0, 1], budget=(1, 2)).data.tolist() == [[2**53 + 1, -(2**53) - 1]]


def test_float_partial_blocks_keep_nan_infinities_and_the_tie_rule():
    nan, inf = float("nan"), float("inf")
    # 5 x 5 at budget (2, 2): blocks of 3 x 3, the last block-row and block-column hold 2 rows/columns.
    values = [
        [1.0, -2.0, 0.0, 7.0, -7.0],
        [0.0, 0.5, 0.0, 0.0, 0.0],
        [0.0, 0.0, -3.0, 0.0, 0.0],
        [0.0, 0.0, 0.0, 0.0, -inf],
        [nan, 0.0, 0.0, 0.0, inf],
    ]
    for dtype in (torch.float32, torch.float64, torch.bfloat16):
        f = face(torch.tensor(values, dtype=dtype), [0, 1], budget=(2, 2))
        assert f.step == (3, 3)
        assert f.data[0, 0] == -3.0 and f.data[0, 1] == 7.0  # 7 and -7 tie: the positive one
        assert np.isnan(f.data[1, 0]) and f.data[1, 1] == np.inf  # inf and -inf tie: +inf
    values[4][4] = 0.0
    assert face(torch.tensor(values), [0, 1], budget=(2, 2)).data[1, 1] == -np.inf


def sparse_layouts(values, dtype):
    """The COO and CSR tensors holding the non-zero entries of ``values`` (built directly, no densifying)."""
    rows, cols = len(values), len(values[0])
    # Row-major order: the COO indices are sorted and unique, as is_coalesced=True promises. NaN != 0.
    entries = [(r, c, values[r][c]) for r in range(rows) for c in range(cols) if values[r][c] != 0]
    rr = [r for r, _, _ in entries]
    cc = [c for _, c, _ in entries]
    vals = torch.tensor([v for _, _, v in entries], dtype=dtype)
    coo = torch.sparse_coo_tensor(torch.tensor([rr, cc]), vals, (rows, cols), is_coalesced=True, check_invariants=True)
    crow = torch.tensor([sum(1 for r in rr if r < row) for row in range(rows + 1)])
    csr = torch.sparse_csr_tensor(crow, torch.tensor(cc), vals, (rows, cols), check_invariants=True)
    return {"coo": coo, "csr": csr}


@pytest.mark.parametrize("layout", ["coo", "csr"])
@pytest.mark.parametrize(("shape", "step"), FACE_SHAPES, ids=["divides", "partial-7x5", "partial-8x7"])
@pytest.mark.parametrize("dtype", INTEGER_DTYPES, ids=str)
def test_sparse_integer_block_extremes_are_exact(dtype, shape, step, layout):
    (rows, cols), (sr, sc) = shape, step
    values = integer_face_with_extremes(dtype, rows, cols, sr, sc)
    sparse = sparse_layouts(values, dtype)[layout]
    reduced = face(sparse, [0, 1], budget=(3, 3))
    assert reduced.step == (sr, sc) and reduced.error is None
    assert reduced.data.dtype == np.dtype(str(dtype).removeprefix("torch."))
    assert reduced.data.tolist() == block_extremes(values, sr, sc)
    assert face(sparse, [0, 1]).data.tolist() == values  # exact face: every stored entry as is


@pytest.mark.parametrize("layout", ["coo", "csr"])
def test_sparse_int64_extremes_survive_block_reduction(layout):
    lo, hi = -9223372036854775808, 9223372036854775807
    values = [[lo, 5, 0, 0], [0, 0, hi, hi - 1], [0, -hi, 0, 2**53 + 1]]
    sparse = sparse_layouts(values, torch.int64)[layout]
    assert face(sparse, [0, 1], budget=(2, 2)).data.tolist() == [[lo, hi], [-hi, 2**53 + 1]]


@pytest.mark.parametrize("layout", ["coo", "csr"])
@pytest.mark.parametrize("dtype", [torch.float32, torch.float64, torch.float16])
def test_sparse_block_reduction_keeps_nan_and_infinities_visible(dtype, layout):
    nan, inf = float("nan"), float("inf")
    # 6 x 6 at budget (3, 3): 2 x 2 blocks. Stored entries only; the rest are implicit zeros.
    values = [
        [nan, 0.0, 5.0, 0.0, -inf, 0.0],
        [0.0, 1e4, 0.0, -5.0, 0.0, 0.0],
        [0.0, inf, 0.0, 0.0, 0.0, 0.0],
        [nan, -inf, 0.0, 0.0, 0.0, 3.0],
        [0.0, 0.0, inf, 0.0, 0.0, 0.0],
        [0.0, -1.0, -inf, 0.0, 0.0, -2.0],
    ]
    sparse = sparse_layouts(values, dtype)[layout]
    cells = face(sparse, [0, 1], budget=(3, 3)).data
    assert np.isnan(cells[0, 0])  # NaN beside a larger finite value
    assert cells[0, 1] == 5.0  # 5 and -5 tie: the positive one
    assert cells[0, 2] == -np.inf
    assert np.isnan(cells[1, 0])  # NaN beside +inf and -inf
    assert cells[1, 1] == 0.0 and cells[1, 2] == 3.0
    assert cells[2, 0] == -1.0
    assert cells[2, 1] == np.inf  # +inf and -inf tie: +inf
    assert cells[2, 2] == -2.0
    exact = face(sparse, [0, 1]).data
    np.testing.assert_array_equal(exact, np.array(values, dtype=np.float32 if dtype == torch.float16 else None))


def test_sparse_nan_does_not_rely_on_scatter_reduce_propagating_it(monkeypatch):
    """torch does not promise that scatter_reduce amax/amin propagate NaN: a kernel that skips NaN
    (as some do) must still leave the block NaN."""
    real = torch.Tensor.scatter_reduce

    def skipping_nan(self, dim, index, src, reduce, **kwargs):
        if src.is_floating_point():
            src = torch.where(torch.isnan(src), torch.zeros_like(src), src)
        return real(self, dim, index, src, reduce, **kwargs)

    monkeypatch.setattr(torch.Tensor, "scatter_reduce", skipping_nan)
    nan = float("nan")
    values = [[nan, 0.0, 0.0, 2.0], [0.0, -7.0, 0.0, 0.0]]
    for sparse in sparse_layouts(values, torch.float32).values():
        cells = face(sparse, [0, 1], budget=(1, 2)).data
        assert np.isnan(cells[0, 0]) and cells[0, 1] == 2.0


def test_sparse_bool_blocks_are_true_when_any_entry_is():
    values = [[True, False, False, False], [False, False, False, False], [False, False, False, True]]
    for sparse in sparse_layouts(values, torch.bool).values():
        assert face(sparse, [0, 1], budget=(2, 2)).data.tolist() == [[True, False], [False, True]]
