"""Scenarios and what-ifs: dotted-path overrides and the scale shortcuts applied to a case's data.

``apply_overrides(data, {"levers.deflection.rate": "12%", "scale_levers": 0.7})`` returns the
changed mapping; every path is checked against the case models first and refused with one line
naming the path when the case has no such field.
"""

from __future__ import annotations

import copy
import difflib
import math
import types
import typing
from collections.abc import Iterable, Mapping
from typing import Annotated, Any, Union

from pydantic import (
    BaseModel,
)

from roi_kit.case.schema import SCALE_SHORTCUTS, Case, _parse_rate
from roi_kit.errors import CaseError, Problem


def _unwrap(annotation: Any) -> Any:
    """The model, list or dict behind Optional[...] / Annotated[...] / unions with None."""
    origin = typing.get_origin(annotation)
    if origin is Annotated:
        return _unwrap(typing.get_args(annotation)[0])
    if origin in (Union, types.UnionType):
        options = [a for a in typing.get_args(annotation) if a is not type(None)]
        models = [a for a in options if isinstance(a, type) and issubclass(a, BaseModel)]
        return _unwrap(models[0] if models else options[0])
    return annotation


def _resolve(path: str) -> tuple[bool, str]:
    """Whether ``path`` names a field of a case; else the closest correct prefix and a suggestion."""
    model: Any = Case
    parts = path.split(".")
    for i, part in enumerate(parts):
        if isinstance(model, type) and issubclass(model, BaseModel):
            fields = model.model_fields
            if part not in fields:
                where = ".".join(parts[:i]) or "the case"
                close = difflib.get_close_matches(part, list(fields), n=1, cutoff=0.6)
                hint = f"; did you mean {close[0]}?" if close else f"; fields of {where}: {', '.join(fields)}"
                return False, f"is not a field of {where}{hint}"
            model = _unwrap(fields[part].annotation)
            continue
        origin = typing.get_origin(model)
        if origin is list:
            if not part.isdigit():
                return False, f"needs a list index at {'.'.join(parts[: i + 1])!r}"
            model = _unwrap(typing.get_args(model)[0])
            continue
        if origin is dict:
            model = _unwrap(typing.get_args(model)[1])
            continue
        return False, f"goes below a single value at {'.'.join(parts[:i])!r}"
    return True, ""


def _set(data: dict[str, Any], parts: list[str], value: Any) -> None:
    node: Any = data
    for part in parts[:-1]:
        if isinstance(node, list):
            index = int(part)
            if index >= len(node):
                raise IndexError(part)
            node = node[index]
            continue
        if node.get(part) is None:
            node[part] = {}
        node = node[part]
    last = parts[-1]
    if isinstance(node, list):
        index = int(last)
        if index >= len(node):
            raise IndexError(last)
        node[index] = value
    else:
        node[last] = value


def _scale_levers(data: dict[str, Any], s: float) -> None:
    """Scale every lever's effect size by ``s`` (the gap between before and after, not the level)."""
    levers = data.get("levers") or {}
    base = data["baseline"]

    def toward(before: float | None, after: float, hi: float = 1.0) -> float:
        if before is None:
            return after
        return min(hi, max(0.0, before - s * (before - after)))

    if levers.get("deflection"):
        levers["deflection"]["rate"] = min(1.0, max(0.0, levers["deflection"]["rate"] * s))
    if levers.get("handle_time"):
        levers["handle_time"]["seconds_saved"] = max(0.0, levers["handle_time"]["seconds_saved"] * s)
    if levers.get("first_contact_resolution"):
        lever = levers["first_contact_resolution"]
        lever["repeat_rate_after"] = toward(base.get("repeat_rate", 0.0), lever["repeat_rate_after"], 0.999)
    if levers.get("abandonment"):
        lever = levers["abandonment"]
        lever["abandon_rate_after"] = toward(base.get("abandon_rate", 0.0), lever["abandon_rate_after"], 0.999)
    if levers.get("retention"):
        lever = levers["retention"]
        lever["churn_rate_after"] = toward(base.get("churn_rate"), lever["churn_rate_after"])
    if levers.get("upsell"):
        levers["upsell"]["conversion_lift"] = min(1.0, max(0.0, levers["upsell"]["conversion_lift"] * s))
    if levers.get("agent_attrition"):
        lever = levers["agent_attrition"]
        lever["attrition_after"] = toward(base.get("agent_attrition"), lever["attrition_after"])
    for event in levers.get("risk") or []:
        event["probability_after"] = toward(event["probability_before"], event["probability_after"])


def _scale_lines(lines: list[dict[str, Any]], s: float, keys: Iterable[str]) -> None:
    for line in lines:
        for key in keys:
            value = line.get(key)
            if isinstance(value, list):
                line[key] = [v * s for v in value]
            elif isinstance(value, int | float) and not isinstance(value, bool):
                line[key] = value * s


def apply_overrides(
    data: dict[str, Any], overrides: Mapping[str, Any], *, unit: str = "", copy_data: bool = True
) -> dict[str, Any]:
    """Return case ``data`` (a deep copy unless ``copy_data`` is false) with overrides applied.

    Shortcuts: ``scale_levers`` scales each lever's effect (the before→after gap),
    ``scale_benefits`` scales explicit benefit lines, ``scale_costs`` scales every cost amount.
    """
    if copy_data:
        data = copy.deepcopy(data)
    problems: list[Problem] = []
    for path, value in overrides.items():
        if path in SCALE_SHORTCUTS:
            factor = _number_or_none(value)
            if factor is None or factor < 0 or factor > 10:
                problems.append(Problem(unit, path, f"= {value!r} is not a factor between 0 and 10"))
                continue
            if path == "scale_levers":
                _scale_levers(data, factor)
            elif path == "scale_benefits":
                _scale_lines(data.get("benefits") or [], factor, ("initial", "per_year"))
            else:
                costs = data.get("costs") or {}
                _scale_lines(costs.get("one_time") or [], factor, ("amount", "hourly_cost"))
                _scale_lines(
                    costs.get("recurring") or [],
                    factor,
                    ("per_year", "per_month", "per_seat_per_month", "per_automated_contact"),
                )
                _scale_lines(costs.get("custom") or [], factor, ("initial", "per_year"))
            continue
        ok, why = _resolve(str(path))
        if not ok:
            problems.append(Problem(unit, str(path), why))
            continue
        try:
            _set(data, str(path).split("."), value)
        except (IndexError, ValueError, TypeError, AttributeError):
            problems.append(Problem(unit, str(path), "points at a list item the case does not have"))
    if problems:
        raise CaseError(problems)
    return data


def _number_or_none(value: Any) -> float | None:
    if isinstance(value, bool):
        return None
    try:
        number = float(_parse_rate(value))
    except (TypeError, ValueError, OverflowError):
        return None
    return number if math.isfinite(number) else None
