"""Ready for PyPI: the sdist and the wheel pass `twine check`, and each installs into a fresh environment with no
Node.js and renders a TensorView in JupyterLab (the kernel runs in that environment, importing what was installed)."""

from __future__ import annotations

import os
import pathlib
import subprocess
import sys
import tarfile
import zipfile

import lab
import pytest

ROOT = pathlib.Path(__file__).resolve().parent.parent.parent


@pytest.fixture(scope="module")
def dist(tmp_path_factory):
    out = tmp_path_factory.mktemp("dist")
    env = os.environ | {"HATCH_JUPYTER_BUILDER_SKIP_NPM": "1"}
    subprocess.run([sys.executable, "-m", "build", "--no-isolation", "--outdir", str(out), str(ROOT)], check=True,
                   capture_output=True, env=env)  # fmt: skip
    (wheel,) = out.glob("tensorviz_widget-*.whl")
    (sdist,) = out.glob("tensorviz_widget-*.tar.gz")
    return wheel, sdist


def test_the_artifacts_pass_twine_check_and_carry_the_license(dist):
    wheel, sdist = dist
    check = subprocess.run([sys.executable, "-m", "twine", "check", "--strict", str(wheel), str(sdist)],
                           capture_output=True, text=True)  # fmt: skip
    assert check.returncode == 0, check.stdout + check.stderr
    with zipfile.ZipFile(wheel) as zf:
        names = zf.namelist()
        meta = zf.read(next(n for n in names if n.endswith("METADATA"))).decode()
    assert any(n.endswith("licenses/LICENSE") for n in names)
    assert {"tensorviz/static/tensor_view.js", "tensorviz/static/op_player.js"} <= set(names)
    assert "License-Expression: BSD-3-Clause" in meta and "Project-URL:" in meta and "Classifier:" in meta
    assert "# tensorviz" in meta  # the README is the long description
    with tarfile.open(sdist) as tf:
        members = tf.getnames()
    assert any(m.endswith("/LICENSE") for m in members) and any(m.endswith("/CHANGELOG.md") for m in members)


def _fresh_env(where: pathlib.Path, artifact: pathlib.Path) -> pathlib.Path:
    """A new venv with torch (the CPU build), ipykernel and the artifact installed; no Node.js on PATH."""
    subprocess.run([sys.executable, "-m", "venv", str(where)], check=True, capture_output=True)
    py = where / "bin" / "python"
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "VIRTUAL_ENV")}
    env["PATH"] = str(where / "bin")  # nothing else, so no Node.js: a wheel or sdist must not need it
    assert subprocess.run(["/bin/sh", "-c", "command -v node"], env=env, capture_output=True).returncode != 0
    torch = f"torch=={__import__('torch').__version__.split('+')[0]}"
    for args in ([torch], [str(artifact), "ipykernel"]):
        done = subprocess.run([str(py), "-m", "pip", "install", "--quiet", *args], env=env, capture_output=True, text=True)
        assert done.returncode == 0, done.stderr[-2000:]
    return py


@pytest.mark.parametrize("which", ["wheel", "sdist"])
def test_an_artifact_installs_without_node_and_renders_in_jupyterlab(dist, which, browser, tmp_path):
    artifact = dist[0] if which == "wheel" else dist[1]
    py = _fresh_env(tmp_path / "venv", artifact)
    where = subprocess.run([str(py), "-c", "import tensorviz; print(tensorviz.__file__, tensorviz.__version__)"],
                           capture_output=True, text=True, cwd=tmp_path)  # fmt: skip
    assert where.returncode == 0 and str(tmp_path / "venv") in where.stdout, where.stdout + where.stderr
    server = lab.LabServer(tmp_path / "lab", kernel_python=str(py))
    server.start()
    ctx = browser.new_context(viewport={"width": 1280, "height": 900})
    try:
        page = ctx.new_page()
        lab.attach(page, server)
        lab.open_notebook(page, f"install-{which}.ipynb")
        text = lab.run_print(page, "import tensorviz, torch\nprint(tensorviz.__file__)")
        assert str(tmp_path / "venv") in text, f"the kernel imports {text!r}, not the installed package"
        root = lab.find_widget(lab.run_cell(page, "tensorviz.show(torch.arange(12.).reshape(3, 4))"))
        lab.wait_ready(root, timeout=60)
        assert "[3, 4]" in (root.get_attribute("aria-label") or "")
    finally:
        ctx.close()
        server.stop()
