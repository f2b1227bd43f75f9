"""Board charts: plotly figures built from engine results (the only module that imports plotly).

Every function takes result objects and returns a ``go.Figure``; nothing here computes a financial
figure the engine did not: charts only select, order and label. Titles state the conclusion
("Pays back in month 7"), subtitles say what is plotted; all money on axes, labels and hover text
goes through :mod:`roi_kit.page.fmt`, so a chart reads exactly like the tables and the narrative.

Design decisions:

- One theme, registered as the plotly template ``"roi_board"``: the Okabe–Ito colour-blind-safe
  palette, a system font stack (no web fonts: the report works offline), light grid, left-aligned
  titles with a subtitle, print-sized margins, fixed height and responsive width.
- Money axes get explicit tick values and labels (:func:`money_axis`, :func:`money_ticks`) in
  :mod:`roi_kit.page.fmt`'s style (k/M/B, never plotly's SI "G", and the true minus sign), so ticks
  match the text, with the decimals the tick step needs: $2.50, $1.25M, never "$3" for 2.5.
- Only trace types in plotly.js's "finance" bundle are used (scatter, bar, waterfall); the Monte
  Carlo histogram is binned here with numpy and drawn as bars, which keeps 10,000 draws out of the
  HTML.
- User text (unit, line and segment names, input labels) is HTML-escaped before it reaches a
  figure, because plotly.js interprets a subset of HTML tags in text.
- Render figures with :data:`CONFIG` (no plotly logo, no mode bar, responsive).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from itertools import pairwise, product
from typing import Any

import numpy as np
import plotly.graph_objects as go

from roi_kit.case.fields import field_doc
from roi_kit.page import fmt
from roi_kit.page.text import (
    CATEGORY_GAP_PX,
    CATEGORY_SIZE,
    category_lines,
    category_margin,
    text_width,
)
from roi_kit.page.theme import (
    HEIGHT,
    INK,
    MUTED,
    NARROW_WIDTH_PX,
    NEGATIVE,
    OKABE_ITO,
    PILLAR_COLOURS,
    PILLAR_ORDER,
    POSITIVE,
    SCENARIO_COLOURS,
    TOP_MARGIN,
    TOTAL,
    figure,
    money_axis,
    money_ticks,
    nice_ticks,
    safe_text,
)


def _month_axis(horizon: int, **extra: Any) -> dict:
    step = 6 if horizon <= 60 else 12
    return dict(
        title=dict(text="Month"),
        tickmode="array",
        tickvals=list(range(0, horizon + 1, step)),
        range=[0, horizon + 0.5],
        **extra,
    )


def _horizon(result: Any) -> int:
    h = result.summary.horizon_months
    return int(h) if h is not None else int(result.monthly["month"].max())


def cost_curve(result: Any) -> go.Figure:
    """Monthly operating cost without and with the change, the gap between them shaded.

    Plots ``result.monthly.operating_cost_before`` and ``operating_cost_after`` (which includes
    the programme's running costs) for months 1..H; month 0 is the initial investment, not an
    operating month. Where "with" is below "without" the gap is shaded as a saving, where it is
    above (typically while adoption ramps up) as an extra cost. The title states the run-rate
    change over the final twelve months: 1 − Σ after / Σ before.
    """
    cur = fmt.currency_of(result)
    m = result.monthly
    m = m[m["month"] >= 1]
    before = m["operating_cost_before"].to_numpy(float)
    after = m["operating_cost_after"].to_numpy(float)
    last = slice(-12, None)
    gap_year = float(before[last].sum() - after[last].sum())
    change = gap_year / before[last].sum() if before[last].sum() else 0.0
    if gap_year >= 0:
        title = f"Operating cost {fmt.pct(change, 0)} lower at full run-rate"
    else:
        title = f"Operating cost {fmt.pct(-change, 0)} higher at full run-rate"
    subtitle = (
        f"Monthly operating cost without and with the change, its running costs included; "
        f"{fmt.money(abs(gap_year), cur)} {'saved' if gap_year >= 0 else 'added'} over the final 12 months"
    )
    months = m["month"].to_numpy(int)
    hover = "Month %{x}<br>%{customdata}<extra>%{fullData.name}</extra>"
    area = dict(x=months, mode="lines", line=dict(width=0), hoverinfo="skip")
    traces: list[go.Scatter] = []
    traces.append(go.Scatter(
        x=months, y=before, name="Without the change", mode="lines",
        line=dict(color=MUTED, width=2, dash="dash"),
        customdata=[fmt.money(v, cur) for v in before], hovertemplate=hover,
    ))
    traces.append(go.Scatter(
        y=np.minimum(before, after), name="Saving", fill="tonexty",
        fillcolor="rgba(0, 158, 115, 0.18)", showlegend=bool((after < before).any()), **area,
    ))
    traces.append(go.Scatter(y=before, name="base", showlegend=False, **area))
    traces.append(go.Scatter(
        y=np.maximum(before, after), name="Extra cost", fill="tonexty",
        fillcolor="rgba(213, 94, 0, 0.18)", showlegend=bool((after > before).any()), **area,
    ))
    traces.append(go.Scatter(
        x=months, y=after, name="With the change", mode="lines",
        line=dict(color=OKABE_ITO["blue"], width=3),
        customdata=[fmt.money(v, cur) for v in after], hovertemplate=hover,
    ))
    hi = max(before.max(), after.max())
    ticks = nice_ticks(min(0.0, before.min(), after.min()), hi * 1.03)
    return figure(title, subtitle, data=traces, layout=dict(
        xaxis=_month_axis(int(months.max())),
        yaxis=dict(
            tickmode="array", tickvals=ticks, ticktext=money_ticks(ticks, cur),
            range=[ticks[0], ticks[-1]], title=dict(text=f"Per month ({cur})"),
        ),
        hovermode="x unified",
    ))


def _ordered_waterfall(items: Sequence[Any]) -> list[Any]:
    """Pillars revenue-first (zero pillars dropped), then the other relative items, then totals."""
    rank = {p: i for i, p in enumerate(PILLAR_ORDER)}
    pillars = [w for w in items if w.measure != "total" and w.pillar in rank and w.amount != 0]
    others = [w for w in items if w.measure != "total" and w.pillar not in rank]
    totals = [w for w in items if w.measure == "total"]
    return sorted(pillars, key=lambda w: rank[w.pillar]) + others + totals


def waterfall(result: Any) -> go.Figure:
    """The value bridge in present-value terms: each pillar, less the investment, to the NPV.

    Bars come from ``result.waterfall`` (risk-adjusted PV of each pillar, then −PV(costs)), ordered
    revenue first; the relative bars sum to ``summary["npv"]``, the final "total" bar.
    """
    cur = fmt.currency_of(result)
    s = result.summary
    items = _ordered_waterfall(result.waterfall)
    npv = s["npv"]
    horizon = _horizon(result)
    if npv >= 0:
        title = f"Net present value of {fmt.money(npv, cur)} over {horizon} months"
    else:
        title = f"Net present value of {fmt.money(npv, cur)} over {horizon} months: costs exceed benefits"
    rate = s.get("discount_rate")
    subtitle = "Present value of each pillar, risk-adjusted, less the investment"
    if rate is not None:
        subtitle += f" (discounted at {fmt.pct(rate, 0)} a year)"
    amounts = [float(w.amount) for w in items]
    labels = [fmt.money(a, cur) for a in amounts]
    bars = go.Waterfall(
        x=[safe_text(w.label) for w in items],
        y=amounts,
        measure=[w.measure for w in items],
        text=labels,
        textposition="outside",
        textfont=dict(size=13, color=INK),
        customdata=labels,
        hovertemplate="%{x}<br>%{customdata}<extra></extra>",
        # printed in greyscale, green and vermillion are one mid grey: gains stay a dark fill,
        # losses a light fill with a dark outline (and every bar carries its signed amount)
        increasing=dict(marker=dict(color=POSITIVE)),
        decreasing=dict(marker=dict(color=LOSS_FILL, line=dict(color=NEGATIVE, width=2))),
        totals=dict(marker=dict(color=TOTAL)),
        connector=dict(line=dict(color="#9AA5B1", width=1, dash="dot")),
        showlegend=False,
        cliponaxis=False,
    )
    running = np.cumsum([a for a, w in zip(amounts, items, strict=True) if w.measure != "total"])
    axis = money_axis([*running, 0.0, npv, max(running.max(initial=0) * 1.06, 0)], cur)
    return figure(title, subtitle, data=[bars], layout=dict(
        yaxis=axis, xaxis=dict(showline=True, tickfont=dict(color=INK, size=12)),
    ))


#: Line pattern per scenario in the payback chart (readable without colour).
SCENARIO_DASH = {"conservative": "dot", "expected": "solid", "optimistic": "dash"}

#: The waterfall's loss fill: vermillion lightened, so a loss prints lighter than a gain.
LOSS_FILL = "#F5B99A"


def payback_timeline(results_by_scenario: Mapping[str, Any]) -> go.Figure:
    """Cumulative net cash flow (undiscounted) per scenario, each payback month marked at zero.

    The markers sit at ``(summary["payback_months"], 0)``, the interpolated point where the
    cumulative net turns non-negative; labels use :func:`roi_kit.page.fmt.months` ("month 7").
    """
    names = list(results_by_scenario)
    lead = "expected" if "expected" in results_by_scenario else names[0]
    lead_r = results_by_scenario[lead]
    cur = fmt.currency_of(lead_r)
    horizon = max(_horizon(r) for r in results_by_scenario.values())
    lead_pb = lead_r.summary.payback_months
    if fmt.is_missing(lead_pb):
        title = f"Does not pay back within {horizon} months in the {lead} case"
    else:
        title = f"Pays back in {fmt.months(lead_pb)}"
    others = [
        f"{n} {fmt.months(r.summary.payback_months, never='no payback')}"
        for n, r in results_by_scenario.items() if n != lead
    ]
    subtitle = "Cumulative net cash flow, undiscounted"
    if others:
        subtitle = f"{lead.capitalize()} case; " + ", ".join(others) + ". " + subtitle
    traces: list[go.Scatter] = []
    ys: list[float] = []
    for i, (name, r) in enumerate(results_by_scenario.items()):
        m = r.monthly
        colour = SCENARIO_COLOURS.get(name, list(OKABE_ITO.values())[i % 8])
        y = m["cumulative_net"].to_numpy(float)
        ys.extend(y)
        traces.append(go.Scatter(
            x=m["month"].to_numpy(int), y=y, mode="lines", name=safe_text(name.capitalize()),
            # in greyscale the scenarios differ by pattern too: expected solid, the others
            # dotted or dashed (their payback markers carry direct labels)
            line=dict(color=colour, width=3.5 if name == lead else 2,
                      dash=SCENARIO_DASH.get(name, "solid")),
            customdata=[fmt.money(v, cur) for v in y],
            hovertemplate="Month %{x}: %{customdata}<extra>%{fullData.name}</extra>",
        ))
    paybacks = [r.summary.payback_months for r in results_by_scenario.values()]
    earliest = min((p for p in paybacks if not fmt.is_missing(p)), default=None)
    for i, (name, r) in enumerate(results_by_scenario.items()):
        pb = r.summary.payback_months
        if fmt.is_missing(pb):
            continue
        # a line rises through its marker from lower left to upper right: the earliest payback's
        # label goes upper left (no line is above zero yet), the others lower right
        position = "top left" if pb == earliest else "bottom right"
        colour = SCENARIO_COLOURS.get(name, list(OKABE_ITO.values())[i % 8])
        traces.append(go.Scatter(
            x=[float(pb)], y=[0.0], mode="markers+text", name=f"{safe_text(name)} payback",
            marker=dict(size=11, color="white", line=dict(color=colour, width=3)),
            text=[fmt.months(pb).capitalize()],
            textposition=position,
            textfont=dict(color=colour, size=12),
            hovertemplate=f"{safe_text(name.capitalize())} pays back in {fmt.months(pb)}"
            f" ({fmt.duration(pb)})<extra></extra>",
            showlegend=False, cliponaxis=False,
        ))
    return figure(title, subtitle, data=traces, layout=dict(
        xaxis=_month_axis(horizon),
        yaxis=money_axis(ys, cur, title=dict(text=f"Cumulative net ({cur})"), zeroline=True),
    ))


def _lower_first(text: str) -> str:
    """A label inside a sentence: "Churn rate" → "churn rate", but "AI deflection" stays."""
    text = str(text)
    if len(text) > 1 and text[0].isupper() and text[1].islower():
        return text[0].lower() + text[1:]
    return text


def _unit_of(path: str) -> str:
    try:

        return field_doc(path).unit
    except Exception:  # a path without a field doc (e.g. a list item) is shown as a plain number
        return ""


def tornado(sensitivity_df: Any, result: Any, *, top: int = 10) -> go.Figure:
    """NPV when each input moves to its low or its high value, others at base; top ``top`` by swing.

    The ranges are the case's uncertain inputs' (:func:`roi_kit.model.uncertainty.uncertain_inputs`,
    the ones the simulation draws). Each bar starts at the base NPV (``result.summary.npv``) and
    ends at ``npv_low`` or ``npv_high`` from the sensitivity frame; labels carry the input's low and
    high values. The title names the input whose worse end turns NPV most negative, and that value:
    "NPV turns negative if deflection rate is only 6%" (or "is as high as" where lower is better).
    """
    cur = fmt.currency_of(result)
    base = float(result.summary.npv)
    df = sensitivity_df.sort_values("swing", ascending=False).head(top)
    labels = [safe_text(v) for v in df["label"]]
    units = [_unit_of(p) for p in df["path"]]
    lows = df["npv_low"].to_numpy(float)
    highs = df["npv_high"].to_numpy(float)
    worst = np.minimum(lows, highs)
    if len(df) == 0:
        title, subtitle = "No inputs were varied", ""
    else:
        k = int(np.argmin(worst))
        row = df.iloc[k]
        at_low = lows[k] <= highs[k]  # the worse end is the low one: more of the input is better
        value = fmt.value(row["low_value"] if at_low else row["high_value"], units[k], cur)
        words = "is only" if at_low else "is as high as"
        if worst[k] < 0:
            title = f"NPV turns negative if {_lower_first(row['label'])} {words} {value}"
        else:
            title = f"NPV stays positive even if {_lower_first(row['label'])} {words} {value}"
        subtitle = (f"Most sensitive to {_lower_first(df['label'].iloc[0])}; NPV with each input at the "
                    "low or high end of its range, others at base")
    traces: list[go.Bar] = []
    for which, colour, npvs, values in (
        ("low", OKABE_ITO["orange"], lows, df["low_value"]),
        ("high", OKABE_ITO["blue"], highs, df["high_value"]),
    ):
        text = [fmt.value(v, u, cur) for v, u in zip(values, units, strict=True)]
        traces.append(go.Bar(
            y=labels, x=npvs - base, base=base, orientation="h",
            name=f"Input at its {which} value",
            marker=dict(color=colour),
            text=text, textposition="outside", textfont=dict(size=11, color=MUTED),
            cliponaxis=False,
            customdata=np.stack([text, [fmt.money(v, cur) for v in npvs]], axis=-1),
            hovertemplate="%{y} = %{customdata[0]}<br>NPV %{customdata[1]}<extra></extra>",
        ))
    span = [*lows, *highs, base]
    lo, hi = min(span), max(span)
    pad = (hi - lo) * 0.18 or abs(base) * 0.1 or 1.0
    ticks = nice_ticks(lo - pad, hi + pad)
    return figure(title, subtitle, height=max(HEIGHT, 150 + 38 * len(df)), data=traces, layout=dict(
        # a vertical line across the plot at the base NPV, as add_vline draws one
        shapes=[dict(type="line", x0=base, x1=base, xref="x", y0=0, y1=1, yref="y domain",
                     line=dict(color=INK, width=1.5))],
        annotations=[dict(
            x=base, y=1.0, yref="paper", yanchor="bottom", showarrow=False,
            text=f"Base NPV {fmt.money(base, cur)}", font=dict(size=12, color=INK),
        )],
        barmode="overlay",
        legend=dict(x=0, xanchor="left", y=-0.08, yanchor="top"),
        xaxis=dict(
            tickmode="array", tickvals=ticks, ticktext=money_ticks(ticks, cur),
            range=[ticks[0], ticks[-1]], showgrid=True, showline=False, zeroline=True,
        ),
        yaxis=dict(autorange="reversed", showgrid=False, tickfont=dict(color=INK, size=12)),
        margin=dict(t=120),
    ))


def _share_text(p: float) -> str:
    """A share of draws that never rounds to a false "100%" or "0%": "all", "over 99%", "37%"."""
    if p >= 1.0:
        return "all"
    if p <= 0.0:
        return "none"
    if p > 0.99:
        return "over 99%"
    if p < 0.01:
        return "under 1%"
    return fmt.pct(p, 0)


def _chance_title(p: float, draws: int, within: str, *, contradicted: bool = False) -> str:
    """"83% chance of paying back within 36 months", saying "every"/"no" only when it is exact and
    no scenario on the page says otherwise (``contradicted``: a scenario does not pay back)."""
    if p >= 1.0 and not contradicted:
        return f"Every one of {fmt.number(draws)} simulated cases pays back {within}"
    if p <= 0.0:
        return f"None of {fmt.number(draws)} simulated cases pays back {within}"
    if p > 0.99:
        return f"Over 99% chance of paying back {within}"
    if p < 0.01:
        return f"Under 1% chance of paying back {within}"
    return f"{fmt.pct(p, 0)} chance of paying back {within}"


#: The Monte Carlo chart's percentile markers: key, label, line dash (P50 solid, the others dotted).
_MARKERS = (("p10", "P10", "dot"), ("p50", "P50", "solid"), ("p90", "P90", "dot"))


#: Where each marker's label prefers to be: P10's left of its line, P90's right, P50's over it,
#: so at a width where all three fit side by side they read outward from the median.
_MARK_PREFERRED = ("right", "center", "left")  # plotly's xanchor: the label's side at the line


_MARK_SIZE = 12


_MARK_LABEL_PX = _MARK_SIZE * 1.3 + 2  # one line of 12 px text (plotly.js line height) and its pad


_MARK_ROW_PX = 20  # pitch of the rows of labels


_MARK_PAD_PX = 4  # gap between a label and a line


_MARK_GAP_PX = 6  # between the tallest bar and the lowest row of labels


_PLOT_SIDES_PX = 72 + 40  # the theme's left and right margins


#: The shortest plot: the form's 340 px chart (roi_kit.form.CHART_HEIGHT) less the theme's top
#: and bottom margins. fit_width and without_title keep a plot's height.
_MARK_PLOT_PX = 340 - TOP_MARGIN - 72


def _label_box(x: float, width: float, anchor: str) -> tuple[float, float]:
    if anchor == "right":
        return x - _MARK_PAD_PX - width, x - _MARK_PAD_PX
    if anchor == "left":
        return x + _MARK_PAD_PX, x + _MARK_PAD_PX + width
    return x - width / 2, x + width / 2


def _placement_clear(
    xs: Sequence[float], widths: Sequence[float], place: Sequence[tuple[int, str]], plot_px: float
) -> bool:
    """No label leaves the plot, meets another label in its row, or covers another marker's line.

    Lines run from the axis up to their own label's row, so a label must also keep clear of every
    line that reaches its row. Each label must sit on the same side of another label or line as
    its own line does, which makes a placement clear at ``plot_px`` clear at any wider plot too
    (distances between lines grow with the width; label widths do not).
    """
    boxes = [_label_box(x, w, a) for x, w, (_, a) in zip(xs, widths, place, strict=True)]
    for i, ((a, b), (row, _)) in enumerate(zip(boxes, place, strict=True)):
        if a < 0 or b > plot_px:
            return False
        for j, (xj, (row_j, _)) in enumerate(zip(xs, place, strict=True)):
            if j == i or row_j < row:
                continue
            left_of_j = (xs[i], i) < (xj, j)
            if left_of_j and not b + _MARK_PAD_PX / 2 <= xj:  # line j right of label i
                return False
            if not left_of_j and not xj <= a - _MARK_PAD_PX / 2:  # line j left of label i
                return False
            if row_j == row:
                a_j, b_j = boxes[j]
                if left_of_j and not b + _MARK_PAD_PX <= a_j:
                    return False
                if not left_of_j and not b_j + _MARK_PAD_PX <= a:
                    return False
    return True


def marker_layout(
    fractions: Sequence[float], widths: Sequence[float], plot_px: float
) -> tuple[tuple[int, str], ...]:
    """Row (0 lowest) and side (plotly ``xanchor``) of each percentile label on a distribution.

    ``fractions`` are the markers' x positions as fractions of the plot's width, in P10, P50, P90
    order; ``widths`` their labels' widths in pixels; ``plot_px`` the narrowest plot the chart is
    drawn in. Of the placements where no label overlaps another or covers another marker's line
    (:func:`_placement_clear`), the one with the fewest rows, then the fewest labels moved up or
    off their preferred side, wins: P10 left of its line, P50 centred over it, P90 right of it.
    Clear at ``plot_px``, a placement is clear at every wider width. If none is (a label wider
    than the plot), each label gets a row of its own.
    """
    n = len(fractions)
    xs = [min(1.0, max(0.0, f)) * plot_px for f in fractions]
    preferred = [_MARK_PREFERRED[min(i, len(_MARK_PREFERRED) - 1)] for i in range(n)]
    best: tuple[tuple[int, int, int], tuple[tuple[int, str], ...]] | None = None
    for rows in product(range(n), repeat=n):
        for anchors in product(("right", "center", "left"), repeat=n):
            place = tuple(zip(rows, anchors, strict=True))
            if not _placement_clear(xs, widths, place, plot_px):
                continue
            moved = sum(a != p for a, p in zip(anchors, preferred, strict=True))
            cost = (max(rows), moved + sum(rows), moved)
            if best is None or cost < best[0]:
                best = (cost, place)
    return best[1] if best else tuple((i, p) for i, p in enumerate(preferred))


def npv_distribution(
    mc: Any,
    result: Any = None,
    *,
    currency: str | None = None,
    horizon_months: int | None = None,
    bins: int = 40,
    results: Mapping[str, Any] | None = None,
) -> go.Figure:
    """Distribution of NPV over the Monte Carlo draws, with the P10, P50 and P90 marked.

    The draws are binned here (numpy, ``bins`` equal-width bins) and drawn as bars: the shares of
    draws per bin sum to 1. The title gives ``mc.p_payback``, the probability of paying back within
    the horizon (``mc.horizon_months``); the subtitle the percentiles and the chance of a loss
    (NPV below zero). Pass the expected ``result`` (or ``currency``) so money is shown in the case's
    currency, and the scenarios' ``results``: while a scenario does not pay back (or loses money),
    neither line claims that every simulated case does (or that none does).
    """
    currency = currency or (fmt.currency_of(result) if result is not None else "USD")
    horizon_months = horizon_months or getattr(mc, "horizon_months", None)
    npv = np.asarray(mc.npv, float)
    npv = npv[np.isfinite(npv)]
    p = mc.percentiles["npv"]
    scenarios = list((results or {}).values())
    never = any(fmt.is_missing(r.summary.get("payback_months")) for r in scenarios)
    loses = any(r.summary["npv"] < 0 for r in scenarios)
    within = f"within {horizon_months} months" if horizon_months else "within the horizon"
    title = _chance_title(float(mc.p_payback), int(mc.draws), within, contradicted=never)
    subtitle = (
        f"Net present value over {fmt.number(mc.draws)} simulated cases: "
        f"P10 {fmt.money(p['p10'], currency)}, P50 {fmt.money(p['p50'], currency)}, "
        f"P90 {fmt.money(p['p90'], currency)}"
    )
    p_positive = getattr(mc, "p_positive_npv", None)
    if p_positive is not None:
        share = float(1.0 - p_positive)
        if share <= 0.0 and loses:
            subtitle += "; a loss in under 1% of them"
        elif share <= 0.0:
            subtitle += "; none makes a loss"
        else:
            subtitle += f"; a loss in {_share_text(share)} of them"
    counts, edges = np.histogram(npv, bins=bins)
    centres = (edges[:-1] + edges[1:]) / 2
    share = counts / max(1, counts.sum())
    colours = [NEGATIVE if c < 0 else OKABE_ITO["blue"] for c in centres]
    ranges = [f"{fmt.money(a, currency)} to {fmt.money(b, currency)}" for a, b in pairwise(edges)]
    bars = go.Bar(
        x=centres, y=share, width=np.diff(edges) * 0.92, marker=dict(color=colours),
        customdata=ranges, name="Share of draws", showlegend=False,
        hovertemplate="NPV %{customdata}<br>%{y:.1%} of draws<extra></extra>",
    )
    top = float(share.max()) if share.size else 1.0
    xaxis = money_axis(
        edges, currency, include_zero=False,
        title=dict(text=f"Net present value ({currency})"), showgrid=False,
    )
    marks = [(label, float(p[key]), dash) for key, label, dash in _MARKERS]
    texts = [f"{label} {fmt.money(x, currency)}" for label, x, _ in marks]
    lo, hi = xaxis["range"]
    place = marker_layout(
        [(x - lo) / (hi - lo) if hi > lo else 0.5 for _, x, _ in marks],
        [text_width(t, _MARK_SIZE) for t in texts],
        NARROW_WIDTH_PX - _PLOT_SIDES_PX,
    )
    # Rows of labels stacked above the bars, laid out in pixels of the shortest plot the chart is
    # drawn in (taller, they only spread apart). A label beside its line hangs from its top like a
    # flag; one centred on its line sits on its top.
    rows = 1 + max(row for row, _ in place)
    band = 1 + (rows - 1) * _MARK_ROW_PX + _MARK_LABEL_PX + _MARK_GAP_PX
    y_max = top * _MARK_PLOT_PX / (_MARK_PLOT_PX - band)

    def y_at(px: float) -> float:  # pixels up from the bottom of the shortest plot -> data
        return y_max * px / _MARK_PLOT_PX

    shapes, annotations = [], []
    for (label, x, dash), text, (row, anchor) in zip(marks, texts, place, strict=True):
        row_top = _MARK_PLOT_PX - 1 - (rows - 1 - row) * _MARK_ROW_PX
        end = row_top if anchor != "center" else row_top - _MARK_LABEL_PX
        shapes.append(dict(
            type="line", x0=x, x1=x, y0=0, y1=y_at(end), name=label,
            line=dict(color=INK, width=1.5, dash=dash),
        ))
        annotations.append(dict(
            x=x, y=y_at(end), yanchor="top" if anchor != "center" else "bottom",
            xanchor=anchor, showarrow=False,
            xshift={"left": _MARK_PAD_PX, "right": -_MARK_PAD_PX}.get(anchor, 0),
            text=text, font=dict(size=_MARK_SIZE, color=INK), bgcolor="white", borderpad=1,
        ))
    return figure(title, subtitle, data=[bars], layout=dict(
        shapes=shapes,
        annotations=annotations,
        xaxis=xaxis,
        yaxis=dict(tickformat=".0%", title=dict(text="Share of draws"), range=[0, y_max]),
        bargap=0,
    ))


def segments(result: Any) -> go.Figure | None:
    """Run-rate benefit by customer segment, stacked by pillar (revenue first); None without segments.

    Bars come from ``result.segments`` (annual run-rate at full adoption, risk-adjusted). The title
    names the segment whose share of the benefit most exceeds its share of contacts.
    """
    seg = result.segments  # not getattr: it would hide an error raised inside the property
    if seg is None or len(seg) == 0:
        return None
    cur = fmt.currency_of(result)
    names = [str(n) for n in seg["segment"]]
    totals = seg["total"].to_numpy(float)
    share_value = totals / totals.sum() if totals.sum() else np.zeros_like(totals)
    contact_share = {
        s.name: s.share_of_contacts for s in getattr(result.case.baseline, "segments", [])
    }
    shares = np.array([contact_share.get(n, np.nan) for n in names], float)
    if np.isfinite(shares).all() and totals.sum() > 0:
        k = int(np.argmax(share_value - shares))
        title = (
            f"{names[k]}: {fmt.pct(shares[k], 0)} of contacts, "
            f"{fmt.pct(share_value[k], 0)} of the benefit"
        )
    else:
        k = int(np.argmax(totals))
        title = f"{names[k]} carries {fmt.pct(share_value[k], 0)} of the benefit"
    subtitle = "Annual benefit at full run-rate by segment and pillar, risk-adjusted"
    lines = [category_lines(n) for n in names]
    labels = ["<br>".join(safe_text(line) for line in ls) for ls in lines]
    traces: list[Any] = []
    for pillar in PILLAR_ORDER:
        if pillar not in seg.columns or not seg[pillar].any():
            continue
        values = seg[pillar].to_numpy(float)
        money = [fmt.money(v, cur) for v in values]
        traces.append(go.Bar(
            y=labels, x=values, orientation="h", name=pillar.replace("_", " ").capitalize(),
            marker=dict(color=PILLAR_COLOURS[pillar]),
            customdata=[[safe_text(n), m] for n, m in zip(names, money, strict=True)],
            hovertemplate="%{customdata[0]}: %{customdata[1]}<extra>%{fullData.name}</extra>",
        ))
    traces.append(go.Scatter(
        y=labels, x=totals, mode="text", text=[f"  {fmt.money(t, cur)}" for t in totals],
        textposition="middle right", textfont=dict(color=INK, size=13), showlegend=False,
        hoverinfo="skip", cliponaxis=False,
    ))
    return figure(title, subtitle, height=max(300, 170 + 70 * len(names)), data=traces, layout=dict(
        barmode="stack",
        xaxis=money_axis([0.0, float(totals.max()) * 1.15], cur, showgrid=True),
        yaxis=dict(
            autorange="reversed", showgrid=False, tickfont=dict(color=INK, size=CATEGORY_SIZE),
            ticklabelstandoff=CATEGORY_GAP_PX,
        ),
        margin=dict(l=category_margin(lines)),
        bargap=0.35,
    ))
