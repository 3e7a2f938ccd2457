"""Bad input gets a clear error that says what was given and what is accepted (cases found by an audit)."""

from __future__ import annotations

import pytest
import torch

import tensorviz as tv


def test_a_nested_tensor_or_the_tensor_class_is_refused_with_what_to_do():
    nested = torch.nested.nested_tensor([torch.zeros(2), torch.zeros(3)])
    for call in (tv.inspect, tv.show, tv.find_nonfinite):
        with pytest.raises(TypeError, match=r"cannot show a nested tensor .*x\.unbind\(\).*to_padded_tensor"):
            call(nested)
    with pytest.raises(TypeError, match=r"shows a tensor, not the class torch\.Tensor; it accepts a torch\.Tensor"):
        tv.inspect(torch.Tensor)


@pytest.mark.parametrize(
    ("path", "error", "match"),
    [
        (None, TypeError, r"path must be a file path .*e\.g\. 'picture\.html'; got None"),
        ("", TypeError, r"path must be a file path .*got ''"),
        (b"x.html", TypeError, r"path must be a file path .*got b'x\.html'"),
        ("/nonexistent-folder/x.html", FileNotFoundError, r"the folder /nonexistent-folder does not exist"),
    ],
)
def test_save_html_checks_its_path_before_writing(path, error, match):
    view = tv.show(torch.zeros(2, 3))
    try:
        with pytest.raises(error, match=match):
            view.save_html(path)
        with pytest.raises(error, match=match):
            tv.save_html(torch.zeros(2), path)
    finally:
        view.close()


def test_save_html_of_a_folder_names_a_file_to_give(tmp_path):
    with pytest.raises(IsADirectoryError, match=r"is a directory: give a file name, e\.g\. .*picture\.html"):
        tv.save_html(torch.zeros(2), tmp_path)


def test_save_html_of_a_batch_says_to_save_each_part(tmp_path):
    x = torch.zeros(2, 3)
    batch = tv.show({"images": x, "labels": torch.arange(2)})
    try:
        for obj in (batch, (x, x), [x], {"a": x}):
            with pytest.raises(TypeError, match=r"save_html writes one tensor, trace or widget .*save each part's view"):
                tv.save_html(obj, tmp_path / "b.html")
        assert batch.views["images"].save_html(tmp_path / "images.html").exists()
    finally:
        batch.close()
    assert not (tmp_path / "b.html").exists()


def test_a_closed_player_refuses_to_export_what_it_released(tmp_path):
    x = torch.randn(2, 3)
    with tv.trace() as tr:
        x.t()
    player = tr.player()
    player.close()
    with pytest.raises(RuntimeError, match=r"this player is closed: its steps were released"):
        player.save_html(tmp_path / "p.html")
    assert not (tmp_path / "p.html").exists()


def test_a_synthetic_snapshot_keeps_to_a_sane_number_of_devices():
    with pytest.raises(ValueError, match=r"devices must be an integer from 1 to 64 .*got 1000000"):
        tv.synthetic_snapshot(10, devices=10**6)
    assert len(tv.synthetic_snapshot(10, devices=64)["device_traces"]) == 64


def test_step_and_player_arguments_say_what_they_take():
    x = torch.randn(2, 3)
    with tv.trace() as tr:
        x.t()
    step = tr.steps[0]
    with pytest.raises(TypeError, match=r"i must be the number of an input \(an int, 0 for the first\); got '0'"):
        step.values("input", "0")
    for bad in ("a", None, 1.0, True):
        with pytest.raises(TypeError, match=r"output must be the number of an output \(an int"):
            step.sources(bad)
    for bad in ("a", 1.5, True):
        with pytest.raises(TypeError, match=r"start must be a step number \(an int\) or None"):
            tr.player(start=bad)
    for bad in (None, 5, "steps"):
        with pytest.raises(TypeError, match=r"OpPlayer plays a list of tensorviz Steps"):
            tv.OpPlayer(bad)
