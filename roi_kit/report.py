"""The board report: execute the parameterised notebook, export it offline, print it to PDF.

Two halves, one module:

* **In the kernel** (what ``notebooks/roi_case.ipynb`` calls): :func:`prepare` loads and evaluates
  the case once and publishes the cover/footer facts; :func:`section` then puts one section of the
  report on the page, in :data:`SECTIONS` order, through :mod:`roi_kit.display`. The notebook
  stays a parameters cell, markdown headings, and one call per section.
* **In the caller**: :func:`notebook_parameters` (papermill's parameters), :func:`export_html`
  (an executed notebook → one self-contained HTML string with the ``templates/board`` template),
  :func:`render` (the cold single run behind ``roi-kit report``) and :func:`print_pdf`.

Where the notebook and the template are found (:func:`notebook_path`, :func:`template_dir`):
``$ROI_KIT_NOTEBOOK`` / ``$ROI_KIT_TEMPLATES`` if set; else the source checkout (``notebooks/`` and
``templates/`` beside the ``roi_kit`` package — also what an editable install sees); else
``<sys.prefix>/share/roi_kit/`` where a wheel install puts them (``data-files`` in pyproject).

Heavy imports (papermill, nbconvert, plotly, playwright) happen inside the functions that need
them, so the kernel side stays cheap to import.
"""

from __future__ import annotations

import copy
import html
import os
import sys
import threading
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

from roi_kit.board_provenance import provenance_html
from roi_kit.errors import ReportError

if TYPE_CHECKING:
    import nbformat
    import pandas as pd

    from roi_kit.case import Case
    from roi_kit.engine import Result
    from roi_kit.uncertainty import MonteCarloResult

NOTEBOOK_NAME = "roi_case.ipynb"
TEMPLATE_NAME = "board"
CHROMIUM = os.environ.get("ROI_KIT_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = ("--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking")
PLOTLYJS_PLACEHOLDER = '<script data-roi-kit="plotlyjs"></script>'
#: Viewport for the PDF: A4 landscape at 96 dpi, so charts lay out at the printed width.
PRINT_VIEWPORT = {"width": 1123, "height": 794}

_REPO = Path(__file__).resolve().parent.parent
_SHARE = Path(sys.prefix) / "share" / "roi_kit"


# --------------------------------------------------------------------------- resources


def _first_existing(candidates: list[Path], what: str) -> Path:
    for path in candidates:
        if path.exists():
            return path
    tried = ", ".join(str(p) for p in candidates)
    raise ReportError(f"cannot find the {what}: tried {tried}")


def notebook_path() -> Path:
    """The report notebook: ``$ROI_KIT_NOTEBOOK``, the checkout's ``notebooks/``, or share/."""
    env = os.environ.get("ROI_KIT_NOTEBOOK")
    candidates = [Path(env)] if env else []
    candidates += [_REPO / "notebooks" / NOTEBOOK_NAME, _SHARE / "notebooks" / NOTEBOOK_NAME]
    return _first_existing(candidates, "report notebook")


def template_dir() -> Path:
    """The folder holding ``board/``: ``$ROI_KIT_TEMPLATES``, the checkout's ``templates/``, or share/."""
    env = os.environ.get("ROI_KIT_TEMPLATES")
    candidates = [Path(env)] if env else []
    candidates += [_REPO / "templates", _SHARE / "templates"]
    return _first_existing(
        [c for c in candidates if (c / TEMPLATE_NAME).is_dir()] or candidates, "board template"
    )


# --------------------------------------------------------------------------- parameters


def notebook_parameters(
    case_path: str | os.PathLike[str] | None = None,
    case: Mapping[str, Any] | None = None,
    scenario: str = "expected",
) -> dict[str, Any]:
    """The papermill parameters of the report notebook: ``case_path``, ``case``, ``scenario``.

    Give exactly one of ``case_path`` (a YAML/JSON file; made absolute, since the kernel may run
    elsewhere) or ``case`` (an inline mapping, e.g. a batch row over a base case; a loaded
    :class:`~roi_kit.case.Case` is accepted and dumped to JSON-safe values).
    """
    from roi_kit.case import SCENARIOS

    if (case_path in (None, "")) == (not case):
        raise ReportError("report parameters: give exactly one of case_path or case")
    if scenario not in SCENARIOS:
        raise ReportError(f"scenario = {scenario!r} is not one of {', '.join(SCENARIOS)}")
    if case and hasattr(case, "model_dump"):
        case = case.model_dump(mode="json")  # type: ignore[union-attr]
    return {
        "case_path": str(Path(case_path).resolve()) if case_path not in (None, "") else "",
        "case": dict(case) if case else {},
        "scenario": scenario,
    }


# --------------------------------------------------------------------------- kernel side


@dataclass(frozen=True)
class ReportContext:
    """Everything one report shows, computed once per run by :func:`prepare`."""

    case: Case
    scenario: str
    result: Result
    results: Mapping[str, Result]
    sensitivity: pd.DataFrame
    monte_carlo: MonteCarloResult


def toolkit_version() -> str:
    """roi_kit's version (the package attribute; the installed metadata as a fallback)."""
    import roi_kit

    version = getattr(roi_kit, "__version__", None)
    if version is None:
        from importlib.metadata import version as installed

        version = installed("roi_kit")
    return str(version)


def generation_stamp(generated_at: datetime | None = None) -> dict[str, str]:
    """When a page was made, as its cover (``date``: "20 March 2026") and footer
    (``generated_at``: "2026-03-20 09:30 UTC") show it; ``generated_at`` defaults to now (UTC)."""
    when = (generated_at or datetime.now(UTC)).astimezone(UTC)
    return {"date": f"{when.day} {when:%B %Y}", "generated_at": when.strftime("%Y-%m-%d %H:%M UTC")}


def report_meta(case: Case, scenario: str) -> dict[str, str]:
    """The cover and footer facts of a report (user text unescaped: the template escapes it)."""
    return {
        "unit": case.unit,
        "title": case.title or "Business case",
        "scenario": scenario,
        "currency": case.currency,
        "horizon": f"{case.timeline.horizon_months} months",
        "input_hash": case.input_hash,
        "toolkit_version": toolkit_version(),
    }


def prepare(
    case_path: str = "", case: Mapping[str, Any] | None = None, scenario: str = "expected"
) -> ReportContext:
    """Load and evaluate the case (all scenarios, sensitivity, Monte Carlo); publish the meta.

    Called once by the report notebook with its parameters; with neither ``case_path`` nor
    ``case`` (the notebook opened as is, or run by nbval) it shows the reference case.
    """
    from roi_kit.case import load_case
    from roi_kit.display import publish_meta
    from roi_kit.engine import evaluate_scenarios
    from roi_kit.uncertainty import monte_carlo, sensitivity

    if not case_path and not case:
        from roi_kit.case import EXAMPLE

        case_path = str(EXAMPLE)
    params = notebook_parameters(case_path or None, case or None, scenario)
    loaded = load_case(params["case_path"] or params["case"])
    results = evaluate_scenarios(loaded)
    publish_meta(report_meta(loaded, scenario))
    return ReportContext(
        case=loaded,
        scenario=scenario,
        result=results[scenario],
        results=results,
        sensitivity=sensitivity(loaded),
        monte_carlo=monte_carlo(loaded),
    )


def _paragraph(text: str | None, cls: str) -> None:
    """Show one plain-text sentence (narrative returns text, not HTML) as an escaped paragraph."""
    from roi_kit.display import show_html

    if text:
        show_html(f'<p class="{cls}">{html.escape(str(text))}</p>')


def kpis(result: Result) -> list[tuple[str, str]]:
    """The four figures a board reads first, formatted as the headline sentence formats them.

    NPV and run-rate net benefit as compact money, risk-adjusted ROI (NPV / PV costs) as a whole
    percentage, payback as the month during which the cumulative net turns non-negative.
    """
    from roi_kit import fmt

    s, cur = result.summary, result.case.currency
    run_net = s.get("run_rate_net_benefit")
    return [
        ("Net present value", fmt.money(s["npv"], cur)),
        ("Risk-adjusted ROI", fmt.pct(s["roi"], 0)),
        ("Payback", fmt.months(s.get("payback_months"), never="beyond horizon").capitalize()),
        ("Net benefit a year, at run-rate", fmt.money(run_net, cur)),
    ]


def kpi_strip(result: Result) -> str:
    """:func:`kpis` as an HTML strip of tiles (escaped)."""
    tiles = "".join(
        f'<div class="roi-kpi"><span class="roi-kpi__label">{html.escape(label)}</span>'
        f'<span class="roi-kpi__value">{html.escape(value)}</span></div>'
        for label, value in kpis(result)
    )
    return f'<div class="roi-kpis">{tiles}</div>'


def _headline(ctx: ReportContext) -> None:
    from roi_kit import narrative
    from roi_kit.display import show_html

    _paragraph(narrative.headline(ctx.result), "roi-headline")
    show_html(kpi_strip(ctx.result))


def _pillars(ctx: ReportContext) -> None:
    from roi_kit import narrative
    from roi_kit.display import show_html

    items = []
    for sentence in narrative.pillars(ctx.result):
        label, sep, rest = str(sentence).partition(": ")
        if not sep:
            label, rest = "", str(sentence)
        items.append(
            f'<li><span class="roi-pillar-list__label">{html.escape(label)}</span>'
            f"<span>{html.escape(rest)}</span></li>"
        )
    show_html(f'<ul class="roi-pillar-list">{"".join(items)}</ul>')
    _paragraph(narrative.what_if_stopped(ctx.result), "roi-callout")


def _scenarios(ctx: ReportContext) -> None:
    from roi_kit import narrative, sections
    from roi_kit.display import show_html

    _paragraph(narrative.scenario_sentence(ctx.results), "roi-lead")
    show_html(sections.scenario_table(ctx.results))


def _baseline(ctx: ReportContext) -> None:
    from roi_kit import charts, sections
    from roi_kit.display import show_figure, show_html

    show_html(sections.baseline_table(ctx.result))
    fig = charts.segments(ctx.result)
    if fig is not None:
        show_figure(fig, "segments")


def _chart(
    name: str, build: Callable[[Any, ReportContext], Any]
) -> Callable[[ReportContext], None]:
    """A section that is one chart: ``build(charts_module, ctx)`` shown as chart ``name``."""

    def run(ctx: ReportContext) -> None:
        from roi_kit import charts
        from roi_kit.display import show_figure

        show_figure(build(charts, ctx), name)

    return run


def _table(build: Callable[[Any, ReportContext], str]) -> Callable[[ReportContext], None]:
    """A section that is one HTML fragment: ``build(sections_module, ctx)``."""

    def run(ctx: ReportContext) -> None:
        from roi_kit import sections
        from roi_kit.display import show_html

        show_html(build(sections, ctx))

    return run


#: The report's sections in DESIGN.md's order: key -> how to show it.
SECTIONS: Mapping[str, Callable[[ReportContext], None]] = {
    "headline": _headline,
    "pillars": _pillars,
    "baseline": _baseline,
    "cost_curve": _chart("cost-curve", lambda ch, c: ch.cost_curve(c.result)),
    "waterfall": _chart("waterfall", lambda ch, c: ch.waterfall(c.result)),
    "payback_timeline": _chart("payback-timeline", lambda ch, c: ch.payback_timeline(c.results)),
    "scenario_table": _scenarios,
    "tornado": _chart("tornado", lambda ch, c: ch.tornado(c.sensitivity, c.result)),
    "uncertainty": _chart(
        "npv-distribution", lambda ch, c: ch.npv_distribution(c.monte_carlo, c.result)
    ),
    "cost_table": _table(lambda se, c: se.cost_table(c.result)),
    "annual_table": _table(lambda se, c: se.annual_table(c.result)),
    "measurement_plan": _table(lambda se, c: se.measurement_plan(c.case)),
    "assumptions": _table(lambda se, c: se.assumptions_register(c.case)),
    "baseline_source": _table(lambda se, c: provenance_html(c.case)),
    "methodology": _table(lambda se, c: se.methodology(c.result)),
}

#: Charts every full report must contain (``segments`` only when the case has segments).
REQUIRED_CHARTS = ("cost-curve", "waterfall", "payback-timeline", "tornado", "npv-distribution")


def section(ctx: ReportContext, name: str) -> None:
    """Show one section of the report (a key of :data:`SECTIONS`)."""
    if name not in SECTIONS:
        raise ReportError(f"report section {name!r} is not one of {', '.join(SECTIONS)}")
    SECTIONS[name](ctx)


# --------------------------------------------------------------------------- export


@cache
def _exporter() -> Any:
    """The board HTMLExporter, built once per process (building it costs more than using it)."""
    from nbconvert import HTMLExporter

    return HTMLExporter(
        template_name=TEMPLATE_NAME,
        extra_template_basedirs=[str(template_dir())],
        exclude_input=True,
        exclude_input_prompt=True,
        exclude_output_prompt=True,
    )


_EXPORT_LOCK = threading.Lock()


_QUIET_TAGS = {"parameters", "injected-parameters"}


def _split_meta(nb: nbformat.NotebookNode) -> tuple[nbformat.NotebookNode, dict[str, Any]]:
    """A copy of ``nb`` without the hidden meta outputs, and the meta they carried.

    What the kernel wrote to stderr (warnings, logging) and anything the parameter cells printed
    stay in the executed notebook kept for audit, never on the board page: they depend on the
    machine and the moment, not on the case.
    """
    from roi_kit.display import META_MIMETYPE

    clean = copy.deepcopy(nb)
    meta: dict[str, Any] | None = None
    for cell in clean.cells:
        if cell.get("cell_type") != "code":
            continue
        quiet = bool(_QUIET_TAGS & set(cell.get("metadata", {}).get("tags", [])))
        kept = []
        for output in cell.get("outputs", []):
            if output.get("output_type") == "stream" and (quiet or output.get("name") == "stderr"):
                continue
            if output.get("output_type") == "error":
                raise ReportError(
                    f"the executed notebook has an error output ({output.get('ename')}: "
                    f"{output.get('evalue')}); export refused"
                )
            data = output.get("data", {})
            if META_MIMETYPE in data:
                meta = dict(data[META_MIMETYPE])
            else:
                kept.append(output)
        cell["outputs"] = kept
    if meta is None:
        raise ReportError(
            "the executed notebook published no report metadata: it must call "
            "roi_kit.report.prepare (or roi_kit.display.publish_meta)"
        )
    return clean, meta


def chart_ids(html_text: str) -> list[str]:
    """The ids of the chart divs in an exported report, in page order."""
    import re

    from roi_kit.display import CHART_ID_PREFIX

    return re.findall(rf'\bid="({re.escape(CHART_ID_PREFIX)}[a-z0-9-]+)"', html_text)


def export_html(nb: nbformat.NotebookNode, *, generated_at: datetime | None = None) -> str:
    """One self-contained HTML page from an EXECUTED report notebook, with the board template.

    plotly.js is inlined once in ``<head>`` (:func:`roi_kit.bundle.plotlyjs`); no code, no
    prompts, no network reference. The cover and the footer (toolkit version, input hash,
    generation time) come from the notebook's hidden meta output. ``generated_at`` defaults to
    now (UTC); pass it for reproducible output.
    """
    from roi_kit.bundle import plotlyjs

    clean, meta = _split_meta(nb)
    meta = {**{key: str(value) for key, value in meta.items()}, **generation_stamp(generated_at)}
    clean.metadata["title"] = f"{meta.get('title', '')} — {meta.get('unit', '')}"
    with _EXPORT_LOCK:
        body, _ = _exporter().from_notebook_node(clean, resources={"roi_report": meta})
    ids = chart_ids(body)
    duplicates = sorted({i for i in ids if ids.count(i) > 1})
    if duplicates:
        raise ReportError(f"chart ids appear twice in one report: {', '.join(duplicates)}")
    head, found, tail = body.partition(PLOTLYJS_PLACEHOLDER)
    if not found:
        raise ReportError(f"template {TEMPLATE_NAME!r} has no plotly.js placeholder")
    return f'{head}<script data-roi-kit="plotlyjs">{plotlyjs()}</script>{tail}'


# --------------------------------------------------------------------------- single run


def execute(params: Mapping[str, Any], *, cwd: Path | None = None) -> nbformat.NotebookNode:
    """Execute the report notebook with papermill (a fresh kernel); errors become ReportError."""
    import papermill
    from papermill.exceptions import PapermillExecutionError

    try:
        return papermill.execute_notebook(
            str(notebook_path()),
            None,
            parameters=dict(params),
            kernel_name="python3",
            progress_bar=False,
            log_output=False,
            request_save_on_cell_execute=False,
            cwd=str(cwd) if cwd else None,
        )
    except PapermillExecutionError as error:
        what = f"{error.ename}: {error.evalue}".strip().splitlines()[0]
        raise ReportError(f"report notebook failed in cell {error.exec_count}: {what}") from None


def render(
    case_path_or_case: str | os.PathLike[str] | Mapping[str, Any] | Case,
    *,
    scenario: str = "expected",
    output: str | os.PathLike[str],
    pdf: bool = False,
) -> Path:
    """Case → executed notebook → board HTML at ``output`` (written atomically); optional PDF.

    The case is validated here first, so a bad case fails with its one-line problems before any
    kernel starts. A failing run leaves no output file. With ``pdf=True`` the PDF lands beside
    the HTML (same name, ``.pdf``).
    """
    from roi_kit._io import write_atomic
    from roi_kit.case import load_case

    if isinstance(case_path_or_case, Mapping) or hasattr(case_path_or_case, "model_dump"):
        case = load_case(
            case_path_or_case.model_dump(mode="json")  # type: ignore[union-attr]
            if hasattr(case_path_or_case, "model_dump")
            else case_path_or_case
        )
        params = notebook_parameters(case=case.model_dump(mode="json"), scenario=scenario)
    else:
        load_case(case_path_or_case)
        params = notebook_parameters(case_path=case_path_or_case, scenario=scenario)
    html_text = export_html(execute(params))
    target = write_atomic(Path(output), html_text)
    if pdf:
        print_pdf(target, target.with_suffix(".pdf"))
    return target


# --------------------------------------------------------------------------- PDF


def print_pdf(html_path: str | os.PathLike[str], pdf_path: str | os.PathLike[str]) -> Path:
    """Print a report to PDF through headless chromium (landscape A4, page numbers, charts whole).

    Page numbers and the page size come from the board stylesheet's ``@page`` rules. Network is
    blocked: the page must draw from the file alone. Written atomically. Runs in a worker
    thread, so it also works where an event loop is running (a notebook, another playwright).
    """
    from concurrent.futures import ThreadPoolExecutor

    source = Path(html_path).resolve()
    if not Path(CHROMIUM).exists():
        raise ReportError(
            f"--pdf needs chromium at {CHROMIUM} (apt-get install chromium, or set ROI_KIT_CHROMIUM)"
        )
    with ThreadPoolExecutor(max_workers=1) as pool:
        return pool.submit(_print_pdf, source, Path(pdf_path)).result()


def _print_pdf(source: Path, pdf_path: Path) -> Path:
    from playwright.sync_api import sync_playwright

    from roi_kit._io import atomic_path

    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, args=list(CHROMIUM_ARGS))
        try:
            page = browser.new_page(viewport=PRINT_VIEWPORT)
            page.route(
                "**/*",
                lambda route: (
                    route.continue_() if route.request.url.startswith("file:") else route.abort()
                ),
            )
            page.goto(source.as_uri(), wait_until="load")
            wait_for_charts(page)
            with atomic_path(pdf_path) as tmp:
                page.pdf(
                    path=str(tmp),
                    landscape=True,
                    format="A4",
                    print_background=True,
                    prefer_css_page_size=True,
                )
        finally:
            browser.close()
    return pdf_path


def wait_for_charts(page: Any, timeout_ms: float = 15_000) -> None:
    """Wait until every chart div on ``page`` holds a drawn plotly SVG."""
    page.wait_for_function(
        """() => [...document.querySelectorAll('.plotly-graph-div')]
                 .every(d => d.querySelector('.main-svg'))""",
        timeout=timeout_ms,
    )
