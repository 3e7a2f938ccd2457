"""The wheel carries the built frontend, and the installed package works without Node.js."""

from __future__ import annotations

import os
import pathlib
import subprocess
import sys
import zipfile

ROOT = pathlib.Path(__file__).parent.parent


def test_wheel_ships_the_bundle_and_works_without_node(tmp_path):
    subprocess.run(
        [sys.executable, "-m", "build", "--wheel", "--no-isolation", "--outdir", str(tmp_path), str(ROOT)],
        check=True,
        capture_output=True,
        env=os.environ | {"HATCH_JUPYTER_BUILDER_SKIP_NPM": "1"},
    )
    (wheel,) = tmp_path.glob("tensorviz_widget-*.whl")
    with zipfile.ZipFile(wheel) as zf:
        names = set(zf.namelist())
        assert {"tensorviz/static/tensor_view.js", "tensorviz/static/tensor_view.css"} <= names
        assert not any(n.startswith(("js/", "tests/")) for n in names)
        zf.extractall(tmp_path / "site")
    # A PATH with no node on it: the installed package must not need Node.js at run time.
    check = (
        "import torch, tensorviz as tv; v = tv.show(torch.zeros(2, 2));"
        "assert 'export' in str(v._esm) and len(str(v._esm)) > 1000, 'bundle not loaded';"
        "print(tv.__file__)"
    )
    out = subprocess.run(
        [sys.executable, "-c", check],
        capture_output=True,
        text=True,
        cwd=tmp_path,
        env={"PATH": "/nonexistent", "PYTHONPATH": str(tmp_path / "site"), "HOME": str(tmp_path)},
    )
    assert out.returncode == 0, out.stderr
    assert str(tmp_path / "site") in out.stdout
