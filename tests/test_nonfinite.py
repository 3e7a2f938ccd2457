"""NaN and infinities are never hidden: exact counts over the whole tensor, where they are, and faces that show them.

Expected counts and positions come from torch (isnan / isinf / nonzero over the whole tensor), never from the
code under test.
"""

from __future__ import annotations

import subprocess
import sys
import textwrap
import time

import numpy as np
import pytest
import torch

import tensorviz as tv
from tensorviz import nonfinite
from tensorviz.widgets import tensor_view

NAN, INF = float("nan"), float("inf")


def truth(t: torch.Tensor, limit: int = 100):
    """Counts and first indices as torch says, over the dense values."""
    x = t.to_dense() if t.layout != torch.strided else t
    if x.is_complex():
        nan = torch.isnan(x)
        inf = torch.isinf(x) & ~nan
        counts = (int(nan.sum()), int(inf.sum()), 0)
    else:
        x = x.float() if x.dtype not in (torch.float32, torch.float64) else x
        counts = (int(torch.isnan(x).sum()), int((x == INF).sum()), int((x == -INF).sum()))
    where = torch.nonzero(~torch.isfinite(x))  # row-major order
    return counts, tuple(tuple(int(v) for v in row) for row in where[:limit].tolist())


def scatter_specials(t: torch.Tensor, n: int, seed: int) -> torch.Tensor:
    gen = torch.Generator().manual_seed(seed)
    flat = t.reshape(-1)
    pos = torch.randperm(flat.numel(), generator=gen)[:n]
    for k, p in enumerate(pos.tolist()):
        flat[p] = (NAN, INF, -INF)[k % 3]
    return t


@pytest.mark.parametrize(
    "make",
    [
        lambda: scatter_specials(torch.randn(37, 53), 9, 1),
        lambda: scatter_specials(torch.randn(6, 7, 8), 11, 2).permute(2, 0, 1),  # not contiguous
        lambda: scatter_specials(torch.randn(40, 30), 7, 3)[::3, 1::2],  # strided slice
        lambda: scatter_specials(torch.randn(5, 1, 9), 4, 4).expand(5, 6, 9),  # stride 0
        lambda: scatter_specials(torch.randn(300), 5, 5).to(torch.float16),
        lambda: scatter_specials(torch.randn(300), 5, 6).to(torch.bfloat16),
        lambda: scatter_specials(torch.randn(12, 12), 5, 7).to(torch.float64),
        lambda: torch.tensor(NAN),
        lambda: torch.tensor([[1.0, -INF], [INF, 2.0]]).t(),
        lambda: scatter_specials(torch.randn(3, 1, 4, 1), 5, 8).expand(3, 5, 4, 2).permute(3, 1, 0, 2),
    ],
)
@pytest.mark.parametrize("gather", [True, False], ids=["gathered", "walked"])
def test_counts_and_first_indices_equal_torchs(make, gather, monkeypatch):
    if not gather:  # the row-major walk that very many NaN take
        monkeypatch.setattr(nonfinite, "GATHER_LIMIT", 0)
    t = make()
    (nan, posinf, neginf), first = truth(t)
    found = tv.find_nonfinite(t, limit=100)
    assert (found.nan, found.posinf, found.neginf) == (nan, posinf, neginf)
    assert found.indices == first
    assert len(found.kinds) == len(found.indices)
    for idx, kind in zip(found.indices, found.kinds, strict=True):
        v = float(t[idx].float())
        assert kind == ("nan" if v != v else "posinf" if v > 0 else "neginf"), (idx, v, kind)


def test_limit_cuts_the_indices_but_never_the_counts():
    t = torch.zeros(50, 50)
    t[::2, ::5] = NAN  # 25 * 10 = 250
    found = tv.find_nonfinite(t, limit=3)
    assert found.nan == 250 and found.indices == ((0, 0), (0, 5), (0, 10)) and not found.complete
    assert tv.find_nonfinite(t, limit=0).indices == ()
    with pytest.raises(ValueError, match="limit must be a non-negative integer, got -1"):
        tv.find_nonfinite(t, limit=-1)


def test_chunked_walk_covers_every_element_in_row_major_order():
    x = torch.arange(5 * 7 * 11.0).reshape(5, 7, 11).permute(2, 0, 1)
    for start in (0, 1, 50, 384):
        pieces = list(nonfinite.row_major_chunks(x, start, chunk=13))
        assert torch.equal(torch.cat([p for _, p in pieces]), x.reshape(-1)[start:])
        offsets = [o for o, _ in pieces]
        assert offsets[0] == start and all(len(p) <= 13 for _, p in pieces)
        assert offsets == sorted(offsets)


def test_an_expanded_billion_element_view_is_counted_without_reading_a_billion_elements():
    base = torch.tensor([1.0, NAN, -INF, 2.0])
    t = base.expand(250_000_000, 4)  # 10^9 elements, 16 bytes of storage
    found = tv.find_nonfinite(t, limit=4)
    assert (found.nan, found.posinf, found.neginf) == (250_000_000, 0, 250_000_000)
    assert found.indices == ((0, 1), (0, 2), (1, 1), (1, 2))
    assert found.kinds == ("nan", "neginf", "nan", "neginf")


def test_complex_sparse_and_values_that_cannot_be_nan():
    z = torch.zeros(3, 4, dtype=torch.complex64)
    z[1, 2] = complex(NAN, 0)
    z[2, 0] = complex(0, INF)
    found = tv.find_nonfinite(z)
    assert (found.nan, found.posinf, found.neginf) == (1, 1, 0) and found.indices == ((1, 2), (2, 0))

    dense = torch.zeros(6, 5)
    dense[4, 1], dense[0, 3], dense[2, 2] = NAN, INF, -INF
    for sparse in (dense.to_sparse(), dense.to_sparse_csr()):
        found = tv.find_nonfinite(sparse)
        assert (found.nan, found.posinf, found.neginf) == (1, 1, 1)
        assert found.indices == ((0, 3), (2, 2), (4, 1))

    # hybrid COO: a dense block per stored index; the first ones in row-major order of the full index
    dense = torch.zeros(4, 3, 5)
    dense[2, 0, 4], dense[0, 1, 0], dense[0, 1, 3], dense[3, 2, 2] = NAN, INF, -INF, NAN
    hybrid = dense.to_sparse(2)  # 2 sparse axes, 1 dense
    assert hybrid.values().dim() == 2
    want = torch.nonzero(~torch.isfinite(dense)).tolist()
    found = tv.find_nonfinite(hybrid)
    assert (found.nan, found.posinf, found.neginf) == (2, 1, 1)
    assert [list(i) for i in found.indices] == want == [[0, 1, 0], [0, 1, 3], [2, 0, 4], [3, 2, 2]]
    assert found.kinds == ("posinf", "neginf", "nan", "nan")
    assert tv.find_nonfinite(hybrid, limit=2).indices == ((0, 1, 0), (0, 1, 3))

    for t in (torch.arange(10), torch.ones(3, dtype=torch.bool), torch.quantize_per_tensor(torch.ones(3), 0.1, 0, torch.qint8)):
        assert tv.find_nonfinite(t) == nonfinite.NonFinite(0, 0, 0, (), ())
    with pytest.raises(ValueError, match="meta tensor"):
        tv.find_nonfinite(torch.empty(3, device="meta"))


def test_next_walks_in_row_major_order_and_stops_at_the_end():
    t = torch.zeros(4, 5).t()  # shape (5, 4), not contiguous
    t[3, 1], t[0, 2], t[4, 0] = NAN, INF, -INF
    order = []
    after = None
    while (hit := nonfinite.next_nonfinite(t, after)) is not None:
        order.append(hit)
        after = hit[0]
    assert order == [((0, 2), "posinf"), ((3, 1), "nan"), ((4, 0), "neginf")]


# -- the widget ----------------------------------------------------------------------------------


@pytest.fixture
def view_of():
    def make(x, **kwargs):
        view = tv.show(x, **kwargs)
        view.sent = []
        view.send = lambda content, buffers=None: view.sent.append((content, buffers or []))
        return view

    return make


def wait_done(view, timeout=60.0):
    deadline = time.monotonic() + timeout
    while view.nonfinite.get("state") == "checking" and time.monotonic() < deadline:
        time.sleep(0.02)
    return view.nonfinite


def ask_next(view, after):
    view._on_message(view, {"kind": "nonfinite", "id": "n", "after": after}, [])
    return view.sent[-1][0]


def test_a_small_tensor_is_counted_at_once_and_the_trait_says_where(view_of):
    t = torch.ones(3, 4)
    t[2, 1], t[0, 3] = NAN, -INF
    view = view_of(t)
    nf = view.nonfinite
    assert nf["state"] == "done" and (nf["nan"], nf["posinf"], nf["neginf"]) == (1, 0, 1)
    assert nf["first"] == [[0, 3], [2, 1]] and nf["kinds"] == ["neginf", "nan"]
    assert view_of(torch.arange(6)).nonfinite["state"] == "none"
    assert view_of(torch.empty(2, device="meta")).nonfinite["state"] == "n/a"


def test_go_to_next_answers_in_order_with_ordinals_and_wraps(view_of):
    t = torch.ones(3, 4)
    t[2, 1], t[0, 3] = NAN, -INF
    view = view_of(t)
    first = ask_next(view, None)
    assert first["index"] == [0, 3] and first["value"] == "neginf" and first["ordinal"] == 1 and first["total"] == 2
    second = ask_next(view, [0, 3])
    assert second["index"] == [2, 1] and second["value"] == "nan" and second["ordinal"] == 2
    again = ask_next(view, [2, 1])
    assert again["index"] == [0, 3] and again["wrapped"] is True
    assert ask_next(view, [1, 0])["index"] == [2, 1]  # after an arbitrary element too
    none = view_of(torch.ones(2, 2))
    assert ask_next(none, None)["index"] is None


def test_go_to_next_beyond_the_remembered_ones_scans_on(view_of):
    n = tensor_view.KNOWN_LIMIT + 50
    t = torch.zeros(n, 3)
    t[:, 1] = NAN
    view = view_of(t)
    last_known = [tensor_view.KNOWN_LIMIT - 1, 1]
    reply = ask_next(view, last_known)
    assert reply["index"] == [tensor_view.KNOWN_LIMIT, 1] and reply["value"] == "nan"
    assert reply["ordinal"] is None and reply["total"] == n  # the count is exact; the ordinal beyond the list is not kept


def test_bad_after_gets_an_error_naming_what_was_given(view_of):
    view = view_of(torch.zeros(2, 3))
    view._on_message(view, {"kind": "nonfinite", "id": "x", "after": [5, 0]}, [])
    content = view.sent[-1][0]
    assert content["kind"] == "error" and content["id"] == "x"
    assert "index 5 is out of range for axis 0 of size 2" in content["message"]
    view._on_message(view, {"kind": "nonfinite", "id": "x", "after": "first"}, [])
    assert "'after' must be null or a full index of 2 integers, got 'first'" in view.sent[-1][0]["message"]


def test_a_big_tensor_is_counted_in_the_background_and_its_faces_refetched(view_of, monkeypatch):
    monkeypatch.setattr(tensor_view, "SCAN_INLINE", 1000)
    monkeypatch.setattr(tensor_view, "READ_LIMIT", 1000)
    t = torch.zeros(200, 300)
    t[150, 7] = NAN
    view = view_of(t)
    assert view.nonfinite["state"] == "checking"  # the constructor did not wait for the count
    nf = wait_done(view)
    assert nf["state"] == "done" and nf["nan"] == 1 and nf["first"] == [[150, 7]]
    assert view.revision == 1  # faces drawn before the count are asked again, now with the NaN marked


def test_the_6000_square_face_read_from_a_row_sample_shows_its_one_nan_and_one_inf(view_of):
    t = torch.randn(6000, 6000)
    t[1234, 4321] = NAN  # row 1234 is not a multiple of 3: the row sample does not read it
    t[5999, 1] = INF
    view = view_of(t)
    assert view.info["stats"]["sampled"]
    nf = wait_done(view)
    assert (nf["nan"], nf["posinf"], nf["neginf"]) == (1, 1, 0)
    assert nf["first"] == [[1234, 4321], [5999, 1]]
    view._on_message(
        view,
        {"kind": "faces", "id": "f", "budget": [293, 293], "faces": [{"axes": [0, 1], "index": [0, 0], "window": None}]},
        [],
    )
    content, buffers = view.sent[-1]
    meta = content["faces"][0]
    assert meta["sample"] != [1, 1], "the face must come from a row sample for this test to mean anything"
    cells = np.frombuffer(bytes(buffers[0]), dtype=np.float32).reshape(meta["shape"])
    sr, sc = meta["step"]
    assert np.isnan(cells[1234 // sr, 4321 // sc]), "the NaN's block does not show NaN"
    assert cells[5999 // sr, 1 // sc] == INF, "the +inf's block does not show +inf"
    assert int(np.isnan(cells).sum()) == 1 and int(np.isinf(cells).sum()) == 1
    assert meta["unread_nonfinite"] >= 1 and meta["nonfinite_unknown"] is False


def test_find_nonfinite_on_the_view_returns_plain_data_and_updates_the_header(view_of):
    t = torch.ones(10, 10)
    t[3, 3] = NAN
    view = view_of(t)
    t[7, 2] = INF  # an in-place edit the view has not seen yet
    found = view.find_nonfinite(limit=1)
    assert (found.nan, found.posinf, found.indices) == (1, 1, ((3, 3),))
    assert view.nonfinite["posinf"] == 1 and view.nonfinite["first"] == [[3, 3], [7, 2]]


def test_refresh_after_an_in_place_edit_counts_again(view_of):
    t = torch.ones(4, 4)
    view = view_of(t)
    assert view.nonfinite["nan"] == 0
    t[1, 1] = NAN
    view.refresh()
    assert wait_done(view)["nan"] == 1


def test_a_memory_mapped_tensor_is_counted_only_when_asked(view_of, tmp_path):
    path = tmp_path / "values.f32"
    data = np.zeros(1000, np.float32)
    data[17] = np.nan
    data.tofile(path)
    for t in (
        torch.from_file(str(path), shared=True, size=1000),
        torch.from_numpy(np.memmap(path, dtype=np.float32, mode="r+")),
    ):
        view = view_of(t)
        assert view.nonfinite["state"] == "skipped", view.nonfinite
        assert "memory-mapped" in view.nonfinite["reason"]
        view._on_message(view, {"kind": "scan", "id": "s"}, [])
        assert view.sent[-1][0]["kind"] == "scan"
        nf = wait_done(view)
        assert nf["state"] == "done" and nf["nan"] == 1 and nf["first"] == [[17]]
    torch.save(torch.tensor([1.0, NAN]), tmp_path / "t.pt")
    loaded = torch.load(tmp_path / "t.pt", mmap=True)
    assert view_of(loaded).nonfinite["state"] == "skipped"
    assert view_of(torch.tensor([1.0, NAN])).nonfinite["state"] == "done"  # plain memory: counted at once


def test_mark_face_gives_nan_precedence_over_inf_and_inf_over_finite():
    shape = (4, 6)
    found = nonfinite.NonFinite(1, 1, 1, ((1, 1), (1, 3), (3, 5)), ("nan", "posinf", "neginf"))
    known = nonfinite.Known(found, shape)
    data = np.array([[5.0, -7.0], [0.5, 0.25]], np.float32)  # the face reduced by 2x3 blocks read from every 2nd row
    marked = nonfinite.mark_face(data, known, (0, 1), (0, 0), (0, 4, 0, 6), (2, 3), (2, 1), (2, 2))
    assert marked == 3
    assert np.isnan(data[0, 0]) and data[0, 1] == INF and data[1, 1] == -INF and data[1, 0] == np.float32(0.5)
    found2 = nonfinite.NonFinite(0, 1, 0, ((0, 0),), ("posinf",))
    same = np.array([[1.0, 2.0], [3.0, 4.0]], np.float32)
    assert nonfinite.mark_face(same, nonfinite.Known(found2, shape), (0, 1), (0, 0), (0, 4, 0, 6), (2, 3), (2, 1), (2, 2)) == 0
    assert same[0, 0] == 1.0  # row 0 was read: the reduction has seen it, nothing to mark


SCAN_MEMORY = textwrap.dedent(
    """
    import torch, tensorviz as tv

    from tensorviz.memory_sources import process_peak, reset_process_peak as reset_peak

    def peak_mib():  # VmHWM (see process_peak)
        return process_peak() / 2**20

    t = torch.randn(2**13, 2**14)  # 512 MiB
    t[8000, 3] = float("nan")
    t = t.t()  # not contiguous: counted in copied pieces
    reset_peak()
    base = peak_mib()
    found = tv.find_nonfinite(t)
    assert found.nan == 1 and found.indices == ((3, 8000),), found
    print(peak_mib() - base)
    """
)


def test_counting_a_512_mib_non_contiguous_tensor_adds_little_memory():
    out = subprocess.run([sys.executable, "-c", SCAN_MEMORY], capture_output=True, text=True, timeout=300)
    assert out.returncode == 0, out.stderr
    added = float(out.stdout.strip().splitlines()[-1])
    assert added < 24, f"peak resident memory grew by {added:.0f} MiB while counting NaN in 512 MiB"


def test_the_interpreter_exits_cleanly_while_a_background_count_runs():
    # a daemon thread still inside torch while the interpreter tears down aborts the process ("terminate called...")
    script = "import torch, tensorviz as tv\nv = tv.show(torch.randn(8000, 8000))\nprint(v.nonfinite['state'])\n"
    out = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=300)
    assert out.returncode == 0, f"exit status {out.returncode}: {out.stderr[-500:]}"
    assert out.stdout.strip() == "checking"
