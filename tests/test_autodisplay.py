"""`%load_ext tensorviz`: a tensor a cell returns displays as a TensorView, with torch's text beside it.

Run in a real IPython ``InteractiveShell``: cells go through ``run_cell``, and what the display hook would send to
the front end (the whole mime bundle, not only the text a terminal prints) is recorded.
"""

from __future__ import annotations

import json
import re
import subprocess
import sys
import textwrap

import pytest
import torch
from IPython.core.interactiveshell import InteractiveShell
from IPython.utils.capture import capture_output
from ipywidgets.widgets.widget import _instances
from traitlets.config import Config

import tensorviz as tv
from tensorviz.widgets import tensor_view

WIDGET = "application/vnd.jupyter.widget-view+json"


class Session:
    """A shell and what its cells showed: every result's mime bundle, and what they printed."""

    def __init__(self, shell: InteractiveShell) -> None:
        self.shell = shell
        self.results: list[dict] = []

    def run(self, code: str) -> dict | None:
        """Run a cell; the bundle its result showed (None when it showed none). Fails on an error in the cell."""
        before = len(self.results)
        outcome = self.shell.run_cell(textwrap.dedent(code), store_history=True)
        outcome.raise_error()
        return self.results[-1] if len(self.results) > before else None

    def captured(self, code: str):
        """Run a cell, capturing stdout, stderr and the outputs ``display`` made."""
        with capture_output() as cap:
            result = self.run(code)
        return result, cap

    def view_of(self, bundle: dict) -> tv.TensorView:
        view = _instances[bundle[WIDGET]["model_id"]]
        assert isinstance(view, tv.TensorView)
        return view

    def load(self) -> None:
        self.run("%load_ext tensorviz")

    def unload(self) -> None:
        self.shell.extension_manager.unload_extension("tensorviz")


@pytest.fixture(scope="module")
def shell():
    with pytest.MonkeyPatch.context() as mp:
        # views made here hook this shell's post_run_cell; the other test modules keep a process without a shell
        mp.setattr(tensor_view, "_hooked", False)
        config = Config()
        config.HistoryManager.hist_file = ":memory:"
        sh = InteractiveShell.instance(config=config)
        try:
            yield sh
        finally:
            InteractiveShell.clear_instance()


@pytest.fixture
def session(shell):
    s = Session(shell)
    shown = shell.displayhook.write_format_data

    def record(format_dict, md_dict=None):
        s.results.append(format_dict)

    shell.displayhook.write_format_data = record
    s.run("import logging, torch, tensorviz as tv\nt = torch.arange(6.0).reshape(2, 3)")
    try:
        yield s
    finally:
        s.unload()
        shell.displayhook.write_format_data = shown


def formatter_state(shell) -> dict:
    """Everything each display formatter holds for types, by identity."""
    out = {}
    for name, f in [
        ("mimebundle", shell.display_formatter.mimebundle_formatter),
        *shell.display_formatter.formatters.items(),
    ]:
        out[name] = (
            {k: id(v) for k, v in f.type_printers.items()},
            {k: id(v) for k, v in f.deferred_printers.items()},
            dict(f.singleton_printers),
        )
    return out


def test_a_returned_tensor_is_a_view_with_torchs_own_text_beside_it(session):
    session.load()
    t = session.shell.user_ns["t"]
    bundle = session.run("t")
    assert set(bundle) == {WIDGET, "text/plain"}
    assert bundle["text/plain"] == repr(t)
    view = session.view_of(bundle)
    assert view.tensor is t and view.info["shape"] == [2, 3]
    # display(t) is the same display: a view and the text
    result, cap = session.captured("display(t * 2)")
    assert result is None
    (out,) = cap.outputs
    assert set(out.data) == {WIDGET, "text/plain"} and out.data["text/plain"] == repr(t * 2)
    # an nn.Parameter is a tensor too
    param = session.run("torch.nn.Parameter(torch.ones(2, 2))")
    assert WIDGET in param and param["text/plain"].startswith("Parameter containing:")


def test_print_repr_fstrings_logging_and_containers_read_exactly_as_before(session):
    cells = [
        "print(t)",
        "repr(t)",
        "str(t)",
        'f"t = {t}"',
        "logging.basicConfig(force=True, stream=__import__('sys').stdout, level=logging.INFO)\nlogging.info('%s', t)",
        "[t, t]",
        "(t, 1)",
        "{'w': t}",
        "t.shape",
        "t.dtype",
    ]

    def run_all():
        shown = []
        for cell in cells:
            bundle, cap = session.captured(cell)
            shown.append((bundle, re.sub(r"Out\[\d+\]: ", "", cap.stdout)))  # the prompt's number moves on
        return shown

    before = run_all()
    session.load()
    after = run_all()
    assert after == before
    assert all(b is None or set(b) == {"text/plain"} for b, _ in after)
    assert "tensor([[0., 1., 2.]" in after[0][1] and "INFO:root:tensor(" in after[4][1]


def test_a_scalar_stays_a_number_and_huge_or_meta_tensors_open_as_views(session):
    session.load()
    assert session.run("t.sum()") == {"text/plain": "tensor(15.)"}
    assert session.run("torch.tensor(3)") == {"text/plain": "tensor(3)"}
    # 10^10 elements (expanded from one: no memory), and a meta tensor: structure, no values
    huge = session.run("torch.zeros(1).expand(100_000, 100_000)")
    view = session.view_of(huge)
    assert view.info["numel"] == 10**10 and view.info["stats"]["sampled"]
    view.close()
    meta = session.run("torch.empty(1000, 1000, 1000, device='meta')")
    view = session.view_of(meta)
    assert view.info["device"] == "meta" and not view.info["values"]
    assert meta["text/plain"] == "tensor(..., device='meta', size=(1000, 1000, 1000))"


def test_unload_gives_back_plain_text_and_keeps_views_already_drawn(session):
    before = formatter_state(session.shell)
    session.load()
    assert formatter_state(session.shell) != before
    drawn = session.view_of(session.run("t"))
    session.run("%unload_ext tensorviz")
    assert formatter_state(session.shell) == before
    assert session.run("t") == {"text/plain": repr(session.shell.user_ns["t"])}
    assert drawn.tensor is session.shell.user_ns["t"]  # still open


def test_unload_puts_back_a_formatter_the_user_registered_before(session):
    mime = session.shell.display_formatter.mimebundle_formatter

    def mine(t):
        return {"text/plain": f"my tensor {list(t.shape)}"}

    mime.for_type(torch.Tensor, mine)
    try:
        before = formatter_state(session.shell)
        assert session.run("t") == {"text/plain": "my tensor [2, 3]"}
        session.load()
        assert WIDGET in session.run("t")
        session.unload()
        assert formatter_state(session.shell) == before
        assert mime.type_printers[torch.Tensor] is mine
        assert session.run("t") == {"text/plain": "my tensor [2, 3]"}
    finally:
        del mime.type_printers[torch.Tensor]


def test_unload_puts_back_a_formatter_registered_by_name_still_deferred(session):
    mime = session.shell.display_formatter.mimebundle_formatter

    def by_name(t):
        return {"text/plain": "by name"}

    mime.for_type_by_name("torch", "Tensor", by_name)
    try:
        before = formatter_state(session.shell)
        session.load()
        assert WIDGET in session.run("t")  # tensorviz's, while loaded
        session.unload()
        assert formatter_state(session.shell) == before  # deferred, exactly as it was
        assert session.run("t") == {"text/plain": "by name"}
    finally:
        mime.type_printers.pop(torch.Tensor, None)
        mime.deferred_printers.pop(("torch", "Tensor"), None)


def test_a_formatter_set_while_loaded_is_left_in_place_by_unload(session):
    mime = session.shell.display_formatter.mimebundle_formatter
    session.load()

    def later(t):
        return {"text/plain": "later"}

    mime.for_type(torch.Tensor, later)
    try:
        session.unload()
        assert mime.type_printers[torch.Tensor] is later
    finally:
        del mime.type_printers[torch.Tensor]


def test_loading_twice_is_harmless(session):
    before = formatter_state(session.shell)
    session.load()
    loaded = formatter_state(session.shell)
    _, cap = session.captured("%load_ext tensorviz")
    assert "already loaded" in cap.stdout
    tv.load_ipython_extension(session.shell)  # called directly, too
    assert formatter_state(session.shell) == loaded
    bundle = session.run("t")
    assert set(bundle) == {WIDGET, "text/plain"}
    session.unload()  # one unload is enough
    assert formatter_state(session.shell) == before
    tv.unload_ipython_extension(session.shell)  # and a second one does nothing
    assert formatter_state(session.shell) == before


def test_a_tensor_the_view_cannot_show_falls_back_to_plain_text(session, monkeypatch):
    session.run("n = torch.nested.nested_tensor([torch.zeros(2), torch.zeros(3)], layout=torch.jagged)")
    plain, _ = session.captured("n")
    session.load()
    shown, cap = session.captured("n")
    assert shown == plain and set(shown) == {"text/plain"}  # the view refuses nested tensors
    assert "Traceback" not in cap.stdout + cap.stderr

    def broken(*args, **kwargs):
        raise RuntimeError("the view failed")

    monkeypatch.setattr(tensor_view.TensorView, "__init__", broken)
    shown, cap = session.captured("t")
    assert shown == {"text/plain": repr(session.shell.user_ns["t"])}
    assert "Traceback" not in cap.stdout + cap.stderr


def test_a_storage_only_dtype_shows_its_structure_and_says_why_there_is_no_text(session):
    code = "torch.zeros(2, 3, dtype=torch.uint8).view(torch.bits8)"
    assert session.run(code) is None  # without tensorviz: torch cannot print it, IPython shows nothing
    session.load()
    shown = session.run(code)
    view = session.view_of(shown)
    assert view.info["shape"] == [2, 3] and view.info["dtype"] == "bits8" and not view.info["values"]
    assert shown["text/plain"] == (
        "tensor of shape (2, 3), dtype=torch.bits8, device=cpu (torch cannot print its values)"
    )


def test_a_tensor_subclass_with_its_own_mimebundle_keeps_it(session):
    session.load()
    session.run(
        """
        class Labeled(torch.Tensor):
            def _repr_mimebundle_(self, include=None, exclude=None):
                return {"text/plain": "labeled"}
        """
    )
    assert session.run("t.as_subclass(Labeled)") == {"text/plain": "labeled"}


def test_importing_tensorviz_registers_nothing():
    code = """
        import json, torch
        from IPython.core.interactiveshell import InteractiveShell
        shell = InteractiveShell.instance()
        def state():
            fs = [shell.display_formatter.mimebundle_formatter, *shell.display_formatter.formatters.values()]
            return [sorted(map(repr, f.type_printers)) + sorted(map(repr, f.deferred_printers)) for f in fs]
        events = {k: len(v) for k, v in shell.events.callbacks.items()}
        before = state()
        import tensorviz
        shown = []
        shell.displayhook.write_format_data = lambda data, md=None: shown.append(sorted(data))
        shell.run_cell("import torch; torch.zeros(2, 3)")
        print("RESULT", json.dumps([before == state(), events == {k: len(v) for k, v in shell.events.callbacks.items()}, shown]))
    """
    out = subprocess.run([sys.executable, "-c", textwrap.dedent(code)], capture_output=True, text=True, timeout=120)
    assert out.returncode == 0, out.stderr
    same_formatters, same_events, shown = json.loads(out.stdout.rpartition("RESULT ")[2])
    assert same_formatters and same_events
    assert shown == [["text/plain"]]


def test_a_traced_cell_is_named_by_its_number_not_its_compiled_file(shell):
    from tensorviz.widgets.op_player import cell_label, summarize

    shell.run_cell("import torch, tensorviz as tv\nx = torch.zeros(2, 3)", store_history=True)
    result = shell.run_cell("with tv.trace() as tr:\n    y = x.t()", store_history=True)
    assert result.success, result.error_in_exec
    number = shell.execution_count - 1
    step = shell.user_ns["tr"].steps[0]
    assert summarize(step)["source"]["where"] == f"In [{number}]"
    assert step.source.line == 2 and step.source.code == "y = x.t()"
    assert cell_label("<ipython-input-3-8f05e3145a30>") == "In [3]"
    assert cell_label("/home/me/train.py") is None
