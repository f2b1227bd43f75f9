"""Benchmark the single-report path: HTML size and seconds from case file to HTML.

    .venv/bin/python bench/bench_report.py [CASE.yaml]

Prints, for the reference case (templates/cases/example.yaml by default):

* size: the report with the finance bundle (target ≤ 1.5 MB) beside the same report with
  plotly's full bundle (the fallback), and the ratio;
* time: ``roi_kit.board.export.render`` (papermill + board export + atomic write, one process) beside
  the naive way — the ``papermill`` and ``jupyter nbconvert --to html`` command lines run one
  after the other — measured in the same run, and the ratio.
"""

from __future__ import annotations

import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from roi_kit.board import export as report  # noqa: E402
from roi_kit.case import EXAMPLE  # noqa: E402
from roi_kit.page import bundle  # noqa: E402

BIN = Path(sys.executable).parent
LIMIT = 1_500_000


def _mb(n: int) -> str:
    return f"{n / 1e6:.2f} MB"


def main() -> None:
    case = Path(sys.argv[1]) if len(sys.argv) > 1 else EXAMPLE
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp)

        t0 = time.perf_counter()
        html_path = report.render(case, output=out / "report.html")
        ours = time.perf_counter() - t0

        executed = out / "executed.ipynb"
        t0 = time.perf_counter()
        subprocess.run(
            [
                str(BIN / "papermill"),
                str(report.notebook_path()),
                str(executed),
                "-p",
                "case_path",
                str(Path(case).resolve()),
                "--no-progress-bar",
            ],
            check=True,
            capture_output=True,
        )
        subprocess.run(
            [str(BIN / "jupyter"), "nbconvert", "--to", "html", "--no-input", str(executed)],
            check=True,
            capture_output=True,
        )
        naive = time.perf_counter() - t0

        import nbformat

        nb = nbformat.read(executed, as_version=4)
        small = len(report.export_html(nb).encode())
        from plotly.offline import get_plotlyjs

        full_js = get_plotlyjs()
        original = bundle.plotlyjs
        bundle.plotlyjs = lambda: full_js  # type: ignore[assignment]
        try:
            full = len(report.export_html(nb).encode())
        finally:
            bundle.plotlyjs = original  # type: ignore[assignment]
        written = html_path.stat().st_size

    found = bundle.find_bundle()
    print(f"case: {case}")
    print(f"bundle: {found.name if found else 'MISSING (fallback to the full bundle)'}")
    print(
        f"HTML size: {_mb(written)} with the finance bundle (limit {_mb(LIMIT)}: "
        f"{'ok' if written <= LIMIT else 'OVER'}) vs {_mb(full)} with plotly's full bundle "
        f"(ratio {full / small:.1f}x)"
    )
    print(
        f"case file to HTML: {ours:.2f} s with report.render vs {naive:.2f} s with the "
        f"papermill + jupyter nbconvert command lines (ratio {naive / ours:.1f}x)"
    )


if __name__ == "__main__":
    main()
