"""Batch throughput: `roi-kit batch` against the naive shell loop, same units, same run.

    .venv/bin/python bench/bench_batch.py            # 24 units
    .venv/bin/python bench/bench_batch.py --units 6  # quicker

The naive way runs, per unit, the `papermill` command line on notebooks/roi_case.ipynb and then
`jupyter nbconvert --to html` (the .venv's executables, one after the other). `roi-kit batch`
runs the same units with `--workers` local workers (default 2, the machine's cores), cold: the
command's own start-up, worker spawn and kernel start are inside the measured time, and
`--force` makes it redo every unit. The machine's speed drifts over minutes, so the batch runs
`--repeat` times (default 5) spread through the naive loop (before it, between its parts, after
it) and its median is compared with the loop's total. Prints reports/minute for both and the
ratio, then where one
unit's time goes in a local worker (measured in this process, as a worker runs a unit: evaluation
for the summary row, papermill on the in-process kernel, the HTML export, writing the executed
notebook).
"""

from __future__ import annotations

import argparse
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent
NOTEBOOK = ROOT / "notebooks" / "roi_case.ipynb"
EXAMPLE = ROOT / "templates" / "cases" / "example.yaml"


def make_units(folder: Path, n: int) -> list[Path]:
    """``n`` valid cases: the reference case with a different unit name and deflection rate."""
    from roi_kit.case import read_case_file

    base = read_case_file(EXAMPLE)
    folder.mkdir(parents=True, exist_ok=True)
    paths = []
    for i in range(n):
        data = {**base, "unit": f"Unit {i + 1:02d}"}
        data["levers"] = {**base["levers"], "deflection": {**base["levers"]["deflection"]}}
        data["levers"]["deflection"]["rate"] = round(0.06 + 0.005 * i, 4)
        path = folder / f"unit-{i + 1:02d}.yaml"
        path.write_text(yaml.safe_dump(data, sort_keys=False))
        paths.append(path)
    return paths


def naive(units: list[Path], work: Path) -> float:
    """Seconds for the shell loop: papermill, then nbconvert, per unit."""
    work.mkdir(parents=True, exist_ok=True)
    start = time.perf_counter()
    for unit in units:
        executed = work / f"{unit.stem}.ipynb"
        subprocess.run(
            [
                str(BIN / "papermill"),
                str(NOTEBOOK),
                str(executed),
                "-p",
                "case_path",
                str(unit),
                "--no-progress-bar",
            ],
            check=True,
            capture_output=True,
        )
        subprocess.run(
            [str(BIN / "jupyter"), "nbconvert", "--to", "html", str(executed)],
            check=True,
            capture_output=True,
        )
    return time.perf_counter() - start


def batch(folder: Path, out: Path, workers: int) -> float:
    """Seconds for one cold `roi-kit batch` command over the folder."""
    start = time.perf_counter()
    subprocess.run(
        [
            str(BIN / "roi-kit"),
            "batch",
            str(folder),
            "-o",
            str(out),
            "--workers",
            str(workers),
            "--force",
        ],
        check=True,
        capture_output=True,
    )
    return time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--units", type=int, default=24)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--repeat", type=int, default=5, help="batch runs, spread through the loop")
    args = parser.parse_args()
    repeat = max(1, args.repeat)
    with tempfile.TemporaryDirectory(prefix="roi-kit-bench-") as tmp:
        root = Path(tmp)
        units = make_units(root / "units", args.units)
        parts = [units[i::max(1, repeat - 1)] for i in range(max(1, repeat - 1))]
        t_naive, runs = 0.0, []
        for i in range(repeat):
            runs.append(batch(root / "units", root / "run", args.workers))
            made = len(list((root / "run").glob("unit-*.html")))
            if made != args.units:
                sys.exit(f"roi-kit batch made {made} of {args.units} reports")
            if i < len(parts) and (repeat > 1 or i == 0):
                t_naive += naive(parts[i], root / "naive")
        shutil.rmtree(root / "naive", ignore_errors=True)
    t_batch = statistics.median(runs)
    n = args.units
    naive_rate, batch_rate = n / t_naive * 60, n / t_batch * 60
    print(f"units: {n}, workers: {args.workers}")
    print(
        f"naive loop (papermill + jupyter nbconvert per unit): {t_naive:7.1f} s  "
        f"{naive_rate:6.1f} reports/min"
    )
    print(
        f"roi-kit batch ({args.workers} local workers):                  {t_batch:7.1f} s  "
        f"{batch_rate:6.1f} reports/min  (median of {', '.join(f'{t:.1f}' for t in runs)} s)"
    )
    print(f"ratio: {batch_rate / naive_rate:.1f}x (goal >= 30x)")
    phases()


def phases(n: int = 6) -> None:
    """Seconds per unit of each step of a job as a local worker runs it (its in-process kernel,
    the summary row's result handed to the report), after one warm-up unit."""
    sys.modules.setdefault("rfc3987_syntax", None)
    import nbformat

    from roi_kit.batch import run
    from roi_kit.batch.plan import plan
    from roi_kit.batch.units import read_units
    from roi_kit.board.export import export_html
    from roi_kit.board.summary import summary_json
    from roi_kit.case.files import load_case
    from roi_kit.model.result import evaluate, hand_over

    with tempfile.TemporaryDirectory(prefix="roi-kit-bench-") as tmp:
        make_units(Path(tmp), n + 1)
        jobs = plan(read_units(tmp), ["expected"], NOTEBOOK)
    run._LOCAL.in_process = True  # as in a local worker process (this one runs nothing else)
    kernel = run._kernel(jobs[0].notebook)
    totals = dict.fromkeys(("evaluate", "kernel (papermill)", "export", "notebook text"), 0.0)
    try:
        for i, job in enumerate(jobs):
            t0 = time.perf_counter()
            case = load_case(job.parameters["case"])
            result = evaluate(case, scenario=job.scenario)
            summary_json(result)
            hand_over(case, job.scenario, result)
            t1 = time.perf_counter()
            executed = kernel.execute(job.notebook, job.parameters)
            t2 = time.perf_counter()
            export_html(executed)
            t3 = time.perf_counter()
            nbformat.writes(executed)
            t4 = time.perf_counter()
            if i:
                for key, dt in zip(totals, (t1 - t0, t2 - t1, t3 - t2, t4 - t3), strict=True):
                    totals[key] += dt / n
    finally:
        run.shutdown_kernels()
    print("one unit on a local worker (s): " + ", ".join(f"{k} {v:.3f}" for k, v in totals.items()))


if __name__ == "__main__":
    main()
