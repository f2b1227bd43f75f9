"""The form's node tree: one node per case field, built from the case models themselves.
"""

from __future__ import annotations

import html
import re
import types
import typing
from collections.abc import Iterator, Mapping
from typing import TYPE_CHECKING, Any, Literal, Union

import ipywidgets as w
import traitlets
import yaml
from pydantic import BaseModel

from roi_kit.case.fields import _is_rate, field_doc
from roi_kit.case.overrides import _unwrap
from roi_kit.case.schema import SCENARIOS, Case, _parse_rate
from roi_kit.errors import CaseError
from roi_kit.form.entry import (
    EntryError,
    _number_text,
    number_list_text,
    parse_number,
    parse_number_list,
)
from roi_kit.page import fmt

if TYPE_CHECKING:  # the controller builds the nodes: a cycle at import
    from roi_kit.form.controller import CaseForm

LABEL_WIDTH = "190px"


_WARN = "\u26a0"


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
        self.optional = type(None) in _options(annotation)  # an optional choice or text: "" is "not set"
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
        #: the hint for text typed here that is not a number in the form's locale ("" when none)
        self.entry_error = ""
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
            return make(w.Dropdown, options=([""] if self.optional else []) + list(choices))
        if self.kind == "bool":
            return make(w.Checkbox, indent=False)
        if self.kind == "text" and (doc.kind == "str") and self._long(doc.path):
            return make(w.Textarea, layout=shared.layout(width="640px", height="56px"))
        if self.kind == "yaml":
            return make(
                w.Textarea, layout=shared.layout(width="640px", height="64px"),
                placeholder="YAML, e.g. {retention.churn_rate_after: 5%}",
            )
        placeholder = {
            "number_list": "year 1; year 2; … (or one amount for every year)",
            "optional_float": "not set",
            "optional_int": "not set",
        }.get(self.kind, "")
        wide = self.kind in {"text", "number_list"}
        # every number box is text read in the form's locale, sent as the user types (the form
        # debounces the figures), the same way for required, optional and list boxes
        return make(w.Text, placeholder=placeholder, continuous_update=True,
                    layout=shared.layout(width="480px") if wide else layout)

    def _long(self, path: str) -> bool:
        return any((getattr(m, "max_length", 0) or 0) > 200 for m in self._metadata(path))

    # -- values ---------------------------------------------------------------------------
    @property
    def numeric(self) -> bool:
        return self.kind in {"float", "int", "optional_float", "optional_int", "number_list"}

    def _to_model(self, shown: Any) -> Any:
        """The box's text as the case holds it; text that is not a number in the locale is kept
        as typed (so the case is invalid) and :attr:`entry_error` says why."""
        self.entry_error = ""
        if not self.numeric:
            return self._other_to_model(shown)
        locale = self.form.locale
        try:
            if self.kind == "number_list":
                return parse_number_list(shown, locale=locale)
            number = parse_number(shown, locale=locale, percent=self.percent)
        except EntryError as error:
            self.entry_error = str(error)
            return shown
        if number is None and self.kind in {"float", "int"}:
            self.entry_error = "is required: type a number"
            return shown
        if number is not None and self.kind.endswith("int") and float(number).is_integer():
            return int(number)
        return number

    def _other_to_model(self, shown: Any) -> Any:
        if self.kind == "yaml":
            if not (shown or "").strip():
                return {}
            try:
                return yaml.safe_load(shown)
            except yaml.YAMLError:
                return shown  # the model says it is not a mapping
        if self.kind in {"choice", "text"} and self.optional and shown == "":
            return None
        return shown

    def _to_widget(self, value: Any) -> Any:
        if self.kind in {"float", "int", "optional_float", "optional_int"}:
            return _number_text(value, self.percent, self.form.locale)
        if self.kind == "number_list":
            return number_list_text(value, self.form.locale)
        if self.kind == "yaml":
            if not value:
                return ""
            return yaml.safe_dump(value, default_flow_style=True, sort_keys=False, width=10_000).strip()
        if self.kind == "text" or (self.kind == "choice" and value is None and self.optional):
            return "" if value is None else str(value)
        return value

    def get(self) -> Any:
        return self._value

    def set(self, value: Any) -> None:
        """Show ``value``: a case's, or one read from a file as written (which may be invalid)."""
        value = self._from_file(value)
        self._value = value
        self.entry_error = ""
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
                self.widget.value = ""

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

    def reread(self) -> None:
        """Read the box's text again (the form's locale changed)."""
        if self.numeric and isinstance(self.widget.value, str):
            self._value = self._to_model(self.widget.value)

    def reshow(self) -> None:
        """Show the value again (in a new locale); a value kept as typed stays as typed."""
        if self.numeric and not self.entry_error and not isinstance(self._value, str):
            with self.form.muted():
                self.widget.value = self._to_widget(self._value)

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
        if message and self.entry_error:
            message = self.entry_error
        elif message and self.percent:
            message = self.percent_message(message)
        super().show_error(message)

    def percent_message(self, message: str) -> str:
        """The model's message for a rate, said in the percent the box shows: 600 typed in a
        0–100 % box is "600% is outside the accepted range (accepted: 0% to 100%)"."""
        typed = str(self.widget.value).strip().removesuffix("%").strip()
        if "is not a fraction between 0 and 1" in message or (message.startswith("= ") and " must be " in message):
            strict = any(getattr(m, "lt", None) is not None for m in self._metadata(self.path))
            rng = _range_text(self.doc.unit, self.doc.minimum, self.doc.maximum, strict) or "accepted: 0% to 100%"
            return f"{typed}% is outside the accepted range ({rng})"
        return message


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
