"""Run an in-process kernel in a child process, so the test session's own process never gets
IPython's shell (rich, plotly and IPython.display behave differently once it exists)."""

from __future__ import annotations

import multiprocessing
from collections.abc import Mapping, Sequence
from typing import Any


def _run(cwd: str, notebook: str, runs: Sequence[Mapping[str, Any]], export: bool,
         generated_at: Any) -> list[dict[str, Any]]:
    import os

    import nbformat
    from papermill.exceptions import PapermillExecutionError

    from roi_kit.batch.kernel import InProcessKernel
    from roi_kit.board.export import export_html

    results = []
    with InProcessKernel(cwd=cwd, preload=("roi_kit.board.sections",) if export else ()) as kernel:
        for parameters in runs:
            try:
                nb = kernel.execute(notebook, parameters)
            except PapermillExecutionError as error:
                results.append({
                    "ename": error.ename, "evalue": error.evalue,
                    "marked": nbformat.writes(error.notebook),
                })
                continue
            shell = kernel.km.kernel.shell
            results.append({
                "notebook": nbformat.writes(nb),
                "html": export_html(nb, generated_at=generated_at) if export else None,
                "history": shell.history_manager.enabled,
                "cwd": os.getcwd(),
                "fds": len(os.listdir(f"/proc/{os.getpid()}/fd")),
            })
    return results


def in_process_runs(cwd, notebook, runs, *, export=False, generated_at=None):
    """Execute ``notebook`` once per parameters mapping on one InProcessKernel in a spawned
    process; a dict per run: the executed notebook's text (and HTML), or the failure."""
    with multiprocessing.get_context("spawn").Pool(1) as pool:
        return pool.apply(
            _run, (str(cwd), str(notebook), list(runs), export, generated_at)
        )
