"""A live view refreshes by itself after in-place edits, without IPython (marimo, scripts, other threads).

`tv.show(t, live=True)` / `view.watch(interval)` start a light watcher thread that compares the tensor's version
counter; these tests run with no IPython shell at all, as in marimo.
"""

from __future__ import annotations

import sys
import threading
import time

import pytest
import torch

import tensorviz as tv
from tensorviz.widgets.tensor_view import _WATCHERS, MIN_WATCH_INTERVAL

FAST = MIN_WATCH_INTERVAL


def wait_for(condition, timeout: float = 5.0) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.01)
    return condition()


def watchers() -> list[threading.Thread]:
    return [t for t in threading.enumerate() if t.name == "tensorviz-watch"]


@pytest.fixture(autouse=True)
def no_watcher_left():
    yield
    if not wait_for(lambda: not watchers(), timeout=3):
        left = watchers()
        for stop in list(_WATCHERS.values()):  # so that the next test starts clean
            stop.set()
        pytest.fail(f"watcher threads left running: {left}")


def test_an_in_place_edit_shows_without_a_cell_hook():
    t = torch.zeros(3, 4)
    view = tv.show(t, live=FAST)
    assert view.watching
    before = view.revision
    time.sleep(4 * FAST)
    assert view.revision == before, "nothing changed: a live view must not refresh on its own"
    t.add_(5)
    assert wait_for(lambda: view.revision > before), "the edit was not picked up"
    assert view.info["stats"]["max"] == 5.0 and view.info["stats"]["min"] == 5.0
    # one edit, one refresh: later checks see the same version
    settled = view.revision
    time.sleep(4 * FAST)
    assert view.revision == settled
    # an edit made by another thread is seen as well
    threading.Thread(target=lambda: t.mul_(-2)).start()
    assert wait_for(lambda: view.info["stats"]["min"] == -10.0)
    view.close()


def test_an_edit_through_a_view_of_the_same_storage_counts():
    base = torch.zeros(2, 3)
    view = tv.show(base, live=True)  # default interval
    base[1].fill_(7)  # a slice shares the version counter of its base
    assert wait_for(lambda: view.info["stats"]["max"] == 7.0, timeout=5)
    view.close()


def test_plain_show_does_not_watch_and_watch_returns_the_view():
    t = torch.ones(2)
    view = tv.show(t)
    assert not view.watching and not watchers()
    assert view.watch(FAST) is view and view.watching
    view.watch(2 * FAST)  # a new interval replaces the old watcher
    assert wait_for(lambda: len(watchers()) == 1)
    t.mul_(3)
    assert wait_for(lambda: view.info["stats"]["max"] == 3.0)
    view.close()


def test_unwatch_and_close_stop_the_thread():
    t = torch.zeros(2)
    view = tv.show(t, live=FAST)
    view.unwatch()
    assert not view.watching and not watchers()
    before = view.revision
    t.add_(1)
    time.sleep(4 * FAST)
    assert view.revision == before, "an unwatched view refreshed by itself"
    view.watch(FAST)
    view.close()
    assert not view.watching and not watchers()
    with pytest.raises(RuntimeError, match="closed"):
        view.watch()


def test_watching_adds_no_strong_reference_to_the_view():
    """The watcher holds the view weakly: watching never keeps a view (and its tensor) alive."""
    t = torch.zeros(2)
    view = tv.show(t)
    held = sys.getrefcount(view)
    view.watch(FAST)
    time.sleep(3 * FAST)  # several checks have run
    assert sys.getrefcount(view) == held, "watching added a strong reference to the view"
    t.add_(1)
    assert wait_for(lambda: view.info["stats"]["max"] == 1.0)
    assert sys.getrefcount(view) == held, "a refresh from the watcher left a strong reference behind"
    view.close()


@pytest.mark.parametrize("bad", [0, -1, 0.001, float("inf"), float("nan"), 1e308, 2**1000, "fast", [0.5]])
def test_bad_intervals_are_refused_before_anything_starts(bad):
    with pytest.raises(ValueError, match="interval must be"):
        tv.show(torch.zeros(2), live=bad)
    view = tv.show(torch.zeros(2))
    with pytest.raises(ValueError, match="interval must be"):
        view.watch(bad)
    assert not view.watching
    view.close()


def test_live_false_and_none_do_not_watch():
    for live in (False, None):
        view = tv.show(torch.zeros(2), live=live)
        assert not view.watching
        view.close()
