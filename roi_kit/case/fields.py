"""Field introspection: each input's label, unit, range and description, for the form and the register.
"""

from __future__ import annotations

import typing
from dataclasses import dataclass
from typing import Any, Literal

from pydantic import (
    BaseModel,
)

from roi_kit.case.overrides import _resolve, _unwrap
from roi_kit.case.problems import _walk
from roi_kit.case.schema import Case
from roi_kit.errors import CaseError, Problem


@dataclass(frozen=True)
class FieldDoc:
    """What the form, the validation and the register say about one field."""

    path: str
    label: str
    unit: str
    description: str
    minimum: float | None
    maximum: float | None
    kind: str


@dataclass(frozen=True)
class InputRow:
    """One input of a case, for the assumptions register."""

    path: str
    label: str
    unit: str
    value: Any
    description: str
    source: str


def _label(name: str) -> str:
    words = name.replace("_", " ").strip()
    replacements = {"aht": "AHT", "acw": "ACW", "fte": "FTE", "ai": "AI"}
    words = " ".join(replacements.get(w, w) for w in words.split())
    return words[:1].upper() + words[1:]


def _doc_from(path: str, name: str, info: Any) -> FieldDoc:
    extra = info.json_schema_extra if isinstance(info.json_schema_extra, dict) else {}
    lo = hi = None
    for meta in info.metadata:
        for attr, setter in (("ge", "lo"), ("gt", "lo"), ("le", "hi"), ("lt", "hi")):
            bound = getattr(meta, attr, None)
            if bound is not None:
                if setter == "lo":
                    lo = bound
                else:
                    hi = bound
    inner = _unwrap(info.annotation)
    kind = "choice" if typing.get_origin(inner) is Literal else getattr(inner, "__name__", str(inner))
    return FieldDoc(
        path=path,
        label=str(extra.get("label") or _label(name)),
        unit=str(extra.get("unit", "")),
        description=info.description or "",
        minimum=lo,
        maximum=hi,
        kind=kind,
    )


def field_doc(path: str) -> FieldDoc:
    """The label, unit, range and description of the field at a dotted ``path``.

    >>> field_doc("baseline.abandon_rate").unit
    'rate'
    """
    ok, why = _resolve(path)
    if not ok:
        raise CaseError([Problem("", path, why)])
    info, _, name, _ = _walk(path.split("."))
    return _doc_from(path, name, info)


def iter_inputs(case: Case) -> list[InputRow]:
    """Every input leaf the case sets (explicitly or by default), in the case's order."""
    rows: list[InputRow] = []

    def walk(model: BaseModel, prefix: str) -> None:
        for name, info in type(model).model_fields.items():
            value = getattr(model, name)
            path = f"{prefix}{name}"
            if path in {"scenarios", "measurement_plan", "sources", "baseline_source", "baseline.interval_profile",
                        "uncertainty", "uncertainty_correlation"}:
                continue
            if isinstance(value, BaseModel):
                walk(value, f"{path}.")
            elif isinstance(value, list) and value and all(isinstance(v, BaseModel) for v in value):
                for i, item in enumerate(value):
                    walk(item, f"{path}.{i}.")
            elif value is None or (isinstance(value, list | dict) and not value):
                continue
            else:
                doc = _doc_from(path, name, info)
                rows.append(
                    InputRow(path, doc.label, doc.unit, value, doc.description, case.sources.get(path, ""))
                )

    walk(case, "")
    return rows


def _is_rate(unit: str) -> bool:
    return unit.startswith("rate")
