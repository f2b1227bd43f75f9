"""Write a costing run to a folder: tables as CSV, the baseline YAML, the summary JSON, the page."""

from __future__ import annotations

import json
import os
import shutil
import tempfile
from pathlib import Path

from pandas.api.types import is_bool_dtype, is_numeric_dtype

from roi_kit._io import atomic_path, csv_safe, write_atomic
from roi_kit.costing.tables import CostingResult
from roi_kit.errors import CostingError


def write_outputs(result: CostingResult, out_dir: str | os.PathLike[str], *, unit: str | None = None,
                  rates_name: str = "", mapping_name: str = "") -> list[Path]:
    """Write every table (``<name>.csv``, text cells through ``csv_safe``), ``baseline.yaml``,
    ``summary.json`` and ``costs.html`` (:mod:`roi_kit.costing.page`) into ``out_dir``, and with
    ``unit`` the starter case ``case.yaml`` (:mod:`roi_kit.costing.starter`): all of them or none.
    Each is first written into a staging folder inside ``out_dir``; only when every file is complete
    are they renamed into place (a full disk after eight files leaves the old run whole, not eight
    new files and three old). Returns the paths."""
    from roi_kit.costing import page
    from roi_kit.costing.starter import CASE_NAME, starter_case_yaml

    case_text = (starter_case_yaml(result, unit, rates=rates_name, mapping=mapping_name)
                 if unit is not None else None)  # refused before anything is written

    out = Path(out_dir)
    try:
        out.mkdir(parents=True, exist_ok=True)
    except OSError as e:
        raise CostingError(f"{out}: cannot create the output folder ({e.strerror or e})") from None
    staging = Path(tempfile.mkdtemp(prefix=".costs-", suffix=".tmp", dir=out))
    try:
        names = []
        for name, frame in result.tables.items():
            safe = frame.copy()
            for col in safe.columns:
                if not is_numeric_dtype(safe[col]) and not is_bool_dtype(safe[col]):
                    safe[col] = safe[col].astype(object).map(csv_safe)
            with atomic_path(staging / f"{name}.csv") as tmp:
                safe.to_csv(tmp, index=False)
            names.append(f"{name}.csv")
        write_atomic(staging / "baseline.yaml", result.baseline_yaml())
        write_atomic(staging / "summary.json", json.dumps(result.to_json(), indent=2, default=str) + "\n")
        page.write_page(result, staging / page.PAGE_NAME)
        names += ["baseline.yaml", "summary.json", page.PAGE_NAME]
        if case_text is not None:
            write_atomic(staging / CASE_NAME, case_text)
            names.append(CASE_NAME)
        for name in names:  # same folder, same disk: renames, which need no space
            os.replace(staging / name, out / name)
        return [out / name for name in names]
    finally:
        shutil.rmtree(staging, ignore_errors=True)
