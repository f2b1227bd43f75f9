"""The units of a batch: a folder of case files, or one CSV/Excel table with a row per unit over a base case.
"""

from __future__ import annotations

import json
import math
import os
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from roi_kit.case.files import load_case, read_case_file
from roi_kit.errors import BatchError, CaseError, RoiKitError, show_direction_controls

CASE_SUFFIXES = (".yaml", ".yml", ".json")


TABLE_SUFFIXES = (".csv", ".xlsx", ".xls")


UNIT_COLUMN = "unit"


@dataclass(frozen=True)
class Unit:
    """One business unit as read from the units source: its case, or why it could not be read."""

    name: str
    source: str
    case: Any = None  # roi_kit.case.Case when it loaded
    error: str = ""


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
                # the row's unit is the case's (its report's title), checked as the case's fields are
                case = base_case.with_overrides({**overrides, UNIT_COLUMN: name}, unit=name)
            else:
                case = load_case(_nest({**overrides, "unit": name}))
        except RoiKitError as error:
            # a valid case's unit holds no direction control; a refused one's is shown, not obeyed
            units.append(Unit(show_direction_controls(name), source, error=_one_line(error)))
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

    files = sorted(p for p in folder.iterdir() if p.suffix.lower() in CASE_SUFFIXES and p.is_file())
    if not files:
        raise BatchError(f"{folder}: no case files (*.yaml, *.yml, *.json) in this folder")
    units = []
    for path in files:
        source = show_direction_controls(path.name)  # shown in the summary, the page, errors
        try:
            case = load_case(path)
        except RoiKitError as error:
            units.append(Unit(_declared_unit(path), source, error=_one_line(error)))
        else:
            units.append(Unit(case.unit, source, case=case))
    return units


def _declared_unit(path: Path) -> str:
    """The ``unit:`` a case file declares even when the rest is invalid, else the file's stem."""
    try:  # read by the case loader's rules: a hostile file is refused here too, not crashed on
        data = read_case_file(path)
    except RoiKitError:
        return path.stem
    name = data.get("unit") if isinstance(data, dict) else None
    name = str(name) if isinstance(name, str | int | float) and str(name).strip() else path.stem
    return show_direction_controls(name)  # the file was refused: its U+202E is shown, not obeyed


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
