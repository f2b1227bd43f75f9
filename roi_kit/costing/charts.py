"""Plotly figures of a costing run: built from the result's tables, never from raw data."""

from __future__ import annotations

import plotly.graph_objects as go

from roi_kit.costing.tables import WEEKDAYS, CostingResult


def concentration_curve(result: CostingResult) -> go.Figure:
    """Cumulative share of handled cost against the share of contacts, costliest first."""
    curve = result.tables["concentration"]
    fig = go.Figure(go.Scatter(x=curve["share_of_contacts"], y=curve["share_of_cost"], mode="lines",
                               name="contacts, costliest first"))
    fig.add_trace(go.Scatter(x=[0, 1], y=[0, 1], mode="lines", name="equal cost per contact",
                             line={"dash": "dot"}))
    share = result.summary["top_decile_cost_share"] or 0.0
    fig.update_layout(title=f"Cost concentration: the costliest 10% of contacts carry {share:.0%} of cost",
                      xaxis={"title": "share of handled contacts", "tickformat": ".0%"},
                      yaxis={"title": "share of cost", "tickformat": ".0%"})
    return fig


def cost_per_resolution_by_type(result: CostingResult) -> go.Figure:
    """Cost per contact and per resolution for each contact type, side by side."""
    by_type = result.tables["by_type"].sort_values("cost_per_resolution", ascending=False)
    cur = result.summary["currency"]
    fig = go.Figure([
        go.Bar(x=by_type["contact_type"], y=by_type["cost_per_contact"], name="per contact"),
        go.Bar(x=by_type["contact_type"], y=by_type["cost_per_resolution"], name="per resolution"),
    ])
    fig.update_layout(title="Cost per resolution by contact type", barmode="group",
                      yaxis={"title": cur, "tickformat": ",.2f"})
    return fig


def volume_heatmap(result: CostingResult) -> go.Figure:
    """Offered contacts by weekday and hour (hover shows the abandon rate)."""
    hours = result.tables["abandon_by_hour"]
    volume = hours.pivot_table(index="weekday", columns="hour", values="offered", fill_value=0)
    rate = hours.pivot_table(index="weekday", columns="hour", values="abandon_rate", fill_value=0)
    days = [d for d in WEEKDAYS if d in volume.index]
    volume, rate = volume.reindex(days), rate.reindex(days)
    fig = go.Figure(go.Heatmap(z=volume.to_numpy(), x=list(volume.columns), y=days,
                               customdata=rate.to_numpy(), colorscale="Viridis",
                               hovertemplate="%{y} %{x}:00<br>offered %{z}<br>abandoned %{customdata:.1%}"
                                             "<extra></extra>"))
    fig.update_layout(title="Offered contacts by weekday and hour",
                      xaxis={"title": "hour", "dtick": 1}, yaxis={"autorange": "reversed"})
    return fig


def all_charts(result: CostingResult) -> dict[str, go.Figure]:
    """The three standard charts, by file-friendly name."""
    return {"cost_concentration": concentration_curve(result),
            "cost_per_resolution_by_type": cost_per_resolution_by_type(result),
            "volume_heatmap": volume_heatmap(result)}


def charts_html(result: CostingResult) -> str:
    """One offline HTML page holding every chart, plotly.js embedded once, no CDN, no MathJax."""
    parts = []
    for i, fig in enumerate(all_charts(result).values()):
        parts.append(fig.to_html(full_html=False, include_plotlyjs=(i == 0), include_mathjax=False))
    title = f"Contact costs — {result.source}"
    return ("<!DOCTYPE html><html><head><meta charset='utf-8'><title>"
            + title.replace("<", "&lt;") + "</title></head><body>" + "\n".join(parts) + "</body></html>")
