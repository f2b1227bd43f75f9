"""Write a costing run to a folder: tables as CSV, the baseline YAML, the summary JSON, the page."""

from __future__ import annotations

import json
import os
from pathlib import Path

from pandas.api.types import is_bool_dtype, is_numeric_dtype

from roi_kit._io import atomic_path, csv_safe, write_atomic
from roi_kit.costing.tables import CostingResult
from roi_kit.errors import CostingError


def write_outputs(result: CostingResult, out_dir: str | os.PathLike[str], *, unit: str | None = None,
                  rates_name: str = "", mapping_name: str = "") -> list[Path]:
    """Write every table (``<name>.csv``, text cells through ``csv_safe``), ``baseline.yaml``,
    ``summary.json`` and ``costs.html`` (:mod:`roi_kit.costing.page`) into ``out_dir``, and with
    ``unit`` the starter case ``case.yaml`` (:mod:`roi_kit.costing.starter`); each file
    atomically. Returns the paths."""
    from roi_kit.costing.page import PAGE_NAME, write_page
    from roi_kit.costing.starter import CASE_NAME, starter_case_yaml

    case_text = (starter_case_yaml(result, unit, rates=rates_name, mapping=mapping_name)
                 if unit is not None else None)  # refused before anything is written

    out = Path(out_dir)
    try:
        out.mkdir(parents=True, exist_ok=True)
    except OSError as e:
        raise CostingError(f"{out}: cannot create the output folder ({e.strerror or e})") from None
    written = []
    for name, frame in result.tables.items():
        safe = frame.copy()
        for col in safe.columns:
            if not is_numeric_dtype(safe[col]) and not is_bool_dtype(safe[col]):
                safe[col] = safe[col].astype(object).map(csv_safe)
        with atomic_path(out / f"{name}.csv") as tmp:
            safe.to_csv(tmp, index=False)
        written.append(out / f"{name}.csv")
    written.append(write_atomic(out / "baseline.yaml", result.baseline_yaml()))
    written.append(write_atomic(out / "summary.json",
                                json.dumps(result.to_json(), indent=2, default=str) + "\n"))
    written.append(write_page(result, out / PAGE_NAME))
    if case_text is not None:
        written.append(write_atomic(out / CASE_NAME, case_text))
    return written
