"""The ``roi-kit`` command line: one thin command per job, each delegating to its module.

Every user-caused problem is a :class:`roi_kit.errors.RoiKitError`; the commands print it as one
line per problem on stderr and exit 2, never a traceback.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Annotated

import typer

from roi_kit.errors import CaseError, RoiKitError

app = typer.Typer(
    add_completion=False,
    no_args_is_help=True,
    help="Finance-grade contact-center ROI cases and board-ready reports.",
    pretty_exceptions_enable=False,
)


def fail(error: RoiKitError, code: int = 2) -> None:
    """Print a toolkit error as one line per problem on stderr and exit with ``code``."""
    for line in str(error).splitlines() or [type(error).__name__]:
        typer.echo(f"error: {line}", err=True)
    raise typer.Exit(code)


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
    from roi_kit import evaluate as run, load_case
    from roi_kit.summary import summary_json, summary_text

    try:
        result = run(load_case(case), scenario=scenario)
    except RoiKitError as error:
        fail(error)
    typer.echo(json.dumps(summary_json(result), indent=2) if as_json else summary_text(result))


@app.command()
def validate(cases: Annotated[list[Path], typer.Argument(help="Case files to check.")]) -> None:
    """Check case files and list every problem, one line each."""
    from roi_kit import load_case

    bad = 0
    for path in cases:
        try:
            load_case(path)
        except CaseError as error:
            bad += 1
            for problem in error.problems:
                typer.echo(f"{path}: {problem}", err=True)
        except RoiKitError as error:
            bad += 1
            typer.echo(f"{path}: {error}", err=True)
        else:
            typer.echo(f"{path}: ok")
    if bad:
        raise typer.Exit(2)


def main() -> None:  # pragma: no cover - console entry point
    app(prog_name="roi-kit")


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
