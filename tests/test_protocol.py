"""The limits in protocol.py, seen from the widget: one step over a limit gets an ERROR reply naming the limit
and what was asked for; a request exactly at the limit is answered."""

from __future__ import annotations

import pytest
import torch

import tensorviz as tv
from tensorviz import protocol
from tensorviz.protocol import MAX_BUDGET, MAX_CELLS, MAX_FACES, MAX_ID_LENGTH


@pytest.fixture
def view_of():
    def make(x):
        view = tv.show(x)
        view.sent = []
        view.send = lambda content, buffers=None: view.sent.append((content, buffers or []))
        return view

    return make


def reply(view, message):
    view._on_message(view, message, [])
    return view.sent[-1]


def faces_request(faces, budget=(8, 8), rid="p:1"):
    return {"kind": "faces", "id": rid, "budget": list(budget), "faces": faces}


def whole(rank=3, **face):
    return {"axes": list(range(max(0, rank - 2), rank)), "index": [0] * rank, "window": None} | face


def refused(view, message):
    content, buffers = reply(view, message)
    assert content["kind"] == protocol.ERROR and not buffers, content
    return content


def answered(view, message):
    content, buffers = reply(view, message)
    assert content["kind"] == protocol.FACES, content
    assert all(face["error"] is None for face in content["faces"]), content
    return content, buffers


# -- faces per request -------------------------------------------------------------------------------


def test_one_face_over_max_faces_is_refused_with_the_limit_and_the_count(view_of):
    view = view_of(torch.randn(2, 3, 4))
    content = refused(view, faces_request([whole()] * (MAX_FACES + 1)))
    assert f"at most {MAX_FACES} faces" in content["message"] and f"got {MAX_FACES + 1}" in content["message"]
    assert content["id"] == "p:1"  # a refusal still names its request


def test_exactly_max_faces_are_answered(view_of):
    view = view_of(torch.randn(2, 3, 4))
    content, buffers = answered(view, faces_request([whole()] * MAX_FACES))
    assert len(content["faces"]) == len(buffers) == MAX_FACES


# -- cells per request -------------------------------------------------------------------------------


def big_face_view(view_of):
    # Expanded from one element: a 4096 x 4096 face costs 1 byte per element and no storage.
    side = MAX_BUDGET
    assert side * side == MAX_CELLS  # one whole face at the largest budget is exactly the cell limit
    return view_of(torch.ones(1, dtype=torch.uint8).expand(side, side))


def test_one_cell_over_max_cells_is_refused_with_the_limit_and_the_count(view_of):
    view = big_face_view(view_of)
    one_cell = whole(2, window=[0, 1, 0, 1])
    content = refused(view, faces_request([whole(2), one_cell], budget=(MAX_BUDGET, MAX_BUDGET)))
    assert f"at most {MAX_CELLS}" in content["message"] and f"{MAX_CELLS + 1} cells" in content["message"]


def test_exactly_max_cells_are_answered(view_of):
    view = big_face_view(view_of)
    content, buffers = answered(view, faces_request([whole(2)], budget=(MAX_BUDGET, MAX_BUDGET)))
    assert content["faces"][0]["shape"] == [MAX_BUDGET, MAX_BUDGET] and len(buffers[0]) == MAX_CELLS


# -- budget --------------------------------------------------------------------------------------------


@pytest.mark.parametrize("budget", [[MAX_BUDGET + 1, 8], [8, MAX_BUDGET + 1], [0, 8], [8, -1]])
def test_a_budget_outside_1_to_max_budget_is_refused_with_the_limit_and_the_budget(view_of, budget):
    view = view_of(torch.randn(2, 3, 4))
    content = refused(view, faces_request([whole()], budget=budget))
    assert f"between 1 and {MAX_BUDGET}" in content["message"] and f"got {budget}" in content["message"]


@pytest.mark.parametrize("budget", [[MAX_BUDGET, MAX_BUDGET], [1, 1], [1, MAX_BUDGET]])
def test_a_budget_at_its_limits_is_answered(view_of, budget):
    view = view_of(torch.randn(2, 300, 5000))
    content, _ = answered(view, faces_request([whole()], budget=budget))
    rows, cols = content["faces"][0]["shape"]
    assert rows <= budget[0] and cols <= budget[1]


# -- index ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize(("index", "axis", "given", "size"), [([2, 0, 0], 0, 2, 2), ([-1, 0, 0], 0, -1, 2)])
def test_an_index_outside_its_axis_is_refused_with_the_size_and_the_index(view_of, index, axis, given, size):
    view = view_of(torch.randn(2, 3, 4))
    content = refused(view, faces_request([whole(index=index)]))
    assert f"index {given} is out of range for axis {axis} of size {size}" in content["message"]


def test_the_last_index_of_an_axis_is_answered(view_of):
    t = torch.randn(2, 3, 4)
    view = view_of(t)
    _, buffers = answered(view, faces_request([whole(index=[1, 0, 0])]))
    assert bytes(buffers[0]) == t[1].numpy().tobytes()


def test_a_nonfinite_after_index_outside_the_tensor_is_refused_and_the_last_one_is_answered(view_of):
    view = view_of(torch.randn(2, 3, 4))
    content = refused(view, {"kind": "nonfinite", "id": "n", "after": [1, 3, 0]})
    assert "index 3 is out of range for axis 1 of size 3" in content["message"]
    content, _ = reply(view, {"kind": "nonfinite", "id": "n", "after": [1, 2, 3]})
    assert content["kind"] == protocol.NONFINITE and content["id"] == "n"


# -- id --------------------------------------------------------------------------------------------------


def test_an_id_one_character_too_long_is_refused_with_the_limit(view_of):
    view = view_of(torch.randn(2, 3, 4))
    content = refused(view, faces_request([whole()], rid="x" * (MAX_ID_LENGTH + 1)))
    assert f"at most {MAX_ID_LENGTH} characters" in content["message"]
    assert content["id"] is None  # it cannot be echoed: it is what was refused


def test_the_widget_says_how_long_the_refused_id_was(view_of):
    view = view_of(torch.randn(2, 3, 4))
    content = refused(view, faces_request([whole()], rid="x" * (MAX_ID_LENGTH + 1)))
    assert f"got a string of {MAX_ID_LENGTH + 1} characters" in content["message"]


@pytest.mark.parametrize(
    ("rid", "says"),
    [
        ("x" * (MAX_ID_LENGTH + 1), f"got a string of {MAX_ID_LENGTH + 1} characters"),
        (-(10 ** (MAX_ID_LENGTH)), f"got an integer of {MAX_ID_LENGTH + 2} characters"),
        (1.5, "got float"),
        (True, "got bool"),
        (None, "got null"),
        (..., "got no 'id'"),
    ],
    ids=["long-string", "long-integer", "float", "bool", "null", "missing"],
)
def test_parse_faces_says_what_id_it_was_given(rid, says):
    request = faces_request([whole()], rid=rid)
    if rid is ...:
        del request["id"]
    with pytest.raises(protocol.ProtocolError, match=f"at most {MAX_ID_LENGTH} characters") as err:
        protocol.parse_faces(request, (2, 3, 4))
    assert says in str(err.value)


@pytest.mark.parametrize("rid", ["x" * MAX_ID_LENGTH, 10 ** (MAX_ID_LENGTH - 1)], ids=["string", "integer"])
def test_an_id_of_exactly_max_id_length_is_answered_and_echoed(view_of, rid):
    view = view_of(torch.randn(2, 3, 4))
    content, _ = answered(view, faces_request([whole()], rid=rid))
    assert content["id"] == str(rid) and len(content["id"]) == MAX_ID_LENGTH


# -- window ----------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "window",
    [[0, 4, 0, 4], [0, 3, 0, 5], [-1, 2, 0, 4], [0, 3, -1, 4], [2, 2, 0, 4], [0, 3, 3, 1]],
    ids=["rows-past-the-end", "cols-past-the-end", "negative-row", "negative-col", "no-rows", "cols-reversed"],
)
def test_a_window_outside_the_face_is_refused_with_the_face_and_the_window(view_of, window):
    view = view_of(torch.randn(2, 3, 4))
    content = refused(view, faces_request([whole(window=window)]))
    assert f"window {window} is outside the face of 3 x 4" in content["message"]


@pytest.mark.parametrize("window", [[0, 3, 0, 4], [2, 3, 3, 4]], ids=["the-whole-face", "the-last-cell"])
def test_a_window_reaching_the_edges_of_the_face_is_answered(view_of, window):
    t = torch.randn(2, 3, 4)
    view = view_of(t)
    content, buffers = answered(view, faces_request([whole(window=window)]))
    r0, r1, c0, c1 = window
    assert content["faces"][0]["window"] == window
    assert bytes(buffers[0]) == t[0, r0:r1, c0:c1].contiguous().numpy().tobytes()


def test_the_widget_keeps_answering_after_every_refusal(view_of):
    view = view_of(torch.randn(2, 3, 4))
    for bad in (
        faces_request([whole()] * (MAX_FACES + 1)),
        faces_request([whole()], budget=(MAX_BUDGET + 1, 1)),
        faces_request([whole(index=[5, 0, 0])]),
        faces_request([whole()], rid="x" * (MAX_ID_LENGTH + 1)),
        faces_request([whole(window=[0, 9, 0, 1])]),
    ):
        refused(view, bad)
        answered(view, faces_request([whole()]))


def test_a_huge_integer_id_is_refused_not_crashed_on(view_of):
    view = view_of(torch.randn(2, 3))
    content = refused(view, faces_request([{"axes": [0, 1], "index": [0, 0], "window": None}], rid=10**5000))
    assert f"at most {MAX_ID_LENGTH} characters" in content["message"] and "got an integer of" in content["message"]
