"""Recorded CUDA allocator snapshots: timelines, peaks, what was alive at the peak, the end state, odd data.

Expected figures come from simple loops over the raw snapshot written here (never from the code under test),
on a real snapshot recorded on a GPU by other people (read from the shared fixtures beside the repository;
skipped when that folder is absent) and on synthetic snapshots made by ``synthetic_snapshot``.
"""

from __future__ import annotations

import copy
import json
import os
import pickle
import time
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from tensorviz import snapshot as snap_mod
from tensorviz.snapshot import SnapshotError, read_snapshot, snapshot_state, state_bytes, synthetic_snapshot

FIXTURES = Path(__file__).parent.parent.parent / "shared" / "fixtures" / "cuda-snapshots"
REAL = FIXTURES / "cs336-ep5.pickle"
needs_real = pytest.mark.skipif(not REAL.is_file(), reason="the shared real snapshots are not beside this checkout")


class _PlainUnpickler(pickle.Unpickler):
    def find_class(self, module: str, name: str) -> Any:
        raise AssertionError(f"the fixture asked to import {module}.{name}")


def raw_real() -> dict[str, Any]:
    with open(REAL, "rb") as f:
        return _PlainUnpickler(f).load()


# ---------------------------------------------------------------------------------------------------- reference


def active_blocks(raw: dict[str, Any], device: int) -> dict[int, int]:
    """address -> requested size of every active_allocated block of ``segments`` on ``device``."""
    return {
        b["address"]: b["requested_size"]
        for s in raw["segments"]
        if s.get("device", 0) == device
        for b in s["blocks"]
        if b["state"] == "active_allocated"
    }


def reference(raw: dict[str, Any], device: int) -> dict[str, Any]:
    """The figures, by the plainest replay: start from what ``segments`` hold at the end minus what the trace
    did, then walk the events one by one."""
    trace = raw["device_traces"][device]
    segments = [s for s in raw["segments"] if s.get("device", 0) == device]
    sign = {"alloc": 1, "free_requested": -1}
    seg_sign = {"segment_alloc": 1, "segment_free": -1}
    allocated = sum(active_blocks(raw, device).values()) - sum(sign.get(e["action"], 0) * e["size"] for e in trace)
    reserved = sum(s["total_size"] for s in segments) - sum(seg_sign.get(e["action"], 0) * e["size"] for e in trace)
    peak_allocated, peak_allocated_event = allocated, -1
    peak_reserved = reserved
    for i, e in enumerate(trace):
        allocated += sign.get(e["action"], 0) * e["size"]
        reserved += seg_sign.get(e["action"], 0) * e["size"]
        if allocated > peak_allocated:
            peak_allocated, peak_allocated_event = allocated, i
        peak_reserved = max(peak_reserved, reserved)
    return {
        "peak_allocated": peak_allocated,
        "peak_allocated_event": peak_allocated_event,
        "peak_reserved": peak_reserved,
        "end_allocated": allocated,
        "end_reserved": reserved,
    }


def live_from_trace(trace: list[dict[str, Any]], upto: int) -> tuple[dict[int, int], dict[int, int], set[int]]:
    """Replay events 0..upto: (allocations the trace made that are alive, address -> size), (frees of allocations
    older than the trace still ahead, address -> size), and every address the trace allocated."""
    live: dict[int, int] = {}
    allocated_addresses: set[int] = set()
    for e in trace[: upto + 1]:
        if e["action"] == "alloc":
            live[e["addr"]] = e["size"]
            allocated_addresses.add(e["addr"])
        elif e["action"] == "free_requested":
            live.pop(e["addr"], None)
    seen: set[int] = set()
    older_later: dict[int, int] = {}
    for i, e in enumerate(trace):
        if e["action"] == "alloc":
            seen.add(e["addr"])
            allocated_addresses.add(e["addr"])
        elif e["action"] == "free_requested":
            if e["addr"] not in seen and i > upto:
                older_later[e["addr"]] = e["size"]
            seen.discard(e["addr"])
    return live, older_later, allocated_addresses


# ---------------------------------------------------------------------------------------------------- sources


@pytest.fixture(scope="module")
def small_synthetic() -> dict[str, Any]:
    return synthetic_snapshot(60_000, seed=7)


def sources() -> list[Any]:
    return [pytest.param("real", marks=needs_real), "synthetic"]


@pytest.fixture(params=sources())
def case(request: pytest.FixtureRequest, small_synthetic: dict[str, Any]) -> tuple[dict[str, Any], Any]:
    if request.param == "real":
        return raw_real(), read_snapshot(REAL)
    return small_synthetic, read_snapshot(small_synthetic)


def test_rebuilt_live_allocations_at_the_end_are_the_active_blocks_of_segments(case):
    raw, snap = case
    for end in snap.end:
        trace = raw["device_traces"][end.device]
        live, _, allocated_addresses = live_from_trace(trace, len(trace) - 1)
        blocks = active_blocks(raw, end.device)
        assert {a.address: a.size for a in end.live} == live
        assert all(blocks.get(addr) == size for addr, size in live.items())
        assert {a.address: a.size for a in end.live + end.before_trace} == blocks
        assert not any(a.address in allocated_addresses for a in end.before_trace)  # the trace never touched them
        assert end.matches
        assert end.allocated == end.segments_allocated == sum(blocks.values())
        assert end.reserved == end.segments_reserved
        if raw.get("synthetic"):
            assert end.complete and not end.before_trace  # the trace starts from an empty allocator


def test_peaks_match_a_plain_replay(case):
    raw, snap = case
    for device in snap.devices:
        ref = reference(raw, device)
        t = snap.timeline(device)
        assert int(t.allocated.max()) == ref["peak_allocated"]
        assert int(t.reserved.max()) == ref["peak_reserved"]
        assert (int(t.allocated[-1]), int(t.reserved[-1])) == (ref["end_allocated"], ref["end_reserved"])
    refs = [reference(raw, d) for d in snap.devices]
    assert snap.peak_allocated == max(r["peak_allocated"] for r in refs)
    assert snap.peak_reserved == max(r["peak_reserved"] for r in refs)
    ref = refs[snap.devices.index(snap.peak_allocated_at.device)]
    assert snap.peak_allocated_at.event == ref["peak_allocated_event"]
    print(f"peak allocated {snap.peak_allocated:,} B, peak reserved {snap.peak_reserved:,} B, {snap.events:,} events")


def test_allocations_alive_at_the_peak_sum_to_the_peak_and_are_those_a_plain_replay_finds(case):
    raw, snap = case
    device, event = snap.peak_allocated_at.device, snap.peak_allocated_at.event
    assert sum(a.size for a in snap.at_peak) == snap.peak_allocated
    assert [a.size for a in snap.at_peak] == sorted((a.size for a in snap.at_peak), reverse=True)
    trace = raw["device_traces"][device]
    live, older_later, allocated_addresses = live_from_trace(trace, event)
    untouched = {a: s for a, s in active_blocks(raw, device).items() if a not in allocated_addresses}
    expected = sorted([*live.items(), *older_later.items(), *untouched.items()])
    assert sorted((a.address, a.size) for a in snap.at_peak) == expected
    for a in snap.at_peak:
        if a.event >= 0:
            assert trace[a.event]["action"] == "alloc" and trace[a.event]["addr"] == a.address


def test_user_frames_come_first_and_every_recorded_frame_is_kept(case):
    raw, snap = case
    trace = raw["device_traces"][snap.peak_allocated_at.device]
    mixed = 0
    for a in snap.at_peak:
        kinds = [f.kind for f in a.frames]
        first_other = next((k for k, kind in enumerate(kinds) if kind != "user"), len(kinds))
        assert "user" not in kinds[first_other:], kinds
        mixed += 0 < first_other < len(kinds)
        if a.event >= 0:
            recorded = [(f["filename"], f["line"], f["name"]) for f in trace[a.event]["frames"]]
            ours = [(f.filename, f.line, f.name) for f in a.frames]
            assert sorted(ours) == sorted(recorded)
            user = [(f.filename, f.line, f.name) for f in a.frames if f.user]
            assert user == [r for r in recorded if snap_mod.frame_kind(r[0]) == "user"]  # recorded order kept
    assert mixed, "no allocation at the peak has both the user's frames and torch's"


@needs_real
def test_real_snapshot_figures_and_flags():
    snap = read_snapshot(REAL)
    assert snap.devices == (0,) and snap.events == 5163 and not snap.synthetic
    raw = raw_real()
    assert not any(e["action"].startswith("segment_") for e in raw["device_traces"][0])
    assert snap.peak_reserved == sum(s["total_size"] for s in raw["segments"])  # reserved stays what segments hold
    kinds = {f.kind: f for f in snap.flags}
    assert set(kinds) == {"older_than_trace", "before_trace", "segments_before_trace"}  # recording began after warm-up
    assert all(f.level == "info" for f in snap.flags)
    assert kinds["older_than_trace"].count == 2 and kinds["before_trace"].count == 227
    assert snap.allocator_settings.get("expandable_segments") is False
    top = snap.at_peak[0]
    assert top.frames[0].user and top.frames[0].filename.endswith(("nn_utils.py", "model.py"))
    for a in snap.at_peak:  # recorded on Windows: the user's files are those outside site-packages
        own = [f for f in a.frames if "site-packages" not in f.filename]
        assert list(a.frames[: len(own)]) == own


def test_a_path_its_bytes_and_the_dict_read_the_same(tmp_path, small_synthetic):
    path = tmp_path / "synthetic.pickle"
    path.write_bytes(pickle.dumps(small_synthetic))
    a, b, c = read_snapshot(small_synthetic), read_snapshot(path), read_snapshot(str(path))
    d = read_snapshot(path.read_bytes())
    for other in (b, c, d):
        assert other.peak_allocated == a.peak_allocated and other.peak_reserved == a.peak_reserved
        assert np.array_equal(other.timelines[0].allocated, a.timelines[0].allocated)
        assert other.at_peak == a.at_peak and other.end == a.end and other.flags == a.flags


# ---------------------------------------------------------------------------------------------------- synthetic


def test_synthetic_snapshots_are_labelled_sized_and_repeatable():
    s = synthetic_snapshot(5000, seed=3)
    assert s["synthetic"] is True and len(s["device_traces"][0]) == 5000
    assert s == synthetic_snapshot(5000, seed=3) and s != synthetic_snapshot(5000, seed=4)
    actions = {e["action"] for e in s["device_traces"][0]}
    assert {"alloc", "free_requested", "free_completed", "segment_alloc"} <= actions
    e = s["device_traces"][0][1]
    assert {"time_us", "compile_context", "user_metadata", "frames", "stream"} <= set(e)
    assert read_snapshot(s).synthetic
    two = synthetic_snapshot(5001, seed=3, devices=2)
    assert [len(t) for t in two["device_traces"]] == [2501, 2500]


def test_two_devices_peak_is_the_larger_and_its_allocations_are_that_devices():
    raw = synthetic_snapshot(20_000, seed=5, devices=2)
    snap = read_snapshot(raw)
    assert snap.devices == (0, 1)
    peaks = {d: reference(raw, d)["peak_allocated"] for d in (0, 1)}
    assert snap.peak_allocated == max(peaks.values())
    assert snap.peak_allocated_at.device == max(peaks, key=lambda d: peaks[d])
    assert {a.device for a in snap.at_peak} == {snap.peak_allocated_at.device}
    assert all(e.complete for e in snap.end) and not snap.flags


def test_a_million_events_read_in_seconds_and_reach_the_browser_in_under_2_mb():
    raw = synthetic_snapshot(1_000_000, seed=0)
    data = pickle.dumps(raw, protocol=pickle.HIGHEST_PROTOCOL)
    del raw
    start = time.perf_counter()
    snap = read_snapshot(data)
    elapsed = time.perf_counter() - start
    size = state_bytes(snapshot_state(snap))
    print(f"1,000,000 events ({len(data) / 1e6:.0f} MB pickle): read in {elapsed:.2f} s; browser state {size:,} B")
    assert snap.events == 1_000_000
    assert elapsed < 20  # the target is 2 s (see benchmarks/bench_snapshot.py); this only catches a collapse
    assert size <= 2_000_000
    down = snap.timelines[0].downsample(2000)
    assert len(down.times) == 2000 and int(down.allocated_max.max()) == snap.peak_allocated
    assert int(down.reserved_max.max()) == snap.peak_reserved
    assert int(down.allocated_min.min()) == int(snap.timelines[0].allocated.min())


def test_downsampling_keeps_every_extreme_and_leaves_short_timelines_exact(small_synthetic):
    t = read_snapshot(small_synthetic).timelines[0]
    for points in (1, 7, 500, 5000):
        d = t.downsample(points)
        assert len(d.times) == points and not d.exact
        assert int(d.allocated_max.max()) == int(t.allocated.max())
        assert int(d.reserved_min.min()) == int(t.reserved.min())
        assert np.all(d.allocated_min <= d.allocated_max) and np.all(np.diff(d.times) >= 0)
    whole = t.downsample(len(t.times))
    assert whole.exact and np.array_equal(whole.allocated_max, t.allocated)
    with pytest.raises(ValueError, match="positive integer"):
        t.downsample(0)


# ---------------------------------------------------------------------------------------------------- odd data


def mutated(base: dict[str, Any]) -> dict[str, Any]:
    return copy.deepcopy(base)


@pytest.fixture(scope="module")
def base() -> dict[str, Any]:
    return synthetic_snapshot(4000, seed=11)


def kinds(snap: Any) -> set[str]:
    return {f.kind for f in snap.flags}


def test_a_free_of_an_unknown_address_is_flagged_as_older_than_the_trace(base):
    raw = mutated(base)
    trace = raw["device_traces"][0]
    first_free = next(i for i, e in enumerate(trace) if e["action"] == "free_requested")
    ghost = {**trace[first_free], "addr": 0x123400, "size": 4096}
    trace.insert(first_free, ghost)
    snap = read_snapshot(raw)
    flag = next(f for f in snap.flags if f.kind == "older_than_trace")
    assert (flag.count, flag.bytes, flag.event, flag.level) == (1, 4096, first_free, "info")
    t = snap.timelines[0]
    assert int(t.allocated[0]) == 4096 and int(t.allocated.min()) >= 0  # alive from the start
    assert snap.end[0].matches


def test_a_trace_that_wrapped_still_adds_up(base):
    raw = mutated(base)
    raw["device_traces"][0] = raw["device_traces"][0][1500:]  # the buffer kept only its last events
    snap = read_snapshot(raw)
    assert {"older_than_trace", "before_trace", "segments_before_trace"} <= kinds(snap)
    assert all(f.level == "info" for f in snap.flags)
    assert sum(a.size for a in snap.at_peak) == snap.peak_allocated
    assert snap.end[0].matches and not snap.end[0].complete
    assert snap.peak_allocated == reference(raw, 0)["peak_allocated"]


def test_counters_that_disagree_with_segments_are_flagged(base):
    raw = mutated(base)
    block = next(b for s in raw["segments"] for b in s["blocks"] if b["state"] == "active_allocated")
    block["requested_size"] += 512  # the trace says otherwise
    raw["segments"][0]["allocated_size"] += 1  # and the segment's own counter is off
    snap = read_snapshot(raw)
    assert {"segments_disagree", "segment_counters"} <= kinds(snap)
    assert not snap.end[0].matches
    assert next(f for f in snap.flags if f.kind == "segments_disagree").level == "warning"


def test_blocks_whose_sizes_differ_from_the_trace_are_flagged_even_when_totals_agree(base):
    raw = mutated(base)
    blocks = [b for s in raw["segments"] for b in s["blocks"] if b["state"] == "active_allocated"]
    a, b = next((a, b) for a in blocks for b in blocks if a["requested_size"] != b["requested_size"])
    a["requested_size"], b["requested_size"] = b["requested_size"], a["requested_size"]
    snap = read_snapshot(raw)
    flag = next(f for f in snap.flags if f.kind == "segments_disagree")
    assert flag.count == 2 and not snap.end[0].matches
    assert snap.end[0].allocated == snap.end[0].segments_allocated


def test_an_active_block_the_trace_freed_is_flagged(base):
    raw = mutated(base)
    trace = raw["device_traces"][0]
    live, _, _ = live_from_trace(trace, len(trace) - 1)
    freed = next(e["addr"] for e in trace if e["action"] == "alloc" and e["addr"] not in live)
    raw["segments"][0]["blocks"].append(
        {"address": freed, "size": 512, "requested_size": 512, "state": "active_allocated"}
    )
    snap = read_snapshot(raw)  # taken as alive since before the trace, yet the trace allocated at its address
    assert "segments_disagree" in kinds(snap) and not snap.end[0].matches
    assert snap.end[0].allocated == snap.end[0].segments_allocated  # the totals alone would not tell


def test_a_missing_segment_free_is_flagged(base):
    raw = mutated(base)
    trace = raw["device_traces"][0]
    k = next(i for i, e in enumerate(trace) if e["action"] == "segment_free")
    del trace[k]  # the segment is gone from segments, the trace never says so
    snap = read_snapshot(raw)
    assert "segments_disagree" in kinds(snap) and not snap.end[0].matches


@pytest.mark.parametrize("with_a_non_event", [False, True], ids=["dict events", "with a non-dict event"])
def test_events_out_of_time_order_unknown_actions_and_malformed_events_are_flagged(base, with_a_non_event):
    raw = mutated(base)
    trace = raw["device_traces"][0]
    trace[100]["time_us"] = trace[0]["time_us"] - 1
    trace.insert(200, {"action": "defragment", "addr": 1, "size": 2, "time_us": trace[199]["time_us"]})
    trace.insert(300, {"action": "alloc", "size": 64, "time_us": trace[299]["time_us"]})  # no address
    if with_a_non_event:  # read event by event
        trace.insert(301, "not an event")
    snap = read_snapshot(raw)
    flags = {f.kind: f for f in snap.flags}
    assert flags["out_of_time_order"].event == 100 and snap.timelines[0].unit == "us"
    assert flags["unknown_action"].count == 1 and "'defragment'" in flags["unknown_action"].message
    assert flags["malformed"].count == 1 + with_a_non_event and flags["malformed"].event == 300
    assert snap.end[0].matches  # none of them changed the memory figures
    assert snap.timelines[0].events == len(trace)


def test_an_address_allocated_twice_is_flagged(base):
    raw = mutated(base)
    trace = raw["device_traces"][0]
    reused = next(
        i
        for i, e in enumerate(trace)
        if e["action"] == "free_requested"
        and any(f["action"] == "alloc" and f["addr"] == e["addr"] for f in trace[i + 1 :])
    )
    del trace[reused]  # that allocation is never freed (free_completed does not free when free_requested exist)
    snap = read_snapshot(raw)
    flag = next(f for f in snap.flags if f.kind == "double_alloc")
    assert flag.count == 1 and flag.level == "warning"
    assert sum(a.size for a in snap.at_peak) == snap.peak_allocated
    assert not snap.end[0].matches


def test_a_trace_without_free_requested_frees_at_free_completed(base):
    raw = mutated(base)
    raw["device_traces"][0] = [e for e in raw["device_traces"][0] if e["action"] != "free_requested"]
    for s in raw["segments"]:  # with no request recorded, a block awaiting its free is still allocated
        for b in s["blocks"]:
            b["state"] = "active_allocated" if b["state"] == "active_awaiting_free" else b["state"]
    snap = read_snapshot(raw)
    assert snap.end[0].matches and not snap.flags


def test_older_schema_without_times_uses_event_indices(base):
    raw = mutated(base)
    for e in raw["device_traces"][0]:
        for key in ("time_us", "compile_context", "user_metadata"):
            e.pop(key)
    del raw["allocator_settings"]
    snap, timed = read_snapshot(raw), read_snapshot(base)
    t = snap.timelines[0]
    assert t.unit == "event" and timed.timelines[0].unit == "us"
    assert np.array_equal(t.times[1:], np.arange(len(raw["device_traces"][0])))
    assert np.array_equal(t.allocated, timed.timelines[0].allocated)
    assert snap.peak_allocated_at.time == snap.peak_allocated_at.event
    assert not snap.flags


def test_some_missing_times_fall_back_to_indices_and_say_so(base):
    raw = mutated(base)
    del raw["device_traces"][0][10]["time_us"]
    snap = read_snapshot(raw)
    assert snap.timelines[0].unit == "event" and "missing_times" in kinds(snap)


def test_expandable_segments_count_mapped_bytes():
    frames: list[Any] = []
    trace = [
        {"action": "segment_map", "addr": 1 << 30, "size": 2 << 20, "stream": 0, "frames": frames},
        {"action": "alloc", "addr": 1 << 30, "size": 1 << 20, "stream": 0, "frames": frames},
        {"action": "segment_map", "addr": (1 << 30) + (2 << 20), "size": 2 << 20, "stream": 0, "frames": frames},
        {"action": "alloc", "addr": (1 << 30) + (1 << 20), "size": 2 << 20, "stream": 0, "frames": frames},
        {"action": "free_requested", "addr": 1 << 30, "size": 1 << 20, "stream": 0, "frames": frames},
        {"action": "free_completed", "addr": 1 << 30, "size": 1 << 20, "stream": 0, "frames": frames},
    ]
    block = {"address": (1 << 30) + (1 << 20), "size": 2 << 20, "requested_size": 2 << 20, "state": "active_allocated"}
    segment = {"device": 0, "address": 1 << 30, "total_size": 4 << 20, "is_expandable": True, "stream": 0}
    segment["blocks"] = [{"address": 1 << 30, "size": 1 << 20, "requested_size": 0, "state": "inactive"}, block]
    segment["blocks"].append(
        {"address": (1 << 30) + (3 << 20), "size": 1 << 20, "requested_size": 0, "state": "inactive"}
    )
    snap = read_snapshot({"segments": [segment], "device_traces": [trace]})
    t = snap.timelines[0]
    assert t.reserved.tolist() == [0, 2 << 20, 2 << 20, 4 << 20, 4 << 20, 4 << 20, 4 << 20]
    assert t.allocated.tolist() == [0, 0, 1 << 20, 1 << 20, 3 << 20, 2 << 20, 2 << 20]
    assert snap.end[0].complete and not snap.flags


def test_segments_only_and_empty_snapshots_read():
    raw = synthetic_snapshot(3000, seed=2)
    state = read_snapshot(raw["segments"])  # older torch wrote the segments list alone
    live = sum(active_blocks(raw, 0).values())
    assert state.events == 0 and state.peak_allocated == live and len(state.timelines[0].times) == 1
    assert sum(a.size for a in state.at_peak) == live
    empty = read_snapshot({"segments": [], "device_traces": [[], []]})
    assert empty.devices == () and empty.peak_allocated == 0 and empty.peak_allocated_at.device is None


# ---------------------------------------------------------------------------------------------------- refusals


class _Innocent:
    pass


class _Payload:
    def __init__(self, marker: Path) -> None:
        self.marker = marker

    def __reduce__(self) -> Any:
        return (os.system, (f"touch {self.marker}",))


def test_a_pickle_that_needs_an_import_is_refused_and_nothing_runs(tmp_path):
    marker = tmp_path / "ran"
    evil = pickle.dumps({"segments": [], "device_traces": [[_Payload(marker)]]})
    with pytest.raises(SnapshotError, match=r"refused to unpickle: the data asks to import (posix|nt|os)\.system"):
        read_snapshot(evil)
    path = tmp_path / "evil.pickle"
    path.write_bytes(evil)
    with pytest.raises(SnapshotError, match="Nothing was imported or run"):
        read_snapshot(path)
    assert not marker.exists()
    with pytest.raises(SnapshotError, match=r"import .*_Innocent"):
        read_snapshot(pickle.dumps({"segments": [_Innocent()]}))
    if os.name == "posix":  # the same bytes do run when unpickled plainly: the refusal is what stopped them
        pickle.loads(evil)
        assert marker.exists()


@pytest.mark.parametrize(
    ("source", "message"),
    [
        (42, "got int"),
        (b"\x80\x04garbage", "not a readable pickle"),
        (pickle.dumps("text"), "holds a str"),
        ({"weights": []}, "has neither"),
        ({"device_traces": {}}, "list of lists"),
    ],
)
def test_what_is_not_a_snapshot_is_refused_saying_what_was_given(source, message):
    with pytest.raises(SnapshotError, match=message):
        read_snapshot(source)


def test_segments_that_are_not_segments_are_flagged_not_refused():
    snap = read_snapshot(pickle.dumps([1, 2]))
    assert [f.kind for f in snap.flags] == ["malformed"] and snap.devices == ()


def test_a_missing_file_names_the_path(tmp_path):
    with pytest.raises(SnapshotError, match=r"no snapshot file at .*nowhere\.pickle"):
        read_snapshot(tmp_path / "nowhere.pickle")


def test_frames_are_classified_on_posix_and_windows_paths():
    kind = snap_mod.frame_kind
    assert kind("/home/ada/train.py") == "user"
    assert kind("/tmp/ipykernel_12/3456.py") == "user"  # a notebook cell
    assert kind(r"C:\Users\ada\env\Lib\site-packages\torch\nn\functional.py") == "torch"
    assert kind("/opt/conda/lib/python3.12/site-packages/einops/einops.py") == "library"
    assert kind(r"C:\Python311\Lib\runpy.py") == "python"
    assert kind("/usr/lib/python3.11/threading.py") == "python"
    assert kind("/pytorch/c10/cuda/CUDACachingAllocator.cpp") == "native"
    assert kind("/src/pytorch/torch/nn/modules/module.py") == "torch"


def test_browser_state_is_json_plus_binary_series(small_synthetic):
    snap = read_snapshot(small_synthetic)
    state = snapshot_state(snap, points=300, top=5, frames=3)
    series = state["series"][0]
    assert series["points"] == 300 and not series["exact"]
    names = ("times", "allocated_min", "allocated_max", "reserved_min", "reserved_max")
    assert all(isinstance(series[k], bytes) and len(series[k]) == 300 * 8 for k in names)
    assert np.frombuffer(series["allocated_max"], dtype="<f8").max() == snap.peak_allocated
    json.dumps({**state, "series": [{k: v for k, v in series.items() if k not in names}]})  # the rest is JSON
    assert len(state["alive"]) == 5 and state["alive_bytes"] == snap.peak_allocated
    assert state["alive_count"] == len(snap.at_peak)
    assert all(len(a["frames"]) <= 3 for a in state["alive"])
    assert state["alive"][0]["frames"][0]["kind"] == "user"
    assert state["synthetic"] is True and state["peak_device"] == "cuda:0"
