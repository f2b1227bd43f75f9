"""What the report notebook calls to put things in the report.

Every call writes one explicit output and sets everything it needs itself: no plotly renderer,
no "plotly.js already embedded" flag, no module state. A kernel reused across the units of a
batch therefore carries nothing from one report to the next. (plotly's default renderer inside a
papermill kernel is ``plotly_mimetype``, which nbconvert silently drops: never ``fig.show()``.)

* :func:`show_figure` — a plotly figure as ``text/html``: a div whose id is derived from the
  chart's ``name`` (deterministic, so reruns and nbval diffs are stable) and the
  ``Plotly.newPlot`` call. plotly.js itself is not included: the board template embeds it once
  in ``<head>`` (:func:`roi_kit.bundle.plotlyjs`). No MathJax, no CDN.
* :func:`show_html` — an HTML fragment, as is (callers escape user text; ``roi_kit.sections``
  does).
* :func:`show_markdown` — markdown; raw HTML in it is shown as text, never run.
* :func:`publish_meta` — the report's cover and footer facts (unit, title, scenario, currency,
  input hash, toolkit version) as a hidden output that :func:`roi_kit.report.export_html` reads
  and removes.
"""

from __future__ import annotations

import html
from collections.abc import Mapping
from typing import Any

from roi_kit._io import slugify
from roi_kit.bundle import check_figure

META_MIMETYPE = "application/vnd.roi-kit.report-meta+json"
CHART_ID_PREFIX = "roi-chart-"
PLOTLY_CONFIG: Mapping[str, Any] = {
    "displaylogo": False,
    "displayModeBar": False,
    "responsive": True,
}
DEFAULT_HEIGHT_PX = 440


def chart_id(name: str) -> str:
    """The DOM id of chart ``name``: ``roi-chart-<slug>``.

    >>> chart_id("Payback timeline")
    'roi-chart-payback-timeline'
    """
    return CHART_ID_PREFIX + slugify(name)


def figure_html(fig: Any, name: str) -> str:
    """The ``text/html`` of one chart: a div with :func:`chart_id` and its ``Plotly.newPlot``.

    A plotly figure's title and subtitle are taken out of the figure and shown above it as a
    ``<figcaption>`` (:func:`roi_kit.charts.caption_html`): page text, flush with the headings.

    Raises :class:`roi_kit.errors.ReportError` if the figure uses a trace type the embedded
    bundle lacks.
    """
    import plotly.graph_objects as go
    import plotly.io as pio

    from roi_kit import charts

    check_figure(fig, name)
    # the title and subtitle are the page's text (aligned with the headings, wrapped at any width)
    caption = charts.caption_html(fig) if isinstance(fig, go.Figure) else ""
    if caption:
        fig = charts.without_title(fig)
    height = getattr(getattr(fig, "layout", None), "height", None) or DEFAULT_HEIGHT_PX
    div = pio.to_html(
        fig,
        full_html=False,
        include_plotlyjs=False,
        include_mathjax=False,
        div_id=chart_id(name),
        config=dict(PLOTLY_CONFIG),
        default_width="100%",
        default_height=f"{int(height)}px",
        validate=False,
        auto_play=False,
    )
    return f'<figure class="roi-chart" data-chart="{html.escape(name)}">{caption}{div}</figure>'


def _publish(data: Mapping[str, Any]) -> None:
    from IPython.display import display

    display(dict(data), raw=True)


def show_figure(fig: Any, name: str) -> None:
    """Display ``fig`` in the report as chart ``name`` (unique within one report)."""
    _publish({"text/html": figure_html(fig, name)})


def show_html(fragment: str) -> None:
    """Display an HTML fragment as is (user text in it must already be escaped)."""
    _publish({"text/html": str(fragment)})


def show_markdown(text: str) -> None:
    """Display markdown; ``<``, ``>`` and ``&`` are escaped, so raw HTML shows as text."""
    safe = str(text).replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    _publish({"text/markdown": safe})


def publish_meta(meta: Mapping[str, Any]) -> None:
    """Publish the report's cover/footer facts as a hidden output (read by ``export_html``)."""
    _publish({META_MIMETYPE: {key: meta[key] for key in meta}})
