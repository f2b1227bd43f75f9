"""``roi-kit batch … --actuals DIR``: a tracking page per unit, and its status for the portfolio.

DIR holds one actuals file per unit, named by the unit's slug (``emea-retail-support.csv`` or
``.xlsx``); a file that names no unit stops the batch before anything runs (a misspelt name would
otherwise leave a unit untracked without a word). Each unit with a file gets
``RUN/tracking/<slug>.html`` (:mod:`roi_kit.track.page`) and its summary row gains
``tracking_status`` (the worst metric status: triggered, off_track, on_track, no_data; or
``no_actuals``, ``failed``), ``plan_npv``, ``reforecast_npv``, ``tracking_page`` and
``tracking_error``. Tracking runs in the main process: it needs no kernel.
"""

from __future__ import annotations

import os
from collections.abc import Mapping, Sequence
from datetime import datetime
from pathlib import Path
from typing import Any

from roi_kit._io import slugify
from roi_kit.batch.manifest import _safe_target
from roi_kit.batch.plan import Job
from roi_kit.batch.units import _one_line
from roi_kit.case.files import load_case
from roi_kit.errors import BatchError, RoiKitError
from roi_kit.track import read_actuals, track
from roi_kit.track.page import write_page
from roi_kit.track.reforecast import STATUSES

SUFFIXES = (".csv", ".xlsx", ".xls", ".xlsm")
FOLDER = "tracking"


def actuals_files(folder: str | os.PathLike[str], jobs: Sequence[Job]) -> dict[str, Path]:
    """Unit slug → its actuals file in ``folder``; refuses files that name no unit, or two per unit."""
    root = Path(folder)
    if not root.is_dir():
        raise BatchError(f"--actuals {root}: is not a folder (one actuals file per unit, named by its slug)")
    units = {slugify(j.unit) for j in jobs}
    found: dict[str, Path] = {}
    for path in sorted(p for p in root.iterdir() if p.is_file() and not p.name.startswith(".")):
        if path.suffix.lower() not in SUFFIXES:
            continue
        if path.stem not in units:
            raise BatchError(f"--actuals {root}: {path.name} names no unit; files are named by unit slug: "
                             f"{', '.join(sorted(units))}")
        if path.stem in found:
            raise BatchError(f"--actuals {root}: {found[path.stem].name} and {path.name} are both for {path.stem}; keep one")
        found[path.stem] = path
    return found


def worst(statuses: Sequence[str]) -> str:
    """The status that needs attention first (triggered, off_track, on_track, no_data)."""
    return min(statuses, key=STATUSES.index) if statuses else "no_data"


def track_units(jobs: Sequence[Job], out: Path, rows: dict[str, Mapping[str, Any]], files: Mapping[str, Path],
                generated_at: datetime) -> None:
    """Track every unit that ran (once per unit, on its first job's row); replaces those rows."""
    done: set[str] = set()
    for job in jobs:
        slug = slugify(job.unit)
        row = rows[job.slug]
        if slug in done or row.get("status") != "ok":
            continue
        done.add(slug)
        extra: dict[str, Any] = {"tracking_status": "no_actuals", "plan_npv": None, "reforecast_npv": None,
                                 "tracking_page": "", "tracking_error": ""}
        path = files.get(slug)
        if path is not None:
            try:
                case = load_case(job.parameters["case"])
                tracking = track(case, read_actuals(path, case))
                page = _safe_target(out, f"{FOLDER}/{slug}.html")
                write_page(tracking, page, generated_at=generated_at)
            except RoiKitError as error:
                extra.update(tracking_status="failed", tracking_error=_one_line(error))
            else:
                extra.update(tracking_status=worst([m.status for m in tracking.metrics]),
                             plan_npv=tracking.plan.npv, reforecast_npv=tracking.reforecast.npv,
                             tracking_page=f"{FOLDER}/{slug}.html", as_of=tracking.as_of)
        rows[job.slug] = {**row, **extra}
