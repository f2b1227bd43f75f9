"""The form's live charts: one anywidget that draws the three board charts with plotly.js.

Why not plotly's ``FigureWidget``: its front end is an anywidget whose module is plotly's whole
5 MB widget bundle, loaded once per figure; three of them on a page that starts cold (Voilà) miss
anywidget's 2 s start-up limit ("[anywidget] Failed to initialize model."), and a view that
missed it never applies an update, so the charts stay as first drawn while the headline moves.
Its view also draws at the width its element has on first render (700 px before the page is
laid out, as in JupyterLab) and re-fits on nothing.

This widget is one model holding the three figures as one JSON text (:attr:`LiveCharts.figures`,
template left out and sent once as :attr:`LiveCharts.template`). Its module carries the
project's plotly.js finance bundle (1.3 MB, :func:`roi_kit.page.bundle.plotlyjs`): nothing is
fetched. Every change of ``figures`` redraws all three with ``Plotly.react`` (the fresh-figure way
is ``Plotly.newPlot``: ``bench/bench_widgets.py`` measures both in the browser). Each chart sizes
itself to the widget's width (no width in the layout; a ``ResizeObserver`` re-fits it whenever
the column's width changes), so it fits its column at any window width.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

import anywidget
import plotly.io as pio
import traitlets

from roi_kit.page.bundle import plotlyjs

#: The CSS class of the column the charts fill.
RESULTS_CLASS = "roi-form-results"

_RENDER = r"""
function plotly() {
  if (!globalThis.__roiKitPlotly) {
    const module = { exports: {} };
    (new Function("module", "exports", BUNDLE))(module, module.exports);
    globalThis.__roiKitPlotly = module.exports;
  }
  return globalThis.__roiKitPlotly;
}

const CONFIG = { responsive: true, displaylogo: false };

export default {
  render({ model, el }) {
    const Plotly = plotly();
    el.classList.add("roi-live-charts");
    el.style.width = "100%";
    const names = model.get("names");
    const divs = names.map((name) => {
      const div = document.createElement("div");
      div.className = "roi-live-chart";
      div.dataset.chart = name;
      div.style.width = "100%";
      el.appendChild(div);
      return div;
    });
    const draw = (fresh) => {
      const figures = JSON.parse(model.get("figures") || "{}");
      const template = model.get("template");
      const t0 = performance.now();
      const drawn = names.map((name, i) => {
        const fig = figures[name];
        if (!fig) return null;
        const layout = Object.assign({}, fig.layout, { template });
        if (fresh === true) { Plotly.purge(divs[i]); return Plotly.newPlot(divs[i], fig.data, layout, CONFIG); }
        return Plotly.react(divs[i], fig.data, layout, CONFIG);
      });
      return Promise.all(drawn).then(() => {
        el.dataset.drawMs = String(performance.now() - t0);
        el.dataset.draws = String(Number(el.dataset.draws || 0) + 1);
      });
    };
    // for bench/bench_widgets.py: a redraw the naive way (new plots from scratch), timed the same way
    el.roiKitRedraw = (fresh) => draw(fresh);
    const onChange = () => draw(false);
    draw(false);
    model.on("change:figures", onChange);
    let width = 0;
    const observer = new ResizeObserver(() => {
      const w = Math.round(el.getBoundingClientRect().width);
      if (w === width || w === 0) return;
      width = w;
      divs.forEach((div) => { if (div._fullLayout) Plotly.Plots.resize(div); });
    });
    observer.observe(el);
    return () => {
      observer.disconnect();
      model.off("change:figures", onChange);
      divs.forEach((div) => Plotly.purge(div));
    };
  },
};
"""


def _esm() -> str:
    return "const BUNDLE = " + json.dumps(plotlyjs()) + ";\n" + _RENDER


class LiveCharts(anywidget.AnyWidget):
    """The three live charts of the form, drawn in the browser by plotly.js (see the module)."""

    _esm = traitlets.Unicode().tag(sync=True)
    names = traitlets.List(traitlets.Unicode()).tag(sync=True)
    template = traitlets.Dict().tag(sync=True)
    #: ``{name: {"data": [...], "layout": {...}}}`` as JSON text (one message per redraw)
    figures = traitlets.Unicode("{}").tag(sync=True)

    def __init__(self, names: tuple[str, ...], template: Mapping[str, Any], **kw: Any):
        super().__init__(_esm=_esm(), names=list(names), template=_plain(template), **kw)

    def show(self, specs: Mapping[str, Mapping[str, Any]]) -> None:
        """Redraw with ``specs`` (``{name: {"data", "layout"}}``, plotly JSON, no template)."""
        self.figures = pio.to_json(dict(specs), validate=False, pretty=False)


def _plain(value: Any) -> dict:
    return json.loads(pio.to_json(value, validate=False))
