"""The form as a page of its own, and notebooks kept without outputs.

``make app`` serves ``notebooks/build_case.ipynb`` with Voilà (:func:`voila_command`): on
127.0.0.1 only, code cells hidden, the project folder as Voilà's root so a written report opens
through ``/voila/files/reports/preview/…``. ``make lab`` runs JupyterLab rooted at the project
with :func:`strip_outputs` as the contents manager's pre-save hook, so whatever the user does a
notebook lands on disk without outputs, execution counts or saved widget state (git shows no
change from using the form).
"""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

#: What ``make app`` serves, relative to the project.
APP_NOTEBOOK = "notebooks/build_case.ipynb"

#: The Voilà template (under :data:`TEMPLATES`, found through ``JUPYTER_PATH``).
TEMPLATE = "roi_kit"
TEMPLATES = "templates/app"

#: Report files Voilà may serve (the form's previews), relative to its root; nothing else.
SERVED_FILES = (r"reports/preview/[^/]+\.html",)


def strip_outputs(model: dict[str, Any], **_: Any) -> None:
    """A Jupyter ``pre_save_hook``: empty a notebook's outputs before it is written (in place).

    Code cells lose their outputs and execution counts; the notebook loses its saved widget
    state (``metadata.widgets``). Other files are left as they are.
    """
    if model.get("type") != "notebook" or not isinstance(model.get("content"), dict):
        return
    nb = model["content"]
    for cell in nb.get("cells", []):
        if cell.get("cell_type") == "code":
            cell["outputs"] = []
            cell["execution_count"] = None
        meta = cell.get("metadata")
        if isinstance(meta, dict):
            meta.pop("execution", None)
    if isinstance(nb.get("metadata"), dict):
        nb["metadata"].pop("widgets", None)


def voila_command(root: str | os.PathLike[str], port: int | None = None, *, open_browser: bool = True,
                  python: str | os.PathLike[str] = "python") -> list[str]:
    """The Voilà command line ``make app`` runs (the browser test runs it too, on a free port)."""
    root = Path(root).resolve()
    cmd: Sequence[str] = [
        str(python), "-m", "voila", str(root / APP_NOTEBOOK),
        f"--Voila.root_dir={root}",
        "--Voila.ip=127.0.0.1",
        "--VoilaConfiguration.show_tracebacks=False",
        *(f"--VoilaConfiguration.file_allowlist={p}" for p in SERVED_FILES),
        *(f"--VoilaConfiguration.file_denylist={p}" for p in (r".*\.ipynb", r"(.*/)?\..*")),
        # the lab template less its CDN links (templates/app/voila/templates/roi_kit)
        f"--template={TEMPLATE}",
        "--theme=light",
        *([f"--port={port}"] if port is not None else []),
        *([] if open_browser else ["--no-browser"]),
    ]
    return list(cmd)


def voila_env(root: str | os.PathLike[str], environ: Mapping[str, str] | None = None) -> dict[str, str]:
    """The environment Voilà runs in: its template found, the kernel told the app's root."""
    root = Path(root).resolve()
    env = dict(os.environ if environ is None else environ)
    paths = [str(root / TEMPLATES), *filter(None, env.get("JUPYTER_PATH", "").split(os.pathsep))]
    env["JUPYTER_PATH"] = os.pathsep.join(paths)
    env["ROI_KIT_APP_ROOT"] = str(root)
    return env


def main(argv: Sequence[str] | None = None) -> None:
    """``python -m roi_kit.form.app [--port N] [--no-browser]`` (what ``make app`` runs)."""
    parser = argparse.ArgumentParser(description="The CX leader's form, served by Voilà on 127.0.0.1.")
    parser.add_argument("--port", type=int, default=8866)
    parser.add_argument("--no-browser", action="store_true")
    parser.add_argument("--root", default=str(Path.cwd()))
    args = parser.parse_args(argv)
    cmd = voila_command(args.root, args.port, open_browser=not args.no_browser, python=sys.executable)
    os.execve(cmd[0], cmd, voila_env(args.root))


if __name__ == "__main__":
    main()
