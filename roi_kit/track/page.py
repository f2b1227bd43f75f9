"""The tracking page: an approved case against its actuals, one printable, self-contained HTML page.

Built like the costing page (:mod:`roi_kit.costing.page`): fragments here are HTML with every text
escaped (:func:`roi_kit.page.html.esc`, :func:`~roi_kit.page.html.html_table`), the structure is the
jinja2 template ``templates/track/track.html.j2`` (autoescaped), the look is the board report's
stylesheet plus ``templates/track/track.css``, and plotly.js is the report's finance bundle inlined
once. Nothing on the page refers to the network.
"""

from __future__ import annotations

import os
from datetime import datetime
from functools import cache
from pathlib import Path
from typing import Any

import jinja2
from markupsafe import Markup

from roi_kit._io import write_atomic
from roi_kit.case.schema import PILLAR_LABELS
from roi_kit.page import fmt
from roi_kit.page.bundle import plotlyjs
from roi_kit.page.html import Cell, esc, figure_html, html_table
from roi_kit.page.resources import generation_stamp, template_dir, toolkit_version
from roi_kit.track import charts
from roi_kit.track.charts import STATUS_WORDS, metric_value
from roi_kit.track.reforecast import OFF_TRACK, Tracking

TEMPLATE = "track/track.html.j2"


def _money(x: float | None, cur: str) -> Cell:
    return Cell(fmt.money(x, cur, compact=False), num=True, negative=x is not None and round(x) < 0)


def _month_name(t: Tracking, month: int | None) -> str:
    if not month:
        return fmt.DASH
    y, m = t.actuals.calendar(month).split("-")
    return f"{datetime(int(y), int(m), 1):%b %Y}"


def _payback(x: float | None) -> str:
    month = fmt.payback_month(x)
    return f"month {month}" if month is not None else "not within the horizon"


def headline(t: Tracking) -> str:
    """One sentence: the re-forecast against the plan."""
    cur = t.case.currency
    plan, re = t.plan.npv, t.reforecast.npv
    gap = re - plan
    if t.months_elapsed == 0:
        return (f"No actuals yet: the re-forecast is the plan, an NPV of {fmt.money(plan, cur)} "
                f"and payback in {_payback(t.plan.payback_months)}.")
    share = abs(gap) / abs(plan) if plan else None
    if abs(gap) < 0.5:
        move = f"on the plan's {fmt.money(plan, cur)}"
    else:
        move = (f"{fmt.money(abs(gap), cur)} ({fmt.pct(share, 0)}) {'above' if gap > 0 else 'below'} "
                f"the plan's {fmt.money(plan, cur)}")
    pb_plan, pb_re = fmt.payback_month(t.plan.payback_months), fmt.payback_month(t.reforecast.payback_months)
    payback = (f"payback stays in {_payback(t.reforecast.payback_months)}" if pb_plan == pb_re else
               f"payback moves from {_payback(t.plan.payback_months)} to {_payback(t.reforecast.payback_months)}")
    n = t.months_elapsed
    return (f"{n} month{'s' if n != 1 else ''} in (to {_month_name(t, n)}), the re-forecast NPV is "
            f"{fmt.money(re, cur)}, {move}, and {payback}.")


def kpi_strip(t: Tracking) -> str:
    cur = t.case.currency
    tiles = [
        ("Re-forecast NPV", fmt.money(t.reforecast.npv, cur), f"plan {fmt.money(t.plan.npv, cur)}"),
        ("Re-forecast ROI", fmt.pct(t.reforecast.roi, 0), f"plan {fmt.pct(t.plan.roi, 0)}"),
        ("Re-forecast payback", _payback(t.reforecast.payback_months), f"plan {_payback(t.plan.payback_months)}"),
        ("Net benefit to date", fmt.money(t.actual_net_to_date, cur), f"plan {fmt.money(t.planned_net_to_date, cur)}"),
    ]
    return '<div class="roi-kpis">' + "".join(
        f'<div class="roi-kpi"><span class="roi-kpi__label">{esc(a)}</span>'
        f'<span class="roi-kpi__value">{esc(b)}</span><span class="roi-kpi__note">{esc(c)}</span></div>'
        for a, b, c in tiles) + "</div>"


def status_cell(status: str) -> Cell:
    return Cell(html_text=f'<span class="trk-status trk-status--{esc(status)}" data-status="{esc(status)}">'
                          f"{esc(STATUS_WORDS[status])}</span>")


def metrics_table(t: Tracking) -> str:
    rows = []
    for m in t.metrics:
        dev = m.deviation
        threshold = (f"{'below' if m.direction == 'below' else 'above'} {metric_value(m.threshold, m.unit)}"
                     if m.threshold is not None else fmt.DASH)
        rows.append(("", [
            Cell(html_text=f"{esc(m.name)}<br><code class=\"note\">{esc(m.key)}</code>"),
            Cell(m.owner or fmt.DASH), Cell(_month_name(t, m.latest_month)),
            Cell(metric_value(m.latest, m.unit), num=True), Cell(metric_value(m.plan_latest, m.unit), num=True),
            Cell(fmt.pct(dev, 1, signed=True) if dev is not None else fmt.DASH, num=True,
                 negative=dev is not None and (dev < 0) == m.higher_is_better and dev != 0),
            Cell(threshold, num=True), status_cell(m.status), Cell(m.trigger or fmt.DASH, cls="trk-trigger"),
        ]))
    head = [Cell("Metric"), Cell("Owner"), Cell("Latest"), Cell("Actual", num=True), Cell("Plan", num=True),
            Cell("vs plan", num=True), Cell("Trigger at", num=True), Cell("Status"), Cell("Decision")]
    return html_table("trk-metrics", head, rows, widths=(20, 9, 8, 8, 8, 8, 10, 10, 19))


def pillar_table(t: Tracking) -> str:
    cur = t.case.currency
    rows = [("", [Cell(PILLAR_LABELS[r["pillar"]]), _money(r["planned"], cur), _money(r["realised"], cur),
                  _money(r["difference"], cur)]) for r in t.by_pillar()]
    planned_costs, actual_costs = t.costs_to_date()
    rows.append(("", [Cell("Costs"), _money(-planned_costs, cur), _money(-actual_costs, cur),
                      _money(planned_costs - actual_costs, cur)]))
    rows.append(("total", [Cell("Net benefit"), _money(t.planned_net_to_date, cur), _money(t.actual_net_to_date, cur),
                           _money(t.actual_net_to_date - t.planned_net_to_date, cur)]))
    head = [Cell("To date"), Cell("Planned", num=True), Cell("Realised", num=True), Cell("Difference", num=True)]
    return html_table("trk-pillars", head, rows, widths=(40, 20, 20, 20))


def lever_table(t: Tracking) -> str:
    cur = t.case.currency
    rows = [("", [Cell(r["name"]), Cell(PILLAR_LABELS[r["pillar"]], cls="muted"), _money(r["planned"], cur),
                  _money(r["realised"], cur), _money(r["difference"], cur)]) for r in t.by_lever()]
    head = [Cell("Benefit line"), Cell("Pillar"), Cell("Planned", num=True), Cell("Realised", num=True),
            Cell("Difference", num=True)]
    return html_table("trk-levers", head, rows, widths=(34, 18, 16, 16, 16))


def spend_table(t: Tracking) -> str:
    cur = t.case.currency
    spend = t.spend()
    if not spend:
        return '<p class="roi-note">No spend actuals: every cost line keeps its planned amount.</p>'
    rows = [("", [Cell(r["name"]), Cell(fmt.number(r["months"]), num=True), _money(r["planned"], cur),
                  _money(r["spent"], cur), _money(r["difference"], cur)]) for r in spend]
    head = [Cell("Cost line"), Cell("Months given", num=True), Cell("Planned (risk-adjusted)", num=True),
            Cell("Spent", num=True), Cell("Difference", num=True)]
    return html_table("trk-spend", head, rows, widths=(34, 14, 18, 16, 18))


def reforecast_table(t: Tracking) -> str:
    cur = t.case.currency
    p, r = t.plan, t.reforecast
    rows = [
        ("", [Cell("Net present value"), _money(p.npv, cur), _money(r.npv, cur), _money(r.npv - p.npv, cur)]),
        ("", [Cell("PV of benefits"), _money(p.pv_benefits, cur), _money(r.pv_benefits, cur),
              _money(r.pv_benefits - p.pv_benefits, cur)]),
        ("", [Cell("PV of costs"), _money(p.pv_costs, cur), _money(r.pv_costs, cur),
              _money(r.pv_costs - p.pv_costs, cur)]),
        ("", [Cell("ROI (NPV ÷ PV of costs)"), Cell(fmt.pct(p.roi, 1), num=True), Cell(fmt.pct(r.roi, 1), num=True),
              Cell(fmt.points(None if p.roi is None or r.roi is None else r.roi - p.roi), num=True)]),
        ("", [Cell("Payback"), Cell(_payback(p.payback_months), num=True),
              Cell(_payback(r.payback_months), num=True), Cell("")]),
    ]
    head = [Cell(""), Cell("Plan", num=True), Cell("Re-forecast", num=True), Cell("Difference", num=True)]
    return html_table("trk-reforecast", head, rows, widths=(40, 20, 20, 20))


def context(t: Tracking, *, generated_at: datetime | None = None) -> dict[str, Any]:
    figs = {"bridge": figure_html(charts.bridge_chart(t), "Bridge to date"),
            "forecast": figure_html(charts.forecast_chart(t), "Cumulative net benefit")}
    metric_figs = [Markup(figure_html(charts.metric_chart(t, m), f"Metric {m.key}"))
                   for m in t.metrics if m.status != "no_data"]
    frag = {"kpis": kpi_strip(t), "metrics_table": metrics_table(t), "pillars": pillar_table(t),
            "levers": lever_table(t), "spend": spend_table(t), "reforecast_table": reforecast_table(t),
            "plotlyjs": plotlyjs(), **figs}
    counts = {s: sum(m.status == s for m in t.metrics) for s in STATUS_WORDS}
    return {
        **{k: Markup(v) for k, v in frag.items()},
        "metric_charts": metric_figs,
        "unit": t.case.unit, "title": t.case.title, "currency": t.case.currency,
        "as_of": _month_name(t, t.months_elapsed) if t.months_elapsed else "no actuals yet",
        "start": _month_name(t, 1), "months_elapsed": t.months_elapsed,
        "horizon": t.case.timeline.horizon_months,
        "source_name": Path(t.actuals.source).name,
        "headline": headline(t),
        "status_counts": [(STATUS_WORDS[s], n) for s, n in counts.items() if n],
        "continuing": t.continuing,
        "off_track_pct": fmt.pct(OFF_TRACK, 0),
        "input_hash": t.case.input_hash[:12],
        **generation_stamp(generated_at),
        "toolkit_version": toolkit_version(),
        "board_css": Markup(_css("board/static/board.css")),
        "track_css": Markup(_css("track/track.css")),
    }


def _css(relative: str) -> str:
    return (template_dir() / relative).read_text(encoding="utf-8").replace("</", "<\\/")


@cache
def _environment(folder: str) -> jinja2.Environment:
    return jinja2.Environment(loader=jinja2.FileSystemLoader(folder), autoescape=True, trim_blocks=True,
                              lstrip_blocks=True, undefined=jinja2.StrictUndefined)


def render(t: Tracking, *, generated_at: datetime | None = None) -> str:
    """The tracking page as one self-contained HTML string."""
    return _environment(str(template_dir())).get_template(TEMPLATE).render(**context(t, generated_at=generated_at))


def write_page(t: Tracking, path: str | os.PathLike[str], *, generated_at: datetime | None = None) -> Path:
    """Render the page and write it to ``path`` atomically."""
    return write_atomic(Path(path), render(t, generated_at=generated_at))
