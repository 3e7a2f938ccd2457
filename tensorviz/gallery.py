"""A static gallery of example notebooks that works offline: ``python -m tensorviz.gallery examples build/gallery``.

Each notebook's code cells run in this process, in an IPython ``InteractiveShell``, one notebook after the other.
What the cells show is captured in order: the tensorviz widgets they display (also inside ipywidgets boxes) are
exported right after their cell ran with the same standalone bundle as :func:`tensorviz.save_html` (included once per
page), and plain outputs (printed text, text/plain, HTML such as a transfer log, images) go in as they are. Markdown
cells are rendered with mistune (Jupyter's own renderer), code is shown highlighted. One page per notebook, and an
index page.

Pages stay small: each widget holds at most :data:`WIDGET_BUDGET` bytes of data and a page at most
:data:`PAGE_BUDGET` (a widget beyond that is left out, and says so); every page says what its budgets are.
"""

from __future__ import annotations

import argparse
import base64
import html
import json
import mimetypes
import os
import pathlib
import re
import sys
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from . import export

WIDGET_BUDGET = 1_500_000  # bytes of one widget's data in a gallery page (an exported file gets 8 MB)
PAGE_BUDGET = 12_000_000  # bytes of all the widgets of one page together
WIDGET_MIME = "application/vnd.jupyter.widget-view+json"
_KINDS = {"TensorView": "tensor view", "OpPlayer": "op player", "MemoryMonitor": "memory monitor"}


@dataclass
class Output:
    """One thing a cell showed: ``kind`` is "stream", "error", "data" (a MIME bundle) or "widget"."""

    kind: str
    text: str = ""
    data: dict[str, Any] = field(default_factory=dict)
    widget: Any = None


@dataclass
class Cell:
    kind: str  # "markdown" | "code"
    source: str
    outputs: list[Output] = field(default_factory=list)
    seconds: float = 0.0


# -- running a notebook, capturing what it shows ---------------------------------------------------------------------


class _Stream:
    """sys.stdout / sys.stderr while a cell runs: text goes to the cell's outputs, in order with its displays."""

    def __init__(self, sink: list[Output], name: str) -> None:
        self.sink, self.name = sink, name

    def write(self, text: str) -> int:
        if text:
            last = self.sink[-1] if self.sink else None
            if last is not None and last.kind == "stream" and last.data.get("name") == self.name:
                last.text += text
            else:
                self.sink.append(Output("stream", text, {"name": self.name}))
        return len(text)

    def flush(self) -> None:
        pass

    def isatty(self) -> bool:
        return False


def _shell_class() -> Any:
    """An InteractiveShell whose displays and results land in ``shell.sink`` (a list of :class:`Output`)."""
    from IPython.core.displayhook import DisplayHook
    from IPython.core.displaypub import DisplayPublisher
    from IPython.core.interactiveshell import InteractiveShell

    class Publisher(DisplayPublisher):
        def publish(self, data: Any, metadata: Any = None, source: Any = None, **kwargs: Any) -> None:
            self.shell.sink.append(Output("data", data=dict(data)))  # type: ignore[union-attr]

        def clear_output(self, wait: bool = False) -> None:
            self.shell.sink.clear()  # type: ignore[union-attr]

    class Hook(DisplayHook):
        def write_output_prompt(self) -> None:
            pass

        def write_format_data(self, format_dict: Any, md_dict: Any = None) -> None:
            self.shell.sink.append(Output("data", data=dict(format_dict)))  # type: ignore[union-attr]

        def finish_displayhook(self) -> None:
            pass

    class Shell(InteractiveShell):  # type: ignore[misc]
        displayhook_class = Hook
        display_pub_class = Publisher
        sink: list[Output]

        def _showtraceback(self, etype: Any, evalue: Any, stb: Any) -> None:
            text = re.sub(r"\x1b\[[0-9;]*m", "", self.InteractiveTB.stb2text(stb))
            self.sink.append(Output("error", text))

    return Shell


def _shell() -> Any:
    from IPython.core.interactiveshell import InteractiveShell

    shell_class = _shell_class()
    if InteractiveShell.initialized() and not isinstance(InteractiveShell.instance(), shell_class):
        raise RuntimeError("the gallery runs notebooks in its own IPython shell: run `python -m tensorviz.gallery`")
    shell = shell_class.instance()
    shell.sink = []
    try:
        shell.colors = "nocolor"
    except Exception:  # older IPython spells it NoColor
        shell.colors = "NoColor"
    return shell


def run_notebook(path: pathlib.Path, shell: Any) -> list[Cell]:
    """Run a notebook's code cells in ``shell`` (its folder as the working directory); every cell with its outputs."""
    import nbformat

    nb = nbformat.read(str(path), as_version=4)
    cells: list[Cell] = []
    here = os.getcwd()
    os.chdir(path.parent)
    try:
        for c in nb.cells:
            cell = Cell(c.cell_type, c.source)
            cells.append(cell)
            if c.cell_type != "code" or not c.source.strip():
                continue
            shell.sink = cell.outputs
            out, err = sys.stdout, sys.stderr
            sys.stdout, sys.stderr = _Stream(cell.outputs, "stdout"), _Stream(cell.outputs, "stderr")  # type: ignore[assignment]
            started = time.perf_counter()
            try:
                shell.run_cell(c.source, store_history=True)
            finally:
                sys.stdout, sys.stderr = out, err
                cell.seconds = time.perf_counter() - started
            for o in cell.outputs:
                if o.kind == "data" and WIDGET_MIME in o.data:
                    o.kind, o.widget = "widget", _widget(o.data[WIDGET_MIME])
    finally:
        os.chdir(here)
    return cells


def _widget(view: Any) -> Any:
    """The widget object a widget-view MIME bundle names (None when it is gone)."""
    model_id = view.get("model_id") if isinstance(view, dict) else None
    try:
        from ipywidgets.widgets.widget import _instances as instances
    except ImportError:  # pragma: no cover - ipywidgets < 8.1
        from ipywidgets import Widget

        instances = Widget.widgets
    return instances.get(model_id)


# -- the page --------------------------------------------------------------------------------------------------------


class _Budget:
    """What a page may still hold of widget data, and the ids of its widgets."""

    def __init__(self, widget_budget: int, page_budget: int) -> None:
        self.widget, self.left, self.n, self.left_out = widget_budget, page_budget, 0, 0

    def next_id(self) -> str:
        self.n += 1
        return f"tv-file-{self.n}"


def _widget_html(widget: Any, budget: _Budget, exported: list[Any]) -> str:
    """A captured widget as it will show in the page: a tensorviz widget exported, a box's children side by side (or
    one under the other), any other widget a note that it needs the kernel."""
    if widget is None:
        return '<p class="tv-gal-note">(a widget that was closed before it could be exported)</p>\n'
    kind = type(widget).__name__
    if hasattr(widget, "_export_payload"):
        room = min(budget.widget, budget.left)
        if room < 64_000:
            budget.left_out += 1
            return (
                f'<p class="tv-gal-note" data-role="left-out">A {_KINDS.get(kind, kind)} was left out here: the page '
                "holds the widgets above within its size budget. Run the notebook to see it.</p>\n"
            )
        try:
            payload = widget._export_payload(room)
        except Exception as err:  # e.g. a view closed by a later cell: its tensor is gone
            return f'<p class="tv-gal-note">(a {_KINDS.get(kind, kind)} that could not be exported: {html.escape(str(err))})</p>\n'
        budget.left -= len(export.dumps(payload))
        exported.append(widget)
        return export.widget_html(payload, budget.next_id())
    children = getattr(widget, "children", None)
    if isinstance(children, (list, tuple)):
        row = "column" if "VBox" in kind or "GridBox" in kind else "row"
        inner = "".join(f'<div class="tv-gal-cell">{_widget_html(c, budget, exported)}</div>' for c in children)
        return f'<div class="tv-gal-box tv-gal-{row}">{inner}</div>\n'
    return f'<p class="tv-gal-note">(an interactive {html.escape(kind)} here needs the kernel: run the notebook)</p>\n'


def _output_html(o: Output, budget: _Budget, exported: list[Any]) -> str:
    if o.kind == "widget":
        return _widget_html(o.widget, budget, exported)
    if o.kind in ("stream", "error"):
        cls = "tv-gal-error" if o.kind == "error" or o.data.get("name") == "stderr" else "tv-gal-stream"
        return f'<pre class="{cls}">{html.escape(o.text)}</pre>\n'
    data = o.data
    if "text/html" in data:
        return f'<div class="tv-gal-html">{_clean_html(str(data["text/html"]))}</div>\n'
    for mime in ("image/png", "image/jpeg", "image/gif"):
        if mime in data:
            raw = data[mime]
            b64 = raw if isinstance(raw, str) else base64.b64encode(raw).decode()
            return f'<img class="tv-gal-img" alt="" src="data:{mime};base64,{b64.strip()}">\n'
    if "image/svg+xml" in data:
        return f'<div class="tv-gal-html">{_clean_html(str(data["image/svg+xml"]))}</div>\n'
    if "text/markdown" in data:
        return f'<div class="tv-gal-md">{_markdown(str(data["text/markdown"]), pathlib.Path("."))}</div>\n'
    if "text/plain" in data:
        return f'<pre class="tv-gal-result">{html.escape(str(data["text/plain"]))}</pre>\n'
    return ""


_SCRIPT = re.compile(r"<script\b.*?</script\s*>|<script\b[^>]*/?>", re.I | re.S)
_EXTERNAL = re.compile(r"""\s(src|href)\s*=\s*(["'])\s*(?:https?:)?//[^"']*\2""", re.I)


def _clean_html(text: str) -> str:
    """An output's HTML without scripts or references to other hosts (the page must not reach the network)."""
    return _EXTERNAL.sub(r' data-removed-\1=""', _SCRIPT.sub("", text))


def _markdown(text: str, folder: pathlib.Path) -> str:
    """A markdown cell as HTML (raw HTML shown as text); local images inlined, images from other hosts left out."""
    import mistune

    md = mistune.create_markdown(escape=True, plugins=["table", "strikethrough"])
    out = str(md(text))

    def image(m: re.Match[str]) -> str:
        src = html.unescape(m.group(2))
        attrs = (m.group(1) + m.group(3)).rstrip("/ ")
        if src.startswith("data:"):
            return m.group(0)
        if re.match(r"^(?:[a-z]+:)?//", src, re.I):
            return f"<em>[image: {html.escape(src)}]</em>"
        path = (folder / src).resolve()
        if not path.is_file():
            return f"<em>[missing image: {html.escape(src)}]</em>"
        mime = mimetypes.guess_type(path.name)[0] or "application/octet-stream"
        data = base64.b64encode(path.read_bytes()).decode()
        return f'<img{attrs} src="data:{mime};base64,{data}">'

    return re.sub(r'<img([^>]*?)\ssrc="([^"]*)"([^>]*)>', image, out)


def _code(source: str) -> str:
    try:
        from pygments import highlight
        from pygments.formatters import HtmlFormatter
        from pygments.lexers import PythonLexer
    except ImportError:  # pragma: no cover - pygments comes with IPython
        return f'<pre class="tv-gal-code">{html.escape(source)}</pre>\n'
    body = highlight(source, PythonLexer(), HtmlFormatter(nowrap=True))
    return f'<pre class="tv-gal-code">{body}</pre>\n'


def _code_css() -> str:
    try:
        from pygments.formatters import HtmlFormatter
    except ImportError:  # pragma: no cover
        return ""
    return str(HtmlFormatter().get_style_defs(".tv-gal-code"))


GALLERY_CSS = """
.tv-gal-nav { font-size: 12px; margin-bottom: 12px; }
.tv-gal-nav a { color: #0969da; }
.tv-gal-md { max-width: 90ch; }
.tv-gal-md code, .tv-gal-code { font-family: ui-monospace, "SFMono-Regular", Menlo, Consolas, monospace; }
.tv-gal-code { background: #f6f8fa; border: 1px solid #d0d7de; border-radius: 6px; padding: 8px 12px; font-size: 12px;
               overflow-x: auto; margin: 8px 0; }
.tv-gal-stream, .tv-gal-result, .tv-gal-error { font-size: 12px; margin: 4px 0 12px; padding: 4px 12px;
               white-space: pre-wrap; }
.tv-gal-error { color: #d32f2f; background: #fff5f5; }
.tv-gal-note { color: #57606a; font-size: 12px; font-style: italic; }
.tv-gal-box { display: flex; gap: 12px; align-items: flex-start; overflow-x: auto; }
.tv-gal-column { flex-direction: column; }
.tv-gal-box > .tv-gal-cell { min-width: 0; }
.tv-gal-box .tv-file { margin: 0; }
.tv-gal-box .tv-file-note { width: 0; min-width: 100%; }
.tv-gal-img { max-width: 100%; }
.tv-gal-html { overflow-x: auto; margin: 4px 0 12px; font-size: 12px; }
.tv-gal-index li { margin: 6px 0; }
"""


def _title(cells: Sequence[Cell], fallback: str) -> str:
    for c in cells:
        if c.kind == "markdown":
            m = re.search(r"^#\s+(.+)$", c.source, re.M)
            if m:
                return m.group(1).strip()
    return fallback


def render_page(
    notebook: pathlib.Path,
    cells: Sequence[Cell],
    widget_budget: int = WIDGET_BUDGET,
    page_budget: int = PAGE_BUDGET,
) -> tuple[str, dict[str, Any]]:
    """The page of one run notebook, and what it holds (title, widgets, those left out, bytes)."""
    budget = _Budget(widget_budget, page_budget)
    exported: list[Any] = []
    parts = []
    for c in cells:
        if c.kind == "markdown":
            parts.append(f'<div class="tv-gal-md">{_markdown(c.source, notebook.parent)}</div>\n')
        elif c.kind == "code" and c.source.strip():
            parts.append(_code(c.source))
            parts.extend(_output_html(o, budget, exported) for o in c.outputs)
    title = _title(cells, notebook.stem)
    head = (
        '<nav class="tv-gal-nav"><a href="index.html">← all examples</a></nav>\n'
        f'<header class="tv-file-head"><p>{html.escape(notebook.name)}, run and exported with tensorviz '
        f"{html.escape(export._version())}: the code of each cell and what it showed. This page works offline. Each "
        f"widget holds at most {export._mb(widget_budget)} of data and the page at most {export._mb(page_budget)}, so "
        "large tensors hold block-reduced copies (each widget says what it holds) and a widget beyond the page's "
        "budget is left out. Run the notebook for the live widgets.</p></header>\n"
    )
    text = export.document(title, head + "".join(parts), extra_css=GALLERY_CSS + _code_css())
    for w in exported:
        _close(w)
    info = {"title": title, "widgets": len(exported), "left_out": budget.left_out, "bytes": len(text.encode())}
    return text, info


def _close(widget: Any) -> None:
    try:
        widget.close()
    except Exception:  # already closed
        pass


def render_index(entries: Sequence[tuple[str, dict[str, Any]]]) -> str:
    items = "".join(
        f'<li><a href="{html.escape(name)}">{html.escape(info["title"])}</a> '
        f'<span class="tv-gal-note">— {info["widgets"]} widget{"s" if info["widgets"] != 1 else ""}, '
        f"{export._mb(info['bytes'])}</span></li>\n"
        for name, info in entries
    )
    body = (
        '<header class="tv-file-head"><h1>tensorviz examples</h1><p>The example notebooks, run and exported as '
        "static pages that work offline: every widget runs its own code in the page, with the data it was exported "
        "with.</p></header>\n"
        f'<ul class="tv-gal-index">\n{items}</ul>\n'
    )
    return export.document("tensorviz examples", body, extra_css=GALLERY_CSS)


def build(
    src: str | os.PathLike[str],
    out: str | os.PathLike[str],
    widget_budget: int = WIDGET_BUDGET,
    page_budget: int = PAGE_BUDGET,
    log: Any = None,
) -> list[pathlib.Path]:
    """Run every notebook in ``src`` (a folder or one ``.ipynb``) and write its page and ``index.html`` into ``out``."""
    src_path, out_path = pathlib.Path(src), pathlib.Path(out)
    notebooks = [src_path] if src_path.suffix == ".ipynb" else sorted(src_path.glob("*.ipynb"))
    if not notebooks:
        raise FileNotFoundError(f"no notebooks in {src_path}")
    out_path.mkdir(parents=True, exist_ok=True)
    shell = _shell()
    written: list[pathlib.Path] = []
    entries = []
    for nb in notebooks:
        started = time.perf_counter()
        shell.reset(new_session=False)
        cells = run_notebook(nb.resolve(), shell)
        text, info = render_page(nb, cells, widget_budget, page_budget)
        for c in cells:
            for o in c.outputs:
                if o.widget is not None:
                    _close(o.widget)
        page = out_path / f"{nb.stem}.html"
        page.write_text(text, encoding="utf-8")
        written.append(page)
        entries.append((page.name, info))
        if log is not None:
            print(
                f"{page}  {info['widgets']} widgets, {info['bytes'] / 1e6:.2f} MB, {time.perf_counter() - started:.1f} s",
                file=log,
            )
    index = out_path / "index.html"
    index.write_text(render_index(entries), encoding="utf-8")
    written.append(index)
    (out_path / "gallery.json").write_text(json.dumps(dict(entries), indent=1), encoding="utf-8")
    return written


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m tensorviz.gallery", description=__doc__.splitlines()[0])
    parser.add_argument("src", help="a folder of notebooks (or one .ipynb)")
    parser.add_argument("out", help="the folder the pages go into")
    parser.add_argument("--widget-budget", type=int, default=WIDGET_BUDGET, help="bytes of data per widget")
    parser.add_argument("--page-budget", type=int, default=PAGE_BUDGET, help="bytes of widget data per page")
    args = parser.parse_args(argv)
    out = sys.stdout
    build(args.src, args.out, args.widget_budget, args.page_budget, log=out)
    return 0


if __name__ == "__main__":
    sys.exit(main())
