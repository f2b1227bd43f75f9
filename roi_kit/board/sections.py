"""The report notebook's section runner (what ``notebooks/roi_case.ipynb`` calls, in the kernel).

:func:`prepare` loads and evaluates the case once and publishes the cover/footer facts;
:func:`section` then puts one section of the report on the page, in :data:`SECTIONS` order,
through :mod:`roi_kit.board.display`. The notebook stays a parameters cell, markdown headings, and
one call per section.
"""

from __future__ import annotations

import html
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from roi_kit.board import narrative
from roi_kit.board.charts import (
    cost_curve,
    npv_distribution,
    payback_timeline,
    segments,
    tornado,
    waterfall,
)
from roi_kit.board.display import publish_meta, show_figure, show_html
from roi_kit.board.export import notebook_parameters
from roi_kit.board.methodology import methodology
from roi_kit.board.provenance import provenance_html
from roi_kit.board.tables import (
    annual_table,
    assumptions_register,
    baseline_table,
    checks_box,
    cost_table,
    measurement_plan,
    scenario_table,
    staffing_table,
)
from roi_kit.case.files import EXAMPLE, load_case
from roi_kit.case.schema import Case
from roi_kit.errors import ReportError
from roi_kit.model.result import Result, evaluate_scenarios
from roi_kit.model.uncertainty import MonteCarloResult, monte_carlo, sensitivity
from roi_kit.page import fmt
from roi_kit.page.html import kpi_tiles
from roi_kit.page.resources import toolkit_version

if TYPE_CHECKING:
    import pandas as pd



@dataclass(frozen=True)
class ReportContext:
    """Everything one report shows, computed once per run by :func:`prepare`."""

    case: Case
    scenario: str
    result: Result
    results: Mapping[str, Result]
    sensitivity: pd.DataFrame
    monte_carlo: MonteCarloResult


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

    if not case_path and not case:

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

    if text:
        show_html(f'<p class="{cls}">{html.escape(str(text))}</p>')


def kpis(result: Result) -> list[tuple[str, str]]:
    """The four figures a board reads first, formatted as the headline sentence formats them.

    NPV and run-rate net benefit as compact money, risk-adjusted ROI (NPV / PV costs) as a whole
    percentage, payback as the month during which the cumulative net turns non-negative.
    """

    s, cur = result.summary, result.case.currency
    run_net = s.get("run_rate_net_benefit")
    return [
        ("Net present value", fmt.money(s["npv"], cur)),
        ("Risk-adjusted ROI", fmt.pct(s["roi"], 0)),
        ("Payback", fmt.months(s.get("payback_months"), never="beyond horizon").capitalize()),
        (fmt.RUN_RATE_NET_BENEFIT, fmt.money(run_net, cur)),
    ]


def kpi_strip(result: Result) -> str:
    """:func:`kpis` as an HTML strip of tiles (escaped)."""
    return kpi_tiles(kpis(result))


def _headline(ctx: ReportContext) -> None:

    _paragraph(narrative.headline(ctx.result), "roi-headline")
    show_html(kpi_strip(ctx.result))
    box = checks_box(ctx.result)
    if box:
        show_html(box)


def _pillars(ctx: ReportContext) -> None:

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

    _paragraph(narrative.scenario_sentence(ctx.results), "roi-lead")
    show_html(scenario_table(ctx.results))


def _uncertainty(ctx: ReportContext) -> None:

    _paragraph(narrative.uncertainty(ctx.monte_carlo, ctx.results), "roi-lead")
    show_figure(npv_distribution(ctx.monte_carlo, ctx.result, results=ctx.results), "npv-distribution")


def _baseline(ctx: ReportContext) -> None:

    if ctx.result.baseline is None:
        _paragraph(NO_BASELINE, "roi-lead")
        return
    show_html(baseline_table(ctx.result))
    fig = segments(ctx.result)
    if fig is not None:
        show_figure(fig, "segments")
    staffing = staffing_table(ctx.result)  # after the chart: the chart stays on the heading's page
    if staffing:
        show_html(staffing)


#: What the baseline and cost-curve sections say for a case of explicit lines only.
NO_BASELINE = ("This case is entered as explicit benefit and cost lines, with no baseline: "
               "no operating cost, cost per contact or cost per resolution is shown.")


def _cost_curve(ctx: ReportContext) -> None:
    if ctx.result.baseline is None:
        _paragraph("No cost-to-serve curve: the case has no baseline operating cost to start from.", "roi-lead")
        return
    show_figure(cost_curve(ctx.result), "cost-curve")


def _chart(name: str, build: Callable[[ReportContext], Any]) -> Callable[[ReportContext], None]:
    """A section that is one chart: ``build(ctx)`` shown as chart ``name``."""

    def run(ctx: ReportContext) -> None:
        show_figure(build(ctx), name)

    return run


def _table(build: Callable[[ReportContext], str]) -> Callable[[ReportContext], None]:
    """A section that is one HTML fragment: ``build(ctx)``."""

    def run(ctx: ReportContext) -> None:
        show_html(build(ctx))

    return run


#: The report's sections in reading order (headline, story, baseline, charts, tables, appendices).
SECTIONS: Mapping[str, Callable[[ReportContext], None]] = {
    "headline": _headline,
    "pillars": _pillars,
    "baseline": _baseline,
    "cost_curve": _cost_curve,
    "waterfall": _chart("waterfall", lambda c: waterfall(c.result)),
    "payback_timeline": _chart("payback-timeline", lambda c: payback_timeline(c.results)),
    "scenario_table": _scenarios,
    "tornado": _chart("tornado", lambda c: tornado(c.sensitivity, c.result)),
    "uncertainty": _uncertainty,
    "cost_table": _table(lambda c: cost_table(c.result)),
    "annual_table": _table(lambda c: annual_table(c.result)),
    "measurement_plan": _table(lambda c: measurement_plan(c.case)),
    "assumptions": _table(lambda c: assumptions_register(c.case, c.monte_carlo.inputs, c.monte_carlo.correlation)),
    "baseline_source": _table(lambda c: provenance_html(c.case)),
    "methodology": _table(lambda c: methodology(c.result, c.monte_carlo)),
}


#: Charts every full report must contain (``segments`` only when the case has segments,
#: ``cost-curve`` only when it has a baseline).
REQUIRED_CHARTS = ("cost-curve", "waterfall", "payback-timeline", "tornado", "npv-distribution")


def section(ctx: ReportContext, name: str) -> None:
    """Show one section of the report (a key of :data:`SECTIONS`)."""
    if name not in SECTIONS:
        raise ReportError(f"report section {name!r} is not one of {', '.join(SECTIONS)}")
    SECTIONS[name](ctx)
