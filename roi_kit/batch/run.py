"""Many units, one command: a report per unit and scenario, a summary table and a portfolio page.

``run_batch(units, output)`` reads the units (a folder of case files, or one CSV/Excel table with a
row per unit whose columns are dotted field paths over a base case), then runs one *job* per unit
and scenario: papermill executes the report notebook with the unit's parameters on a kept kernel
(:mod:`roi_kit.batch.kernel`), the HTML is exported once per job with the report's cached exporter, and
the main process writes every file atomically:

    RUN/<slug>.html                 the report
    RUN/notebooks/<slug>.ipynb      the executed notebook (kept for audit, failed ones included)
    RUN/summary.csv, summary.parquet  a row per unit and scenario: headline figures, status, error
    RUN/index.html                  the portfolio page (:mod:`roi_kit.batch.portfolio`)
    RUN/.roi-kit-batch.json         the manifest: what each report was built from

Jobs run on local worker processes (each keeps one kernel) or, given a scheduler address, on a Dask
cluster. A job whose key — sha256 of the case's input hash, the scenario, the roi_kit version and
the notebook's bytes — matches the manifest and whose files exist is skipped (``force`` redoes it).
One unit's bad input or failing notebook is recorded in its row; the others finish.

Only the main process writes files, each atomically, so Ctrl-C leaves finished reports whole and
no half-written file: a rerun picks up where it stopped.
"""

from __future__ import annotations

import os
import signal
import sys
import threading
import time
from collections.abc import Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from roi_kit._io import skip_iri_format_check, write_atomic
from roi_kit.batch.kernel import WarmKernel, notebook_imports
from roi_kit.batch.manifest import (
    FIGURES,
    _is_current,
    _read_manifest,
    _safe_target,
    _write_manifest,
    write_summary,
)
from roi_kit.batch.plan import Job, plan
from roi_kit.batch.portfolio import render_portfolio
from roi_kit.batch.tracking import actuals_files, track_units
from roi_kit.batch.units import _one_line, read_units
from roi_kit.board.export import export_html
from roi_kit.board.summary import summary_json
from roi_kit.case.files import load_case
from roi_kit.errors import BatchError, RoiKitError
from roi_kit.model.result import evaluate
from roi_kit.page import fmt
from roi_kit.page.resources import notebook_path


@dataclass(frozen=True)
class Outcome:
    """What a worker hands back for one job: its summary row, and the files' text when it ran."""

    row: Mapping[str, Any]
    html: str | None = None
    notebook: str | None = None

    @property
    def ok(self) -> bool:
        return self.row.get("status") == "ok"


@dataclass(frozen=True)
class BatchResult:
    """A finished batch: every row (plan order), how many were skipped, where it all is."""

    output: Path
    rows: tuple[Mapping[str, Any], ...]
    ran: int
    skipped: int

    @property
    def failures(self) -> tuple[Mapping[str, Any], ...]:
        return tuple(r for r in self.rows if r["status"] != "ok")

    def table_lines(self) -> list[str]:
        """The headline figures of every unit that ran, one aligned line each, for a terminal."""

        ok = [r for r in self.rows if r["status"] == "ok"]
        if not ok:
            return []
        width = min(48, max(len(str(r["unit"])) for r in ok))
        head = f"{'unit':<{width}}  {'scenario':<12} {'NPV':>10} {'ROI':>8} {'payback':>10} {'checks':>7}"
        lines = [head, "-" * len(head)]
        for r in ok:
            lines.append(
                f"{str(r['unit'])[:width]:<{width}}  {r['scenario']!s:<12} "
                f"{fmt.money(r['npv'], str(r['currency'])):>10} {fmt.pct(r['roi'], 0):>8} "
                f"{fmt.months(r['payback_months'], never='never'):>10} "
                f"{len(r['warnings'].split(' | ')) if r.get('warnings') else 0:>7}"
            )
        return lines

    def failure_lines(self) -> list[str]:
        """One line per failed job: ``unit [scenario]: why``."""
        return [f"{r['unit']} [{r['scenario']}]: {r['error']}" for r in self.failures]


_LOCAL = threading.local()


def _worker_init() -> None:
    """In a local worker process: leave Ctrl-C to the main process; exit cleanly on SIGTERM."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    skip_iri_format_check()


def _kernel(notebook: str):
    """This thread's warm kernel, started on first use with the notebook's imports preloaded."""
    kernel = getattr(_LOCAL, "kernel", None)
    if kernel is None:
        from multiprocessing.util import Finalize

        import nbformat


        skip_iri_format_check()
        preload = notebook_imports(nbformat.read(notebook, as_version=4))
        kernel = WarmKernel(cwd=Path(notebook).parent, preload=preload).start()
        _LOCAL.kernel = kernel
        # multiprocessing workers leave through os._exit: atexit would not stop the kernel
        Finalize(kernel, kernel.shutdown, exitpriority=10)
        import atexit

        atexit.register(kernel.shutdown)
    return kernel


def shutdown_kernels() -> None:
    """Stop this thread's kernel (a Dask worker plugin calls it when the worker closes)."""
    kernel = getattr(_LOCAL, "kernel", None)
    _LOCAL.kernel = None
    if kernel is not None:
        kernel.shutdown()


def _base_row(job: Job) -> dict[str, Any]:
    return {
        "unit": job.unit,
        "scenario": job.scenario,
        "status": "failed",
        "error": job.error,
        "warnings": "",
        "currency": "",
        **dict.fromkeys(FIGURES),
        "report": "",
        "input_hash": "",
        "source": job.source,
        "slug": job.slug,
        "key": job.key,
    }


def summary_row(job: Job, figures: Mapping[str, Any]) -> dict[str, Any]:
    """The summary row of a job that ran: the headline figures ``roi_kit.board.summary`` gives."""
    row = _base_row(job)
    row.update({k: figures.get(k) for k in FIGURES})
    row.update(
        status="ok", error="", currency=figures.get("currency", ""), report=f"{job.slug}.html",
        warnings=" | ".join(figures.get("warnings") or ()),
    )
    return row


def run_job(job: Job, generated_at: datetime | None = None) -> Outcome:
    """Execute one job on this worker's kept kernel; never raises for a unit's own problem."""
    row = _base_row(job)
    if job.error:
        return Outcome(row)
    import nbformat
    from papermill.exceptions import PapermillExecutionError


    try:
        case = load_case(job.parameters["case"])
        figures = summary_json(evaluate(case, scenario=job.scenario))
        row["input_hash"] = case.input_hash
    except RoiKitError as error:
        return Outcome({**row, "error": _one_line(error)})
    kernel = _kernel(job.notebook)
    try:
        executed = kernel.execute(job.notebook, job.parameters)
    except PapermillExecutionError as error:
        why = f"notebook cell {error.exec_count}: {error.ename}: {error.evalue}"
        failed = getattr(error, "notebook", None)
        text = nbformat.writes(failed) if failed is not None else None
        return Outcome({**row, "error": _one_line(why)}, notebook=text)
    except RoiKitError as error:
        return Outcome({**row, "error": _one_line(error)})
    notebook_text = nbformat.writes(executed)
    try:
        html_text = export_html(executed, generated_at=generated_at)
    except RoiKitError as error:
        return Outcome({**row, "error": f"export: {_one_line(error)}"}, notebook=notebook_text)
    done = summary_row(job, figures)
    done["input_hash"] = row["input_hash"]
    return Outcome(done, html=html_text, notebook=notebook_text)


_STOP_GRACE_SECONDS = 10.0


def _local(jobs: Sequence[Job], workers: int, generated_at: datetime) -> Iterator[Outcome]:
    """Run jobs on ``workers`` local processes (spawned; each keeps one kernel), as they finish."""
    import multiprocessing
    from concurrent.futures import ProcessPoolExecutor, as_completed

    context = multiprocessing.get_context("spawn")
    executor = ProcessPoolExecutor(
        max_workers=workers, mp_context=context, initializer=_worker_init
    )
    futures = {executor.submit(run_job, job, generated_at): job for job in jobs}
    try:
        for future in as_completed(futures):
            try:
                yield future.result()
            except Exception as error:  # a worker died: record it against its job
                yield Outcome({**_base_row(futures[future]), "error": _one_line(error)})
    except BaseException:
        for future in futures:
            future.cancel()
        processes = list(getattr(executor, "_processes", {}).values())
        for process in processes:
            process.terminate()  # SIGTERM: the worker exits and stops its kernel
        executor.shutdown(wait=False, cancel_futures=True)
        deadline = time.monotonic() + _STOP_GRACE_SECONDS
        for process in processes:
            process.join(max(0.0, deadline - time.monotonic()))
            if process.is_alive():  # stuck in a kernel call: do not let Ctrl-C hang the batch
                process.kill()
                process.join(1.0)
        raise
    executor.shutdown(wait=True)


class _KernelPlugin:
    """Dask worker plugin: stop the worker's kernels when the worker closes."""

    name = "roi-kit-kernels"

    def teardown(self, worker: Any) -> None:
        shutdown_kernels()


def _run_job_on_dask(job: Job, generated_at: datetime) -> Outcome:
    skip_iri_format_check()
    return run_job(job, generated_at)


def _dask(jobs: Sequence[Job], scheduler: str, generated_at: datetime) -> Iterator[Outcome]:
    """Run jobs on the Dask cluster at ``scheduler``; each worker thread keeps one kernel."""
    try:
        from distributed import Client, WorkerPlugin, as_completed
    except ImportError as error:  # pragma: no cover - dask[distributed] is a dependency
        raise BatchError(f"--scheduler needs dask[distributed] ({error})") from None
    try:
        client = Client(scheduler, timeout="10s")
    except (OSError, TimeoutError, ValueError) as error:
        raise BatchError(
            f"--scheduler {scheduler}: cannot reach the Dask scheduler ({error})"
        ) from None
    plugin = type("RoiKitKernels", (_KernelPlugin, WorkerPlugin), {})()
    futures = {}
    try:
        client.register_plugin(plugin, name=_KernelPlugin.name)
        for job in jobs:
            future = client.submit(_run_job_on_dask, job, generated_at, pure=False)
            futures[future] = job
        for future in as_completed(futures):
            try:
                yield future.result()
            except Exception as error:
                yield Outcome({**_base_row(futures[future]), "error": _one_line(error)})
    finally:
        for future in futures:
            future.cancel()
        client.close()


def run_batch(
    units: str | os.PathLike[str],
    output: str | os.PathLike[str],
    *,
    base: str | os.PathLike[str] | None = None,
    scenarios: Sequence[str] = ("expected",),
    workers: int | None = None,
    scheduler: str | None = None,
    force: bool = False,
    notebook: str | os.PathLike[str] | None = None,
    progress: bool = True,
    generated_at: datetime | None = None,
    actuals: str | os.PathLike[str] | None = None,
) -> BatchResult:
    """Make every unit's report (skipping unchanged ones), then the summary and portfolio page
    (and, given ``actuals``, a tracking page per unit: :mod:`roi_kit.batch.tracking`).

    Raises :class:`BatchError` when the batch cannot start; a unit's own failure is a row with
    ``status == "failed"`` and the batch goes on.
    """

    out = Path(output)
    if out.exists() and not out.is_dir():
        raise BatchError(f"-o {out}: exists and is not a folder")
    nb_path = Path(notebook).resolve() if notebook else notebook_path()
    jobs = plan(read_units(units, base=base), scenarios, nb_path)
    tracked = actuals_files(actuals, jobs) if actuals is not None else None
    out.mkdir(parents=True, exist_ok=True)
    manifest = {} if force else _read_manifest(out)
    entries = {slug: e for slug, e in manifest.items() if slug in {j.slug for j in jobs}}
    rows: dict[str, Mapping[str, Any]] = {}
    todo = []
    for job in jobs:
        if _is_current(job, out, manifest):
            rows[job.slug] = manifest[job.slug]["row"]
        else:
            todo.append(job)
    when = generated_at or datetime.now(UTC)
    ran = _execute(
        todo,
        out,
        rows,
        entries,
        workers=workers,
        scheduler=scheduler,
        generated_at=when,
        progress=progress,
    )
    if tracked is not None:
        track_units(jobs, out, rows, tracked, when)
    ordered = tuple(rows[j.slug] for j in jobs)
    write_summary(out, ordered)

    write_atomic(out / "index.html", render_portfolio(ordered, generated_at=when))
    return BatchResult(out, ordered, ran=ran, skipped=len(jobs) - len(todo))


def _execute(
    todo: Sequence[Job],
    out: Path,
    rows: dict[str, Mapping[str, Any]],
    entries: dict[str, Any],
    *,
    workers: int | None,
    scheduler: str | None,
    generated_at: datetime,
    progress: bool,
) -> int:
    """Run the jobs to do and write each outcome as it arrives; returns how many ran."""
    from tqdm import tqdm

    failed_early = [j for j in todo if j.error]
    runnable = [j for j in todo if not j.error]
    outcomes: Iterable[Outcome] = (Outcome(_base_row(j)) for j in failed_early)
    if runnable:
        if scheduler:
            stream = _dask(runnable, scheduler, generated_at)
        else:
            count = max(1, min(workers or os.cpu_count() or 1, len(runnable)))
            stream = _local(runnable, count, generated_at)
        outcomes = _chain(outcomes, stream)
    with tqdm(
        total=len(todo),
        desc="reports",
        unit="report",
        file=sys.stderr,
        disable=not progress or not todo,
        dynamic_ncols=True,
    ) as bar:
        for outcome in outcomes:
            with _deferred_interrupt():
                _store(outcome, out, rows, entries)
            bar.update(1)
            if not outcome.ok:
                bar.set_postfix(failed=sum(1 for r in rows.values() if r["status"] != "ok"))
    return len(todo)


@contextmanager
def _deferred_interrupt() -> Iterator[None]:
    """Hold Ctrl-C until the block ends: a report, its notebook and its manifest entry land together."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    caught: list[object] = []
    previous = signal.signal(signal.SIGINT, lambda *args: caught.append(args))
    try:
        yield
    finally:
        signal.signal(signal.SIGINT, previous)
    if caught:
        raise KeyboardInterrupt


def _chain(*streams: Iterable[Outcome]) -> Iterator[Outcome]:
    for stream in streams:
        yield from stream


def _store(outcome: Outcome, out: Path, rows: dict[str, Any], entries: dict[str, Any]) -> None:
    """Write one job's files (atomically), then record it in the manifest."""
    row = dict(outcome.row)
    slug, key = row["slug"], row.pop("key", "")
    if outcome.notebook is not None:
        write_atomic(_safe_target(out, f"notebooks/{slug}.ipynb"), outcome.notebook)
    report = _safe_target(out, f"{slug}.html")
    if outcome.ok and outcome.html is not None:
        write_atomic(report, outcome.html)
        entries[slug] = {"key": key, "row": row}
    else:
        report.unlink(missing_ok=True)  # a stale report would read as current
        entries.pop(slug, None)
    rows[slug] = row
    _write_manifest(out, entries)


def failure_report(result: BatchResult) -> list[str]:
    """The lines the command prints when some jobs failed, one per job."""
    return result.failure_lines()


__all__ = [
    "BatchResult",
    "Job",
    "Outcome",
    "plan",
    "read_units",
    "run_batch",
    "run_job",
]
