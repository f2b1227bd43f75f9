"""Tracking charts: each metric's actuals against plan, and the bridge from planned to realised.

Built with the board's theme (:func:`roi_kit.page.theme.figure`): scatter and waterfall traces only
(the finance bundle), titles that state the finding, every user text (metric and line names)
escaped with :func:`roi_kit.page.theme.safe_text`, money through :mod:`roi_kit.page.fmt`.
"""

from __future__ import annotations

import numpy as np
import plotly.graph_objects as go

from roi_kit.page import fmt
from roi_kit.page.theme import (
    MUTED,
    NEGATIVE,
    OKABE_ITO,
    POSITIVE,
    TOTAL,
    figure,
    money_axis,
    safe_text,
)
from roi_kit.track.reforecast import MetricTrack, Tracking

STATUS_WORDS = {"triggered": "trigger fired", "off_track": "off track", "on_track": "on track",
                "no_data": "no data yet"}


def metric_value(x: float | None, unit: str) -> str:
    """A metric's value as the page writes it: rates as percentages, seconds, counts."""
    if x is None or fmt.is_missing(x):
        return fmt.DASH
    if unit == "rate":
        return fmt.pct(x, 1)
    if unit == "seconds":
        return f"{fmt.number(x, 1 if x % 1 else 0)} s"
    if unit.startswith("contacts"):
        return fmt.number(x)
    return fmt.number(x, 2 if x % 1 else 0)


def _hover(unit: str) -> str:
    return "%{y:.1%}" if unit == "rate" else "%{y:,.1f}"


def metric_chart(t: Tracking, m: MetricTrack) -> go.Figure:
    """Actual by month against plan, with the threshold and the rolling 12-month average."""
    months = np.arange(len(m.actual))
    shown = months >= 1
    title = f"{m.name}: {STATUS_WORDS[m.status]}"
    if m.latest is not None:
        title += f", {metric_value(m.latest, m.unit)} in {t.actuals.calendar(m.latest_month)}"
    fig = figure(title, "Actual by month against plan (the input × the adoption ramp); "
                        "dotted: 12-month rolling average; dashed: the trigger threshold", height=360)
    x = [t.actuals.calendar(int(i)) for i in months[shown]]
    fmt_y = _hover(m.unit)
    if m.plan is not None:
        fig.add_trace(go.Scatter(x=x, y=m.plan[shown], name="Plan", mode="lines",
                                 line=dict(color=MUTED, width=2), hovertemplate=f"Plan {fmt_y}<extra></extra>"))
    fig.add_trace(go.Scatter(x=x, y=m.actual[shown], name="Actual", mode="lines+markers",
                             line=dict(color=TOTAL, width=3), connectgaps=False,
                             hovertemplate=f"Actual {fmt_y}<extra></extra>"))
    fig.add_trace(go.Scatter(x=x, y=m.rolling_actual[shown], name="Actual, 12-month average", mode="lines",
                             line=dict(color=OKABE_ITO["sky"], width=2, dash="dot"),
                             hovertemplate=f"12-month average {fmt_y}<extra></extra>"))
    if m.threshold is not None:
        fig.add_trace(go.Scatter(x=[x[0], x[-1]], y=[m.threshold, m.threshold], mode="lines",
                                 name=f"Threshold ({'fires below' if m.direction == 'below' else 'fires above'})",
                                 line=dict(color=NEGATIVE, width=1.5, dash="dash"), hoverinfo="skip"))
    last = m.latest_month or 1
    fig.update_xaxes(type="category", range=[-0.5, min(len(x), max(last + 6, 12)) - 0.5],
                     title=dict(text="Month"))
    fig.update_yaxes(tickformat=".0%" if m.unit == "rate" else ",~f", rangemode="tozero")
    fig.update_layout(legend=dict(orientation="h"))
    return fig


def bridge_chart(t: Tracking) -> go.Figure:
    """Planned to realised net benefit to date, one bar per driver (a waterfall)."""
    cur = t.case.currency
    steps = t.bridge
    gap = steps[-1].amount - steps[0].amount
    word = "ahead of" if gap >= 0 else "behind"
    title = (f"Net benefit to date is {fmt.money(abs(gap), cur)} {word} plan"
             if abs(gap) >= 0.5 else "Net benefit to date is on plan")
    fig = figure(title, f"Net benefit to {t.as_of}, undiscounted: planned, what each driver changed, "
                        "realised", height=420)
    measure = ["absolute" if s.kind in {"plan", "realised"} else "relative" for s in steps]
    # plotly's "total" would sum the steps; the realised figure is the model's own (they agree)
    fig.add_trace(go.Waterfall(
        x=[safe_text(s.label) for s in steps], y=[s.amount for s in steps], measure=measure,
        text=[fmt.money(s.amount, cur) for s in steps], textposition="outside",
        increasing=dict(marker=dict(color=POSITIVE)), decreasing=dict(marker=dict(color=NEGATIVE)),
        totals=dict(marker=dict(color=TOTAL)), connector=dict(line=dict(color=MUTED, width=1)),
        hovertemplate="%{x}: %{text}<extra></extra>", cliponaxis=False,
    ))
    values = np.cumsum([0.0, *[s.amount for s in steps[1:-1]]]) + steps[0].amount
    lo, hi = float(min(0.0, values.min(), steps[-1].amount)), float(max(0.0, values.max(), steps[-1].amount))
    pad = 0.15 * (hi - lo or 1.0)
    fig.update_layout(showlegend=False, yaxis=money_axis([lo - pad, hi + pad], cur))
    return fig


def forecast_chart(t: Tracking) -> go.Figure:
    """Cumulative net benefit: the plan and the re-forecast, actuals to date drawn solid."""
    cur = t.case.currency
    plan = np.cumsum((sum(t.plan_core.pillar_flows.values()) - t.plan_core.one_time - t.plan_core.recurring)[0])
    re = np.cumsum((sum(t.reforecast_core.pillar_flows.values()) - t.reforecast_core.one_time
                    - t.reforecast_core.recurring)[0])
    months = np.arange(len(plan))
    pb = t.reforecast.payback_months
    title = (f"Re-forecast pays back in month {fmt.payback_month(pb)}" if pb is not None
             else "Re-forecast does not pay back within the horizon")
    fig = figure(title, "Cumulative net benefit by month, undiscounted: plan, and actuals to date "
                        "continued as stated", height=400)
    k = t.months_elapsed
    fig.add_trace(go.Scatter(x=months, y=plan, name="Plan", mode="lines", line=dict(color=MUTED, width=2),
                             hovertemplate="Month %{x}: %{y:,.0f}<extra>Plan</extra>"))
    fig.add_trace(go.Scatter(x=months[: k + 1], y=re[: k + 1], name="Actual to date", mode="lines",
                             line=dict(color=TOTAL, width=3),
                             hovertemplate="Month %{x}: %{y:,.0f}<extra>Actual</extra>"))
    fig.add_trace(go.Scatter(x=months[k:], y=re[k:], name="Re-forecast", mode="lines",
                             line=dict(color=TOTAL, width=2, dash="dash"),
                             hovertemplate="Month %{x}: %{y:,.0f}<extra>Re-forecast</extra>"))
    lo, hi = float(min(plan.min(), re.min(), 0.0)), float(max(plan.max(), re.max(), 0.0))
    fig.update_xaxes(title=dict(text="Month"))
    fig.update_layout(legend=dict(orientation="h"), yaxis=money_axis([lo, hi], cur))
    return fig
