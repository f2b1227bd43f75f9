"""What a run folder holds: the manifest of what each report was built from, and the summary table.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from roi_kit import __version__
from roi_kit._io import csv_safe, write_atomic
from roi_kit.batch.plan import Job
from roi_kit.errors import BatchError

MANIFEST = ".roi-kit-batch.json"


#: The headline figures kept in the summary, in column order (from ``roi_kit.board.summary``).
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
    "warnings",
    "currency",
    *FIGURES,
    "report",
    "input_hash",
    "source",
)


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
