"""The house plotly theme and axes: colours, fonts, the ``roi_board`` template, money ticks.

One theme, registered as the plotly template ``"roi_board"``: the Okabe–Ito colour-blind-safe
palette, a system font stack (no web fonts: pages work offline), light grid, left-aligned titles
with a subtitle, print-sized margins, fixed height and responsive width. Money axes get explicit
tick values and labels (:func:`money_axis`, :func:`money_ticks`) in :mod:`roi_kit.page.fmt`'s
style (k/M/B, never plotly's SI "G", and the true minus sign), with the decimals the tick step
needs: $2.50, $1.25M, never "$3" for 2.5. Render figures with :data:`CONFIG`.
"""

from __future__ import annotations

import html
import math
from collections.abc import Sequence
from decimal import Decimal
from typing import Any

import numpy as np
import plotly.graph_objects as go
import plotly.io as pio

from roi_kit.case.schema import REVENUE_FIRST
from roi_kit.page import fmt

TEMPLATE_NAME = "roi_board"


FONT = (
    '"Inter", "Segoe UI", "Helvetica Neue", Helvetica, Arial, "Liberation Sans", '
    '"DejaVu Sans", sans-serif'
)


INK = "#1F2933"


MUTED = "#616E7C"


GRID = "#E4E7EB"


# Okabe & Ito (2008), "Color Universal Design": distinguishable with every common colour vision
# deficiency. Named so each meaning keeps its colour in every chart.
OKABE_ITO = {
    "blue": "#0072B2",
    "orange": "#E69F00",
    "green": "#009E73",
    "vermillion": "#D55E00",
    "sky": "#56B4E9",
    "purple": "#CC79A7",
    "yellow": "#F0E442",
    "black": "#000000",
}


PILLAR_COLOURS = {
    "revenue_protected": OKABE_ITO["green"],
    "revenue_generated": OKABE_ITO["sky"],
    "cost_savings": OKABE_ITO["blue"],
    "risk_avoided": OKABE_ITO["purple"],
}


SCENARIO_COLOURS = {
    "conservative": OKABE_ITO["orange"],
    "expected": OKABE_ITO["blue"],
    "optimistic": OKABE_ITO["green"],
}


POSITIVE, NEGATIVE, TOTAL = OKABE_ITO["green"], OKABE_ITO["vermillion"], OKABE_ITO["blue"]


# Revenue first, as boards respond to it (seed 001); efficiency follows as supporting evidence.
PILLAR_ORDER = REVENUE_FIRST


HEIGHT = 440


TITLE_SIZE, SUBTITLE_SIZE, LEGEND_SIZE = 20, 13, 12


TOP_MARGIN = 104  # title, subtitle and a legend row each on one line (see fit_width)


TITLE_PAD = 10


#: The widths the project draws charts at: the report's text column, and the narrowest results
#: column of the form (roi_kit.form), where titles must wrap.
REPORT_WIDTH_PX, NARROW_WIDTH_PX = 960, 420


CONFIG: dict[str, Any] = {"displaylogo": False, "displayModeBar": False, "responsive": True}


def _register_template() -> None:
    axis = dict(
        gridcolor=GRID,
        linecolor="#9AA5B1",
        zerolinecolor="#7B8794",
        zerolinewidth=1.5,
        tickfont=dict(color=MUTED, size=12),
        title=dict(font=dict(color=MUTED, size=12)),
        automargin=True,
        showline=False,
        ticks="",
    )
    pio.templates[TEMPLATE_NAME] = go.layout.Template(
        layout=dict(
            font=dict(family=FONT, size=13, color=INK),
            colorway=list(OKABE_ITO.values()),
            paper_bgcolor="white",
            plot_bgcolor="white",
            height=HEIGHT,
            autosize=True,
            margin=dict(l=72, r=40, t=TOP_MARGIN, b=72),
            # flush with the figure's left edge, which is the page's text column: no pad
            title=dict(
                x=0, xanchor="left", xref="container", y=1, yanchor="top", yref="container",
                pad=dict(l=0, t=TITLE_PAD), automargin=False,
                font=dict(size=TITLE_SIZE, color=INK, weight=600),
                subtitle=dict(font=dict(size=SUBTITLE_SIZE, color=MUTED)),
            ),
            xaxis=dict(axis, showgrid=False, showline=True),
            yaxis=axis,
            legend=dict(
                orientation="h", x=1, xanchor="right", y=1.01, yanchor="bottom", traceorder="normal",
                font=dict(size=12, color=MUTED), bgcolor="rgba(0,0,0,0)",
            ),
            hoverlabel=dict(font=dict(family=FONT, size=12), bgcolor="white"),
            separators=".,",
            bargap=0.28,
        )
    )


_register_template()


def safe_text(s: object) -> str:
    """User text (a unit, line or segment name) made inert for plotly.js, which renders a subset
    of HTML tags in titles, labels and hover text: ``&``, ``<`` and ``>`` escaped, quotes kept.

    >>> safe_text("<b>Care & repair</b>")
    '&lt;b&gt;Care &amp; repair&lt;/b&gt;'
    """
    return html.escape(str(s), quote=False)


def figure(
    title: str,
    subtitle: str = "",
    *,
    height: int = HEIGHT,
    data: Sequence[Any] = (),
    layout: dict[str, Any] | None = None,
) -> go.Figure:
    """A figure in the house theme (:data:`TEMPLATE_NAME`), ``height`` px tall, width left to the
    page; ``title`` states the finding, ``subtitle`` what is plotted (both escaped with
    :func:`safe_text`, so pass plain text, not plotly markup).

    ``data`` (traces) and ``layout`` (merged over the height and title) make the whole chart in
    one go: plotly validates a figure given whole once, where each ``add_trace``,
    ``add_shape`` or ``update_layout`` on a built figure runs its relayout machinery again
    (three quarters of a chart's build time).
    """
    fig = go.Figure(
        data=list(data),
        layout={
            "height": height,
            "title": dict(text=safe_text(title), subtitle=dict(text=safe_text(subtitle))),
            **(layout or {}),
        },
    )
    _use_house_template(fig)
    return fig


def _use_house_template(fig: go.Figure) -> None:
    """Give ``fig`` the registered house template as plotly gives a new figure its default one:
    without validating it again. ``update_layout(template=name)`` copies and re-validates the
    whole template for every chart (a tenth of a report's chart building); the registered one
    was validated once, when it was registered. ``tests/page/test_theme.py`` checks that the
    figure is the one ``update_layout(template=...)`` gives."""
    layout = fig._layout_obj  # plotly's own default-template path (BaseFigure._initialize_layout_template)
    validate = layout._validate
    layout._validate = False
    try:
        layout.template = pio.templates[TEMPLATE_NAME]
    finally:
        layout._validate = validate


def nice_ticks(lo: float, hi: float, *, target: int = 5) -> list[float]:
    """Round tick values covering [lo, hi]: steps of 1, 2, 2.5 or 5 × 10^k, about ``target`` ticks.

    >>> nice_ticks(0, 4_200_000)
    [0.0, 1000000.0, 2000000.0, 3000000.0, 4000000.0, 5000000.0]
    """
    lo, hi = float(min(lo, hi)), float(max(lo, hi))
    if hi == lo:
        hi, lo = hi + max(1.0, abs(hi) * 0.1), lo - max(1.0, abs(lo) * 0.1)
    raw = (hi - lo) / max(1, target)
    power = 10 ** math.floor(math.log10(raw))
    step = next(m * power for m in (1, 2, 2.5, 5, 10) if m * power >= raw)
    start, stop = math.floor(lo / step), math.ceil(hi / step)
    return [float(round(k * step, 6)) for k in range(start, stop + 1)]


#: Abbreviations of money ticks, as :func:`roi_kit.page.fmt.compact_number` writes them.
_TICK_SCALES = ((12, "T"), (9, "B"), (6, "M"), (3, "k"))


def _decimals(d: Decimal) -> int:
    """Decimals ``d`` needs to be written exactly: 1.250 → 2, 1.0 → 0, 300 → 0."""
    return max(0, -d.normalize().as_tuple().exponent) if d else 0


def money_ticks(ticks: Sequence[float], currency: str = "USD") -> list[str]:
    """Labels for money tick values, each exact: as many decimals as its value needs, no more.

    A tick of a thousand or more is abbreviated as :func:`roi_kit.page.fmt.money` does (k, M, B, T)
    with the decimals its value needs: $1M, $1.5M, $1.25M. Below a thousand, ticks are whole
    units ($5, $310) unless one of them has a fraction; then all of those carry the same decimals,
    cents at least ($0.00, $2.50, $5.00). Each label is the tick's decimal value (its shortest
    ``repr``, as :func:`nice_ticks` rounds it), so distinct ticks get distinct labels and a label
    never reads as a neighbouring tick ($2.50 rather than "$3" on a $2.50 step).

    >>> money_ticks([0, 2.5, 5.0]), money_ticks([0, 5, 10]), money_ticks([1e6, 1.25e6, 1.5e6])
    (['$0.00', '$2.50', '$5.00'], ['$0', '$5', '$10'], ['$1M', '$1.25M', '$1.5M'])
    >>> money_ticks([-500, 0, 500, 1000, 1500], "EUR")
    ['−€500', '€0', '€500', '€1k', '€1.5k']
    """
    values = [Decimal(repr(float(t))) for t in ticks]
    scaled: list[tuple[Decimal, str]] = []
    for v in values:
        a = abs(v)
        power, suffix = next(((p, x) for p, x in _TICK_SCALES if a >= Decimal(10) ** p), (0, ""))
        scaled.append((a.scaleb(-power), suffix))
    units = [_decimals(a) for a, suffix in scaled if not suffix]
    unit_places = max(2, *units) if any(units) else 0
    out = []
    for v, (a, suffix) in zip(values, scaled, strict=True):
        places = _decimals(a) if suffix else unit_places
        out.append(f"{fmt.MINUS if v < 0 else ''}{fmt.currency_symbol(currency)}{a:,.{places}f}{suffix}")
    return out


def money_axis(
    values: Sequence[float] | np.ndarray, currency: str, *, include_zero: bool = True, **extra: Any
) -> dict:
    """Plotly axis settings for a money axis spanning ``values`` (and zero, unless
    ``include_zero=False``): explicit tick values from :func:`nice_ticks`, their labels from
    :func:`money_ticks` (exact for the step: $2.50, $1.25M; never plotly's SI "1G"), the range
    from the first tick to the last; ``extra`` is merged in (``title=``, ``showgrid=`` …).
    Missing and infinite values are ignored. Pass the result as ``xaxis=`` or ``yaxis=`` to
    ``update_layout``.
    """
    arr = np.asarray([v for v in np.ravel(values) if v is not None and np.isfinite(v)], float)
    lo, hi = (float(arr.min()), float(arr.max())) if arr.size else (0.0, 1.0)
    if include_zero:
        lo, hi = min(lo, 0.0), max(hi, 0.0)
    ticks = nice_ticks(lo, hi)
    return dict(
        tickmode="array",
        tickvals=ticks,
        ticktext=money_ticks(ticks, currency),
        range=[ticks[0], ticks[-1]],
        **extra,
    )
