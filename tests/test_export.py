"""Exported HTML files: self-contained (no URL to any host, a CSP), within their size budget, holding what they say;
and the file's JS slicer cuts the same faces as the kernel's ``cut_face`` (run through node on random requests)."""

from __future__ import annotations

import base64
import html.parser
import json
import math
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
import torch

import tensorviz as tv
from tensorviz import export
from tensorviz.animation import step_frames
from tensorviz.protocol import FaceRequest
from tensorviz.slicing import cut_face

ROOT = Path(__file__).resolve().parent.parent
STANDALONE = ROOT / "js" / "src" / "standalone"
NODE = shutil.which("node")
needs_node = pytest.mark.skipif(NODE is None, reason="node is not installed")
needs_bundle = pytest.mark.skipif(not (ROOT / "tensorviz/static/standalone.js").exists(), reason="JS not built")


# -- what a page is made of -------------------------------------------------------------------------------------------


class _Page(html.parser.HTMLParser):
    """Every tag with its attributes, and the text of each script."""

    def __init__(self) -> None:
        super().__init__()
        self.tags: list[tuple[str, dict[str, str | None]]] = []
        self.scripts: list[tuple[dict[str, str | None], str]] = []
        self._script: dict[str, str | None] | None = None

    def handle_starttag(self, tag, attrs):
        self.tags.append((tag, dict(attrs)))
        if tag == "script":
            self._script = dict(attrs)
            self.scripts.append((self._script, ""))

    def handle_data(self, data):
        if self._script is not None:
            attrs, text = self.scripts[-1]
            self.scripts[-1] = (attrs, text + data)

    def handle_endtag(self, tag):
        if tag == "script":
            self._script = None


def parse(path: Path) -> _Page:
    page = _Page()
    page.feed(path.read_text(encoding="utf-8"))
    return page


def payloads(path: Path) -> list[dict]:
    page = parse(path)
    return [json.loads(text) for attrs, text in page.scripts if attrs.get("type") == "application/json"]


def assert_self_contained(path: Path) -> None:
    page = parse(path)
    csp = [
        a.get("content") or "" for t, a in page.tags if t == "meta" and a.get("http-equiv") == "Content-Security-Policy"
    ]
    assert csp == [export.CSP], "one Content-Security-Policy meta, the export's own"
    assert "default-src 'none'" in csp[0] and "http" not in csp[0] and "*" not in csp[0]
    for tag, attrs in page.tags:
        assert tag not in ("link", "iframe", "object", "embed", "base"), f"<{tag}> in an exported file"
        for name in ("src", "href", "action", "poster", "srcset"):
            value = (attrs.get(name) or "").strip()
            assert not re.match(r"^(?:[a-z][\w+.-]*:)?//", value, re.I), f'<{tag} {name}="{value[:60]}"> reaches a host'
            assert not value.lower().startswith(("http:", "https:", "file:", "javascript:")), (
                f"{tag} {name}={value[:60]}"
            )
    scripts = [text for attrs, text in page.scripts if attrs.get("type") != "application/json"]
    assert scripts and all(not attrs.get("src") for attrs, _ in page.scripts), "scripts are inline"
    for text in scripts:
        assert export.bundle_ok(text) == []
        assert not re.search(r"@import|url\(\s*['\"]?(?:https?:)?//", text)
    for attrs, text in page.scripts:
        if attrs.get("type") != "application/json":
            continue
        assert "http://" not in text and "https://" not in text


# -- the page --------------------------------------------------------------------------------------------------------


@needs_bundle
def test_a_view_exports_as_one_self_contained_file(tmp_path):
    t = torch.randn(3, 4, 5)
    t[1, 2, 3] = math.nan
    path = tv.save_html(t, tmp_path / "t.html", dims="D R C")
    assert path == tmp_path / "t.html"
    assert_self_contained(path)
    (p,) = payloads(path)
    assert p["kind"] == "tensor-view"
    assert p["state"]["dims"] == ["D", "R", "C"]
    assert p["state"]["nonfinite"]["nan"] == 1
    assert p["nonfinite"]["indices"] == [[1, 2, 3]]
    held = p["held"]
    assert [a["mode"] for a in held["axes"]] == ["all"] * 3
    values = np.frombuffer(base64.b64decode(held["values"]), dtype="<f4").reshape(3, 4, 5)
    np.testing.assert_array_equal(values, t.numpy())
    assert "every value of the tensor" in p["summary"]


@needs_bundle
def test_the_bundle_holds_every_widget_and_reaches_no_host():
    text = export.bundle()
    assert export.bundle_ok(text) == []
    assert "tensorvizStandalone" in text and "</script" not in text
    # the same check finds what it looks for
    assert export.bundle_ok("x=fetch('a.json')") == ["a global fetch()"]
    assert export.bundle_ok("import('./chunk.js')") == ["a dynamic import()"]
    assert export.bundle_ok("s='https://cdn.example.org/x.js'")[0].startswith("a URL")
    assert export.bundle_ok("class A{fetch(t){return t}};a.fetch(1)") == []


@needs_bundle
@pytest.mark.parametrize("budget", [600_000, 1_500_000, 3_000_000, export.BUDGET])
def test_a_large_tensor_stays_within_its_budget(tmp_path, budget):
    t = torch.randn(2048, 2048)
    path = tv.save_html(t, tmp_path / "big.html", budget_bytes=budget)
    size = path.stat().st_size
    assert size <= budget
    assert size >= 0.5 * budget, "the budget is used, not wasted"
    (p,) = payloads(path)
    held = p["held"]
    k = held["axes"][0]["k"]
    assert held["axes"][0]["mode"] == "block" and held["axes"][1]["k"] == k
    assert held["held"] == [math.ceil(2048 / k)] * 2
    assert f"blocks of {k}×{k}" in p["summary"]
    assert_self_contained(path)


@needs_bundle
def test_a_tensor_that_fits_is_held_whole_and_the_budget_is_checked(tmp_path):
    t = torch.randn(1000, 1000)  # 4 MB of float32: 5.3 MB of base64 in an 8 MB file
    (p,) = payloads(tv.save_html(t, tmp_path / "fits.html"))
    assert [a["mode"] for a in p["held"]["axes"]] == ["all", "all"]
    with pytest.raises(ValueError, match="smaller than the page"):
        tv.save_html(t, tmp_path / "tiny.html", budget_bytes=10_000)
    with pytest.raises(ValueError, match="budget_bytes"):
        tv.save_html(t, tmp_path / "zero.html", budget_bytes=0)


@needs_bundle
def test_slider_axes_hold_every_kth_index_including_the_one_shown(tmp_path):
    t = torch.randn(64, 512, 512)
    view = tv.show(t, dims="D H W")
    view.index = [21, 0, 0]
    (p,) = payloads(view.save_html(tmp_path / "cube.html"))
    view.close()
    depth = p["held"]["axes"][0]
    assert depth["mode"] == "sample" and depth["k"] > 1
    assert (21 - depth["origin"]) % depth["k"] == 0, "the index shown is held"
    values = np.frombuffer(base64.b64decode(p["held"]["values"]), dtype="<f4").reshape(p["held"]["held"])
    j = (21 - depth["origin"]) // depth["k"]
    face = cut_face(t, FaceRequest((1, 2), (21, 0, 0), None), (values.shape[1], values.shape[2]))
    np.testing.assert_array_equal(values[j], face.data.reshape(face.shape))
    assert f"every {depth['k']}th index of axis 0 (D), from index {depth['origin']}" in p["summary"]


@needs_bundle
def test_an_exported_player_holds_every_step_until_the_budget_is_spent(tmp_path):
    x = torch.arange(24.0).reshape(2, 3, 4)
    with tv.trace() as tr:
        for i in range(10):
            x = x.reshape(4, -1) if i % 2 == 0 else x.reshape(2, 3, 4)
    path = tv.save_html(tr, tmp_path / "player.html")
    assert_self_contained(path)
    (p,) = payloads(path)
    assert p["kind"] == "op-player" and len(p["steps"]) == 10 and all(p["steps"])
    want = step_frames(tr.steps[3])
    assert p["steps"][3]["meta"] == json.loads(json.dumps(want.meta))
    assert base64.b64decode(p["steps"][3]["buffers"][0]) == want.buffers[0].tobytes()
    assert all("/" not in s["source"]["file"] for s in p["state"]["timeline"] if s.get("source")), "no user's paths"
    # a budget that holds only some steps: the rest are left out and say so
    small = len(path.read_text()) - len(json.dumps(p["steps"][5:]))
    (q,) = payloads(tr.player().save_html(tmp_path / "some.html", budget_bytes=small))
    kept = sum(1 for s in q["steps"] if s)
    assert 0 < kept < 10 and not any(q["steps"][kept:])
    assert f"steps {kept}–9 were left out" in q["summary"]
    assert "{step}" in q["left_out"] and "larger budget_bytes" in q["left_out"]
    # a player that opens on a late step (a failing one, say) holds that step first
    late = tr.player(start=9)
    (r,) = payloads(late.save_html(tmp_path / "late.html", budget_bytes=small))
    late.close()
    assert r["steps"][9] is not None and r["steps"][0] is not None and r["steps"][kept - 1] is None
    assert f"holds steps 0–{kept - 2}, 9 of 10" in r["summary"]


@needs_bundle
def test_an_exported_memory_monitor_keeps_its_figures_and_their_bytes(tmp_path):
    snap = tv.synthetic_snapshot(2000, seed=0)
    monitor = tv.memory(replay=snap)
    path = tv.save_html(monitor, tmp_path / "mem.html")
    monitor.close()
    assert_self_contained(path)
    (p,) = payloads(path)
    assert p["kind"] == "memory-monitor"
    series = p["state"]["replay"]["series"][0]
    raw = base64.b64decode(series["allocated_max"][export.BYTES_MARKER])
    assert raw == monitor.replay["series"][0]["allocated_max"]
    assert "buttons need the kernel" in p["summary"]


def test_what_cannot_be_exported_says_so(tmp_path):
    with pytest.raises(TypeError):
        tv.save_html(object(), tmp_path / "x.html")
    with pytest.raises(TypeError, match="save_html exports"):
        export.payload_of(object(), 1000)


@needs_bundle
def test_a_view_still_counting_nan_counts_before_it_exports(tmp_path, monkeypatch):
    from tensorviz.widgets import tensor_view

    monkeypatch.setattr(tensor_view, "SCAN_INLINE", 10)  # every tensor counted in the background
    t = torch.zeros(50, 50)
    t[7, 9] = math.inf
    view = tv.show(t)
    view.nonfinite = {"state": "checking", "elements": t.numel()}  # as if the background count had not finished
    (p,) = payloads(view.save_html(tmp_path / "c.html"))
    view.close()
    assert p["state"]["nonfinite"]["state"] == "done" and p["state"]["nonfinite"]["posinf"] == 1
    assert p["nonfinite"]["indices"] == [[7, 9]] and p["nonfinite"]["kinds"] == ["posinf"]


# -- the file's JS slicer against the kernel's ------------------------------------------------------------------------

_DRIVER = """
import {{ readFileSync, writeFileSync }} from "node:fs";
import {{ heldFrom }} from {answers};
import {{ cutFace }} from {slicer};
const job = JSON.parse(readFileSync(process.argv[2], "utf8"));
const out = job.map(({{ held, requests }}) => {{
  const h = heldFrom(held);
  return requests.map(([req, budget]) => {{
    const {{ meta, data }} = cutFace(h, req, budget);
    return {{ meta, data: data ? Buffer.from(data.buffer, data.byteOffset, data.byteLength).toString("base64") : null }};
  }});
}});
writeFileSync(process.argv[3], JSON.stringify(out));
"""


def run_js_slicer(tmp_path: Path, job: list[dict]) -> list[list[dict]]:
    driver = tmp_path / "driver.mjs"
    driver.write_text(
        _DRIVER.format(
            answers=json.dumps((STANDALONE / "answers.js").as_uri()),
            slicer=json.dumps((STANDALONE / "slicer.js").as_uri()),
        )
    )
    (tmp_path / "job.json").write_text(json.dumps(job))
    subprocess.run([NODE, str(driver), str(tmp_path / "job.json"), str(tmp_path / "out.json")], check=True, timeout=120)
    return json.loads((tmp_path / "out.json").read_text())


DTYPES = [
    torch.float32,
    torch.float64,
    torch.float16,
    torch.bfloat16,
    torch.int8,
    torch.int16,
    torch.int32,
    torch.int64,
    torch.uint8,
    torch.bool,
    torch.complex64,
]


def random_tensor(rng: np.random.Generator, dtype: torch.dtype, shape: tuple[int, ...]) -> torch.Tensor:
    n = math.prod(shape)
    if dtype == torch.bool:
        return torch.from_numpy(rng.random(n) < 0.3).reshape(shape)
    if dtype.is_complex:
        t = torch.complex(torch.from_numpy(rng.normal(size=n)).float(), torch.from_numpy(rng.normal(size=n)).float())
        if n > 2:
            t[rng.integers(n)] = complex(math.nan, 0.0)
        return t.reshape(shape)
    if dtype.is_floating_point:
        x = torch.from_numpy(rng.normal(scale=3, size=n)).to(dtype)
        for value in (math.nan, math.inf, -math.inf):
            if n > 3 and rng.random() < 0.7:
                x[rng.integers(n)] = value
        return x.reshape(shape)
    info = torch.iinfo(dtype)
    x = torch.from_numpy(rng.integers(max(info.min, -1000), min(info.max, 1000), size=n, endpoint=True)).to(dtype)
    if n > 2:  # the extremes, where negating overflows
        x[rng.integers(n)] = info.min
        x[rng.integers(n)] = info.max
    return x.reshape(shape)


def random_request(rng: np.random.Generator, shape: tuple[int, ...]) -> tuple[FaceRequest, tuple[int, int]]:
    rank = len(shape)
    axes = [] if rank == 0 else [0] if rank == 1 else [int(a) for a in rng.choice(rank, size=2, replace=False)]
    index = [int(rng.integers(n)) for n in shape]
    rows, cols = (1, 1) if rank == 0 else (1, shape[0]) if rank == 1 else (shape[axes[0]], shape[axes[1]])
    window = None
    if rng.random() < 0.6:
        r0 = int(rng.integers(rows))
        c0 = int(rng.integers(cols))
        window = (r0, int(rng.integers(r0 + 1, rows + 1)), c0, int(rng.integers(c0 + 1, cols + 1)))
    return FaceRequest(tuple(axes), tuple(index), window), (int(rng.integers(1, 8)), int(rng.integers(1, 8)))


def request_json(req: FaceRequest, budget: tuple[int, int]) -> list:
    return [
        {"axes": list(req.axes), "index": list(req.index), "window": list(req.window) if req.window else None},
        list(budget),
    ]


KEYS = ("axes", "index", "window", "extent", "shape", "step", "sample", "encoding", "error")
WIRE = {
    "bool": "u1",
    "uint8": "u1",
    "int8": "i1",
    "int16": "<i2",
    "int32": "<i4",
    "int64": "<i8",
    "float32": "<f4",
    "float64": "<f8",
    "complex64": "<c8",
    "complex128": "<c16",
}


def same_values(got_b64: str | None, want, where: str) -> None:
    """The values sent are the same numbers (NaN equal to NaN: its bits are no part of what the widget shows)."""
    got = np.frombuffer(base64.b64decode(got_b64 or ""), dtype=WIRE[want.encoding])
    expected = np.frombuffer(bytes(want.buffer()), dtype=WIRE[want.encoding])
    assert got.shape == expected.shape, where
    assert np.array_equal(got, expected, equal_nan=expected.dtype.kind in "fc"), f"{where}: {got} != {expected}"


@needs_node
def test_the_js_slicer_cuts_what_the_kernel_cuts(tmp_path):
    """Random tensors (every wire encoding, NaN and ±inf, integer extremes, transposed views) held whole by an export,
    random faces (axes in either order, windows, budgets that reduce): the file answers byte for byte as cut_face."""
    rng = np.random.default_rng(7)
    cases, truth = [], []
    for n in range(70):
        dtype = DTYPES[n % len(DTYPES)]
        rank = int(rng.integers(0, 5))
        shape = tuple(int(rng.integers(1, 10 if rank <= 2 else 6)) for _ in range(rank))
        t = random_tensor(rng, dtype, shape)
        if rank >= 2 and rng.random() < 0.3:
            t = t.transpose(0, -1)  # a non-contiguous view
            shape = tuple(t.shape)
        payload = export.tensor_view_payload(t, {"face_axes": None}, known=None, budget_bytes=1_000_000)
        assert all(a["mode"] == "all" for a in payload["held"]["axes"])
        requests = [random_request(rng, shape) for _ in range(12)]
        cases.append({"held": payload["held"], "requests": [request_json(r, b) for r, b in requests]})
        truth.append([(t, r, b) for r, b in requests])
    answers = run_js_slicer(tmp_path, cases)
    compared = 0
    for case_truth, case_answers in zip(truth, answers, strict=True):
        for (t, req, budget), got in zip(case_truth, case_answers, strict=True):
            want = cut_face(t, req, budget)
            where = f"{t.dtype} {tuple(t.shape)} {req} budget {budget}"
            assert {k: got["meta"][k] for k in KEYS} == json.loads(json.dumps(want.meta())), where
            assert "note" not in got["meta"], where
            same_values(got["data"], want, where)
            compared += 1
    assert compared == 70 * 12


@needs_node
def test_a_reduced_copy_answers_aligned_faces_as_the_kernel_and_finer_ones_with_what_it_holds(tmp_path):
    rng = np.random.default_rng(3)
    t = random_tensor(rng, torch.float32, (6, 40, 52))
    payload = export.tensor_view_payload(t, {"face_axes": [1, 2], "index": [2, 0, 0]}, known=None, budget_bytes=6000)
    holds = payload["held"]["axes"]
    assert holds[0]["mode"] == "sample" and holds[1]["mode"] == holds[2]["mode"] == "block"
    k0, kr, kc = holds[0]["k"], holds[1]["k"], holds[2]["k"]
    held_depths = list(range(holds[0]["origin"], 6, k0))
    aligned, finer = [], []
    while len(aligned) < 40 or len(finer) < 20:
        depth = int(rng.choice(held_depths))
        r0 = int(rng.integers(0, 40 // kr)) * kr
        r1 = min(40, r0 + int(rng.integers(1, 6)) * kr)
        c0 = int(rng.integers(0, 52 // kc)) * kc
        c1 = min(52, c0 + int(rng.integers(1, 6)) * kc)
        budget = (int(rng.integers(1, 8)), int(rng.integers(1, 8)))
        req = FaceRequest((1, 2), (depth, 0, 0), (r0, r1, c0, c1))
        steps = [math.ceil((r1 - r0) / budget[0]), math.ceil((c1 - c0) / budget[1])]
        if steps[0] % kr == 0 and steps[1] % kc == 0:
            aligned.append((req, budget))
        # a zoom finer than the copy, anywhere (not on block edges)
        r0, c0 = int(rng.integers(0, 39)), int(rng.integers(0, 51))
        r1, c1 = min(40, r0 + int(rng.integers(1, 2 * kr))), min(52, c0 + int(rng.integers(1, 2 * kc)))
        finer.append((FaceRequest((1, 2), (depth, 0, 0), (r0, r1, c0, c1)), (64, 64)))
    answers = run_js_slicer(
        tmp_path, [{"held": payload["held"], "requests": [request_json(r, b) for r, b in aligned + finer]}]
    )[0]
    for (req, budget), got in zip(aligned, answers[: len(aligned)], strict=True):
        want = cut_face(t, req, budget)
        assert {k: got["meta"][k] for k in KEYS} == json.loads(json.dumps(want.meta())), (req, budget)
        same_values(got["data"], want, f"{req} {budget}")
    for (req, budget), got in zip(finer, answers[len(aligned) :], strict=True):
        assert got["meta"]["step"] == [kr, kc], (req, budget)
        r0, r1, c0, c1 = req.window
        assert got["meta"]["window"] == [
            r0 // kr * kr,
            min(40, -(-r1 // kr) * kr),
            c0 // kc * kc,
            min(52, -(-c1 // kc) * kc),
        ]
        assert any(f"holds blocks of {kr}×{kc} here" in n for n in got["meta"]["note"])
        # each cell is the kernel's block of the copy's resolution
        r0, r1, c0, c1 = got["meta"]["window"]
        want = cut_face(
            t, FaceRequest((1, 2), req.index, (r0, r1, c0, c1)), (math.ceil((r1 - r0) / kr), math.ceil((c1 - c0) / kc))
        )
        same_values(got["data"], want, f"{req} {budget}")


# -- the gallery -------------------------------------------------------------------------------------------------------


def write_notebook(path: Path, cells: list[tuple[str, str]]) -> None:
    import nbformat

    nb = nbformat.v4.new_notebook()
    nb.cells = [nbformat.v4.new_markdown_cell(s) if k == "md" else nbformat.v4.new_code_cell(s) for k, s in cells]
    nbformat.write(nb, str(path))


GALLERY_CELLS = [
    (
        "md",
        "# A small lesson\n\nSome *markdown* with `code`, a table and <b>raw html</b>.\n\n| a | b |\n|---|---|\n| 1 | 2 |",
    ),
    ("code", "import torch\nimport tensorviz as tv\nfrom ipywidgets import HBox\nprint('hello from a cell')"),
    ("code", "t = torch.arange(24.0).reshape(2, 3, 4)\ntv.show(t, dims='D R C')"),
    ("code", "with tv.trace() as tr:\n    y = t.reshape(4, -1).T\ntr"),
    ("code", "HBox([tv.show(torch.zeros(2, 2)), tv.show(torch.ones(3))])"),
    (
        "code",
        "from IPython.display import HTML, display\ndisplay(HTML('<table><tr><td>log row</td></tr></table>'))\n6 * 7",
    ),
    ("code", "raise ValueError('a cell that fails')"),
    ("code", "tv.show(torch.randn(300, 300))"),
]


@needs_bundle
def test_the_gallery_runs_a_notebook_and_writes_its_page_and_an_index(tmp_path):
    src = tmp_path / "nb"
    src.mkdir()
    write_notebook(src / "lesson.ipynb", GALLERY_CELLS)
    out = tmp_path / "site"
    run = subprocess.run(
        [sys.executable, "-m", "tensorviz.gallery", str(src), str(out), "--widget-budget", "200000"],
        capture_output=True,
        text=True,
        timeout=300,
        cwd=tmp_path,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
    )
    assert run.returncode == 0, run.stderr
    page = out / "lesson.html"
    assert_self_contained(page)
    assert_self_contained(out / "index.html")
    text = page.read_text()
    assert "<h1>A small lesson</h1>" in text and "<em>markdown</em>" in text and "<td>1</td>" in text
    assert "&lt;b&gt;raw html&lt;/b&gt;" in text, "raw HTML in markdown is shown, not run"
    assert "hello from a cell" in text and "log row" in text and "42" in text
    assert "ValueError" in text and "a cell that fails" in text
    kinds = [p["kind"] for p in payloads(page)]
    assert kinds == ["tensor-view", "op-player", "tensor-view", "tensor-view", "tensor-view"], "every widget, in order"
    assert text.count("tensorvizStandalone") == 1, "the bundle once per page"
    big = payloads(page)[-1]
    assert any(a["mode"] == "block" for a in big["held"]["axes"]), "the gallery's smaller budget reduces it"
    assert "at most 0.2 MB of data" in text
    assert 'href="lesson.html"' in (out / "index.html").read_text()


@needs_bundle
def test_a_gallery_page_keeps_to_its_budget_and_says_what_it_left_out(tmp_path):
    from tensorviz.gallery import Cell, Output, render_page

    views = [tv.show(torch.randn(300, 300)) for _ in range(3)]
    cells = [Cell("code", f"tv.show(x{i})", [Output("widget", widget=v)]) for i, v in enumerate(views)]
    text, info = render_page(tmp_path / "page.ipynb", cells, widget_budget=200_000, page_budget=150_000)
    (tmp_path / "page.html").write_text(text)
    assert info["widgets"] == 1 and info["left_out"] == 2
    assert text.count('data-role="left-out"') == 2 and "left out here" in text
    assert len(export.dumps(payloads(tmp_path / "page.html")[0])) <= 150_000
    assert views[0].tensor is None, "the page closes the widgets it exported"
    for v in views[1:]:
        v.close()


def test_gallery_markdown_inlines_local_images_and_leaves_out_remote_ones(tmp_path):
    from tensorviz.gallery import _markdown

    (tmp_path / "images").mkdir()
    png = base64.b64decode(
        "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR4nGNgYGD4DwABBAEAwS2OUAAAAABJRU5ErkJggg=="
    )
    (tmp_path / "images" / "dot.png").write_bytes(png)
    out = _markdown("![a dot](images/dot.png) ![remote](https://example.org/x.png) <script>alert(1)</script>", tmp_path)
    assert f'src="data:image/png;base64,{base64.b64encode(png).decode()}"' in out and 'alt="a dot"' in out
    assert "example.org" in out and 'src="https' not in out
    assert "<script>" not in out
