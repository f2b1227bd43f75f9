"""One-line problems from pydantic's errors: where (unit, field path), the value, what is accepted.

Generic over the root model it is given (the case layer passes :class:`~roi_kit.case.schema.Case`),
so the schema can use it in its own validators.
"""

from __future__ import annotations

import difflib
import json
import typing
from collections.abc import Iterable, Mapping
from typing import Any

from pydantic import (
    BaseModel,
)

from roi_kit.case.overrides import _number_or_none, _unwrap
from roi_kit.case.schema import Case, Levers, Segment
from roi_kit.errors import Problem


def _loc_path(loc: tuple[Any, ...]) -> str:
    parts: list[str] = []
    for item in loc:
        if isinstance(item, int):
            parts.append(f"[{item}]")
        elif str(item).startswith(("function-", "list[", "float", "int", "constrained")):
            continue  # union branch names pydantic adds to the location
        else:
            parts.append(("." if parts else "") + str(item))
    return "".join(parts)


def _walk(loc: Iterable[Any], root: type[BaseModel] | None = None) -> tuple[Any, Any, str, bool]:
    """Follow a location (field names, list indexes, dict keys) through the models from ``root``.

    Returns the last named field's info, the type reached, that field's name, and whether the
    whole location was followed (pydantic's locations may end in tags that name no field).
    A segment's ``levers`` overrides are followed as :class:`Levers` (each one is validated as
    the lever's own field), so ``…segments.0.levers.retention.churn_rate_after`` is a rate.
    """
    model: Any = root or Case
    info, name = None, ""
    for item in loc:
        origin = typing.get_origin(model)
        if origin is list and (isinstance(item, int) or str(item).isdigit()):
            model = _unwrap(typing.get_args(model)[0])
        elif origin is dict:
            model = _unwrap(typing.get_args(model)[1])
        elif isinstance(model, type) and issubclass(model, BaseModel) and item in model.model_fields:
            info, name = model.model_fields[item], str(item)
            model = Levers if (model, item) == (Segment, "levers") else _unwrap(info.annotation)
        else:
            return info, None, name, False
    return info, model, name, True


def _field_info(loc: tuple[Any, ...], root: type[BaseModel]) -> Any:
    return _walk(loc, root)[0]


def _pruned(value: Any, depth: int = 0) -> Any:
    """At most what a message shows of ``value``: a few items, a short text, three levels."""
    if isinstance(value, str):
        return value if len(value) <= 60 else value[:57] + "..."
    if isinstance(value, dict):
        items = list(value.items())[:6] if depth < 3 else []
        return {str(k)[:60]: _pruned(v, depth + 1) for k, v in items} | ({"...": "..."} if len(value) > len(items) else {})
    if isinstance(value, list | tuple):
        items = list(value[:6]) if depth < 3 else []
        return [_pruned(v, depth + 1) for v in items] + (["..."] if len(value) > len(items) else [])
    return value


def _fmt_value(value: Any) -> str:
    """The value as a message shows it: never more than about 60 characters of it is formatted."""
    if isinstance(value, str):
        text = repr(value[:61])
        return text if len(value) <= 60 else text[:-1][:57] + "..." + text[0]
    if isinstance(value, float) and value.is_integer() and abs(value) < 1e16:
        return f"{int(value)}"
    if isinstance(value, int) and not isinstance(value, bool) and abs(value) >= 10**20:
        return f"a number of {len(str(abs(value)))} digits"
    if isinstance(value, dict | list | tuple):
        text = json.dumps(_pruned(value), default=str)
        return text if len(text) <= 60 else text[:57] + "..."
    text = str(value)
    return text if len(text) <= 60 else text[:57] + "..."


def _problem(unit: str, error: Mapping[str, Any], root: type[BaseModel] | None = None) -> Problem:
    """Turn one pydantic error into one line: where, the value, what is accepted, a hint."""
    loc = tuple(error["loc"])
    kind = error["type"]
    path = _loc_path(loc)
    value = error.get("input")
    info = _field_info(loc, root or Case)
    extra = (info.json_schema_extra or {}) if info is not None else {}
    unit_name = extra.get("unit", "") if isinstance(extra, dict) else ""
    described = f" ({info.description})" if info is not None and info.description else ""
    shown = _fmt_value(value)
    ctx = error.get("ctx") or {}

    if kind == "missing":
        return Problem(unit, path, f"is required{described}")
    if kind == "extra_forbidden":
        parent = loc[:-1]
        model = _model_at(parent, root or Case)
        fields = list(model.model_fields) if model is not None else []
        close = difflib.get_close_matches(str(loc[-1]), fields, n=1, cutoff=0.6)
        where = _loc_path(parent) or "the case"
        hint = f"; did you mean {close[0]}?" if close else (f"; accepted: {', '.join(fields)}" if fields else "")
        return Problem(unit, path, f"is not a field of {where}{hint}")
    if unit_name == "rate" and kind in {"less_than_equal", "less_than", "greater_than_equal", "greater_than"}:
        hint = ""
        number = _number_or_none(value)
        if number is not None and 1 < number <= 100:
            hint = f" (write {number / 100:g} or \"{number:g}%\")"
        return Problem(unit, path, f"= {shown} is not a fraction between 0 and 1{hint}")
    bounds = {
        "greater_than_equal": ("at least", "ge"),
        "greater_than": ("above", "gt"),
        "less_than_equal": ("at most", "le"),
        "less_than": ("below", "lt"),
    }
    if kind in bounds:
        words, key = bounds[kind]
        limit = ctx.get(key)
        unit_text = f" {unit_name}" if unit_name and unit_name not in {"choice", "text"} else ""
        hint = " (a credit is a benefit line)" if path.startswith("costs.") and kind == "greater_than_equal" and limit == 0 else ""
        return Problem(unit, path, f"= {shown} must be {words} {_fmt_value(limit)}{unit_text}{hint}")
    if kind == "finite_number":
        unit_text = f" in {unit_name}" if unit_name and unit_name not in {"choice", "text"} else ""
        return Problem(unit, path, f"= {shown} is not a finite number (write a number{unit_text})")
    if kind == "list_or_number":
        return Problem(unit, path, f"= {shown} is not a number or a list of numbers (year 1, 2, …)")
    if kind in {"float_parsing", "float_type", "int_parsing", "int_type", "int_from_float"}:
        what = "a whole number" if kind.startswith("int") else "a number"
        if unit_name == "rate":
            what = "a rate (a fraction like 0.14 or a percentage like \"14%\")"
        return Problem(unit, path, f"= {shown} is not {what}")
    if kind == "literal_error":
        return Problem(unit, path, f"= {shown} is not one of {ctx.get('expected', '')}")
    if kind in {"string_type"}:
        return Problem(unit, path, f"= {shown} is not text")
    if kind == "string_too_short":
        return Problem(unit, path, "is empty: write some text")
    if kind == "string_too_long":
        return Problem(unit, path, f"is longer than {ctx.get('max_length')} characters")
    if kind == "string_pattern_mismatch":
        return Problem(unit, path, f"= {shown} is not a three-letter currency code like USD or EUR")
    if kind in {"model_type", "model_attributes_type", "dict_type"}:
        return Problem(unit, path, f"= {shown} is not a mapping of fields")
    if kind in {"list_type"}:
        return Problem(unit, path, f"= {shown} is not a list")
    if kind in {"value_error", "assertion_error"}:
        message = str(error.get("msg", "")).removeprefix("Value error, ")
        if message.startswith(("segments:", "segments[", "scenarios.", "baseline.segments[", "uncertainty.", "baseline:",
                                "baseline.gross_margin:", "benefits[", "costs.one_time[", "costs.recurring[",
                                "costs.custom[")):
            segment_path, _, rest = message.partition(": ")
            full = (f"{path}.{segment_path}" if path and not segment_path.startswith(("scenarios.", "uncertainty."))
                    else segment_path)
            return Problem(unit, full, rest)
        if message.startswith(("is a yes/no value", "holds the direction control")):
            return Problem(unit, path, f"= {shown} {message}")
        return Problem(unit, path, message)
    return Problem(unit, path, f"= {shown}: {error.get('msg', kind)}")


def _model_at(loc: tuple[Any, ...], root: type[BaseModel]) -> type[BaseModel] | None:
    model = _walk(loc, root)[1]
    return model if isinstance(model, type) and issubclass(model, BaseModel) else None
