"""Saving what a view shows, in a real JupyterLab page: the `Save PNG` / `Save SVG` buttons of a TensorView, the op
player's `Save WebM` / `Save GIF`, and the same files asked for from Python (`view.save_png(path)` and the like).

Downloads are caught as a user's browser would save them; the files are decoded here (Pillow for PNG and GIF, the
XML parser for SVG, the EBML structure for WebM) and compared with what the page shows: sizes against the picture's
CSS size, cell colors against the reference colormap (pixels.Reference) at cells found by hovering them, axis labels
as text. The exported files are kept under tests/browser/screenshots/ for a look.
"""

from __future__ import annotations

import io
import re
import struct
import xml.etree.ElementTree as ET
from pathlib import Path

import lab
import numpy as np
import pixels
import pytest
from PIL import Image

PLAYER = '.tensorviz[data-widget="op-player"]'
SVG = "{http://www.w3.org/2000/svg}"


def keep(name: str, data: bytes) -> Path:
    """Keep an exported file beside the screenshots (to look at)."""
    lab.SCREENSHOT_DIR.mkdir(parents=True, exist_ok=True)
    path = lab.SCREENSHOT_DIR / name
    path.write_bytes(data)
    return path


def click_download(page, button) -> tuple[str, bytes]:
    """Click a save button like a user and return the downloaded file's suggested name and bytes."""
    with page.expect_download(timeout=60_000) as info:
        button.click()
    dl = info.value
    path = dl.path()
    assert path, f"the download of {dl.suggested_filename} failed: {dl.failure()}"
    return dl.suggested_filename, Path(path).read_bytes()


def rgb_of_png(data: bytes) -> np.ndarray:
    with Image.open(io.BytesIO(data)) as im:
        assert im.format == "PNG"
        return np.asarray(im.convert("RGB"), dtype=np.uint8).copy()


def hex_rgb(color: str) -> tuple[int, int, int]:
    m = re.fullmatch(r"#([0-9a-f]{2})([0-9a-f]{2})([0-9a-f]{2})", color.strip().lower())
    assert m, color
    return tuple(int(g, 16) for g in m.groups())  # type: ignore[return-value]


def picture_cells(page, root, rank: int):
    """Every value cell of the picture: index -> (value, point inside it in picture CSS px), found by hovering."""
    pic = root.locator(".tv-picture")
    pic.scroll_into_view_if_needed()
    box = pic.bounding_box()
    scan = pixels.hover_scan(page, root, rank)
    cells = {}
    for c in pixels.cell_points(scan):
        cells[c.hit.index] = (c.hit.value, (c.x - box["x"], c.y - box["y"]))
    return cells


def label_box(root, axis: int, box) -> tuple[float, float, float, float]:
    """The axis label's box in picture CSS px."""
    b = root.locator(f'.tv-picture [data-axis="{axis}"]').first.bounding_box()
    return b["x"] - box["x"], b["y"] - box["y"], b["width"], b["height"]


def near_color(img: np.ndarray, region, scale: float, rgb, tol: int = 40) -> int:
    """How many pixels of ``img`` inside a picture-px region are within ``tol`` of a color."""
    x, y, w, h = region
    crop = img[int(y * scale) : int((y + h) * scale) + 1, int(x * scale) : int((x + w) * scale) + 1].astype(int)
    return int((np.abs(crop - np.array(rgb)).max(axis=2) <= tol).sum())


def ebml_elements(data: bytes, start: int, end: int):
    """(id, data start, size) of the EBML elements between start and end (unknown sizes run to the end)."""
    pos = start
    while pos < end:
        first = data[pos]
        n = 1
        while n <= 4 and not first & (0x80 >> (n - 1)):
            n += 1
        eid = int.from_bytes(data[pos : pos + n], "big")
        pos += n
        first = data[pos]
        m = 1
        while not first & (0x80 >> (m - 1)):
            m += 1
        size = first & (0xFF >> m)
        for b in data[pos + 1 : pos + m]:
            size = size * 256 + b
        unknown = size == (1 << (7 * m)) - 1
        pos += m
        yield eid, pos, (end - pos if unknown else size)
        if unknown:
            return
        pos += size


def webm_facts(data: bytes) -> dict:
    """DocType, duration (seconds, when the file states it) and the number of clusters of a WebM file."""
    top = list(ebml_elements(data, 0, len(data)))
    assert top[0][0] == 0x1A45DFA3, "starts with an EBML header"
    facts = {"doctype": None, "duration": None, "clusters": 0, "blocks": 0}
    _, at, size = top[0]
    for cid, cat, csize in ebml_elements(data, at, at + size):
        if cid == 0x4282:
            facts["doctype"] = data[cat : cat + csize].decode()
    seg = next(e for e in top if e[0] == 0x18538067)
    scale = 1_000_000
    for cid, cat, csize in ebml_elements(data, seg[1], seg[1] + seg[2]):
        if cid == 0x1549A966:  # Info
            for iid, iat, isize in ebml_elements(data, cat, cat + csize):
                if iid == 0x2AD7B1:
                    scale = int.from_bytes(data[iat : iat + isize], "big")
                elif iid == 0x4489:
                    fmt = ">d" if isize == 8 else ">f"
                    facts["duration"] = struct.unpack(fmt, data[iat : iat + isize])[0] * scale / 1e9
        elif cid == 0x1F43B675:  # Cluster
            facts["clusters"] += 1
            for bid, _, _ in ebml_elements(data, cat, cat + csize):
                facts["blocks"] += bid in (0xA3, 0xA0)
    return facts


@pytest.fixture(scope="module")
def nb(page):
    return lab.open_with_tensorviz(page, "image_export.ipynb")


# -- TensorView ----------------------------------------------------------------------------------------------------


def test_save_png_downloads_the_whole_picture_at_twice_its_size_in_the_colormap_colors(page, nb):
    out = lab.run_cell(page, "m = torch.arange(12.).reshape(3, 4) - 5.5\nvm = tv.show(m, dims='R C')\nvm")
    root = lab.find_widget(out)
    lab.wait_ready(root)
    button = root.locator('button[aria-label="Save PNG"]')
    assert button.is_visible() and button.is_enabled()
    box = root.locator(".tv-picture").bounding_box()
    cells = picture_cells(page, root, rank=2)
    assert sorted(cells) == [(r, c) for r in range(3) for c in range(4)], sorted(cells)
    name, data = click_download(page, button)
    assert name.endswith(".png") and "3x4" in name, name
    keep("export-matrix.png", data)
    img = rgb_of_png(data)
    # 2× the picture as the user sees it (its CSS size)
    assert (img.shape[1], img.shape[0]) == (round(box["width"] * 2), round(box["height"] * 2)), (img.shape, box)
    ref = pixels.Reference.for_range(-5.5, 5.5)
    for idx, (value, (x, y)) in cells.items():
        got = pixels.color_at(img, x * 2, y * 2, size=9)
        want = ref.color(value)
        assert pixels.max_diff(got, want) <= 6, f"cell {idx} ({value}) saved as {got}, expected {want}"
    # the axis labels are in the file: their text's color where the page shows them
    for axis, color in ((0, (0xE0, 0x66, 0x3A)), (1, (0x2F, 0x8F, 0xD8))):
        n = near_color(img, label_box(root, axis, box), 2, color)
        assert n >= 40, f"axis {axis}'s label: {n} pixels in its color where the page shows it"
    # and the status says what was saved
    assert "saved" in root.locator(".tv-export-status").inner_text()


def test_save_svg_writes_cells_as_rects_and_labels_as_text_with_nothing_outside(page, nb):
    out = lab.run_cell(page, "c = torch.arange(24.).reshape(2, 3, 4)\nvc = tv.show(c, dims='D R C')\nvc")
    root = lab.find_widget(out)
    lab.wait_ready(root)
    root.locator(".tv-picture").scroll_into_view_if_needed()
    lab.screenshot(root, "export-cube-page")
    # by keyboard: Tab from Save PNG reaches Save SVG, Enter saves
    root.locator('button[aria-label="Save PNG"]').focus()
    page.keyboard.press("Tab")
    focused = page.evaluate("document.activeElement && document.activeElement.getAttribute('aria-label')")
    assert focused == "Save SVG", focused
    with page.expect_download(timeout=60_000) as info:
        page.keyboard.press("Enter")
    name, data = info.value.suggested_filename, Path(info.value.path()).read_bytes()
    assert name.endswith(".svg"), name
    keep("export-cube.svg", data)
    text = data.decode("utf-8")
    tree = ET.fromstring(data)
    assert tree.tag == f"{SVG}svg"
    box = root.locator(".tv-picture").bounding_box()
    assert (float(tree.get("width")), float(tree.get("height"))) == (round(box["width"]), round(box["height"]))
    # cells: the front face (3 × 4), the top (depth × columns: 2 × 4) and the side (depth × rows: 2 × 3)
    faces = {g.get("data-face"): g for g in tree.iter(f"{SVG}g") if g.get("data-face")}
    assert set(faces) == {"front", "top", "side"}, set(faces)
    counts = {k: len([r for r in g.iter(f"{SVG}rect") if not r.get("fill-opacity")]) for k, g in faces.items()}
    assert counts == {"front": 12, "top": 8, "side": 6}, counts
    # the front face's cells in the colormap's colors of c[0] (row y, column x of the face)
    ref = pixels.Reference.for_range(0.0, 23.0)
    for r in faces["front"].iter(f"{SVG}rect"):
        if r.get("fill-opacity"):
            continue
        i, j = int(float(r.get("y"))), int(float(r.get("x")))
        want = ref.color(float(i * 4 + j))
        assert pixels.max_diff(hex_rgb(r.get("fill")), want) <= 4, (i, j, r.get("fill"), want)
    # axis labels and ticks are text
    texts = [t.text or "" for t in tree.iter(f"{SVG}text")]
    for label in ("axis 0 · D · 2", "axis 1 · R · 3", "axis 2 · C · 4"):
        assert label in texts, (label, texts)
    # nothing refers outside the file
    assert "url(" not in text and "@import" not in text
    for el in tree.iter():
        for key, value in el.attrib.items():
            if key.endswith("href"):
                assert value.startswith("data:image/png;base64,"), (key, value[:40])
    assert re.findall(r"https?://[^\"'\s]+", text) == ["http://www.w3.org/2000/svg"]
    # the browser draws the file: its front face's first cell in the colormap's color of 0
    shot = page.context.new_page()
    try:
        shot.set_content(f"<html><body style='margin:0'>{text.split('?>', 1)[1]}</body></html>")
        png = shot.locator("svg").screenshot()
    finally:
        shot.close()
    keep("export-cube-svg-rendered.png", png)


def test_the_svg_keeps_nan_and_infinity_marked_as_the_picture_does(page, nb):
    # 16 x 16 values with many digits: the cells are large but the values are not written out, so the picture
    # marks NaN and the infinities with glyphs; the file must not lose them (a NaN cell alone is only a color)
    code = (
        "s = torch.linspace(-1, 1, 256).reshape(16, 16) * 0.987654321\n"
        "s[2, 3] = float('nan'); s[7, 7] = float('inf'); s[12, 1] = float('-inf')\n"
        "vs = tv.show(s)\nvs"
    )
    root = lab.find_widget(lab.run_cell(page, code))
    lab.wait_ready(root)
    root.locator(".tv-picture").scroll_into_view_if_needed()
    name, data = click_download(page, root.locator('button[aria-label="Save SVG"]'))
    assert name.endswith(".svg"), name
    keep("export-specials.svg", data)
    tree = ET.fromstring(data)
    glyphs = {}
    for t in tree.iter(f"{SVG}text"):
        if t.text in ("NaN", "+∞", "−∞"):
            glyphs[t.text] = (float(t.get("x")), float(t.get("y")))
    assert set(glyphs) == {"NaN", "+∞", "−∞"}, [t.text for t in tree.iter(f"{SVG}text")]
    # each glyph sits on its cell: the face's cells are rects at (column, row) in a group scaled to the picture
    face = next(g for g in tree.iter(f"{SVG}g") if g.get("data-face"))
    a, b, c, d, x0, y0 = (float(v) for v in re.findall(r"-?[\d.]+", face.get("transform")))
    assert b == c == 0 and a == d, face.get("transform")
    pitch = a
    assert pitch > 17, f"cells of {pitch:.1f} px in the file: too small for glyphs"
    for text, (row, col) in (("NaN", (2, 3)), ("+∞", (7, 7)), ("−∞", (12, 1))):
        gx, gy = glyphs[text]
        assert abs(gx - (x0 + (col + 0.5) * pitch)) < pitch / 2 and abs(gy - (y0 + (row + 0.5) * pitch)) < pitch / 2, (
            text,
            (gx, gy),
            (x0, y0, pitch),
        )


def test_a_large_face_is_one_embedded_image_in_the_svg_and_sharp_in_the_png(page, nb):
    out = lab.run_cell(page, "big = torch.linspace(-1, 1, 300 * 300).reshape(300, 300)\nvb = tv.show(big)\nvb")
    root = lab.find_widget(out)
    lab.wait_ready(root)
    _, data = click_download(page, root.locator('button[aria-label="Save SVG"]'))
    keep("export-large.svg", data)
    tree = ET.fromstring(data)
    images = list(tree.iter(f"{SVG}image"))
    assert len(images) == 1 and images[0].get("href").startswith("data:image/png;base64,")
    assert "embedded as a PNG image" in (tree.find(f"{SVG}desc").text or "")
    assert len(list(tree.iter(f"{SVG}rect"))) < 20
    _, png = click_download(page, root.locator('button[aria-label="Save PNG"]'))
    keep("export-large.png", png)
    assert len(png) > 20_000


# -- the op player ---------------------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def player(page, nb):
    out = lab.run_cell(
        page,
        "x = torch.arange(24.).reshape(2, 3, 4) - 11.5\n"
        "with tv.trace(dims={x: 'D R C'}) as tr:\n"
        "    y = x.reshape(4, -1)\n"
        "    z = y.t()\n"
        "tr",
    )
    root = lab.find_widget(out, PLAYER)
    lab.wait_ready(root)
    return root


def scrub(root, value: float) -> None:
    rng = root.locator('input[type="range"]').first
    rng.evaluate("(el, v) => { el.value = String(v); el.dispatchEvent(new Event('input', {bubbles: true})); }", value)


_DECODE_VIDEO_JS = """async ([b64, at]) => {
  const bytes = Uint8Array.from(atob(b64), (c) => c.charCodeAt(0));
  const v = document.createElement('video');
  v.muted = true;
  v.src = URL.createObjectURL(new Blob([bytes], {type: 'video/webm'}));
  await new Promise((ok, bad) => { v.onloadeddata = ok; v.onerror = () => bad(new Error('the browser cannot play it')); });
  const c = document.createElement('canvas');
  c.width = v.videoWidth; c.height = v.videoHeight;
  const ctx = c.getContext('2d');
  const frames = [];
  for (const t of at) {
    v.currentTime = Math.min(t, v.duration - 0.001);
    await new Promise((ok) => { v.onseeked = ok; });
    ctx.drawImage(v, 0, 0);
    frames.push(c.toDataURL('image/png'));
  }
  return {duration: v.duration, width: v.videoWidth, height: v.videoHeight, frames};
}"""


def decode_video(page, data: bytes, times: list[float]) -> dict:
    """Play a video in the page's own decoder: its duration, size and the frames at ``times`` (as RGB arrays)."""
    import base64

    got = page.evaluate(_DECODE_VIDEO_JS, [base64.b64encode(data).decode(), times])
    got["frames"] = [rgb_of_png(base64.b64decode(u.split(",", 1)[1])) for u in got["frames"]]
    return got


def output_cells(page, root):
    """The output cells of the step shown at its end: index -> point inside, in stage CSS px (found by hovering)."""
    stage = root.locator(".tv-stage")
    scrub(root, 0.999)
    page.wait_for_timeout(100)
    sbox = stage.bounding_box()
    scan = pixels.hover_scan(
        page, root, 2, region=sbox, parse=lambda t, r: pixels.parse_cell(t, r) if "output" in t else None
    )
    outs = {c.hit.index: (c.x - sbox["x"], c.y - sbox["y"]) for c in pixels.cell_points(scan)}
    assert sorted(outs) == [(r, c) for r in range(4) for c in range(6)], sorted(outs)
    scrub(root, 0)
    return outs, sbox


def test_save_webm_holds_every_frame_of_the_step_and_ends_on_torchs_result(page, nb, player):
    root = player
    outs, sbox = output_cells(page, root)
    button = root.locator('button[aria-label="Save WebM"]')
    assert button.is_enabled(), button.get_attribute("title")
    name, data = click_download(page, button)
    assert name.endswith(".webm") and "reshape" in name, name
    keep("export-reshape.webm", data)
    facts = webm_facts(data)
    assert facts["doctype"] == "webm"
    assert len(data) > 10_000, len(data)
    assert facts["duration"] is not None and abs(facts["duration"] - 2.4) < 0.1, facts
    assert facts["blocks"] == 73, facts  # 2.4 s at 30 frames a second, both ends shown: no frame dropped
    # the browser plays it: at 2x the stage, the last frame shows the output in the colormap's colors of torch's result
    video = decode_video(page, data, [0.0, 1.2, 2.39])
    assert abs(video["duration"] - 2.4) < 0.1, video["duration"]
    assert (video["width"], video["height"]) == (round(sbox["width"] * 2), round(sbox["height"] * 2)), video
    first, mid, last = video["frames"]
    keep("export-reshape-webm-mid.png", _png(mid))
    keep("export-reshape-webm-last.png", _png(last))
    truth = np.arange(24.0).reshape(4, 6) - 11.5
    ref = pixels.Reference.for_range(-11.5, 11.5)
    palette = {float(v): ref.color(v) for v in truth.ravel()}
    for idx, (x, y) in outs.items():
        # lossy video (4:2:0, VP8): each cell's color is near its value's and nearer to it than to any other value's
        got = np.asarray(
            last[int(y * 2) - 2 : int(y * 2) + 3, int(x * 2) - 2 : int(x * 2) + 3].reshape(-1, 3).mean(axis=0)
        )
        want = ref.color(truth[idx])
        assert pixels.max_diff(got, want) <= 20, (
            f"output cell {idx} in the video's last frame is {got}, expected {want}"
        )
        nearest = min(palette, key=lambda v: float(np.abs(got - np.array(palette[v])).sum()))
        assert nearest == truth[idx], f"output cell {idx} looks like {nearest}, not {truth[idx]}"
        # and at the first frame the output is not there yet: its places are empty (the theme's light grey)
        empty = pixels.color_at(first, x * 2, y * 2, size=5)
        assert pixels.max_diff(empty, (238, 238, 238)) <= 8, f"output cell {idx} at the first frame is {empty}"
    # the player is back where it was
    assert root.get_attribute("data-step") == "0"


def test_without_webcodecs_the_webm_is_recorded_live_and_still_states_its_duration(page, nb, player):
    root = player
    scrub(root, 0)
    page.evaluate("() => { window.__tvVideoEncoder = window.VideoEncoder; delete window.VideoEncoder; }")
    try:
        assert page.evaluate("typeof VideoEncoder") == "undefined"
        _, data = click_download(page, root.locator('button[aria-label="Save WebM"]'))
    finally:
        page.evaluate("() => { window.VideoEncoder = window.__tvVideoEncoder; }")
    keep("export-reshape-recorded.webm", data)
    facts = webm_facts(data)
    assert facts["doctype"] == "webm" and len(data) > 5_000, facts
    # MediaRecorder writes no duration; the file gets one (players show its length and can seek)
    assert facts["duration"] is not None and abs(facts["duration"] - 2.43) < 0.2, facts
    video = decode_video(page, data, [2.3])
    assert abs(video["duration"] - 2.43) < 0.3, video["duration"]


def test_save_gif_loops_the_steps_frames_and_its_last_frame_is_torchs_result(page, nb, player):
    root = player
    outs, sbox = output_cells(page, root)
    name, data = click_download(page, root.locator('button[aria-label="Save GIF"]'))
    assert name.endswith(".gif"), name
    keep("export-reshape.gif", data)
    assert data[:6] == b"GIF89a" and data[-1:] == b"\x3b"
    with Image.open(io.BytesIO(data)) as im:
        assert im.format == "GIF"
        assert im.size == (round(sbox["width"] * 2), round(sbox["height"] * 2)), (im.size, sbox)
        assert im.n_frames >= 10, im.n_frames
        assert im.info.get("loop") == 0, im.info
        durations = []
        for k in range(im.n_frames):
            im.seek(k)
            durations.append(im.info.get("duration", 0))
        assert 2000 <= sum(durations) <= 4500, durations
        im.seek(0)
        first = np.asarray(im.convert("RGB")).copy()
        im.seek(im.n_frames - 1)
        last = np.asarray(im.convert("RGB")).copy()
    keep("export-reshape-gif-last.png", _png(last))
    assert (first != last).any(), "the animation changes"
    truth = np.arange(24.0).reshape(4, 6) - 11.5
    ref = pixels.Reference.for_range(-11.5, 11.5)
    for idx, (x, y) in outs.items():
        got = pixels.color_at(last, x * 2, y * 2, size=5)
        want = ref.color(truth[idx])
        assert pixels.max_diff(got, want) <= 8, f"output cell {idx} in the GIF's last frame is {got}, expected {want}"


def test_save_png_and_svg_of_the_player_frame(page, nb, player):
    root = player
    scrub(root, 0.5)
    page.wait_for_timeout(100)
    sbox = root.locator(".tv-stage").bounding_box()
    _, png = click_download(page, root.locator('button[aria-label="Save PNG"]'))
    keep("export-player-mid.png", png)
    img = rgb_of_png(png)
    assert (img.shape[1], img.shape[0]) == (round(sbox["width"] * 2), round(sbox["height"] * 2))
    _, svg = click_download(page, root.locator('button[aria-label="Save SVG"]'))
    keep("export-player-mid.svg", svg)
    tree = ET.fromstring(svg)
    texts = [t.text or "" for t in tree.iter(f"{SVG}text")]
    assert "reshape" in texts and any("axis 0 · D · 2" in t for t in texts), texts
    assert len(list(tree.iter(f"{SVG}rect"))) >= 24 + 24  # every cell slot, and the elements drawn
    scrub(root, 0)


# -- from Python -------------------------------------------------------------------------------------------------------


def wait_job(page, job: str, timeout: float = 60.0) -> str:
    """Ask the kernel in new cells until ``job`` is over (the reply is handled between cells); its summary."""
    deadline = page.evaluate("Date.now()") + timeout * 1000
    while True:
        text = lab.run_print(page, f"print({job}.done(), {job}.summary())")
        if text.startswith("True"):
            return text
        assert text.startswith("False"), text  # the cell failed: say why at once
        if page.evaluate("Date.now()") > deadline:
            raise AssertionError(f"{job} is not done after {timeout} s: {text}")
        page.wait_for_timeout(300)


def test_python_asks_a_displayed_view_and_a_later_cell_finds_the_file(page, nb, lab_server):
    out = lab.run_cell(page, "vp = tv.show(torch.arange(12.).reshape(3, 4) - 5.5, dims='R C')\nvp")
    root = lab.find_widget(out)
    lab.wait_ready(root)
    box = root.locator(".tv-picture").bounding_box()
    ask = lab.run_cell(page, "job = vp.save_png('from_python.png')\njob")
    assert "saving from_python.png" in lab.cell_text_output(ask) or "saved" in lab.cell_text_output(ask)
    # in the same cell it cannot wait: it says so instead of hanging
    said = lab.run_print(
        page, "try:\n    job.result()\n    print('written')\nexcept Exception as e:\n    print(type(e).__name__, e)"
    )
    assert said == "written" or "later cell" in said, said
    summary = wait_job(page, "job")
    assert "saved" in summary and "PNG" in summary, summary
    path = lab_server.root / "from_python.png"
    img = rgb_of_png(path.read_bytes())
    assert (img.shape[1], img.shape[0]) == (round(box["width"] * 2), round(box["height"] * 2))
    keep("export-from-python.png", path.read_bytes())
    # the job shown as the cell's result updated itself
    page.wait_for_function("el => /saved/.test(el.innerText)", arg=ask.element_handle(), timeout=10_000, polling=100)
    lab.screenshot(lab.cell_of(ask), "export-job-output")
    assert lab.run_print(page, "print(job.result())").endswith("from_python.png")


def test_python_saves_every_format_of_the_player_and_says_when_no_view_is_there(page, nb, player, lab_server):
    out = lab.run_cell(page, "pl = tr.player()\npl")
    lab.wait_ready(lab.find_widget(out, PLAYER))
    lab.run_cell(
        page,
        "jobs = [pl.save_png('p.png'), pl.save_svg('p.svg'), pl.save_gif('p.gif', steps='all'), pl.save_webm('p.webm')]",
    )
    for i in range(4):
        summary = wait_job(page, f"jobs[{i}]", timeout=90)
        assert "saved" in summary, summary
    files = {ext: (lab_server.root / f"p.{ext}").read_bytes() for ext in ("png", "svg", "gif", "webm")}
    assert files["png"].startswith(b"\x89PNG\r\n\x1a\n")
    assert ET.fromstring(files["svg"]).tag == f"{SVG}svg"
    with Image.open(io.BytesIO(files["gif"])) as im:
        assert im.n_frames >= 20  # both steps
    assert webm_facts(files["webm"])["doctype"] == "webm"
    keep("export-all-steps.gif", files["gif"])
    # a view never displayed cannot draw anything: said at once
    said = lab.run_print(
        page,
        "hidden = tv.show(torch.zeros(3))\ntry:\n    hidden.save_png('never.png')\nexcept Exception as e:\n"
        "    print(type(e).__name__, e)",
    )
    assert "ExportError" in said and "no view of this widget is displayed" in said, said
    assert not (lab_server.root / "never.png").exists()


def _png(rgb: np.ndarray) -> bytes:
    buf = io.BytesIO()
    Image.fromarray(rgb).save(buf, format="PNG")
    return buf.getvalue()


# -- the memory monitor ----------------------------------------------------------------------------------------------


def test_the_memory_monitor_saves_its_figures_and_timeline(page, nb, lab_server):
    out = lab.run_cell(page, "mon = tv.memory(interval=0.2)\nmon")
    root = lab.find_widget(out, '.tensorviz[data-widget="memory-monitor"]')
    lab.wait_ready(root)
    root.locator(".tv-mem-svg").wait_for(state="attached", timeout=15_000)  # two samples make a timeline
    name, data = click_download(page, root.locator('button[aria-label="Save SVG"]'))
    assert name.startswith("memory-") and name.endswith(".svg"), name
    keep("export-memory.svg", data)
    tree = ET.fromstring(data)
    texts = " ".join(t.text or "" for t in tree.iter(f"{SVG}text"))
    assert "allocated" in texts and "reserved" in texts, texts
    assert any(len((p.get("d") or "").split("L")) > 2 for p in tree.iter(f"{SVG}path")), "the timeline's lines"
    lab.run_cell(page, "mjob = mon.save_png('memory.png')")
    assert "saved" in wait_job(page, "mjob")
    img = rgb_of_png((lab_server.root / "memory.png").read_bytes())
    keep("export-memory.png", (lab_server.root / "memory.png").read_bytes())
    assert img.shape[1] >= 800, img.shape  # 2x
    lab.run_cell(page, "mon.close()")


# -- the kernel's side, without a browser --------------------------------------------------------------------------


class _FakeWidget:
    """What exports_client needs of a widget: a comm, and send (recorded)."""

    def __init__(self):
        self.comm = object()
        self.sent = []

    def send(self, content, buffers=None):
        self.sent.append(content)


def test_replies_in_parts_from_the_first_view_to_answer_are_written_whole(tmp_path):
    from tensorviz import exports_client as ec

    w = _FakeWidget()
    with pytest.raises(ec.ExportError, match="no view of this widget is displayed"):
        ec.request(w, "png", tmp_path / "a.png", {}, None, "save_png")
    assert ec.route(w, {"kind": "export", "id": "v1", "event": "open", "formats": ["png", "svg"]}, [])
    assert ec.route(w, {"kind": "export", "id": "v2", "event": "open", "formats": ["png"]}, [])
    with pytest.raises(ec.ExportError, match="cannot save gif"):
        ec.request(w, "gif", tmp_path / "a.gif", {}, None, "save_gif")
    job = ec.request(w, "png", tmp_path / "a.png", {"scale": 2}, 5, "save_png")
    rid = w.sent[-1]["id"]
    assert w.sent[-1] == {"kind": "export", "id": rid, "format": "png", "options": {"scale": 2}}
    png = _png(np.zeros((3, 5, 3), dtype=np.uint8))
    half = len(png) // 2
    reply = {"kind": "export", "id": rid, "format": "png", "error": None, "parts": 2}
    assert ec.route(w, reply | {"view": "v2", "part": 1}, [memoryview(png[half:])])
    assert not job.done()
    assert ec.route(w, reply | {"view": "v1", "part": 0}, [png[:half]])  # another view: ignored
    assert not job.done()
    assert ec.route(w, reply | {"view": "v2", "part": 0}, [png[:half]])
    assert job.done() and job.result() == tmp_path / "a.png"
    assert (tmp_path / "a.png").read_bytes() == png
    assert "PNG 5×3" in job.summary() and not any(p.name.endswith(".part") for p in tmp_path.iterdir())
    # a view's refusal, and bytes that are not the format asked for
    bad = ec.request(w, "svg", tmp_path / "b.svg", {}, 5, "save_svg")
    ec.route(w, {"kind": "export", "id": w.sent[-1]["id"], "view": "v1", "error": "the kernel is busy"}, [])
    with pytest.raises(ec.ExportError, match="the kernel is busy"):
        bad.result()
    wrong = ec.request(w, "svg", tmp_path / "c.svg", {}, 5, "save_svg")
    ec.route(w, {"kind": "export", "id": w.sent[-1]["id"], "view": "v1", "part": 0, "parts": 1}, [b"GIF89a..."])
    with pytest.raises(ec.ExportError, match="not an SVG file"):
        wrong.result()
    assert not (tmp_path / "c.svg").exists()
    # a closed view no longer counts; other messages are left to the widget
    ec.route(w, {"kind": "export", "id": "v1", "event": "closed"}, [])
    ec.route(w, {"kind": "export", "id": "v2", "event": "closed"}, [])
    assert ec.displayed_views(w) == {}
    assert not ec.route(w, {"kind": "faces", "id": "x"}, [])


def test_a_job_nobody_answers_times_out_and_a_late_answer_still_writes_the_file(tmp_path):
    from tensorviz import exports_client as ec

    w = _FakeWidget()
    ec.route(w, {"kind": "export", "id": "v", "event": "open", "formats": ["svg"]}, [])
    job = ec.request(w, "svg", tmp_path / "late.svg", {}, 0.05, "save_svg")
    seen = []
    job.add_done_callback(seen.append)
    with pytest.raises(ec.ExportError, match=re.escape("no view sent late.svg within 0.05 s")):
        job.result(timeout=5)
    assert seen == [job]
    svg = b'<?xml version="1.0"?>\n<svg xmlns="http://www.w3.org/2000/svg"/>'
    ec.route(w, {"kind": "export", "id": w.sent[-1]["id"], "view": "v", "part": 0, "parts": 1}, [svg])
    assert job.result() == tmp_path / "late.svg" and (tmp_path / "late.svg").read_bytes() == svg
    with pytest.raises(FileNotFoundError, match="does not exist"):
        ec.request(w, "svg", tmp_path / "nowhere" / "x.svg", {}, None, "save_svg")
    with pytest.raises(ValueError, match="format must be one of"):
        ec.request(w, "jpg", tmp_path / "x.jpg", {}, None, "save_jpg")
