"""HTML pieces every page shares: escaping, tables, formula blocks, KPI tiles, embedded figures.

Every function returns HTML that is safe to insert as is: all text goes through :func:`esc`.
Styling contract (the stylesheets rely on it): tables have ``class="roi-table"`` plus one
``roi-<name>`` class; numeric cells ``class="num"`` (right-aligned, tabular numerals), negative
ones also ``neg``; total rows ``class="total"``; indented sub-rows ``class="sub"``; muted notes
``class="note"``.
"""

from __future__ import annotations

import html
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from roi_kit._io import slugify
from roi_kit.page import fmt
from roi_kit.page.bundle import check_figure
from roi_kit.page.text import caption_html, without_title_dict
from roi_kit.page.theme import CONFIG


def esc(text: object) -> str:
    """User or computed text made safe for HTML text and attribute values."""
    return html.escape(str(text), quote=True)


@dataclass(frozen=True)
class Cell:
    """One table cell: its text (escaped on output), numeric or not, and extra classes."""

    text: str = ""
    num: bool = False
    negative: bool = False
    cls: str = ""
    html_text: str | None = None  # already-escaped markup, built here from escaped parts only
    colspan: int = 1

    def render(self, tag: str = "td") -> str:
        classes = " ".join(c for c in ("num" if self.num else "", "neg" if self.negative else "", self.cls) if c)
        attr = f' class="{classes}"' if classes else ""
        if self.colspan > 1:
            attr += f' colspan="{int(self.colspan)}"'
        body = self.html_text if self.html_text is not None else esc(self.text)
        return f"<{tag}{attr}>{body}</{tag}>"


def _money_cell(x: float | None, cur: str, *, exact: bool = False) -> Cell:
    text = fmt.money_exact(x, cur) if exact else fmt.money(x, cur, compact=False)
    return Cell(text, num=True, negative=not fmt.is_missing(x) and round(float(x), 2) < 0)


def _num_cell(text: str, x: float | None = None) -> Cell:
    return Cell(text, num=True, negative=x is not None and not fmt.is_missing(x) and float(x) < 0)


def html_table(
    name: str,
    header: Sequence[str | Cell] | Sequence[Sequence[str | Cell]],
    rows: Iterable[tuple[str, Sequence[Cell | str]]],
    *,
    caption: str = "",
    widths: Sequence[int] = (),
    prefix: str = "roi-",
    repeat_caption: bool = False,
) -> str:
    """``<table class="roi-table <prefix><name>">`` with a header row (or a list of header rows)
    and (row class, cells) rows whose first cell is the row's header; ``widths`` (percentages)
    fix the columns, so tables of the same shape line up.

    ``repeat_caption``: the caption is also the first header row (``tr.roi-table__title``), which
    the print stylesheet shows instead of the caption: a table printed over several pages is
    titled on each one (a browser repeats a ``<thead>`` on every page, never a ``<caption>``)."""
    out = [f'<table class="roi-table {esc(prefix)}{esc(name)}">']
    if caption:
        out.append(f"<caption>{esc(caption)}</caption>")
    if widths:
        out.append("<colgroup>" + "".join(f'<col style="width:{int(w)}%">' for w in widths) + "</colgroup>")
    head_rows = header if header and isinstance(header[0], list | tuple) else [header]
    head = "".join(
        "<tr>"
        + "".join(
            (h if isinstance(h, Cell) else Cell(h)).render("th").replace("<th", '<th scope="col"', 1)
            for h in head_row
        )
        + "</tr>"
        for head_row in head_rows
    )
    if caption and repeat_caption:
        columns = sum((h.colspan if isinstance(h, Cell) else 1) for h in head_rows[0])
        head = (f'<tr class="roi-table__title"><th colspan="{columns}" scope="colgroup">'
                f"{esc(caption)}</th></tr>{head}")
    out.append(f"<thead>{head}</thead><tbody>")
    for row_cls, cells in rows:
        tr = f'<tr class="{esc(row_cls)}">' if row_cls else "<tr>"
        tds = []
        for i, c in enumerate(cells):
            cell = c if isinstance(c, Cell) else Cell(c)
            tds.append(cell.render("th").replace("<th", '<th scope="row"', 1) if i == 0 else cell.render())
        out.append(tr + "".join(tds) + "</tr>")
    out.append("</tbody></table>")
    return "".join(out)


def formula_block(name: str, formula: str, worked: str) -> str:
    """One entry of a methodology list: the quantity, its formula, and the formula worked with
    this case's numbers (all escaped)."""
    return (
        f'<div class="roi-formula"><dt>{esc(name)}</dt>'
        f"<dd><span class=\"formula\">{esc(formula)}</span>"
        + (f'<br><span class="worked">{esc(worked)}</span>' if worked else "")
        + "</dd></div>"
    )



def kpi_tiles(tiles: Iterable[Sequence[str]], *, cls: str = "") -> str:
    """A strip of KPI tiles, every page's one set: each tile ``(label, value)`` or
    ``(label, value, note)``; all text escaped. ``cls`` adds a class to the strip (``cost-kpis``)."""
    cells = "".join(
        f'<div class="roi-kpi"><span class="roi-kpi__label">{esc(tile[0])}</span>'
        f'<span class="roi-kpi__value">{esc(tile[1])}</span>'
        + (f'<span class="roi-kpi__note">{esc(tile[2])}</span>' if len(tile) > 2 else "")
        + "</div>"
        for tile in tiles
    )
    return f'<div class="{" ".join(("roi-kpis", cls)).strip()}">{cells}</div>'


CHART_ID_PREFIX = "roi-chart-"




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
    ``<figcaption>`` (:func:`roi_kit.board.charts.caption_html`): page text, flush with the headings.

    Raises :class:`roi_kit.errors.ReportError` if the figure uses a trace type the embedded
    bundle lacks.
    """
    import plotly.graph_objects as go
    import plotly.io as pio


    check_figure(fig, name)
    # the title and subtitle are the page's text (aligned with the headings, wrapped at any width)
    caption = caption_html(fig) if isinstance(fig, go.Figure) else ""
    if caption:
        fig = without_title_dict(fig)  # a dict: no second figure built and validated
        height = fig["layout"].get("height") or DEFAULT_HEIGHT_PX
    else:
        height = getattr(getattr(fig, "layout", None), "height", None) or DEFAULT_HEIGHT_PX
    div = pio.to_html(
        fig,
        full_html=False,
        include_plotlyjs=False,
        include_mathjax=False,
        div_id=chart_id(name),
        config=dict(CONFIG),
        default_width="100%",
        default_height=f"{int(height)}px",
        validate=False,
        auto_play=False,
    )
    return f'<figure class="roi-chart" data-chart="{html.escape(name)}">{caption}{div}</figure>'
