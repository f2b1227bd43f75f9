"""The costing charts in the house theme: built from a result's tables, never from raw data.

Two plotly figures (the ``roi_board`` template, titles that state the finding, money through
:mod:`roi_kit.page.fmt`) and the weekday × hour heatmaps as HTML tables with coloured cells.

Why tables for the heatmaps: the page embeds plotly.js's small "finance" bundle
(:mod:`roi_kit.page.bundle`), which has no ``heatmap`` trace. A table of 7 × 24 cells shows each
value as a number as well as a colour, prints sharply, costs no script, and reads the same in a
notebook and on the page (its colours are inline styles). Labels from the data are escaped.
"""

from __future__ import annotations

import html
import math
from collections.abc import Callable

import numpy as np
import pandas as pd
import plotly.graph_objects as go

from roi_kit.costing.tables import WEEKDAYS, CostingResult
from roi_kit.page import fmt
from roi_kit.page.theme import INK, MUTED, OKABE_ITO, figure, money_axis, safe_text

#: Figure height before the title moves to the page (a shorter plot than the board's: a page of
#: the printed costing holds a chart and a table).
HEIGHT = 380
#: In the abandon heatmap, hours with fewer offered contacts than this share of the busiest hour
#: are shown uncoloured, their rate in grey: a handful of contacts makes any rate.
QUIET_SHARE = 0.1
#: The page's colour ramps (white to the theme's blue; white to its vermillion) for the heatmaps.
VOLUME_RAMP = ((255, 255, 255), (11, 37, 69))
ABANDON_RAMP = ((255, 255, 255), (181, 69, 43))


def concentration_curve(result: CostingResult) -> go.Figure:
    """Cumulative share of handled cost against the share of handled contacts, costliest first.

    The top decile's share (``summary["top_decile_cost_share"]``: cost of the costliest ⌈n/10⌉
    contacts ÷ handled cost) is the title and the marked point; the dotted diagonal is what equal
    cost per contact would give.
    """
    curve = result.tables["concentration"]
    share = result.summary["top_decile_cost_share"]
    if fmt.is_missing(share):
        title = "No handled contacts to spread cost over"
    else:
        title = f"The costliest 10% of contacts carry {fmt.pct(share, 1)} of cost"
    half = float(np.interp(0.5, curve["share_of_contacts"], curve["share_of_cost"]))
    subtitle = (f"Cumulative share of handled cost against share of handled contacts, costliest first; "
                f"half of them carry {fmt.pct(half, 1)}. The dotted line is equal cost per contact.")
    fig = figure(title, subtitle, height=HEIGHT)
    x, y = curve["share_of_contacts"].to_numpy(float), curve["share_of_cost"].to_numpy(float)
    fig.add_trace(go.Scatter(
        x=[0, 1], y=[0, 1], mode="lines", name="Equal cost per contact", hoverinfo="skip",
        line=dict(color=MUTED, width=1.5, dash="dot"),
    ))
    fig.add_trace(go.Scatter(
        x=x, y=y, mode="lines", name="Contacts, costliest first",
        line=dict(color=OKABE_ITO["blue"], width=3),
        fill="tonexty", fillcolor="rgba(0, 114, 178, 0.08)",
        customdata=[f"{fmt.pct(a, 0)} of contacts carry {fmt.pct(b, 1)} of cost" for a, b in zip(x, y, strict=True)],
        hovertemplate="%{customdata}<extra></extra>",
    ))
    if not fmt.is_missing(share):
        fig.add_trace(go.Scatter(
            x=[0.1], y=[share], mode="markers", showlegend=False, hoverinfo="skip",
            marker=dict(color=OKABE_ITO["orange"], size=11, line=dict(color="white", width=2)),
            cliponaxis=False,
        ))
        # the label sits in the empty corner under the diagonal, an arrow pointing at the marker
        fig.add_annotation(
            x=0.1, y=share, ax=0.3, ay=max(0.04, share / 2.6), axref="x", ayref="y", xanchor="left",
            text=f"10% of contacts carry {fmt.pct(share, 1)} of cost", showarrow=True, arrowhead=0,
            arrowwidth=1, arrowcolor=MUTED, font=dict(size=13, color=INK), standoff=7,
        )
    pct_axis = dict(tickformat=".0%", range=[0, 1.0001], tickvals=[0, 0.2, 0.4, 0.6, 0.8, 1.0])
    fig.update_layout(
        xaxis=dict(pct_axis, title=dict(text="Share of handled contacts, costliest first")),
        yaxis=dict(pct_axis, title=dict(text="Share of handled cost")),
        legend=dict(x=0, xanchor="left"),
    )
    return fig


def cost_per_resolution_by_type(result: CostingResult) -> go.Figure:
    """Cost per handled contact and per resolution for each contact type, costliest to resolve first.

    Per resolution = the type's total cost ÷ (handled × (1 − repeat rate)); the gap between the
    two bars is what repeats add.
    """
    by_type = result.tables["by_type"].sort_values("cost_per_resolution", ascending=False,
                                                   na_position="last")
    cur = result.summary["currency"]
    names = [str(n) for n in by_type["contact_type"]]
    per_res = by_type["cost_per_resolution"].to_numpy(float)
    per_contact = by_type["cost_per_contact"].to_numpy(float)
    if len(names) and np.isfinite(per_res[0]):
        title = f"{names[0].capitalize()} contacts cost the most to resolve: {fmt.money_exact(per_res[0], cur)}"
    else:
        title = "Cost per resolution by contact type"
    overall = result.summary["cost_per_resolution"]
    subtitle = (f"Cost per handled contact and per resolution by contact type; repeats make up the gap. "
                f"All types: {fmt.money_exact(overall, cur)} per resolution.")
    fig = figure(title, subtitle, height=HEIGHT)
    labels = [safe_text(n) for n in names]
    for name, values, colour in (("Per handled contact", per_contact, OKABE_ITO["sky"]),
                                 ("Per resolution", per_res, OKABE_ITO["blue"])):
        money = [fmt.money_exact(v, cur) for v in values]
        fig.add_trace(go.Bar(
            x=labels, y=values, name=name, marker=dict(color=colour), text=money,
            textposition="outside", textfont=dict(size=12, color=INK), cliponaxis=False,
            customdata=money, hovertemplate="%{x}: %{customdata}<extra>%{fullData.name}</extra>",
        ))
    top = float(np.nanmax(np.r_[per_res, per_contact, 0.0])) * 1.12
    axis = money_axis([0.0, top], cur, title=dict(text=f"{cur} per contact or resolution"))
    keep = [i for i, t in enumerate(axis["tickvals"]) if t <= top] or [0]
    axis.update(tickvals=[axis["tickvals"][i] for i in keep], ticktext=[axis["ticktext"][i] for i in keep],
                range=[0, max(top, 1e-9)])
    fig.update_layout(
        barmode="group", bargap=0.3, bargroupgap=0.06,
        yaxis=axis,
        xaxis=dict(tickfont=dict(color=INK, size=12)),
    )
    return fig


def figures(result: CostingResult) -> dict[str, go.Figure]:
    """The plotly charts of a costing run, by chart name."""
    return {"cost-concentration": concentration_curve(result),
            "cost-per-resolution-by-type": cost_per_resolution_by_type(result)}


# --- heatmaps as tables ------------------------------------------------------------------------


def _colour(t: float, ramp: tuple[tuple[int, int, int], tuple[int, int, int]]) -> tuple[str, str]:
    """Background (``t`` of the way along ``ramp``) and a text colour that stays legible on it."""
    (r0, g0, b0), (r1, g1, b1) = ramp
    t = min(1.0, max(0.0, t))
    rgb = [round(a + (b - a) * t) for a, b in ((r0, r1), (g0, g1), (b0, b1))]
    lum = 0.2126 * rgb[0] + 0.7152 * rgb[1] + 0.0722 * rgb[2]
    return f"rgb({rgb[0]},{rgb[1]},{rgb[2]})", ("#ffffff" if lum < 150 else INK)


def _grid(result: CostingResult, column: str) -> pd.DataFrame:
    hours = result.tables["abandon_by_hour"]
    grid = hours.pivot_table(index="weekday", columns="hour", values=column, aggfunc="sum")
    days = [d for d in WEEKDAYS if d in grid.index]
    return grid.reindex(index=days, columns=range(24))


def heatmap_table(result: CostingResult, measure: str = "offered") -> str:
    """Offered contacts (``measure="offered"``) or the abandon rate (``"abandon_rate"``) by weekday
    and hour of day as an HTML table of coloured cells (inline styles: it renders anywhere).

    Colour is linear from 0 to the largest cell; each cell's ``title`` gives offered, abandoned
    and the rate; hours with no contact stay blank.
    """
    if measure not in ("offered", "abandon_rate"):
        raise ValueError(f"measure = {measure!r} is not one of offered, abandon_rate")
    offered, abandoned = _grid(result, "offered"), _grid(result, "abandoned")
    value = offered if measure == "offered" else abandoned / offered.where(offered > 0)
    busiest = float(np.nanmax(offered.to_numpy(float))) if offered.notna().any().any() else 0.0
    quiet = offered < busiest * QUIET_SHARE if measure == "abandon_rate" else offered < 0
    shown = value.where(~quiet)
    top = float(np.nanmax(shown.to_numpy(float))) if shown.notna().any().any() else 0.0
    ramp = VOLUME_RAMP if measure == "offered" else ABANDON_RAMP
    label: Callable[[float], str] = ((lambda v: fmt.number(v, compact=True)) if measure == "offered"
                                     else (lambda v: fmt.pct(v, 0)))
    head = "".join(f'<th scope="col">{h:02d}</th>' for h in range(24))
    rows = []
    for day in value.index:
        cells = []
        for hour in range(24):
            v, n, a = value.at[day, hour], offered.at[day, hour], abandoned.at[day, hour]
            if fmt.is_missing(n) or n == 0:
                cells.append('<td class="cost-heat__empty"></td>')
                continue
            tip = (f"{day} {hour:02d}:00–{hour:02d}:59: {fmt.number(n)} offered, {fmt.number(a)} abandoned "
                   f"({fmt.pct(a / n, 1)})")
            if quiet.at[day, hour]:
                cells.append(f'<td class="cost-heat__quiet" title="{html.escape(tip)}">'
                             f"{html.escape(label(float(v)))}</td>")
                continue
            bg, ink = _colour(float(v) / top if top > 0 else 0.0, ramp)
            cells.append(f'<td style="background:{bg};color:{ink}" title="{html.escape(tip)}">'
                         f"{html.escape(label(float(v)))}</td>")
        rows.append(f'<tr><th scope="row">{html.escape(str(day))}</th>{"".join(cells)}</tr>')
    low, high = _colour(0.0, ramp)[0], _colour(1.0, ramp)[0]
    what = "Offered contacts" if measure == "offered" else "Abandon rate"
    note = (f'<span class="cost-heat__note">Grey figures: hours with fewer than '
            f"{html.escape(fmt.number(math.ceil(busiest * QUIET_SHARE)))} contacts offered, not coloured</span>"
            if measure == "abandon_rate" and bool(quiet.to_numpy().any()) else "")
    legend = (f'<div class="cost-heat__legend" aria-hidden="true">{note}<span>{html.escape(label(0.0))}</span>'
              f'<span class="cost-heat__ramp" style="background:linear-gradient(90deg,{low},{high})"></span>'
              f"<span>{html.escape(label(top))}</span></div>")
    return (f'<div class="cost-heat cost-heat--{measure.replace("_", "-")}">'
            f'<table class="cost-heat__table" aria-label="{what} by weekday and hour of day">'
            f'<thead><tr><th scope="col"><span class="cost-heat__corner">Hour</span></th>{head}</tr></thead>'
            f'<tbody>{"".join(rows)}</tbody></table>{legend}</div>')
