"""The memory core: device figures that never initialize CUDA, a census of live tensors, copies between devices."""

from __future__ import annotations

import gc
import json
import os
import subprocess
import sys
import textwrap
import types
import warnings
import weakref
from dataclasses import fields

import numpy as np
import psutil
import pytest
import torch

from tensorviz import memory_sources as memory
from tensorviz.memory_sources import census, cuda_state, device_memory, register_holder, reset_peak, track_transfers


def _totals() -> dict[str, int]:
    gc.collect()  # garbage of earlier tests must not move the figures between two censuses
    return census({}).totals


def _named(c: memory.Census, name: str) -> memory.CensusEntry:
    (entry,) = [e for e in c.entries if name in e.names]
    return entry


def _holds_no_tensor(value: object) -> bool:
    if isinstance(value, torch.Tensor):
        return False
    if isinstance(value, (tuple, list)):
        return all(_holds_no_tensor(v) for v in value)
    if isinstance(value, dict):
        return all(_holds_no_tensor(k) and _holds_no_tensor(v) for k, v in value.items())
    if hasattr(value, "__dataclass_fields__"):
        return all(_holds_no_tensor(getattr(value, f.name)) for f in fields(value))  # type: ignore[arg-type]
    return True


# -- the census -------------------------------------------------------------------------------------------------


@pytest.mark.filterwarnings("ignore:Sparse:UserWarning")
def test_census_totals_count_each_storage_once_whatever_views_sparse_meta_and_numpy_share_it():
    before = _totals()
    base = torch.zeros(100, 10)  # 100 * 10 * 4 bytes
    views = [base[2:5], base.t(), base.view(1000), base[:, ::2], base[0].expand(7, 10)]
    expanded = torch.ones(3).expand(1000, 3).detach()  # one storage of 3 floats (detached: no _base keeps it)
    narrow = torch.empty(0).set_(torch.zeros(100).untyped_storage(), 10, (5,))  # 5 elements of a 100-float storage
    coo = torch.sparse_coo_tensor(torch.tensor([[0, 1, 2], [2, 1, 0]]), torch.tensor([1.0, 2.0, 3.0]), (3, 3))
    csr = torch.sparse_csr_tensor(torch.tensor([0, 1, 2]), torch.tensor([0, 1]), torch.tensor([1.0, 2.0]), (2, 2))
    meta = torch.empty(1000, device="meta")
    meta_view = meta[10:]
    array = np.zeros(50)  # 50 float64 owned by numpy
    shared, shared_again = torch.from_numpy(array), torch.from_numpy(array)
    param = torch.nn.Parameter(torch.zeros(7))
    param.grad = torch.ones(7)
    after = _totals()

    expected_cpu = (
        100 * 10 * 4  # base and its five views
        + 3 * 4  # the expanded tensor's storage
        + 100 * 4  # the narrow tensor's whole storage
        + (2 * 3 * 8 + 3 * 4)  # coo: int64 indices [2, nnz] and float32 values
        + (3 * 8 + 2 * 8 + 2 * 4)  # csr: crow_indices, col_indices, values
        + 50 * 8  # numpy memory, counted once for both tensors over it
        + 7 * 4 * 2  # the parameter and its grad
    )
    assert after["cpu"] - before.get("cpu", 0) == expected_cpu
    assert after["meta"] == before.get("meta", 0) == 0
    c = census({"base": base, "views": views, "meta": meta_view, "shared": shared, "coo": coo, "csr": csr, "p": param})
    assert (_named(c, "base").nbytes, _named(c, "base").tensors) == (4000, 6)
    assert set(_named(c, "base").names) == {"base", "views[0]", "views[1]", "views[2]", "views[3]", "views[4]"}
    assert (_named(c, "coo").nbytes, _named(c, "coo").layout, _named(c, "coo").shape) == (60, "sparse_coo", (3, 3))
    assert (_named(c, "csr").nbytes, _named(c, "csr").layout) == (48, "sparse_csr")
    assert (_named(c, "meta").device, _named(c, "meta").nbytes, _named(c, "meta").tensors) == ("meta", 0, 2)
    numpy_entry = _named(c, "shared")
    assert (numpy_entry.nbytes, numpy_entry.tensors, numpy_entry.external) == (
        400,
        2,
        "memory not allocated by torch (numpy, DLPack or a buffer)",
    )
    assert (
        _named(census({"shared": shared, "array": array}), "shared").external == "shares memory with numpy array array"
    )
    assert _named(c, "p.grad").nbytes == 28 and _named(c, "p").nbytes == 28
    assert _named(c, "base").external is None
    del expanded, shared_again, narrow


def test_gradients_made_by_backward_count_before_python_ever_reads_them():
    before = _totals()
    model = torch.nn.Linear(100, 100)
    x = torch.ones(1, 100)
    model(x).sum().backward()
    after = _totals()  # nothing has read model.weight.grad yet
    params = (100 * 100 + 100) * 4
    assert after["cpu"] - before.get("cpu", 0) == 2 * params + x.numel() * 4


@pytest.mark.filterwarnings("ignore::UserWarning")
def test_fake_and_wrapper_tensors_hold_no_memory_of_their_own_and_nested_tensors_count():
    from torch._subclasses.fake_tensor import FakeTensorMode
    from torch.testing._internal.two_tensor import TwoTensor

    before = _totals()
    a, b = torch.zeros(100), torch.ones(100)
    pair = TwoTensor(a, b)  # a wrapper: its memory is that of a and b
    with FakeTensorMode():
        fake = torch.zeros(1000)  # no memory at all
    nested = torch.nested.nested_tensor([torch.zeros(3), torch.zeros(5)])  # one buffer of 8 floats
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        after = _totals()
        c = census({"pair": pair, "fake": fake, "nested": nested})
    assert [str(w.message) for w in caught] == []  # FakeTensor warns (once) when its data pointer is read
    assert after["cpu"] - before.get("cpu", 0) == 2 * 100 * 4 + 8 * 4
    assert c.skipped >= 2
    assert (_named(c, "nested").nbytes, _named(c, "nested").layout) == (32, "nested")
    assert not [e for e in c.entries if {"pair", "fake"} & set(e.names)]


def test_a_storage_with_bytes_but_no_address_is_not_memory_the_census_can_count():
    # what a tensor of a backend without real storage (lazy, XLA-like) shows: bytes, but no address
    storage = types.SimpleNamespace(data_ptr=lambda: 0, nbytes=lambda: 64, _cdata=1, resizable=lambda: True)
    stand_in = types.SimpleNamespace(layout=torch.strided, device=torch.device("cpu"), untyped_storage=lambda: storage)
    with pytest.raises(ValueError, match="no real memory"):
        memory._storages(stand_in, {})  # type: ignore[arg-type]
    storage.nbytes = lambda: 0  # an empty tensor: no address and nothing to count
    assert memory._storages(stand_in, {}) == [(("cpu", "no data", 1), 0, "cpu", True)]  # type: ignore[arg-type]


def test_a_tensor_the_user_deletes_leaves_the_census():
    x = torch.zeros(4321)
    key = _named(census({"x": x}), "x").key
    before = _totals()["cpu"]
    del x
    c = census({})
    assert key not in {e.key for e in c.entries}
    gc.collect()
    assert census({}).totals.get("cpu", 0) == before - 4321 * 4  # no "cpu" total at all when it was the last


def test_census_keeps_no_reference_to_any_tensor():
    x = torch.zeros(1000)
    ref = weakref.ref(x)
    c = census({"x": x, "l": [x]})
    assert _holds_no_tensor(c)
    del x
    assert ref() is None  # freed at once, by reference counting: no cycle and no reference left in the census


def test_names_come_from_variables_containers_modules_optimizers_and_ipython_output_history():
    x, y, z = torch.zeros(11), torch.zeros(12), torch.zeros(13)
    model = torch.nn.Linear(2, 3)
    model(torch.ones(1, 2)).sum().backward()
    opt = torch.optim.Adam(model.parameters())
    opt.step()
    out = {12: z, 13: (y,)}
    ns = {
        "x": x,
        "batch": [x, y],
        "d": {"key": y},
        "model": model,
        "opt": opt,
        "In": ["", "x"],
        "_i12": "z",
        "Out": out,
        "_oh": out,  # IPython's alias of Out: not named twice
        "_": z,
        "__": x,
        "___": y,
        "_12": z,
    }
    c = census(ns)
    assert _named(c, "x").names == ("x", "batch[0]", "__")
    assert _named(c, "x").held_by is None
    assert _named(c, "batch[1]").names == ("batch[1]", "d['key']", "Out[13][0]", "___")
    z_entry = _named(c, "Out[12]")
    assert z_entry.names == ("Out[12]", "_", "_12")
    assert z_entry.held_by == "IPython output history (Out[12], _, _12)"
    assert _named(c, "model.weight").shape == (3, 2)
    assert _named(c, "model.weight.grad").shape == (3, 2)
    assert _named(c, "opt.state[model.weight]['exp_avg']").shape == (3, 2)
    assert _named(c, "opt.state[model.bias]['exp_avg_sq']").shape == (3,)


def test_the_default_namespace_is_the_ipython_user_namespace(monkeypatch):
    t = torch.zeros(17)
    shell = types.SimpleNamespace(user_ns={"seen_by_ipython": t})
    monkeypatch.setitem(sys.modules, "IPython", types.SimpleNamespace(get_ipython=lambda: shell))
    assert "seen_by_ipython" in _named(census(), "seen_by_ipython").names
    monkeypatch.setitem(sys.modules, "IPython", types.SimpleNamespace(get_ipython=lambda: None))
    monkeypatch.setattr(sys.modules["__main__"], "seen_in_main", t, raising=False)
    assert _named(census(), "seen_in_main").nbytes == 68


def test_in_a_real_ipython_shell_output_history_is_what_holds_a_deleted_variables_tensor():
    code = """
        import json
        from IPython.core.interactiveshell import InteractiveShell
        shell = InteractiveShell.instance()
        for cell in ["import torch", "x = torch.zeros(1000)", "torch.ones(2000)", "x[:10]", "del x",
                     "from tensorviz.memory_sources import census; c = census()"]:
            shell.run_cell(cell, store_history=True)
        c = shell.user_ns["c"]
        print(json.dumps([[e.nbytes, e.names, e.held_by] for e in c.entries if e.nbytes in (4000, 8000)]))
    """
    out = subprocess.run([sys.executable, "-c", textwrap.dedent(code)], capture_output=True, text=True, timeout=120)
    assert out.returncode == 0, out.stderr
    got = {nbytes: (set(names), held_by) for nbytes, names, held_by in json.loads(out.stdout.strip().splitlines()[-1])}
    assert got[4000][0] == {"Out[4]", "_4", "_"}  # x is gone; its storage lives on in x[:10], output 4
    assert got[4000][1].startswith("IPython output history (") and "Out[4]" in got[4000][1]
    assert got[8000][0] == {"Out[3]", "_3", "__"}


def test_a_registered_holder_is_named_when_no_variable_holds_the_tensor_and_is_never_kept_alive():
    class View:
        def __init__(self, t: torch.Tensor) -> None:
            self.t = t

    view = View(torch.zeros(2345))
    held = weakref.ref(view.t)
    register_holder(view, "a tensorviz view (close it to release)", lambda v: v.t)
    (entry,) = [e for e in census({}).entries if e.nbytes == 2345 * 4]
    assert (entry.names, entry.held_by) == ((), "a tensorviz view (close it to release)")
    assert _named(census({"mine": view.t}), "mine").held_by is None  # a variable names it: that is what holds it
    owner = weakref.ref(view)
    del view
    assert owner() is None and held() is None  # the registry kept neither the view nor its tensor
    assert id(owner) not in memory._holders


def test_holder_may_hold_several_tensors_and_unregister_forgets_it():
    class Player:
        tensors = (torch.zeros(3456), torch.zeros(4567))

    player = Player()
    register_holder(player, "a tensorviz op player", lambda p: p.tensors)
    held = {e.nbytes: e.held_by for e in census({}).entries if e.nbytes in (3456 * 4, 4567 * 4)}
    assert held == {3456 * 4: "a tensorviz op player", 4567 * 4: "a tensorviz op player"}
    memory.unregister_holder(player)
    assert {e.held_by for e in census({}).entries if e.nbytes in (3456 * 4, 4567 * 4)} == {None}


def test_limit_keeps_the_largest_entries_and_the_totals_of_all():
    big, small = torch.zeros(99_991), torch.zeros(3)
    full = census({"big": big, "small": small})
    cut = census({"big": big, "small": small}, limit=1)
    assert len(cut.entries) == 1 and cut.count == full.count
    assert cut.entries[0].nbytes == max(e.nbytes for e in full.entries)
    assert cut.totals == full.totals
    assert [e.nbytes for e in full.entries] == sorted((e.nbytes for e in full.entries), reverse=True)
    with pytest.raises(ValueError, match="limit must be a non-negative integer"):
        census({}, limit=-1)
    with pytest.raises(TypeError, match="namespace must be a mapping"):
        census([big])  # type: ignore[arg-type]


def test_census_runs_inside_a_trace_without_being_recorded():
    import tensorviz as tv

    x = torch.zeros(31)
    with tv.trace() as tr:
        c = census({"x": x})
    assert _named(c, "x").nbytes == 124
    assert len(tr.steps) == 0


# -- device figures ---------------------------------------------------------------------------------------------


def test_this_cpu_machine_has_no_cuda_entry_and_a_cpu_entry_with_real_figures():
    assert cuda_state() == "no CUDA device"
    figures = device_memory()
    assert not [d for d in figures if d.device.startswith("cuda")]
    cpu = figures[-1]
    assert cpu.device == "cpu"
    rss = psutil.Process().memory_info().rss
    assert abs(cpu.allocated - rss) < 64 << 20  # the same reading, a moment apart
    assert cpu.total == psutil.virtual_memory().total
    assert 0 < cpu.free <= cpu.total
    assert cpu.peak >= cpu.allocated - (64 << 20)
    assert cpu.sources == {"allocated": "process", "peak": "process", "total": "system", "free": "system"}
    assert cpu.reserved is None and "reserved" in cpu.notes
    assert reset_peak() is False and reset_peak("cpu") is False


def _forbid(monkeypatch, *names: str) -> list[str]:
    """Make torch.cuda.<name> raise if reached; returns the list of names that were reached."""
    reached: list[str] = []

    def trap(name: str):
        def call(*args, **kwargs):
            reached.append(name)
            raise AssertionError(f"torch.cuda.{name} was called: it would initialize CUDA or create a context")

        return call

    for name in names:
        monkeypatch.setattr(torch.cuda, name, trap(name), raising=False)
    monkeypatch.setattr(torch._C, "_cuda_hasPrimaryContext", trap("_cuda_hasPrimaryContext"), raising=False)
    return reached


_INITIALIZING = (
    "init",
    "_lazy_init",
    "mem_get_info",
    "reset_peak_memory_stats",
    "memory_stats",
    "memory_stats_as_nested_dict",
    "memory_allocated",
    "memory_reserved",
    "max_memory_allocated",
    "get_device_name",
    "get_device_properties",
    "current_device",
    "current_stream",
    "synchronize",
    "Event",
)


def _pretend_gpus(monkeypatch, count: int, initialized: bool) -> None:
    monkeypatch.setattr(torch.cuda, "is_available", lambda: True)
    monkeypatch.setattr(torch.cuda, "device_count", lambda: count)
    monkeypatch.setattr(torch.cuda, "is_initialized", lambda: initialized)


def test_gpus_that_are_not_initialized_read_as_na_with_the_reason_and_are_never_touched(monkeypatch):
    _pretend_gpus(monkeypatch, 2, initialized=False)
    reached = _forbid(monkeypatch, *_INITIALIZING)
    monkeypatch.setitem(sys.modules, "pynvml", None)  # no NVML either
    assert cuda_state() == "not initialized"
    figures = device_memory()
    gpus = [d for d in figures if d.device.startswith("cuda")]
    assert [d.device for d in gpus] == ["cuda:0", "cuda:1"]
    for d in gpus:
        assert (d.allocated, d.reserved, d.peak, d.total, d.free, d.name) == (None,) * 6
        assert d.sources == {}
        assert set(d.notes) == {"allocated", "reserved", "peak", "total", "free"}
        assert all("not initialized" in why and "create a context" in why for why in d.notes.values())
        assert "nvidia-ml-py" in d.notes["total"]
    assert figures[-1].device == "cpu"
    assert reset_peak() is False and reset_peak("cuda:1") is False
    with track_transfers() as log:
        torch.zeros(3).to("meta")
    assert len(log.entries) == 1 and log.entries[0].seconds is None
    census({})
    assert reached == []


class _FakeNvml:
    """The calls of nvidia-ml-py that memory_sources.py makes, with four identical GPUs."""

    def __init__(self) -> None:
        self.read: list[int] = []  # the GPUs whose memory was read

    def nvmlInit(self) -> None:
        pass

    def nvmlDeviceGetCount(self) -> int:
        return 4

    def nvmlDeviceGetHandleByIndex(self, i: int) -> int:
        return i

    def nvmlDeviceGetName(self, handle: int) -> str:
        return "Fake GPU 80GB"

    def nvmlDeviceGetMemoryInfo(self, handle: int):
        self.read.append(handle)
        return types.SimpleNamespace(total=80 << 30, free=(70 - handle) << 30, used=(10 + handle) << 30)


def test_nvml_gives_total_and_free_of_the_gpu_cuda_numbers_without_a_context(monkeypatch):
    _pretend_gpus(monkeypatch, 2, initialized=False)
    reached = _forbid(monkeypatch, *_INITIALIZING)
    nvml = _FakeNvml()
    monkeypatch.setitem(sys.modules, "pynvml", nvml)
    monkeypatch.setenv("CUDA_VISIBLE_DEVICES", "3,1")  # cuda:0 is NVML's GPU 3
    gpus = device_memory()[:2]
    assert [(d.device, d.name, d.total, d.free) for d in gpus] == [
        ("cuda:0", "Fake GPU 80GB", 80 << 30, 67 << 30),
        ("cuda:1", "Fake GPU 80GB", 80 << 30, 69 << 30),
    ]
    assert gpus[0].sources == {"total": "NVML", "free": "NVML"}
    assert gpus[0].allocated is None and "not initialized" in gpus[0].notes["allocated"]
    assert nvml.read == [3, 1]
    assert reached == []


def test_initialized_cuda_reads_the_allocator_and_asks_the_driver_only_where_a_context_exists(monkeypatch):
    _pretend_gpus(monkeypatch, 2, initialized=True)
    stats = {
        "allocated_bytes": {"all": {"current": 1000, "peak": 5000}},
        "reserved_bytes": {"all": {"current": 2 << 20}},
    }
    monkeypatch.setattr(torch.cuda, "memory_stats_as_nested_dict", lambda i: stats)
    monkeypatch.setattr(torch.cuda, "get_device_name", lambda i: f"Fake GPU {i}")
    monkeypatch.setattr(torch.cuda, "get_device_properties", lambda i: types.SimpleNamespace(uuid=None))
    monkeypatch.setattr(torch._C, "_cuda_hasPrimaryContext", lambda i: i == 0, raising=False)
    asked: list[int] = []

    def mem_get_info(i: int) -> tuple[int, int]:
        asked.append(i)
        assert i == 0, "cudaMemGetInfo on a GPU without a context creates one"
        return 30 << 30, 80 << 30

    monkeypatch.setattr(torch.cuda, "mem_get_info", mem_get_info)
    monkeypatch.setitem(sys.modules, "pynvml", None)
    reset: list[int] = []
    monkeypatch.setattr(torch.cuda, "reset_peak_memory_stats", reset.append)
    assert cuda_state() == "initialized"
    gpu0, gpu1 = device_memory()[:2]
    assert (gpu0.name, gpu0.allocated, gpu0.reserved, gpu0.peak, gpu0.total, gpu0.free) == (
        "Fake GPU 0",
        1000,
        2 << 20,
        5000,
        80 << 30,
        30 << 30,
    )
    assert gpu0.sources == {
        "allocated": "allocator",
        "reserved": "allocator",
        "peak": "allocator",
        "total": "driver",
        "free": "driver",
    }
    assert (gpu1.allocated, gpu1.total) == (1000, None)
    assert "cuda:1 has no context yet" in gpu1.notes["total"]
    assert asked == [0]
    assert reset_peak("cuda:1") is True and reset == [1]


def test_reset_peak_says_what_it_accepts():
    with pytest.raises(ValueError, match=r"reset_peak takes a device like 'cuda:0', 'xpu:0' or None; got 'gpu7'"):
        reset_peak("gpu7")


# -- transfers --------------------------------------------------------------------------------------------------


def test_copies_across_devices_are_logged_with_bytes_direction_op_and_the_users_line():
    x = torch.zeros(10, 10)
    net = torch.nn.Linear(3, 2)
    with track_transfers() as log:
        a = x.to("meta")
        b = x.to(device="meta", non_blocking=True)
        c = torch.tensor([1.0, 2.0], device="meta")
        d = torch.empty(10, 10, device="meta")
        d.copy_(x)
        d[0:2] = x[:2]
        e = torch.as_tensor(np.zeros(4), device="meta")
        net.to("meta")
    got = [(t.op, t.nbytes, t.src, t.dst, t.non_blocking, t.pinned, t.seconds, t.source.code) for t in log.entries]
    assert got == [
        ("to", 400, "cpu", "meta", False, False, None, 'a = x.to("meta")'),
        ("to", 400, "cpu", "meta", True, False, None, 'b = x.to(device="meta", non_blocking=True)'),
        ("tensor", 8, "cpu", "meta", False, False, None, 'c = torch.tensor([1.0, 2.0], device="meta")'),
        ("copy_", 400, "cpu", "meta", False, False, None, "d.copy_(x)"),
        ("setitem", 80, "cpu", "meta", False, False, None, "d[0:2] = x[:2]"),
        ("as_tensor", 32, "cpu", "meta", False, False, None, 'e = torch.as_tensor(np.zeros(4), device="meta")'),
        ("to", 24, "cpu", "meta", False, False, None, 'net.to("meta")'),  # the weight, from inside nn.Module.to
        ("to", 8, "cpu", "meta", False, False, None, 'net.to("meta")'),  # the bias
    ]
    assert {t.source.file for t in log.entries} == {__file__}
    assert log.totals() == {("cpu", "meta"): (400 + 400 + 8 + 400 + 80 + 32 + 24 + 8, 8, None)}
    del a, b, c, e


def test_ops_on_one_device_log_nothing():
    x = torch.zeros(4)
    m = torch.zeros(4, device="meta")
    with track_transfers() as log:
        x.cpu()
        x.to(torch.float64)
        x.to("cpu", copy=True)
        x.clone().add_(1)
        torch.tensor([1.0])
        torch.as_tensor(x)
        torch.zeros(3, device="meta")  # made there: nothing crosses
        m.to("meta")
        m.copy_(m + 1)
        x.tolist()
        x.item() if x.numel() == 1 else x[0].item()
        x.numpy()
    assert log.entries == []
    assert log.totals() == {}
    assert "No copies between devices" in log._repr_html_()
    assert repr(log) == "TransferLog: no copies between devices"


def test_the_log_says_copies_in_other_threads_are_not_captured_and_time_is_na_unmeasured():
    import threading

    x = torch.zeros(8)
    with track_transfers() as log:
        x.to("meta")
        worker = threading.Thread(target=lambda: x.to("meta"))
        worker.start()
        worker.join()
    assert len(log.entries) == 1  # the worker's copy is not seen: modes are per thread
    page = log._repr_html_()
    assert "other threads" in page and "DataLoader workers" in page and "not captured" in page
    assert "cpu → meta" in page and "n/a" in page and "32 B" in page
    assert "not captured" in repr(log) and "cpu -> meta: 1 x, 32 B, n/a (not measured)" in repr(log)


def test_the_users_exception_goes_through_unchanged_and_the_log_keeps_no_tensor():
    x = torch.zeros(5)
    ref = weakref.ref(x)
    with pytest.raises(RuntimeError) as caught, track_transfers() as log:
        x.to("no-such-device")
    assert "no-such-device" in str(caught.value)
    del caught  # its traceback holds the frames, and x
    with log:
        y = x.to("meta")
    assert len(log.entries) == 1 and _holds_no_tensor(log.entries)
    del x, y
    assert ref() is None
    with pytest.raises(RuntimeError, match="already recording"), log, log:
        pass


def test_transfers_are_not_recorded_after_the_block():
    with track_transfers() as log:
        pass
    torch.zeros(2).to("meta")
    assert log.entries == []


def test_the_logs_html_writes_file_names_and_code_as_text():
    # a file name is the user's string like any other (code compiled from a string, a notebook's cell file)
    x = torch.zeros(4)
    code = compile("y = x.to('meta')", "<img src=x onerror=alert(1)>.py", "exec")
    with track_transfers() as log:
        exec(code, {"x": x})
    assert [t.source.file for t in log.entries] == ["<img src=x onerror=alert(1)>.py"]
    page = log._repr_html_()
    assert "<img" not in page
    assert "&lt;img src=x onerror=alert(1)&gt;.py:1" in page


CHILD_PEAK = """
import resource, torch
from tensorviz.memory_sources import device_memory, process_peak, reset_process_peak
maxrss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024
peak = process_peak()
assert reset_process_peak()
print(maxrss, peak, process_peak(), device_memory()[-1].peak)
"""


@pytest.mark.skipif(not os.path.exists("/proc/self/clear_refs"), reason="needs Linux /proc/self/clear_refs")
def test_the_process_peak_is_this_processs_own_and_can_start_afresh():
    # a child's ru_maxrss starts at its parent's peak (a kernel's, at its server's): the peak is VmHWM, its own
    big = torch.ones(512 << 20, dtype=torch.uint8)  # 512 MiB resident in this (the parent) process
    try:
        out = subprocess.run([sys.executable, "-c", CHILD_PEAK], capture_output=True, text=True, timeout=120, check=True)
    finally:
        del big
    maxrss, peak, fresh, monitor = (int(v) for v in out.stdout.split())
    assert maxrss >= 512 << 20, maxrss  # inherited from the parent
    assert peak < maxrss - (256 << 20), (peak, maxrss)  # the child's own peak: it never held 512 MiB
    assert fresh <= peak and abs(monitor - fresh) < 64 << 20, (fresh, monitor)  # the monitor's CPU peak is this one
