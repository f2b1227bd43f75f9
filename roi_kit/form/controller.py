"""The input form: a CX leader fills in a case (``make app``, or JupyterLab) and watches the numbers move.

``case_form(case_or_path)`` builds an ipywidgets form from the case models themselves: every field
of :mod:`roi_kit.case` becomes an input, labelled, unit-tagged and tooltipped from its own
``F()``/``R()`` declaration (label, unit, description, accepted range), so a field added to a model
appears in the form with no form code written for it. How a field is edited follows from its type:

==================================  =========================================================
field type                          widget
==================================  =========================================================
required number                     ``Text`` read in the form's locale (:mod:`roi_kit.form.entry`);
                                    a ``rate`` unit in percent: 14 (%) is 0.14
optional number                     the same; blank means "not set"
``Literal[...]``                    ``Dropdown``
``str``                             ``Text`` (``Textarea`` for long text)
``list[Number] | Number``           ``Text``: "40,000; 60,000" (year 1, 2, …) or one number
sub-model                           a titled group; an optional one (a lever) has an "enabled"
                                    checkbox that reveals its fields
``list[sub-model]``                 items with Remove buttons and an Add button
``dict[str, str]`` (sources)        rows of path and note, addable and removable
anything else (overrides)           a YAML ``Textarea``
==================================  =========================================================

Every change rebuilds the case mapping from the widgets and validates it with
:func:`roi_kit.case.load_case`; each problem is shown inline beside the deepest part of the form
its path names, with the model's own one-line message (a percent box's said in percent; text
that is not a number in the locale gets the locale's hint), and never raises. Every number box
sends its text as the user types. A valid case is re-evaluated (all three scenarios) on a short
timer after the last change (``debounce`` seconds; :meth:`CaseForm.refresh` does it at once),
updating the headline figures and the three board charts, drawn in the browser by one
:class:`~roi_kit.form.live.LiveCharts` widget (one JSON message per refresh, ``Plotly.react``),
sized to their column at any width.

Saving writes human-readable YAML (block style, keys in model order, rates as ``"14%"``, unset
values left out) atomically; it loads back to an equal case (:func:`case_yaml`).
"""

from __future__ import annotations

import asyncio
import contextlib
import html
import os
from collections.abc import Callable, Iterator, Mapping
from pathlib import Path
from typing import Any

import ipywidgets as w

from roi_kit._io import slugify
from roi_kit.board.charts import cost_curve, payback_timeline, waterfall
from roi_kit.board.export import render
from roi_kit.case.files import EXAMPLE, load_case, read_case_file, save_case
from roi_kit.case.schema import Case
from roi_kit.errors import CaseError, Problem, RoiKitError
from roi_kit.form.entry import EntryError, check_locale, default_locale
from roi_kit.form.live import RESULTS_CLASS, LiveCharts
from roi_kit.form.nodes import (
    _WARN,
    _build,
    _Group,
    _Items,
    _Leaf,
    _list_item_model,
    _model_of,
    _Node,
    _Scenarios,
    _Shared,
    problems_by_path,
)
from roi_kit.model.result import evaluate_scenarios
from roi_kit.page import fmt
from roi_kit.page.text import fit_layout
from roi_kit.page.theme import NARROW_WIDTH_PX, TEMPLATE_NAME

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


#: Tab titles whole at their natural width ("Timeline & risk", "Measurement plan" are cut at the
#: default), on a second row where the column is too narrow for all of them ("Sou…" otherwise).
_TAB_STYLE = (
    "<style>.roi-form-tabs > .lm-TabBar .lm-TabBar-tab, .roi-form-tabs > .p-TabBar .p-TabBar-tab"
    " { flex: 0 0 auto !important; max-width: none !important; min-width: 0 !important; }"
    " .roi-form-tabs > .lm-TabBar .lm-TabBar-content, .roi-form-tabs > .p-TabBar .p-TabBar-content"
    " { flex-wrap: wrap !important; }"
    " .roi-form-tabs > .lm-TabBar, .roi-form-tabs > .p-TabBar { min-height: fit-content !important;"
    " max-height: none !important; overflow: visible !important; }"
    f" .{RESULTS_CLASS} .js-plotly-plot, .{RESULTS_CLASS} .plot-container {{ max-width: 100%; }}"
    "</style>"
)

#: Locales offered for number entry (any Babel locale may be typed).
LOCALES = ("en_US", "en_GB", "de_DE", "fr_FR", "es_ES", "it_IT", "nl_NL", "de_CH", "sv_SE")

#: The headline's measures, named as the report and the portfolio name them.
NET_BENEFIT_LABEL = fmt.RUN_RATE_NET_BENEFIT


DEBOUNCE_SECONDS = 0.25


CHART_HEIGHT = 340


class CaseForm:
    """The input form for one case (see :func:`case_form`)."""

    def __init__(self, case: Case, *, save_to: str | os.PathLike[str] = "units",
                 preview_to: str | os.PathLike[str] = "reports/preview", debounce: float = DEBOUNCE_SECONDS,
                 locale: str | None = None):
        #: how typed numbers are read (Babel locale name): the user's, from the environment by default
        self.locale = check_locale(locale) if locale else default_locale()
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

        self.load_path = w.Text(placeholder="path/to/case.yaml (or a costing run's baseline.yaml)",
                                description="Case file", layout=w.Layout(width="380px"))
        self.load_button = w.Button(description="Load", icon="folder-open", layout=w.Layout(width="auto"))
        self.save_folder = w.Text(value=str(save_to), description="Units folder", layout=w.Layout(width="380px"))
        self.case_picker = w.Dropdown(options=[("(pick a saved case)", "")], value="",
                                      description="Saved cases", layout=w.Layout(width="380px"),
                                      style={"description_width": "initial"})
        self.case_picker.observe(self._picked, names="value")
        self.locale_box = w.Combobox(
            value=self.locale, options=sorted({*LOCALES, self.locale}), ensure_option=False,
            description="Number format", layout=w.Layout(width="260px"),
            style={"description_width": "initial"},
        )
        self.locale_box.tooltip = "How you type numbers: en_US reads 1,200.50; de_DE and fr_FR read 1.200,50"
        self.locale_hint = w.HTML("")
        self.locale_box.observe(self._locale_typed, names="value")
        self.save_folder.observe(lambda _c: self.list_cases(), names="value")
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
        #: the charts as drawn, by name (plotly figures, built when read: the hot path sends JSON)
        self.figures = _Figures()
        self.charts = LiveCharts(CHARTS, _template())
        files = w.VBox([
            w.HBox([self.case_picker, self.locale_box, self.locale_hint],
                   layout=w.Layout(flex_flow="row wrap")),
            w.HBox([self.load_path, self.load_button]),
            w.HBox([self.save_folder, self.save_button, self.preview_button]),
            self.status,
        ])
        results = w.VBox([self.headline, self.charts],
                         layout=w.Layout(width="46%", min_width="420px"))
        results.add_class(RESULTS_CLASS)
        form = w.VBox([self.header.box, self.problems, self.tabs], layout=w.Layout(width="54%"))
        self.widget = w.VBox([w.HTML(_TAB_STYLE), files,
                              w.HBox([form, results], layout=w.Layout(width="100%"))])
        self.widget.add_class("roi-form")
        self.reindex()
        self.list_cases()

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
        # text that is not a number in the form's locale: its hint, and no case until it is fixed
        entry = {n.path: n.entry_error for n in self._index.values() if isinstance(n, _Leaf) and n.entry_error}
        if entry:
            self.case = None
            self.errors = {**{p: m for p, m in self.errors.items() if p not in entry}, **entry}
        # a percent box's problem in the percent it shows ("600% is outside …", not "= 6 …")
        self.errors = {p: self._message_of(p, m) for p, m in self.errors.items()}
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

    def _message_of(self, path: str, message: str) -> str:
        """A problem as the list under the header says it: a percent box's in percent."""
        node = self._index.get(path)
        if isinstance(node, _Leaf) and node.percent and not node.entry_error:
            return node.percent_message(message)
        return message

    # -- locale and saved cases -----------------------------------------------------------------
    def set_locale(self, locale: str) -> None:
        """Read numbers as ``locale`` does from now on: the boxes show the case's values in it,
        and text refused in the old locale is read again in the new one."""
        self.locale = check_locale(locale)
        with self.muted():
            self.locale_box.value = self.locale
        for node in self._index.values():
            if isinstance(node, _Leaf):
                if node.entry_error:
                    node.reread()
                else:
                    node.reshow()
        self.changed()

    def _locale_typed(self, change: Mapping[str, Any]) -> None:
        if self.is_muted:
            return
        try:
            self.set_locale(change["new"])
        except EntryError as error:
            self.locale_hint.value = f'<span style="color:#B42318">{_WARN} {html.escape(str(error))}</span>'
        else:
            self.locale_hint.value = ""

    def case_files(self) -> list[Path]:
        """The case files in the units folder (``*.yaml``, ``*.yml``), by name."""
        folder = Path(self.save_folder.value or ".")
        if not folder.is_dir():
            return []
        return sorted(p for p in folder.iterdir() if p.suffix.lower() in {".yaml", ".yml"} and p.is_file())

    def list_cases(self) -> None:
        """Offer the units folder's case files in the "Saved cases" list."""
        options = [("(pick a saved case)", ""), *((p.name, str(p)) for p in self.case_files())]
        with self.muted():
            self.case_picker.options = options
            self.case_picker.value = ""

    def _picked(self, change: Mapping[str, Any]) -> None:
        if self.is_muted or not change["new"]:
            return
        self.load_path.value = change["new"]
        self._guard(lambda: self.load(change["new"]))

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
        specs = {
            "cost_curve": _spec(cost_curve(expected)),
            "waterfall": _spec(waterfall(expected)),
            "payback_timeline": _spec(payback_timeline(results)),
        }
        self.figures.specs = specs
        self.charts.show(specs)
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
            part = self._part_of_a_case(case_or_path)
            if part is not None:
                return self._load_part(case_or_path, part)
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

    def _part_of_a_case(self, source: Any) -> dict[str, Any] | None:
        """A file holding only some sections of a case (``roi-kit costs --out``'s ``baseline.yaml``:
        a ``baseline:`` mapping and no ``unit``), else None."""
        if isinstance(source, Mapping):
            return None
        raw = read_case_file(source)
        fields = set(Case.model_fields)
        if isinstance(raw, Mapping) and raw and "unit" not in raw and set(raw) <= fields:
            return dict(raw)
        return None

    def _load_part(self, source: Any, part: dict[str, Any]) -> Case | None:
        """Lay the sections of ``part`` over the form's case (the rest of the case is kept)."""
        self._fill(_merged(self.data(), part))
        self.changed()
        names = ", ".join(sorted(part))
        if self.case is None:
            self._set_status(f"Loaded {html.escape(names)} from {html.escape(str(source))} with "
                             f"{len(self.errors)} problem{'s' if len(self.errors) != 1 else ''}: "
                             "fix them in the form.", bad=True)
        else:
            self._set_status(f"Loaded {html.escape(names)} from {html.escape(str(source))} "
                             "into this case.")
        return self.case

    def save(self, path: str | os.PathLike[str] | None = None) -> Path:
        """Write the current case as YAML into ``path`` (a file, or a units folder: ``<unit slug>.yaml``)."""
        case = self._valid("save")
        target = save_case(case, path if path is not None else self.save_folder.value)
        self._set_status(f"Saved {html.escape(str(target))}.")
        self.list_cases()
        return target

    def preview(self, path: str | os.PathLike[str] | None = None, *, scenario: str = "expected") -> Path:
        """Render this case's board report (HTML) with the report pipeline; returns the file."""

        case = self._valid("preview")
        folder = Path(path if path is not None else self.preview_folder)
        target = folder if folder.suffix.lower() == ".html" else folder / f"{slugify(case.unit)}.html"
        self._set_status("Rendering the report…")
        out = render(case, scenario=scenario, output=target)
        self._set_status(
            f'Report written: <a href="{html.escape(_report_href(out))}" target="_blank" '
            f'rel="noopener">open {html.escape(out.name)}</a> <span style="color:#616E7C">'
            f"({html.escape(str(out))})</span>"
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


#: Set by ``make app``: the folder Voilà serves files from (``/voila/files/<path under it>``).
APP_ROOT_ENV = "ROI_KIT_APP_ROOT"


def _report_href(path: Path) -> str:
    """Where the browser opens a written report: through Voilà's file route inside the app
    (the kernel knows it runs there from ``VOILA_SERVER_URL``), relative to the notebook in
    JupyterLab (which opens it in a tab of its own)."""
    server = os.environ.get("VOILA_SERVER_URL")
    if server is not None:
        root = Path(os.environ.get(APP_ROOT_ENV) or Path.cwd()).resolve()
        with contextlib.suppress(ValueError):
            rel = path.resolve().relative_to(root).as_posix()
            return server.rstrip("/") + "/voila/files/" + rel
    return _relative_href(path)


def headline_html(results: Mapping[str, Any]) -> str:
    """NPV, ROI, payback month and net benefit a year at run-rate of the expected case, as four
    cards (named as the report names them)."""
    r = results["expected"]
    s, cur = r.summary, r.case.currency
    cards = (
        ("NPV", fmt.money(s["npv"], cur)),
        ("ROI", fmt.pct(s["roi"], 0)),
        ("Payback", fmt.months(s["payback_months"], never="beyond horizon")),
        (NET_BENEFIT_LABEL, fmt.money(s["run_rate_net_benefit"], cur)),
    )
    card = (
        '<div style="flex:1;border:1px solid #E4E7EB;border-radius:6px;padding:6px 10px;">'
        '<div style="color:#616E7C;font-size:12px">{}</div>'
        '<div style="font-size:20px;font-weight:600" data-figure="{}">{}</div></div>'
    )
    keys = ("npv", "roi", "payback", "run_rate_net_benefit")
    body = "".join(card.format(html.escape(k), key, html.escape(v)) for (k, v), key in zip(cards, keys, strict=True))
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


def _spec(fig: Any) -> dict[str, Any]:
    """A chart as the live charts draw it: plotly JSON laid out for the results column at its
    narrowest (min_width), title and subtitle wrapped into lines of their own and the chart grown
    by them, so they never overlap each other or the legend; no width (it follows the column) and
    no template (sent once). Built without re-validating the figure."""
    spec = fig.to_plotly_json()
    layout = _merged(spec.get("layout", {}), fit_layout(fig, NARROW_WIDTH_PX, height=CHART_HEIGHT))
    layout.pop("template", None)
    layout.pop("width", None)
    return {"data": spec.get("data", []), "layout": layout}


def _template() -> dict[str, Any]:
    import plotly.io as pio

    return pio.templates[TEMPLATE_NAME].to_plotly_json()


#: The live charts, in the order they are drawn.
CHARTS = ("cost_curve", "waterfall", "payback_timeline")


class _Figures(Mapping):
    """``form.figures[name]``: the chart last drawn, as a plotly figure (built when read)."""

    def __init__(self) -> None:
        self.specs: dict[str, dict[str, Any]] = {}

    def __getitem__(self, name: str) -> Any:
        import plotly.graph_objects as go

        spec = self.specs[name]
        return go.Figure({"data": spec["data"], "layout": {**spec["layout"], "template": TEMPLATE_NAME}})

    def __iter__(self) -> Iterator[str]:
        return iter(self.specs)

    def __len__(self) -> int:
        return len(self.specs)


def case_form(
    case_or_path: Case | str | os.PathLike[str] | Mapping[str, Any] | None = None,
    *,
    save_to: str | os.PathLike[str] = "units",
    preview_to: str | os.PathLike[str] = "reports/preview",
    debounce: float = DEBOUNCE_SECONDS,
    locale: str | None = None,
) -> CaseForm:
    """The input form for a case, a case file, or (by default) ``templates/cases/example.yaml``.

    ``form.widget`` is what a notebook displays; ``form.field(path).value = …`` edits the case;
    ``form.case`` is the current valid case (None while a problem is open) and ``form.errors`` its
    problems by dotted path; ``form.save(path)`` and ``form.preview(path)`` act like the buttons.
    Figures refresh ``debounce`` seconds after the last change inside a running kernel, at once
    otherwise (or on :meth:`CaseForm.refresh`). ``locale`` (a Babel name such as ``de_DE``) says
    how typed numbers are read; by default the environment's (``LC_ALL``, ``LC_NUMERIC``, ``LANG``).
    """
    source = EXAMPLE if case_or_path is None else case_or_path
    try:
        case = source if isinstance(source, Case) else load_case(source)
    except CaseError:
        if not isinstance(source, Mapping):
            read_case_file(source)  # a file that is not a case at all: say so, there is nothing to fill
        form = CaseForm(load_case(EXAMPLE), save_to=save_to, preview_to=preview_to, debounce=debounce,
                        locale=locale)
        form.load(source)  # fills what the file says and shows its problems beside the fields
        return form
    return CaseForm(case, save_to=save_to, preview_to=preview_to, debounce=debounce, locale=locale)


__all__ = ["CaseForm", "case_form", "headline_html"]
