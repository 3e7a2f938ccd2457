"""TensorView's kernel side: traits a frontend reads, and replies to what a frontend may send."""

from __future__ import annotations

import numpy as np
import pytest
import torch

import tensorviz as tv
from tensorviz import slicing
from tensorviz.widgets.tensor_view import _refresh_changed


class Sent(list):
    """Captures what the widget sends to the frontend."""


@pytest.fixture
def view_of():
    def make(x, **kwargs):
        view = tv.show(x, **kwargs)
        sent = Sent()
        view.send = lambda content, buffers=None: sent.append((content, buffers or []))
        view.sent = sent
        return view

    return make


def ask(view, **content):
    message = {"kind": "faces", "id": "v:1", "budget": [64, 64]} | content
    view._on_message(view, message, [])
    return view.sent[-1]


def test_show_syncs_info_dims_and_default_face(view_of):
    view = view_of(torch.zeros(2, 3, 4, 5), dims="N C H W")
    assert view.dims == ["N", "C", "H", "W"]
    assert view.face_axes == [2, 3] and view.index == [0, 0, 0, 0]
    assert view.info["shape"] == [2, 3, 4, 5] and view.info["dtype"] == "float32"


def test_dims_as_a_sequence_and_unnamed_axes(view_of):
    assert view_of(torch.zeros(2, 3), dims=("rows", None)).dims == ["rows", ""]
    assert view_of(torch.zeros(2, 3)).dims == ["", ""]


def test_wrong_number_of_dims_says_how_many_are_needed():
    with pytest.raises(ValueError, match=r"shape \[2, 3, 4\] has 3: give exactly 3 names"):
        tv.show(torch.zeros(2, 3, 4), dims="A B")


def test_a_faces_request_is_answered_with_binary_values(view_of):
    t = torch.randn(2, 3, 4)
    view = view_of(t)
    content, buffers = ask(view, faces=[{"axes": [1, 2], "index": [1, 0, 0], "window": None}])
    assert content["kind"] == "faces" and content["id"] == "v:1" and content["revision"] == 0
    meta = content["faces"][0]
    assert meta["shape"] == [3, 4] and meta["encoding"] == "float32" and meta["error"] is None
    values = np.frombuffer(bytes(buffers[0]), dtype=np.float32).reshape(3, 4)
    np.testing.assert_array_equal(values, t[1].numpy())


@pytest.mark.parametrize(
    ("message", "says"),
    [
        ({"kind": "launch", "id": "x"}, "unknown message kind 'launch'"),
        ({"kind": "faces", "id": "x", "budget": [10**9, 5], "faces": []}, "between 1 and 4096"),
        (
            {"kind": "faces", "id": "x", "budget": [8, 8], "faces": [{"axes": [0, 1], "index": [9, 0, 9]}]},
            "out of range for axis 2 of size 4",
        ),
        (
            {"kind": "faces", "id": "x", "budget": [8, 8], "faces": [{"axes": [1, 2], "index": [9, 0, 0]}]},
            "out of range",
        ),
        (
            {"kind": "faces", "id": "x", "budget": [8, 8], "faces": [{"axes": [1, 2], "index": "0"}]},
            "'index' must list",
        ),
        ({"kind": "faces", "id": "x", "budget": [8, 8], "faces": [{"axes": [1, 1], "index": [0, 0, 0]}]}, "distinct"),
        ({"kind": "faces", "id": "x", "budget": ["8", 8], "faces": []}, "'budget' must be"),
        (
            {
                "kind": "faces",
                "id": "x",
                "budget": [8, 8],
                "faces": [{"axes": [1, 2], "index": [0, 0, 0], "window": [0, 99, 0, 1]}],
            },
            "outside the face",
        ),
        ({"kind": "faces", "id": "x" * 500}, "'id' must be"),
        ([1, 2, 3], "unknown message kind None"),
    ],
)
def test_malformed_requests_get_an_error_reply_and_the_widget_keeps_working(view_of, message, says):
    view = view_of(torch.randn(2, 3, 4))
    view._on_message(view, message, [])
    content, _ = view.sent[-1]
    assert content["kind"] == "error" and says in content["message"]
    content, _ = ask(view, faces=[{"axes": [1, 2], "index": [0, 0, 0], "window": None}])
    assert content["kind"] == "faces" and content["faces"][0]["error"] is None


def test_meta_tensor_faces_are_refused_with_a_reason(view_of):
    view = view_of(torch.empty(10**9, device="meta"))
    content, buffers = ask(view, faces=[{"axes": [0], "index": [0], "window": None}])
    assert "meta tensors have no values" in content["faces"][0]["error"] and len(buffers[0]) == 0


def test_axis_names_are_kept_verbatim_as_data(view_of):
    hostile = "<img src=x onerror=alert(1)>"
    assert view_of(torch.zeros(2, 2), dims=[hostile, "b"]).dims == [hostile, "b"]


def test_index_and_face_axes_are_validated_from_python(view_of):
    view = view_of(torch.zeros(2, 3, 4))
    view.index = [1, 2, 3]
    with pytest.raises(Exception, match="out of range for axis 1 of size 3"):
        view.index = [0, 3, 0]
    with pytest.raises(Exception, match="distinct axes"):
        view.face_axes = [0, 0]
    assert view.index == [1, 2, 3]


def test_in_place_edit_refreshes_after_the_cell(view_of):
    t = torch.zeros(3, 3)
    view = view_of(t)
    before = view.revision
    _refresh_changed()
    assert view.revision == before  # nothing changed, nothing refreshed
    t.add_(5)
    _refresh_changed()
    assert view.revision == before + 1 and view.info["stats"]["max"] == 5.0
    content, _ = ask(view, faces=[{"axes": [0, 1], "index": [0, 0], "window": None}])
    assert content["revision"] == view.revision


def test_refresh_by_hand_and_no_copy_kept(view_of):
    t = torch.zeros(4)
    view = view_of(t)
    assert view.tensor is t
    view.refresh()
    assert view.revision == 1


def all_dtypes():
    return sorted({getattr(torch, n) for n in dir(torch) if isinstance(getattr(torch, n), torch.dtype)}, key=str)


@pytest.mark.parametrize("dtype", all_dtypes(), ids=str)
def test_every_dtype_is_shown_or_refused_with_a_reason(view_of, dtype):
    try:
        t = torch.ones(3, 4, dtype=dtype)
    except RuntimeError:
        t = torch.empty(3, 4, dtype=dtype)  # quantized dtypes, bits* without fill kernels
    view = view_of(t)
    content, buffers = ask(view, faces=[{"axes": [0, 1], "index": [0, 0], "window": None}])
    assert content["kind"] == "faces"
    meta = content["faces"][0]
    if view.info["values"]:
        assert meta["error"] is None and meta["shape"] == [3, 4] and len(buffers[0]) > 0
    else:
        assert meta["error"] and view.info["values_note"]


@pytest.mark.parametrize("rank", range(11))
def test_ranks_zero_to_ten(view_of, rank):
    t = torch.randn([2] * rank)
    view = view_of(t, dims=[f"d{i}" for i in range(rank)])
    axes = list(range(max(0, rank - 2), rank))
    index = [1] * rank
    _, buffers = ask(view, faces=[{"axes": axes, "index": index, "window": None}])
    key = tuple(slice(None) if a in axes else 1 for a in range(rank))
    expected = t[key].reshape(-1).numpy()
    np.testing.assert_array_equal(np.frombuffer(bytes(buffers[0]), dtype=np.float32), expected)


def test_a_billion_real_elements_open_fast_and_zooming_in_finds_the_outlier(view_of):
    t = torch.zeros(10**9, dtype=torch.uint8)  # 1 GB
    t[123_456_789] = 200
    view = view_of(t)
    assert view.info["numel"] == 10**9 and view.info["stats"]["sampled"]
    content, buffers = ask(view, budget=[1, 1000], faces=[{"axes": [0], "index": [0], "window": None}])
    meta = content["faces"][0]
    # The overview reads a bounded sample of each block and says so.
    assert meta["shape"][1] <= 1000 and meta["sample"][1] > 1
    assert 10**9 / (meta["sample"][0] * meta["sample"][1]) <= slicing.READ_LIMIT + meta["shape"][1]
    # Zooming in to a window the kernel can read whole finds the one outlier exactly.
    window = [0, 1, 123_000_000, 124_000_000]
    content, buffers = ask(view, budget=[1, 1000], faces=[{"axes": [0], "index": [0], "window": window}])
    meta = content["faces"][0]
    assert meta["sample"] == [1, 1] and meta["step"] == [1, 1000]
    values = np.frombuffer(bytes(buffers[0]), dtype=np.uint8)
    assert values[456] == 200 and np.count_nonzero(values) == 1


def test_expanded_billion_element_view(view_of):
    t = torch.arange(4.0).expand(250_000_000, 4)
    view = view_of(t)
    assert view.info["strides"] == [0, 1] and view.info["storage_nbytes"] == 16
    content, buffers = ask(view, faces=[{"axes": [0, 1], "index": [0, 0], "window": None}])
    meta = content["faces"][0]
    assert meta["error"] is None and meta["shape"][1] == 4 and meta["step"][1] == 1
    rows = np.frombuffer(bytes(buffers[0]), dtype=np.float32).reshape(meta["shape"])
    np.testing.assert_array_equal(rows, np.tile([0.0, 1.0, 2.0, 3.0], (meta["shape"][0], 1)))


def test_a_face_that_fails_in_torch_is_refused_and_the_others_still_arrive(view_of, monkeypatch):
    from tensorviz.widgets import tensor_view

    real = tensor_view.cut_face

    def flaky(t, face, budget):
        if face.axes == (0, 2):
            raise RuntimeError("CUDA error: an illegal memory access was encountered")
        return real(t, face, budget)

    monkeypatch.setattr(tensor_view, "cut_face", flaky)
    view = view_of(torch.randn(2, 3, 4))
    faces = [{"axes": [1, 2], "index": [0, 0, 0], "window": None}, {"axes": [0, 2], "index": [0, 0, 0], "window": None}]
    content, buffers = ask(view, faces=faces)
    good, bad = content["faces"]
    assert good["error"] is None and len(buffers[0]) == 3 * 4 * 4
    assert "RuntimeError: CUDA error" in bad["error"] and len(buffers[1]) == 0 and bad["extent"] == [2, 4]


def test_a_closed_view_releases_its_tensor():
    import gc
    import weakref

    t = torch.randn(1000, 1000)
    ref = weakref.ref(t)
    view = tv.show(t)
    del t
    gc.collect()
    assert ref() is not None, "an open view shows its tensor"
    view.close()
    gc.collect()
    assert ref() is None, "a closed view keeps its tensor alive"
    assert view.tensor is None
    sent = []
    view.send = lambda content, buffers=None: sent.append(content)
    view._on_message(view, {"kind": "faces", "id": "c", "budget": [8, 8], "faces": [{"axes": [0, 1], "index": [0, 0], "window": None}]}, [])
    assert sent[-1]["kind"] == "error" and "this view is closed" in sent[-1]["message"]  # an answer, not a crash


def test_a_closed_player_releases_its_steps():
    import gc
    import weakref

    x = torch.randn(3, 4)
    with tv.trace() as tr:
        y = x * 2
    ref = weakref.ref(y)
    player = tr.player()
    del y, tr
    player.close()
    gc.collect()
    assert player.steps == []
    assert ref() is None


def test_a_view_nobody_refers_to_is_garbage_collected_with_its_tensor():
    import gc
    import weakref

    t = torch.randn(100, 100)
    tref = weakref.ref(t)
    vref = weakref.ref(tv.show(t))
    del t
    gc.collect()
    # ipywidgets keeps every open widget in Widget.widgets until it is closed; closing it must leave nothing else
    view = vref()
    assert view is not None
    view.close()
    del view
    gc.collect()
    assert vref() is None, "something still holds the closed view"
    assert tref() is None


@pytest.mark.parametrize(
    ("make", "edit", "shape", "index", "dims", "face_axes"),
    [
        # same rank, sizes swapped: the index is kept within the new sizes, the names stay
        (lambda: torch.arange(6.0).reshape(2, 3), lambda t: t.t_(), [3, 2], [1, 1], ["A", "B"], [0, 1]),
        # a new rank: the default face, the index at 0, the old names dropped
        (lambda: torch.arange(6.0).reshape(1, 6), lambda t: t.squeeze_(), [6], [0], [""], [0]),
        (lambda: torch.arange(6.0).reshape(2, 3), lambda t: t.unsqueeze_(0), [1, 2, 3], [0, 0, 0], ["", "", ""], [1, 2]),
        (lambda: torch.arange(20.0).reshape(4, 5), lambda t: t.resize_(2, 2), [2, 2], [1, 1], ["A", "B"], [0, 1]),
    ],
    ids=["t_", "squeeze_", "unsqueeze_", "resize_"],
)
def test_an_in_place_shape_change_keeps_the_view_working(view_of, make, edit, shape, index, dims, face_axes):
    t = make()
    view = view_of(t, dims=("A", "B"))
    view.index = [t.shape[0] - 1, t.shape[1] - 1]
    edit(t)
    view.refresh()
    assert view.info["shape"] == shape
    assert (view.index, view.dims, view.face_axes) == (index, dims, face_axes)
    # the face the frontend asks for next is answered with torch's values
    content, buffers = ask(view, faces=[{"axes": view.face_axes, "index": view.index, "window": None}])
    meta = content["faces"][0]
    assert meta["error"] is None, meta["error"]
    got = np.frombuffer(bytes(buffers[0]), dtype=np.float32)
    face = t if t.dim() <= 2 else t[tuple(view.index[:-2])]
    assert got.tolist() == face.flatten().tolist()


def test_a_hybrid_sparse_tensor_shows_its_values_and_its_nan(view_of):
    dense = torch.arange(36.0).reshape(4, 3, 3)
    dense[dense.sum(-1) % 2 == 0] = 0  # rows of zeros: not stored
    dense[1, 2, 1] = float("nan")
    view = view_of(dense.to_sparse(2))
    assert view.nonfinite["state"] == "done" and view.nonfinite["nan"] == 1
    assert view.nonfinite["first"] == [[1, 2, 1]]
    content, buffers = ask(view, faces=[{"axes": [1, 2], "index": [1, 0, 0], "window": None}])
    assert content["faces"][0]["error"] is None
    got = np.frombuffer(bytes(buffers[0]), dtype=np.float32).reshape(3, 3)
    np.testing.assert_array_equal(got, dense[1].numpy())


def test_a_view_that_fails_to_start_leaves_no_open_widget(monkeypatch):
    from ipywidgets.widgets import widget as registry

    from tensorviz.widgets import tensor_view

    def broken(*args, **kwargs):
        raise RuntimeError("the count failed")

    monkeypatch.setattr(tensor_view, "find_nonfinite", broken)
    before = set(registry._instances)
    with pytest.raises(RuntimeError, match="the count failed"):
        tv.show(torch.tensor([1.0, float("nan")]))
    assert set(registry._instances) == before


def test_closing_a_widget_closes_everything_it_opened():
    from ipywidgets.widgets import widget as registry

    before = set(registry._instances)
    x = torch.randn(2, 3)
    with tv.trace() as tr:
        x.t()
    for widget in (tv.show(x), tr.player(), tv.memory(interval=1.0)):
        widget.close()
    left = {type(registry._instances[k]).__name__ for k in set(registry._instances) - before}
    assert not left, f"still open after close(): {left}"
