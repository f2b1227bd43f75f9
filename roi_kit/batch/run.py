"""Many units, one command: a report per unit and scenario, a summary table and a portfolio page.

``run_batch(units, output)`` reads the units (a folder of case files, or one CSV/Excel table with a
row per unit whose columns are dotted field paths over a base case), then runs one *job* per unit
and scenario: papermill executes the report notebook with the unit's parameters on a kept kernel
(:mod:`roi_kit.batch.kernel`: in a local worker, an in-process one), the HTML is exported once per job
with the report's cached exporter, and the main process writes every file atomically:

    RUN/<slug>.html                 the report
    RUN/notebooks/<slug>.ipynb      the executed notebook (kept for audit, failed ones included)
    RUN/summary.csv, summary.parquet  a row per unit and scenario: headline figures, status, error
    RUN/index.html                  the portfolio page (:mod:`roi_kit.batch.portfolio`)
    RUN/.roi-kit-batch.json         the manifest: what each report was built from

Jobs run on local worker processes (each runs its reports on its own in-process kernel; one that
dies or passes :data:`UNIT_TIME_LIMIT` costs only that job) or, given a scheduler address, on a Dask
cluster. A job whose key — sha256 of the case's input hash, the scenario, the roi_kit version and
the notebook's bytes — matches the manifest and whose files exist is skipped (``force`` redoes it).
One unit's bad input or failing notebook is recorded in its row; the others finish.

Only the main process writes files, each atomically, so Ctrl-C leaves finished reports whole and
no half-written file: a rerun picks up where it stopped.
"""

from __future__ import annotations

import atexit
import hashlib
import json
import os
import shutil
import signal
import sys
import tempfile
import threading
import time
from collections.abc import Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager, suppress
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from roi_kit._io import gc_paused, skip_iri_format_check, write_atomic
from roi_kit.batch import kernel_state
from roi_kit.batch.kernel import (
    InProcessKernel,
    WarmKernel,
    in_process_manager,
    notebook_imports,
)
from roi_kit.batch.manifest import (
    FIGURES,
    _is_current,
    _read_manifest,
    _safe_target,
    _write_manifest,
    write_summary,
)
from roi_kit.batch.plan import Job, plan
from roi_kit.batch.portfolio import read_fx, render_portfolio
from roi_kit.batch.tracking import actuals_files, track_units
from roi_kit.batch.units import _one_line, read_units
from roi_kit.board.export import (
    PdfPrinter,
    check_pdf_support,
    export_html,
    prepare_exporter,
    print_pdf,
)
from roi_kit.board.summary import summary_json
from roi_kit.case.files import load_case
from roi_kit.errors import BatchError, RoiKitError
from roi_kit.model.result import evaluate, hand_over
from roi_kit.page import fmt
from roi_kit.page.resources import NOTEBOOK_NAME, REPORT_TEMPLATE, notebook_path, template_dir


@dataclass(frozen=True)
class Outcome:
    """What a worker hands back for one job: its summary row, and the files' text when it ran."""

    row: Mapping[str, Any]
    html: str | None = None
    notebook: str | None = None
    pdf: bytes | None = None

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

    def lost_line(self) -> str:
        """One line when jobs were lost to a Dask cluster left with no worker, else ``""``."""
        lost = [r for r in self.rows if str(r.get("error", "")).startswith(NO_WORKER_LOST)]
        if not lost:
            return ""
        why = str(lost[0]["error"]).removeprefix("lost: ")
        return (
            f"{len(lost)} of {len(self.rows)} reports lost (listed failed in summary.csv): {why}; "
            "start a worker and rerun to make them"
        )

    def failure_lines(self) -> list[str]:
        """One line per failed job: ``unit [scenario]: why``."""
        return [f"{r['unit']} [{r['scenario']}]: {r['error']}" for r in self.failures]


_LOCAL = threading.local()


@dataclass(frozen=True)
class Payload:
    """What a job needs besides its parameters, carried with the task to a worker that shares no
    disk with the client: the report notebook's text and the board templates' files."""

    notebook: str
    templates: Mapping[str, str]

    @property
    def digest(self) -> str:
        text = json.dumps([self.notebook, sorted(self.templates.items())])
        return hashlib.sha256(text.encode()).hexdigest()[:16]


def make_payload(notebook: Path) -> Payload:
    """The notebook's text and every file of the board template, read on the client."""
    base = template_dir()
    files = {
        str(path.relative_to(base)): path.read_text(encoding="utf-8")
        for path in sorted((base / REPORT_TEMPLATE).rglob("*"))
        if path.is_file()
    }
    return Payload(notebook.read_text(encoding="utf-8"), files)


def _materialise(payload: Payload) -> tuple[str, str]:
    """On a worker: the payload written once into a private folder; (notebook path, templates)."""
    cache = getattr(_LOCAL, "payloads", None)
    if cache is None:
        cache = _LOCAL.payloads = {}
    found = cache.get(payload.digest)
    if found and Path(found[0]).is_file():
        return found
    folder = Path(tempfile.mkdtemp(prefix=f"roi-kit-task-{payload.digest}-"))
    atexit.register(shutil.rmtree, folder, True)
    notebook = folder / NOTEBOOK_NAME
    notebook.write_text(payload.notebook, encoding="utf-8")
    templates = folder / "templates"
    for name, text in payload.templates.items():
        target = (templates / name).resolve()
        if templates.resolve() not in target.parents:
            raise BatchError(f"template file outside the template folder: {name!r}")
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(text, encoding="utf-8")
    cache[payload.digest] = (str(notebook), str(templates))
    return cache[payload.digest]


def _worker_init() -> None:
    """In a local worker process: leave Ctrl-C to the main process; exit cleanly on SIGTERM."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    skip_iri_format_check()


def _kernel(notebook: str):
    """This thread's warm kernel, started on first use with the notebook's imports preloaded
    (a kernel working in another folder, from an earlier batch, is replaced): in a local worker
    process an in-process one (:class:`~roi_kit.batch.kernel.InProcessKernel`), elsewhere (a Dask
    worker's threads, a caller's own process) one in a process of its own."""
    kernel = getattr(_LOCAL, "kernel", None)
    cwd = str(Path(notebook).parent.resolve())
    if kernel is not None and kernel.cwd != cwd:
        shutdown_kernels()
        kernel = None
    if kernel is None:
        from multiprocessing.util import Finalize

        import nbformat


        skip_iri_format_check()
        preload = notebook_imports(nbformat.read(notebook, as_version=4))
        kind = InProcessKernel if getattr(_LOCAL, "in_process", False) else WarmKernel
        kernel = kind(cwd=cwd, preload=preload).start()
        _LOCAL.kernel = kernel
        # multiprocessing workers leave through os._exit: atexit would not stop the kernel
        Finalize(kernel, kernel.shutdown, exitpriority=10)
        atexit.register(kernel.shutdown)
    return kernel


def _printer():
    """This thread's kept headless chromium (:class:`~roi_kit.board.export.PdfPrinter`)."""
    printer = getattr(_LOCAL, "printer", None)
    if printer is None:
        printer = _LOCAL.printer = PdfPrinter().start()
        atexit.register(printer.close)
    return printer


def shutdown_kernels() -> None:
    """Stop this thread's kernel and chromium (a Dask worker plugin calls it when the worker
    closes)."""
    kernel = getattr(_LOCAL, "kernel", None)
    _LOCAL.kernel = None
    if kernel is not None:
        kernel.shutdown()
    printer = getattr(_LOCAL, "printer", None)
    _LOCAL.printer = None
    if printer is not None:
        printer.close()


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


def run_job(
    job: Job,
    generated_at: datetime | None = None,
    payload: Payload | None = None,
    pdf: bool = False,
) -> Outcome:
    """Execute one job on this worker's kept kernel; never raises for a unit's own problem.

    With a ``payload`` the notebook and templates come from it (a worker sharing no disk with
    the client), else from ``job.notebook`` and the installed templates. ``pdf``: also print
    the report to PDF on this worker's kept chromium.
    """
    row = _base_row(job)
    if job.error:
        return Outcome(row)
    import nbformat
    from papermill.exceptions import PapermillExecutionError

    try:
        case = load_case(job.parameters["case"])
        result = evaluate(case, scenario=job.scenario)
        figures = summary_json(result)
        if getattr(_LOCAL, "in_process", False):  # the report runs in this process: see hand_over
            hand_over(case, job.scenario, result)
        row["input_hash"] = case.input_hash
        notebook, templates = _materialise(payload) if payload else (job.notebook, None)
    except RoiKitError as error:
        return Outcome({**row, "error": _one_line(error)})
    kernel = _kernel(notebook)
    try:
        executed = kernel.execute(notebook, job.parameters)
    except PapermillExecutionError as error:
        why = f"notebook cell {error.exec_count}: {error.ename}: {error.evalue}"
        failed = getattr(error, "notebook", None)
        text = nbformat.writes(failed) if failed is not None else None
        return Outcome({**row, "error": _one_line(why)}, notebook=text)
    except RoiKitError as error:
        return Outcome({**row, "error": _one_line(error)})
    notebook_text = nbformat.writes(executed)
    try:
        html_text = export_html(executed, generated_at=generated_at, templates=templates)
    except RoiKitError as error:
        return Outcome({**row, "error": f"export: {_one_line(error)}"}, notebook=notebook_text)
    pdf_bytes = None
    if pdf:
        try:
            with tempfile.TemporaryDirectory(prefix="roi-kit-pdf-") as tmp:
                page = Path(tmp) / f"{job.slug}.html"
                page.write_text(html_text, encoding="utf-8")
                pdf_bytes = _printer().pdf_bytes(page)
        except Exception as error:  # chromium or playwright failing: this unit's PDF only
            shutdown_printer()
            return Outcome(
                {**row, "error": f"pdf: {_one_line(error)}"}, notebook=notebook_text
            )
    done = summary_row(job, figures)
    done["input_hash"] = row["input_hash"]
    return Outcome(done, html=html_text, notebook=notebook_text, pdf=pdf_bytes)


def shutdown_printer() -> None:
    printer = getattr(_LOCAL, "printer", None)
    _LOCAL.printer = None
    if printer is not None:
        with suppress(Exception):
            printer.close()


_STOP_GRACE_SECONDS = 10.0

#: Seconds one job may run on a local worker before the worker is stopped and the job reported
#: failed (the kernel runs inside the worker, where no cell can be interrupted).
UNIT_TIME_LIMIT = 600.0


def _worker_main(conn: Any, generated_at: datetime, pdf: bool) -> None:
    """A local worker process: run the jobs the batch sends, one at a time, until told to stop."""
    _worker_init()
    _LOCAL.in_process = True  # this process runs reports and nothing else: see _kernel
    try:
        while True:
            try:
                job = conn.recv()
            except (EOFError, OSError):
                break
            if job is None:
                break
            conn.send(run_job(job, generated_at, pdf=pdf))
    finally:
        shutdown_kernels()


class _Slot:
    """One local worker process and the job it is running."""

    def __init__(self, context: Any, generated_at: datetime, pdf: bool):
        parent, child = context.Pipe()
        self.conn = parent
        self.process = context.Process(
            target=_worker_main, args=(child, generated_at, pdf), daemon=True
        )
        self.process.start()
        child.close()
        self.job: Job | None = None
        self.deadline = float("inf")

    def give(self, job: Job) -> None:
        self.job = job
        self.deadline = time.monotonic() + UNIT_TIME_LIMIT
        self.conn.send(job)

    def stop(self, grace: float) -> None:
        with suppress(OSError):
            self.conn.send(None)
        self.process.join(grace)
        if self.process.is_alive():
            self.process.terminate()  # SIGTERM: the worker exits and stops its kernel
            self.process.join(2.0)
        if self.process.is_alive():  # stuck in a kernel call
            self.process.kill()
            self.process.join(1.0)
        self.conn.close()


def _local(
    jobs: Sequence[Job], workers: int, generated_at: datetime, pdf: bool = False
) -> Iterator[Outcome]:
    """Run jobs on ``workers`` local processes (each an in-process kernel), as they finish.

    A worker that dies (killed, out of memory) costs only the job it was running: that job is
    reported failed, a new worker takes its place, and the others go on.
    """
    import multiprocessing
    from multiprocessing.connection import wait

    # fork where it is safe: on Linux, from a process with no other thread (the command line), a
    # worker starts with this process's imports already done (spawn made each worker import the
    # command line and papermill again, about 3 s of CPU each). A process with threads (a notebook,
    # a test session with a kernel client's event-loop thread) can hand a fork a lock held by a
    # thread that does not exist there, and the worker's kernel then waits forever: spawn there.
    safe_fork = sys.platform == "linux" and threading.active_count() == 1
    context = multiprocessing.get_context("fork" if safe_fork else "spawn")
    if safe_fork:
        with gc_paused():
            _preload_for_workers(jobs[0].notebook)
    queue = list(reversed(jobs))
    slots = [_Slot(context, generated_at, pdf) for _ in range(min(workers, len(jobs)))]

    def lost(index: int, why: str) -> Outcome:
        """Slot ``index``'s job, failed for ``why``; its worker stopped and replaced."""
        slot = slots[index]
        outcome = Outcome({**_base_row(slot.job), "error": why})
        slot.stop(0.0)
        slots[index] = _Slot(context, generated_at, pdf) if queue else _Idle()
        return outcome

    try:
        while True:
            for slot in slots:
                if slot.job is None and queue:
                    try:
                        slot.give(queue[-1])
                    except OSError:  # died before it got the job: the job stays queued
                        continue
                    queue.pop()
            busy = [s for s in slots if s.job is not None]
            if not busy:
                break
            first = min(s.deadline for s in busy)
            ready = wait(
                [s.conn for s in busy] + [s.process.sentinel for s in busy],
                timeout=max(0.0, first - time.monotonic()),
            )
            for index, slot in enumerate(slots):
                if slot.job is None:
                    continue
                waiting = slot.conn not in ready and slot.process.sentinel not in ready
                if waiting and time.monotonic() >= slot.deadline:
                    yield lost(index, f"it ran longer than the {UNIT_TIME_LIMIT:g} s a unit may "
                               "take; its worker was stopped")
                    continue
                if slot.conn in ready:
                    try:
                        outcome = slot.conn.recv()
                    except (EOFError, OSError):
                        outcome = None  # the pipe closed: the worker is gone
                    if outcome is not None:
                        slot.job = None
                        yield outcome
                        continue
                elif slot.process.sentinel not in ready:
                    continue
                slot.process.join(1.0)
                yield lost(index, f"the worker process running it died (exit code "
                           f"{slot.process.exitcode}); rerun to retry")
    finally:
        deadline = time.monotonic() + _STOP_GRACE_SECONDS
        for slot in slots:
            slot.stop(max(0.0, deadline - time.monotonic()))


def _preload_for_workers(notebook: str) -> None:
    """Before forking: import what every worker's in-process kernel needs (ipykernel, the
    notebook's imports) and build the board exporter with its compiled template, once, so the
    workers start with them. Done here it runs once, alone on the machine; done in each worker
    it ran twice, side by side, each a third slower for sharing the cores."""
    import gc

    import nbformat

    in_process_manager()
    kernel_state.preload(notebook_imports(nbformat.read(notebook, as_version=4)))
    with suppress(Exception):  # a broken template is the first unit's to report, in its row
        prepare_exporter()
    gc.freeze()  # the forked workers share these pages instead of copying them on a collection


class _Idle:
    """A slot whose worker died with nothing left to run."""

    job = None

    def stop(self, grace: float) -> None:
        pass


class _KernelPlugin:
    """Dask worker plugin: stop the worker's kernels when the worker closes."""

    name = "roi-kit-kernels"

    def teardown(self, worker: Any) -> None:
        shutdown_kernels()


def _run_job_on_dask(
    job: Job, generated_at: datetime, payload: Payload, pdf: bool = False
) -> Outcome:
    skip_iri_format_check()
    return run_job(job, generated_at, payload, pdf)


#: How long a Dask batch waits with no worker connected (at the start, or after losing its last
#: one) before it lists the rest as lost; the environment variable ``ROI_KIT_NO_WORKER_SECONDS``
#: sets it.
NO_WORKER_SECONDS = float(os.environ.get("ROI_KIT_NO_WORKER_SECONDS", "30"))
#: How the error of a job lost that way starts.
NO_WORKER_LOST = "lost: the Dask cluster at"


def _dask(
    jobs: Sequence[Job],
    scheduler: str,
    generated_at: datetime,
    payload: Payload,
    pdf: bool = False,
) -> Iterator[Outcome]:
    """Run jobs on the Dask cluster at ``scheduler``; each worker thread keeps one kernel.

    The notebook text and templates travel with the tasks (scattered once); a task lost with its
    worker is retried once by Dask; a cluster left with no worker for :data:`NO_WORKER_SECONDS`
    ends the batch with the remaining jobs listed as failed.
    """
    try:
        from distributed import Client, WorkerPlugin, wait
        from distributed.client import FuturesCancelledError
    except ImportError as error:  # pragma: no cover - dask[distributed] is a dependency
        raise BatchError(f"--scheduler needs dask[distributed] ({error})") from None
    try:
        client = Client(scheduler, timeout="10s")
    except (OSError, TimeoutError, ValueError) as error:
        raise BatchError(
            f"--scheduler {scheduler}: cannot reach the Dask scheduler ({error})"
        ) from None
    plugin = type("RoiKitKernels", (_KernelPlugin, WorkerPlugin), {})()
    futures: dict[Any, Job] = {}
    why = f"{NO_WORKER_LOST} {scheduler} has had no worker for {NO_WORKER_SECONDS:g} s"
    gone = f"{NO_WORKER_LOST} {scheduler} lost every worker holding the batch's notebook and templates"
    try:
        try:  # the payload is scattered to the workers: a cluster with none would wait in scatter
            client.wait_for_workers(1, timeout=NO_WORKER_SECONDS)
        except TimeoutError:
            for job in sorted(jobs, key=lambda j: j.slug):
                yield Outcome({**_base_row(job), "error": why})
            return
        client.register_plugin(plugin, name=_KernelPlugin.name)
        shared = client.scatter(payload, broadcast=True, hash=False)
        for job in jobs:
            future = client.submit(
                _run_job_on_dask, job, generated_at, shared, pdf, pure=False, retries=1
            )
            futures[future] = job
        pending = set(futures)
        alone_since: float | None = None
        while pending:
            try:
                done, pending = wait(pending, timeout=1.0, return_when="FIRST_COMPLETED")
            except TimeoutError:  # nothing finished this second
                done = set()
            except FuturesCancelledError:  # the scattered payload went with the last worker holding it
                done = {f for f in pending if f.cancelled()}
                pending -= done
            for future in done:
                if future.cancelled():
                    yield Outcome({**_base_row(futures[future]), "error": gone})
                    continue
                try:
                    yield future.result()
                except Exception as error:
                    yield Outcome({**_base_row(futures[future]), "error": _one_line(error)})
            if not pending:
                break
            workers = len(client.scheduler_info(n_workers=-1).get("workers", {})) if not done else 1
            if workers:
                alone_since = None
            elif alone_since is None:
                alone_since = time.monotonic()
            elif time.monotonic() - alone_since > NO_WORKER_SECONDS:
                for future in sorted(pending, key=lambda f: futures[f].slug):
                    future.cancel()
                    yield Outcome({**_base_row(futures[future]), "error": why})
                pending = set()
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
    pdf: bool = False,
    fx: str | os.PathLike[str] | None = None,
) -> BatchResult:
    """Make every unit's report (skipping unchanged ones), then the summary and portfolio page
    (and, given ``actuals``, a tracking page per unit: :mod:`roi_kit.batch.tracking`).

    Raises :class:`BatchError` when the batch cannot start (another batch holds the folder,
    ``pdf`` without chromium, …); a unit's own failure is a row with ``status == "failed"`` and
    the batch goes on. Interrupted or not, ``summary.csv`` and ``index.html`` are rewritten from
    what is on disk when it stops: a unit redone shows its new figures, one not reached its old
    report's (or "not run").
    """

    out = Path(output)
    if out.exists() and not out.is_dir():
        raise BatchError(f"-o {out}: exists and is not a folder")
    if pdf:
        try:
            check_pdf_support()
        except RoiKitError as error:
            raise BatchError(str(error)) from None
    rates = read_fx(fx) if fx else None
    nb_path = Path(notebook).resolve() if notebook else notebook_path()
    jobs = plan(read_units(units, base=base), scenarios, nb_path)
    tracked = actuals_files(actuals, jobs) if actuals is not None else None
    out.mkdir(parents=True, exist_ok=True)
    with folder_lock(out):
        manifest = {} if force else _read_manifest(out)
        old = _read_manifest(out)
        entries = {slug: e for slug, e in old.items() if slug in {j.slug for j in jobs}}
        rows: dict[str, Mapping[str, Any]] = {}
        todo = []
        for job in jobs:
            if _is_current(job, out, manifest) and (not pdf or _pdf_path(out, job).is_file()):
                rows[job.slug] = manifest[job.slug]["row"]
            else:
                todo.append(job)
        when = generated_at or datetime.now(UTC)
        try:
            ran = _execute(
                todo,
                out,
                rows,
                entries,
                workers=workers,
                scheduler=scheduler,
                generated_at=when,
                progress=progress,
                payload=make_payload(nb_path) if scheduler else None,
                pdf=pdf,
            )
            if tracked is not None:
                track_units(jobs, out, rows, tracked, when)
        finally:
            ordered = tuple(rows.get(j.slug) or _on_disk_row(j, out, entries) for j in jobs)
            with _deferred_interrupt():
                write_summary(out, ordered)
                write_atomic(
                    out / "index.html", render_portfolio(ordered, generated_at=when, fx=rates)
                )
        if pdf:
            try:
                print_pdf(out / "index.html", out / "index.pdf")
            except RoiKitError as error:
                raise BatchError(f"portfolio PDF: {error}") from None
    return BatchResult(out, ordered, ran=ran, skipped=len(jobs) - len(todo))


def _pdf_path(out: Path, job: Job) -> Path:
    return out / f"{job.slug}.pdf"


def _on_disk_row(job: Job, out: Path, entries: Mapping[str, Any]) -> Mapping[str, Any]:
    """The row of a job the batch did not reach: its earlier report's, if that is on disk."""
    entry = entries.get(job.slug)
    if isinstance(entry, dict) and (out / f"{job.slug}.html").is_file():
        return entry["row"]
    return {
        **_base_row(job),
        "status": "not run",
        "error": "the batch stopped before this unit ran; rerun to make it",
    }


@contextmanager
def folder_lock(out: Path) -> Iterator[None]:
    """Hold the run folder for this batch; a second batch on it is refused with one line."""
    import fcntl

    path = out / LOCK_FILE
    handle = open(path, "a+", encoding="utf-8")  # noqa: SIM115 - held for the whole block
    try:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError:
            handle.seek(0)
            holder = handle.read().strip() or "another process"
            raise BatchError(
                f"-o {out}: another roi-kit batch is writing to this folder ({holder}); "
                "wait for it to finish or use another folder"
            ) from None
        handle.seek(0)
        handle.truncate()
        handle.write(f"pid {os.getpid()}")
        handle.flush()
        yield
    finally:
        handle.close()


LOCK_FILE = ".roi-kit-batch.lock"


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
    payload: Payload | None = None,
    pdf: bool = False,
) -> int:
    """Run the jobs to do and write each outcome as it arrives; returns how many ran."""
    from tqdm import tqdm

    failed_early = [j for j in todo if j.error]
    runnable = [j for j in todo if not j.error]
    outcomes: Iterable[Outcome] = (Outcome(_base_row(j)) for j in failed_early)
    if runnable:
        if scheduler:
            assert payload is not None
            stream = _dask(runnable, scheduler, generated_at, payload, pdf)
        else:
            count = max(1, min(workers or os.cpu_count() or 1, len(runnable)))
            stream = _local(runnable, count, generated_at, pdf)
        outcomes = _chain(outcomes, stream)
    tqdm.monitor_interval = 0  # no monitor thread: the local workers fork from a single-threaded process
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
    pdf = _safe_target(out, f"{slug}.pdf")
    if outcome.ok and outcome.html is not None:
        write_atomic(report, outcome.html)
        if outcome.pdf is not None:
            write_atomic(pdf, outcome.pdf)
        else:
            pdf.unlink(missing_ok=True)  # an older PDF would not match the new report
        entries[slug] = {"key": key, "row": row}
    else:
        report.unlink(missing_ok=True)  # a stale report would read as current
        pdf.unlink(missing_ok=True)
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
