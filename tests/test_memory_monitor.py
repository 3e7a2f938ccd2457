"""The memory monitor's polling thread: it polls at its interval, pauses, and stops on close or when the monitor is
garbage-collected; an interval it cannot keep is refused before anything starts."""

from __future__ import annotations

import math
import subprocess
import sys
import threading
import time

import pytest
import traitlets

import tensorviz as tv


def _threads() -> list[threading.Thread]:
    return [t for t in threading.enumerate() if t.name == "tensorviz-memory-poll"]


def _wait(cond, timeout: float = 5.0) -> bool:
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        if cond():
            return True
        time.sleep(0.02)
    return cond()


def test_the_thread_polls_at_its_interval_pauses_and_stops_on_close():
    mon = tv.memory(interval=0.1)
    try:
        thread = mon._thread
        assert thread is not None and thread.is_alive()
        polls = mon._polls
        time.sleep(0.55)
        done = mon._polls - polls
        assert 3 <= done <= 7, f"{done} polls in 0.55 s at 0.1 s"
        mon.pause()
        time.sleep(0.15)  # a poll already under way may finish
        paused_at = mon._polls
        time.sleep(0.35)
        assert mon._polls == paused_at, "a paused monitor does not poll"
        mon.resume()
        assert _wait(lambda: mon._polls > paused_at)
    finally:
        mon.close()
    assert _wait(lambda: not thread.is_alive(), 2.0), "close() stops the polling thread"


GC_SCRIPT = """
import gc, threading, time, weakref
import comm
from ipywidgets.widgets import widget as registry
import tensorviz as tv

mon = tv.memory(interval=0.1)
thread = mon._thread
assert thread.is_alive()
# ipywidgets keeps every open widget in its registry, and the comm manager its comm; once they let go (as when the
# kernel-side state is cleared), nothing else may keep the monitor, the thread least of all
registry._instances.pop(mon.model_id)
comm.get_comm_manager().unregister_comm(mon.comm)
ref = weakref.ref(mon)
del mon
end = time.monotonic() + 3
while ref() is not None and time.monotonic() < end:
    gc.collect()  # a poll under way holds the monitor for a moment: collect again after it
    time.sleep(0.02)
thread.join(3)
print(ref() is None, thread.is_alive())
"""


def test_a_monitor_nobody_holds_is_collected_and_its_thread_ends():
    # in a fresh interpreter: other tests import hosts (marimo) that keep widgets' comms in their own registries
    out = subprocess.run([sys.executable, "-c", GC_SCRIPT], capture_output=True, text=True, timeout=120)
    assert out.returncode == 0, out.stderr[-2000:]
    assert out.stdout.split() == ["True", "False"], "collected, and its thread ended with it"


@pytest.mark.parametrize("bad", [0, -1, 0.05, math.nan, math.inf, 1e308, 2**2000, 7200])
def test_an_interval_it_cannot_keep_is_refused_before_anything_starts(bad):
    before = len(_threads())
    with pytest.raises(ValueError, match=r"interval must be a number of seconds from 0.1 to 3600; got"):
        tv.memory(interval=bad)
    assert len(_threads()) == before


@pytest.mark.parametrize("bad", ["fast", None, True, [0.5]])
def test_an_interval_of_the_wrong_type_says_what_it_got(bad):
    with pytest.raises(TypeError, match=r"interval must be a number of seconds .*got .*\(" + type(bad).__name__):
        tv.memory(interval=bad)


def test_setting_a_bad_interval_later_is_refused_and_the_thread_keeps_its_pace():
    mon = tv.memory(interval=0.2)
    try:
        for bad in (math.nan, 0, -1, math.inf):
            with pytest.raises(traitlets.TraitError, match="interval must be"):
                mon.interval = bad
        assert mon.interval == 0.2
        polls = mon._polls
        time.sleep(0.5)
        assert mon._polls - polls <= 4, "still polling at 0.2 s, not in a busy loop"
        mon.interval = 0.1
        assert mon.interval == 0.1
    finally:
        mon.close()
