"""Case files, both ways: read YAML/JSON into a validated case, write a case as readable YAML.

Reading refuses duplicate keys and reports every problem in one line each; writing keeps model
order, writes rates as ``"14%"`` and leaves unset values out, atomically, and loads back equal.
"""

from __future__ import annotations

import math
import os
import sys
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import yaml
from pydantic import (
    BaseModel,
)

from roi_kit._io import slugify, write_atomic
from roi_kit.case.fields import _is_rate
from roi_kit.case.overrides import _resolve
from roi_kit.case.schema import Case, _validate
from roi_kit.errors import CaseError, Problem


class _UniqueKeyLoader(yaml.SafeLoader):
    """A safe YAML loader that refuses duplicate keys instead of keeping the last one."""


def _rejoin_commas(node: yaml.MappingNode) -> None:
    """Mend ``{name: Admin, QA and upkeep, per_year: 1}``: YAML splits unquoted text at a comma.

    In a flow mapping, a bare entry with no value (``QA and upkeep``) right after a plain text
    value is the rest of that text, as its writer meant; it is joined back with ", ".
    """
    mended: list[tuple[yaml.Node, yaml.Node]] = []
    for key_node, value_node in node.value:
        bare = (
            isinstance(value_node, yaml.ScalarNode)
            and value_node.tag == "tag:yaml.org,2002:null"
            and value_node.value == ""
            and isinstance(key_node, yaml.ScalarNode)
            and key_node.style is None
        )
        previous = mended[-1][1] if mended else None
        if (
            bare
            and isinstance(previous, yaml.ScalarNode)
            and previous.style is None
            and previous.tag == "tag:yaml.org,2002:str"
        ):
            previous.value = f"{previous.value}, {key_node.value}"
            continue
        mended.append((key_node, value_node))
    node.value = mended


def _mapping_without_duplicates(loader: _UniqueKeyLoader, node: yaml.MappingNode, deep: bool = False) -> dict:
    if node.flow_style:
        _rejoin_commas(node)
    seen: set[Any] = set()
    for key_node, _ in node.value:
        key = loader.construct_object(key_node, deep=deep)
        if key in seen:
            raise yaml.constructor.ConstructorError(
                None, None, f"duplicate key {key!r} (each field may appear once)", key_node.start_mark
            )
        seen.add(key)
    return loader.construct_mapping(node, deep=deep)


_UniqueKeyLoader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _mapping_without_duplicates)


def read_case_file(path: str | Path) -> dict[str, Any]:
    """Read a YAML or JSON case file into a mapping, refusing what is not a case-shaped file."""
    path = Path(path)
    label = path.stem
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise CaseError([Problem("", str(path), "does not exist")]) from None
    except (OSError, UnicodeDecodeError) as error:
        raise CaseError([Problem("", str(path), f"cannot be read as UTF-8 text ({error.__class__.__name__})")]) from None
    if not text.strip():
        raise CaseError([Problem(label, "", "the file is empty: a case needs at least unit and baseline")])
    try:
        data = yaml.load(text, Loader=_UniqueKeyLoader)
    except yaml.MarkedYAMLError as error:
        mark = error.problem_mark or error.context_mark
        where = f"line {mark.line + 1}, column {mark.column + 1}: " if mark else ""
        what = error.problem or error.context or "unreadable"
        raise CaseError([Problem(label, "", f"the file is not valid YAML or JSON: {where}{what}")]) from None
    except yaml.YAMLError as error:
        raise CaseError([Problem(label, "", f"the file is not valid YAML or JSON: {error}")]) from None
    if data is None:
        raise CaseError([Problem(label, "", "the file is empty: a case needs at least unit and baseline")])
    if not isinstance(data, dict):
        kind = type(data).__name__
        raise CaseError([Problem(label, "", f"the file holds a {kind}, not a mapping of case fields (unit:, baseline:, …)")])
    return data


def load_case(source: str | Path | Mapping[str, Any]) -> Case:
    """Load and validate a case from a YAML/JSON file or a mapping; every problem is reported.

    >>> case = load_case(EXAMPLE)
    >>> case.unit, case.baseline.contacts_per_year, case.baseline.repeat_rate
    ('EMEA Retail Support', 1200000.0, 0.14)
    """
    if isinstance(source, Mapping):
        data = dict(source)
        label = str(data.get("unit") or "case")
    else:
        data = read_case_file(source)
        label = str(data.get("unit") or Path(source).stem)
    case = _validate(data, unit=label)
    problems: list[Problem] = []
    for name in case.scenarios:
        try:
            case.scenario_case(name)
        except CaseError as error:
            problems.extend(
                Problem(p.unit, f"scenarios.{name}.{p.path}" if p.path else f"scenarios.{name}", p.message)
                for p in error.problems
            )
    for path in case.sources:
        ok, why = _resolve(path)
        if not ok:
            problems.append(Problem(case.unit, f"sources.{path}", why))
    if problems:
        raise CaseError(problems)
    return case


def _example() -> Path:
    """The reference case: the checkout's ``templates/cases``, else where a wheel puts it."""
    checkout = Path(__file__).resolve().parents[2] / "templates" / "cases" / "example.yaml"
    installed = Path(sys.prefix) / "share" / "roi_kit" / "templates" / "cases" / "example.yaml"
    return checkout if checkout.exists() or not installed.exists() else installed


EXAMPLE = _example()


FILE_HEADER = (
    "# ROI case saved from the roi_kit input form (notebooks/build_case.ipynb).\n"
    "# Rates are percentages; money is in the case's currency. Edit here or in the form.\n"
)


def percent_text(rate: float) -> str:
    """The shortest percentage string that loads back to exactly ``rate`` ("14%" for 0.14).

    >>> percent_text(0.14), percent_text(0.0625), percent_text(-0.5)
    ('14%', '6.25%', '-50%')
    """
    for digits in range(0, 18):
        text = f"{round(rate * 100, digits):.{digits}f}"
        if float(text) / 100.0 == rate:
            return f"{text}%".replace("-0%", "0%")
    return repr(rate)  # no percentage divides back to exactly this float: keep the fraction


class _Flow(list):
    """A list written inline (``[40000, 60000]``) in an otherwise block-style file."""


class _Dumper(yaml.SafeDumper):
    pass


def _represent_float(dumper: yaml.SafeDumper, value: float) -> yaml.Node:
    if math.isfinite(value) and value.is_integer() and abs(value) < 1e16:
        return dumper.represent_int(int(value))
    return dumper.represent_float(value)


_Dumper.add_representer(_Flow, lambda d, v: d.represent_sequence("tag:yaml.org,2002:seq", v, flow_style=True))


_Dumper.add_representer(float, _represent_float)


_LINE_BREAKS = ("\x85", "\u2028", "\u2029")


def _represent_str(dumper: yaml.SafeDumper, value: str) -> yaml.Node:
    """Text as PyYAML writes it, except that YAML's other line breaks are escaped.

    PyYAML writes U+0085 (NEL) raw inside a single-quoted scalar and reads it back as a space;
    double quotes escape it (``\\N``), so such text survives the round trip.
    """
    if any(ch in value for ch in _LINE_BREAKS):
        return dumper.represent_scalar("tag:yaml.org,2002:str", value, style='"')
    return dumper.represent_str(value)


_Dumper.add_representer(str, _represent_str)


def _plain(model: BaseModel) -> dict[str, Any]:
    """A model as plain data for the file: model order, unset (None) values left out, rates as "14%"."""
    out: dict[str, Any] = {}
    for name, info in type(model).model_fields.items():
        value = getattr(model, name)
        if value is None or (value in ({}, []) and not info.is_required() and info.get_default(
            call_default_factory=True
        ) == value):
            continue  # unset, or an empty list the model gives by default
        extra = info.json_schema_extra if isinstance(info.json_schema_extra, dict) else {}
        unit = str(extra.get("unit", ""))
        if isinstance(value, BaseModel):
            out[name] = _plain(value)
        elif isinstance(value, list) and value and all(isinstance(v, BaseModel) for v in value):
            out[name] = [_plain(v) for v in value]
        elif isinstance(value, list) and all(isinstance(v, int | float) for v in value):
            out[name] = _Flow(value)
        elif _is_rate(unit) and isinstance(value, float):
            text = percent_text(value)
            out[name] = text if text.endswith("%") else value
        elif isinstance(value, dict):
            out[name] = _plain_mapping(value)
        else:
            out[name] = value
    return out


def _plain_mapping(value: Mapping[str, Any]) -> dict[str, Any]:
    return {str(k): _plain_mapping(v) if isinstance(v, Mapping) else v for k, v in value.items()}


def case_yaml(case: Case) -> str:
    """The case as a YAML file a person can read; :func:`load_case` gives back an equal case."""
    body = yaml.dump(
        _plain(case), Dumper=_Dumper, sort_keys=False, allow_unicode=True, width=100,
        default_flow_style=False,
    )
    return FILE_HEADER + body


def case_file_path(case: Case, path: str | os.PathLike[str]) -> Path:
    """Where a case is saved: ``path`` itself for a file name, ``<path>/<unit slug>.yaml`` for a folder."""
    target = Path(path)
    if target.is_dir() or target.suffix.lower() not in {".yaml", ".yml"}:
        return target / f"{slugify(case.unit)}.yaml"
    return target


def save_case(case: Case, path: str | os.PathLike[str]) -> Path:
    """Write ``case`` as YAML (atomically) into a file or a units folder; returns the file."""
    return write_atomic(case_file_path(case, path), case_yaml(case))
