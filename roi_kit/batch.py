"""Many units, one command: a report per unit and scenario, a summary table and a portfolio page.

``run_batch(units, output)`` reads the units (a folder of case files, or one CSV/Excel table with a
row per unit whose columns are dotted field paths over a base case), then runs one *job* per unit
and scenario: papermill executes the report notebook with the unit's parameters on a kept kernel
(:mod:`roi_kit.kernel`), the HTML is exported once per job with the report's cached exporter, and
the main process writes every file atomically:

    RUN/<slug>.html                 the report
    RUN/notebooks/<slug>.ipynb      the executed notebook (kept for audit, failed ones included)
    RUN/summary.csv, summary.parquet  a row per unit and scenario: headline figures, status, error
    RUN/index.html                  the portfolio page (:mod:`roi_kit.portfolio`)
    RUN/.roi-kit-batch.json         the manifest: what each report was built from

Jobs run on local worker processes (each keeps one kernel) or, given a scheduler address, on a Dask
cluster. A job whose key — sha256 of the case's input hash, the scenario, the roi_kit version and
the notebook's bytes — matches the manifest and whose files exist is skipped (``force`` redoes it).
One unit's bad input or failing notebook is recorded in its row; the others finish.

Only the main process writes files, each atomically, so Ctrl-C leaves finished reports whole and
no half-written file: a rerun picks up where it stopped.
"""

from __future__ import annotations

import hashlib
import json
import math
import os
import signal
import sys
import threading
import time
from collections.abc import Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from roi_kit import __version__
from roi_kit._io import csv_safe, slugify, write_atomic
from roi_kit.errors import BatchError, CaseError, RoiKitError

CASE_SUFFIXES = (".yaml", ".yml", ".json")
TABLE_SUFFIXES = (".csv", ".xlsx", ".xls")
UNIT_COLUMN = "unit"
MANIFEST = ".roi-kit-batch.json"
#: The headline figures kept in the summary, in column order (from ``roi_kit.summary``).
FIGURES = (
    "npv",
    "roi",
    "simple_roi",
    "irr",
    "payback_months",
    "pv_benefits",
    "pv_costs",
    "initial_investment",
    "total_benefits",
    "total_costs",
    "run_rate_net_benefit",
)
COLUMNS = (
    "unit",
    "scenario",
    "status",
    "error",
    "currency",
    *FIGURES,
    "report",
    "input_hash",
    "source",
)


# --------------------------------------------------------------------------- units and jobs


@dataclass(frozen=True)
class Unit:
    """One business unit as read from the units source: its case, or why it could not be read."""

    name: str
    source: str
    case: Any = None  # roi_kit.case.Case when it loaded
    error: str = ""


@dataclass(frozen=True)
class Job:
    """One report to make: a unit in a scenario. ``parameters`` are the notebook's (JSON-safe)."""

    unit: str
    scenario: str
    slug: str
    source: str
    key: str = ""
    parameters: Mapping[str, Any] = field(default_factory=dict)
    notebook: str = ""
    error: str = ""


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
        from roi_kit import fmt

        ok = [r for r in self.rows if r["status"] == "ok"]
        if not ok:
            return []
        width = min(48, max(len(str(r["unit"])) for r in ok))
        head = f"{'unit':<{width}}  {'scenario':<12} {'NPV':>10} {'ROI':>8} {'payback':>10}"
        lines = [head, "-" * len(head)]
        for r in ok:
            lines.append(
                f"{str(r['unit'])[:width]:<{width}}  {r['scenario']!s:<12} "
                f"{fmt.money(r['npv'], str(r['currency'])):>10} {fmt.pct(r['roi'], 0):>8} "
                f"{fmt.months(r['payback_months'], never='never'):>10}"
            )
        return lines

    def failure_lines(self) -> list[str]:
        """One line per failed job: ``unit [scenario]: why``."""
        return [f"{r['unit']} [{r['scenario']}]: {r['error']}" for r in self.failures]


def _one_line(error: BaseException | str) -> str:
    """An error as one line (a case's problems joined by '; ')."""
    if isinstance(error, CaseError):
        text = "; ".join(str(p) for p in error.problems)
    else:
        text = (
            str(error)
            if isinstance(error, str | RoiKitError)
            else f"{type(error).__name__}: {error}"
        )
    return " ".join(text.split()) or "failed"


def _cell(value: Any) -> Any:
    """A table cell as the case loader wants it: numbers as numbers, "14%" and text as text.

    Empty cells (``""``, NaN) give ``None`` and are not applied; a cell written as a JSON list
    (``[40000, 60000]``) becomes a list, for fields such as ``per_year``.
    """
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return None
    if hasattr(value, "item"):  # numpy scalar from Excel
        value = value.item()
    if not isinstance(value, str):
        return value
    text = value.strip()
    if not text:
        return None
    if text.startswith("[") and text.endswith("]"):
        try:
            return json.loads(text)
        except ValueError:
            return text
    for kind in (int, float):
        try:
            return kind(text.replace(",", "")) if kind is float else kind(text)
        except ValueError:
            continue
    return text


def _read_table(path: Path):
    import pandas as pd

    try:
        if path.suffix.lower() == ".csv":
            return pd.read_csv(path, dtype=str, keep_default_na=False)
        return pd.read_excel(path, dtype=object)
    except (OSError, ValueError, ImportError) as error:
        raise BatchError(f"{path}: cannot read the units table ({_one_line(error)})") from None


def units_from_table(path: Path, base: Path | None = None) -> list[Unit]:
    """A unit per row of a CSV/Excel table: columns are dotted field paths over the base case.

    The ``unit`` column names the unit. A row whose overrides do not make a valid case becomes a
    unit with an ``error`` (the batch records it and goes on).
    """
    from roi_kit.case import load_case

    table = _read_table(path)
    columns = [str(c).strip() for c in table.columns]
    if UNIT_COLUMN not in columns:
        raise BatchError(
            f"{path}: no {UNIT_COLUMN!r} column (columns: {', '.join(columns) or 'none'}); "
            "the table needs one row per unit, named in a 'unit' column"
        )
    base_case = None
    if base is not None:
        try:
            base_case = load_case(base)
        except CaseError as error:
            raise BatchError(f"base case {base}: {_one_line(error)}") from None
    units = []
    for number, values in enumerate(table.itertuples(index=False), start=2):
        row = dict(zip(columns, values, strict=True))
        name = str(_cell(row.pop(UNIT_COLUMN)) or f"row {number}")
        source = f"{path.name} row {number}"
        overrides = {k: v for k, v in ((k, _cell(v)) for k, v in row.items()) if v is not None}
        try:
            if base_case is not None:
                case = base_case.with_overrides(overrides, unit=name)
            else:
                case = load_case(_nest({**overrides, "unit": name}))
        except RoiKitError as error:
            units.append(Unit(name, source, error=_one_line(error)))
        else:
            units.append(Unit(name, source, case=case))
    return units


def _nest(flat: Mapping[str, Any]) -> dict[str, Any]:
    """``{"a.b": 1}`` → ``{"a": {"b": 1}}`` (a table used without a base case)."""
    out: dict[str, Any] = {}
    for path, value in flat.items():
        node = out
        *parents, last = path.split(".")
        for part in parents:
            node = node.setdefault(part, {})
        node[last] = value
    return out


def units_from_folder(folder: Path) -> list[Unit]:
    """A unit per case file (``*.yaml``, ``*.yml``, ``*.json``) in ``folder``, sorted by name."""
    from roi_kit.case import load_case

    files = sorted(p for p in folder.iterdir() if p.suffix.lower() in CASE_SUFFIXES and p.is_file())
    if not files:
        raise BatchError(f"{folder}: no case files (*.yaml, *.yml, *.json) in this folder")
    units = []
    for path in files:
        try:
            case = load_case(path)
        except RoiKitError as error:
            units.append(Unit(_declared_unit(path), path.name, error=_one_line(error)))
        else:
            units.append(Unit(case.unit, path.name, case=case))
    return units


def _declared_unit(path: Path) -> str:
    """The ``unit:`` a case file declares even when the rest is invalid, else the file's stem."""
    import yaml

    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, yaml.YAMLError):
        return path.stem
    name = data.get("unit") if isinstance(data, dict) else None
    return str(name) if isinstance(name, str | int | float) and str(name).strip() else path.stem


def read_units(
    source: str | os.PathLike[str], *, base: str | os.PathLike[str] | None = None
) -> list[Unit]:
    """The units of a batch: a folder of case files, or one CSV/Excel table over ``base``."""
    path = Path(source)
    if path.is_dir():
        if base is not None:
            raise BatchError(f"--base applies to a units table, not a folder of cases ({path})")
        return units_from_folder(path)
    if path.is_file() and path.suffix.lower() in TABLE_SUFFIXES:
        return units_from_table(path, Path(base) if base is not None else None)
    if not path.exists():
        raise BatchError(f"{path}: no such folder or table")
    raise BatchError(
        f"{path}: units must be a folder of case files or a table ({', '.join(TABLE_SUFFIXES)})"
    )


def plan(units: Sequence[Unit], scenarios: Sequence[str], notebook: Path) -> list[Job]:
    """A job per unit and scenario, with safe unique slugs and the key that decides a rerun.

    With one scenario a report is ``<unit-slug>.html``; with several, ``<unit-slug>-<scenario>``.
    Two jobs with one slug are refused (never one report overwriting another).
    """
    from roi_kit.case import SCENARIOS
    from roi_kit.report import notebook_parameters

    unknown = [s for s in scenarios if s not in SCENARIOS]
    if unknown or not scenarios:
        raise BatchError(f"--scenario {', '.join(unknown)} is not one of {', '.join(SCENARIOS)}")
    notebook_hash = hashlib.sha256(notebook.read_bytes()).hexdigest()
    jobs: list[Job] = []
    owners: dict[str, Job] = {}
    for unit in units:
        for scenario in dict.fromkeys(scenarios):
            slug = slugify(unit.name) if len(scenarios) == 1 else slugify(f"{unit.name}-{scenario}")
            job = Job(
                unit.name, scenario, slug, unit.source, notebook=str(notebook), error=unit.error
            )
            if slug in owners:
                other = owners[slug]
                raise BatchError(
                    f"units {other.unit!r} ({other.source}) and {unit.name!r} ({unit.source}) both "
                    f"make the file name {slug!r}: rename one (reports are never overwritten)"
                )
            owners[slug] = job
            if unit.case is not None:
                job = replace(
                    job,
                    key=_job_key(unit.case.input_hash, scenario, notebook_hash),
                    parameters=notebook_parameters(
                        case=unit.case.model_dump(mode="json"), scenario=scenario
                    ),
                )
            jobs.append(job)
    return jobs


def _job_key(input_hash: str, scenario: str, notebook_hash: str) -> str:
    """sha256 over what a report is made from: inputs, scenario, toolkit version, notebook."""
    text = json.dumps([input_hash, scenario, __version__, notebook_hash])
    return hashlib.sha256(text.encode()).hexdigest()


# --------------------------------------------------------------------------- the worker side


_LOCAL = threading.local()


def _worker_init() -> None:
    """In a local worker process: leave Ctrl-C to the main process; exit cleanly on SIGTERM.

    jsonschema imports ``rfc3987_syntax`` (≈1.2 s) when installed, only to check "iri" formats
    that the notebook schema never uses: it is skipped here, before nbformat is imported.
    """
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    sys.modules.setdefault("rfc3987_syntax", None)


def _kernel(notebook: str):
    """This thread's warm kernel, started on first use with the notebook's imports preloaded."""
    kernel = getattr(_LOCAL, "kernel", None)
    if kernel is None:
        from multiprocessing.util import Finalize

        import nbformat

        from roi_kit.kernel import WarmKernel, notebook_imports

        sys.modules.setdefault("rfc3987_syntax", None)
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
        "currency": "",
        **dict.fromkeys(FIGURES),
        "report": "",
        "input_hash": "",
        "source": job.source,
        "slug": job.slug,
        "key": job.key,
    }


def summary_row(job: Job, figures: Mapping[str, Any]) -> dict[str, Any]:
    """The summary row of a job that ran: the headline figures ``roi_kit.summary`` gives."""
    row = _base_row(job)
    row.update({k: figures.get(k) for k in FIGURES})
    row.update(
        status="ok", error="", currency=figures.get("currency", ""), report=f"{job.slug}.html"
    )
    return row


def run_job(job: Job, generated_at: datetime | None = None) -> Outcome:
    """Execute one job on this worker's kept kernel; never raises for a unit's own problem."""
    row = _base_row(job)
    if job.error:
        return Outcome(row)
    import nbformat
    from papermill.exceptions import PapermillExecutionError

    from roi_kit import evaluate, load_case
    from roi_kit.report import export_html
    from roi_kit.summary import summary_json

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


# --------------------------------------------------------------------------- executors


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
    sys.modules.setdefault("rfc3987_syntax", None)
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


# --------------------------------------------------------------------------- the run


def _read_manifest(output: Path) -> dict[str, Any]:
    try:
        data = json.loads((output / MANIFEST).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    return data.get("jobs", {}) if isinstance(data, dict) else {}


def _write_manifest(output: Path, entries: Mapping[str, Any]) -> None:
    text = json.dumps(
        {"roi_kit": __version__, "jobs": entries}, indent=1, sort_keys=True, default=str
    )
    write_atomic(output / MANIFEST, text)


def _is_current(job: Job, output: Path, manifest: Mapping[str, Any]) -> bool:
    entry = manifest.get(job.slug)
    return (
        bool(job.key)
        and isinstance(entry, dict)
        and entry.get("key") == job.key
        and (output / f"{job.slug}.html").is_file()
        and (output / "notebooks" / f"{job.slug}.ipynb").is_file()
    )


def _safe_target(output: Path, name: str) -> Path:
    """``output/name``, refusing anything that would land outside ``output``."""
    target = (output / name).resolve()
    if output.resolve() not in target.parents:
        raise BatchError(f"refusing to write outside the run folder: {name!r}")
    return target


_CSV_PLACES = {"roi": 6, "simple_roi": 6, "irr": 6, "payback_months": 2}


def write_summary(output: Path, rows: Sequence[Mapping[str, Any]]) -> None:
    """``summary.csv`` (formula-looking text neutralised) and ``summary.parquet``, atomically."""
    import pandas as pd

    from roi_kit._io import atomic_path

    frame = pd.DataFrame([{c: r.get(c) for c in COLUMNS} for r in rows], columns=list(COLUMNS))
    for column in FIGURES:
        frame[column] = pd.to_numeric(frame[column], errors="coerce").astype("float64")
    with atomic_path(output / "summary.parquet") as tmp:
        frame.to_parquet(tmp, index=False)
    text_columns = [c for c in COLUMNS if c not in FIGURES]
    safe = frame.copy()
    for column in text_columns:
        safe[column] = safe[column].map(lambda v: csv_safe("" if v is None else str(v)))
    # the CSV is read by people in spreadsheets: money to the cent, ratios to 6 places, payback to
    # 2 (the Parquet keeps full precision for machines)
    for column in FIGURES:
        places = _CSV_PLACES.get(column, 2)
        safe[column] = safe[column].round(places)
    with atomic_path(output / "summary.csv") as tmp:
        safe.to_csv(tmp, index=False)


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
) -> BatchResult:
    """Make every unit's report (skipping unchanged ones), then the summary and portfolio page.

    Raises :class:`BatchError` when the batch cannot start; a unit's own failure is a row with
    ``status == "failed"`` and the batch goes on.
    """
    from roi_kit.report import notebook_path

    out = Path(output)
    if out.exists() and not out.is_dir():
        raise BatchError(f"-o {out}: exists and is not a folder")
    nb_path = Path(notebook).resolve() if notebook else notebook_path()
    jobs = plan(read_units(units, base=base), scenarios, nb_path)
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
    ordered = tuple(rows[j.slug] for j in jobs)
    write_summary(out, ordered)
    from roi_kit.portfolio import render_portfolio

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
    "Unit",
    "plan",
    "read_units",
    "run_batch",
    "run_job",
    "units_from_folder",
    "units_from_table",
]
