"""The input form: a CX leader fills in a case in JupyterLab and watches the numbers move.

``case_form(case_or_path)`` builds an ipywidgets form from the case models themselves: every field
of :mod:`roi_kit.case` becomes an input, labelled, unit-tagged and tooltipped from its own
``F()``/``R()`` declaration (label, unit, description, accepted range), so a field added to a model
appears in the form with no form code written for it. How a field is edited follows from its type:

==================================  =========================================================
field type                          widget
==================================  =========================================================
required number (``rate`` unit)     ``FloatText`` showing a percentage: 14.0 (%) is 0.14
optional number                     ``Text``; blank means "not set"
``Literal[...]``                    ``Dropdown``
``str``                             ``Text`` (``Textarea`` for long text)
``list[Number] | Number``           ``Text``: "40000, 60000, 60000" (year 1, 2, …) or one number
sub-model                           a titled group; an optional one (a lever) has an "enabled"
                                    checkbox that reveals its fields
``list[sub-model]``                 items with Remove buttons and an Add button
``dict[str, str]`` (sources)        rows of path and note, addable and removable
anything else (overrides)           a YAML ``Textarea``
==================================  =========================================================

Every change rebuilds the case mapping from the widgets and validates it with
:func:`roi_kit.case.load_case`; each problem is shown inline beside the deepest part of the form
its path names, with the model's own one-line message, and never raises. A valid case is
re-evaluated (all three scenarios) on a short timer after the last change (``debounce`` seconds;
:meth:`CaseForm.refresh` does it at once), updating the headline figures and the three board
charts, which are plotly ``FigureWidget``\\ s updated in place by one ``Plotly.update`` message each
rather than rebuilt.

Saving writes human-readable YAML (block style, keys in model order, rates as ``"14%"``, unset
values left out) atomically; it loads back to an equal case (:func:`case_yaml`).
"""

from __future__ import annotations

import asyncio
import contextlib
import copy
import html
import math
import os
import re
import sys
import types
import typing
from collections.abc import Callable, Iterator, Mapping
from pathlib import Path
from typing import Any, Literal, Union

import ipywidgets as w
import traitlets
import yaml
from pydantic import BaseModel

from roi_kit import fmt
from roi_kit._io import slugify, write_atomic
from roi_kit.case import (
    EXAMPLE,
    SCENARIOS,
    Case,
    _parse_rate,
    _unwrap,
    field_doc,
    load_case,
    read_case_file,
)
from roi_kit.errors import CaseError, Problem, RoiKitError

#: Top-level case fields by tab, in tab order. A top-level field in no tab lands in the header
#: (a single value) or in an "Other" tab (a group), so a new field still appears.
TABS: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("Baseline", ("baseline",)),
    ("Levers", ("levers", "benefits")),
    ("Costs", ("costs",)),
    ("Timeline & risk", ("timeline", "risk_adjustment")),
    ("Scenarios", ("scenarios",)),
    ("Measurement plan", ("measurement_plan",)),
    ("Sources", ("sources",)),
)
#: Tab titles at their natural width ("Timeline & risk", "Measurement plan" are cut at the default).
_TAB_STYLE = (
    "<style>.roi-form-tabs > .lm-TabBar .lm-TabBar-tab, .roi-form-tabs > .p-TabBar .p-TabBar-tab"
    " { flex: 0 0 auto !important; max-width: none !important; min-width: 0 !important; }</style>"
)
DEBOUNCE_SECONDS = 0.25
CHART_HEIGHT = 340
LABEL_WIDTH = "190px"
FILE_HEADER = (
    "# ROI case saved from the roi_kit input form (notebooks/build_case.ipynb).\n"
    "# Rates are percentages; money is in the case's currency. Edit here or in the form.\n"
)
_WARN = "\u26a0"


# --------------------------------------------------------------------------------------------
# Values: widget text <-> case values
# --------------------------------------------------------------------------------------------


def _is_rate(unit: str) -> bool:
    return unit.startswith("rate")


def _shown(value: float, percent: bool) -> float:
    """What a number widget shows: percentages for rates, rounded off binary noise (14.000000000000002)."""
    return round(value * 100, 10) if percent else value


def _number_text(value: Any, percent: bool = False) -> str:
    """A number as typed in a text box: 1200000, 4.8, 12.5 (a rate in percent)."""
    if value is None:
        return ""
    if isinstance(value, bool) or not isinstance(value, int | float):
        return str(value)
    v = _shown(float(value), percent)
    return str(int(v)) if v.is_integer() and abs(v) < 1e16 else repr(v)


def _parse_number(text: str, percent: bool = False) -> Any:
    """Typed text to a number (``""`` is None); what does not parse goes to the model as typed.

    Rates are typed in percent (``"14"`` or ``"14%"`` → 0.14); thousands separators and spaces are
    ignored in plain numbers (``"1,200,000"``).
    """
    text = (text or "").strip()
    if not text:
        return None
    if percent:
        try:
            return float(text.removesuffix("%").strip()) / 100.0
        except ValueError:
            return text
    cleaned = re.sub(r"[,_\s]", "", text)
    try:
        return float(cleaned)
    except ValueError:
        return text  # as typed: the model says what it accepts


def _parse_number_list(text: str) -> Any:
    """``"40000, 60000, 60000"`` → [40000.0, 60000.0, 60000.0]; one number → that number."""
    text = (text or "").strip()
    if not text:
        return 0.0
    parts = [p for p in re.split(r"[;,\s]+", text.strip("[]")) if p]
    values: list[Any] = []
    for part in parts:
        try:
            values.append(float(part))
        except ValueError:
            values.append(part)
    return values[0] if len(values) == 1 and "," not in text and ";" not in text else values


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


# --------------------------------------------------------------------------------------------
# The case as a readable YAML file
# --------------------------------------------------------------------------------------------


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


# --------------------------------------------------------------------------------------------
# Form nodes: one per field, built from the models
# --------------------------------------------------------------------------------------------


class _Shared:
    """Layout and style widgets shared by many inputs (each widget otherwise makes its own two)."""

    def __init__(self) -> None:
        self._layouts: dict[tuple[tuple[str, str], ...], w.Layout] = {}
        self._styles: dict[tuple[type, tuple[tuple[str, str], ...]], w.Widget] = {}

    def layout(self, **kw: str) -> w.Layout:
        """A shared, never-mutated Layout (use a fresh one for anything shown and hidden)."""
        key = tuple(sorted(kw.items()))
        if key not in self._layouts:
            self._layouts[key] = w.Layout(**kw)
        return self._layouts[key]

    def style(self, cls: type, **kw: str) -> w.Widget:
        key = (cls, tuple(sorted(kw.items())))
        if key not in self._styles:
            self._styles[key] = cls(**kw)
        return self._styles[key]

    def html(self, value: str = "", **layout: str) -> w.HTML:
        return w.HTML(value, layout=self.layout(**layout), style=self.style(_style_class(w.HTML)))

    def button(self, description: str = "", **kw: Any) -> w.Button:
        return w.Button(description=description, layout=self.layout(width="auto"),
                        style=self.style(_style_class(w.Button)), **kw)

    def box(self, cls: type, children: list[w.Widget], **layout: str) -> w.Box:
        return cls(children, layout=self.layout(**layout))


def _style_class(cls: type) -> type:
    return cls.class_traits()["style"].klass


def _error_html(shared: _Shared) -> w.HTML:
    return shared.html("", margin="0 0 0 8px")


def _show(widget: w.Widget, visible: bool) -> None:
    widget.layout.display = None if visible else "none"


def _range_text(unit: str, lo: float | None, hi: float | None, strict_hi: bool) -> str:
    if lo is None and hi is None:
        return ""
    scale, suffix = (100, "%") if _is_rate(unit) else (1, "")

    def num(x: float) -> str:
        return f"{x * scale:,g}{suffix}"

    if lo is not None and hi is not None:
        return f"accepted: {num(lo)} to {'below ' if strict_hi else ''}{num(hi)}"
    if lo is not None:
        return f"accepted: at least {num(lo)}"
    return f"accepted: at most {num(hi)}"  # type: ignore[arg-type]


class _Node:
    """One part of the form, bound to a dotted path of the case."""

    path: str
    box: w.Widget
    error: w.HTML

    def get(self) -> Any:
        raise NotImplementedError

    def set(self, value: Any) -> None:
        raise NotImplementedError

    def input(self) -> w.Widget:
        """The widget a test (or a person) changes to edit this node."""
        raise NotImplementedError

    def children(self) -> Iterator[_Node]:
        return iter(())

    def walk(self) -> Iterator[_Node]:
        yield self
        for child in self.children():
            yield from child.walk()

    def show_error(self, message: str) -> None:
        self.error.value = (
            f'<span style="color:#B42318">{_WARN} {html.escape(message)}</span>' if message else ""
        )


class _Leaf(_Node):
    """A single value: a widget, its unit and its inline error."""

    def __init__(self, form: CaseForm, path: str, annotation: Any):
        self.form, self.path = form, path
        doc = field_doc(path)
        self.doc = doc
        self.percent = _is_rate(doc.unit)
        self.kind = self._kind(annotation)
        self.widget = self._make_widget(doc, annotation)
        strict = any(getattr(m, "lt", None) is not None for m in self._metadata(path))
        rng = _range_text(doc.unit, doc.minimum, doc.maximum, strict)
        tip = doc.description + (f" ({rng})" if rng else "")
        self.widget.description = doc.label
        self.widget.tooltip = tip
        shared = form.shared
        self.unit = shared.html("", margin="0 0 0 6px")
        # the error takes a line of its own under the box (a full-width item wraps in the row)
        self.error = shared.html("", width="100%", padding=f"0 0 0 {LABEL_WIDTH}")
        self.box = w.HBox([self.widget, self.unit, self.error],
                          layout=shared.layout(flex_flow="row wrap", align_items="center"))
        self._value: Any = None
        self.relabel("USD")
        self.widget.observe(self._changed, names="value")

    @staticmethod
    def _metadata(path: str) -> list[Any]:
        parts = [p for p in path.split(".") if not p.isdigit()]
        model: Any = Case
        info = None
        for part in parts:
            if not (isinstance(model, type) and issubclass(model, BaseModel)) or part not in model.model_fields:
                return []
            info = model.model_fields[part]
            model = _unwrap(info.annotation)
            if typing.get_origin(model) is list:
                model = _unwrap(typing.get_args(model)[0])
        return list(info.metadata) if info is not None else []

    @staticmethod
    def _kind(annotation: Any) -> str:
        options = _options(annotation)
        inner = [_base(a) for a in options if a is not type(None)]
        if any(typing.get_origin(a) is list for a in inner):
            return "number_list"
        head = inner[0] if inner else annotation
        if typing.get_origin(head) is Literal:
            return "choice"
        if head is bool:
            return "bool"
        if head is str:
            return "text"
        if head in (int, float):
            optional = type(None) in options
            return ("optional_" if optional else "") + ("int" if head is int else "float")
        return "yaml"

    def _make_widget(self, doc: Any, annotation: Any) -> w.Widget:
        shared = self.form.shared
        layout = shared.layout(width="330px")

        def make(cls: type, **kw: Any) -> w.Widget:
            klass = _style_class(cls)
            kw.setdefault("layout", layout)
            return cls(style=shared.style(klass, description_width=LABEL_WIDTH), **kw)

        if self.kind == "choice":
            choices = typing.get_args(_base(_options(annotation)[0]))
            return make(w.Dropdown, options=list(choices))
        if self.kind == "bool":
            return make(w.Checkbox, indent=False)
        if self.kind == "int":
            return make(w.IntText)
        if self.kind == "float":
            return make(w.FloatText)
        if self.kind == "text" and (doc.kind == "str") and self._long(doc.path):
            return make(w.Textarea, layout=shared.layout(width="640px", height="56px"))
        if self.kind == "yaml":
            return make(
                w.Textarea, layout=shared.layout(width="640px", height="64px"),
                placeholder="YAML, e.g. {retention.churn_rate_after: 5%}",
            )
        placeholder = {
            "number_list": "year 1, year 2, … (or one amount for every year)",
            "optional_float": "not set",
            "optional_int": "not set",
        }.get(self.kind, "")
        wide = self.kind in {"text", "number_list"}
        return make(w.Text, placeholder=placeholder, layout=shared.layout(width="480px") if wide else layout)

    def _long(self, path: str) -> bool:
        return any((getattr(m, "max_length", 0) or 0) > 200 for m in self._metadata(path))

    # -- values ---------------------------------------------------------------------------
    def _to_model(self, shown: Any) -> Any:
        if self.kind in {"float", "int"}:
            return shown / 100.0 if self.percent else shown
        if self.kind in {"optional_float", "optional_int"}:
            return _parse_number(shown, self.percent)
        if self.kind == "number_list":
            return _parse_number_list(shown)
        if self.kind == "yaml":
            if not (shown or "").strip():
                return {}
            try:
                return yaml.safe_load(shown)
            except yaml.YAMLError:
                return shown  # the model says it is not a mapping
        return shown

    def _to_widget(self, value: Any) -> Any:
        if self.kind in {"float", "int"}:
            return _shown(value, self.percent) if value is not None else 0
        if self.kind in {"optional_float", "optional_int"}:
            return _number_text(value, self.percent)
        if self.kind == "number_list":
            if isinstance(value, list):
                return ", ".join(_number_text(v) for v in value)
            return _number_text(value)
        if self.kind == "yaml":
            if not value:
                return ""
            return yaml.safe_dump(value, default_flow_style=True, sort_keys=False, width=10_000).strip()
        if self.kind == "text":
            return "" if value is None else str(value)
        return value

    def get(self) -> Any:
        return self._value

    def set(self, value: Any) -> None:
        """Show ``value``: a case's, or one read from a file as written (which may be invalid)."""
        value = self._from_file(value)
        self._value = value
        try:
            shown = self._to_widget(value)
        except (TypeError, ValueError):
            shown = None
        if self.kind == "choice" and shown not in self.widget.options:
            shown = self.widget.options[0]
            self._value = shown
        with self.form.muted():
            try:
                self.widget.value = shown
            except traitlets.TraitError:  # a value the box cannot show: the model names it
                self.widget.value = 0 if self.kind in {"float", "int"} else ""

    def _from_file(self, value: Any) -> Any:
        """A value as a file may hold it (``"14%"``, ``"0.14"``) made a number where it is one."""
        if not isinstance(value, str) or self.kind not in {"float", "int", "optional_float", "optional_int"}:
            return value
        parsed = _parse_rate(value) if self.percent else value.strip()
        try:
            return float(parsed)
        except ValueError:
            return value

    def input(self) -> w.Widget:
        return self.widget

    def _changed(self, change: Mapping[str, Any]) -> None:
        if self.form.is_muted:
            return
        self._value = self._to_model(change["new"])
        self.form.changed(self)

    def relabel(self, currency: str) -> None:
        unit = self.doc.unit
        if unit in {"text", "choice", "overrides", ""}:
            text = ""
        elif self.percent:
            text = "%" + (" per " + unit.split("/", 1)[1] if "/" in unit else "")
        else:
            text = fmt.unit_label(unit, currency)
        self.unit.value = f'<span style="color:#616E7C;white-space:nowrap">{html.escape(text)}</span>'

    def show_error(self, message: str) -> None:
        hint = " (this box takes percentages: 6 means 6%)" if self.percent and "fraction" in message else ""
        super().show_error(message + hint)


def _options(annotation: Any) -> list[Any]:
    if typing.get_origin(annotation) in (Union, types.UnionType):
        return list(typing.get_args(annotation))
    return [annotation]


def _base(annotation: Any) -> Any:
    """Strip ``Annotated[...]`` (keeping ``list[...]`` and ``Literal[...]`` as they are)."""
    if typing.get_origin(annotation) is typing.Annotated:
        return _base(typing.get_args(annotation)[0])
    return annotation


def _model_of(annotation: Any) -> type[BaseModel] | None:
    inner = _unwrap(annotation)
    return inner if isinstance(inner, type) and issubclass(inner, BaseModel) else None


def _list_item_model(annotation: Any) -> type[BaseModel] | None:
    inner = _unwrap(annotation)
    if typing.get_origin(inner) is list:
        return _model_of(typing.get_args(inner)[0])
    return None


def _build(form: CaseForm, path: str, info: Any) -> _Node:
    """The node for the field at ``path`` (its ``FieldInfo`` decides the kind)."""
    annotation = info.annotation
    model = _model_of(annotation)
    if model is not None:
        optional = type(None) in _options(annotation)
        return _Group(form, path, model, optional=optional, description=info.description or "")
    item = _list_item_model(annotation)
    if item is not None:
        return _Items(form, path, item, description=info.description or "")
    inner = _unwrap(annotation)
    if path == "scenarios":
        return _Scenarios(form, path)
    if typing.get_origin(inner) is dict and _base(typing.get_args(inner)[1]) is str:
        return _Notes(form, path, description=info.description or "")
    return _Leaf(form, path, annotation)


def _title_html(shared: _Shared, text: str, description: str = "", level: int = 4) -> w.HTML:
    sub = f' <span style="color:#616E7C;font-weight:normal">— {html.escape(description)}</span>' if description else ""
    return shared.html(f"<h{level} style='margin:10px 0 4px 0'>{html.escape(text)}{sub}</h{level}>")


def _label(name: str) -> str:
    words = name.replace("_", " ")
    return words[:1].upper() + words[1:]


class _Group(_Node):
    """A sub-model: its fields in order; an optional one has an "enabled" checkbox."""

    def __init__(self, form: CaseForm, path: str, model: type[BaseModel], *, optional: bool, description: str,
                 fields: tuple[str, ...] | None = None, title: bool = True):
        self.form, self.path, self.model, self.optional = form, path, model, optional
        names = fields if fields is not None else tuple(model.model_fields)
        prefix = f"{path}." if path else ""
        self.nodes: dict[str, _Node] = {
            name: _build(form, prefix + name, model.model_fields[name]) for name in names
        }
        self.error = _error_html(form.shared)
        self.body = w.VBox([n.box for n in self.nodes.values()], layout=w.Layout(margin="0 0 0 16px"))
        name = path.rsplit(".", 1)[-1]
        heading: list[w.Widget] = []
        self.enabled: w.Checkbox | None = None
        if optional:
            self.enabled = w.Checkbox(
                value=False, description=f"{_label(name)} — {description}" if description else _label(name),
                indent=False, layout=form.shared.layout(width="auto"),
            )
            self.enabled.tooltip = "Tick to include this in the case"
            self.enabled.observe(self._toggled, names="value")
            heading = [form.shared.box(w.HBox, [self.enabled, self.error])]
            _show(self.body, False)
        elif title and path and not name.isdigit():
            heading = [form.shared.box(w.HBox, [_title_html(form.shared, _label(name), description), self.error])]
        else:
            heading = [self.error]
        self.box = form.shared.box(w.VBox, [*heading, self.body])
        self._starting = {n: _starting_value(model.model_fields[n]) for n in names}
        # what a field missing from a file means: its default, or nothing (the model says it is required)
        self._missing = {
            n: None if model.model_fields[n].is_required() else model.model_fields[n].get_default(
                call_default_factory=True
            )
            for n in names
        }

    def children(self) -> Iterator[_Node]:
        return iter(self.nodes.values())

    def get(self) -> Any:
        if self.enabled is not None and not self.enabled.value:
            return None
        return {name: node.get() for name, node in self.nodes.items()}

    def set(self, value: Any) -> None:
        if self.enabled is not None:
            with self.form.muted():
                self.enabled.value = value is not None
            _show(self.body, value is not None)
            if value is None:  # a case without it: ticking the box starts from the defaults
                self.fill_defaults()
                return
        data = value if isinstance(value, Mapping) else {}
        for name, node in self.nodes.items():
            node.set(data.get(name, self._missing[name]))

    def fill_defaults(self) -> None:
        for name, node in self.nodes.items():
            node.set(self._starting[name])

    def input(self) -> w.Widget:
        return self.enabled if self.enabled is not None else self.body

    def _toggled(self, change: Mapping[str, Any]) -> None:
        _show(self.body, bool(change["new"]))
        if self.form.is_muted:
            return
        self.form.changed(self)  # unticked, the fields keep their values: ticking again restores them


def _starting_value(info: Any) -> Any:
    """What a new item or a newly enabled lever starts with: the default, else zero, blank or the first choice."""
    if not info.is_required():
        return info.get_default(call_default_factory=True)
    inner = _base(_options(info.annotation)[0])
    if typing.get_origin(inner) is Literal:
        return typing.get_args(inner)[0]
    if inner is str:
        return ""
    if inner in (int, float):
        return 0
    model = _model_of(info.annotation)
    if model is not None:
        return {}
    return None


class _Items(_Node):
    """A list of sub-models: one group per item with a Remove button, and an Add button."""

    def __init__(self, form: CaseForm, path: str, model: type[BaseModel], *, description: str):
        self.form, self.path, self.model = form, path, model
        self.items: list[_Group] = []
        self.error = _error_html(form.shared)
        self.list_box = w.VBox([])
        noun = _label(path.rsplit(".", 1)[-1]).rstrip("s") if path else "item"
        self.add_button = form.shared.button(f"Add {noun.lower()}", icon="plus")
        self.add_button.on_click(lambda _b: self.add())
        self.remove_buttons: list[w.Button] = []
        self._boxes: list[w.Widget] = []
        self.box = w.VBox([
            w.HBox([_title_html(form.shared, _label(path.rsplit(".", 1)[-1]), description), self.error]),
            self.list_box,
            self.add_button,
        ])

    def children(self) -> Iterator[_Node]:
        return iter(self.items)

    def get(self) -> Any:
        return [item.get() for item in self.items]

    def set(self, value: Any) -> None:
        """Show ``value``'s items: the first ones reuse the item widgets already built."""
        values = list(value) if isinstance(value, list) else []
        shared = self.form.shared
        while len(self.items) < len(values):
            i = len(self.items)
            item = _Group(self.form, f"{self.path}.{i}", self.model, optional=False, description="", title=False)
            remove = shared.button("Remove", icon="trash")
            remove.on_click(lambda _b, i=i: self.remove(i))
            self.items.append(item)
            self.remove_buttons.append(remove)
            self._boxes.append(shared.box(
                w.VBox, [shared.box(w.HBox, [shared.html(f"<b>{i + 1}.</b>"), remove]), item.box],
                border="1px solid #E4E7EB", padding="4px", margin="2px 0",
            ))
        del self.items[len(values):], self.remove_buttons[len(values):], self._boxes[len(values):]
        for item, data in zip(self.items, values, strict=True):
            item.set(data if isinstance(data, Mapping) else {})
        self.list_box.children = tuple(self._boxes)
        self.form.reindex()

    def add(self) -> None:
        fresh = {n: _starting_value(i) for n, i in self.model.model_fields.items()}
        with self.form.muted():
            self.set([*self.get(), fresh])
        self.form.changed(self)

    def remove(self, index: int) -> None:
        values = self.get()
        del values[index]
        with self.form.muted():
            self.set(values)
        self.form.changed(self)

    def input(self) -> w.Widget:
        return self.add_button


class _Notes(_Node):
    """A ``dict[str, str]`` (the sources register): rows of a field path and a note."""

    def __init__(self, form: CaseForm, path: str, *, description: str):
        self.form, self.path = form, path
        self.rows: list[tuple[w.Combobox, w.Text]] = []
        self.error = _error_html(form.shared)
        self.rows_box = w.VBox([])
        self.add_button = w.Button(description="Add source note", icon="plus", layout=w.Layout(width="auto"))
        self.add_button.on_click(lambda _b: self._add_row("", ""))
        self.box = w.VBox([
            w.HBox([_title_html(form.shared, _label(path), description), self.error]),
            w.HTML("<span style='color:#616E7C'>Which input (a dotted path such as "
                   "<code>baseline.cost_per_contact</code>) and where its number came from.</span>"),
            self.rows_box,
            self.add_button,
        ])

    def get(self) -> Any:
        return {k.value.strip(): v.value for k, v in self.rows if k.value.strip()}

    def set(self, value: Any) -> None:
        self.rows = []
        self.rows_box.children = []
        for key, note in (value or {}).items():
            self._add_row(str(key), str(note), notify=False)

    def _add_row(self, key: str, note: str, *, notify: bool = True) -> None:
        paths = self.form.input_paths()
        key_w = w.Combobox(value=key, options=paths, placeholder="field path", ensure_option=False,
                           layout=w.Layout(width="320px"))
        note_w = w.Text(value=note, placeholder="source", layout=w.Layout(width="420px"))
        remove = w.Button(icon="trash", layout=w.Layout(width="40px"), tooltip="Remove this note")
        row = (key_w, note_w)
        box = w.HBox([key_w, note_w, remove])
        remove.on_click(lambda _b: self._remove_row(row, box))
        for widget in row:
            widget.observe(lambda _c: self._edited(), names="value")
        self.rows.append(row)
        self.rows_box.children = (*self.rows_box.children, box)
        if notify:
            self._edited()

    def _remove_row(self, row: tuple[w.Combobox, w.Text], box: w.Widget) -> None:
        self.rows.remove(row)
        self.rows_box.children = tuple(c for c in self.rows_box.children if c is not box)
        self._edited()

    def _edited(self) -> None:
        if not self.form.is_muted:
            self.form.changed(self)

    def input(self) -> w.Widget:
        return self.add_button


class _Scenarios(_Node):
    """Overrides per scenario, one YAML box each; blank means the default overrides."""

    DEFAULTS: typing.ClassVar[dict[str, str]] = {
        "conservative": "blank: lever effects × 0.7, ramp 1.5 × as long",
        "expected": "blank: the case as entered",
        "optimistic": "blank: lever effects × 1.2, ramp in 0.75 of the time",
    }

    def __init__(self, form: CaseForm, path: str):
        self.form, self.path = form, path
        self.error = _error_html(form.shared)
        self.boxes: dict[str, w.Textarea] = {}
        self.errors: dict[str, w.HTML] = {}
        rows = []
        for name in SCENARIOS:
            area = w.Textarea(
                placeholder=f"{self.DEFAULTS[name]}\ne.g. scale_levers: 0.6\ntimeline.ramp_months: 9",
                layout=w.Layout(width="520px", height="90px"),
            )
            area.observe(lambda _c: self._edited(), names="value")
            self.boxes[name] = area
            self.errors[name] = _error_html(form.shared)
            rows.append(w.VBox([_title_html(form.shared, name.capitalize(), level=4), w.HBox([area, self.errors[name]])]))
        self.box = w.VBox([
            w.HTML("<span style='color:#616E7C'>Overrides by dotted path (<code>levers.deflection.rate: "
                   "8%</code>) or the shortcuts <code>scale_levers</code>, <code>scale_benefits</code>, "
                   "<code>scale_costs</code>, one per line.</span>"),
            self.error,
            *rows,
        ])

    def get(self) -> Any:
        out: dict[str, Any] = {}
        for name, area in self.boxes.items():
            text = area.value.strip()
            if not text:
                continue
            try:
                out[name] = yaml.safe_load(text)
            except yaml.YAMLError:
                out[name] = text
        return out

    def set(self, value: Any) -> None:
        value = value or {}
        with self.form.muted():
            for name, area in self.boxes.items():
                overrides = value.get(name)
                area.value = "" if not overrides else yaml.safe_dump(
                    dict(overrides), default_flow_style=False, sort_keys=False, allow_unicode=True
                ).strip()

    def _edited(self) -> None:
        if not self.form.is_muted:
            self.form.changed(self)

    def input(self) -> w.Widget:
        return self.box

    def show_scenario_errors(self, errors: Mapping[str, str]) -> None:
        for name, label in self.errors.items():
            mine = [m for p, m in errors.items() if p == f"scenarios.{name}" or p.startswith(f"scenarios.{name}.")]
            label.value = (
                f'<span style="color:#B42318">{_WARN} {html.escape("; ".join(mine))}</span>' if mine else ""
            )


# --------------------------------------------------------------------------------------------
# The form
# --------------------------------------------------------------------------------------------


def _dotted(path: str) -> str:
    """``costs.one_time[0].name`` (a problem's path) → ``costs.one_time.0.name`` (the form's)."""
    return re.sub(r"\[(\d+)\]", r".\1", path).strip(".")


def problems_by_path(error: CaseError) -> dict[str, str]:
    """A case's problems as ``{dotted path: message}`` (several on one path joined with "; ")."""
    out: dict[str, str] = {}
    for p in error.problems:
        key = _dotted(p.path)
        out[key] = f"{out[key]}; {p.message}" if key in out else p.message
    return out


class CaseForm:
    """The input form for one case (see :func:`case_form`)."""

    def __init__(self, case: Case, *, save_to: str | os.PathLike[str] = "units",
                 preview_to: str | os.PathLike[str] = "reports/preview", debounce: float = DEBOUNCE_SECONDS):
        self.case: Case | None = case
        self.errors: dict[str, str] = {}
        self.results: dict[str, Any] | None = None
        self.debounce = debounce
        self._mute = 0
        self._timer: asyncio.TimerHandle | None = None
        self._index: dict[str, _Node] = {}
        self._input_paths: list[str] | None = None
        self._stale = True
        self._on_refresh: list[Callable[[CaseForm], None]] = []
        self.shared = _Shared()
        #: False pauses the live figures: edits still validate, :meth:`refresh` updates them
        self.auto_refresh = True

        with self.muted():
            self._build(save_to, preview_to)
            self._fill(case)
        self.refresh()

    # -- building ---------------------------------------------------------------------------
    def _build(self, save_to: str | os.PathLike[str], preview_to: str | os.PathLike[str]) -> None:
        fields = Case.model_fields
        in_tabs = {name for _, names in TABS for name in names}
        header_names = tuple(
            n for n in fields if n not in in_tabs and _model_of(fields[n].annotation) is None
            and _list_item_model(fields[n].annotation) is None
        )
        other_names = tuple(n for n in fields if n not in in_tabs and n not in header_names)
        self.header = _Group(self, "", Case, optional=False, description="", fields=header_names, title=False)
        self.tab_nodes: list[tuple[str, list[_Node]]] = []
        for title, names in (*TABS, *((("Other", other_names),) if other_names else ())):
            nodes = [_build(self, name, fields[name]) for name in names if name in fields]
            self.tab_nodes.append((title, nodes))
        self.tabs = w.Tab(
            children=[w.VBox([n.box for n in nodes]) for _, nodes in self.tab_nodes],
            layout=w.Layout(width="100%"),
        )
        for i, (title, _) in enumerate(self.tab_nodes):
            self.tabs.set_title(i, title)
        self.tabs.add_class("roi-form-tabs")

        self.load_path = w.Text(placeholder="path/to/case.yaml", description="Case file",
                                layout=w.Layout(width="380px"))
        self.load_button = w.Button(description="Load", icon="folder-open", layout=w.Layout(width="auto"))
        self.save_folder = w.Text(value=str(save_to), description="Units folder", layout=w.Layout(width="380px"))
        self.save_button = w.Button(description="Save", icon="save", button_style="primary",
                                    layout=w.Layout(width="auto"))
        self.preview_folder = str(preview_to)
        self.preview_button = w.Button(description="Preview report", icon="file-text-o",
                                       layout=w.Layout(width="auto"))
        self.status = w.HTML("")
        self.problems = w.HTML("")
        self.load_button.on_click(lambda _b: self._guard(lambda: self.load(self.load_path.value)))
        self.save_button.on_click(lambda _b: self._guard(lambda: self.save(self.save_folder.value)))
        self.preview_button.on_click(lambda _b: self._guard(lambda: self.preview(self.preview_folder)))

        self.headline = w.HTML("")
        self.figures = self._make_figures()
        files = w.VBox([
            w.HBox([self.load_path, self.load_button]),
            w.HBox([self.save_folder, self.save_button, self.preview_button]),
            self.status,
        ])
        results = w.VBox([self.headline, *self.figures.values()],
                         layout=w.Layout(width="46%", min_width="420px"))
        form = w.VBox([self.header.box, self.problems, self.tabs], layout=w.Layout(width="54%"))
        self.widget = w.VBox([w.HTML(_TAB_STYLE), files, w.HBox([form, results], layout=w.Layout(width="100%"))])
        self.reindex()

    def _make_figures(self) -> dict[str, Any]:
        import plotly.graph_objects as go

        from roi_kit import charts

        # plotly's FigureWidget imports nbformat, whose jsonschema pulls rfc3987_syntax (≈1.2 s,
        # only to check "iri" formats nothing here uses): skip it, as the batch does
        sys.modules.setdefault("rfc3987_syntax", None)  # type: ignore[arg-type]

        def empty() -> Any:
            fig = go.FigureWidget(layout=dict(template=charts.TEMPLATE_NAME, height=CHART_HEIGHT))
            return fig

        return {"cost_curve": empty(), "waterfall": empty(), "payback_timeline": empty()}

    def _fill(self, case: Case | Mapping[str, Any]) -> None:
        data = case.model_dump(mode="python") if isinstance(case, Case) else dict(case)
        with self.muted():
            self.header.set(data)
            for _, nodes in self.tab_nodes:
                for node in nodes:
                    node.set(data.get(node.path))
        self.reindex()
        currency = data.get("currency")
        self._relabel(currency if isinstance(currency, str) else "USD")

    def reindex(self) -> None:
        """Rebuild the path → node index (after items are added or removed)."""
        index: dict[str, _Node] = {}
        roots = [self.header, *(n for _, nodes in getattr(self, "tab_nodes", []) for n in nodes)]
        for root in roots:
            for node in root.walk():
                if node.path:
                    index[node.path] = node
        self._index = index

    def input_paths(self) -> list[str]:
        """Every leaf path of the form (the options of a source note's path)."""
        return sorted(p for p, n in self._index.items() if isinstance(n, _Leaf))

    # -- change handling ----------------------------------------------------------------------
    @contextlib.contextmanager
    def muted(self) -> Iterator[None]:
        """Widget changes inside this block do not re-validate (the form is filling itself)."""
        self._mute += 1
        try:
            yield
        finally:
            self._mute -= 1

    @property
    def is_muted(self) -> bool:
        return self._mute > 0

    def data(self) -> dict[str, Any]:
        """The case mapping the widgets hold now (valid or not)."""
        data = dict(self.header.get())
        for _, nodes in self.tab_nodes:
            for node in nodes:
                data[node.path] = node.get()
        return data

    def changed(self, node: _Node | None = None) -> None:
        """Re-validate after an edit; schedule the figures' refresh if the case is valid."""
        try:
            self._validate()
            if isinstance(node, _Leaf) and node.path == "currency" and self.case is not None:
                self._relabel(self.case.currency)
        except Exception as error:  # the form must never die on an edit
            self._set_status(f"{_WARN} unexpected problem: {error.__class__.__name__}: {error}", bad=True)
            return
        self._stale = True
        self._schedule()

    def _validate(self) -> None:
        try:
            case = load_case(self.data())
        except CaseError as error:
            self.case = None
            self.errors = problems_by_path(error)
        except RoiKitError as error:
            self.case = None
            self.errors = {"": str(error)}
        else:
            self.case = case
            self.errors = {}
        self._show_errors()

    def _show_errors(self) -> None:
        placed: dict[_Node, list[str]] = {}
        top: list[str] = []
        for path, message in self.errors.items():
            node = self._owner(path)
            shown = message
            if node is not None and node.path != path:
                shown = f"{path.removeprefix(node.path + '.')} {message}"
            if node is None:
                top.append(f"{path} {message}".strip())
            else:
                placed.setdefault(node, []).append(shown)
        for node in self._index.values():
            node.show_error("; ".join(placed.get(node, [])))
        self.header.show_error("; ".join(top))
        scen = self._index.get("scenarios")
        if isinstance(scen, _Scenarios):
            scen.show_scenario_errors(self.errors)
        n = len(self.errors)
        self.problems.value = (
            f'<div style="color:#B42318">{_WARN} {n} problem{"s" if n != 1 else ""}: '
            + "<br>".join(html.escape(f"{p} {m}".strip()) for p, m in self.errors.items())
            + "</div>"
        ) if n else ""
        for i, (title, nodes) in enumerate(self.tab_nodes):
            bad = any(self._in_node(path, node) for path in self.errors for node in nodes)
            self.tabs.set_title(i, f"{title} {_WARN}" if bad else title)

    @staticmethod
    def _in_node(path: str, node: _Node) -> bool:
        return path == node.path or path.startswith(node.path + ".")

    def _owner(self, path: str) -> _Node | None:
        """The deepest form node whose path is ``path`` or a prefix of it."""
        parts = path.split(".") if path else []
        for n in range(len(parts), 0, -1):
            node = self._index.get(".".join(parts[:n]))
            if node is not None:
                return node
        return None

    def _schedule(self) -> None:
        if self._timer is not None:
            self._timer.cancel()
            self._timer = None
        if not self.auto_refresh:
            return
        if self.debounce <= 0:
            self.refresh()
            return
        try:
            loop = asyncio.get_running_loop()
        except RuntimeError:  # no event loop (a script or a test): refresh now
            self.refresh()
            return
        self._timer = loop.call_later(self.debounce, self._timed_refresh)

    def _timed_refresh(self) -> None:
        self._timer = None
        with contextlib.suppress(Exception):
            self.refresh()

    def _relabel(self, currency: str) -> None:
        for node in self._index.values():
            if isinstance(node, _Leaf):
                node.relabel(currency)

    # -- figures ------------------------------------------------------------------------------
    def refresh(self) -> None:
        """Re-evaluate the current case now and update the headline and the charts."""
        from roi_kit import charts
        from roi_kit.engine import evaluate_scenarios

        if self._timer is not None:
            self._timer.cancel()
            self._timer = None
        self._stale = False
        if self.case is None:
            self.headline.value = (
                f'<div style="color:#B42318">{_WARN} Fix the problems to update the figures '
                "(they show the last valid case).</div>"
            )
            return
        try:
            results = evaluate_scenarios(self.case)
        except RoiKitError as error:
            self.results = None
            self.errors = {"": str(error)}
            self.headline.value = f'<div style="color:#B42318">{_WARN} {html.escape(str(error))}</div>'
            return
        self.results = results
        expected = results["expected"]
        self.headline.value = headline_html(results)
        _push(self.figures["cost_curve"], charts.cost_curve(expected))
        _push(self.figures["waterfall"], charts.waterfall(expected))
        _push(self.figures["payback_timeline"], charts.payback_timeline(results))
        for hook in self._on_refresh:
            hook(self)

    @property
    def summary(self) -> Mapping[str, Any] | None:
        """The expected scenario's summary figures of the last refresh (None if none)."""
        return None if self.results is None else self.results["expected"].summary

    # -- public actions -----------------------------------------------------------------------
    def field(self, path: str) -> w.Widget:
        """The input widget at a dotted ``path`` (set its ``.value`` to edit the case).

        A value's widget for a leaf; the "enabled" checkbox for an optional group (a lever); the
        Add button for a list (``costs.one_time``) and the Remove button for a list item
        (``costs.one_time.0``); the text box of a scenario (``scenarios.conservative``).
        """
        if path.startswith("scenarios.") and path.count(".") == 1:
            node = self._index.get("scenarios")
            if isinstance(node, _Scenarios) and path.split(".")[1] in node.boxes:
                return node.boxes[path.split(".")[1]]
        node = self._index.get(path)
        if node is None:
            raise CaseError([Problem(self.case.unit if self.case else "", path, "is not a field of the form")])
        parent = self._index.get(path.rsplit(".", 1)[0]) if "." in path else None
        if isinstance(parent, _Items):
            return parent.remove_buttons[int(path.rsplit(".", 1)[1])]
        return node.input()

    def load(self, case_or_path: Case | str | os.PathLike[str] | Mapping[str, Any]) -> Case | None:
        """Fill the form from a case, a mapping or a case file.

        A file with invalid values still fills the form, each problem shown beside its field, and
        returns None; a file that cannot be read as a case at all raises :class:`CaseError` (the
        Load button shows it in the status line and keeps the form).
        """
        if isinstance(case_or_path, Case):
            case = case_or_path
        else:
            try:
                case = load_case(case_or_path)
            except CaseError:
                raw = case_or_path if isinstance(case_or_path, Mapping) else read_case_file(case_or_path)
                self._fill(raw)
                self._validate()
                self._set_status(
                    f"Loaded {html.escape(str(raw.get('unit') or case_or_path))} with "
                    f"{len(self.errors)} problem{'s' if len(self.errors) != 1 else ''}: fix them in the form.",
                    bad=True,
                )
                self.refresh()
                return None
        self._fill(case)
        self.case = case
        self.errors = {}
        self._show_errors()
        self._stale = True
        self._schedule()
        self._set_status(f"Loaded {html.escape(case.unit)}.")
        return case

    def save(self, path: str | os.PathLike[str] | None = None) -> Path:
        """Write the current case as YAML into ``path`` (a file, or a units folder: ``<unit slug>.yaml``)."""
        case = self._valid("save")
        target = save_case(case, path if path is not None else self.save_folder.value)
        self._set_status(f"Saved {html.escape(str(target))}.")
        return target

    def preview(self, path: str | os.PathLike[str] | None = None, *, scenario: str = "expected") -> Path:
        """Render this case's board report (HTML) with the report pipeline; returns the file."""
        from roi_kit import report

        case = self._valid("preview")
        folder = Path(path if path is not None else self.preview_folder)
        target = folder if folder.suffix.lower() == ".html" else folder / f"{slugify(case.unit)}.html"
        self._set_status("Rendering the report…")
        out = report.render(case, scenario=scenario, output=target)
        self._set_status(
            f'Report written: <a href="{html.escape(_relative_href(out))}" target="_blank">'
            f"{html.escape(str(out))}</a>"
        )
        return out

    def _valid(self, action: str) -> Case:
        if self.case is None:
            problems = [Problem("", p, m) for p, m in self.errors.items()]
            raise CaseError(problems or [Problem("", "", f"cannot {action}: the case is not valid")])
        return self.case

    def _guard(self, action: Callable[[], Any]) -> None:
        """Run a button's action; a problem becomes a status line, never an exception."""
        try:
            action()
        except RoiKitError as error:
            self._set_status(html.escape(str(error)).replace("\n", "<br>"), bad=True)
        except Exception as error:  # a button must never kill the form
            self._set_status(html.escape(f"{error.__class__.__name__}: {error}"), bad=True)

    def _set_status(self, text: str, *, bad: bool = False) -> None:
        colour = "#B42318" if bad else "#1F2933"
        self.status.value = f'<div style="color:{colour}">{(_WARN + " ") if bad else ""}{text}</div>'

    def _ipython_display_(self) -> None:
        from IPython.display import display

        display(self.widget)


def _relative_href(path: Path) -> str:
    with contextlib.suppress(ValueError):
        return os.path.relpath(path.resolve(), Path.cwd())
    return path.as_uri()


def headline_html(results: Mapping[str, Any]) -> str:
    """NPV, ROI, payback month and run-rate benefit of the expected case, as four cards."""
    r = results["expected"]
    s, cur = r.summary, r.case.currency
    cards = (
        ("NPV", fmt.money(s["npv"], cur)),
        ("ROI", fmt.pct(s["roi"], 0)),
        ("Payback", fmt.months(s["payback_months"], never="beyond horizon")),
        ("Run-rate benefit", fmt.money(s["run_rate_benefit"], cur) + " / yr"),
    )
    card = (
        '<div style="flex:1;border:1px solid #E4E7EB;border-radius:6px;padding:6px 10px;">'
        '<div style="color:#616E7C;font-size:12px">{}</div>'
        '<div style="font-size:20px;font-weight:600" data-figure="{}">{}</div></div>'
    )
    body = "".join(card.format(html.escape(k), html.escape(k.lower()), html.escape(v)) for k, v in cards)
    others = " · ".join(
        f"{html.escape(name.capitalize())}: NPV {html.escape(fmt.money(res.summary['npv'], cur))}, "
        f"{html.escape(fmt.months(res.summary['payback_months'], never='no payback'))}"
        for name, res in results.items() if name != "expected"
    )
    return (
        f'<div style="display:flex;gap:8px">{body}</div>'
        f'<div style="color:#616E7C;font-size:12px;margin:4px 0">Expected case. {others}</div>'
    )


def _merged(base: dict, changes: dict) -> dict:
    """``base`` with ``changes`` laid over it, nested dicts merged key by key (neither is modified)."""
    out = dict(base)
    for key, value in changes.items():
        out[key] = _merged(out[key], value) if isinstance(value, dict) and isinstance(out.get(key), dict) else value
    return out


def _push(widget: Any, fig: Any) -> None:
    """Make a FigureWidget show ``fig`` with one ``Plotly.update`` message (no re-validation).

    Same number and types of traces: each trace property is restyled and the layout relaid out
    (the theme template is sent once, at the first push). Otherwise the traces are replaced.
    """
    from roi_kit import charts

    # laid out for the results column at its narrowest (min_width): title and subtitle wrap into
    # lines of their own and the chart grows by them, so they never overlap each other or the legend
    spec = fig.to_plotly_json()
    layout = _merged(spec.get("layout", {}), charts.fit_layout(fig, charts.NARROW_WIDTH_PX, height=CHART_HEIGHT))
    template = layout.pop("template", None)
    traces = spec.get("data", [])
    same = len(widget.data) == len(traces) and all(
        old.type == new.get("type", "scatter") for old, new in zip(widget.data, traces, strict=True)
    )
    if not same:
        with widget.batch_update():
            widget.data = ()
            widget.add_traces(fig.data)
            if template is not None and not getattr(widget, "_roi_kit_templated", False):
                widget.layout.template = template
                widget._roi_kit_templated = True
            widget.update_layout(layout)
    else:
        keys = sorted({k for t in traces for k in t if k not in {"type", "uid"}}
                      | {k for t in widget.data for k in t.to_plotly_json() if k not in {"type", "uid"}})
        restyle = {k: [t.get(k) for t in traces] for k in keys}
        widget.plotly_update(restyle_data=restyle, relayout_data=layout)
    # The update message reaches views that exist now; a view made later (a page opened after the
    # kernel ran, as in Voila, or a re-rendered output) draws from the synced state: keep it current.
    widget._widget_data = copy.deepcopy(widget._data)
    widget._widget_layout = copy.deepcopy(widget._layout_obj._props)


def case_form(
    case_or_path: Case | str | os.PathLike[str] | Mapping[str, Any] | None = None,
    *,
    save_to: str | os.PathLike[str] = "units",
    preview_to: str | os.PathLike[str] = "reports/preview",
    debounce: float = DEBOUNCE_SECONDS,
) -> CaseForm:
    """The input form for a case, a case file, or (by default) ``templates/cases/example.yaml``.

    ``form.widget`` is what a notebook displays; ``form.field(path).value = …`` edits the case;
    ``form.case`` is the current valid case (None while a problem is open) and ``form.errors`` its
    problems by dotted path; ``form.save(path)`` and ``form.preview(path)`` act like the buttons.
    Figures refresh ``debounce`` seconds after the last change inside a running kernel, at once
    otherwise (or on :meth:`CaseForm.refresh`).
    """
    source = EXAMPLE if case_or_path is None else case_or_path
    try:
        case = source if isinstance(source, Case) else load_case(source)
    except CaseError:
        if not isinstance(source, Mapping):
            read_case_file(source)  # a file that is not a case at all: say so, there is nothing to fill
        form = CaseForm(load_case(EXAMPLE), save_to=save_to, preview_to=preview_to, debounce=debounce)
        form.load(source)  # fills what the file says and shows its problems beside the fields
        return form
    return CaseForm(case, save_to=save_to, preview_to=preview_to, debounce=debounce)


__all__ = ["CaseForm", "case_file_path", "case_form", "case_yaml", "headline_html", "percent_text", "save_case"]
