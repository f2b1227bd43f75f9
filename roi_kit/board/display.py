"""What the report notebook calls to put things in the report.

Every call writes one explicit output and sets everything it needs itself: no plotly renderer,
no "plotly.js already embedded" flag, no module state. A kernel reused across the units of a
batch therefore carries nothing from one report to the next. (plotly's default renderer inside a
papermill kernel is ``plotly_mimetype``, which nbconvert silently drops: never ``fig.show()``.)

* :func:`show_figure` — a plotly figure as ``text/html``: a div whose id is derived from the
  chart's ``name`` (deterministic, so reruns and nbval diffs are stable) and the
  ``Plotly.newPlot`` call. plotly.js itself is not included: the board template embeds it once
  in ``<head>`` (:func:`roi_kit.page.bundle.plotlyjs`). No MathJax, no CDN.
* :func:`show_html` — an HTML fragment, as is (callers escape user text; ``roi_kit.board.tables``
  does).
* :func:`show_markdown` — markdown; raw HTML in it is shown as text, never run.
* :func:`publish_meta` — the report's cover and footer facts (unit, title, scenario, currency,
  input hash, toolkit version) as a hidden output that :func:`roi_kit.board.export.export_html` reads
  and removes.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from roi_kit.page.html import figure_html

META_MIMETYPE = "application/vnd.roi-kit.report-meta+json"


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
