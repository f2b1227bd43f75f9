"""The ``roi-kit`` command line: one thin command per job, each delegating to its module.

Every user-caused problem is a :class:`roi_kit.errors.RoiKitError`; the commands print it as one
line per problem on stderr and exit 2, never a traceback.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Annotated, Any

import typer
from typer.core import TyperGroup

from roi_kit import __version__
from roi_kit.board.export import render
from roi_kit.board.summary import summary_json, summary_text
from roi_kit.case.files import load_case
from roi_kit.case.schema import case_json_schema
from roi_kit.errors import CaseError, RoiKitError
from roi_kit.model.result import evaluate as evaluate_case
from roi_kit.track import read_actuals, tracking_json
from roi_kit.track import track as track_case
from roi_kit.track.page import write_page as write_tracking_page


class _OneLineErrors(TyperGroup):
    """The command group, with a mistyped command line reported like every other problem: one
    line on stderr naming the command, the option, the value and what it accepts; exit 2."""

    def main(self, args: Any = None, *rest: Any, standalone_mode: bool = True, **kwargs: Any) -> Any:
        argv = sys.argv[1:] if args is None else list(args)
        if not standalone_mode or not argv:  # plain `roi-kit` shows the help, as typer does
            return super().main(args, *rest, standalone_mode=standalone_mode, **kwargs)
        try:
            rv = super().main(argv, *rest, standalone_mode=False, **kwargs)
        except typer.TyperException as e:  # a bad option, argument or command
            ctx = getattr(e, "ctx", None)
            where = ctx.command_path if ctx is not None else "roi-kit"
            typer.echo(f"error: {where}: {' '.join(e.format_message().split())} "
                       f"(see {where} --help)", err=True)
            sys.exit(e.exit_code)
        except typer.Abort:
            typer.echo("Aborted.", err=True)
            sys.exit(1)
        sys.exit(rv if isinstance(rv, int) else 0)


app = typer.Typer(
    cls=_OneLineErrors,
    add_completion=True,
    no_args_is_help=True,
    help="Finance-grade contact-center ROI cases and board-ready reports.",
    pretty_exceptions_enable=False,
)


def _version(value: bool) -> None:
    if value:
        typer.echo(f"roi-kit {__version__}")
        raise typer.Exit()


@app.callback()
def _main(
    version: Annotated[bool, typer.Option(
        "--version", callback=_version, is_eager=True, help="Print the version and exit.")] = False,
) -> None:
    """Finance-grade contact-center ROI cases and board-ready reports."""


def fail(error: RoiKitError, code: int = 2) -> None:
    """Print a toolkit error as one line per problem on stderr and exit with ``code``."""
    for line in str(error).splitlines() or [type(error).__name__]:
        typer.echo(f"error: {line}", err=True)
    raise typer.Exit(code)


def _not_written(path: Path, error: OSError) -> None:
    """A place that cannot be written (full disk, read-only, no such folder) as one line; exit 2."""
    why = error.strerror or type(error).__name__
    typer.echo(f"error: {path}: cannot be written ({why})", err=True)
    raise typer.Exit(2)


def _check_output_file(path: Path) -> None:
    """Refuse, before any work, an output file that is a folder or would sit under a file."""
    if path.is_dir():
        typer.echo(f"error: {path}: is a folder; give the report's file name, e.g. {path / 'report.html'}", err=True)
        raise typer.Exit(2)
    for parent in path.parents:
        if parent.exists():
            if not parent.is_dir():
                typer.echo(f"error: {path}: cannot be written: {parent} is a file, not a folder", err=True)
                raise typer.Exit(2)
            break


CaseArg = Annotated[Path, typer.Argument(help="A case file (YAML or JSON).")]
ScenarioOpt = Annotated[
    str, typer.Option("--scenario", "-s", help="conservative, expected or optimistic.")
]


@app.command()
def evaluate(
    case: CaseArg,
    scenario: ScenarioOpt = "expected",
    as_json: Annotated[bool, typer.Option("--json", help="Print one JSON object.")] = False,
) -> None:
    """Evaluate a case and print its summary."""

    try:
        result = evaluate_case(load_case(case), scenario=scenario)
    except RoiKitError as error:
        fail(error)
    except KeyboardInterrupt:
        typer.echo("interrupted", err=True)
        raise typer.Exit(130) from None
    typer.echo(json.dumps(summary_json(result), indent=2) if as_json else summary_text(result))


@app.command()
def validate(
    cases: Annotated[list[Path], typer.Argument(help="Case files to check.")],
    as_json: Annotated[bool, typer.Option("--json", help="Print one JSON object.")] = False,
) -> None:
    """Check case files and list every problem, one line each (a case must also evaluate)."""

    bad = 0
    report: list[dict[str, Any]] = []
    for done, path in enumerate(cases):
        problems: list[str] = []
        try:
            evaluate_case(load_case(path))  # a lever may need an input the case lacks: say so here
        except KeyboardInterrupt:
            typer.echo(f"interrupted: {done} of {len(cases)} files checked", err=True)
            raise typer.Exit(130) from None
        except CaseError as error:
            problems = [str(p) for p in error.problems]
        except RoiKitError as error:
            problems = [str(error)]
        bad += bool(problems)
        report.append({"file": str(path), "ok": not problems, "problems": problems})
        if as_json:
            continue
        for problem in problems:
            typer.echo(f"{path}: {problem}", err=True)
        if not problems:
            typer.echo(f"{path}: ok")
    if as_json:
        typer.echo(json.dumps({"ok": not bad, "files": report}, indent=2))
    if bad:
        raise typer.Exit(2)


@app.command()
def schema() -> None:
    """Print the JSON Schema of the case format (for editors: YAML language servers, VS Code)."""

    typer.echo(json.dumps(case_json_schema(), indent=2))


@app.command()
def costs(
    contacts: Annotated[Path, typer.Argument(help="Contacts export: CSV, Parquet or Excel.")],
    rates: Annotated[Path | None, typer.Option("--rates", help="Rates YAML (at least default_hourly_cost).")] = None,
    mapping: Annotated[Path | None, typer.Option("--mapping", help="Column/value mapping YAML.")] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print one JSON object.")] = False,
    out: Annotated[Path | None, typer.Option("--out", help="Write the costs.html page, tables (CSV), baseline.yaml and summary.json here.")] = None,
    memory_limit: Annotated[str | None, typer.Option(
        "--memory-limit", help="Memory the engine may use, e.g. 2GB; beyond it, it spills to disk.")] = None,
    temp_dir: Annotated[Path | None, typer.Option(
        "--temp-dir", help="Where the engine spills (default: a .tmp folder here).")] = None,
    threads: Annotated[int | None, typer.Option("--threads", min=1, help="Engine threads (default: cores).")] = None,
    unit: Annotated[str | None, typer.Option("--unit", help="Business unit: also write OUT/case.yaml, a starter case.")] = None,
    init_mapping: Annotated[bool, typer.Option("--init-mapping", help="Print a starter mapping guessed from the export's header.")] = False,
) -> None:
    """Build contact-level costs bottom-up from an interaction export.

    Start with --init-mapping EXPORT: it prints a mapping guessed from the header. The mapping (YAML) keys:

    columns {CANONICAL: SOURCE}.  values {CANONICAL: {CODE: VALUE}}: outcome codes to handled, abandoned or virtual (excluded); a code to "" means unknown.

    missing {COLUMN or "*": [CODES]}: codes meaning unknown, such as "0", "?", NO_SERVER.

    constants {CANONICAL: VALUE}: one value for a column the export lacks (channel: voice, talk_seconds: 600).

    timestamps {started_at: {date: COL, time: COL, format: "%y%m%d %H:%M:%S"}}.

    events {key: COL, order_by: COL}: an event log; one contact per key, its last row by order_by.
    """
    from roi_kit.costing.cli import run_costs  # DuckDB: loaded only by this command

    try:
        typer.echo(run_costs(contacts, rates=rates, mapping=mapping, as_json=as_json, out=out,
                             engine={"memory_limit": memory_limit, "threads": threads,
                                     "temp_directory": str(temp_dir) if temp_dir else None},
                             unit=unit, init_mapping=init_mapping))
    except RoiKitError as error:
        fail(error)
    except OSError as error:  # e.g. a full disk under --out: the outputs land together or not at all
        if out is not None:
            _not_written(out, error)
        typer.echo(f"error: {error.filename or contacts}: {error.strerror or type(error).__name__}", err=True)
        raise typer.Exit(2) from None
    except KeyboardInterrupt:
        typer.echo("interrupted: no costing outputs written", err=True)
        raise typer.Exit(130) from None


@app.command()
def batch(
    units: Annotated[Path, typer.Argument(help="A folder of case files, or a CSV/Excel table.")],
    output: Annotated[Path, typer.Option("--output", "-o", help="The run folder, e.g. reports/RUN.")],
    base: Annotated[
        Path | None, typer.Option("--base", help="Base case a table's rows override.")
    ] = None,
    scenario: Annotated[
        list[str] | None, typer.Option("--scenario", "-s", help="Scenario(s); repeatable.")
    ] = None,
    workers: Annotated[int | None, typer.Option("--workers", "-w", min=1)] = None,
    scheduler: Annotated[
        str | None, typer.Option("--scheduler", help="Dask scheduler address (tcp://host:8786).")
    ] = None,
    force: Annotated[bool, typer.Option("--force", help="Redo units that are up to date.")] = False,
    actuals: Annotated[Path | None, typer.Option(
        "--actuals", help="A folder of actuals, one file per unit named by its slug: adds a tracking page each.")] = None,
    pdf: Annotated[bool, typer.Option("--pdf", help="Also a PDF per unit and for the portfolio (chromium).")] = False,
    fx: Annotated[Path | None, typer.Option(
        "--fx", help="FX.yaml: group currency, rates, their date and source; one group total.")] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print one JSON object (rows and totals).")] = False,
) -> None:
    """A report per unit, summary.csv/.parquet and index.html; exit 1 if any unit failed."""
    from roi_kit._io import gc_paused

    with gc_paused():
        from roi_kit.batch.run import run_batch  # papermill, dask: ≈1.2 s the other commands skip

    try:
        result = run_batch(
            units, output, base=base, scenarios=tuple(scenario or ("expected",)),
            workers=workers, scheduler=scheduler, force=force, actuals=actuals, pdf=pdf, fx=fx,
            progress=not as_json,
        )
    except RoiKitError as error:
        fail(error)
    except OSError as error:  # a full disk, a read-only run folder
        _not_written(output, error)
    except KeyboardInterrupt:
        typer.echo("interrupted: finished reports are kept, summary.csv and index.html match "
                   "them; rerun to do the rest", err=True)
        raise typer.Exit(130) from None
    done = len(result.rows) - len(result.failures)
    if as_json:
        rows = [{k: v for k, v in r.items() if k not in ("slug", "key")} for r in result.rows]
        typer.echo(json.dumps({"output": str(result.output), "ran": result.ran,
                               "skipped": result.skipped, "ok": done,
                               "failed": len(result.failures), "rows": rows}, indent=2, default=str))
        raise typer.Exit(1 if result.failures else 0)
    for line in result.table_lines():
        typer.echo(line)
    typer.echo(
        f"{done} of {len(result.rows)} reports in {result.output} "
        f"({result.ran} run, {result.skipped} up to date); portfolio: {result.output / 'index.html'}"
    )
    rejected = [r for r in result.rows if r.get("tracking_error")]
    for r in rejected:
        typer.echo(f"tracking failed: {r['unit']}: {r['tracking_error']}", err=True)
    if result.failures:
        if lost := result.lost_line():
            typer.echo(f"error: {lost}", err=True)
        for line in result.failure_lines():
            typer.echo(f"failed: {line}", err=True)
        raise typer.Exit(1)
    if rejected:
        raise typer.Exit(1)


@app.command()
def report(
    case: CaseArg,
    output: Annotated[Path, typer.Option("--output", "-o", help="The HTML file to write.")],
    scenario: ScenarioOpt = "expected",
    pdf: Annotated[bool, typer.Option("--pdf", help="Also print a PDF beside it (chromium).")] = False,
) -> None:
    """Execute the report notebook for a case and write one offline board HTML (and PDF)."""
    _check_output_file(output)
    try:
        path = render(case, scenario=scenario, output=output, pdf=pdf)
    except RoiKitError as error:
        fail(error)
    except OSError as error:  # a full disk, a read-only place: written atomically, so nothing half-written
        _not_written(output, error)
    except KeyboardInterrupt:
        typer.echo("interrupted: no report written", err=True)
        raise typer.Exit(130) from None
    typer.echo(f"{path}" + (f"\n{path.with_suffix('.pdf')}" if pdf else ""))


@app.command()
def track(
    case: CaseArg,
    actuals: Annotated[Path, typer.Argument(help="Actuals: CSV or Excel, columns month,metric,value.")],
    output: Annotated[Path | None, typer.Option("--output", "-o", help="The tracking page (HTML) to write.")] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print one JSON object.")] = False,
) -> None:
    """Set an approved case against its monthly actuals: status per metric, realised benefit to
    date, and the re-forecast; write the tracking page."""

    if output is None and not as_json:
        typer.echo("error: roi-kit track: give -o OUT.html for the page, --json for the figures, or both "
                   "(see roi-kit track --help)", err=True)
        raise typer.Exit(2)
    try:
        loaded = load_case(case)
        tracking = track_case(loaded, read_actuals(actuals, loaded))
        path = write_tracking_page(tracking, output) if output is not None else None
    except RoiKitError as error:
        fail(error)
    if as_json:
        typer.echo(json.dumps(tracking_json(tracking), indent=2))
    else:
        typer.echo(str(path))


def main() -> None:  # pragma: no cover - console entry point
    app(prog_name="roi-kit")


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
