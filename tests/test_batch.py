"""`tv.show(batch)`: a tuple, list or dict of tensors as a DataLoader yields it, every part shown and labeled."""

from __future__ import annotations

import gc
import html
import re
import weakref
from collections import namedtuple

import numpy as np
import pytest
import torch
from IPython.core.interactiveshell import InteractiveShell
from IPython.utils.capture import capture_output
from torch.utils.data import DataLoader, Dataset
from traitlets.config import Config

import tensorviz as tv
from tensorviz.batch import MAX_PARTS, Batch
from tensorviz.widgets import tensor_view

WIDGET = "application/vnd.jupyter.widget-view+json"


class Shapes(Dataset):
    """Tiny images: a bright square at a place that depends on the index; the label is the place."""

    def __init__(self, n: int = 10, as_dict: bool = False) -> None:
        self.n, self.as_dict = n, as_dict

    def __len__(self) -> int:
        return self.n

    def __getitem__(self, i: int):
        image = torch.zeros(1, 6, 6)
        row = i % 3
        image[0, 2 * row : 2 * row + 2, 1:5] = 1.0
        if self.as_dict:
            return {"image": image, "label": row, "name": f"shape-{i}.png"}
        return image, row


@pytest.fixture(autouse=True)
def close_views(monkeypatch):
    """Every batch a test makes is closed afterwards (no view keeps a tensor or a watcher alive)."""
    made: list[Batch] = []
    real_init = Batch.__init__

    def tracking(self, *args, **kwargs):
        real_init(self, *args, **kwargs)
        made.append(self)

    monkeypatch.setattr(Batch, "__init__", tracking)
    yield
    for b in made:
        b.close()


def test_a_dataloader_batch_shows_images_and_labels_labeled_by_position():
    images, labels = batch = next(iter(DataLoader(Shapes(), batch_size=4)))
    shown = tv.show(batch)
    assert isinstance(shown, Batch)
    assert shown.labels == ["0", "1"]
    assert shown["0"].tensor is images and shown[1].tensor is labels
    assert shown.views["0"].info["shape"] == [4, 1, 6, 6]
    assert shown.views["1"].info["dtype"] == "int64"
    assert "0: float32 tensor of shape [4, 1, 6, 6]" in repr(shown)


def test_a_dict_batch_is_labeled_by_key_and_its_other_parts_are_text():
    batch = next(iter(DataLoader(Shapes(as_dict=True), batch_size=3)))
    shown = tv.show(batch, dims={"image": "N C H W", "label": "N"})
    assert shown.labels == ["image", "label", "name"]
    assert list(shown.views) == ["image", "label"]
    assert shown["image"].dims == ["N", "C", "H", "W"]
    (name,) = [p for p in shown if p.label == "name"]
    assert name.view is None and name.text == "['shape-0.png', 'shape-1.png', 'shape-2.png']"
    with pytest.raises(KeyError, match="shown as text"):
        shown["name"]


def test_containers_one_level_down_open_and_are_labeled_by_their_path():
    a, b, y = torch.zeros(2, 3), torch.ones(2, 5), torch.arange(2)
    shown = tv.show(((a, b), y))
    assert shown.labels == ["0.0", "0.1", "1"]
    assert shown["0.1"].tensor is b
    nested = tv.show({"inputs": {"ids": torch.zeros(2, 7, dtype=torch.long), "mask": torch.ones(2, 7)}, "label": y})
    assert nested.labels == ["inputs.ids", "inputs.mask", "label"]
    assert nested[("inputs", "mask")].info["shape"] == [2, 7]
    Pair = namedtuple("Pair", "image target")
    assert tv.show(Pair(a, y)).labels == ["image", "target"]


def test_non_tensor_parts_are_text_and_numpy_arrays_are_drawn_sharing_memory():
    arr = np.arange(6.0).reshape(2, 3)
    shown = tv.show([arr, 3, "cat", None, ["a.png", "b.png"], np.array(["x", "y"])])
    assert [p.view is not None for p in shown] == [True, False, False, False, False, False]
    assert shown[0].tensor.data_ptr() == arr.ctypes.data
    assert [p.text for p in shown][1:5] == ["3", "'cat'", "None", "['a.png', 'b.png']"]
    assert "not drawn" in shown.parts[5].text  # a numpy array of strings has no tensor to draw


def test_refresh_shows_what_numpy_wrote_into_shared_memory():
    data = np.array([1.0, 2.0, 3.0])
    shown = tv.show({"copy": torch.tensor(data), "shared": torch.from_numpy(data)})
    data[0] = 100.0  # numpy writes: torch's version counter does not move
    shown.refresh()
    assert shown["shared"].info["stats"]["max"] == 100.0
    assert shown["copy"].info["stats"]["max"] == 3.0


def test_a_tensor_the_view_refuses_is_shown_as_text_with_the_reason():
    nested = torch.nested.nested_tensor([torch.zeros(2), torch.zeros(3)], layout=torch.jagged)
    shown = tv.show((torch.zeros(2), nested))
    assert shown.parts[1].view is None and "not drawn" in shown.parts[1].text
    assert list(shown.views) == ["0"]


def test_dims_per_part_by_position_or_key_and_clear_errors_for_wrong_ones():
    images, labels = torch.rand(2, 3, 4, 4), torch.tensor([0, 1])
    assert tv.show((images, labels), dims={0: "N C H W"})[0].dims == ["N", "C", "H", "W"]
    with pytest.raises(ValueError, match=r"dims for part '0'.*gives? exactly 4"):
        tv.show((images, labels), dims={0: "N C"})
    with pytest.raises(KeyError, match=r"names part 'image'.*'0', '1'"):
        tv.show((images, labels), dims={"image": "N C H W"})
    with pytest.raises(TypeError, match="dims per part"):
        tv.show((images, labels), dims="N C H W")
    with pytest.raises(ValueError, match="not a tensor"):
        tv.show((images, "cat"), dims={1: "N"})


@pytest.mark.parametrize(
    ("batch", "error", "message"),
    [
        ((), ValueError, "nothing to show: the tuple is empty"),
        ([1, 2, 3], TypeError, r"no tensor in it.*torch\.tensor"),
        ({"a": "b"}, TypeError, "no tensor in it"),
        ((((torch.zeros(2),),),), ValueError, r"one level deep.*part '0\.0'"),
        ([torch.zeros(1)] * (MAX_PARTS + 1), ValueError, r"torch\.stack"),
    ],
    ids=["empty", "numbers", "no-tensor", "too-deep", "too-many"],
)
def test_what_is_not_a_batch_is_refused_with_a_reason(batch, error, message):
    with pytest.raises(error, match=message):
        tv.show(batch)


def test_a_failing_part_leaves_no_view_open():
    good = torch.zeros(3)
    with pytest.raises(ValueError):
        tv.show((good, torch.zeros(2, 2)), dims={1: "a"})
    # the view made for part 0 was closed: it lets go of its tensor
    assert not [v for v in tensor_view._LIVE if v.tensor is good]


def test_live_batches_watch_every_view():
    shown = tv.show((torch.zeros(3), torch.ones(2)), live=0.2)
    assert all(v.watching for v in shown.views.values())
    shown.close()
    assert not any(v.watching for v in shown.views.values())
    assert all(v.tensor is None for v in shown.views.values())


def test_a_closed_batch_keeps_no_tensor_alive():
    images = torch.zeros(4, 3, 8, 8)
    gone = weakref.ref(images)
    shown = tv.show({"image": images, "label": torch.arange(4)})
    shown.close()
    del images
    gc.collect()
    assert gone() is None
    assert shown.labels == ["image", "label"] and "image" in repr(shown)


def test_a_single_tensor_is_still_one_view():
    t = torch.zeros(2, 3)
    assert isinstance(tv.show(t), tv.TensorView)
    assert isinstance(tv.show(np.zeros(3)), tv.TensorView)


def test_in_jupyter_a_batch_displays_a_heading_then_a_view_per_part():
    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(tensor_view, "_hooked", False)
        config = Config()
        config.HistoryManager.hist_file = ":memory:"
        shell = InteractiveShell.instance(config=config)
        try:
            shell.user_ns.update(torch=torch, tv=tv, Shapes=Shapes, DataLoader=DataLoader)
            with capture_output() as cap:
                shell.run_cell("tv.show(next(iter(DataLoader(Shapes(as_dict=True), batch_size=2))))").raise_error()
        finally:
            InteractiveShell.clear_instance()
    kinds = [("view" if WIDGET in o.data else o.data["text/plain"]) for o in cap.outputs]
    assert kinds == ["image", "view", "label", "view", "name: ['shape-0.png', 'shape-1.png']"]
    headings = [
        html.unescape(re.sub(r"<[^>]+>", "", o.data["text/html"])) for o in cap.outputs if "text/html" in o.data
    ]
    assert headings == ["image", "label", "name ['shape-0.png', 'shape-1.png']"]


def test_in_marimo_a_batch_is_one_column_of_headings_and_anywidgets():
    mo = pytest.importorskip("marimo")
    shown = tv.show({"image": torch.rand(2, 1, 4, 4), "label": torch.tensor([1, 0]), "name": ["a", "b"]})
    page = mo.as_html(shown).text
    assert page.count("<marimo-anywidget") == 2
    for view in shown.views.values():
        assert view.model_id in page
    assert re.findall(r"<b>(\w+)</b>", page) == ["image", "label", "name"]
    assert page.index("<b>image</b>") < page.index(shown["image"].model_id) < page.index("<b>label</b>")
