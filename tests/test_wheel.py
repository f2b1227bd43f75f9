"""The wheel carries what a report needs: build it, install it in a fresh virtualenv, render."""

from __future__ import annotations

import os
import subprocess
import sys
import sysconfig
import venv
import zipfile
from pathlib import Path

import pytest
from isolation import forbidding_sitecustomize

ROOT = Path(__file__).resolve().parents[1]

#: The fresh environment's sitecustomize (through PYTHONPATH, so the kernels it starts have it
#: too): opening a file of the checkout, outside the project's environment, raises.
GUARD = forbidding_sitecustomize("outside the installed wheel")


@pytest.mark.slow
def test_wheel_installs_in_a_fresh_virtualenv_and_renders_a_small_report(tmp_path):
    dist = tmp_path / "dist"
    subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--no-deps", "-q",
         "-w", str(dist), str(ROOT)],
        check=True, capture_output=True, cwd=tmp_path,
    )
    (wheel,) = dist.glob("roi_kit-*.whl")
    names = zipfile.ZipFile(wheel).namelist()
    for needed in ("roi_kit/static/plotly-finance-", "share/roi_kit/notebooks/roi_case.ipynb",
                   "share/roi_kit/notebooks/build_case.ipynb",
                   "share/roi_kit/templates/board/index.html.j2",
                   "share/roi_kit/templates/cases/example.yaml",
                   "share/roi_kit/templates/units/demo/retail_bank.yaml", "roi_kit/__main__.py"):
        assert any(needed in name for name in names), needed
    env_dir = tmp_path / "fresh"
    venv.create(env_dir, with_pip=True)
    python = env_dir / "bin" / "python"
    # the fresh environment's own pip installs the wheel (it sees nothing of the project's
    # environment, so it touches nothing there) ...
    subprocess.run([str(python), "-m", "pip", "install", "--no-deps", "--no-index", "-q", str(wheel)],
                   check=True, capture_output=True)
    # ... then the dependencies come from the project's environment, appended after the fresh
    # site-packages (a plain path: the editable roi_kit's hook there is never run)
    fresh_site = Path(subprocess.run(
        [str(python), "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
        capture_output=True, text=True, check=True).stdout.strip())
    (fresh_site / "deps.pth").write_text(sysconfig.get_paths()["purelib"] + "\n")
    work = tmp_path / "elsewhere"
    work.mkdir()
    # Only third-party packages are borrowed: every process of the render (the command, the
    # kernel it starts) runs with an audit hook refusing to open anything in the checkout outside
    # the project's environment, so roi_kit's code, notebooks, templates, plotly bundle and example
    # must all come from the installed wheel: a data file missing from it fails the render.
    guard = tmp_path / "guard"
    guard.mkdir()
    (guard / "sitecustomize.py").write_text(GUARD)
    forbidden = [str(p) for p in ROOT.iterdir() if p.resolve() != Path(sys.prefix).resolve()]
    assert str(ROOT / "roi_kit") in forbidden and str(ROOT / "templates") in forbidden
    # nbconvert's own templates are data files of the borrowed dependencies (a full install of
    # them into the fresh environment would put them in its share/jupyter)
    env = {**os.environ, "JUPYTER_PATH": str(Path(sys.prefix) / "share" / "jupyter"),
           "PYTHONPATH": str(guard), "ROI_KIT_FORBIDDEN": os.pathsep.join(forbidden)}
    for name in ("ROI_KIT_NOTEBOOK", "ROI_KIT_TEMPLATES", "PYTHONHOME", "VIRTUAL_ENV"):
        env.pop(name, None)
    where = subprocess.run(
        [str(python), "-c", "import roi_kit, importlib.metadata as m, sys; "
         "print(roi_kit.__file__, m.distribution('roi_kit')._path, sys.prefix, sep='\\n')"],
        capture_output=True, text=True, check=True, cwd=work, env=env).stdout.split("\n")
    assert all(line.startswith(str(env_dir)) for line in where[:3]), where
    refused = subprocess.run([str(python), "-c", f"open({str(ROOT / 'pyproject.toml')!r})"],
                             capture_output=True, text=True, cwd=work, env=env)
    assert "outside the installed wheel" in refused.stderr, refused.stderr  # the guard is live
    version = subprocess.run([str(python), "-m", "roi_kit", "--version"], capture_output=True,
                             text=True, cwd=work)
    assert version.returncode == 0 and version.stdout.startswith("roi-kit ")
    example = env_dir / "share" / "roi_kit" / "templates" / "cases" / "example.yaml"
    done = subprocess.run(
        [str(python), "-m", "roi_kit", "report", str(example), "-o", str(work / "r.html")],
        capture_output=True, text=True, cwd=work, timeout=600, env=env,
    )
    assert done.returncode == 0, done.stderr
    assert "without encryption" not in done.stderr
    page = (work / "r.html").read_text(encoding="utf-8")
    size = len(page.encode())
    assert size <= 1_500_000, size
    # the installed board template, stylesheet and plotly bundle made it (not a fallback)
    assert page.rstrip().endswith("</html>") and 'data-roi-kit="plotlyjs"' in page
    assert "EMEA Retail Support" in page
