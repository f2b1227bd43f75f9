"""Charts sized to their column: a tiny anywidget that watches the form's results column.

plotly's ``FigureWidget`` view draws at the width its element has when it first renders (700 px
when the page has not laid it out yet, as in JupyterLab) and re-fits only on a window resize.
This widget's front end watches the results column (``ResizeObserver``) and, when its width
changes, fires the window's ``resize`` event, which makes every plotly view re-fit its element.
Its script is inline (anywidget's ``_esm``): nothing is fetched.
"""

from __future__ import annotations

import anywidget
import traitlets

#: The CSS class of the column whose width the charts follow.
RESULTS_CLASS = "roi-form-results"

_ESM = """
function start(el, selector) {
  const root = el.closest(".roi-form") || document;
  let widths = new WeakMap();
  let pending = false;
  const fire = () => {
    if (pending) return;
    pending = true;
    requestAnimationFrame(() => { pending = false; window.dispatchEvent(new Event("resize")); });
  };
  const observer = new ResizeObserver((entries) => {
    for (const entry of entries) {
      const w = Math.round(entry.contentRect.width);
      if (widths.get(entry.target) !== w) { widths.set(entry.target, w); fire(); }
    }
  });
  // the column may render after this widget: watch the DOM until it is there
  const watch = () => {
    const columns = root.querySelectorAll(selector);
    columns.forEach((c) => observer.observe(c));
    return columns.length > 0;
  };
  const mutations = new MutationObserver(() => { if (watch()) mutations.disconnect(); });
  if (!watch()) mutations.observe(root, { childList: true, subtree: true });
  fire();
  return () => { observer.disconnect(); mutations.disconnect(); };
}
export default {
  render({ model, el }) {
    el.style.display = "none";
    const selector = "." + model.get("column_class");
    let stop = null;
    const attach = () => {
      if (!el.isConnected) { requestAnimationFrame(attach); return; }
      stop = start(el, selector);
    };
    attach();
    return () => { if (stop) stop(); };
  },
};
"""


class ChartFit(anywidget.AnyWidget):
    """Place once inside a ``.roi-form`` box: its plotly charts follow their column's width."""

    _esm = traitlets.Unicode(_ESM).tag(sync=True)
    column_class = traitlets.Unicode(RESULTS_CLASS).tag(sync=True)
